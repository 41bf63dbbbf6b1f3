"""Which criteria features may be shown as the reason for a fused probability.

The logistic fusion weighs every feature for every label; some weights are statistical, not
clinical (the RR irregularity pushed 前壁中隔心筋梗塞 on one record). The table
``resources/labels/fusion_evidence.json`` (reviewed, like the catalog) lists per fused label the
feature groups a clinician reads that finding from; :func:`relevant_features` gives them, and
``labels/fusion.py`` shows only those features, and only when they pushed the probability toward
the label. A label the table does not list shows no feature (its similarity only).
Qt-free and torch-free.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ecg_viewer.core.paths import resources_dir
from ecg_viewer.labels.referral_rules import RulesError, read_rule_table

#: criteria features that are yes/no (0/1 in the fusion's vector): shown as あり/なし
YES_NO = frozenset({"rr_irregular", "p_present", "paced", "rprime_v1v2", "broad_s_i_v6",
                    "q_waves_inferior", "q_waves_lateral", "q_waves_anterior", "q_waves_septal",
                    "low_voltage_limb", "low_voltage_precordial"})


def default_fusion_evidence_path() -> Path:
    return resources_dir() / "labels" / "fusion_evidence.json"


@dataclass(frozen=True)
class EvidenceTable:
    version: str
    labels: dict[str, frozenset[str]]  # label id -> feature names

    def features(self, label_id: str) -> frozenset[str]:
        return self.labels.get(label_id, frozenset())

    def unknown_features(self, known: Iterable[str]) -> set[str]:
        """Feature names the table uses that ``known`` (a fusion's features) lacks."""
        return set().union(*self.labels.values()) - set(known) if self.labels else set()


def load_fusion_evidence(path: str | Path | None = None) -> EvidenceTable:
    """Read the table: ``groups`` (name -> feature names) and ``labels`` (label id -> group
    names or feature names)."""
    file = Path(path) if path is not None else default_fusion_evidence_path()
    raw = read_rule_table(file)
    groups, labels = raw.get("groups", {}), raw.get("labels", {})
    if not isinstance(groups, dict) or not isinstance(labels, dict):
        raise RulesError(file, "'groups' and 'labels' must be objects")
    for name, feats in groups.items():
        if not isinstance(feats, list) or not all(isinstance(f, str) and f for f in feats):
            raise RulesError(file, f"group {name!r} must be a list of feature names")
    out: dict[str, frozenset[str]] = {}
    for lab, items in labels.items():
        if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
            raise RulesError(file, f"label {lab!r} must list group or feature names")
        feats: set[str] = set()
        for item in items:
            feats.update(groups.get(item, [item]))
        out[lab] = frozenset(feats)
    return EvidenceTable(raw["version"], out)


@lru_cache(maxsize=1)
def default_fusion_evidence() -> EvidenceTable:
    return load_fusion_evidence()


def relevant_features(label_id: str) -> frozenset[str]:
    """The features that may be shown as reasons for ``label_id`` (empty when none)."""
    return default_fusion_evidence().features(label_id)
