"""Which files of a folder are ECGs: one answer for next/previous in the window, the worklist and
``ecg-viewer batch``.

A file is listed when a reader claims it by extension or by its first bytes; hidden files and
folders are left out; a WFDB record is listed once, by its header (the signal files it names,
``.dat``/``.mat``/``.xyz`` ..., are left out); the text files that sit beside ECGs and are not
ECGs (LICENSE, README, CHANGELOG ...) are left out even though ``.txt`` may be a CSV ECG.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ecg_viewer.io import detect_format, supported_extensions

log = logging.getLogger(__name__)

#: companion files that are never opened by themselves when a header of the same name exists
_COMPANIONS = {".dat", ".mat", ".atr", ".xyz"}
#: name starts of text files that sit beside ECGs and are not ECGs
NOT_ECG_NAMES = ("license", "readme", "changelog", "notice", "copying", "attribution")


def find_ecg_files(folder: str | Path, recursive: bool = False) -> list[Path]:
    """The ECG files in ``folder`` (and its sub-folders with ``recursive``), sorted by path.
    An unreadable candidate is listed (its error is reported when it is opened)."""
    root = Path(folder)
    try:
        found = root.rglob("*") if recursive else root.iterdir()
        candidates = sorted(p for p in found if p.is_file()
                            and not any(part.startswith(".") for part in p.relative_to(root).parts))
    except OSError as exc:
        log.warning("cannot list %s: %s", root, exc)
        return []
    exts = set(supported_extensions())
    companions: set[Path] = set()
    headers: set[tuple[Path, str]] = set()
    for path in candidates:
        if path.suffix.lower() == ".hea":
            headers.add((path.parent, path.stem))
            companions.update(path.parent / name for name in _wfdb_signal_files(path))
    out = []
    for path in candidates:
        if path in companions or path.name.lower().startswith(NOT_ECG_NAMES):
            continue
        if path.suffix.lower() in _COMPANIONS and (path.parent, path.stem) in headers:
            continue
        if path.suffix.lower() in exts:
            out.append(path)
            continue
        try:
            if detect_format(path) is not None:
                out.append(path)
        except OSError:
            out.append(path)
    return out


def _wfdb_signal_files(header: Path) -> set[str]:
    """The signal file names a WFDB header lists (first field of each signal line)."""
    names: set[str] = set()
    try:
        lines = header.read_text(encoding="latin-1", errors="replace").splitlines()
    except OSError:
        return names
    record_line_seen = False
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not record_line_seen:
            record_line_seen = True
            continue
        name = line.split()[0]
        if "/" not in name and name != "~":
            names.add(name)
    return names
