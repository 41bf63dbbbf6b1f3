"""Atomic file export: a temp file in the target folder, fsync, then ``os.replace``.

An existing file at the target is either left exactly as it was or replaced by the complete new
file — never half-written. A read-only folder, a missing folder or a full disk becomes an
:class:`ExportError` with a Japanese message from the message table (``report.`` keys).
"""

from __future__ import annotations

import errno
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ecg_viewer.core.errors import EcgError
from ecg_viewer.core.messages import tr

log = logging.getLogger(__name__)


class ExportError(EcgError, OSError):
    """An export could not be written; the target file (if any) is unchanged."""

    def __init__(self, key: str, path: str | Path, *, reason: object = "",
                 errno_: int | None = None) -> None:
        self.key = key
        self.path = str(path)
        self.errno_ = errno_
        params = {"path": self.path, "dir": str(Path(path).parent), "reason": reason}
        super().__init__(tr(key, "en", **params), message_ja=tr(key, "ja", **params))


def _error_for(exc: OSError, path: Path) -> ExportError:
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        key = "report.disk_full"
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS) or isinstance(exc, PermissionError):
        key = "report.readonly"
    elif code == errno.ENOENT or isinstance(exc, FileNotFoundError):
        key = "report.no_dir"
    elif code == errno.EISDIR:
        key = "report.is_dir"
    else:
        key = "report.write_failed"
    return ExportError(key, path, reason=exc.strerror or exc, errno_=code)


@contextmanager
def atomic_writer(path: str | Path) -> Iterator[BinaryIO]:
    """``with atomic_writer(p) as f: f.write(...)``: the data appears at ``p`` only when the
    block ends without an exception, and then completely (fsync'd, then renamed over ``p``)."""
    target = Path(path)
    if target.is_dir():
        raise ExportError("report.is_dir", target)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _error_for(exc, target) from exc
    tmp = Path(tmp_name)
    done = False
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        _copy_mode(target, tmp)
        os.replace(tmp, target)
        done = True
        _fsync_dir(folder)
    except OSError as exc:
        raise _error_for(exc, target) from exc
    finally:
        if not done:
            try:
                tmp.unlink()
            except OSError:
                pass


def write_atomic(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` (str as UTF-8) to ``path`` atomically; returns the path."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_writer(path) as f:
        f.write(payload)
    return Path(path)


def write_atomic_with(path: str | Path, produce: Callable[[BinaryIO], None]) -> Path:
    """Let ``produce(f)`` write into the temp file (e.g. a PDF canvas), then commit atomically."""
    with atomic_writer(path) as f:
        produce(f)
    return Path(path)


def _copy_mode(target: Path, tmp: Path) -> None:
    """Keep an existing file's permissions; a new file gets the usual 0666 & ~umask."""
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); harmless where folders cannot be opened."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:  # some file systems refuse fsync on a folder
        log.debug("fsync of folder %s failed: %s", folder, exc)
    finally:
        os.close(fd)
