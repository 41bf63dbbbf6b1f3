"""The referral rule table (``resources/labels/referral_rules.json``), read and validated: the
level of each catalog category, what a paced rhythm explains, the measurement rules
(QTc ≥ 500 ms → 要至急, …) and the label-level rules (secondary ST-T with a wide QRS → 要精査).
:mod:`ecg_viewer.labels.referral` applies them to one ECG. ``read_rule_table``/``rule_entry``
read the other rule tables too (criteria, fusion evidence, comparison). Qt-free and torch-free.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ecg_viewer.core.criteria_features import EXTRA_FEATURES, ST_INJURY_FEATURES
from ecg_viewer.core.errors import EcgError
from ecg_viewer.core.jsonfile import read_json_object
from ecg_viewer.core.messages import MESSAGES, Bilingual, Reason
from ecg_viewer.core.paths import resources_dir
from ecg_viewer.core.prediction import REFERRAL_LEVELS, LabelScore, level_name

#: the heart rate of a regular rhythm in which no P wave is found (None otherwise): a slow one is
#: complete AV block or an escape rhythm until shown otherwise (QA 46: PTB-XL 959, complete AV
#: block at 40/min, read 心房細動 要精査)
REGULAR_NO_P = "regular_no_p_hr_bpm"
#: what the rules read beside the interval measurements (:func:`referral_measurements`): the
#: STEMI-criteria ST elevation per territory (``signal/st_injury.py``), :data:`REGULAR_NO_P`, and
#: the criteria features outside the fusion's vector (``EXTRA_FEATURES``: the fit's cache keeps
#: them with these, so its replay of the criteria reads them too)
CRITERIA_MEASURES: tuple[str, ...] = (*ST_INJURY_FEATURES.values(), REGULAR_NO_P,
                                      *EXTRA_FEATURES)
MEASUREMENTS: tuple[str, ...] = (
    "hr_bpm", "pr_ms", "qrs_ms", "qt_ms", "qtc_bazett_ms", "qtc_fridericia_ms", "qrs_axis_deg",
    "qtc_modified_ms", *CRITERIA_MEASURES,
)  # fmt: skip


def referral_measurements(measurements: Mapping[str, Any] | None,
                          criteria: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What the referral rules read: the measurements (``Measurements.to_dict()``) with the
    criteria features of :data:`CRITERIA_MEASURES` (``CriteriaFeatures.values``) beside them."""
    if measurements is None:
        return None
    extra: dict[str, Any] = {k: criteria.get(k) for k in (*ST_INJURY_FEATURES.values(),
                                                           *EXTRA_FEATURES)} if criteria else {}
    low = set(measurements.get("low_confidence") or ())
    regular_no_p = (criteria is not None and criteria.get("p_present") is False
                    and criteria.get("rr_irregular") is False and not low & {"hr_bpm", "p_present"})
    extra[REGULAR_NO_P] = measurements.get("hr_bpm") if regular_no_p else None
    return {**measurements, **extra}


_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}  # fmt: skip
_LEVELS = tuple(level for level in REFERRAL_LEVELS if level != "unreadable")


class RulesError(EcgError, ValueError):
    """The referral rule table is missing or does not follow the schema."""

    def __init__(self, file: str | Path, problem: str) -> None:
        self.file = str(file)
        self.problem = problem
        super().__init__("labels.rules_invalid", file=self.file, problem=problem)


@dataclass(frozen=True)
class Condition:
    measure: str
    op: str
    value: float

    def holds(self, measurements: Mapping[str, Any]) -> bool:
        x = measured_value(measurements.get(self.measure), self.measure)
        return x is not None and _OPS[self.op](x, self.value)

    def holds_trusted(self, measurements: Mapping[str, Any]) -> bool:
        """:meth:`holds` on a measurement of low confidence only where its value and every
        group of beats (``measurements["range"]``) meet it alike: a greyed value decides
        nothing (QA 60: a QRS greyed at 122 ms held back the plain QTc rules, so a trusted QTcF
        of 589 ms raised nothing)."""
        if not self.holds(measurements):
            return False
        if self.measure not in set(measurements.get("low_confidence") or ()):
            return True
        rng = (measurements.get("range") or {}).get(self.measure)
        return (isinstance(rng, list | tuple) and len(rng) == 2
                and all(_OPS[self.op](float(v), self.value) for v in rng))


@dataclass(frozen=True)
class MeasurementRule:
    id: str
    when: tuple[Condition, ...]  # all must hold
    show: str  # the measurement whose value the message shows
    level: str
    message: str  # key in the message table
    reason: str
    # any that holds on a trusted value stops the rule (a missing or greyed value does not)
    unless: tuple[Condition, ...] = ()
    # labels that stop the rule when found above their threshold: a finding in whose presence
    # the measurement cannot be read reliably (atrial flutter waves on the T wave for the QT)
    unless_labels: frozenset[str] = frozenset()
    # named before the labels' reasons of its level: a warning a label beside it would mislead
    # without (QA 63: 「心房粗動（要至急: 頻拍性心室応答）」 led the PDF's front page, 「心室頻拍を否定
    # できない」 was on page 2)
    first: bool = False

    def fires(self, measurements: Mapping[str, Any], found: frozenset[str] | set[str] = frozenset()
              ) -> bool:
        return (all(c.holds_trusted(measurements) for c in self.when)
                and not any(c.holds_trusted(measurements) for c in self.unless)
                and not (self.unless_labels & found))


@dataclass(frozen=True)
class LabelLevelRule:
    """What sets the level a label raises other than its catalog level, e.g. a
    subendocardial-injury label with a wide QRS raises 要精査, not 要至急 (the ST-T changes of a
    wide QRS are mostly secondary to the conduction delay), and atrial fibrillation or flutter
    with a rapid ventricular rate raises 要至急, not 要精査 (reference doc §3: "AF/AFL with fast
    response"). It applies where every condition of ``when`` holds on trusted measurements, or
    where one of ``with_labels`` is found above its threshold. The label stays shown and
    flagging."""

    id: str
    labels: frozenset[str]
    when: tuple[Condition, ...]  # all must hold (none: only with_labels counts)
    show: str  # the measurement whose value the reason shows ("" without ``when``)
    level: str
    message: str  # key in the message table: {label}, {level}, {value}
    reason: str
    with_labels: frozenset[str] = frozenset()
    label_message: str = ""  # key for a finding of with_labels: {label}, {level}, {finding}

    def by_measurement(self, measurements: Mapping[str, Any]) -> bool:
        low = set(measurements.get("low_confidence") or ())
        return bool(self.when) and self.show not in low and all(
            c.holds(measurements) for c in self.when)


@dataclass(frozen=True)
class ReferralRules:
    version: str
    category_level: tuple[tuple[str, str], ...]
    paced_labels: frozenset[str]
    explained_by_pacing: frozenset[str]
    explained_rules: frozenset[str]
    measurement_rules: tuple[MeasurementRule, ...]
    review_note: str = ""
    paced_measurement: str = ""  # a boolean measurement (pacing spikes) that raises E
    label_levels: tuple[LabelLevelRule, ...] = ()
    # labels that say "no finding" (正常心電図) and the level from which a measurement rule
    # that fires beside one qualifies it as "normal apart from the measured findings"
    otherwise_normal: frozenset[str] = frozenset()
    otherwise_normal_from: str = "C"

    def fired_measurement_rules(self, measurements: Mapping[str, Any] | None,
                                found: Sequence[LabelScore]
                                ) -> list[tuple[MeasurementRule, float | None]]:
        """The measurement rules that fire on ``measurements`` beside the labels ``found`` (above
        their threshold), each with the value it shows: none on a measurement of low confidence
        (``measurements["low_confidence"]``: it never raises a rule alone) and none that a
        paced rhythm found there explains."""
        values = measurements or {}
        low = set(values.get("low_confidence") or ())
        ids = {s.id for s in found}
        paced = self.is_paced(found)
        return [(rule, measured_value(values.get(rule.show), rule.show))
                for rule in self.measurement_rules
                if not (paced and rule.id in self.explained_rules) and rule.show not in low
                and rule.fires(values, ids)]

    def is_paced(self, found: Sequence[LabelScore]) -> bool:
        """Whether a paced rhythm is among ``found`` (the labels above their threshold): the
        findings in ``explained_by_pacing`` then raise nothing."""
        return any(s.id in self.paced_labels for s in found)

    def finding_level(self, s: LabelScore, measurements: Mapping[str, Any] | None,
                      found: Sequence[LabelScore]) -> tuple[str, Reason | None] | None:
        """What finding ``s`` (above its threshold) raises among ``found``: None when a paced
        rhythm there explains it, else :meth:`label_level`."""
        if s.id in self.explained_by_pacing and self.is_paced(found):
            return None
        return self.label_level(s, measurements, found)

    def level_of_category(self, category: str) -> str:
        return dict(self.category_level).get(category, category)

    def label_level(self, s: LabelScore, measurements: Mapping[str, Any] | None,
                    found: Sequence[LabelScore] = ()) -> tuple[str, Reason | None]:
        """The level label ``s`` raises when found (``found``: the labels above their threshold):
        its category's, or the one a :class:`LabelLevelRule` sets (never on a measurement of low
        confidence), with the reason that says why (None at its category's level)."""
        level = self.level_of_category(s.category)
        values = measurements or {}
        label = Bilingual(s.ja, s.en)
        for rule in self.label_levels:
            if s.id not in rule.labels or rule.level == level:
                continue
            if rule.by_measurement(values):
                return rule.level, Reason.of(rule.message, label=label, level=level_name(rule.level),
                                             value=measured_value(values.get(rule.show), rule.show))
            by = next((f for f in found if f.above_threshold and f.id in rule.with_labels), None)
            if by is not None:
                return rule.level, Reason.of(rule.label_message, label=label,
                                             level=level_name(rule.level),
                                             finding=Bilingual(by.ja, by.en))
        return level, None


def measured_value(value: Any, measure: str) -> float | None:
    """A measurement as float; None/NaN = not measured. The axis is wrapped to (-180, 180]."""
    if value is None or isinstance(value, bool):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(x):
        return None
    if measure == "qrs_axis_deg":
        x = ((x + 180.0) % 360.0) - 180.0
        x = 180.0 if x == -180.0 else x
    return x


def default_rules_path() -> Path:
    return resources_dir() / "labels" / "referral_rules.json"


def _rule(raw: Any, index: int, file: Path) -> MeasurementRule:
    raw = rule_entry(raw, f"measurement_rules[{index}]", file,
                     ("id", "show", "level", "message", "reason"))
    where = f"rule '{raw['id']}'"
    if raw["level"] not in _LEVELS:
        raise RulesError(file, f"{where}: level must be one of {_LEVELS}, got {raw['level']!r}")
    if raw["message"] not in MESSAGES:
        raise RulesError(file, f"{where}: message key {raw['message']!r} is not in the table")
    if raw["show"] not in MEASUREMENTS:
        raise RulesError(file, f"{where}: 'show' must be one of {MEASUREMENTS}")
    conds = raw.get("when")
    if not isinstance(conds, list) or not conds:
        raise RulesError(file, f"{where}: 'when' must be a non-empty list of conditions")
    unless = raw.get("unless", [])
    if not isinstance(unless, list):
        raise RulesError(file, f"{where}: 'unless' must be a list of conditions")
    unless_labels = _label_ids(raw, "unless_labels", where, file)
    out = _conditions(conds, where, file)
    if raw["show"] not in {c.measure for c in out}:
        raise RulesError(file, f"{where}: 'show' must be one of the measures in 'when'")
    if not isinstance(raw.get("first", False), bool):
        raise RulesError(file, f"{where}: 'first' must be true or false")
    return MeasurementRule(raw["id"], out, raw["show"], raw["level"], raw["message"],
                           raw["reason"], _conditions(unless, where, file),
                           unless_labels, bool(raw.get("first", False)))  # fmt: skip


def _conditions(conds: list[Any], where: str, file: Path) -> tuple[Condition, ...]:
    out = []
    for c in conds:
        if not isinstance(c, dict) or c.get("measure") not in MEASUREMENTS:
            raise RulesError(file, f"{where}: each condition needs a measure in {MEASUREMENTS}")
        if c.get("op") not in _OPS:
            raise RulesError(file, f"{where}: op must be one of {tuple(_OPS)}, got {c.get('op')!r}")
        if isinstance(c.get("value"), bool) or not isinstance(c.get("value"), int | float):
            raise RulesError(file, f"{where}: condition value must be a number")
        out.append(Condition(c["measure"], c["op"], float(c["value"])))
    return tuple(out)


def read_rule_table(
    file: Path, error: Callable[[Path, str], Exception] | None = None,
) -> dict[str, Any]:
    """A rule table's JSON object (it must carry a ``version``); otherwise ``error(file,
    problem)`` is raised (default :class:`RulesError`)."""
    make = error or RulesError
    raw = read_json_object(file, make, "a 'version'")
    if not isinstance(raw.get("version"), str):
        raise make(file, "top level must be an object with a 'version'")
    return raw


def rule_entry(raw: Any, where: str, file: Path, keys: Sequence[str],
               error: Callable[[Path, str], Exception] | None = None) -> dict[str, Any]:
    """One entry of a rule table: an object whose ``keys`` are non-empty strings; otherwise
    ``error(file, problem)`` is raised (default :class:`RulesError`)."""
    make = error or RulesError
    if not isinstance(raw, dict):
        raise make(file, f"{where} must be an object")
    for key in keys:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise make(file, f"{where}: '{key}' is missing or empty")
    return raw


def _label_ids(raw: dict[str, Any], key: str, where: str, file: Path) -> frozenset[str]:
    """The optional list of label ids ``raw[key]`` (empty when absent)."""
    v = raw.get(key, [])
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise RulesError(file, f"{where}: '{key}' must be a list of label ids")
    return frozenset(v)


def load_rules(path: str | Path | None = None) -> ReferralRules:
    """Read and validate the rule table (default: ``resources/labels/referral_rules.json``)."""
    file = Path(path) if path is not None else default_rules_path()
    raw = read_rule_table(file)
    cl = raw.get("category_level", {})
    if not isinstance(cl, dict) or not all(v in _LEVELS for v in cl.values()):
        raise RulesError(file, f"'category_level' must map categories to levels in {_LEVELS}")
    pacing = raw.get("pacing", {})
    if not isinstance(pacing, dict):
        raise RulesError(file, "'pacing' must be an object")
    lists = {}
    for key in ("paced_labels", "explained_by_pacing", "explained_rules"):
        value = pacing.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise RulesError(file, f"'pacing.{key}' must be a list of ids")
        lists[key] = frozenset(value)
    paced_measurement = pacing.get("paced_measurement", "")
    if not isinstance(paced_measurement, str):
        raise RulesError(file, "'pacing.paced_measurement' must be a measurement name")
    items = raw.get("measurement_rules", [])
    if not isinstance(items, list):
        raise RulesError(file, "'measurement_rules' must be a list")
    rules = tuple(_rule(item, i, file) for i, item in enumerate(items))
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise RulesError(file, "measurement rule ids must be unique")
    raw_levels = raw.get("label_levels", [])
    if not isinstance(raw_levels, list):
        raise RulesError(file, "'label_levels' must be a list")
    label_levels = tuple(_label_level(item, i, file) for i, item in enumerate(raw_levels))
    unknown = lists["explained_rules"] - set(ids)
    if unknown:
        raise RulesError(file, f"'pacing.explained_rules' names unknown rules {sorted(unknown)}")
    normal = raw.get("otherwise_normal", {})
    if not isinstance(normal, dict):
        raise RulesError(file, "'otherwise_normal' must be an object")
    normal_ids = _label_ids(normal, "labels", "'otherwise_normal'", file)
    normal_from = normal.get("from_level", "C")
    if normal_from not in _LEVELS:
        raise RulesError(file, f"'otherwise_normal.from_level' must be one of {_LEVELS}")
    return ReferralRules(
        version=raw["version"], category_level=tuple(cl.items()),
        paced_labels=lists["paced_labels"], explained_by_pacing=lists["explained_by_pacing"],
        explained_rules=lists["explained_rules"], measurement_rules=rules,
        review_note=str(raw.get("review_note", "")), paced_measurement=paced_measurement,
        label_levels=label_levels, otherwise_normal=normal_ids, otherwise_normal_from=normal_from,
    )  # fmt: skip


def _label_level(raw: Any, index: int, file: Path) -> LabelLevelRule:
    raw = rule_entry(raw, f"label_levels[{index}]", file, ("id", "level", "message", "reason"))
    where = f"label level rule '{raw['id']}'"
    lists = {key: _label_ids(raw, key, where, file) for key in ("labels", "with_labels")}
    if not lists["labels"]:
        raise RulesError(file, f"{where}: 'labels' must be a non-empty list of label ids")
    if raw["level"] not in _LEVELS:
        raise RulesError(file, f"{where}: level must be one of {_LEVELS}, got {raw['level']!r}")
    for key in ("message", "label_message"):
        if key in raw and raw[key] not in MESSAGES:
            raise RulesError(file, f"{where}: message key {raw[key]!r} is not in the table")
    if lists["with_labels"] and "label_message" not in raw:
        raise RulesError(file, f"{where}: 'with_labels' needs a 'label_message'")
    conds = raw.get("when", [])
    if not isinstance(conds, list) or not (conds or lists["with_labels"]):
        raise RulesError(file, f"{where}: needs conditions ('when') or 'with_labels'")
    when = _conditions(conds, where, file)
    show = raw.get("show", "")
    if when and show not in {c.measure for c in when}:
        raise RulesError(file, f"{where}: 'show' must be one of the measures in 'when'")
    return LabelLevelRule(raw["id"], lists["labels"], when, show, raw["level"], raw["message"],
                          raw["reason"], lists["with_labels"], raw.get("label_message", ""))


@lru_cache(maxsize=1)
def default_rules() -> ReferralRules:
    return load_rules()
