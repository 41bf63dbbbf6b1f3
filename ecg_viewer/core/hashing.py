"""The one file hash of the project: sha256 of the bytes of a file (or of several files read
one after the other, e.g. a WFDB header and its signal file), read in 1 MiB chunks."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of the file at ``path`` (weights, fusion, metrics, text-encoder files)."""
    return sha256_files([path])


def sha256_files(paths: Iterable[str | Path]) -> str:
    """Hex sha256 of the bytes of ``paths`` read in order, as if they were one file (the
    identity of an ECG record stored in several files)."""
    h = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def fingerprint(paths: Iterable[str | Path]) -> list[list[Any]]:
    """``[[absolute path, size, mtime_ns], ...]`` of the files that make up a record (size and
    mtime -1 for a file that cannot be stat'ed): cheap to compare with the files on disk later."""
    out: list[list[Any]] = []
    for path in paths:
        full = os.path.abspath(os.fspath(path))
        try:
            st = os.stat(full)
            out.append([full, st.st_size, st.st_mtime_ns])
        except OSError:
            out.append([full, -1, -1])
    return out
