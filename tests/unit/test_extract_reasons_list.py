"""The numbered reasons under "…相较于上年增加275.76万元，主要原因是：" are changes of the same comparison: each
compared with that year and of the item it names (the 鄂城 2022 notice of the corpus)."""

from pathlib import Path

import budgetkit

NOTICE = Path(__file__).parents[1] / "corpus" / "documents" / "ex-hubei-echeng-finance-2022-three-public.txt"
HEAD = "主要原因是:\n"


def _changes(tmp_path, text):
    path = tmp_path / "notice.txt"
    path.write_text(text, encoding="utf-8")
    claims = budgetkit.load(path).claims
    changes = claims[(claims["kind"] == "change") & claims["label"].str.contains("增加|减少")]
    return [(measure, f"{value:.2f}", int(year)) for measure, value, year
            in zip(changes["measure"], changes["value"].astype(float), changes["base_year"])]


def test_each_numbered_reason_is_a_change_on_the_year_its_head_compares_with(tmp_path):
    assert _changes(tmp_path, NOTICE.read_text(encoding="utf-8")) == [
        ("three_public_total", "275.76", 2021), ("vehicle_purchase", "126.72", 2021),
        ("vehicle_operation", "144.71", 2021), ("three_public_reception", "4.34", 2021),
        ("meeting", "87.51", 2021), ("training", "4.66", 2021)]


def test_a_paragraph_between_ends_the_reasons(tmp_path):
    text = NOTICE.read_text(encoding="utf-8")
    assert HEAD in text
    assert _changes(tmp_path, text.replace(HEAD, HEAD + "\n具体如下。\n", 1)) == [("three_public_total", "275.76", 2021)]
