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

from ecg_viewer.compare.findings import FindingChange, Raise, compare_findings
from ecg_viewer.compare.rules import ComparisonRules, default_rules, wrap_deg
from ecg_viewer.core.messages import Bilingual, Reason, tr, value_with_unit
from ecg_viewer.core.prediction import Analysis
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.labels.referral_rules import measured_value

__all__ = ["MATCH_KINDS", "Comparison", "EcgRef", "FindingChange", "MeasurementChange", "Raise",
           "compare_analyses"]

MATCH_KINDS = ("folder", "worklist", "database", "manual")


@dataclass(frozen=True)
class EcgRef:
    """Which ECG one side of the comparison is."""

    file: str
    sha256: str | None = None
    patient_id: str | None = None
    recorded_at: datetime | None = None
    format: str = "unknown"
    sex: str | None = None  # "M", "F" or None, as the file gives it
    age_years: float | None = None

    @classmethod
    def of(cls, record: EcgRecord, analysis: Analysis | None = None) -> EcgRef:
        m = record.meta
        return cls(file=record.source_path or (analysis.file if analysis else ""),
                   sha256=record.sha256 or (analysis.sha256 if analysis else None),
                   patient_id=m.patient_id, recorded_at=m.recorded_at, format=record.format,
                   sex=m.sex if m.sex in ("M", "F") else None, age_years=m.age_years)

    def date_text(self, lang: str | None = None) -> str:
        """The recording time, or 「記録日時不明」 / "time unknown"."""
        if self.recorded_at is None:
            return tr("compare.time_unknown", lang)
        return self.recorded_at.strftime("%Y-%m-%d %H:%M")

    def date_param(self) -> Bilingual:
        """The recording time as a message parameter (rendered in the language shown)."""
        return Bilingual(self.date_text("ja"), self.date_text("en"))

    def patient_text(self, lang: str | None = None) -> str:
        """Sex and age as the file gives them (「男性・71 歳」), 「不明」 for what it lacks,
        「性別・年齢の記載なし」 when it gives neither."""
        if self.sex is None and self.age_years is None:
            return tr("compare.patient_unknown", lang)
        sex = tr(f"report.sex.{self.sex}", lang) if self.sex else tr("compare.unknown", lang)
        age = (tr("report.age_value", lang, age=self.age_years) if self.age_years is not None
               else tr("compare.unknown", lang))
        return tr("compare.patient_data", lang, sex=sex, age=age)

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "sha256": self.sha256, "patient_id": self.patient_id,
                "recorded_at": self.recorded_at.isoformat() if self.recorded_at else None,
                "format": self.format, "sex": self.sex, "age_years": self.age_years}


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
    # of low confidence, and as large as the rule's threshold: named in the summary as such
    # (QA 71: PTB-XL 308 -> 320, QTc(B) 482 -> 596 ms greyed, the line read "no change")
    low_but_large: bool = False

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
                "low_confidence": self.low_confidence, "low_but_large": self.low_but_large,
                "text_ja": self.text("ja") if self.marked else None,
                "text_en": self.text("en") if self.marked else None}


@dataclass(frozen=True, eq=False)
class Comparison:
    current: EcgRef
    prior: EcgRef
    match: str  # how the prior was chosen: one of MATCH_KINDS
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
    # why the two ECGs could not be compared (a message key: the prior's own analysis is
    # 判定不能), None when they were: then every value is 参考値 (never marked, raises nothing)
    not_comparable: str | None = None
    # prior findings no longer shown that a NEW complete LBBB / paced rhythm hides (not resolved)
    not_assessable: tuple[FindingChange, ...] = ()
    masked_by: tuple[FindingChange, ...] = ()

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
        raised = next((r for r in self.raises if r.id.startswith("new_axis:")), None)
        return raised.id.split(":", 1)[1] if raised else None

    @property
    def patient_matched(self) -> bool:
        """Whether the two ECGs carry the same usable patient ID (False for a prior picked by
        hand among files without ID: sheet and window then show the prior's sex and age)."""
        from ecg_viewer.compare.prior import usable_patient_id

        a = usable_patient_id(self.current.patient_id)
        return a is not None and a == usable_patient_id(self.prior.patient_id)

    def prior_file_text(self) -> str:
        """The prior's file as the reader is shown it: its name when it lies beside the current
        file, with its folder's name when it was found elsewhere (worklist, database)."""
        parts = self.prior.file.replace("\\", "/").rsplit("/", 2)
        return parts[-1] if self.match == "folder" or len(parts) < 2 else "/".join(parts[-2:])

    def unmatched_note(self, lang: str | None = None) -> str | None:
        """「患者IDで照合していません（手動選択）— 前回: 男性・77 歳／今回: 男性・71 歳」, or None
        when the patient IDs match."""
        if self.patient_matched:
            return None
        return tr("compare.unmatched", lang, prior=self.prior.patient_text(lang),
                  current=self.current.patient_text(lang))

    def marked_changes(self) -> tuple[MeasurementChange, ...]:
        return tuple(c for c in self.changes if c.marked)

    def change(self, key: str) -> MeasurementChange | None:
        return next((c for c in self.changes if c.key == key), None)

    def _marked(self) -> tuple[MeasurementChange | Raise, ...]:
        """The changes past a threshold: the marked measurements and a new axis deviation."""
        return (*self.marked_changes(), *(r for r in self.raises if r.id.startswith("new_axis:")))

    def status_text(self, lang: str | None = None) -> str:
        """A short line (the window's status bar): how many findings are new and how many
        changes pass a threshold; :meth:`summary` names them. Never "no new finding" when the
        findings were not compared."""
        if self.not_comparable:
            return tr("compare.status_not_comparable", lang)
        marked = len(self._marked())
        if not self.findings_compared:
            return tr("compare.status_no_findings", lang, marked=marked)
        if not self.new_findings and not marked and not self.resolved_findings:
            return tr("compare.status_none", lang)
        if self.resolved_findings:
            return tr("compare.status_resolved", lang, new=len(self.new_findings),
                      resolved=len(self.resolved_findings), marked=marked)
        return tr("compare.status", lang, new=len(self.new_findings), marked=marked)

    def summary(self, lang: str | None = None) -> str:
        """One line: the prior's date, what is new and what resolved (for a status bar, the
        FHIR text or a report header). Never "no change" beside a resolved finding (QA 71: 308
        -> 320 read 「基準を超える変化・新規所見はありません」 with 下壁心筋梗塞 gone)."""
        sep = ", " if lang == "en" else "、"
        if self.prior.recorded_at is None:
            parts = [tr("compare.prior_line_undated", lang)]
        else:
            parts = [tr("compare.prior_line", lang, date=self.prior.date_text(lang),
                        days=_days_text(self.interval_days, lang))]
        if self.not_comparable:
            parts.append(tr(self.not_comparable, lang))
            return (" / " if lang == "en" else " ／ ").join(parts)
        if self.new_findings:
            parts.append(tr("compare.new_list", lang, labels=sep.join(
                f.ja if lang != "en" else f.en for f in self.new_findings)))
        if self.resolved_findings:
            parts.append(tr("compare.resolved_list", lang, labels=sep.join(
                f.ja if lang != "en" else f.en for f in self.resolved_findings)))
        marked = [m.text(lang) for m in self._marked()]  # … "新たな左軸偏位（QRS軸 …）"
        if marked:
            parts.append(sep.join(marked))
        large = [f"{c.label.text(lang)} {value_with_unit(c.change, c.unit, lang, signed=True)}"
                 for c in self.changes if c.low_but_large]
        if large:
            parts.append(tr("compare.low_but_large", lang, items=sep.join(large)))
        if not self.findings_compared:
            if not marked and not large:
                parts.append(tr("compare.no_change_beyond", lang))
            parts.append(tr("compare.findings_unavailable", lang))
        elif not (self.new_findings or marked or self.resolved_findings or large):
            parts.append(tr("compare.no_significant_change", lang))
        return (" / " if lang == "en" else " ／ ").join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "prior": self.prior.to_dict(), "current": self.current.to_dict(),
            "match": self.match, "patient_matched": self.patient_matched,
            "interval_days": None if self.interval_days is None else round(self.interval_days, 2),
            "not_comparable": None if self.not_comparable is None else {
                "key": self.not_comparable, "ja": tr(self.not_comparable, "ja"),
                "en": tr(self.not_comparable, "en")},
            "measurements": [c.to_dict() for c in self.changes],
            "axis": {"prior": self.axis_prior, "current": self.axis_current,
                     "new_deviation": self.new_axis_deviation},
            "findings_compared": self.findings_compared,
            "new_findings": [f.to_dict() for f in self.new_findings],
            "resolved_findings": [f.to_dict() for f in self.resolved_findings],
            "not_assessable_findings": [f.to_dict() for f in self.not_assessable],
            "prior_referral": (self.prior_analysis.referral.to_dict()
                               if self.prior_analysis is not None else None),
            "raises": [{"level": r.level, "id": r.id, "reason_ja": r.reason_ja,
                        "reason_en": r.reason_en} for r in self.raises],
            "rules_version": self.rules_version,
            "summary_ja": self.summary("ja"), "summary_en": self.summary("en"),
            "notice_ja": tr("compare.notice", "ja"),
        }


def _days_text(days: float | None, lang: str | None) -> str:
    """「3 日前」, 「1 日前」 / "1 day earlier", under a day 「5 時間前」 / "5 hours earlier", under
    an hour 「同日（1 時間以内）」 / "same day (within the hour)"."""
    if days is None:
        return tr("compare.days_unknown", lang)
    hours = max(0.0, days * 24.0)
    if hours < 1.0:
        return tr("compare.within_hour", lang)
    if hours < 23.5:
        n = int(round(hours))
        return tr("compare.hour", lang) if n == 1 else tr("compare.hours", lang, n=n)
    n = max(1, int(round(days)))
    return tr("compare.day", lang) if n == 1 else tr("compare.days", lang, n=n)


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


def _not_comparable(current: Analysis, prior: Analysis) -> str | None:
    """A prior (or current) ECG whose own analysis is 判定不能 (the quality gate failed: leads
    missing, saturated, flat) is not compared: its values are not measurements a change can be
    read from (MIT-BIH 100, 2 leads, read against a 12-lead ECG as QRS +74 ms, raising 要精査)."""
    if prior.referral.level == "unreadable":
        return "compare.prior_unreadable_analysis"
    if current.referral.level == "unreadable":
        return "compare.current_unreadable_analysis"
    return None


def compare_analyses(current: Analysis, prior: Analysis, *, current_ref: EcgRef,
                     prior_ref: EcgRef, match: str = "manual",
                     rules: ComparisonRules | None = None, current_median: Any = None,
                     prior_median: Any = None) -> Comparison:
    """Compare two analyses of the same patient's ECGs (``prior`` recorded earlier)."""
    if match not in MATCH_KINDS:
        raise ValueError(f"match must be one of {MATCH_KINDS}, got {match!r}")
    rules = rules or default_rules()
    unusable = _not_comparable(current, prior)
    raises: list[Raise] = []
    changes = []
    for rule in rules.changes:
        a, b = _value(prior.measurements, rule.key), _value(current.measurements, rule.key)
        delta = None
        if a is not None and b is not None:
            delta = wrap_deg(b - a) if rule.is_axis else b - a
        low = bool(unusable) or _low(prior.measurements, rule.key) \
            or _low(current.measurements, rule.key)
        ch = MeasurementChange(rule.id, rule.key, rule.label, rule.unit, a, b, delta,
                               rule.marks(delta) and not low, rule.level, rule.message, low,
                               rule.marks(delta) and low and not unusable)
        changes.append(ch)
        if ch.marked and rule.level:
            raises.append(Raise(rule.level, f"change:{rule.id}", ch.reason()))
    axis_a = _value(prior.measurements, rules.axis_key)
    axis_b = _value(current.measurements, rules.axis_key)
    ax_a, ax_b = rules.axis_category(axis_a), rules.axis_category(axis_b)
    axis_low = bool(unusable) or _low(prior.measurements, rules.axis_key) \
        or _low(current.measurements, rules.axis_key)
    # a new axis deviation needs a real shift (rules: new_deviation_min_shift_deg, 15°):
    # -24° -> -31° across -30° is measurement noise, not a new left axis deviation
    small_shift = (axis_a is not None and axis_b is not None and not axis_low
                   and abs(wrap_deg(axis_b - axis_a)) < rules.axis_min_shift_deg)
    axis_raised = None
    if ax_a == "normal" and ax_b not in (None, "normal") and rules.new_axis_level \
            and not axis_low and not small_shift:
        msg = rules.axis_message(ax_b) or "compare.axis.left"
        raises.append(Raise(rules.new_axis_level, f"new_axis:{ax_b}",
                            Reason.of(msg, prior=axis_a, current=axis_b)))
        axis_raised = ax_b
    compared = (current.prediction is not None and prior.prediction is not None
                and unusable is None)
    found = compare_findings(current, prior, rules, prior_ref.date_param(),
                             axis_small_shift=small_shift, axis_raised=axis_raised) \
        if compared else None
    return Comparison(
        current=current_ref, prior=prior_ref, match=match, changes=tuple(changes),
        new_findings=found.new if found else (),
        resolved_findings=found.resolved if found else (), findings_compared=compared,
        axis_prior=ax_a, axis_current=ax_b,
        raises=tuple(raises) + (found.raises if found else ()),
        rules_version=rules.version, prior_analysis=prior, current_median=current_median,
        prior_median=prior_median, not_comparable=unusable,
        not_assessable=found.not_assessable if found else (),
        masked_by=found.masked_by if found else (),
    )
