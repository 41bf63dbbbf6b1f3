"""The frontal-plane axes of a median beat from the net areas of leads I and II (P, QRS, T), and
the axis of the QRS's first 60 ms, by which a left anterior fascicular block is read beside a
complete right bundle branch block. Qt-free and torch-free."""

from __future__ import annotations

import math

import numpy as np

from ecg_viewer.signal.delineate import Fiducials
from ecg_viewer.signal.median import MedianBeat

#: the QRS's first part whose axis an LAFB is read from when a right bundle branch
#: block delays the right ventricle: the terminal rightward forces of the block turn the
#: whole-QRS axis of an RBBB with left anterior fascicular block north-west (QA 60: CinC A0001,
#: A0010, S0002, S0003, JS45549 at -98 to -153 degrees, their first 60 ms at -38 to -78)
INITIAL_QRS_MS = 60.0


def axis_deg(lead_i: float, lead_ii: float) -> float | None:
    """Frontal axis from the net areas of I and II (hexaxial: I at 0 deg, aVF at +90 deg)."""
    vertical = (2.0 * lead_ii - lead_i) / math.sqrt(3.0)
    if math.hypot(lead_i, vertical) < 1e-6:
        return None
    return math.degrees(math.atan2(vertical, lead_i))


def limb_i_ii(mb: MedianBeat) -> tuple[np.ndarray, np.ndarray] | None:
    names = mb.lead_names
    if "I" in names and "II" in names:
        return mb.lead("I").astype(float), mb.lead("II").astype(float)
    if "I" in names and "aVF" in names:
        i = mb.lead("I").astype(float)
        return i, mb.lead("aVF").astype(float) + i / 2.0
    return None


def axes(mb: MedianBeat, f: Fiducials) -> dict[str, float | None]:
    pair = limb_i_ii(mb)
    out: dict[str, float | None] = {"p": None, "qrs": None, "t": None}
    if pair is None or f.qrs_on is None:
        return out
    lead_i, lead_ii = pair
    w = max(int(round(0.02 * mb.fs_hz)), 1)
    base_i = lead_i[max(f.qrs_on - w, 0) : f.qrs_on + 1].mean()
    base_ii = lead_ii[max(f.qrs_on - w, 0) : f.qrs_on + 1].mean()

    def area(a: int | None, b: int | None, bi: float = base_i, bii: float = base_ii) -> float | None:
        if a is None or b is None or b <= a:
            return None
        return axis_deg(float((lead_i[a:b] - bi).sum()), float((lead_ii[a:b] - bii).sum()))

    out["qrs"] = area(f.qrs_on, f.qrs_off)
    out["t"] = area(f.qrs_off, f.t_end)
    if f.p_on is not None and f.p_off is not None:
        # P relative to the level just before P onset
        pi = lead_i[max(f.p_on - w, 0) : f.p_on + 1].mean()
        pii = lead_ii[max(f.p_on - w, 0) : f.p_on + 1].mean()
        out["p"] = area(f.p_on, f.p_off, pi, pii)
    return out


def initial_qrs_axis(mb: MedianBeat, f: Fiducials, ms: float = INITIAL_QRS_MS) -> float | None:
    """The frontal axis of the QRS's first ``ms`` (to the QRS end at most), against the level
    just before its onset, as :func:`axes` reads the whole QRS; None without limb leads or QRS
    bounds."""
    pair = limb_i_ii(mb)
    if pair is None or f.qrs_on is None or f.qrs_off is None:
        return None
    lead_i, lead_ii = pair
    w = max(int(round(0.02 * mb.fs_hz)), 1)
    end = min(f.qrs_off, f.qrs_on + int(round(ms * mb.fs_hz / 1000.0)))
    if end <= f.qrs_on:
        return None
    bi = lead_i[max(f.qrs_on - w, 0) : f.qrs_on + 1].mean()
    bii = lead_ii[max(f.qrs_on - w, 0) : f.qrs_on + 1].mean()
    return axis_deg(float((lead_i[f.qrs_on:end] - bi).sum()),
                    float((lead_ii[f.qrs_on:end] - bii).sum()))
