"""QA report 22, item 10: a WFDB header saved with a UTF-8 byte-order mark (Notepad) is read, as
the CSV and XML readers read one (it was refused as "non-text bytes"): the common layout read
here, and a layout read through ``wfdb`` (which cannot parse the mark itself). Real headers are
copied into tmp_path with a mark put in front."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.io import read_ecg
from ecg_viewer.io.wfdb_header import read_header

BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize(("folder", "name", "signal_ext"), [
    ("wfdb_ptbxl", "00001_lr", ".dat"),  # format 16 in one file: read here
    ("wfdb_cinc2021", "E07500", ".mat"),  # a .mat signal file: read through wfdb
])
def test_header_with_bom(samples: Path, tmp_path: Path, folder: str, name: str,
                         signal_ext: str) -> None:
    src = samples / folder / f"{name}.hea"
    shutil.copy(samples / folder / f"{name}{signal_ext}", tmp_path)
    hea = tmp_path / f"{name}.hea"
    hea.write_bytes(BOM + src.read_bytes())
    assert read_header(hea).bom and not read_header(src).bom
    rec, ref = read_ecg(hea), read_ecg(src)
    assert rec.lead_names == ref.lead_names and rec.fs_hz == ref.fs_hz
    assert np.array_equal(rec.signal_mv, ref.signal_mv)
    assert rec.meta.age_years == ref.meta.age_years and rec.meta.sex == ref.meta.sex
    assert hea.read_bytes().startswith(BOM)  # the source is never written


def test_gain_in_exponent_form_with_bom_goes_through_wfdb(samples: Path, tmp_path: Path) -> None:
    """A gain written ``1e3``-style is read by ``wfdb`` (then cross-checked): it gets the
    header without the mark."""
    src = samples / "wfdb_ptbxl" / "00001_lr.hea"
    shutil.copy(samples / "wfdb_ptbxl" / "00001_lr.dat", tmp_path)
    lines = src.read_text(encoding="latin-1").splitlines()
    lines[1] = lines[1].replace("1000.0(0)/mV", "1.0e3(0)/mV", 1)
    assert "1.0e3" in lines[1]
    hea = tmp_path / "00001_lr.hea"
    hea.write_bytes(BOM + ("\n".join(lines) + "\n").encode("latin-1"))
    assert not read_header(hea).plain_numbers
    assert np.array_equal(read_ecg(hea).signal_mv, read_ecg(src).signal_mv)
