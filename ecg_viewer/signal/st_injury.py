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
  LVH by voltage (Sokolow–Lyon ≥ 3.5 mV or Cornell > 2.8 mV, for women too: see
  :func:`not_assessable`), whose secondary ST changes mimic it (the definition's own exclusions).

Territories: inferior II/III/aVF, lateral I/aVL/V5/V6, anterior V1–V4 (and V4–V5); the two
leads must be contiguous (:data:`CONTIGUOUS`: neighbours in the Cabrera order of the limb leads,
aVL–I and II–aVF–III, or neighbouring chest leads): I with V6, or V1 with V4 over a flat V2–V3,
are not (QA 49).
On 2,121 mV records (PTB-XL 1,987, CinC 134) the pattern is found on 4 with a man's limits for
all (inferior 3, anterior 1), on 5 PTB-XL records with each one's sex and age (a woman's lower
V2–V3 limit adds an anterior one), all labelled myocardial infarction, and on none of the 1,051
labelled normal. Asking for contiguous pairs rather than any two leads of a territory changes
none of them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

TERRITORIES: dict[str, tuple[str, ...]] = {
    "inferior": ("II", "III", "aVF"),
    "lateral": ("I", "aVL", "V5", "V6"),
    "anterior": ("V1", "V2", "V3", "V4"),
}
ELEVATION_MV = 0.1
RECIPROCAL_MV = 0.1
#: the pairs of contiguous leads of each territory (the Cabrera order aVL, I, −aVR, II, aVF,
#: III; the chest leads in their row)
CONTIGUOUS: dict[str, tuple[tuple[str, str], ...]] = {
    "inferior": (("II", "aVF"), ("aVF", "III")),
    "lateral": (("aVL", "I"), ("V5", "V6")),
    # V4-V5 (anterolateral, apical) counted with the anterior wall: the chest leads are one row
    # (QA 53: it fell between the territories and raised nothing)
    "anterior": (("V1", "V2"), ("V2", "V3"), ("V3", "V4"), ("V4", "V5")),
}
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
    """Why the injury pattern cannot be judged ("" when it can): a message key. Cornell's limit
    is 2.8 mV for women too: a woman's 2.0 mV (QA 49) excluded 44 of 157 PTB-XL women from an
    urgent rule (21 before), only 6 of the 23 newly excluded coded LVH (QA 55); an exclusion
    that silences a 要至急 rule is kept narrow."""
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
    """Per territory: when a pair of its contiguous leads (:data:`CONTIGUOUS`) both meet their
    limit at J and at J+60 ms and another territory shows a reciprocal depression, the J-point
    elevation (mV) both leads of the best such pair reach, rounded down to 0.01 mV (the reason
    prints it as "… mV 以上": 0.266 must not read 0.27); 0.0 when it does not show the pattern.
    ``st_j`` / ``st_j60``: lead -> ST level (mV) of the leads that have one."""
    def meets(n: str) -> bool:
        return n in st_j and n in st_j60 and \
            min(st_j[n], st_j60[n]) >= elevation_limit_mv(n, female, age_years)

    out: dict[str, float] = {}
    for name, pairs in CONTIGUOUS.items():
        both = [min(st_j[a], st_j[b]) for a, b in pairs if meets(a) and meets(b)]
        others = [n for other, ls in TERRITORIES.items() if other != name for n in ls
                  if n not in NOT_RECIPROCAL]
        reciprocal = any(min(st_j.get(n, 0.0), st_j60.get(n, 0.0)) <= -RECIPROCAL_MV
                         for n in others)
        out[name] = math.floor(max(both) * 100.0 + 1e-6) / 100.0 if both and reciprocal else 0.0
    return out
