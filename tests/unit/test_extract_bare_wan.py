"""A bare 万 after an amount ("决算数合计为1000.86万，其中…") is 万元; 万 before another word is not money."""

import pytest

from budgetkit.extract.figures import tokenize


@pytest.mark.parametrize(("text", "unit"), [
    ("决算数合计为1000.86万，其中：", "万元"),
    ("培训费增加4.66万，增加的原因", "万元"),
    ("决算数合计为807.95万。", "万元"),
    ("服务群众1.2万人次", None),
    ("共计3万元", "万元"),
])
def test_a_bare_wan_is_wan_yuan_only_where_no_word_follows(text, unit):
    numbers = [token for token in tokenize(text) if token.kind == "number"]
    assert numbers[0].unit == unit
