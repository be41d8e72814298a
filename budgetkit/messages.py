"""The one catalogue of what a user reads: every message in Simplified Chinese and in English.

The messages live in ``data/messages/*.toml``, one file per part of the house (``audit.toml`` for
the audit's explanations, ``cli.toml`` for the terminal …); a message's key is the file's name and
its own, ``audit.sum-drift``. Each message has a ``zh`` and an ``en`` text with the same named
``{fields}``; a test holds both languages complete.

Chinese is the default. ``set_language("en")`` (the command line's ``--lang en``, a notebook's
``lang`` parameter) or ``BUDGETKIT_LANG=en`` switch to English; ``using_language`` for a block.
Data keeps its stable English keys (verdicts, rule ids, column names); only the text beside them
is translated.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

from .template import data_dir, read_toml

__all__ = [
    "LANGUAGES", "MessageError", "catalogue", "has_message", "language", "set_language", "template", "text",
    "using_language", "verdict_name",
]

#: The languages every message is written in; the first is the default.
LANGUAGES = ("zh", "en")
#: Where the language is kept: the environment, which the threads and worker processes share.
_VARIABLE = "BUDGETKIT_LANG"


class MessageError(KeyError):
    """A message key or language the catalogue does not have."""

    def __str__(self) -> str:
        return str(self.args[0])


def language() -> str:
    """The language messages are written in now: the last ``set_language``, else ``BUDGETKIT_LANG``,
    else ``zh``. One setting for the process: the threads that audit a collection and the worker
    processes that read its documents write in it too (it is kept in the environment they inherit)."""
    chosen = os.environ.get(_VARIABLE, "").strip().lower()
    return chosen if chosen in LANGUAGES else LANGUAGES[0]


def _checked(lang: str) -> str:
    if lang not in LANGUAGES:
        raise MessageError(f"language {lang!r} is not one of {', '.join(LANGUAGES)}")  # not a message: the catalogue's own
    return lang


def set_language(lang: str) -> None:
    """Write every message from now on in ``lang`` (``zh`` or ``en``)."""
    os.environ[_VARIABLE] = _checked(lang)


@contextmanager
def using_language(lang: str) -> Iterator[None]:
    """Write the messages of a block in ``lang``, then go back to the language before it."""
    before = os.environ.get(_VARIABLE)
    set_language(lang)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(_VARIABLE, None)
        else:
            os.environ[_VARIABLE] = before


@lru_cache(maxsize=None)
def _messages_of(part: str) -> dict[str, dict[str, str]]:
    """The messages of one file of the catalogue (``audit`` for ``data/messages/audit.toml``), read
    when a message of it is first asked for: a command reads only the parts it speaks with."""
    path = data_dir() / "messages" / f"{part}.toml"
    if not path.is_file():
        return {}
    return read_toml(path)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """Every message by key (``file.name``), each a dict of its texts by language (read once, as each
    file is: a table's headings ask for it once per column)."""
    return {f"{path.stem}.{name}": texts for path in sorted((data_dir() / "messages").glob("*.toml"))
            for name, texts in _messages_of(path.stem).items()}


def has_message(key: str) -> bool:
    """Whether the catalogue has the message ``key``: only its own file is read (not the whole catalogue)."""
    part, _, name = key.partition(".")
    return name in _messages_of(part)


def _template(key: str, lang: str | None) -> str:
    part, _, name = key.partition(".")
    try:
        texts = _messages_of(part)[name]
    except KeyError:
        raise MessageError(f"no message {key!r} in data/messages") from None  # not a message: the catalogue's own
    return texts[_checked(lang or language())]


def text(key: str, /, lang: str | None = None, **fields) -> str:
    """The message ``key`` in the current language (or ``lang``), its ``{fields}`` filled in."""
    return _template(key, lang).format(**fields)


def template(key: str, /, lang: str | None = None) -> str:
    """The message ``key`` in the current language (or ``lang``) with its ``{fields}`` unfilled: for
    code that writes one message many times (``template(key).format(**fields)`` is ``text(key, **fields)``)."""
    return _template(key, lang)


def verdict_name(verdict: str, lang: str | None = None) -> str:
    """A verdict's name as the user reads it (偏差 for ``drift``); data keeps the English key."""
    return text(f"verdicts.{verdict}", lang)
