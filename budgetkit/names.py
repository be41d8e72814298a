"""The one naming scheme of tables and charts: a name is kebab-case (``three-public``,
``income-by-source``) wherever an API takes one as a string; the same words in snake_case, as the
functions are spelt (``three_public``), name the same thing."""

from __future__ import annotations

from typing import TypeVar

__all__ = ["Registry", "name_key"]

T = TypeVar("T")


def name_key(name: str) -> str:
    """The kebab-case key of a table's or chart's name (``three_public`` → ``three-public``)."""
    return str(name).strip().replace("_", "-")


class Registry(dict[str, T]):
    """Tables or charts by their kebab-case names; looked up by either spelling."""

    def __getitem__(self, name: str) -> T:
        return super().__getitem__(name_key(name))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(name_key(name))

    def get(self, name: str, default=None):
        return super().get(name_key(name), default)

