"""Documents said as what they are: one document as 本预算 or 本决算 (本文件 when its kind is unknown),
several counted by kind (2份预算、1份决算; 3份文件 when no kind is known). The words are messages
(data/messages/kinds.toml); the kinds are those of ``budget.document_kind`` (schema.DOCUMENT_KINDS)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from .messages import text
from .schema import DOCUMENT_KINDS, UNKNOWN_KIND

__all__ = ["count_by_kind", "kind_of_all", "known_kind", "this_document"]


def known_kind(kind) -> str:
    """``kind`` if it is one of the document kinds, else unknown (a missing or misspelt kind says nothing):
    the kind as the keys of messages by kind end (``charts.income-title-final-accounts``)."""
    return kind if kind in DOCUMENT_KINDS else UNKNOWN_KIND


def this_document(kind) -> str:
    """One document as a message names it: 本预算, 本决算, or 本文件 when its kind is unknown."""
    return text(f"kinds.this-{known_kind(kind)}")


def _count(kind: str, count: int) -> str:
    return text(f"kinds.one-{kind}") if count == 1 else text(f"kinds.count-{kind}", count=count)


def count_by_kind(kinds: Iterable) -> str:
    """A number of documents by kind: 3份预算, 2份预算、1份决算, 2份预算、1份类型不明的文件; 3份文件 when
    the kind of none is known (and 0份文件 for none)."""
    counts = Counter(known_kind(kind) for kind in kinds)
    if set(counts) <= {UNKNOWN_KIND}:
        return _count("document", counts[UNKNOWN_KIND])
    # a year's budget before its final accounts (DOCUMENT_KINDS is the order titles are tried in), unknown last
    order = sorted(counts, key=lambda kind: (kind == UNKNOWN_KIND, kind != "budget", DOCUMENT_KINDS.index(kind)))
    parts = [_count(kind, counts[kind]) for kind in order]
    if len(parts) == 1:
        return parts[0]
    return text("kinds.and", first=text("kinds.separator").join(parts[:-1]), last=parts[-1])


def kind_of_all(kinds: Iterable) -> str:
    """What every one of some documents is (预算 when all are budgets, 决算 when all are final accounts),
    else 文件: the heading of a column that names them."""
    found = {known_kind(kind) for kind in kinds}
    if len(found) == 1 and UNKNOWN_KIND not in found:
        return text(f"data.kind-{found.pop()}")
    return text("kinds.document")
