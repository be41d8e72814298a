"""A percentage change is quoted as the document words it: 增长 X% (the template's 增加（减少）XXX万元，增长（下降）XX%),
with its %, not as the money's 增加 X."""

from __future__ import annotations

from budgetkit.extract import extract
from budgetkit.messages import using_language

DOCUMENT = ("某单位2017年部门预算编制说明\n"
            "十、机关运行经费\n"
            "本部门一般公共预算机关运行经费预算支出6032.55万元，比2016年增加3401.59万元，增长129.97%。\n")


def test_a_percentage_change_is_quoted_with_its_word_and_unit(tmp_path):
    path = tmp_path / "说明.txt"
    path.write_text(DOCUMENT, encoding="utf-8")
    with using_language("zh"):
        findings = extract(path).audit()
    percentage = findings[(findings["rule"] == "change-from-stated-prior") & (findings["unit"] == "%")]
    assert len(percentage) == 1
    explanation = percentage["explanation"].iloc[0]
    assert explanation.endswith("文中为增长 129.97%。"), explanation
    assert percentage["verdict"].iloc[0] == "drift"  # 3401.59 ÷ 2630.96 = 129.29%
