"""File names and texts that can be written anywhere: UTF-8 JSON and CSV, a PDF, SQLite, the
terminal.

On Linux a file name is bytes; Python gives the bytes that are not UTF-8 as lone surrogates
(``\\udc93``), which no UTF-8 writer accepts. A ZIP made on Japanese Windows and unpacked here has
Shift_JIS names (田中.mwf is ``93 63 92 86 .mwf``): batch stopped with a UnicodeEncodeError and
wrote no row, the report wrote no PDF and ``analyze --json`` wrote bytes that are not UTF-8
(QA 45). :func:`printable_path` shows such a name as CP932 when its bytes are that (田中.mwf),
else with ``\\xNN`` escapes; :func:`printable_text` does the latter for any text.
"""

from __future__ import annotations

import os
import re
from typing import Any

_SURROGATE = re.compile("[\udc80-\udcff]")
_NOT_A_NAME = re.compile("[\x00-\x1f\x7f-\x9f\ue000-\uf8ff]")


def printable_text(text: str) -> str:
    """``text`` with the bytes a file name held that are not UTF-8 written as ``\\xNN``."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _part(name: str) -> str:
    if not _SURROGATE.search(name):
        return name
    raw = name.encode("utf-8", "surrogateescape")
    try:
        text = raw.decode("cp932")  # a Japanese Windows name (Shift_JIS)
        if not _NOT_A_NAME.search(text):  # CP932 also maps stray bytes to private-use marks
            return text
    except UnicodeDecodeError:
        pass
    return raw.decode("utf-8", "backslashreplace")


def printable_path(path: str | os.PathLike[str]) -> str:
    """``path`` as text, each folder and file name that is not UTF-8 read as CP932 (Shift_JIS)
    when it is that, else with ``\\xNN`` escapes; a UTF-8 path comes back unchanged."""
    text = os.fspath(path)
    if not _SURROGATE.search(text):
        return text
    return "/".join(_part(p) for p in text.split("/"))


def on_disk(printed: str) -> str:
    """The path on disk that ``printed`` (a :func:`printable_path`) names: itself when it exists,
    else found folder by folder among the names that print the same (a review or a batch row
    holds 田中.mwf for the Shift_JIS name on disk; QA 47: such a reviewed ECG was never offered
    as the prior). ``printed`` unchanged when nothing matches."""
    if os.path.lexists(printed) or not os.path.isabs(printed):
        return printed
    real = os.sep
    for part in [p for p in printed.split("/") if p]:
        candidate = os.path.join(real, part)
        if not os.path.lexists(candidate):
            try:
                names = [n for n in os.listdir(real) if printable_path(n) == part]
            except OSError:
                return printed
            if len(names) != 1:  # none, or two names that print the same: not guessed
                return printed
            candidate = os.path.join(real, names[0])
        real = candidate
    return real


#: the keys of a row or a JSON output whose value holds paths (:func:`printable_path`): a
#: batch row's ``source`` is a list of [file, size, time]
PATH_KEYS = frozenset({"file", "duplicate_of", "path", "source"})


def printable(value: Any, *, paths: bool = False) -> Any:
    """``value`` (a JSON-like row: dicts, lists, strings) with every string printable; under
    one of :data:`PATH_KEYS` (``paths``) as :func:`printable_path` gives it."""
    if isinstance(value, str):
        return printable_path(value) if paths else printable_text(value)
    if isinstance(value, dict):
        return {printable(k): printable(v, paths=paths or k in PATH_KEYS)
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable(v, paths=paths) for v in value]
    return value
