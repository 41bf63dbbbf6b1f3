"""QA report 65, F2 and F6 (MFER), on copies of ``mferorg_ECG01.mwf`` written to tmp_path.

F2: a block length (tag 0x04) of 4975 over the sample's 80,000 bytes of waveform data (5000
samples x 8 channels x 2 bytes) opened with every channel after the first shifted (V6 350 ms late
on lead I) and read 要至急; a channel count (tag 0x05) of 2 showed the first 2 of 8 channels. Data
longer than block x channels x sequences x sample size is now refused naming both lengths, as
data too short already was.

F6: channel 2 coded as lead I showed an extra channel ``I_2`` and no duplicate-lead reason; the
copy is now stored as ``I#2`` with the file's label ``I``, and the quality gate names it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ecg_viewer.core.errors import CorruptFileError, InvalidSignalError
from ecg_viewer.io import read_ecg
from ecg_viewer.signal.quality import assess_quality, duplicate_leads

# tag 0x04 (block length, 4 bytes little-endian) 5000, tag 0x05 (channels) 8
BLOCK_5000 = b"\x04\x04\x88\x13\x00\x00"
CHANNELS_8 = b"\x05\x04\x08\x00\x00\x00"
# channel attribute (0x3F) of channel 2: lead code (0x09) 2 = II
CH2_LEAD_II = b"\x3f\x01\x03\x09\x01\x02"


def _copy(samples: Path, tmp: Path, name: str, old: bytes, new: bytes) -> Path:
    src = samples / "mfer" / "mferorg_ECG01.mwf"
    if not src.exists():
        pytest.skip("mferorg_ECG01.mwf is not in ../shared/data/samples/mfer")
    data = src.read_bytes()
    assert data.count(old) == 1
    out = tmp / name
    out.write_bytes(data.replace(old, new))
    return out


@pytest.mark.parametrize(("block", "need"), [(4975, "79,600"), (4000, "64,000"), (2500, "40,000")])
def test_waveform_longer_than_its_block_length_is_refused(samples: Path, tmp_path: Path,
                                                          block: int, need: str) -> None:
    path = _copy(samples, tmp_path, f"block{block}.mwf", BLOCK_5000,
                 b"\x04\x04" + block.to_bytes(4, "little"))
    with pytest.raises(CorruptFileError) as err:
        read_ecg(path)
    ja, en = err.value.message("ja"), err.value.message("en")
    assert path.name in ja and path.name in en
    assert "80,000 バイト" in ja and f"{need} バイト" in ja, ja
    assert f"ブロック長 {block} × 8 チャネル × 1 シーケンス × 2 バイト" in ja, ja
    assert "80,000 bytes in the waveform tag 0x1E" in en and f"{need} bytes" in en, en


def test_fewer_channels_than_the_data_holds_is_refused(samples: Path, tmp_path: Path) -> None:
    path = _copy(samples, tmp_path, "two_channels.mwf", CHANNELS_8, b"\x05\x04\x02\x00\x00\x00")
    with pytest.raises(CorruptFileError, match=path.name) as err:
        read_ecg(path)
    assert "ブロック長 5000 × 2 チャネル" in err.value.message("ja")
    assert "20,000" in err.value.message("en") and "80,000" in err.value.message("en")


def test_data_too_short_is_still_the_signal_error(samples: Path, tmp_path: Path) -> None:
    path = _copy(samples, tmp_path, "block5001.mwf", BLOCK_5000, b"\x04\x04\x89\x13\x00\x00")
    with pytest.raises(InvalidSignalError, match=path.name):
        read_ecg(path)


def test_every_mfer_sample_still_opens_whole(samples: Path) -> None:
    for src in sorted((samples / "mfer").glob("*.mwf")):
        rec = read_ecg(src)
        assert rec.signal_mv.shape[1] > 0 and np.isfinite(rec.signal_mv).all(), src.name


def test_lead_code_used_twice_reaches_the_duplicate_lead_gate(samples: Path, tmp_path: Path) -> None:
    path = _copy(samples, tmp_path, "dup_code.mwf", CH2_LEAD_II, b"\x3f\x01\x03\x09\x01\x01")
    rec = read_ecg(path)
    assert "I#2" in rec.lead_names and rec.original_names["I#2"] == "I"
    assert duplicate_leads(rec) == ("I",)
    report = assess_quality(rec)
    problem = next(p for p in report.problems if p.code == "duplicate_leads")
    assert "I" in problem.leads and not report.ok
