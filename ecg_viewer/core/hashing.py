"""The one file hash of the project: sha256 of the bytes of a file (or of several files read
one after the other, e.g. a WFDB header and its signal file), read in 1 MiB chunks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


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
