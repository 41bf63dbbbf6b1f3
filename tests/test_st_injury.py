"""ST elevation of the acute-infarction type (QA 46: Philips 129DYPRG, an acute inferior STEMI with
reciprocal depression in aVL, which the cart prints as ">>> Acute MI <<<", read 要精査 as an old
inferior infarction): the pattern per territory, what it is not (early repolarisation,
pericarditis, a notch at J), and the 要至急 it raises on the real record."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecg_viewer.io import read_ecg
from ecg_viewer.pipeline.analyze import Analyzer
from ecg_viewer.signal.st_injury import elevation_limit_mv, not_assessable, st_injury

LEADS = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")


def _st(**mv: float) -> dict[str, float]:
    return {n: mv.get(n, 0.0) for n in LEADS}


def test_the_injury_pattern_per_territory() -> None:
    inferior = _st(II=0.25, III=0.29, aVF=0.27, aVL=-0.16, aVR=-0.11)
    assert st_injury(inferior, inferior, female=False, age_years=50) == \
        {"inferior": 0.27, "lateral": 0.0, "anterior": 0.0}  # the second-largest elevation
    anterior = _st(V2=0.35, V3=0.3, V4=0.2, III=-0.12)
    assert st_injury(anterior, anterior, female=None, age_years=None)["anterior"] == 0.3
    # V4-V5, neighbouring chest leads across the territories (QA 53: it raised nothing)
    apical = _st(V3=0.18, V4=0.35, V5=0.3, V6=0.05, III=-0.15, aVF=-0.12)
    assert st_injury(apical, apical, female=False, age_years=60)["anterior"] == 0.3


@pytest.mark.parametrize("what, st_j, st_j60", [
    # early repolarisation / pericarditis: diffuse elevation, depression only in aVR and V1
    ("no reciprocal depression", _st(II=0.2, aVF=0.2, V4=0.2, V5=0.2, V6=0.15, aVR=-0.2, V1=-0.1),
     None),
    ("one lead only", _st(III=0.3, aVL=-0.2), None),
    ("a notch at J, gone by J+60 ms", _st(II=0.2, III=0.2, aVF=0.2, aVL=-0.15),
     _st(II=0.05, III=0.05, aVF=0.05, aVL=-0.15)),
    ("V2-V3 under a man's 0.2 mV", _st(V2=0.18, V3=0.18, III=-0.15), None),
    # QA 49: two leads of a territory that are not neighbours are not contiguous
    ("I with V6", _st(I=0.12, V6=0.12, III=-0.15), None),
    ("V1 with V4 over a flat V2-V3", _st(V1=0.12, V4=0.12, III=-0.15), None),
])
def test_what_is_not_the_injury_pattern(what: str, st_j: dict, st_j60: dict | None) -> None:
    found = st_injury(st_j, st_j60 or st_j, female=False, age_years=55)
    assert found == {"inferior": 0.0, "lateral": 0.0, "anterior": 0.0}, what


def test_the_limits_and_exclusions_of_the_definition() -> None:
    assert elevation_limit_mv("II", False, 30) == 0.1
    assert (elevation_limit_mv("V2", True, 30), elevation_limit_mv("V3", False, 30),
            elevation_limit_mv("V3", False, 60), elevation_limit_mv("V2", None, None)) == \
        (0.15, 0.25, 0.2, 0.2)
    women = _st(V2=0.18, V3=0.18, III=-0.15)
    assert st_injury(women, women, female=True, age_years=55)["anterior"] == 0.18
    assert not_assessable(100.0, False, 2.0, 1.5) == ""
    assert not_assessable(130.0, False, 2.0, 1.5) == "crit.st_injury_wide_qrs"
    assert not_assessable(100.0, True, 2.0, 1.5) == "crit.st_injury_paced"
    assert not_assessable(100.0, False, 3.9, 1.5) == "crit.st_injury_lvh"
    # Cornell's 2.8 mV for women too: a woman's 2.0 mV silenced the urgent rule for many more
    # women than have LVH (QA 55)
    assert not_assessable(100.0, False, 2.0, 2.4) == ""


def test_the_figure_the_reason_prints_is_reached_by_both_leads() -> None:
    """QA 49: 0.266 mV was printed 「0.27 mV 以上」, which no lead reached."""
    from ecg_viewer.core.messages import tr

    st = _st(II=0.266, III=0.268, aVF=0.3, aVL=-0.15)
    value = st_injury(st, st, female=False, age_years=60)["inferior"]
    assert value == 0.26
    assert "0.26 mV 以上" in tr("referral.rule.st_injury_inferior", "ja", value=value)
    assert "隣接する 2 誘導" in tr("referral.rule.st_injury_inferior", "ja", value=value)


def test_a_record_without_a_median_beat_says_why_for_the_stemi_rows(samples: Path) -> None:
    """QA 49 F7: the three STEMI values had neither a value nor a reason there."""
    from ecg_viewer.core.criteria_features import ST_INJURY_FEATURES
    from ecg_viewer.signal.criteria import criteria_features
    from ecg_viewer.signal.measure import measure

    path = samples / "hl7aecg" / "fda_minimum_aecg.xml"
    if not path.exists():
        pytest.skip("fda_minimum_aecg.xml is not in ../shared/data/samples/hl7aecg")
    rec = read_ecg(path)
    for meas in (measure(rec), None):
        cf = criteria_features(rec, meas, amplitude_valid=True)
        for name in ST_INJURY_FEATURES.values():
            assert name in cf.values and cf.values[name] is None and cf.reasons.get(name), name


def test_an_acute_inferior_stemi_is_urgent(samples: Path, bundled_samples: Path) -> None:
    stemi = samples / "philips_xml" / "129DYPRG.xml"
    if not stemi.exists():
        pytest.skip("129DYPRG.xml is not in ../shared/data/samples/philips_xml")
    analyzer = Analyzer(load_model=False)
    a = analyzer.analyze(read_ecg(stemi))
    assert a.criteria["values"]["st_injury_inferior_mv"] >= 0.2
    assert a.referral.level == "urgent" and "st_injury_inferior" in a.referral.because
    assert "急性心筋梗塞" in " ".join(a.referral.reasons("ja")) and \
        "Suspected acute STEMI" in " ".join(a.referral.reasons("en"))
    # a normal ECG: measured, no pattern, nothing raised
    b = analyzer.analyze(read_ecg(bundled_samples / "00009_hr.hea"))
    assert {b.criteria["values"][k] for k in ("st_injury_inferior_mv", "st_injury_lateral_mv",
                                              "st_injury_anterior_mv")} == {0.0}
    assert not any(r.startswith("st_injury") for r in b.referral.because)


@pytest.mark.parametrize("p_present, irregular, low, expected", [
    (False, False, [], 40.0),     # no P wave, regular: the rate is given to the rule
    (True, False, [], None),      # P waves
    (False, True, [], None),      # irregular: atrial fibrillation, not this rule
    (False, False, ["hr_bpm"], None),  # a rate of low confidence decides nothing
])
def test_the_slow_regular_rhythm_without_p_measure(p_present, irregular, low, expected) -> None:
    """QA 46: PTB-XL 959, complete AV block at 40/min (regular, no conducted P wave), read
    心房細動 要精査; the rule reads the rate of a regular rhythm in which no P wave is found."""
    from ecg_viewer.labels.referral_rules import referral_measurements

    out = referral_measurements({"hr_bpm": 40.0, "low_confidence": low},
                                {"p_present": p_present, "rr_irregular": irregular})
    assert out["regular_no_p_hr_bpm"] == expected


def test_the_reading_strip_and_the_worklist_say_why_first(samples: Path, qtbot) -> None:
    """QA 48: in reading mode and in the worklist an acute STEMI read 「要至急 ● 洞徐脈 ● 下壁心筋梗塞」:
    the model's findings only, not the ST elevation that raised 要至急. A measurement rule's
    reason now comes first."""
    import dataclasses

    from ecg_viewer.core.messages import set_language
    from ecg_viewer.core.prediction import (
        LabelScore,
        ModelInfo,
        Prediction,
        measured_reasons_of,
    )
    from ecg_viewer.gui.suggestion_strip import SuggestionStrip

    stemi = samples / "philips_xml" / "129DYPRG.xml"
    if not stemi.exists():
        pytest.skip("129DYPRG.xml is not in ../shared/data/samples/philips_xml")
    a = Analyzer(load_model=False).analyze(read_ecg(stemi))
    brady = LabelScore("sinus_bradycardia", "洞徐脈", "sinus bradycardia", 0.6, 0.9, 0.55, "C")
    a = dataclasses.replace(a, prediction=Prediction((brady,), ModelInfo("t", "0" * 64, "c",
                                                                         "cpu")))
    assert a.referral.measured_reasons("ja")[0].startswith("急性心筋梗塞（STEMI）疑い：下壁誘導（II・III・aVF）の隣接する 2 誘導で J 点の ST 上昇 0.27 mV 以上")
    set_language("ja")
    strip = SuggestionStrip()
    qtbot.addWidget(strip)
    strip.show_analysis(a)
    text = strip.full_text()
    assert text.index("STEMI") < text.index("洞徐脈")
    row = a.referral.to_dict()
    assert measured_reasons_of(row, "en")[0].startswith("Suspected acute STEMI: ST elevation of 0.27 mV or more at J")
