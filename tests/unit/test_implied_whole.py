"""A share of a whole the document does not print, whose parts it lists each with its share of that whole
("1. 基本支出预算2476260.58元，占一般公共预算支出的84.06%…2. 项目支出469500元，占一般公共预算支出的19.62%")."""

import pytest

from budgetkit.audit import audit
from tests.builders import budget_of, claim

RULE = "share-of-unprinted-total"
WHOLE = "一般公共预算支出"


@pytest.fixture(scope="module")
def rule(bundled_rules):
    return [r for r in bundled_rules if r.id in (RULE, "share-of-named-whole")]


def listed(*items, whole_words=(WHOLE,), base_measure="expenditure_total", section="五（二）", unit="元"):
    """Parts as (measure, label, amount, share), each with its share of the whole named in ``whole_words``
    (one entry per part, the last repeated)."""
    specs = []
    for number, (measure, label, amount, share) in enumerate(items, start=1):
        words = whole_words[min(number - 1, len(whole_words) - 1)]
        specs.append(claim(measure, amount, label=label, unit=unit, section=section, claim_id=f"c{number:03d}-1"))
        specs.append(claim(measure, share, kind="share", unit="%", section=section, label=f"{label}占{words}",
                           claim_id=f"c{number:03d}-2", base_measure=base_measure, ref=f"c{number:03d}-1"))
    return specs


BASIC = ("expenditure_basic", "基本支出预算", "2476260.58", "84.06")
PROJECT = ("expenditure_project", "项目支出", "469500", "19.62")


def verdict_by_claim(found):
    return dict(zip(found["claim_id"], found["verdict"].astype(str)))


def test_shares_of_the_parts_the_document_lists(rule):
    found = audit(budget_of(listed(BASIC, PROJECT)), rule)
    # 469500 ÷ (2476260.58 + 469500) = 15.94%: the 19.62% printed is off, the 84.06% agrees
    assert verdict_by_claim(found) == {"c001-2": "consistent", "c002-2": "drift"}
    drift = found[found["verdict"] == "drift"].iloc[0]
    assert str(drift["computed"]) == "15.93816"
    assert f"文中未列出{WHOLE}合计，按其各项之和 2476260.58 + 469500 计" in drift["explanation"]


def test_a_share_below_its_part_of_the_listed_sum_may_be_of_parts_not_printed(rule):
    # 基本 + 项目 leave out 单位预留机动经费 and 结转下年资金, which a template may list: the whole may be
    # larger than the parts listed, so only a share above the part's share of their sum is known to be off
    found = audit(budget_of(listed(("expenditure_basic", "基本支出", "700", "70.00"),
                                   ("expenditure_project", "项目支出", "300", "20.00"))), rule)
    assert verdict_by_claim(found) == {"c001-2": "consistent"}


def test_three_public_parts_without_the_vehicles_bound_only_from_below(rule):
    # 70 ÷ (70 + 28) = 71%: 13.75% may be of a 三公 total with the vehicles the excerpt leaves out
    found = audit(budget_of(listed(("three_public_overseas", "因公出国（境）费", "70.00", "13.75"),
                                   ("three_public_reception", "公务接待费", "28.00", "5.50"),
                                   whole_words=("“三公”经费",), base_measure="three_public_total", section="七",
                                   unit="万元")), rule)
    assert found.empty


@pytest.mark.parametrize("specs", [
    listed(BASIC),  # one share alone lists no parts
    listed(BASIC, PROJECT, whole_words=(WHOLE, "支出预算")),  # two wholes named in different words
    listed(BASIC, ("expenditure_basic", "基本支出", "469500", "19.62")),  # one part listed twice
    listed(BASIC, PROJECT, ("unnamed_item", "其他支出", "1000", "0.03")),  # a part the identity does not know
    listed(BASIC, PROJECT)[:2] + listed(BASIC, PROJECT, section="六")[2:],  # the parts in different sections
])
def test_parts_not_surely_the_whole_are_not_evaluated(rule, specs):
    assert audit(budget_of(specs), rule).empty
