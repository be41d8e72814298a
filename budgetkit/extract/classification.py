"""The functional classification (支出功能分类) reference: codes, 2024 names, older names."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from ..messages import text
from ..once import once
from ..schema import bundled_data_dir, read_text

__all__ = ["ClassReference", "bare_name", "reference"]


def bare_name(name: str) -> str:
    """A name without the 支出 suffix documents add or drop at will (一般公共服务 = 一般公共服务支出)."""
    name = name.strip().strip("“”\"")
    return name[:-2] if name.endswith("支出") and len(name) > 3 else name


@dataclass(frozen=True)
class FunctionClass:
    code: str
    level: str
    name: str
    parent_code: str
    other_names: tuple[str, ...] = field(default=())


class ClassReference:
    def __init__(self, classes: list[FunctionClass]):
        self.by_code = {c.code: c for c in classes}
        self._by_name: dict[tuple[str, str], list[FunctionClass]] = {}
        for c in classes:
            for name in (c.name, *c.other_names):
                self._by_name.setdefault((c.parent_code, bare_name(name)), []).append(c)
        # 类 names, longest first, for finding a class name inside a label
        names: dict[str, FunctionClass] = {}
        for c in classes:
            if c.level != "类":
                continue
            for name in (c.name, *c.other_names):
                for form in {name, bare_name(name)}:
                    if len(form) >= 4:
                        names.setdefault(form, c)
        self._class_by_name = names
        # one alternation, longest names first, anchored at the end of a label: matched in C
        self._class_at_end = re.compile(
            "(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + ")$")

    def find(self, name: str, parent_code: str = "") -> FunctionClass | None:
        found = self._by_name.get((parent_code, bare_name(name)))
        return found[0] if found else None

    def class_in(self, label: str) -> tuple[str, FunctionClass] | None:
        """The 类 whose (current or older) name ends ``label``."""
        stripped = label.rstrip("：:为是共计合计 ")
        match = self._class_at_end.search(stripped, max(0, len(stripped) - 20))
        if match is None:
            return None
        return match.group(0), self._class_by_name[match.group(0)]

    def drift(self, code: str, printed: str) -> str | None:
        """Why a printed name differs from the 2024 name of ``code`` (None when it does not)."""
        c = self.by_code.get(code)
        if c is None:
            return text("extract.drift-unknown-code")
        if bare_name(printed) == bare_name(c.name):
            return None
        if any(bare_name(printed) == bare_name(other) for other in c.other_names):
            return text("extract.drift-older-name", code=code, name=c.name)
        owner = next((o for o in self.by_code.values() if o.level == c.level and o.parent_code == c.parent_code
                      and bare_name(printed) in {bare_name(o.name), *map(bare_name, o.other_names)}), None)
        if owner is not None:
            return text("extract.drift-other-code", other=owner.code, other_name=owner.name, code=code)
        return text("extract.drift-not-current", code=code, name=c.name)


@once
def reference() -> ClassReference:
    path = bundled_data_dir() / "reference" / "function_classes.csv"
    rows = csv.DictReader(io.StringIO(read_text(path), newline=""))
    return ClassReference([
        FunctionClass(r["code"], r["level"], r["name"], r["parent_code"],
                      tuple(n for n in r["other_names"].split("|") if n))
        for r in rows
    ])
