"""QA report 45, F5: a GE MUSE XML whose rhythm leads hold two ``V2`` entries (the first with
V5's samples) opened with V2 = V5's samples and the real V2 as an extra channel ``V2_2`` (the
name ``ecgdatakit`` gives a repeated label), and was read as 異常なし: the duplicate-lead gate,
which catches the same fault in a CSV or WFDB file, did not see it. Files are made from the real
MUSE samples in tmp_path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ecg_viewer.io import read_ecg
from ecg_viewer.signal.quality import assess_quality, duplicate_leads


def _muse_with_two_v2(samples: Path, tmp: Path, name: str, enc: str) -> Path:
    text = (samples / "ge_muse" / name).read_bytes().decode(enc)
    head, rhythm = text.split("<WaveformType>Rhythm</WaveformType>")
    v5 = next(x for x in re.findall(r"<LeadData>.*?</LeadData>", rhythm, flags=re.S)
              if "<LeadID>V5</LeadID>" in x).replace("<LeadID>V5</LeadID>", "<LeadID>V2</LeadID>")
    i = rhythm.index("<LeadData>")
    out = tmp / name
    out.write_bytes((head + "<WaveformType>Rhythm</WaveformType>" + rhythm[:i] + v5
                     + rhythm[i:]).encode(enc))
    return out


@pytest.mark.parametrize(("name", "enc"), [("synthetic_muse.xml", "latin-1"),
                                           ("guangxi_teaching_sinus_rhythm.xml", "utf-8")])
def test_muse_lead_named_twice_is_gated(samples: Path, tmp_path: Path, name: str,
                                        enc: str) -> None:
    rec = read_ecg(_muse_with_two_v2(samples, tmp_path, name, enc))
    assert rec.original_names["V2#2"] == "V2"
    assert duplicate_leads(rec) == ("V2",)
    report = assess_quality(rec)
    assert any(p.code == "duplicate_leads" for p in report.problems)
    assert not report.ok


def test_muse_sample_without_duplicates_is_unchanged(samples: Path) -> None:
    rec = read_ecg(samples / "ge_muse" / "synthetic_muse.xml")
    assert duplicate_leads(rec) == () and not any("#" in n for n in rec.lead_names)
