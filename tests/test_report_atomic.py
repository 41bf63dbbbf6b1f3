"""Atomic export: complete file or untouched file, and clear Japanese messages on failure."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pytest

from ecg_viewer.report import atomic
from ecg_viewer.report.atomic import ExportError, write_atomic


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


def test_missing_folder_and_folder_target(tmp_path: Path) -> None:
    with pytest.raises(ExportError) as info:
        write_atomic(tmp_path / "nope" / "r.json", "x")
    assert info.value.key == "report.no_dir"
    with pytest.raises(ExportError) as info:
        write_atomic(tmp_path, "x")
    assert info.value.key == "report.is_dir"


# --- the one writer: checked os.write, full disk at the lowest level, report sets ----------------
def _fill_disk_under(folder: Path, monkeypatch: pytest.MonkeyPatch, after_bytes: int = 4096):
    """Make ``os.write`` fail with ENOSPC for files under ``folder`` once ``after_bytes`` have
    gone there (what a full file system does); other files (pytest's own) are untouched."""
    real_write = os.write
    written = {"n": 0}

    def write(fd: int, data) -> int:
        try:
            name = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            name = ""
        if name.startswith(str(folder)):
            room = after_bytes - written["n"]
            if room <= 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            n = real_write(fd, bytes(data)[:room])
            written["n"] += n
            return n
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to tell files apart")
def test_full_disk_at_os_write_leaves_old_file_and_no_temp(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.json"
    target.write_text("OLD")
    _fill_disk_under(tmp_path, monkeypatch, after_bytes=100)
    with pytest.raises(ExportError) as info:
        write_atomic(target, "x" * 10_000)
    assert info.value.key == "report.disk_full"
    assert target.read_text() == "OLD"
    assert _leftovers(tmp_path) == []


def test_short_writes_are_continued(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data)[:7]))
    write_atomic(tmp_path / "r.bin", bytes(range(256)) * 10)
    monkeypatch.undo()
    assert (tmp_path / "r.bin").read_bytes() == bytes(range(256)) * 10


def test_zero_byte_write_is_a_full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "write", lambda fd, data: 0)
    with pytest.raises(ExportError) as info:
        write_atomic(tmp_path / "r.bin", b"abc")
    monkeypatch.undo()
    assert info.value.key == "report.disk_full"
    assert list(tmp_path.iterdir()) == []


def test_check_refuses_incomplete_data(tmp_path: Path) -> None:
    def must_end_with_eof(data: bytes) -> None:
        if not data.endswith(b"%%EOF"):
            raise ValueError("incomplete")

    with pytest.raises(ExportError) as info:
        write_atomic(tmp_path / "r.pdf", b"%PDF-1.4 half", check=must_end_with_eof)
    assert info.value.key == "report.write_failed"
    assert list(tmp_path.iterdir()) == []


def test_report_set_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, c = tmp_path / "r.pdf", tmp_path / "r.json", tmp_path / "r.fhir.json"
    a.write_bytes(b"OLD PDF")
    # the third rename fails (e.g. the target became a folder's name on a network share)
    real_replace = os.replace

    def replace(src, dst) -> None:
        if Path(dst) == c:
            raise OSError(errno.EIO, "I/O error")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(ExportError):
        atomic.write_set([(a, b"NEW PDF"), (b, "{}"), (c, "{}")])
    monkeypatch.undo()
    assert a.read_bytes() == b"OLD PDF"  # put back
    assert not b.exists() and not c.exists()  # new ones removed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.pdf"]
    atomic.write_set([(a, b"NEW PDF"), (b, "{}"), (c, "{}")])
    assert a.read_bytes() == b"NEW PDF" and b.read_text() == "{}" and c.read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.fhir.json", "r.json", "r.pdf"]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to tell files apart")
def test_report_set_full_disk_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "r.pdf", tmp_path / "r.json"
    b.write_text("OLD JSON")
    _fill_disk_under(tmp_path, monkeypatch, after_bytes=150)
    with pytest.raises(ExportError) as info:
        atomic.write_set([(a, b"P" * 100), (b, "J" * 100)])  # the second one does not fit
    monkeypatch.undo()
    assert info.value.key == "report.disk_full"
    assert not a.exists() and b.read_text() == "OLD JSON"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to tell files apart")
@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_render_on_full_disk_fails_clearly_and_leaves_nothing(
        suffix: str, bundled_samples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from ecg_viewer.cli import main

    out = tmp_path / f"page{suffix}"
    _fill_disk_under(tmp_path, monkeypatch, after_bytes=50_000)  # the page is far larger
    rc = main(["render", str(bundled_samples / "00009_hr.hea"), "--out", str(out)])
    monkeypatch.undo()
    err = capsys.readouterr()
    assert rc == 1
    assert "空き容量" in err.err and "Traceback" not in err.err + err.out
    assert "書き出しました" not in err.out
    assert list(tmp_path.iterdir()) == []  # no partial file, no temp file
    # with room, the same command writes a complete file
    assert main(["render", str(bundled_samples / "00009_hr.hea"), "--out", str(out)]) == 0
    data = out.read_bytes()
    if suffix == ".svg":
        from xml.etree import ElementTree

        assert ElementTree.fromstring(data).tag.endswith("svg")
    else:
        assert data.endswith(b"IEND\xaeB`\x82")


def test_image_checks_refuse_truncated_files() -> None:
    from ecg_viewer.gui.export import check_png, check_svg

    check_svg(b'<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>')
    with pytest.raises(ValueError):
        check_svg(b'<svg xmlns="http://www.w3.org/2000/svg"><g>')
    with pytest.raises(ValueError):
        check_png(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)


def test_report_command_writes_the_set_completely_or_not_at_all(
        bundled_samples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from ecg_viewer.commands import report as report_cmd
    from tests.report_fixtures import fixture_analyze

    def args(*extra: str) -> argparse.Namespace:
        p = argparse.ArgumentParser()
        report_cmd.add_arguments(p)
        return p.parse_args([str(bundled_samples / "00009_hr.hea"), "--out",
                             str(tmp_path / "r.pdf"), "--no-review", *extra])

    # the FHIR file's folder does not exist: neither the PDF nor the JSON may appear
    rc = report_cmd.run(args("--json", str(tmp_path / "r.json"), "--fhir",
                             str(tmp_path / "missing" / "r.fhir.json")), analyze=fixture_analyze)
    assert rc == 1 and "フォルダがありません" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    rc = report_cmd.run(args("--json", str(tmp_path / "r.json"), "--fhir",
                             str(tmp_path / "r.fhir.json")), analyze=fixture_analyze)
    assert rc == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.fhir.json", "r.json", "r.pdf"]
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-")


def test_report_set_without_hard_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "r.pdf", tmp_path / "r.json"
    a.write_bytes(b"OLD PDF")
    b.write_text("OLD JSON")

    def no_links(src, dst) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    real_replace = os.replace

    def replace(src, dst) -> None:
        if Path(dst) == b and Path(src).suffix == ".tmp":
            raise OSError(errno.EIO, "I/O error")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "link", no_links)
    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(ExportError):
        atomic.write_set([(a, b"NEW PDF"), (b, "NEW JSON")])
    monkeypatch.setattr(atomic.os, "replace", real_replace)
    assert a.read_bytes() == b"OLD PDF" and b.read_text() == "OLD JSON"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json", "r.pdf"]
    atomic.write_set([(a, b"NEW PDF"), (b, "NEW JSON")])
    assert a.read_bytes() == b"NEW PDF" and b.read_text() == "NEW JSON"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json", "r.pdf"]


def test_a_dead_writers_temp_file_is_removed_by_the_next_write(tmp_path: Path) -> None:
    """A writer killed outright (SIGKILL, a power cut) left ``.report.pdf.xxxxxxxx.tmp`` for
    good (QA 51); the next write of the same target removes it once it is older than
    STALE_TEMP_S. A younger one (another writer may be at work), another target's, and files
    that are not such temp files are kept."""
    target = tmp_path / "report.pdf"
    old = time.time() - atomic.STALE_TEMP_S - 60
    dead = tmp_path / ".report.pdf.k2x_9abq.tmp"
    young = tmp_path / ".report.pdf.a1b2c3d4.tmp"
    other = tmp_path / ".other.pdf.k2x_9abq.tmp"
    mine = tmp_path / ".report.pdf.my notes.tmp"
    for p in (dead, young, other, mine):
        p.write_bytes(b"%PDF half")
    for p in (dead, other, mine):
        os.utime(p, (old, old))
    write_atomic(target, b"%PDF whole")
    assert target.read_bytes() == b"%PDF whole"
    assert _leftovers(tmp_path) == sorted(p.name for p in (young, other, mine))


@pytest.mark.parametrize("name", ["a" * 238 + ".pdf", "心電図レポート" * 11 + "あいう.pdf",
                                  "b" * 251 + ".pdf"])
def test_any_name_the_file_system_takes_is_written_and_replaced(tmp_path: Path, name: str) -> None:
    """QA 73: names of 242-255 bytes (80 Japanese characters), which the file system takes, were
    refused as too long: the temp name ``.NAME.xxxxxxxx.tmp`` added 14 bytes. A longer one is
    refused with the name-too-long message, never an unexpected error."""
    assert len(name.encode()) <= 255
    target = tmp_path / name
    write_atomic(target, b"first")
    write_atomic(target, b"second")  # the old one kept aside under a temp name, then replaced
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # nothing else left
    atomic.remove_stale_temps(target)  # finds its own temp names (none left) without error
    too_long = tmp_path / ("心" * 90 + ".pdf")
    with pytest.raises(ExportError) as err:
        write_atomic(too_long, b"x")
    assert "ファイル名が長すぎます" in err.value.message("ja")
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_long_names_stale_temp_file_is_found(tmp_path: Path) -> None:
    target = tmp_path / ("心電図" * 27 + ".pdf")  # 247 bytes
    stale = tmp_path / f"{atomic._temp_prefix(target)}abcd1234.tmp"
    stale.write_bytes(b"half")
    old = time.time() - 2 * atomic.STALE_TEMP_S
    os.utime(stale, (old, old))
    assert len(stale.name.encode()) <= 255
    assert atomic.remove_stale_temps(target) == 1 and not stale.exists()
