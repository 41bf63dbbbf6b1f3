"""WFDB headers whose record line names the signal file (``E00015.mat 12 500 ...``): the CinC
2020 Georgia records in ../shared/data/cinc_extra. Only the header's own stem + .mat/.dat is read."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.core.errors import HeaderValueError
from ecg_viewer.io.wfdb_reader import read_wfdb

RECORDS = ("E00015", "E00018", "E00666", "E00793")


def _folder(shared_data: Path) -> Path:
    folder = shared_data / "cinc_extra"
    if not all((folder / f"{r}.hea").is_file() for r in RECORDS):
        pytest.skip("the four CinC Georgia records are not in ../shared/data/cinc_extra")
    return folder


def _copy(folder: Path, rec: str, tmp: Path, first_token: str) -> Path:
    for ext in (".hea", ".mat"):
        shutil.copyfile(folder / f"{rec}{ext}", tmp / f"{rec}{ext}")
    hea = tmp / f"{rec}.hea"
    lines = hea.read_text(encoding="latin-1").splitlines(keepends=True)
    assert lines[0].startswith(f"{rec}.mat ")
    lines[0] = first_token + lines[0][len(rec) + 4:]
    hea.write_text("".join(lines), encoding="latin-1")
    return hea


@pytest.mark.parametrize("rec", RECORDS)
def test_record_name_with_signal_extension_reads_like_a_fixed_copy(shared_data, tmp_path, rec):
    folder = _folder(shared_data)
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    raw = read_wfdb(folder / f"{rec}.hea", {})
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before  # nothing written
    assert len(raw.channels) == 12 and raw.fs_hz == 500.0
    fixed = read_wfdb(_copy(folder, rec, tmp_path, rec), {})
    assert [c.name for c in raw.channels] == [c.name for c in fixed.channels]
    for a, b in zip(raw.channels, fixed.channels, strict=True):
        assert a.gain == b.gain and a.baseline == b.baseline
        np.testing.assert_array_equal(a.samples, b.samples)
    assert raw.meta.extra.get("snomed_dx") == fixed.meta.extra.get("snomed_dx")
    assert raw.source_files[0] == folder / f"{rec}.hea"


@pytest.mark.parametrize("token", ["E00099.mat", "E00015.hea", "E00015.MAT.mat", "E00015.edf"])
def test_record_line_naming_another_record_is_refused(shared_data, tmp_path, token):
    hea = _copy(_folder(shared_data), "E00015", tmp_path, token)
    with pytest.raises(HeaderValueError, match="record name"):
        read_wfdb(hea, {})
