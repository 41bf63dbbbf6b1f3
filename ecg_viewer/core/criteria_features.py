"""The ECG criteria features of one record as data: what signal/criteria.py computes and what
labels/ (criteria consistency, fusion), report/ and gui/ read. Plain numpy, no Qt, no torch.

``FEATURE_NAMES`` / :meth:`CriteriaFeatures.as_vector` are the fixed numeric form the fusion is
fitted on (NaN = missing, booleans 0/1); the definitions are in :mod:`ecg_viewer.signal.criteria`.
Changing the list or any definition means refitting the fusion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: The numeric vector of the fusion, in this order (see the module docstring).
FEATURE_NAMES: tuple[str, ...] = (
    "hr_bpm", "rr_irregularity", "rr_irregular", "p_present", "p_axis_deg", "pr_ms",
    "p_ii_ms", "p_ii_mv", "ptf_v1_mv_ms", "qrs_ms", "qrs_axis_deg", "t_axis_deg",
    "qtc_bazett_ms", "qtc_fridericia_ms", "paced",
    "r_v1_mv", "s_v1_mv", "r_v3_mv", "rprime_v1v2", "rprime_v1v2_mv", "r_peak_time_v1_ms",
    "r_peak_time_v6_ms", "s_i_ms", "s_v6_ms", "broad_s_i_v6", "q_i_ms", "q_v6_ms",
    "q_waves_inferior", "q_waves_lateral", "q_waves_anterior", "q_waves_septal",
    "q_inferior_ms", "q_anteroseptal_ms",
    "sokolow_lyon_mv", "cornell_mv", "ravl_mv", "qrs_pp_limb_max_mv",
    "qrs_pp_precordial_max_mv", "low_voltage_limb", "low_voltage_precordial",
    "st_j60_max_mv", "st_j60_min_mv", "st_j60_inferior_mv", "st_j60_lateral_mv",
    "st_j60_anterior_mv", "t_min_inferior_mv", "t_min_lateral_mv", "t_min_anterior_mv",
    "t_max_precordial_mv", "t_inverted_leads",
)  # fmt: skip

Value = float | bool | None

#: territory -> the feature of its ST elevation of the injury type (signal/st_injury.py), which
#: the referral rules read; not in the fusion's vector
ST_INJURY_FEATURES: dict[str, str] = {
    "inferior": "st_injury_inferior_mv", "lateral": "st_injury_lateral_mv",
    "anterior": "st_injury_anterior_mv",
}  # fmt: skip


#: features the criteria table reads that are not in the fusion's vector: the axis a left anterior
#: fascicular block is read from (signal/criteria.py; the QRS's first 60 ms beside a complete RBBB)
EXTRA_FEATURES: tuple[str, ...] = ("fascicular_axis_deg",)


@dataclass(frozen=True)
class CriteriaFeatures:
    """``values``: name -> value (None = not measurable); ``reasons``: name -> message key."""

    values: dict[str, Value] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    amplitude_valid: bool = True

    def get(self, name: str) -> Value:
        return self.values.get(name)

    def as_vector(self) -> np.ndarray:
        """float64 [len(FEATURE_NAMES)]: booleans 0/1, None -> NaN."""
        out = np.full(len(FEATURE_NAMES), np.nan)
        for i, name in enumerate(FEATURE_NAMES):
            v = self.values.get(name)
            if v is not None:
                out[i] = float(v)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CriteriaFeatures:
        """The inverse of :meth:`to_dict` (e.g. from ``analyze --json``'s "criteria")."""
        return cls(dict(d.get("values", {})), dict(d.get("reasons", {})),
                   bool(d.get("amplitude_valid", True)))

    def to_dict(self) -> dict[str, Any]:
        return {"values": dict(self.values), "reasons": dict(self.reasons),
                "amplitude_valid": self.amplitude_valid}  # fmt: skip
