"""Atomic export: complete file or untouched file, and clear Japanese messages on failure."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from ecg_viewer.report import atomic
from ecg_viewer.report.atomic import ExportError, atomic_writer, write_atomic


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_writes_new_and_replaces_existing(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    write_atomic(target, '{"a": "心房細動"}')
    assert target.read_text(encoding="utf-8") == '{"a": "心房細動"}'
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert _leftovers(tmp_path) == []


def test_keeps_permissions_of_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "r.txt"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_atomic(target, "new")
    assert target.stat().st_mode & 0o777 == 0o640


def test_exception_inside_leaves_old_file(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"OLD COMPLETE FILE")
    with pytest.raises(RuntimeError), atomic_writer(target) as f:
        f.write(b"half of a new fi")
        raise RuntimeError("renderer crashed")
    assert target.read_bytes() == b"OLD COMPLETE FILE"
    assert _leftovers(tmp_path) == []


def _try_write_as(uid: int | None, target: str, queue) -> None:
    """Child process: drop to ``uid`` (when running as root, who ignores folder permissions),
    then try the export and send back what happened."""
    if uid is not None:
        os.setgid(uid)
        os.setuid(uid)
    try:
        write_atomic(target, b"NEW")
        queue.put(("written", "", ""))
    except ExportError as exc:
        queue.put((exc.key, exc.message_ja, isinstance(exc, OSError)))


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_read_only_folder(tmp_path: Path) -> None:
    import multiprocessing as mp
    import tempfile

    # a folder outside pytest's 0700 tmp tree, so that an unprivileged child can reach it
    folder = Path(tempfile.mkdtemp(prefix="ecgv-ro-"))
    try:
        target = folder / "report.pdf"
        target.write_bytes(b"OLD")
        folder.chmod(0o555)
        ctx = mp.get_context("fork")
        queue = ctx.Queue()
        uid = 65534 if os.geteuid() == 0 else None  # nobody
        proc = ctx.Process(target=_try_write_as, args=(uid, str(target), queue))
        proc.start()
        key, message_ja, is_oserror = queue.get(timeout=30)
        proc.join(30)
        assert key == "report.readonly"
        assert "書き込めません" in message_ja and str(target) in message_ja
        assert is_oserror
        assert target.read_bytes() == b"OLD"
        assert _leftovers(folder) == []
    finally:
        folder.chmod(0o755)
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()


def test_disk_full_during_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"OLD COMPLETE FILE")
    real_fsync = os.fsync

    def full_disk(fd: int) -> None:  # the kernel reports ENOSPC when the data is flushed
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", full_disk)
    with pytest.raises(ExportError) as info:
        write_atomic(target, b"NEW" * 1000)
    monkeypatch.setattr(atomic.os, "fsync", real_fsync)
    assert info.value.key == "report.disk_full"
    assert "空き容量" in info.value.message_ja
    assert "既存のファイルは変更されていません" in info.value.message_ja
    assert target.read_bytes() == b"OLD COMPLETE FILE"
    assert _leftovers(tmp_path) == []


def test_disk_full_from_the_writer(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")
    with pytest.raises(ExportError) as info, atomic_writer(target) as f:
        f.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert info.value.key == "report.disk_full"
    assert target.read_text() == "old"
    assert _leftovers(tmp_path) == []


def test_missing_folder_and_folder_target(tmp_path: Path) -> None:
    with pytest.raises(ExportError) as info:
        write_atomic(tmp_path / "nope" / "r.json", "x")
    assert info.value.key == "report.no_dir"
    with pytest.raises(ExportError) as info:
        write_atomic(tmp_path, "x")
    assert info.value.key == "report.is_dir"
