"""A share of a total the document does not print: 占“三公”经费的X% against the sum of the total's parts."""

import pytest

from budgetkit.audit import RulesError, audit, load_rules
from tests.builders import budget_of, claim

RULE = "share-of-unprinted-total"


@pytest.fixture(scope="module")
def rule(bundled_rules):
    return [r for r in bundled_rules if r.id in (RULE, "share-of-named-whole")]


def three_public(*items, total=None):
    """The 三公 items of section 七 as (measure, amount, share or None); the total only when given."""
    specs = [claim("three_public_total", total, kind="total", section="七", claim_id="c001-1")] if total else []
    for number, (measure, amount, share) in enumerate(items, start=2):
        specs.append(claim(measure, amount, section="七", claim_id=f"c{number:03d}-1"))
        if share is not None:
            specs.append(claim(measure, share, kind="share", unit="%", section="七", claim_id=f"c{number:03d}-2",
                               base_measure="three_public_total", ref=f"c{number:03d}-1"))
    return specs


def findings_of(specs, rule):
    return audit(budget_of(specs), rule)


def test_shares_of_the_sum_of_the_three_parts(rule):
    # 156.55 ÷ (110 + 156.55 + 317.8) = 26.79%, printed 26.72: the 110 (±0.5) cannot close the gap
    found = findings_of(three_public(("three_public_overseas", "110", "18.85"),
                                     ("three_public_reception", "156.55", "26.72"),
                                     ("three_public_vehicles", "317.8", "54.43")), rule)
    assert list(found["rule"].unique()) == [RULE]
    assert dict(zip(found["claim_id"], found["verdict"].astype(str))) == {
        "c003-2": "drift", "c002-2": "consistent", "c004-2": "consistent"}
    drift = found[found["verdict"] == "drift"].iloc[0]
    assert str(drift["computed"]) == "26.79045"
    assert "文中未列出“三公”经费合计，按其各项之和 110 + 156.55 + 317.8 计" in drift["explanation"]
    assert drift["inputs"] == "c003-1 c002-1 c003-1 c004-1"


def test_vehicle_costs_given_as_purchase_and_running_stand_in(rule):
    found = findings_of(three_public(("three_public_overseas", "70.00", "13.75"),
                                     ("three_public_reception", "28.00", "5.50"),
                                     ("vehicle_purchase", "100.00", None),
                                     ("vehicle_operation", "311.20", None)), rule)
    assert list(found["verdict"].astype(str)) == ["consistent", "consistent"]  # of 509.20
    assert "70.00 + 28.00 + 100.00 + 311.20" in found["explanation"].iloc[0]


def test_a_part_not_stated_leaves_the_share_unevaluated(rule):
    found = findings_of(three_public(("three_public_overseas", "70.00", "13.75"),
                                     ("three_public_reception", "28.00", "5.50")), rule)
    assert found.empty


def test_a_printed_total_is_the_named_whole_not_a_sum(rule):
    found = findings_of(three_public(("three_public_overseas", "70.00", "13.75"),
                                     ("three_public_reception", "28.00", "5.50"),
                                     ("three_public_vehicles", "411.20", "80.75"), total="509.20"), rule)
    assert set(found["rule"]) == {"share-of-named-whole"}


def test_whole_from_parts_must_name_an_exhaustive_sum_rule(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text('[[rule]]\nid = "a"\nkind = "share"\nwhole_from_parts = ["b"]\nreason = "r"\n\n'
                    '[[rule]]\nid = "b"\nkind = "sum"\ntotal = "x"\nparts = ["y"]\nexhaustive = false\nreason = "r"\n',
                    encoding="utf-8")
    with pytest.raises(RulesError, match="rule 'a'.whole_from_parts.b"):
        load_rules(path)
