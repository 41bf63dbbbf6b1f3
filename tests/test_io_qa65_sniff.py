"""QA report 65, F7: any file named ``.hea`` was read as WFDB before the other readers looked at
its bytes, so an EDF named ``.hea`` was "too large (3 MB, limit 1 MB)", an ECG XML had 「信号数 =
'version="1.0"'」 and DICOM/MFER/SCP were "binary data (NUL bytes)". The README promises magic
bytes first: such files are now read by their content; a real WFDB header is still WFDB, and
bytes no reader knows still get the WFDB reader's message.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ecg_viewer.core.errors import EcgReadError
from ecg_viewer.io import detect_format, read_ecg

OTHER_FORMATS = {
    "dicom/marcodebe_anonymous_ecg.dcm": "dicom",
    "mfer/mferorg_ECG01.mwf": "mfer",
    "scp_ecg/ecgtoolkit_Example.scp": "scp",
    "edf/test_generator_2.edf": "edf",
    "ge_muse/guangxi_teaching_sinus_rhythm.xml": "ge_muse",
    "philips_xml/129DYPRG.xml": "philips_xml",
    "hl7aecg/fda_Example_aECG.xml": "hl7aecg",
}


@pytest.mark.parametrize("name", sorted(OTHER_FORMATS))
def test_another_format_named_hea_is_read_by_its_content(samples: Path, tmp_path: Path,
                                                         name: str) -> None:
    path = tmp_path / "record.hea"
    shutil.copyfile(samples / name, path)
    assert detect_format(path).name == OTHER_FORMATS[name]
    rec = read_ecg(path)
    assert rec.format == OTHER_FORMATS[name]
    assert rec.signal_mv.shape == read_ecg(samples / name).signal_mv.shape


@pytest.mark.parametrize("record", ["00009_hr", "E07505"])
def test_a_real_wfdb_header_is_still_wfdb(bundled_samples: Path, tmp_path: Path,
                                          record: str) -> None:
    for src in bundled_samples.glob(f"{record}.*"):
        shutil.copyfile(src, tmp_path / src.name)
    hea = tmp_path / f"{record}.hea"
    assert detect_format(hea).name == "wfdb"
    assert read_ecg(hea).format == "wfdb"


def test_shared_wfdb_samples_are_still_wfdb(samples: Path) -> None:
    for hea in [*sorted((samples / "wfdb").glob("*.hea")), samples / "wfdb_cinc2021" / "E07500.hea"]:
        assert detect_format(hea).name == "wfdb", hea.name


def test_unknown_bytes_named_hea_still_get_the_wfdb_message(tmp_path: Path) -> None:
    path = tmp_path / "noise.hea"
    path.write_bytes(bytes(range(256)) * 8)
    assert detect_format(path).name == "wfdb"
    with pytest.raises(EcgReadError, match="noise.hea") as err:
        read_ecg(path)
    assert "WFDB" in err.value.message("ja")
