"""audit.html as an analyst opens it: in Debian's Chromium at 1280 px, with the system's Chinese
font in a zh_CN locale (see conftest.py). The page fits the window without scrolling sideways, its
key to the verdicts is on the first screen with every verdict in it (by its Chinese name, the
page's language by default), and all its Chinese text is drawn with Noto Sans CJK SC. A screenshot goes to out/e2e/audit.png, also when a check fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from budgetkit.findings import VERDICTS
from budgetkit.messages import verdict_name
from budgetkit.report import audit_html
from page_fonts import MARK_HAN, MAX_FONT_PROBES, fonts_of_marked_text, not_drawn_with_cjk_font

OUT_DIR = Path(__file__).resolve().parents[2] / "out" / "e2e"

# Where the key and its rows are, and how wide the page is against the window.
KEY_LAYOUT = """
() => {
  const key = document.querySelector('table.key');
  const box = key && key.getBoundingClientRect();
  return {
    window: {width: window.innerWidth, height: window.innerHeight},
    pageWidth: document.documentElement.scrollWidth,
    key: box && {left: box.left, right: box.right, top: box.top, bottom: box.bottom},
    verdicts: key ? [...key.querySelectorAll('tbody th')].map(th => th.textContent.trim()) : [],
  };
}
"""


@pytest.mark.e2e
def test_audit_page_reads_at_1280_px_with_its_key_and_chinese_font(browser, bundled_budget, bundled_findings,
                                                                    tmp_path):
    page_file = tmp_path / "audit.html"
    page_file.write_text(audit_html(bundled_budget, bundled_findings), encoding="utf-8")
    page = browser.new_page()
    try:
        page.goto(page_file.as_uri())
        layout = page.evaluate(KEY_LAYOUT)
        page.evaluate(f"(max) => ({MARK_HAN})(document.body, max)", MAX_FONT_PROBES)
        fonts = fonts_of_marked_text(page)
    finally:
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUT_DIR / "audit.png"))
        page.close()

    window = layout["window"]
    problems = []
    if layout["pageWidth"] > window["width"]:
        problems.append(f"the page is {layout['pageWidth']} px wide in a {window['width']} px window")
    key = layout["key"]
    if key is None:
        problems.append("no key to the verdicts (table.key)")
    elif not (key["left"] >= 0 and key["right"] <= window["width"] and key["bottom"] <= window["height"]):
        problems.append(f"the key to the verdicts is not on the first screen: {key} in {window}")
    names = [verdict_name(v) for v in VERDICTS]
    if layout["verdicts"] != names:
        problems.append(f"the key names {layout['verdicts']}, the verdicts are {names}")
    problems += not_drawn_with_cjk_font(fonts)
    if problems:
        pytest.fail("audit.html in Chromium:\n" + "\n".join(f"- {p}" for p in problems), pytrace=False)
