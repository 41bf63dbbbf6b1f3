"""The project's one atomic file writer: a temp file in the target folder, every byte written
with a checked ``os.write``, fsync, then ``os.replace``.

An existing file at the target is either left exactly as it was or replaced by the complete new
file — never half-written. A read-only folder, a missing folder or a full disk becomes an
:class:`ExportError` with a Japanese message from the message table (``report.`` keys).

* :func:`write_atomic` — one file (PDF, JSON, FHIR, PNG, SVG ...).
  ``check`` (optional) validates the complete bytes before anything touches the disk.
* :func:`write_set` — several files (a report set: PDF + JSON + FHIR) written completely or not
  at all: all temp files are written and fsync'd first, then renamed; if a rename fails, the
  ones already renamed are put back as they were.

A writer killed outright (SIGKILL, a power cut) leaves its hidden temp file
``.NAME.xxxxxxxx.tmp``; the next write of the same target removes those older than
:data:`STALE_TEMP_S` (a younger one may be another writer's, still at work).

All writes go through :func:`write_all` (``os.write`` in a loop, short writes continued, every
return value checked), which is also the seam the tests use to simulate a full disk.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ecg_viewer.core.errors import EcgError, os_reason

log = logging.getLogger(__name__)

Check = Callable[[bytes], None]  # raises ValueError when the bytes are not a complete file


class ExportError(EcgError, OSError):
    """An export could not be written; the target file (if any) is unchanged."""

    def __init__(self, key: str, path: str | Path, *, reason: object = "",
                 errno_: int | None = None) -> None:
        self.path = str(path)
        self.errno_ = errno_
        super().__init__(key, path=self.path, dir=str(Path(path).parent), reason=reason)


def error_for(exc: OSError, path: str | Path) -> ExportError:
    """The :class:`ExportError` (message-table text) for an OS error writing ``path``."""
    if isinstance(exc, ExportError):
        return exc
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        key = "report.disk_full"
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS) or isinstance(exc, PermissionError):
        key = "report.readonly"
    elif code == errno.ENOENT or isinstance(exc, FileNotFoundError):
        # a folder that exists but where no file can be made (/proc) is no missing folder
        key = "report.readonly" if Path(path).parent.is_dir() else "report.no_dir"
    elif code == errno.EISDIR:
        key = "report.is_dir"
    else:
        key = "report.write_failed"
    return ExportError(key, path, reason=os_reason(exc), errno_=code)



def write_all(fd: int, data: bytes | memoryview) -> None:
    """Write every byte of ``data`` to ``fd``; a short write is continued, a zero-byte write
    (no progress) is a full disk."""
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        if n <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[n:]



#: a temp file of the same target untouched this long is a dead writer's (seconds)
STALE_TEMP_S = 3600.0
_TEMP_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")  # tempfile's random part


_NAME_MAX = 255  # bytes of one file name on the usual file systems (ext4, tmpfs, NTFS, APFS)


def _temp_prefix(target: Path) -> str:
    """The start of ``target``'s temp names, ``.NAME.``; for a name so long that the temp name
    (8 random characters and ``.tmp`` / ``.old`` more) would pass the file system's limit, the
    name is cut and a short hash of it added: a 242-255-byte name the file system takes had been
    refused as too long (QA 73, 80 Japanese characters)."""
    name = target.name
    room = _NAME_MAX - len(".") - len(".") - 8 - len(".tmp")
    if len(name.encode("utf-8", "surrogateescape")) <= room:
        return f".{name}."
    tag = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    cut = name.encode("utf-8", "surrogateescape")[: room - len(tag) - 1]
    return f".{cut.decode('utf-8', 'ignore')}~{tag}."


def remove_stale_temps(target: Path) -> int:
    """Remove the temp files ``.NAME.xxxxxxxx.tmp`` of ``target`` (``tempfile.mkstemp``'s names,
    as :func:`_stage` makes them) not modified for :data:`STALE_TEMP_S`; returns how many.
    Never raises: a folder that cannot be listed is left as it is."""
    folder = target.parent if str(target.parent) else Path(".")
    prefix = _temp_prefix(target)
    now = time.time()
    removed = 0
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                middle = name[len(prefix):-len(".tmp")]
                if not (name.startswith(prefix) and name.endswith(".tmp") and len(middle) == 8
                        and set(middle) <= _TEMP_CHARS):
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                    if stat.S_ISREG(st.st_mode) and now - st.st_mtime > STALE_TEMP_S:
                        os.unlink(entry.path)
                        removed += 1
                except OSError:
                    continue
    except OSError as exc:
        log.debug("stale temp files of %s not looked for: %s", target, exc)
    if removed:
        log.info("removed %d stale temp file(s) of %s", removed, target)
    return removed


def _stage(target: Path, payload: bytes) -> Path:
    """Write ``payload`` to a new fsync'd temp file beside ``target``; returns its path."""
    try:
        is_dir = target.is_dir()  # Python 3.11 raises on a name the file system refuses
    except OSError as exc:
        raise error_for(exc, target) from exc
    if is_dir:
        raise ExportError("report.is_dir", target)
    folder = target.parent if str(target.parent) else Path(".")
    remove_stale_temps(target)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=".tmp", dir=folder)
    except OSError as exc:
        raise error_for(exc, target) from exc
    tmp = Path(tmp_name)
    try:
        try:
            write_all(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
        if tmp.stat().st_size != len(payload):  # what the file system holds is what we wrote
            raise OSError(errno.EIO, f"size on disk {tmp.stat().st_size} != {len(payload)}")
        _copy_mode(target, tmp)
    except BaseException as exc:
        _unlink_quietly(tmp)
        if isinstance(exc, OSError):
            raise error_for(exc, target) from exc
        raise
    return tmp


def refuse_read_only(path: str | Path) -> None:
    """Raise :class:`ExportError` for an existing file nobody may write (its mode, whoever runs
    this, root included): a replace by rename ignores the mode of the file it replaces (QA 45:
    a read-only signed PDF, QA 47: a read-only PNG, had been replaced without a word)."""
    try:
        st = os.stat(path)
    except OSError:
        return
    if stat.S_ISREG(st.st_mode) and not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise ExportError("report.read_only_target", path)


def write_atomic(path: str | Path, data: bytes | str, *, check: Check | None = None) -> Path:
    """Write ``data`` (str as UTF-8) to ``path`` atomically; returns the path. ``check(data)``
    (raising ValueError) refuses incomplete data before anything is written."""
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    target = Path(path)
    refuse_read_only(target)
    if check is not None:
        try:
            check(payload)
        except ValueError as exc:
            raise ExportError("report.write_failed", target, reason=exc) from exc
    tmp = _stage(target, payload)
    try:
        os.replace(tmp, target)
    except OSError as exc:
        _unlink_quietly(tmp)
        raise error_for(exc, target) from exc
    _fsync_dir(target.parent if str(target.parent) else Path("."))
    return target


def write_set(items: Sequence[tuple[str | Path, bytes | str]]) -> list[Path]:
    """Write several files completely or not at all. Every file is staged (written, fsync'd)
    before any target is touched; if a rename then fails, targets already replaced get their
    previous content back and new ones are removed. Returns the paths written."""
    targets = [Path(p) for p, _ in items]
    if len({t.resolve() for t in targets}) != len(targets):
        raise ValueError("write_set: the same target named twice")
    for t in targets:
        refuse_read_only(t)
    staged: list[Path] = []
    try:
        for target, (_, data) in zip(targets, items, strict=True):
            staged.append(_stage(target, data.encode("utf-8") if isinstance(data, str)
                                 else bytes(data)))
    except BaseException:
        for tmp in staged:
            _unlink_quietly(tmp)
        raise
    backups: list[tuple[Path, Path | None]] = []  # (target, its old content kept aside)
    try:
        for target, tmp in zip(targets, staged, strict=True):
            backup = _keep_aside(target)
            backups.append((target, backup))
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise error_for(exc, target) from exc
    except BaseException:
        for tmp in staged:
            _unlink_quietly(tmp)
        for target, backup in reversed(backups):
            _restore(target, backup)
        raise
    for _, backup in backups:
        if backup is not None:
            _unlink_quietly(backup)
    for folder in {t.parent if str(t.parent) else Path(".") for t in targets}:
        _fsync_dir(folder)
    return targets


def _keep_aside(target: Path) -> Path | None:
    """Keep the existing target's content under a temp name (a hard link; where the file system
    has none, the file itself is moved there); None when there is no target."""
    try:
        if not target.exists():
            return None
    except OSError as exc:
        raise error_for(exc, target) from exc
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, name = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=".old", dir=folder)
        os.close(fd)
    except OSError as exc:
        raise error_for(exc, target) from exc
    backup = Path(name)
    try:
        backup.unlink()
        try:
            os.link(target, backup)
        except OSError:  # FAT, some network shares: no hard links
            os.replace(target, backup)
    except OSError as exc:
        _unlink_quietly(backup)
        raise error_for(exc, target) from exc
    return backup


def _restore(target: Path, backup: Path | None) -> None:
    try:
        if backup is None:
            _unlink_quietly(target)
        else:
            os.replace(backup, target)
    except OSError as exc:  # pragma: no cover - logged, the caller raises the first error
        log.error("could not restore %s after a failed report set: %s", target, exc)


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


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
