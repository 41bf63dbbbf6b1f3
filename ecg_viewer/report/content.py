"""What every report holds, gathered once: the record, the analysis, the review, provenance.

The JSON, FHIR and PDF writers all read a :class:`ReportContent`, so the three exports of one
ECG say the same thing. ``to_dict()`` is the JSON report: the ``analyze --json`` object plus the
record summary and the clinician's review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ecg_viewer import __version__
from ecg_viewer.core.messages import MESSAGES, list_sep, tr, unit_label
from ecg_viewer.core.prediction import Analysis, LabelScore
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.labels.derived import CONJUNCTION_KEY, DERIVED_KEY
from ecg_viewer.labels.referral import shown_level
from ecg_viewer.review.model import Annotation, Review
from ecg_viewer.signal.page import CLOCK_FROM_S, clock_text, page_description

REPORT_FORMAT_VERSION = 1

# measurement key -> (label on the report: a fixed abbreviation or a message key, unit)
MEASUREMENT_KEYS: tuple[tuple[str, str, str], ...] = (
    ("hr_bpm", "HR", "bpm"),
    ("rr_ms", "RR", "ms"),
    ("p_ms", "P", "ms"),
    ("pr_ms", "PR", "ms"),
    ("qrs_ms", "QRS", "ms"),
    ("qt_ms", "QT", "ms"),
    ("qtc_bazett_ms", "QTc(B)", "ms"),
    ("qtc_fridericia_ms", "QTc(F)", "ms"),
    ("p_axis_deg", "critf.p_axis_deg", "°"),
    ("qrs_axis_deg", "critf.qrs_axis_deg", "°"),
    ("t_axis_deg", "critf.t_axis_deg", "°"),
)


# shown only when measured: the QTc modified for a wide QRS (signal.measure.qtc_modified)
OPTIONAL_MEASUREMENT_KEYS: tuple[tuple[str, str, str], ...] = (
    ("qtc_modified_ms", "meas.qtc_modified_short", "ms"),
)


def model_window_text(analysis: Analysis, lang: str | None = None) -> str:
    """Which seconds of a longer record the model's suggestions come from ("" when it read the
    whole record): 「AI の所見候補は記録の 55.0–65.0 秒（中央の 10 秒）から」 (h:mm:ss from an
    hour on)."""
    span = analysis.extra.get("model_window_s") if analysis.extra else None
    if not span or len(span) != 2:
        return ""
    a, b = (float(v) for v in span)
    if b >= CLOCK_FROM_S:
        return tr("report.model_window_clock", lang, start=clock_text(a), end=clock_text(b))
    return tr("report.model_window", lang, start=a, end=b)


def child_note(analysis: Analysis, lang: str | None = None) -> str:
    """That the ECG is a child's and the criteria and the model are adults' ("" otherwise):
    the window, ``analyze``, the PDF and the FHIR conclusion say it beside the suggestions."""
    note = analysis.extra.get("child") if analysis.extra else None
    if not isinstance(note, dict) or note.get("age_years") is None:
        return ""
    return tr("analysis.child_note", lang, age=float(note["age_years"]))


def format_name(fmt: str, lang: str | None = None) -> str:
    """A reader's id (``EcgRecord.format``, "philips_xml") as a person names the format: its
    reader's label without the note in brackets ("Philips Sierra XML", "WFDB", "DICOM 波形");
    the id itself where no reader has it (QA 67: 「形式: philips_xml」 in the header and reports)."""
    from ecg_viewer.io.registry import readers

    for spec in readers():
        if spec.name == fmt:
            label = spec.shown_label.text(lang)
            return re.split(r"\s*[(（]", label, maxsplit=1)[0].strip() or label
    return fmt


def rests_on_rejected(s: LabelScore, decisions: dict[str, str]) -> bool:
    """Whether suggestion ``s`` stands only on findings the physician rejected: a broader label
    whose narrower labels (``derived_from``) were all rejected, or a label defined as findings
    together (``conjunction_of``) one of whose parts was. It is then no finding of the report
    (a rejected 前壁中隔心筋梗塞 left 心筋梗塞 in the final FHIR conclusion, QA 2026-12-06)."""
    return bool(rejected_parts(s, decisions))


def rejected_parts(s: LabelScore, decisions: dict[str, str]) -> list[str]:
    """The ids of the rejected findings suggestion ``s`` stands on (:func:`rests_on_rejected`),
    or [] when it does not stand on rejected ones alone."""
    derived = [str(e.value) for e in s.evidence if e.key == DERIVED_KEY]
    parts = [str(e.value) for e in s.evidence if e.key == CONJUNCTION_KEY]
    if derived and all(decisions.get(i) == "rejected" for i in derived):
        return derived
    return [i for i in parts if decisions.get(i) == "rejected"]


def confirmed_under_rejected(s: LabelScore, decisions: dict[str, str]) -> list[str]:
    """The ids of the confirmed findings that suggestion ``s``, rejected, is made of: a narrower
    label (``derived_from``) of a rejected broader one, or every part of a rejected conjunction;
    [] otherwise. Such a rejection contradicts what was confirmed (QA 69: 下壁心筋梗塞 confirmed and
    心筋梗塞 rejected, both printed side by side in the signed report)."""
    if decisions.get(s.id) != "rejected":
        return []
    derived = [str(e.value) for e in s.evidence if e.key == DERIVED_KEY]
    parts = [str(e.value) for e in s.evidence if e.key == CONJUNCTION_KEY]
    confirmed = [i for i in derived if decisions.get(i) == "confirmed"]
    if confirmed:
        return confirmed
    return parts if parts and all(decisions.get(i) == "confirmed" for i in parts) else []


_FILTER_KEYS = {"highpass_hz": "ui.page.highpass", "lowpass_hz": "ui.page.lowpass",
                "notch_hz": "ui.page.notch"}


def device_filter_text(filters: dict[str, Any] | None, lang: str) -> str:
    """The recording device's filters as the page names its own (「基線補正 0.05 Hz、高域遮断
    150 Hz」), "" when the file states none."""
    return list_sep(lang).join(
        tr(_FILTER_KEYS[k], lang, hz=v) if k in _FILTER_KEYS else f"{k} {v:g}"
        for k, v in (filters or {}).items() if v is not None)


def device_reading(meta: Any, lang: str) -> tuple[str, list[str]]:
    """The recording cart's own reading as the PDF and the window show it: its measurements on
    one line (:func:`device_measurement_text`, "" when none) and its statements verbatim."""
    statements = [t.strip() for t in meta.interpretation if t and t.strip()]
    return device_measurement_text(meta, lang), statements


def device_measurement_text(meta: Any, lang: str) -> str:
    """The recording cart's own global measurements, as read from the file
    (``meta.extra["device_measurements"]``), on one line for the reader to set beside ours
    (「記録装置の計測値: 心拍数 41 /分、PR 151 ms、QRS 135 ms、QT/QTc 476/393 ms、電気軸
    P/QRS/T 66/−21/59°」); "" when the file carries none (the Philips cart's QRS 135 ms against
    our 102 ms was kept in the JSON only)."""
    dm = (getattr(meta, "extra", None) or {}).get("device_measurements") or {}

    def v(key: str) -> str:
        x = dm.get(key)
        return "—" if x is None else f"{float(x):.0f}"

    if not any(dm.get(k) is not None for k in ("hr_bpm", "pr_ms", "qrs_ms", "qt_ms")):
        return ""
    sep = list_sep(lang) if lang == "ja" else ", "
    parts = [f"{tr('critf.hr_bpm', lang)} {v('hr_bpm')} {unit_label('bpm', lang)}",
             f"PR {v('pr_ms')} ms", f"QRS {v('qrs_ms')} ms", f"QT/QTc {v('qt_ms')}/{v('qtc_ms')} ms"]
    if any(dm.get(k) is not None for k in ("p_axis_deg", "qrs_axis_deg", "t_axis_deg")):
        parts.append(tr("analysis.axes", lang, axes=f"{v('p_axis_deg')}/{v('qrs_axis_deg')}/"
                                                   f"{v('t_axis_deg')}°"))
    return tr("report.device_measurements", lang, values=sep.join(parts))


def report_measurement_keys(measurements: dict[str, Any] | None) -> tuple[tuple[str, str, str], ...]:
    """:data:`MEASUREMENT_KEYS` and the optional ones that ``measurements`` holds a value for."""
    extra = tuple(k for k in OPTIONAL_MEASUREMENT_KEYS
                  if measurement_value(measurements, k[0]) is not None)
    return MEASUREMENT_KEYS + extra


def measurement_label(label: str, lang: str) -> str:
    """A :data:`MEASUREMENT_KEYS` label as printed in ``lang``."""
    return tr(label, lang) if label in MESSAGES else label


def measurement_value(measurements: dict[str, Any] | None, key: str) -> float | None:
    """A measurement as a number, or None when absent or not measurable (the measurements may
    hold plain numbers or ``{"value": ..., "reason": ...}`` objects)."""
    if not measurements:
        return None
    value = measurements.get(key)
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # NaN -> None


def low_confidence_reason(measurements: dict[str, Any] | None, key: str) -> str | None:
    """The message key of why ``key`` has a low confidence (``Measurements.to_dict()``'s
    ``low_confidence`` / ``confidence_reasons``: the window shows such a value grey), "" when it
    is low without a reason, None when it is not low."""
    if not measurements or key not in (measurements.get("low_confidence") or ()):
        return None
    return str((measurements.get("confidence_reasons") or {}).get(key) or "")


@dataclass(frozen=True)
class ReportContent:
    record: EcgRecord
    analysis: Analysis
    review: Review | None = None
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # the page settings the clinician looked at (layout/speed/gain/filters); None = defaults
    page_settings: Any = None
    # the label catalog (``ecg_viewer.labels.catalog.Catalog``): texts and codes of added labels
    catalog: Any = None
    # the comparison with the prior ECG (``ecg_viewer.compare.diff.Comparison``), None without
    # one; ``analysis.referral`` is then the flag raised by it (compare.referral.with_comparison)
    comparison: Any = None
    # the settings asked for, where the ECG sheet could not be printed with them at true scale
    # on A4 (``page_settings`` are then those printed: report.pdf.printed_settings)
    page_requested: Any = None
    # why there is no comparison (``compare.pair.why_reason``: no patient ID, none found ...),
    # None when there is one or none was asked for
    comparison_note: Any = None

    def page_notice(self, lang: str | None = None) -> str | None:
        """What the ECG sheet was printed with instead of the settings asked for, or None."""
        if self.page_requested is None or self.page_settings is None:
            return None
        return refit_notice(self.page_settings, self.page_requested, lang)

    # --- provenance ----------------------------------------------------------------------------
    @property
    def model(self) -> dict[str, Any]:
        pred = self.analysis.prediction
        if pred is not None:
            return pred.model.to_dict()
        extra = self.analysis.extra.get("model")
        if isinstance(extra, dict):
            return dict(extra)
        return {"app_version": __version__, "weights_sha256": None, "catalog_version": None,
                "device": None}

    @property
    def app_version(self) -> str:
        return str(self.model.get("app_version") or __version__)

    @property
    def weights_sha256(self) -> str | None:
        return self.model.get("weights_sha256")

    @property
    def catalog_version(self) -> str | None:
        return self.model.get("catalog_version")

    @property
    def referral_title_key(self) -> str:
        """The banner's title: a level from rules over the model's labels and the measurements,
        or — when the model did not run on a readable record — from the measurements only."""
        a = self.analysis
        if a.prediction is None and a.referral.level != "unreadable":
            return "report.referral_measurements_only"
        return "report.referral"

    # --- findings ------------------------------------------------------------------------------
    def suggestions(self, k: int = 5) -> tuple[LabelScore, ...]:
        """The top ``k`` labels plus every label above its threshold or named by the banner,
        best first (``Analysis.suggestions``)."""
        return self.analysis.suggestions(k)

    def catalog_label(self, label_id: str) -> Any:
        """The catalog's entry for ``label_id`` (None without a catalog or for an unknown id)."""
        if self.catalog is None:
            return None
        try:
            return self.catalog.by_id(label_id)
        except (KeyError, LookupError, ValueError):
            return None

    def label_codes(self, label_id: str) -> dict[str, tuple[str, ...]]:
        """The catalog's SNOMED CT and Minnesota codes of a label (empty where it has none)."""
        lab = self.catalog_label(label_id)
        return {"snomed": tuple(getattr(lab, "snomed", ()) or ()),
                "minnesota": tuple(getattr(lab, "minnesota", ()) or ())}

    def label_text(self, label_id: str) -> tuple[str, str]:
        """(Japanese, English) of a label id as this ECG's prediction names it (正常心電図 beside a
        measured finding reads 「正常心電図（計測所見を除く）」: QA 63, the signed review block had
        dropped it), else the catalog's."""
        pred = self.analysis.prediction
        if pred is not None:
            for s in pred.labels:
                if s.id == label_id:
                    return s.ja, s.en
        lab = self.catalog_label(label_id)
        if lab is not None:
            return lab.ja, lab.en
        return label_id, label_id

    def findings(self) -> list[dict[str, Any]]:
        """The findings a report states: suggestions above threshold the clinician did not
        reject, labels the clinician confirmed, and labels the clinician added."""
        review = self.review or Review(sha256=self.analysis.sha256 or "")
        out: dict[str, dict[str, Any]] = {}
        pred = self.analysis.prediction
        for s in pred.labels if pred else ():
            decision = review.decisions.get(s.id)
            if decision is None and rests_on_rejected(s, review.decisions):
                continue  # 心筋梗塞 from the 前壁中隔心筋梗塞 the physician rejected
            if (s.above_threshold and decision != "rejected") or decision == "confirmed":
                out[s.id] = {"id": s.id, "ja": s.ja, "en": s.en, "score": s.score,
                             "category": shown_level(s, self.analysis), "source": "model",
                             "decision": decision}
        for label_id in review.added_labels:
            ja, en = self.label_text(label_id)
            lab = self.catalog_label(label_id)
            out.setdefault(label_id, {"id": label_id, "ja": ja, "en": en, "score": None,
                                      "category": getattr(lab, "category", None),
                                      "source": "clinician", "decision": "added"})
        return list(out.values())

    @property
    def annotations(self) -> tuple[Annotation, ...]:
        return self.review.annotations if self.review else ()

    # --- JSON ----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        out = self.analysis.to_dict()
        summary = self.record.summary()
        out["record"] = summary
        out["review"] = self.review.to_dict() if self.review else None
        out["findings"] = [dict(f, **{k: list(v) for k, v in self.label_codes(f["id"]).items()})
                           for f in self.findings()]
        out["report"] = {
            "format_version": REPORT_FORMAT_VERSION,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "app_version": self.app_version,
            "weights_sha256": self.weights_sha256,
            "catalog_version": self.catalog_version,
            "notice_ja": tr("safety.notice", "ja"),
            "notice_en": tr("safety.notice", "en"),
        }
        if self.page_settings is not None:  # as printed on the ECG sheet
            out["report"]["page"] = _settings_dict(self.page_settings)
        if self.page_requested is not None:
            out["report"]["page_requested"] = _settings_dict(self.page_requested)
        out["comparison"] = self.comparison.to_dict() if self.comparison is not None else None
        if self.comparison is None and self.comparison_note is not None:  # as analyze --json
            note = self.comparison_note
            out["comparison_note"] = {"key": note.key, "ja": note.text("ja"), "en": note.text("en")}
        return out


def refit_notice(printed: Any, asked: Any, lang: str | None = None) -> str | None:
    """「… 心電図は {printed} で印刷しました（指定: {asked}）」, or None when they are the same."""
    if printed == asked:
        return None
    return tr("report.page_refit", lang, printed=page_description(printed, lang=lang),
              asked=page_description(asked, lang=lang))


def _settings_dict(settings: Any) -> dict[str, Any]:
    d: dict[str, Any] = {}
    for name in ("layout", "speed_mm_s", "gain_limb_mm_mv", "gain_chest_mm_mv", "start_s",
                 "window_s"):
        if hasattr(settings, name):
            d[name] = getattr(settings, name)
    filters = getattr(settings, "filters", None)
    if filters is not None:
        d["filters"] = {k: getattr(filters, k) for k in ("highpass_hz", "lowpass_hz", "notch_hz")
                        if hasattr(filters, k)}
    return d


def annotation_text(a: Annotation, lang: str) -> str:
    """A caliper or note as the report lists it: 「V5 4.50 s: 400 ms（150 /分）」."""
    where = f"{a.lead or ''} {a.t0_s:.2f} s"
    if a.kind == "time":
        return f"{where}: " + tr("ui.caliper.time", lang, ms=a.interval_ms, bpm=a.rate_bpm or 0)
    if a.kind == "amplitude":
        return f"{where}: " + tr("ui.caliper.amplitude", lang, mv=(a.v1_mv or 0) - (a.v0_mv or 0))
    return f"{where}: {a.text}"
