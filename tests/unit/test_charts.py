"""Charts: every chart renders with Chinese glyphs (no missing-glyph boxes), its labels are text in the SVG and
PDF, exports are byte-identical across folders and processes, and the charts survive budgets with figures missing."""

from __future__ import annotations

import io
import logging
import re
import subprocess
import sys
import warnings
from decimal import Decimal
from pathlib import Path

import pytest

import budgetkit
from budgetkit import charts
from builders import budget_of, claim

ROOT = Path(__file__).resolve().parents[2]
FORMATS = ("png", "svg", "pdf")
MISSING_GLYPH = re.compile(r"Glyph \d+ .*missing from (current )?font", re.IGNORECASE)


@pytest.fixture(scope="module")
def budget(bundled_budget):
    return bundled_budget


def draw_strictly(fig) -> None:
    """Render ``fig`` to PNG; a missing glyph or any other matplotlib warning (warnings or logging) fails."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("matplotlib")
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig.savefig(io.BytesIO(), format="png", dpi=50)
    finally:
        logger.removeHandler(handler)
    # any warning from matplotlib fails: missing glyphs, and fonts or weights it could not find (stderr in notebooks)
    problems = [r.getMessage() for r in records if r.levelno >= logging.WARNING or MISSING_GLYPH.search(r.getMessage())]
    assert not problems, problems[:3]


def texts_of(fig, ticks: bool = True) -> str:
    """All the text a figure shows, one string per line; without the axes' tick labels if ``ticks`` is false."""
    from matplotlib.text import Text

    skip = set()
    if not ticks:
        for ax in fig.axes:
            skip.update(map(id, [*ax.get_xticklabels(), *ax.get_yticklabels()]))
    return "\n".join(t.get_text() for t in fig.findobj(Text)
                     if t.get_visible() and t.get_text() and id(t) not in skip)


def svg_text(path: Path) -> str:
    # with svg.fonttype 'path', matplotlib writes each text as a comment before its glyph outlines
    return "\n".join(re.findall(r"<!-- (.*?) -->", path.read_text(encoding="utf-8"), flags=re.S))


def pdf_text(path: Path) -> str:
    import pypdf

    return "".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


#: Words each chart must show on the bundled budget, as the document states them.
EXPECTED = {
    "income-by-source": ["收入预算", "一般公共预算拨款收入", "上年结转", "833.05", "840.99", "7.95"],
    "expenditure-structure": ["支出结构", "基本支出", "项目支出", "人员经费", "公用经费", "828.05", "706.23"],
    "classification-tree": ["支出功能分类", "一般公共服务支出", "群众团体事务", "行政运行", "259.92", "由项合计"],
    "totals-by-year": ["收支总预算", "机关运行经费", "814.78", "840.99", "+26.21", "+18.27"],
    "three-public-and-meetings-by-year": ["三公", "公务接待费", "会议费", "培训费", "差旅费", "推算", "1.20"],
}


# -- the font -----------------------------------------------------------------------------------------------------

def test_use_cjk_font_registers_the_simplified_chinese_face_once():
    import matplotlib
    from matplotlib import font_manager

    assert charts.use_cjk_font() == "Noto Sans CJK SC"
    count = len(font_manager.fontManager.ttflist)
    assert charts.use_cjk_font() == "Noto Sans CJK SC"
    assert len(font_manager.fontManager.ttflist) == count  # the file is not registered again
    assert matplotlib.rcParams["font.sans-serif"][0] == "Noto Sans CJK SC"
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    found = font_manager.findfont(font_manager.FontProperties(family="Noto Sans CJK SC"), fallback_to_default=False)
    assert Path(found) == charts.style.font_path()
    assert Path(found).suffix == ".ttc" and "noto" in str(found).lower()


def test_a_missing_font_package_names_the_package(monkeypatch):
    from importlib import metadata

    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(charts.style.metadata, "distribution", not_installed)
    charts.style.font_path.cache_clear()
    try:
        with pytest.raises(charts.FontNotFoundError, match="noto-cjk-sans-otc"):
            charts.style.font_path()
    finally:
        monkeypatch.undo()
        charts.style.font_path.cache_clear()
    assert charts.style.font_path().is_file()


def test_the_glyph_check_fails_without_the_cjk_font(budget, monkeypatch):
    """The guard below is real: the same chart drawn with matplotlib's default font is caught."""
    monkeypatch.setattr(charts.style, "use_cjk_font", lambda: "DejaVu Sans")
    fig = charts.income_by_source(budget)
    with pytest.raises(UserWarning, match="missing from font"):
        draw_strictly(fig)


# -- every chart on the bundled budget ----------------------------------------------------------------------------

def test_charts_are_listed_in_display_order():
    assert list(charts.CHARTS) == [
        "income-by-source", "expenditure-structure", "classification-tree", "totals-by-year", "three-public-and-meetings-by-year"]


@pytest.mark.parametrize("name", list(charts.CHARTS))
def test_chart_draws_every_glyph_and_shows_the_documents_figures(budget, name):
    from matplotlib.text import Text

    fig = charts.CHARTS[name](budget)
    assert isinstance(fig, charts.style.Figure)
    draw_strictly(fig)
    shown = texts_of(fig)
    for word in EXPECTED[name]:
        assert word in shown, (name, word)
    for amount in re.findall(r"\d+\.\d+", texts_of(fig, ticks=False)):  # every amount has two decimals
        assert len(amount.split(".")[1]) == 2, (name, amount)
    assert min(t.get_fontsize() for t in fig.findobj(Text) if t.get_text()) >= 9


def test_charts_leave_no_pyplot_figures_open(budget):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    for make in charts.CHARTS.values():
        make(budget)
    assert plt.get_fignums() == before


def test_a_chart_displays_as_one_png_in_a_notebook(budget):
    fig = charts.totals_by_year(budget)
    png = fig._repr_png_()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert repr(fig) == f"<ChartFigure '{fig.get_suptitle()}', 8 × 4.5 in>"  # stable text/plain
    assert "0x" not in repr(fig) and "总额" in repr(fig)


def test_a_chart_is_laid_out_once_and_drawn_once_per_display_and_per_file(budget, tmp_path, monkeypatch):
    """savefig on a figure with a layout engine lays it out and draws it twice, for every file: the charts lay
    out once and draw each image once, and keep their layout engine for the caller."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    fig = charts.three_public_and_meetings_by_year(budget)
    draws, layouts = [], []
    real_draw, real_execute = type(fig).draw, ConstrainedLayoutEngine.execute
    monkeypatch.setattr(type(fig), "draw", lambda self, renderer: draws.append(1) or real_draw(self, renderer))
    monkeypatch.setattr(ConstrainedLayoutEngine, "execute",
                        lambda self, figure: layouts.append(1) or real_execute(self, figure))
    fig._repr_png_()
    assert (len(layouts), len(draws)) == (1, 1)
    charts.save(fig, tmp_path / "chart")
    assert (len(layouts), len(draws)) == (2, 1 + len(FORMATS))
    assert isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)


def test_the_bundled_budgets_quirks_are_shown_not_hidden(budget):
    income = texts_of(charts.income_by_source(budget))
    assert "各来源之和 841.00万元" in income and "840.99万元" in income  # the parts do not add up to the total
    structure = texts_of(charts.expenditure_structure(budget))
    assert "各项之和 841.00万元" in structure and "840.05万元" in structure
    yoy = texts_of(charts.three_public_and_meetings_by_year(budget))
    assert "与两年数不符" in yoy  # 会议费: 2023 stated 0, 2024 0, yet "减少0.30"
    assert "未列" in yoy  # 因公出国（境）费 is compared with "2024年预算": no prior-year figure
    assert "0.64\n推算" in yoy  # 公务接待费 2023 implied by 持平
    tree = texts_of(charts.classification_tree(budget))
    assert "802.64（由项合计）" in tree  # 款 20129 is not stated: the sum of its 项
    # the 类 add up to 841.00, the document states 833.05 (the audit's appropriation-by-class finding)
    assert "所列合计 833.05万元，各类之和 841.00万元" in tree
    assert "注：各类之和 841.00万元，与所列一般公共预算当年拨款合计 833.05万元 相差 +7.95万元。" in tree


# -- exports ------------------------------------------------------------------------------------------------------

SAVE_ALL = """
import sys
import budgetkit
from budgetkit import charts
budget = budgetkit.load()
for name, make in charts.CHARTS.items():
    charts.save(make(budget), sys.argv[1] + "/" + name)
"""


@pytest.fixture(scope="module")
def exports(budget, tmp_path_factory):
    """Every chart saved in this process into one folder, and in a fresh process into another."""
    here, there = tmp_path_factory.mktemp("here"), tmp_path_factory.mktemp("there")
    written = {name: charts.save(make(budget), here / name) for name, make in charts.CHARTS.items()}
    subprocess.run([sys.executable, "-c", SAVE_ALL, str(there)], check=True, cwd=ROOT, timeout=600)
    return written, here, there


def test_save_returns_the_paths_in_format_order_and_leaves_no_partial_files(exports):
    written, here, _ = exports
    for name, paths in written.items():
        assert paths == [here / f"{name}.{fmt}" for fmt in FORMATS]
    assert sorted(p.name for p in here.iterdir()) == sorted(f"{n}.{f}" for n in written for f in FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_are_byte_identical_across_folders_and_processes(exports, fmt):
    written, here, there = exports
    for name in written:
        assert (here / f"{name}.{fmt}").read_bytes() == (there / f"{name}.{fmt}").read_bytes(), (name, fmt)


def test_exports_hold_no_timestamp_or_path(exports):
    _, here, _ = exports
    for path in here.iterdir():
        data = path.read_bytes()
        assert str(here).encode() not in data, path.name
        assert b"CreationDate" not in data and b"<dc:date>" not in data, path.name


def test_png_is_at_least_200_dpi(exports):
    from PIL import Image

    written, here, _ = exports
    for name in written:
        with Image.open(here / f"{name}.png") as image:
            width, height = image.size
            assert round(image.info["dpi"][0]) >= 200, name
            assert width >= 8 * 200 and height >= 4.5 * 200, (name, image.size)
            assert "Software" not in image.info, name


@pytest.mark.parametrize("name", list(charts.CHARTS))
def test_chinese_labels_are_text_in_the_svg_and_the_pdf(exports, name):
    _, here, _ = exports
    svg, pdf = svg_text(here / f"{name}.svg"), pdf_text(here / f"{name}.pdf")
    assert "<text" not in (here / f"{name}.svg").read_text(encoding="utf-8")  # outlines: no font needed to view
    for word in EXPECTED[name]:
        assert word in svg, (name, "svg", word)
        assert word in pdf.replace("\n", ""), (name, "pdf", word)


def test_save_overwrites_atomically_and_rejects_unknown_formats(budget, tmp_path):
    fig = charts.expenditure_structure(budget)
    target = tmp_path / "deep" / "chart"
    (tmp_path / "deep").mkdir()
    (tmp_path / "deep" / "chart.svg").write_text("old")
    assert charts.save(fig, target, formats=("svg",)) == [tmp_path / "deep" / "chart.svg"]
    assert (tmp_path / "deep" / "chart.svg").read_text(encoding="utf-8").startswith("<?xml")
    assert [p.name for p in (tmp_path / "deep").iterdir()] == ["chart.svg"]
    with pytest.raises(ValueError, match="jpg"):
        charts.save(fig, target, formats=("png", "jpg"))
    assert not (tmp_path / "deep" / "chart.png").exists()  # nothing written when a format is unknown


# -- other budgets ------------------------------------------------------------------------------------------------

def test_every_chart_renders_on_a_budget_with_almost_nothing():
    sparse = budget_of([
        claim("income_total", "100.00", kind="total"),
        claim("income_general_budget", "100.00"),
        claim("three_public_reception", "0.50", section="七"),
    ])
    for name, make in charts.CHARTS.items():
        fig = make(sparse)
        draw_strictly(fig)
        shown = texts_of(fig)
        assert "未列" in shown or "没有" in shown or name == "income-by-source", name
    assert "文件未列 政府性基金预算收入、国有资本经营预算收入、上年结转" in texts_of(charts.income_by_source(sparse))


def test_stated_changes_that_contradict_the_two_years_are_flagged():
    odd = budget_of([
        claim("budget_total", "100.00", kind="total", claim_id="c001-1"),
        claim("budget_total", "90.00", year=2023, claim_id="c002-1"),
        claim("budget_total", "12.00", kind="change", direction="increase", base_year=2023, ref="c001-1",
              base="c002-1", claim_id="c003-1"),
        claim("travel", "1.00", claim_id="c004-1"),
        claim("travel", "0.40", kind="change", direction="decrease", base_year=2023, ref="c004-1",
              claim_id="c005-1"),
    ])
    totals = texts_of(charts.totals_by_year(odd))
    assert "所列变化 +12.00" in totals and "两年数之差 +10.00" in totals
    yoy = charts.three_public_and_meetings_by_year(odd)
    draw_strictly(yoy)
    assert "1.40\n推算" in texts_of(yoy)  # 2023 implied: 1.00 now after a decrease of 0.40


def test_figures_printed_in_yuan_or_yi_yuan_are_drawn_in_wan_yuan():
    """A document printed in 元 (or 亿元) is charted like one in 万元, never as 文件未列."""
    in_yuan = budget_of([
        claim("income_total", "1000000", kind="total", unit="元"),
        claim("income_general_budget", "900000", unit="元"),
        claim("income_carryover", "0.001", unit="亿元"),
        claim("expenditure_total", "1000000", kind="total", unit="元"),
        claim("expenditure_basic", "800000", unit="元"),
        claim("expenditure_project", "200000", unit="元"),
    ])
    income = texts_of(charts.income_by_source(in_yuan))
    assert "收入合计（所列）：100.00万元" in income and "90.00万元（占合计90.00%）" in income  # of unknown kind
    assert "10.00万元（占合计10.00%）" in income and "相差" not in income  # 0.001亿元 of carryover
    structure = texts_of(charts.expenditure_structure(in_yuan))
    assert "基本支出 80.00" in structure and "支出预算\n所列合计 100.00" in structure


def test_charts_render_on_the_tiny_test_budget():
    tiny = budgetkit.load(ROOT / "tests" / "data" / "tiny-budget")
    for make in charts.CHARTS.values():
        draw_strictly(make(tiny))


def test_money_is_formatted_exactly():
    assert charts.style.money(Decimal("0.3")) == "0.30"
    assert charts.style.money(Decimal("833.05")) == "833.05"
    assert charts.style.signed(Decimal("-0.30")) == "-0.30" and charts.style.signed(Decimal("26.21")) == "+26.21"


# -- charts of a collection ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo():
    from budgetkit.collection import demo_sources, load_many, spending_structure

    collection = load_many(demo_sources())
    return collection.audit(), spending_structure(collection)


def test_findings_by_department_counts_every_finding(demo):
    findings, _ = demo
    fig = charts.findings_by_department(findings)
    draw_strictly(fig)
    shown = texts_of(fig)
    for department, group in findings.groupby("department"):
        failing = int((group["verdict"].astype(str) != "consistent").sum())
        assert department in shown.replace("\n", "")
        assert f"{failing} / {len(group)}" in shown, department


def test_spending_shares_show_each_budget_and_flag_shares_that_do_not_add_up(demo):
    _, structure = demo
    fig = charts.spending_shares(structure)
    draw_strictly(fig)
    shown = texts_of(fig)
    for row in structure.itertuples(index=False):
        assert f"三公 {row.three_public_share_pct}%" in shown
        off = row.basic_share_pct + row.project_share_pct != 100
        assert (f"{row.department} {row.budget_year}年 基本、项目支出占比之和" in shown) == off
    assert sorted(charts.COLLECTION_CHARTS) == ["findings-by-department", "spending-shares"]


# -- the language of the messages -------------------------------------------------------------------------------

def test_chart_texts_are_chinese_by_default_and_english_on_request(budget, monkeypatch):
    from budgetkit.messages import using_language

    monkeypatch.delenv("BUDGETKIT_LANG", raising=False)
    chinese = texts_of(charts.income_by_source(budget))
    assert "收入预算合计（所列）：840.99万元" in chinese and "833.05万元（占合计99.06%）" in chinese
    assert "注：各来源之和 841.00万元，与所列合计 840.99万元 相差 +0.01万元。" in chinese
    with using_language("en"):
        fig = charts.income_by_source(budget)
        tree = charts.classification_tree(budget)
    draw_strictly(fig)
    english = texts_of(fig)
    assert "Total income budget (stated): 840.99 (10,000 yuan)" in english
    assert "833.05 (99.06% of the total)" in english and "10,000 yuan" in english
    assert "Note: the sources add up to 841.00, the stated total is 840.99: a difference of +0.01 (10,000 yuan)." in english
    assert "收入预算合计" not in english and "万元" not in english
    assert "802.64 (sum of its 项)" in texts_of(tree)
    assert [t.get_text() for t in tree.axes[1].get_legend().get_texts()] == [
        "类 class (stated)", "款 subclass (stated)", "项 item (stated)", "not stated: the sum of its 项"]


def test_the_findings_legend_names_the_verdicts(demo):
    from budgetkit.findings import VERDICT_INKS
    from budgetkit.messages import using_language, verdict_name

    findings, _ = demo
    legend = charts.findings_by_department(findings).axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [verdict_name(v, "zh") for v in VERDICT_INKS]
    assert [t.get_text() for t in legend.get_texts()] == ["不符", "口径", "文字", "舍入"]
    with using_language("en"):
        fig = charts.findings_by_department(findings)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["drift", "semantic", "text", "rounding"]
    assert fig.get_suptitle().startswith("Findings by department")
