"""A value greyed for its beat-to-beat spread decides nothing, in either direction (QA 60): it
never holds a rule about another, trusted value back, and a group of beats whose P onset stops on
the edge of its search window is no spread."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecg_viewer.io import read_ecg
from ecg_viewer.labels.referral import decide_referral
from ecg_viewer.signal.measure import measure

QT = {"hr_bpm": 70.0, "pr_ms": 160.0, "qt_ms": 560.0, "qtc_bazett_ms": 605.0,
      "qtc_fridericia_ms": 589.0, "qrs_axis_deg": 40.0}


@pytest.mark.parametrize("qrs, qtm, low, rng, rules", [
    (100.0, None, [], None, {"qtc_fridericia_very_long", "qtc_bazett_very_long"}),
    (118.0, None, ["qrs_ms"], None, {"qtc_fridericia_very_long", "qtc_bazett_very_long"}),
    # a greyed QRS at 122 ms (its groups 116-126) must not silence a trusted QTcF of 589 ms
    (122.0, 525.0, ["qrs_ms", "qtc_modified_ms"], [116.0, 126.0],
     {"qtc_fridericia_very_long", "qtc_bazett_very_long"}),
    (122.0, 525.0, ["qrs_ms", "qtc_modified_ms"], None,
     {"qtc_fridericia_very_long", "qtc_bazett_very_long"}),
    # every group wide: the wide-QRS reading decides, the plain QTc rules stay silent
    (150.0, 525.0, ["qrs_ms"], [144.0, 158.0], {"qtc_modified_very_long"}),
    (122.0, 525.0, [], None, {"qtc_modified_very_long"}),
])
def test_a_greyed_qrs_never_silences_a_trusted_qtc(qrs, qtm, low, rng, rules) -> None:
    m = {**QT, "qrs_ms": qrs, "qtc_modified_ms": qtm, "low_confidence": low,
         **({"range": {"qrs_ms": rng}} if rng else {})}
    r = decide_referral([], m)
    assert r.level == "urgent" and set(r.because) == rules, r


@pytest.mark.shared_data
def test_the_wide_qrs_qtc_is_trusted_when_only_the_qrs_spread_greys_it(shared_data: Path) -> None:
    """braveheart_example4 (paced, QRS 144 ms greyed, its groups 144-158 ms): QT - 0.485 x QRS moves
    by 7 ms over that spread, so the QTc for a wide QRS keeps the QT's confidence (it was greyed
    with the QRS, 0.42, and no QTc rule could read this record)."""
    m = measure(read_ecg(shared_data / "cart_reference" / "braveheart_example4.xml")).to_dict()
    assert "qrs_ms" in m["low_confidence"] and m["range"]["qrs_ms"][0] >= 120
    assert m["qtc_modified_ms"] is not None and "qtc_modified_ms" not in m["low_confidence"]


@pytest.mark.shared_data
@pytest.mark.parametrize("record", ["S0005", "JS00011"])
def test_a_p_onset_on_the_search_edge_in_one_group_is_no_spread(shared_data: Path,
                                                                record: str) -> None:
    """S0005 (PTB, first-degree AV block: PR 222 ms on every beat) and JS00011 (PR 168 ms): one
    group of beats stopped its P search on the window's edge (320 ms) and greyed the PR as
    varying beat to beat (0.04, 0.02). The PR is now trusted, the P wave present; on S0005 the
    PR rule names the first-degree AV block."""
    from ecg_viewer.pipeline.analyze import Analyzer

    a = Analyzer(device="cpu", load_model=False).analyze(
        read_ecg(shared_data / "cinc_extra" / f"{record}.hea"))
    m = a.measurements
    assert "pr_ms" not in m["low_confidence"] and m["confidence"]["p_present"] == 1.0
    assert "pr_ms" not in (m.get("range") or {})
    if record == "S0005":
        assert m["pr_ms"] > 200 and "pr_long" in a.referral.because
