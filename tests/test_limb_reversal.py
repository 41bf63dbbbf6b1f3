"""Arm electrodes exchanged, or every lead's polarity inverted: P, QRS and T all negative in
lead I gate the record with a reason that asks for the electrodes to be checked (QA 65: a
normal ECG with its sign flipped read 要至急 for infarction and injury, with no remark)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecg_viewer.core.record import EcgRecord
from ecg_viewer.io import read_ecg
from ecg_viewer.pipeline.analyze import prepare
from ecg_viewer.signal.quality import NEEDED_LEADS

NORMALS = ["00009_hr.hea", "HR06000.hea"]  # bundled: PTB-XL and CinC records read 異常なし


def _inverted(rec: EcgRecord) -> EcgRecord:
    return rec.with_signal(-rec.signal_mv)


def _arms_exchanged(rec: EcgRecord) -> EcgRecord:
    """What the cart records with RA and LA swapped: I inverted, II <-> III, aVR <-> aVL."""
    names = rec.lead_names
    sig = rec.signal_mv.copy()
    row = names.index
    sig[row("I")] = -rec.signal_mv[row("I")]
    sig[row("II")], sig[row("III")] = rec.signal_mv[row("III")], rec.signal_mv[row("II")]
    sig[row("aVR")], sig[row("aVL")] = rec.signal_mv[row("aVL")], rec.signal_mv[row("aVR")]
    return rec.with_signal(sig)


def _reversal(rec: EcgRecord):
    prepared, meas = prepare(rec)
    return prepared, [p for p in prepared.quality.problems if p.code == "limb_reversal"]


@pytest.mark.parametrize("name", NORMALS)
@pytest.mark.parametrize("fault", [_inverted, _arms_exchanged])
def test_mirrored_limb_leads_gate_the_record(bundled_samples: Path, name, fault):
    rec = read_ecg(bundled_samples / name)
    prepared, found = _reversal(rec)
    assert prepared.quality.ok and not found  # the record as recorded
    prepared, found = _reversal(fault(rec))
    assert not prepared.quality.ok and len(found) == 1
    ja, en = found[0].reason.text("ja"), found[0].reason.text("en")
    assert "電極の付け違い" in ja and "記録し直して" in ja and "P 波・QRS・T 波" in ja
    assert "arm electrodes" in en and "record again" in en
    # the intervals do not depend on polarity: shown as measured, not greyed
    assert prepared.measurements["confidence"].get("qrs_ms", 1.0) >= 0.5


def test_no_real_sample_or_cart_record_is_taken_for_a_reversal(samples: Path, shared_data: Path):
    files = [p for p in (*sorted(samples.rglob("*")), *sorted((shared_data / "cart_reference").rglob("*")))
             if p.is_file() and p.suffix.lower() in {".hea", ".xml", ".dcm", ".scp", ".mwf", ".edf"}]
    seen = 0
    for path in files:
        try:
            rec = read_ecg(path)
        except ValueError:  # EcgReadError: the readers' tests cover these
            continue
        if not set(NEEDED_LEADS) <= set(rec.lead_names) or rec.duration_s < 5.0:
            continue
        seen += 1
        _, found = _reversal(rec)
        assert not found, (path.name, found[0].reason.text("en"))
    assert seen >= 40
