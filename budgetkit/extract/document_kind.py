"""Whether a document is a budget (预算) or final accounts (决算), and why: its title, the standard
tables its tables' titles name, or its text (the words are ``[document_kinds]`` of data/template.toml)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..messages import text
from ..once import once
from ..schema import UNKNOWN_KIND
from ..template import document_kind_words, official_table, title_key

__all__ = ["DocumentKind", "document_kind"]

#: How many of a document's first lines before its first heading can be its title.
_TITLE_LINES = 12


@dataclass(frozen=True)
class DocumentKind:
    """``kind`` (budget, final-accounts or unknown) and the reason, in words people read."""

    kind: str
    reason: str


#: What makes a line a sentence, not a title.
_SENTENCE = re.compile(r"[，,。；;]")


@once
def _patterns() -> tuple[tuple[tuple[str, re.Pattern, re.Pattern], ...], int, int]:
    """Each kind with its title pattern and its content pattern; the content minimum; the title length."""
    kinds, minimum, length = document_kind_words()
    return tuple((words.kind, re.compile("|".join(f"(?:{pattern})" for pattern in words.titles)),
                  re.compile("|".join(re.escape(word) for word in words.content))) for words in kinds), minimum, length


def document_kind(lines: Sequence[str], first_heading: int, table_titles: Sequence[str] = ()) -> DocumentKind:
    """The kind of a document of ``lines`` (its first heading at 1-based line ``first_heading``),
    whose tables are titled ``table_titles``: told by its title, else by the standard tables its
    tables' titles name when they agree, else by its text; unknown when none of them tells."""
    patterns, minimum, length = _patterns()
    head = [title_key(line) for line in lines[: max(first_heading - 1, 0)][:_TITLE_LINES]]
    titles = [line for line in head if line and len(line) <= length and not _SENTENCE.search(line)]
    for kind, title_pattern, _ in patterns:
        for line in titles:
            if found := title_pattern.search(line):
                return DocumentKind(kind, text("extract.kind-from-title", kind=text(f"data.kind-{kind}"),
                                               title=line, word=found.group(0)))
    standard = {table.kind: title for title in table_titles if (table := official_table(title)) is not None}
    if len(standard) == 1:
        kind, title = next(iter(standard.items()))
        return DocumentKind(kind, text("extract.kind-from-tables", kind=text(f"data.kind-{kind}"), title=title))
    body = "\n".join(lines)
    counts = {kind: len(pattern.findall(body)) for kind, _, pattern in patterns}
    shown = text("audit.list-separator").join(text("extract.kind-count", kind=text(f"data.kind-{kind}"), count=count)
                                              for kind, count in counts.items())
    for kind, count in counts.items():
        if count >= minimum and all(count > other for rival, other in counts.items() if rival != kind):
            return DocumentKind(kind, text("extract.kind-from-text", kind=text(f"data.kind-{kind}"), counts=shown))
    return DocumentKind(UNKNOWN_KIND, text("extract.kind-unknown", counts=shown, minimum=minimum))
