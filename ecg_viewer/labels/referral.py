"""The referral flag (要至急 / 要精査 / 要経過観察 / 軽度異常 / 異常なし / 治療中 / 判定不能) of one ECG.

The rules are data (``resources/labels/referral_rules.json``): the level is the most severe one
raised by any label above its threshold (its catalog category, not only the top-1) or by any
measurement rule; a paced rhythm with only the findings pacing itself explains gives E (治療中);
a record that failed the signal-quality gate is "unreadable". Qt-free and torch-free.

The banner and the suggestion list cannot disagree: a label raises the flag when it is shown
above its threshold (the threshold it carries, ``LabelScore.threshold``; pacing and broader
labels as below), and every raise names its label or rule with its evidence. The fused D/urgent labels each carry a threshold of
their own, chosen jointly by the fit so that at most 5 % of normal ECGs are flagged by this
function as the app calls it, the criteria's hold-backs and the measurement rules included
(``training/fusion_referral.py``, ``training/fusion_app.py``); a broader label derived from narrower ones (心筋梗塞) is above
its threshold exactly when a narrower label is above its own (``labels/derived.py``), and the
banner names the narrower label.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ecg_viewer.core.errors import EcgError
from ecg_viewer.core.messages import MESSAGES, Bilingual, Reason
from ecg_viewer.core.paths import resources_dir
from ecg_viewer.core.prediction import (
    REFERRAL_LEVELS,
    SEVERITY,
    Analysis,
    LabelScore,
    QualityReport,
    Referral,
    level_name,
)
from ecg_viewer.labels.derived import DERIVED_KEY
from ecg_viewer.labels.evidence import evidence_summary
from ecg_viewer.labels.logit import logit

MEASUREMENTS: tuple[str, ...] = (
    "hr_bpm", "pr_ms", "qrs_ms", "qt_ms", "qtc_bazett_ms", "qtc_fridericia_ms", "qrs_axis_deg",
    "qtc_modified_ms",
)  # fmt: skip
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
        x = _number(measurements.get(self.measure), self.measure)
        return x is not None and _OPS[self.op](x, self.value)


@dataclass(frozen=True)
class MeasurementRule:
    id: str
    when: tuple[Condition, ...]  # all must hold
    show: str  # the measurement whose value the message shows
    level: str
    message: str  # key in the message table
    reason: str
    unless: tuple[Condition, ...] = ()  # any that holds stops the rule (a missing value does not)
    # labels that stop the rule when found above their threshold: a finding in whose presence
    # the measurement cannot be read reliably (atrial flutter waves on the T wave for the QT)
    unless_labels: frozenset[str] = frozenset()

    def fires(self, measurements: Mapping[str, Any], found: frozenset[str] | set[str] = frozenset()
              ) -> bool:
        return (all(c.holds(measurements) for c in self.when)
                and not any(c.holds(measurements) for c in self.unless)
                and not (self.unless_labels & found))


@dataclass(frozen=True)
class LabelLevelRule:
    """What sets the level a label raises below its catalog level, e.g. a subendocardial-injury
    label with a wide QRS raises 要精査, not 要至急: the ST-T changes of a wide QRS are mostly
    secondary to the conduction delay. It applies where every condition of ``when`` holds on
    trusted measurements, or where one of ``with_labels`` is found above its threshold. The
    label stays shown and flagging."""

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

    def is_paced(self, found: Sequence[LabelScore]) -> bool:
        """Whether a paced rhythm is among ``found`` (the labels above their threshold): the
        findings in ``explained_by_pacing`` then raise nothing."""
        return any(s.id in self.paced_labels for s in found)

    def level_of_category(self, category: str) -> str:
        return dict(self.category_level).get(category, category)

    def label_level(self, s: LabelScore, measurements: Mapping[str, Any] | None,
                    found: Sequence[LabelScore] = ()) -> tuple[str, Reason | None]:
        """The level label ``s`` raises when found (``found``: the labels above their threshold):
        its category's, or lower where a :class:`LabelLevelRule` applies (never on a measurement
        of low confidence), with the reason that says why (None at its category's level)."""
        level = self.level_of_category(s.category)
        values = measurements or {}
        label = Bilingual(s.ja, s.en)
        for rule in self.label_levels:
            if s.id not in rule.labels or not SEVERITY.get(rule.level, 99) < SEVERITY.get(level, -1):
                continue
            if rule.by_measurement(values):
                return rule.level, Reason.of(rule.message, label=label, level=level_name(rule.level),
                                             value=_number(values.get(rule.show), rule.show))
            by = next((f for f in found if f.above_threshold and f.id in rule.with_labels), None)
            if by is not None:
                return rule.level, Reason.of(rule.label_message, label=label,
                                             level=level_name(rule.level),
                                             finding=Bilingual(by.ja, by.en))
        return level, None


def _number(value: Any, measure: str) -> float | None:
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
    return MeasurementRule(raw["id"], out, raw["show"], raw["level"], raw["message"],
                           raw["reason"], _conditions(unless, where, file),
                           unless_labels)  # fmt: skip


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
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise make(file, "file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise make(file, f"not readable as UTF-8 JSON ({exc})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("version"), str):
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
    return ReferralRules(
        version=raw["version"], category_level=tuple(cl.items()),
        paced_labels=lists["paced_labels"], explained_by_pacing=lists["explained_by_pacing"],
        explained_rules=lists["explained_rules"], measurement_rules=rules,
        review_note=str(raw.get("review_note", "")), paced_measurement=paced_measurement,
        label_levels=label_levels,
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


def shown_level(s: LabelScore, analysis: Analysis | None) -> str:
    """The level label ``s`` raises in ``analysis``, as the banner counts it: its category's, or
    the lower one a label-level rule sets (前壁・側壁の心内膜下傷害 with a wide QRS: 要精査), what
    the suggestion list, the review panel and the report show beside the finding."""
    if analysis is None:
        return default_rules().level_of_category(s.category)
    labels = analysis.prediction.labels if analysis.prediction is not None else ()
    return default_rules().label_level(s, analysis.measurements, labels)[0]


def own_level(s: LabelScore, analysis: Analysis) -> tuple[str | None, bool]:
    """The level the single-ECG rules let finding ``s`` (above its threshold) raise in
    ``analysis``, and whether a label-level rule lowered it (secondary ST-T with a bundle
    branch block): None when the paced rhythm found there explains it (as :func:`judge`
    skips it). What the comparison with a prior ECG caps a new finding's level at."""
    rules = default_rules()
    labels = analysis.prediction.labels if analysis.prediction is not None else ()
    found = [x for x in labels if x.above_threshold]
    if s.id in rules.explained_by_pacing and rules.is_paced(found):
        return None, False
    level, lowered = rules.label_level(s, analysis.measurements, labels)
    return level, lowered is not None


#: a finding the combination rule's banner names besides the first is at least this share of
#: its own threshold
NAMED_MIN_SHARE = 0.3


@dataclass(frozen=True)
class CombinationRule:
    """要精査 from several D/urgent findings together, none of them above its own threshold: a
    logistic regression on the logits of the fused D/urgent labels' probabilities and of
    正常心電図 (fitted by ``training/fusion_combination.py`` on cross-fitted fusion outputs, its
    threshold chosen with the per-label thresholds so that the two together flag at most 5 % of
    the normal ECGs). The banner names the findings closest to their own thresholds."""

    labels: tuple[str, ...]
    weights: tuple[float, ...]
    normal_label: str
    normal_weight: float
    bias: float
    threshold: float
    eps: float = 1e-4
    n_named: int = 3

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> CombinationRule:
        labels, weights = tuple(str(x) for x in d["labels"]), tuple(float(w) for w in d["weights"])
        if not labels or len(labels) != len(weights):
            raise ValueError("labels and weights must be non-empty and of the same length")
        values = [float(d[k]) for k in ("normal_weight", "bias", "threshold", "eps")]
        if not all(math.isfinite(v) for v in (*weights, *values)) or not 0.0 < values[3] < 0.5:
            raise ValueError("weights, bias, threshold and eps must be finite numbers")
        return cls(labels, weights, str(d["normal_label"]), *values)

    def to_json(self) -> dict[str, Any]:
        return {"labels": list(self.labels), "weights": list(self.weights),
                "normal_label": self.normal_label, "normal_weight": self.normal_weight,
                "bias": self.bias, "threshold": self.threshold, "eps": self.eps}

    def score(self, scores: Mapping[str, float]) -> float:
        """The referral logit from the labels' probabilities (a label not given counts as 0),
        computed as the fit computes it (``training/fusion_combination.py``: the same logit,
        weights and order)."""
        p = [scores.get(lab, 0.0) for lab in (*self.labels, self.normal_label)]
        f = logit(np.nan_to_num(np.asarray(p, dtype=np.float64), nan=0.0), eps=self.eps)
        return float(f @ np.array([*self.weights, self.normal_weight]) + self.bias)

    def reads_all(self, scores: Mapping[str, float]) -> bool:
        """Whether ``scores`` has every label the rule reads."""
        return self.normal_label in scores and all(lab in scores for lab in self.labels)

    def named(self, labels: Sequence[LabelScore]) -> list[LabelScore]:
        """The findings the banner names: the rule's labels with a positive weight, closest to
        their own thresholds first (at most :attr:`n_named`); after the first, only those at
        :data:`NAMED_MIN_SHARE` of their threshold or more (a finding at 0.01 explains nothing)."""
        positive = {lab for lab, w in zip(self.labels, self.weights, strict=True) if w > 0}
        cand = [s for s in labels if s.id in positive and s.score > 0.0]
        cand.sort(key=lambda s: -s.score / max(s.threshold, 1e-6))
        return cand[:1] + [s for s in cand[1: self.n_named]
                           if s.score >= NAMED_MIN_SHARE * s.threshold]


def decide_referral(
    present: Sequence[LabelScore],
    measurements: Mapping[str, Any] | None = None,
    quality: QualityReport | None = None,
    rules: ReferralRules | None = None,
    combination: CombinationRule | None = None,
) -> Referral:
    """The referral flag of one ECG.

    ``present``: the labels that count as found (any :class:`LabelScore` below its threshold is
    ignored, so passing every label is safe). ``measurements``: values keyed by
    :data:`MEASUREMENTS` (None or NaN = not measured, never fires; a rule whose shown measure is
    listed in ``measurements["low_confidence"]`` does not fire). ``quality``: when given and
    not ok, the answer is "unreadable" with the quality problems as reasons. ``combination``:
    the fusion's :class:`CombinationRule`, read from every label of ``present`` (pass them all,
    after the criteria); it raises 要精査 only where nothing else raised 要精査 or more and the
    rhythm is not paced.
    """
    if quality is not None and not quality.ok:
        return Referral(
            "unreadable",
            because=tuple(p.code for p in quality.problems),
            reason_keys=tuple(p.reason for p in quality.problems),
        )
    rules = rules or default_rules()
    found = [s for s in present if s.above_threshold]
    found_ids = {s.id for s in found}
    paced = rules.is_paced(found)
    raised: list[tuple[str, str, Reason]] = []  # (level, id, reason)
    values = measurements or {}
    for s in found:
        if paced and s.id in rules.explained_by_pacing:
            continue
        # a broader label derived from a narrower one found here (心筋梗塞 from 前壁中隔心筋梗塞,
        # labels/derived.py) says nothing more: the narrower one names the finding (the catalog
        # keeps a broader label never more severe than its narrower ones)
        if any(e.key == DERIVED_KEY and e.value in found_ids for e in s.evidence):
            continue
        # its category's level, or a lower one a label-level rule sets (e.g. secondary ST-T)
        level, lowered = rules.label_level(s, values, found)
        if level not in SEVERITY or level == "unreadable":
            raise ValueError(f"label {s.id!r} has category {s.category!r}, not a referral level")
        label = Bilingual(s.ja, s.en)
        if lowered is not None:
            reason = lowered
        elif evidence_summary(s, "ja"):  # the measurements behind it, when there are any
            why = Bilingual(evidence_summary(s, "ja"), evidence_summary(s, "en"))
            reason = Reason.of("referral.because_label_evidence", label=label,
                               level=level_name(level), evidence=why)
        else:
            reason = Reason.of("referral.because_label", label=label, level=level_name(level))
        raised.append((level, s.id, reason))
    if rules.paced_measurement and values.get(rules.paced_measurement) is True:
        raised.append(("E", "paced_spikes", Reason.of("referral.paced_measured")))
    # a measurement whose confidence is low (``Measurements.to_dict()["low_confidence"]``)
    # never raises a rule alone: a rule about it (its ``show`` measure) does not fire; a label
    # of the model that says the same still raises the flag
    low = set(values.get("low_confidence") or ())
    for rule in rules.measurement_rules:
        if paced and rule.id in rules.explained_rules:
            continue
        if rule.show in low:
            continue
        if rule.fires(values, found_ids):
            shown = _number(values.get(rule.show), rule.show)
            raised.append((rule.level, rule.id, Reason.of(rule.message, value=shown)))
    named: list[LabelScore] = []
    if combination is not None and not paced and all(
            SEVERITY[level] < SEVERITY["D"] for level, _, _ in raised):
        scores = {s.id: s.score for s in present}
        # only from every label it reads (a caller that passes the found labels alone gives
        # no score: a missing 正常心電図 would read as a certain abnormal ECG)
        if combination.reads_all(scores) and combination.score(scores) >= combination.threshold:
            named = combination.named(present)
            findings = Bilingual("、".join(f"{s.ja} {s.score:.2f}" for s in named),
                                 ", ".join(f"{s.en} {s.score:.2f}" for s in named))
            raised.append(("D", "combination", Reason.of(
                "referral.because_combination", findings=findings, level=level_name("D"))))
    abnormal = [r for r in raised if r[0] != "A"]
    if not abnormal:
        return Referral("A")
    top = max(SEVERITY[level] for level, _, _ in abnormal)
    chosen = [r for r in abnormal if SEVERITY[r[0]] == top]
    because: list[str] = []
    reasons: list[Reason] = []
    for _, rid, reason in chosen:
        if rid not in because:
            because.append(rid)
            reasons.append(reason)
    return Referral(chosen[0][0], because=tuple(because), reason_keys=tuple(reasons),
                    named=tuple(s.id for s in named) if "combination" in because else ())
