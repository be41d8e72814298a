"""The sections a document's template asks for and it lacks, by the document's kind.

A budget (预算) is held against the twelve sections of the Sichuan 2024 template that
:mod:`budgetkit.extract.sections` maps its headings to; final accounts (决算) against the sections
of their own template, listed in ``[document_kinds.final-accounts]`` of data/template.toml.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..template import TemplateSection, template_sections
from .sections import SectionMap

__all__ = ["missing_sections"]

#: A line alone that may be an unnumbered heading: short, no sentence and no figure with its unit in it.
_LONGEST_HEADING = 40
_SENTENCE_OR_FIGURE = re.compile(r"[。；，,]|\d+(?:\.\d+)?\s*(?:万元|元|%)")
#: A table's title (收入支出决算总表, 一般公共预算财政拨款支出决算表) names a table, not a section of the explanation.
_TABLE_TITLE = re.compile(r"表\s*[）)]?\s*$")


def _named_section(heading: str, sections: tuple[TemplateSection, ...]) -> int | None:
    """The section a heading names: the one whose keyword in it comes first, the longest of those, None for
    none (政府性基金预算财政拨款收入支出决算情况说明 names 政府性基金, not 支出决算情况)."""
    if _TABLE_TITLE.search(heading):
        return None
    found = [(heading.find(keyword), -len(keyword), index) for index, section in enumerate(sections)
             for keyword in section.keywords if keyword in heading]
    return min(found)[2] if found else None


def missing_sections(kind: str, section_map: SectionMap, lines: Sequence[str]) -> list[str]:
    """The titles of the sections the template of ``kind`` asks for that no heading of the document
    names, in the template's order (a budget's: :meth:`SectionMap.missing`)."""
    sections = template_sections(kind)
    if sections is None:
        return section_map.missing()
    headings = [heading.title for heading in section_map.headings]
    headings += [line.strip() for line in lines
                 if 0 < len(line.strip()) <= _LONGEST_HEADING and not _SENTENCE_OR_FIGURE.search(line)]
    found = {_named_section(heading, sections) for heading in headings}
    return [section.title for index, section in enumerate(sections) if index not in found]
