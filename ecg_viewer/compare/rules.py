"""The comparison thresholds, as data: ``resources/compare/comparison_rules.json``.

Each measurement rule marks a change (current - prior) that reaches ``up`` (or falls by ``down``)
and, when it has a ``level``, raises the referral flag to at least that level. The axis section
says which frontal QRS axes count as deviated (the same ranges as the referral rules), and
``new_findings`` gives the least level of a finding that is new since the prior ECG.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ecg_viewer.core.errors import EcgError
from ecg_viewer.core.messages import MESSAGES, Bilingual
from ecg_viewer.core.paths import resources_dir
from ecg_viewer.core.prediction import REFERRAL_LEVELS
from ecg_viewer.labels.referral_rules import read_rule_table, rule_entry

_LEVELS = tuple(level for level in REFERRAL_LEVELS if level != "unreadable")


class ComparisonRulesError(EcgError, ValueError):
    """The comparison rule table is missing or does not follow the schema."""

    def __init__(self, file: str | Path, problem: str) -> None:
        self.file = str(file)
        self.problem = problem
        super().__init__("compare.rules_invalid", file=self.file, problem=problem)


@dataclass(frozen=True)
class ChangeRule:
    id: str
    key: str  # measurement key (hr_bpm, qtc_bazett_ms ...)
    label: Bilingual  # the name shown in each language ("QRS軸" / "QRS axis"; "HR" in both)
    unit: str
    up: float | None  # a rise of at least this much is marked
    down: float | None  # a fall of at least this much is marked
    level: str | None  # referral level a marked change raises (None: marked only)
    message: str

    @property
    def is_axis(self) -> bool:
        return self.key.endswith("_deg")

    def marks(self, change: float | None) -> bool:
        if change is None:
            return False
        return bool((self.up is not None and change >= self.up)
                    or (self.down is not None and change <= -self.down))


@dataclass(frozen=True)
class AxisCategory:
    id: str
    lo_deg: float
    hi_deg: float
    message: str


@dataclass(frozen=True)
class ComparisonRules:
    version: str
    changes: tuple[ChangeRule, ...]
    axis_key: str
    axis_normal_deg: tuple[float, float]  # open interval
    axis_categories: tuple[AxisCategory, ...]
    new_axis_level: str | None
    new_by_label: tuple[tuple[str, str | None], ...]
    new_by_category: tuple[tuple[str, str | None], ...]
    min_score_change: float = 0.0  # a new/resolved label's score moved at least this much
    # a new axis deviation needs the QRS axis to move at least this much (degrees)
    axis_min_shift_deg: float = 0.0
    # a NEW one of ``masking_labels`` (complete LBBB, paced rhythm) leaves the prior's
    # ``masked_labels`` (ST-T, infarction, Q waves, LVH) not assessable instead of resolved
    masking_labels: frozenset[str] = frozenset()
    masked_labels: frozenset[str] = frozenset()
    # labels a measurement defines (PR > 200 ms for I度房室ブロック): new only when the prior's
    # trusted measurements did not meet the definition, resolved only when the current's do not
    defined_by_measurement: frozenset[str] = frozenset()

    def axis_category(self, axis_deg: float | None) -> str | None:
        """"normal", a deviation id ("left", "right", "extreme") or None when not measured."""
        if axis_deg is None:
            return None
        a = wrap_deg(axis_deg)
        lo, hi = self.axis_normal_deg
        if lo < a < hi:
            return "normal"
        for cat in self.axis_categories:
            if cat.lo_deg <= a <= cat.hi_deg:
                return cat.id
        return "normal"

    def axis_message(self, category: str) -> str | None:
        return next((c.message for c in self.axis_categories if c.id == category), None)

    def new_finding_level(self, label_id: str, category: str) -> str | None:
        by_label = dict(self.new_by_label)
        if label_id in by_label:
            return by_label[label_id]
        return dict(self.new_by_category).get(category)


def wrap_deg(x: float) -> float:
    """An angle in (-180, 180]."""
    y = ((float(x) + 180.0) % 360.0) - 180.0
    return 180.0 if y == -180.0 else y


def default_rules_path() -> Path:
    return resources_dir() / "compare" / "comparison_rules.json"


def _level(value: Any, where: str, file: Path) -> str | None:
    if value is None:
        return None
    if value not in _LEVELS:
        raise ComparisonRulesError(file, f"{where}: level must be null or one of {_LEVELS}")
    return str(value)


def _num(value: Any, where: str, file: Path) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ComparisonRulesError(file, f"{where}: must be null or a number >= 0")
    return float(value)


def _label(raw: Any, where: str, file: Path) -> Bilingual:
    """A rule's label: one string where both languages write it alike ("HR", "QTc(B)"), else
    ``{"ja": ..., "en": ...}``."""
    if isinstance(raw, str) and raw.strip():
        return Bilingual(raw, raw)
    if (isinstance(raw, dict) and set(raw) == {"ja", "en"}
            and all(isinstance(v, str) and v.strip() for v in raw.values())):
        return Bilingual(raw["ja"], raw["en"])
    raise ComparisonRulesError(file, f"{where}: 'label' must be a non-empty string or "
                               "{\"ja\": ..., \"en\": ...}")


def _change(raw: Any, i: int, file: Path) -> ChangeRule:
    where = f"measurements[{i}]"
    raw = rule_entry(raw, where, file, ("id", "key", "unit", "message"), ComparisonRulesError)
    label = _label(raw.get("label"), where, file)
    if raw["message"] not in MESSAGES:
        raise ComparisonRulesError(file, f"{where}: message key {raw['message']!r} is not in "
                                   "the table")
    return ChangeRule(raw["id"], raw["key"], label, raw["unit"],
                      _num(raw.get("up"), f"{where}.up", file),
                      _num(raw.get("down"), f"{where}.down", file),
                      _level(raw.get("level"), where, file), raw["message"])


def load_rules(path: str | Path | None = None) -> ComparisonRules:
    """Read and validate the table (default: ``resources/compare/comparison_rules.json``)."""
    file = Path(path) if path is not None else default_rules_path()
    raw = read_rule_table(file, ComparisonRulesError)
    items = raw.get("measurements")
    if not isinstance(items, list) or not items:
        raise ComparisonRulesError(file, "'measurements' must be a non-empty list")
    changes = tuple(_change(r, i, file) for i, r in enumerate(items))
    if len({c.id for c in changes}) != len(changes):
        raise ComparisonRulesError(file, "measurement rule ids must be unique")
    axis = raw.get("axis")
    if not isinstance(axis, dict) or not isinstance(axis.get("normal"), list) \
            or len(axis["normal"]) != 2:
        raise ComparisonRulesError(file, "'axis' must be an object with 'normal': [lo, hi]")
    cats = []
    for j, c in enumerate(axis.get("categories") or []):
        if not isinstance(c, dict) or not all(isinstance(c.get(k), int | float)
                                              for k in ("from", "to")):
            raise ComparisonRulesError(file, f"axis.categories[{j}] needs numbers 'from', 'to'")
        if c.get("message") not in MESSAGES:
            raise ComparisonRulesError(file, f"axis.categories[{j}]: unknown message key")
        cats.append(AxisCategory(str(c["id"]), float(c["from"]), float(c["to"]), c["message"]))
    new = raw.get("new_findings")
    if not isinstance(new, dict):
        raise ComparisonRulesError(file, "'new_findings' must be an object")
    tables = {}
    for name in ("by_label", "by_category"):
        t = new.get(name) or {}
        if not isinstance(t, dict):
            raise ComparisonRulesError(file, f"new_findings.{name} must be an object")
        tables[name] = tuple((str(k), _level(v, f"new_findings.{name}.{k}", file))
                             for k, v in t.items())
    mask = new.get("masked_by_new_conduction") or {}
    if not isinstance(mask, dict) or not all(
            isinstance(mask.get(k, []), list) for k in ("by", "labels")):
        raise ComparisonRulesError(file, "new_findings.masked_by_new_conduction must be an "
                                   "object with lists 'by' and 'labels'")
    return ComparisonRules(
        version=raw["version"], changes=changes, axis_key=str(axis.get("key", "qrs_axis_deg")),
        axis_normal_deg=(float(axis["normal"][0]), float(axis["normal"][1])),
        axis_categories=tuple(cats),
        new_axis_level=_level(axis.get("new_deviation_level"), "axis", file),
        new_by_label=tables["by_label"], new_by_category=tables["by_category"],
        min_score_change=_num(new.get("min_score_change", 0.0), "new_findings.min_score_change",
                              file) or 0.0,
        axis_min_shift_deg=_num(axis.get("new_deviation_min_shift_deg", 0.0),
                                "axis.new_deviation_min_shift_deg", file) or 0.0,
        masking_labels=frozenset(str(x) for x in mask.get("by", [])),
        masked_labels=frozenset(str(x) for x in mask.get("labels", [])),
        defined_by_measurement=frozenset(
            str(x) for x in (new.get("defined_by_measurement") or {}).get("labels", [])),
    )


@lru_cache(maxsize=1)
def default_rules() -> ComparisonRules:
    return load_rules()
