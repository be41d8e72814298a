"""The house style of every chart: the CJK font (installed with the package, refused when missing),
sizes, colours, figures that show themselves in Jupyter, and byte-identical PNG, SVG and PDF files."""

from __future__ import annotations

import io
import os
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from functools import cache, wraps
from importlib import metadata
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..files import atomic_stream
from ..messages import text

__all__ = [
    "CURRENT", "ChartFigure", "EXTRA_SEGMENT_COLOURS", "FONT_FAMILY", "FontNotFoundError", "HEIGHT_IN",
    "LEVEL_COLOURS", "PRIOR", "SEGMENT_COLOURS", "ZERO", "add_note", "is_value", "label_values_right", "money",
    "new_figure", "save", "show_no_data", "signed", "styled_chart", "use_cjk_font", "wrap_text",
]


#: The Simplified Chinese face of the Noto Sans CJK collection (the collection's first face is Japanese).
FONT_FAMILY = "Noto Sans CJK SC"


FONT_PACKAGE = "noto-cjk-sans-otc"


#: Report size: 8 × 4.5 in at 200 dpi is 1600 × 900 px; no text below 9 pt.
WIDTH_IN = 8.0


HEIGHT_IN = 4.5


STYLE = {
    "font.size": 10,
    "axes.titlesize": 11,
    "figure.titlesize": 13,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 10,
    "legend.fontsize": 9,
    "axes.unicode_minus": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.8,
    # a title just above its axes, where matplotlib puts it anyway when the tick labels are at the bottom; placed
    # automatically, it has the tick labels measured again at every layout pass and every draw
    "axes.titley": 1.0,
}


NOTE_SIZE = 9


#: Colours: the current year strong, the prior year grey; the three classification levels dark to light.
CURRENT = "#2f6690"


PRIOR = "#9aa5b1"


LEVEL_COLOURS = {"类": "#1b3a57", "款": "#3a7ca5", "项": "#9cc5e0"}


SEGMENT_COLOURS = ("#2f6690", "#d9822b", "#5b8e3e", "#8e5b9e", "#b23a48")


#: For parts beyond the two a group always draws (单位预留机动经费, 结转下年资金 …).
EXTRA_SEGMENT_COLOURS = ("#b23a48", "#6c757d", "#138d90")


ZERO = Decimal(0)


class FontNotFoundError(RuntimeError):
    """The Noto Sans CJK font is not installed: Chinese labels would be drawn as boxes."""


class ChartFigure(Figure):
    """A figure that shows itself in Jupyter without pyplot.

    A plain ``Figure`` made without pyplot only gets an image in a notebook once the inline backend has registered
    its PNG formatter (which happens when pyplot is imported). ``_repr_png_`` makes the figure display as exactly one
    PNG either way, as the last expression of a cell or through ``display(fig)``; since the figure is never
    registered with pyplot, the inline backend does not show it a second time at the end of the cell.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # an Agg canvas keeps its renderer for a size and dpi: the layout and the drawing measure each text once
        FigureCanvasAgg(self)

    def __repr__(self) -> str:
        # text/plain in a notebook: the title and size, stable across runs (no address; no "800x450"
        # that a check for memory addresses would mistake for one)
        title = self.get_suptitle() or text("charts.untitled")
        width, height = self.get_size_inches()
        return f"<ChartFigure {title!r}, {width:g} × {height:g} in>"

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        with laid_out(self):
            self.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue()


#: A figure without a layout engine, whatever the caller's rcParams say.
NO_AUTO_LAYOUT = {"figure.autolayout": False, "figure.constrained_layout.use": False}


@contextmanager
def laid_out(fig: Figure, dpi: float | None = None) -> Iterator[Figure]:
    """Lay ``fig`` out once, with text measured at ``dpi`` (the figure's by default), and keep that layout
    while it is saved.

    ``savefig`` on a figure with a layout engine lays it out and draws it without rendering before it draws it
    for real, for every file; with the engine set aside, each file is drawn once, on the layout made here.
    """
    engine = fig.get_layout_engine()
    if engine is None:
        yield fig
        return
    figure_dpi = fig.dpi
    fig.set_dpi(dpi or figure_dpi)
    try:
        engine.execute(fig)
    finally:
        fig.set_dpi(figure_dpi)
    with matplotlib.rc_context(NO_AUTO_LAYOUT):
        fig.set_layout_engine(None)
    try:
        yield fig
    finally:
        fig.set_layout_engine(engine)


@cache
def font_path() -> Path:
    """The .ttc file shipped by the ``noto-cjk-sans-otc`` distribution, located through its installed metadata."""
    try:
        distribution = metadata.distribution(FONT_PACKAGE)
    except metadata.PackageNotFoundError:
        raise FontNotFoundError(text("charts.font-package-missing", package=FONT_PACKAGE)) from None
    candidates = sorted(
        Path(distribution.locate_file(entry))
        for entry in distribution.files or ()
        if entry.name.lower().endswith((".ttc", ".otc")) and "CJK" in entry.name
    )
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FontNotFoundError(text("charts.font-file-missing", package=FONT_PACKAGE))


@cache
def _register_font() -> str:
    path = font_path()
    font_manager.fontManager.addfont(str(path))
    names = {entry.name for entry in font_manager.fontManager.ttflist if Path(entry.fname) == path}
    if FONT_FAMILY not in names:
        raise FontNotFoundError(text("charts.font-face-missing", path=path, family=FONT_FAMILY,
                                     faces=", ".join(sorted(names))))
    return FONT_FAMILY


def use_cjk_font() -> str:
    """Register Noto Sans CJK SC with matplotlib, make it the default family, and return its name.

    The font file is registered once per process; the rcParams are set on every call (cheap), so a notebook that
    reset its style gets Chinese labels back by calling this again.
    """
    family = _register_font()
    rc = matplotlib.rcParams
    rc["font.family"] = ["sans-serif"]
    rc["font.sans-serif"] = [family, *(name for name in rc["font.sans-serif"] if name != family)]
    rc["axes.unicode_minus"] = False  # the ASCII hyphen is in every font; no reliance on U+2212
    return family


def new_figure(height_in: float = HEIGHT_IN, **kwargs) -> ChartFigure:
    return ChartFigure(figsize=(WIDTH_IN, height_in), layout="constrained", **kwargs)


def styled_chart(build: Callable) -> Callable:
    """Run a chart builder with the CJK font and the house style, whatever the caller's rcParams say.

    Text artists copy the font family when they are created, so the figure keeps the font after the context ends.
    """

    @wraps(build)
    def chart(*args, **kwargs) -> ChartFigure:
        family = use_cjk_font()
        with matplotlib.rc_context({**STYLE, "font.family": [family]}):
            fig = build(*args, **kwargs)
        place_empty_axis_labels(fig)
        return fig

    return chart


#: Where an axis without a label keeps its (empty) label, in axes coordinates: below or left of the axes.
EMPTY_LABEL_PLACES = {"x": (0.5, -0.1), "y": (-0.1, 0.5)}


def place_empty_axis_labels(fig: Figure) -> None:
    """Give every axis without a label a fixed place for it.

    matplotlib moves an axis label clear of the tick labels, measuring them again for it at every layout pass
    and every draw, whether the label has text or not; a label that a caller sets later shows at this place.
    """
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not axis.label.get_text():
                axis.set_label_coords(*EMPTY_LABEL_PLACES[axis.axis_name])


def money(value: Decimal) -> str:
    """An amount in 万元 printed with two decimals, exactly."""
    return f"{value:.2f}"


def signed(value: Decimal) -> str:
    return f"{value:+.2f}"


def is_value(value) -> bool:
    return not pd.isna(value)


def wrap_text(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) if len(text) > width else text


def add_note(fig: Figure, lines: list[str]) -> None:
    if lines:
        fig.supxlabel("\n".join(lines), fontsize=NOTE_SIZE, x=0.01, ha="left", color="#444444")


def label_values_right(ax, ys, values: list[Decimal | None], texts: list[str], pad_pt: float = 3) -> None:
    for y, value, label in zip(ys, values, texts):
        x = float(value) if value is not None else 0.0
        ax.annotate(label, (x, y), xytext=(pad_pt, 0), textcoords="offset points", va="center", ha="left",
                    fontsize=9)


def show_no_data(ax, message: str) -> None:
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", fontsize=11, color="#444444")
    ax.set_axis_off()


#: No timestamps: the same figure gives the same bytes in every run and process.
METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None, "ModDate": None},
}


SAVE_RC = {
    "svg.hashsalt": "budgetkit",  # ids of clip paths and glyphs are hashed with this salt instead of a random one
    "svg.fonttype": "path",  # text as outlines: the SVG looks the same where the font is not installed
    "pdf.fonttype": 3,  # Type 42 of this OpenType collection gives text that some viewers do not show
}


def save(fig: Figure, path_stem: str | os.PathLike, formats: Sequence[str] = ("png", "svg", "pdf"),
         dpi: int = 200) -> list[Path]:
    """Write ``fig`` to ``<path_stem>.<format>`` for each format, atomically; return the paths in ``formats`` order.

    Each file is written to a temporary file in the same folder and moved into place, so a file with the final
    name is always complete. The bytes do not depend on the time, the process or the path.
    """
    stem = Path(path_stem)
    unknown = [f for f in formats if f not in METADATA]
    if unknown:
        raise ValueError(text("charts.save-unknown-format", unknown=", ".join(unknown), formats=", ".join(METADATA)))
    if dpi < 1:
        raise ValueError(text("charts.save-dpi", dpi=dpi))
    written = []
    with matplotlib.rc_context(SAVE_RC), laid_out(fig, dpi):
        for fmt in formats:
            target = stem.with_name(f"{stem.name}.{fmt}")
            with atomic_stream(target) as stream:
                fig.savefig(stream, format=fmt, dpi=dpi, metadata=METADATA[fmt])
            written.append(target)
    return written
