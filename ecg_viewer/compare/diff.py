"""The comparison of an ECG with the patient's prior ECG: what changed, what is new, what resolved.

``compare_analyses(current, prior, ...)`` takes the two :class:`Analysis` objects (the same
pipeline for both, see ``pipeline/analyze.py``) and returns a :class:`Comparison`: each measurement
with its change (ms, bpm or degrees) marked where it passes a threshold of the rule table, a new
frontal-axis deviation, findings new since the prior ECG and findings that resolved (labels above
their threshold in one analysis and not in the other), and what the comparison raises on the
referral flag (see :mod:`ecg_viewer.compare.referral`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ecg_viewer.compare.rules import ComparisonRules, default_rules, wrap_deg
from ecg_viewer.core.messages import Bilingual, Reason, tr
from ecg_viewer.core.prediction import SEVERITY, Analysis, LabelScore
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.labels.referral import own_level
from ecg_viewer.labels.referral_rules import measured_value

MATCH_KINDS = ("folder", "database", "manual")


@dataclass(frozen=True)
class EcgRef:
    """Which ECG one side of the comparison is."""

    file: str
    sha256: str | None = None
    patient_id: str | None = None
    recorded_at: datetime | None = None
    format: str = "unknown"

    @classmethod
    def of(cls, record: EcgRecord, analysis: Analysis | None = None) -> EcgRef:
        return cls(file=record.source_path or (analysis.file if analysis else ""),
                   sha256=record.sha256 or (analysis.sha256 if analysis else None),
                   patient_id=record.meta.patient_id, recorded_at=record.meta.recorded_at,
                   format=record.format)

    def date_text(self) -> str:
        return self.recorded_at.strftime("%Y-%m-%d %H:%M") if self.recorded_at else "—"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "sha256": self.sha256, "patient_id": self.patient_id,
                "recorded_at": self.recorded_at.isoformat() if self.recorded_at else None,
                "format": self.format}


@dataclass(frozen=True)
class MeasurementChange:
    rule_id: str
    key: str
    label: Bilingual
    unit: str
    prior: float | None
    current: float | None
    change: float | None  # current - prior (axes: the shorter way round, in (-180, 180])
    marked: bool  # the change passes the rule's threshold
    level: str | None  # the referral level it raises when marked (None: marked only)
    message: str  # message key, filled with prior/current/change/label/unit
    # either value is of low confidence (greyed where it is shown): never marked, raises nothing
    low_confidence: bool = False

    def reason(self) -> Reason:
        return Reason.of(self.message, label=self.label, unit=self.unit, prior=self.prior,
                         current=self.current, change=self.change)

    def text(self, lang: str | None = None) -> str:
        return self.reason().text(lang)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.rule_id, "key": self.key, "label": self.label.ja,
                "label_en": self.label.en, "unit": self.unit,
                "prior": self.prior, "current": self.current,
                "change": None if self.change is None else round(self.change, 1),
                "marked": self.marked, "level": self.level if self.marked else None,
                "low_confidence": self.low_confidence,
                "text_ja": self.text("ja") if self.marked else None,
                "text_en": self.text("en") if self.marked else None}


@dataclass(frozen=True)
class FindingChange:
    id: str
    ja: str
    en: str
    category: str
    status: str  # "new" | "resolved"
    score_current: float | None
    score_prior: float | None
    level: str | None = None  # for a new finding: the least referral level it raises

    def to_dict(self) -> dict[str, Any]:
        def r(v: float | None) -> float | None:
            return None if v is None else round(float(v), 4)

        return {"id": self.id, "ja": self.ja, "en": self.en, "category": self.category,
                "status": self.status, "score_current": r(self.score_current),
                "score_prior": r(self.score_prior), "level": self.level}


@dataclass(frozen=True)
class Raise:
    """One reason the comparison gives for the referral flag."""

    level: str
    id: str  # "change:<rule id>", "new_axis:<category>", "new:<label id>"
    reason: Reason

    def text(self, lang: str | None = None) -> str:
        return self.reason.text(lang)

    @property
    def reason_ja(self) -> str:
        return self.reason.text("ja")

    @property
    def reason_en(self) -> str:
        return self.reason.text("en")


@dataclass(frozen=True, eq=False)
class Comparison:
    current: EcgRef
    prior: EcgRef
    match: str  # how the prior was chosen: "folder", "database" or "manual"
    changes: tuple[MeasurementChange, ...]
    new_findings: tuple[FindingChange, ...]
    resolved_findings: tuple[FindingChange, ...]
    findings_compared: bool  # False when either analysis has no model suggestions
    axis_prior: str | None
    axis_current: str | None
    raises: tuple[Raise, ...]
    rules_version: str
    prior_analysis: Analysis | None = field(default=None, repr=False)
    # the median beats (``signal.median.MedianBeat``) for drawing, when measured; not in to_dict
    current_median: Any = field(default=None, repr=False)
    prior_median: Any = field(default=None, repr=False)

    @property
    def interval_days(self) -> float | None:
        a, b = self.current.recorded_at, self.prior.recorded_at
        if a is None or b is None:
            return None
        try:
            return (a - b).total_seconds() / 86400.0
        except TypeError:  # one aware, one naive
            return (a.replace(tzinfo=None) - b.replace(tzinfo=None)).total_seconds() / 86400.0

    @property
    def new_axis_deviation(self) -> str | None:
        if self.axis_prior == "normal" and self.axis_current not in (None, "normal"):
            return self.axis_current
        return None

    def marked_changes(self) -> tuple[MeasurementChange, ...]:
        return tuple(c for c in self.changes if c.marked)

    def change(self, key: str) -> MeasurementChange | None:
        return next((c for c in self.changes if c.key == key), None)

    def _marked(self) -> tuple[MeasurementChange | Raise, ...]:
        """The changes past a threshold: the marked measurements and a new axis deviation."""
        return (*self.marked_changes(), *(r for r in self.raises if r.id.startswith("new_axis:")))

    def status_text(self, lang: str | None = None) -> str:
        """A short line (the window's status bar): how many findings are new and how many
        changes pass a threshold; :meth:`summary` names them."""
        marked = len(self._marked())
        if not self.new_findings and not marked:
            return tr("compare.status_none", lang)
        return tr("compare.status", lang, new=len(self.new_findings), marked=marked)

    def summary(self, lang: str | None = None) -> str:
        """One line: the prior's date and what is new (for a status bar or a report header)."""
        sep = ", " if lang == "en" else "、"
        parts = [tr("compare.prior_line", lang, date=self.prior.date_text(),
                    days=_days_text(self.interval_days, lang))]
        if self.new_findings:
            parts.append(tr("compare.new_list", lang, labels=sep.join(
                f.ja if lang != "en" else f.en for f in self.new_findings)))
        marked = [m.text(lang) for m in self._marked()]  # … "新たな左軸偏位（QRS軸 …）"
        if marked:
            parts.append(sep.join(marked))
        if not self.new_findings and not marked:
            parts.append(tr("compare.no_significant_change", lang))
        return (" / " if lang == "en" else " ／ ").join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "prior": self.prior.to_dict(), "current": self.current.to_dict(),
            "match": self.match,
            "interval_days": None if self.interval_days is None else round(self.interval_days, 2),
            "measurements": [c.to_dict() for c in self.changes],
            "axis": {"prior": self.axis_prior, "current": self.axis_current,
                     "new_deviation": self.new_axis_deviation},
            "findings_compared": self.findings_compared,
            "new_findings": [f.to_dict() for f in self.new_findings],
            "resolved_findings": [f.to_dict() for f in self.resolved_findings],
            "prior_referral": (self.prior_analysis.referral.to_dict()
                               if self.prior_analysis is not None else None),
            "raises": [{"level": r.level, "id": r.id, "reason_ja": r.reason_ja,
                        "reason_en": r.reason_en} for r in self.raises],
            "rules_version": self.rules_version,
            "notice_ja": tr("compare.notice", "ja"),
        }


def _days_text(days: float | None, lang: str | None) -> str:
    if days is None:
        return tr("compare.days_unknown", lang)
    return tr("compare.days", lang, n=max(0, int(round(days))))


def _low(measurements: dict[str, Any] | None, key: str) -> bool:
    """Whether the analysis measured ``key`` with low confidence (as the referral rules read
    ``low_confidence``: such a value never raises anything by itself)."""
    low = (measurements or {}).get("low_confidence") or ()
    return key in low


def _value(measurements: dict[str, Any] | None, key: str) -> float | None:
    """A measurement of an analysis (a bare value or ``{"value": ...}``) as the referral rules
    read it (:func:`~ecg_viewer.labels.referral_rules.measured_value`)."""
    if not measurements:
        return None
    v = measurements.get(key)
    return measured_value(v.get("value") if isinstance(v, dict) else v, key)


def _present(analysis: Analysis) -> dict[str, LabelScore]:
    pred = analysis.prediction
    return {s.id: s for s in pred.labels if s.above_threshold} if pred else {}


def _scores(analysis: Analysis) -> dict[str, LabelScore]:
    pred = analysis.prediction
    return {s.id: s for s in pred.labels} if pred else {}


def compare_analyses(current: Analysis, prior: Analysis, *, current_ref: EcgRef,
                     prior_ref: EcgRef, match: str = "manual",
                     rules: ComparisonRules | None = None, current_median: Any = None,
                     prior_median: Any = None) -> Comparison:
    """Compare two analyses of the same patient's ECGs (``prior`` recorded earlier)."""
    if match not in MATCH_KINDS:
        raise ValueError(f"match must be one of {MATCH_KINDS}, got {match!r}")
    rules = rules or default_rules()
    raises: list[Raise] = []
    changes = []
    for rule in rules.changes:
        a, b = _value(prior.measurements, rule.key), _value(current.measurements, rule.key)
        delta = None
        if a is not None and b is not None:
            delta = wrap_deg(b - a) if rule.is_axis else b - a
        low = _low(prior.measurements, rule.key) or _low(current.measurements, rule.key)
        ch = MeasurementChange(rule.id, rule.key, rule.label, rule.unit, a, b, delta,
                               rule.marks(delta) and not low, rule.level, rule.message, low)
        changes.append(ch)
        if ch.marked and rule.level:
            raises.append(Raise(rule.level, f"change:{rule.id}", ch.reason()))
    ax_a = rules.axis_category(_value(prior.measurements, rules.axis_key))
    ax_b = rules.axis_category(_value(current.measurements, rules.axis_key))
    axis_low = _low(prior.measurements, rules.axis_key) or _low(current.measurements,
                                                                rules.axis_key)
    if ax_a == "normal" and ax_b not in (None, "normal") and rules.new_axis_level \
            and not axis_low:
        msg = rules.axis_message(ax_b) or "compare.axis.left"
        kw = {"prior": _value(prior.measurements, rules.axis_key),
              "current": _value(current.measurements, rules.axis_key)}
        raises.append(Raise(rules.new_axis_level, f"new_axis:{ax_b}", Reason.of(msg, **kw)))
    compared = current.prediction is not None and prior.prediction is not None
    new: list[FindingChange] = []
    resolved: list[FindingChange] = []
    if compared:
        now, before = _present(current), _present(prior)
        all_now, all_before = _scores(current), _scores(prior)
        moved = rules.min_score_change

        def flicker(a: LabelScore | None, b: LabelScore | None) -> bool:
            return a is not None and b is not None and abs(a.score - b.score) < moved

        for lid, s in now.items():
            old = all_before.get(lid)
            if lid in before or flicker(old, s):
                continue
            level = rules.new_finding_level(lid, s.category)
            # never above what the single-ECG rules let it raise here: a new 前壁・側壁の心内膜下
            # 傷害 with a right bundle branch block is 要精査 there (secondary ST-T), not 要至急;
            # a finding a paced rhythm explains raises nothing
            own, lowered = own_level(s, current)
            if own is None:
                level = None
            elif lowered and level is not None and SEVERITY[level] > SEVERITY[own]:
                level = own
            f = FindingChange(lid, s.ja, s.en, s.category, "new", s.score,
                              old.score if old else None, level)
            new.append(f)
            if level:
                raises.append(Raise(level, f"new:{lid}", Reason.of(
                    "compare.new_finding", label=Bilingual(s.ja, s.en),
                    date=prior_ref.date_text())))
        for lid, s in before.items():
            cur = all_now.get(lid)
            if lid in now or flicker(cur, s):
                continue
            resolved.append(FindingChange(lid, s.ja, s.en, s.category, "resolved",
                                          cur.score if cur else None, s.score))
    return Comparison(
        current=current_ref, prior=prior_ref, match=match, changes=tuple(changes),
        new_findings=tuple(new), resolved_findings=tuple(resolved), findings_compared=compared,
        axis_prior=ax_a, axis_current=ax_b, raises=tuple(raises),
        rules_version=rules.version, prior_analysis=prior, current_median=current_median,
        prior_median=prior_median,
    )
