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


def _net_axis(pair: tuple[np.ndarray, np.ndarray], a: int | None, b: int | None, ref: int,
              w: int) -> float | None:
    """The axis of the net areas of I and II over ``a:b`` against their level over the ``w``
    samples up to ``ref``; None for an empty span."""
    if a is None or b is None or b <= a:
        return None
    lead_i, lead_ii = pair
    bi, bii = (x[max(ref - w, 0) : ref + 1].mean() for x in pair)
    return axis_deg(float((lead_i[a:b] - bi).sum()), float((lead_ii[a:b] - bii).sum()))


def _window(mb: MedianBeat) -> int:
    return max(int(round(0.02 * mb.fs_hz)), 1)  # the 20 ms whose level is the baseline


def axes(mb: MedianBeat, f: Fiducials) -> dict[str, float | None]:
    """P, QRS and T axes; the QRS and T against the level just before the QRS onset, the P
    against the level just before its own onset."""
    pair = limb_i_ii(mb)
    out: dict[str, float | None] = {"p": None, "qrs": None, "t": None}
    if pair is None or f.qrs_on is None:
        return out
    w = _window(mb)
    out["qrs"] = _net_axis(pair, f.qrs_on, f.qrs_off, f.qrs_on, w)
    out["t"] = _net_axis(pair, f.qrs_off, f.t_end, f.qrs_on, w)
    if f.p_on is not None and f.p_off is not None:
        out["p"] = _net_axis(pair, f.p_on, f.p_off, f.p_on, w)
    return out


def initial_qrs_axis(mb: MedianBeat, f: Fiducials, ms: float = INITIAL_QRS_MS) -> float | None:
    """The frontal axis of the QRS's first ``ms`` (to the QRS end at most), against the level
    just before its onset, as :func:`axes` reads the whole QRS; None without limb leads or QRS
    bounds."""
    pair = limb_i_ii(mb)
    if pair is None or f.qrs_on is None or f.qrs_off is None:
        return None
    end = min(f.qrs_off, f.qrs_on + int(round(ms * mb.fs_hz / 1000.0)))
    return _net_axis(pair, f.qrs_on, end, f.qrs_on, _window(mb))
