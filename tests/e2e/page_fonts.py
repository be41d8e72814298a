"""Which fonts Chromium really drew a page's Chinese text with, asked through the DevTools protocol
(shared by the e2e tests of the notebooks and of audit.html)."""

from __future__ import annotations

import re

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CJK_FONT = "Noto Sans CJK SC"
MAX_FONT_PROBES = 300

# A page function (root element, most elements to mark) that marks the elements under root whose
# own text holds Han characters, for the probe, and returns how many it marked.
MARK_HAN = """
(root, max) => {
  const han = /[\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff]/;
  let n = 0;
  for (const el of root.querySelectorAll('*')) {
    if (n >= max) break;
    const own = [...el.childNodes].filter(t => t.nodeType === Node.TEXT_NODE).map(t => t.textContent).join('');
    if (han.test(own)) { el.setAttribute('data-e2e-han', own); n++; }
  }
  return n;
}
"""


def fonts_of_marked_text(page) -> list[tuple[str, int, dict[str, int]]]:
    """(text, Han characters, {font family: glyphs}) for each element MARK_HAN marked.

    CSS.getPlatformFontsForNode reports the fonts Chromium really used for an
    element's own text nodes; a missing glyph is counted against the font that
    drew the box instead.
    """
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node_ids = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-e2e-han]"})["nodeIds"]
        probes = []
        for node_id in node_ids:
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node_id})["fonts"]
            if not fonts:  # no laid-out text of its own (e.g. hidden)
                continue
            text = cdp.send("DOM.getAttributes", {"nodeId": node_id})["attributes"]
            text = dict(zip(text[::2], text[1::2]))["data-e2e-han"]
            glyphs: dict[str, int] = {}
            for font in fonts:
                glyphs[font["familyName"]] = glyphs.get(font["familyName"], 0) + font["glyphCount"]
            probes.append((text, len(HAN.findall(text)), glyphs))
        return probes
    finally:
        cdp.detach()


def not_drawn_with_cjk_font(probes: list[tuple[str, int, dict[str, int]]]) -> list[str]:
    """A problem line when Chinese text is missing or drawn with another font (boxes, Japanese shapes)."""
    if not probes:
        return ["no Chinese text found in the page"]
    not_cjk = []
    for text, han, glyphs in probes:
        cjk = sum(n for family, n in glyphs.items() if CJK_FONT in family.replace("Mono ", ""))
        if cjk < han:
            not_cjk.append(f"{text.strip()[:40]!r} ({han} Han characters, {cjk} drawn with it; fonts used {glyphs})")
    if not not_cjk:
        return []
    return [f"{len(not_cjk)} of {len(probes)} Chinese text elements not drawn with {CJK_FONT}, e.g. "
            + "; ".join(not_cjk[:3])]
