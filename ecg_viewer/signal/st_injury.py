"""ST elevation of the acute-infarction (injury) type, per territory, from the per-lead ST levels.

Fourth universal definition of myocardial infarction (Thygesen et al. 2018), ECG manifestations
of acute myocardial ischaemia in the absence of LVH and LBBB: new ST elevation at the J point in
two contiguous leads of ≥ 0.1 mV in every lead other than V2–V3, where it is ≥ 0.2 mV in men
≥ 40 years, ≥ 0.25 mV in men < 40 years and ≥ 0.15 mV in women. Here, to tell an injury current
from the ST elevation of early repolarisation or pericarditis (both category C, ST上昇 in the
reference doc; "marked ST elevation (injury pattern)" is 要至急):

- the elevation must hold at J and still at J+60 ms (an early-repolarisation notch at J does not);
- a reciprocal ST depression of ≥ 0.1 mV (at J or J+60 ms) in a lead of another territory, aVR
  and V1 left out (they mirror a diffuse elevation, as in pericarditis);
- not assessed with a QRS ≥ 120 ms (bundle branch block, ventricular pacing), pacing spikes, or
  LVH by voltage (Sokolow–Lyon ≥ 3.5 mV or Cornell > 2.8 mV), whose secondary ST changes mimic
  it (the definition's own exclusions).

Territories (contiguous leads): inferior II/III/aVF, lateral I/aVL/V5/V6, anterior V1–V4.
On 2,121 mV records (PTB-XL 1,987, CinC 134) the pattern is found on 4 with a man's limits for
all (inferior 3, anterior 1), on 8 PTB-XL records with each one's sex and age (the women's lower
V2–V3 limit adds anterior ones), all labelled myocardial infarction, and on none of the 1,051
labelled normal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TERRITORIES: dict[str, tuple[str, ...]] = {
    "inferior": ("II", "III", "aVF"),
    "lateral": ("I", "aVL", "V5", "V6"),
    "anterior": ("V1", "V2", "V3", "V4"),
}
ELEVATION_MV = 0.1
RECIPROCAL_MV = 0.1
NOT_RECIPROCAL = ("aVR", "V1")
WIDE_QRS_MS = 120.0
SOKOLOW_LVH_MV = 3.5
CORNELL_LVH_MV = 2.8


def elevation_limit_mv(lead: str, female: bool | None, age_years: float | None) -> float:
    """The J-point elevation that counts in ``lead`` (UDMI 2018; sex unknown: a man's limit)."""
    if lead not in ("V2", "V3"):
        return ELEVATION_MV
    if female:
        return 0.15
    return 0.25 if age_years is not None and age_years < 40 else 0.2


def not_assessable(qrs_ms: float | None, paced: bool, sokolow_mv: Any, cornell_mv: Any) -> str:
    """Why the injury pattern cannot be judged ("" when it can): a message key."""
    if paced:
        return "crit.st_injury_paced"
    if qrs_ms is not None and qrs_ms >= WIDE_QRS_MS:
        return "crit.st_injury_wide_qrs"
    if (isinstance(sokolow_mv, float) and sokolow_mv >= SOKOLOW_LVH_MV) or \
            (isinstance(cornell_mv, float) and cornell_mv > CORNELL_LVH_MV):
        return "crit.st_injury_lvh"
    return ""


def st_injury(st_j: Mapping[str, float], st_j60: Mapping[str, float], *, female: bool | None,
              age_years: float | None) -> dict[str, float]:
    """Per territory: the second-largest J-point elevation (mV) of its leads when ≥ 2 of them
    meet their limit at J and at J+60 ms and another territory shows a reciprocal depression;
    0.0 when it does not show the pattern. ``st_j`` / ``st_j60``: lead -> ST level (mV) of the
    leads that have one."""
    out: dict[str, float] = {}
    for name, leads in TERRITORIES.items():
        up = sorted((st_j[n] for n in leads if n in st_j and n in st_j60
                     and min(st_j[n], st_j60[n]) >= elevation_limit_mv(n, female, age_years)),
                    reverse=True)
        others = [n for other, ls in TERRITORIES.items() if other != name for n in ls
                  if n not in NOT_RECIPROCAL]
        reciprocal = any(min(st_j.get(n, 0.0), st_j60.get(n, 0.0)) <= -RECIPROCAL_MV
                         for n in others)
        out[name] = float(up[1]) if len(up) >= 2 and reciprocal else 0.0
    return out
