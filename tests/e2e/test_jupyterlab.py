"""Every notebook, run the way an analyst runs it: JupyterLab in a real browser.

For each notebooks/*.ipynb (a served temporary copy) the test opens the
notebook in JupyterLab in Chromium, waits for the kernel, clears all outputs
and clicks Run > Run All Cells, waits until every cell has run, then checks
what is on the page:

* every code cell ran (an execution count each, in order) and no cell raised;
* no output shows stderr (tracebacks, warnings, missing-glyph messages);
* every cell is in the DOM (notebook windowing off), and every chart output is
  an <img> that decoded to a non-empty picture; the number of charts equals
  the number of image outputs stored in the committed notebook;
* Chinese text on the page is drawn with Noto Sans CJK SC (asked of Chromium
  through the DevTools protocol), not with a fallback that shows boxes;
* every styled table is readable at 1280 px with JupyterLab's file browser open,
  as it opens: the columns that say why a row is shaded lie inside the part of
  the output on screen, and no shaded row is made tall by a cell off screen;
* no uncaught JavaScript error.

A full-page screenshot of each notebook goes to out/e2e/<notebook>.png, also
when a check fails.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from budgetkit.tables.views import REASON_COLUMNS, heading
from page_fonts import MARK_HAN, MAX_FONT_PROBES, fonts_of_marked_text, not_drawn_with_cjk_font

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
OUT_DIR = ROOT / "out" / "e2e"  # the screenshots CI keeps
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))

KERNEL_READY_TIMEOUT_MS = 90_000
RUN_ALL_TIMEOUT_MS = 300_000
SCREENSHOT_MAX_HEIGHT_PX = 16_000

# The notebook panel whose document is `path`, from the app that
# LabApp.expose_app_in_browser puts on window.
_FIND_PANEL = """
const findPanel = (path) => {
  const app = window.jupyterapp;
  if (!app) return null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.content.model) return w;
  }
  return null;
};
"""

KERNEL_READY = _FIND_PANEL + """
return (path) => {
  const panel = findPanel(path);
  const session = panel && panel.sessionContext;
  return !!(session && session.isReady && session.session && session.session.kernel
            && session.session.kernel.status === 'idle');
};
"""

# Each cell as nbformat JSON, with output data reduced to mime types (no
# base64 pictures through the wire) except text.
CELLS = _FIND_PANEL + """
return (path) => {
  const cells = findPanel(path).content.model.cells;
  const out = [];
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i).toJSON();
    const source = Array.isArray(c.source) ? c.source.join('') : c.source;
    const outputs = (c.outputs || []).map(o => ({
      output_type: o.output_type, name: o.name || null,
      text: Array.isArray(o.text) ? o.text.join('') : (o.text || null),
      ename: o.ename || null, evalue: o.evalue || null,
      mimes: Object.keys(o.data || {}),
    }));
    out.push({cell_type: c.cell_type, source, execution_count: c.execution_count ?? null, outputs});
  }
  return out;
};
"""

# Run All's own promise settles only when every cell's execution is done
# (shell reply and iopub idle both received), i.e. after its last output. The
# page state alone is not enough: a reply can overtake the last cell's outputs.
ARM_RUN_ALL = """
return () => {
  const commands = window.jupyterapp.commands;
  window.__e2eRunAll = 'armed';
  const onExecuted = (sender, args) => {
    if (args.id !== 'notebook:run-all-cells') return;
    commands.commandExecuted.disconnect(onExecuted);
    window.__e2eRunAll = 'running';
    Promise.resolve(args.result).then(
      ok => { window.__e2eRunAll = ok === false ? 'done with errors' : 'done'; },
      err => { window.__e2eRunAll = 'failed: ' + err; });
  };
  commands.commandExecuted.connect(onExecuted);
};
"""

RUN_ALL_SETTLED = """
return () => typeof window.__e2eRunAll === 'string' && !['armed', 'running'].includes(window.__e2eRunAll);
"""

RUN_FINISHED = _FIND_PANEL + """
return (path) => {
  const panel = findPanel(path);
  const prompts = [...panel.node.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
  if (prompts.some(p => p.textContent.includes('*'))) return false;
  if (panel.sessionContext.session.kernel.status !== 'idle') return false;
  const cells = panel.content.model.cells;
  let pending = false;
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i).toJSON();
    if (c.cell_type !== 'code') continue;
    // Run All stops at the first error: then the run is over too.
    if ((c.outputs || []).some(o => o.output_type === 'error')) return true;
    const source = Array.isArray(c.source) ? c.source.join('') : c.source;
    if (source.trim() && c.execution_count == null) pending = true;
  }
  return !pending;
};
"""

OUTPUTS_CLEARED = _FIND_PANEL + """
return (path) => {
  const cells = findPanel(path).content.model.cells;
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i).toJSON();
    if (c.cell_type === 'code' && ((c.outputs || []).length || c.execution_count != null)) return false;
  }
  return true;
};
"""

IMAGES_DECODED = _FIND_PANEL + """
return (path) => [...findPanel(path).node.querySelectorAll('.jp-OutputArea-output img')]
  .every(img => img.complete);
"""

RENDERED = _FIND_PANEL + """
return (path) => {
  const panel = findPanel(path);
  const node = panel.node;
  return {
    cells: node.querySelectorAll('.jp-Notebook .jp-Cell').length,
    images: [...node.querySelectorAll('.jp-OutputArea-output img')].map(img => ({
      width: img.naturalWidth, height: img.naturalHeight,
      cell: [...node.querySelectorAll('.jp-Notebook .jp-Cell')].findIndex(c => c.contains(img)),
    })),
    stderr: [...node.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
      .map(e => e.textContent),
  };
};
"""

# Where each budgetkit table's reason columns and its shaded rows' tallest cells are, against
# the part of its output area on screen (scrolled to the left, as a table opens).
TABLE_LAYOUT = _FIND_PANEL + """
return ([path, reasons]) => {
  const node = findPanel(path).node;
  const cellsOfPage = [...node.querySelectorAll('.jp-Notebook .jp-Cell')];
  const contentHeight = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return range.getBoundingClientRect().height;
  };
  return [...node.querySelectorAll('table.budgetkit-table')].map(table => {
    const area = table.closest('.jp-OutputArea-output');
    const box = area.getBoundingClientRect();
    const visible = {left: Math.max(box.left, 0), right: Math.min(box.left + area.clientWidth, window.innerWidth)};
    const columns = [...table.querySelectorAll('thead th')]
      .filter(th => reasons.includes(th.textContent.trim()))
      .map(th => ({name: th.textContent.trim(), left: th.getBoundingClientRect().left,
                   right: th.getBoundingClientRect().right}));
    const shaded = [...table.querySelectorAll('tbody tr')]
      .filter(tr => tr.querySelector('td[class*="verdict-"]'))
      .map(tr => {
        const cells = [...tr.children];
        const heights = cells.map(contentHeight);
        const tallest = cells[heights.indexOf(Math.max(...heights))];
        const r = tallest.getBoundingClientRect();
        return {row: tr.sectionRowIndex, height: Math.round(heights[cells.indexOf(tallest)]),
                left: r.left, right: r.right, text: tallest.textContent.trim().slice(0, 40)};
      });
    return {cell: cellsOfPage.findIndex(c => c.contains(table)), scrollLeft: area.scrollLeft,
            areaWidth: area.clientWidth, visible, columns, shaded};
  });
};
"""

# Mark the notebook's elements whose own text holds Han characters, for the CDP probe.
MARK_NOTEBOOK_HAN = _FIND_PANEL + f"""
return ([path, max]) => ({MARK_HAN})(findPanel(path).node.querySelector('.jp-Notebook'), max);
"""

# How far the last cell reaches below the visible part of the notebook.
FULL_HEIGHT = _FIND_PANEL + """
return (path) => {
  const node = findPanel(path).node;
  const scroller = node.querySelector('.jp-WindowedPanel-outer');
  const cells = node.querySelectorAll('.jp-Notebook .jp-Cell');
  if (!scroller || !cells.length) return 0;
  scroller.scrollTop = 0;
  const below = cells[cells.length - 1].getBoundingClientRect().bottom - scroller.getBoundingClientRect().bottom;
  return Math.max(0, Math.ceil(below));
};
"""


def _page_function(body: str) -> str:
    """One page function from a snippet above: its helpers, then the function it returns."""
    return f"(arg) => {{ const f = (() => {{ {body} }})(); return f(arg); }}"


def _call(page, body: str, arg):
    return page.evaluate(_page_function(body), arg)


def _wait(page, body: str, arg, timeout_ms: int, what: str) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(_page_function(body), arg=arg, timeout=timeout_ms)
    except PlaywrightTimeout:
        dialogs = page.locator(".jp-Dialog").all_inner_texts()
        status = page.locator(".jp-StatusBar-Widget").all_inner_texts()
        pytest.fail(
            f"timed out after {timeout_ms / 1000:.0f} s waiting for {what}; "
            f"dialogs: {dialogs or 'none'}; status bar: {status}",
            pytrace=False,
        )


def _stored_image_outputs(path: Path) -> int:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return sum(
        1
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
        for output in cell.get("outputs", [])
        if any(mime.startswith("image/") for mime in output.get("data", {}))
    )


def _has_stored_outputs(path: Path) -> bool:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return any(cell.get("outputs") for cell in nb["cells"] if cell["cell_type"] == "code")


def _click_menu(page, menu: str, item: str) -> None:
    page.get_by_role("menuitem", name=menu, exact=True).click()
    page.get_by_role("menuitem", name=item, exact=True).click()


def _fonts_of_han_text(page, path: str) -> list[tuple[str, int, dict[str, int]]]:
    """(text, Han characters, {font family: glyphs}) for each element of the notebook with Chinese text."""
    if not _call(page, MARK_NOTEBOOK_HAN, [path, MAX_FONT_PROBES]):
        return []
    return fonts_of_marked_text(page)


def _screenshot(page, path: str, target: Path) -> None:
    """The whole notebook in one picture: grow the viewport to its height."""
    try:
        page.evaluate("() => window.jupyterapp && window.jupyterapp.shell.collapseLeft()")
        extra = _call(page, FULL_HEIGHT, path)
        viewport = page.viewport_size or {"width": 1280, "height": 900}
        height = min(viewport["height"] + int(extra) + 40, SCREENSHOT_MAX_HEIGHT_PX)
        page.set_viewport_size({"width": viewport["width"], "height": height})
        page.wait_for_timeout(500)  # let Lumino lay the panels out again
        page.screenshot(path=str(target), full_page=True)
    except Exception as exc:  # a screenshot must not hide the real failure
        print(f"screenshot {target} failed: {exc}")


@pytest.mark.e2e
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_in_jupyterlab(notebook: Path, lab, browser) -> None:
    name = notebook.name
    page = browser.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    timings: dict[str, float] = {}
    started = time.monotonic()
    try:
        workspace = "e2e-" + re.sub(r"[^A-Za-z0-9_-]+", "-", notebook.stem)
        page.goto(f"{lab.url}/lab/workspaces/{workspace}/tree/{quote(name)}?reset")
        _wait(page, KERNEL_READY, name, KERNEL_READY_TIMEOUT_MS, f"the kernel of {name} to be idle")
        timings["open"] = time.monotonic() - started

        # Fresh outputs only: what is checked below was made by this run.
        _click_menu(page, "Edit", "Clear Outputs of All Cells")
        _wait(page, OUTPUTS_CLEARED, name, 10_000, "cleared outputs")
        run_started = time.monotonic()
        _call(page, ARM_RUN_ALL, None)
        _click_menu(page, "Run", "Run All Cells")
        _wait(page, RUN_ALL_SETTLED, None, RUN_ALL_TIMEOUT_MS, f"Run All Cells of {name} to finish")
        _wait(page, RUN_FINISHED, name, 30_000, f"the kernel of {name} to be idle after Run All")
        _wait(page, IMAGES_DECODED, name, 30_000, "the chart images to decode")
        timings["run_all"] = time.monotonic() - run_started

        run_all = page.evaluate("() => window.__e2eRunAll")
        cells = _call(page, CELLS, name)
        rendered = _call(page, RENDERED, name)
        fonts = _fonts_of_han_text(page, name)
        # the reason columns under their headings, as the notebook (Chinese by default) shows them
        layout = _call(page, TABLE_LAYOUT, [name, [heading(column) for column in REASON_COLUMNS]])
        print(
            f"{name}: Run All {run_all}; {len(cells)} cells, {len(rendered['images'])} charts, "
            f"{len(layout)} tables, {len(fonts)} Chinese text elements probed",
            flush=True,
        )
    finally:
        _screenshot(page, name, OUT_DIR / f"{notebook.stem}.png")
        timings["total"] = time.monotonic() - started
        page.close()
        print(f"{name}: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()), flush=True)

    problems = [] if run_all == "done" else [f"Run All Cells ended {run_all!r}"]
    problems += _check(notebook, cells, rendered, fonts)
    problems += _check_tables(cells, layout)
    problems += [f"JavaScript error in the page: {error}" for error in page_errors]
    if problems:
        pytest.fail(f"{name} in JupyterLab:\n" + "\n".join(f"- {p}" for p in problems), pytrace=False)


def _check(notebook: Path, cells: list[dict], rendered: dict, fonts: list) -> list[str]:
    """Everything wrong with one executed notebook, as readable lines."""
    problems: list[str] = []

    def where(index: int) -> str:
        first_line = cells[index]["source"].strip().splitlines()[:1]
        return f"cell {index + 1} ({first_line[0] if first_line else 'empty'!r})"

    # Every code cell ran, in order, and none raised.
    for i, cell in enumerate(cells):
        for out in cell["outputs"]:
            if out["output_type"] == "error":
                problems.append(f"{where(i)} raised {out['ename']}: {out['evalue']}")
    code = [(i, c) for i, c in enumerate(cells) if c["cell_type"] == "code" and c["source"].strip()]
    problems += [f"{where(i)} was not executed by Run All" for i, c in code if c["execution_count"] is None]
    counts = [c["execution_count"] for _, c in code if c["execution_count"] is not None]
    if counts != sorted(set(counts)):
        problems.append(f"execution counts out of order: {counts}")

    # Nothing on stderr: a warning box is a defect the analyst sees.
    for i, cell in enumerate(cells):
        for out in cell["outputs"]:
            if out["output_type"] == "stream" and out["name"] == "stderr":
                problems.append(f"{where(i)} wrote to stderr: {out['text'].strip()[:500]}")
    if rendered["stderr"] and not any("stderr" in p or "raised" in p for p in problems):
        problems.append(f"stderr shown on the page: {[t[:200] for t in rendered['stderr']]}")

    # The whole notebook is rendered, and every chart is a real picture.
    if rendered["cells"] != len(cells):
        problems.append(
            f"{rendered['cells']} of {len(cells)} cells in the page (is windowingMode 'none' applied?)"
        )
    image_outputs = sum(
        1 for c in cells for out in c["outputs"] if any(m.startswith("image/") for m in out["mimes"])
    )
    if len(rendered["images"]) != image_outputs:
        problems.append(f"{image_outputs} image outputs but {len(rendered['images'])} <img> in the page")
    for img in rendered["images"]:
        if not (img["width"] > 0 and img["height"] > 0):
            problems.append(f"{where(img['cell'])}: chart image did not decode ({img['width']}x{img['height']})")
    if _has_stored_outputs(notebook):
        stored = _stored_image_outputs(notebook)
        if image_outputs != stored:
            problems.append(f"Run All made {image_outputs} charts, the committed notebook holds {stored}")

    # Chinese is drawn with the CJK font, not boxes.
    problems += not_drawn_with_cjk_font(fonts)
    return problems


def _check_tables(cells: list[dict], layout: list[dict]) -> list[str]:
    """Why a row is shaded can be read without scrolling sideways, and a shaded row is no taller
    than what is on screen of it."""
    problems: list[str] = []
    styled = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and "tables.styled(" in c["source"]]
    if sorted({table["cell"] for table in layout}) != styled:
        problems.append(f"styled tables in cells {[t['cell'] + 1 for t in layout]}, "
                        f"tables.styled( called in cells {[i + 1 for i in styled]}")
    for table in layout:
        where = f"table of cell {table['cell'] + 1}"
        left, right = table["visible"]["left"], table["visible"]["right"]
        screen = f"the {right - left:.0f} px of its {table['areaWidth']} px output on screen (x {left:.0f}–{right:.0f})"

        def on_screen(box: dict) -> bool:
            return box["left"] >= left - 1 and box["right"] <= right + 1  # a pixel of subpixel rounding

        if table["shaded"] and not table["columns"]:
            problems.append(f"{where} shades rows but has none of the columns {REASON_COLUMNS} that say why")
        for column in table["columns"]:
            if not on_screen(column):
                problems.append(f"{where}: column {column['name']!r} at x {column['left']:.0f}–{column['right']:.0f} "
                                f"is not inside {screen}")
        for row in table["shaded"]:
            if not on_screen(row):
                problems.append(f"{where}: shaded row {row['row'] + 1} is {row['height']} px tall for a cell off "
                                f"screen ({row['text']!r} at x {row['left']:.0f}–{row['right']:.0f}, {screen})")
    return problems
