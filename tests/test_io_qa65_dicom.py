"""QA report 65, F3 and F6 (DICOM), on copies of ``marcodebe_anonymous_ecg.dcm`` (12 channels x
10,000 samples x 2 bytes = 240,000 bytes of WaveformData) changed with pydicom in tmp_path.

F3: NumberOfWaveformChannels 8 over 12 channel definitions and 12-channel data opened as 8
de-interleaved leads of garbage; NumberOfWaveformSamples 8000 over 10,000 samples dropped 2 s
without a word. Each number was range-checked alone, never against the others; now the channel
definitions must number NumberOfWaveformChannels and WaveformData must hold channels x samples x
bytes, longer or shorter, and the refusal names both values.

F6: V1 coded as lead II showed ``II_2`` and no duplicate-lead reason; it is now ``II#2`` with the
file's label ``II``, and the quality gate names it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from ecg_viewer.core.errors import CorruptFileError
from ecg_viewer.io import read_ecg
from ecg_viewer.signal.quality import assess_quality, duplicate_leads


def _changed(samples: Path, tmp: Path, name: str, change: Callable[[object], None]) -> Path:
    import pydicom

    src = samples / "dicom" / "marcodebe_anonymous_ecg.dcm"
    if not src.exists():
        pytest.skip("marcodebe_anonymous_ecg.dcm is not in ../shared/data/samples/dicom")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pydicom.dcmread(src)
        change(ds.WaveformSequence[0])
        out = tmp / name
        ds.save_as(out)
    return out


def _set(keyword: str, value: int) -> Callable[[object], None]:
    return lambda wf: setattr(wf, keyword, value)


def _refusal(path: Path) -> tuple[str, str]:
    with pytest.raises(CorruptFileError) as err:
        read_ecg(path)
    ja, en = err.value.message("ja"), err.value.message("en")
    assert path.name in ja and path.name in en
    assert "DICOM 波形 (.dcm)" in ja
    return ja, en


def test_channel_count_disagreeing_with_the_definitions_is_refused(samples: Path,
                                                                   tmp_path: Path) -> None:
    ja, en = _refusal(_changed(samples, tmp_path, "nchan8.dcm", _set("NumberOfWaveformChannels", 8)))
    assert "NumberOfWaveformChannels（8）" in ja and "12 個のチャネル定義" in ja, ja
    assert "NumberOfWaveformChannels (8)" in en and "12 channel definitions" in en, en


def test_a_missing_channel_definition_is_refused(samples: Path, tmp_path: Path) -> None:
    def drop_last(wf) -> None:
        import pydicom

        wf.ChannelDefinitionSequence = pydicom.sequence.Sequence(list(wf.ChannelDefinitionSequence)[:11])

    ja, _ = _refusal(_changed(samples, tmp_path, "defs11.dcm", drop_last))
    assert "NumberOfWaveformChannels（12）" in ja and "11 個のチャネル定義" in ja, ja


@pytest.mark.parametrize(("n", "need"), [(8000, "192,000"), (9999, "239,976"), (12000, "288,000")])
def test_data_length_disagreeing_with_the_sample_count_is_refused(samples: Path, tmp_path: Path,
                                                                  n: int, need: str) -> None:
    ja, en = _refusal(_changed(samples, tmp_path, f"nsamp{n}.dcm",
                               _set("NumberOfWaveformSamples", n)))
    assert "WaveformData 240,000 バイト" in ja and f"{need} バイト" in ja, ja
    assert f"NumberOfWaveformChannels 12 × NumberOfWaveformSamples {n} × 2 バイト" in ja, ja
    assert "240,000 bytes of WaveformData" in en and f"{need} bytes" in en, en


def test_the_sample_still_opens(samples: Path) -> None:
    rec = read_ecg(samples / "dicom" / "marcodebe_anonymous_ecg.dcm")
    assert rec.signal_mv.shape == (12, 10000)


def test_lead_code_used_twice_reaches_the_duplicate_lead_gate(samples: Path, tmp_path: Path) -> None:
    def v1_as_ii(wf) -> None:
        defs = wf.ChannelDefinitionSequence
        for key in ("CodeMeaning", "CodeValue"):
            setattr(defs[6].ChannelSourceSequence[0], key,
                    getattr(defs[1].ChannelSourceSequence[0], key))

    rec = read_ecg(_changed(samples, tmp_path, "dup_ii.dcm", v1_as_ii))
    assert rec.original_names["II#2"] == "II"
    assert duplicate_leads(rec) == ("II",)
    report = assess_quality(rec)
    assert any(p.code == "duplicate_leads" and "II" in p.leads for p in report.problems)
    assert not report.ok
    assert "II#2" in rec.meta.extra["channel_ids_in_file"]  # the copy's own code, not overwritten
