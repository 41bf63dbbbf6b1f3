"""FHIR R4 export: a Bundle (type ``collection``) holding a Patient (when the file names one), a
DiagnosticReport "EKG study" (LOINC 11524-6), one Observation per measurement (HR, RR, PR, QRS,
QT, QTc, axes), one per finding, one for the referral level and one per caliper or note the
physician placed.

Conventions followed (JP Core ECG, as summarised in the project reference §5): the study is
LOINC 11524-6; heart rate 8867-4 with the EKG-specific 76282-3; RR 8637-1, PR 8625-6, QRS 8633-0,
QT 8634-8, QTc 8636-3 (Bazett, Fridericia: the method), the P, QRS and T axes 8626-4, 8632-2,
8638-9; findings are "EKG impression" Observations (LOINC 8601-7) whose
value carries the catalog's SNOMED CT codes where present, the catalog label id in this
application's code system, and the Japanese text. Vendor interpretation code systems (ECAPS,
FKD_GRADE) are not produced: the application has no such codes. The local code-system URLs are
placeholders a deployment replaces (``system_base``).

Plain dicts out; the tests validate them with ``fhir.resources`` (R4B models, which share R4's
DiagnosticReport and Observation structure).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ecg_viewer.core.messages import MESSAGES, language, list_sep, tr
from ecg_viewer.core.prediction import REFERRAL_EN, REFERRAL_JA, Evidence, category_text
from ecg_viewer.labels.derived import LABEL_VALUED_KEYS
from ecg_viewer.labels.evidence import evidence_text, feature_name, label_name
from ecg_viewer.report.content import (
    ReportContent,
    annotation_text,
    child_note,
    low_confidence_reason,
    measurement_value,
)
from ecg_viewer.review.model import Annotation

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"  # diagnostic service section
# HL7 AI Transparency on FHIR: the security label of what an AI asserted, machine-readable (QA
# 41: only free text had said the conclusion codes were AI suggestions)
AI_ASSERTED = {"security": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
                             "code": "AIAST", "display": "Artificial Intelligence asserted"}]}
DEFAULT_SYSTEM_BASE = "https://ecg-viewer.invalid/fhir"

# measurement key -> (LOINC codings, UCUM unit, display unit)
MEASUREMENT_CODES: dict[str, tuple[tuple[tuple[str, str], ...], str, str]] = {
    "hr_bpm": ((("8867-4", "Heart rate"), ("76282-3", "Heart rate.beat-to-beat by EKG")),
               "/min", "/min"),
    "rr_ms": ((("8637-1", "R-R interval by EKG"),), "ms", "ms"),
    "pr_ms": ((("8625-6", "P-R Interval"),), "ms", "ms"),
    "qrs_ms": ((("8633-0", "QRS duration"),), "ms", "ms"),
    "qt_ms": ((("8634-8", "Q-T interval"),), "ms", "ms"),
    "qtc_bazett_ms": ((("8636-3", "Q-T interval corrected"),), "ms", "ms"),
    # the header, the PDF and the comparison give these too (QA 71: only their changes were in
    # the bundle); QTc by Fridericia is the same LOINC concept, told apart by its method
    "qtc_fridericia_ms": ((("8636-3", "Q-T interval corrected"),), "ms", "ms"),
    "p_axis_deg": ((("8626-4", "P wave axis"),), "deg", "°"),
    "qrs_axis_deg": ((("8632-2", "QRS axis"),), "deg", "°"),
    "t_axis_deg": ((("8638-9", "T wave axis"),), "deg", "°"),
}
# a measurement Observation's code text, in the bundle's language (the codings stay LOINC's)
MEASUREMENT_TEXT_KEYS = {"hr_bpm": "critf.hr_bpm", "rr_ms": "report.fhir.rr_ms",
                         "pr_ms": "critf.pr_ms", "qrs_ms": "critf.qrs_ms",
                         "qt_ms": "report.fhir.qt_ms", "qtc_bazett_ms": "critf.qtc_bazett_ms",
                         "qtc_fridericia_ms": "critf.qtc_fridericia_ms",
                         "p_axis_deg": "critf.p_axis_deg", "qrs_axis_deg": "critf.qrs_axis_deg",
                         "t_axis_deg": "critf.t_axis_deg"}
# the formula of a corrected QT, the Observation's method
QTC_METHODS = {"qtc_bazett_ms": "Bazett", "qtc_fridericia_ms": "Fridericia"}
# who stated a finding, in an Observation's note (no decision: the AI's suggestion alone)
DECISION_KEYS = {"confirmed": "report.fhir.decision.confirmed",
                 "added": "report.fhir.decision.added"}
STUDY = ("11524-6", "EKG study")
IMPRESSION = ("8601-7", "EKG impression")


def _fhir_datetime(dt: datetime | None) -> str | None:
    """FHIR dateTime with a time zone (a naive time from the file is taken as local time)."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.astimezone()
    return dt.isoformat(timespec="seconds")


def primary_snomed(codes: dict[str, Any]) -> list[str]:
    """The label's own SNOMED CT concept: the catalog's first code. The others are the codes
    that map onto the label when data sets are scored (CinC: chronic and paroxysmal AF, old MI,
    acute and chronic ischaemia ...); listed as codings of one CodeableConcept they claimed to
    be the same concept, contradicting each other (a reviewer's reading of the FHIR, 2026-12-06)."""
    return list(codes.get("snomed") or ())[:1]


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    c = {"system": system, "code": code}
    if display:
        c["display"] = display
    return c


def build_bundle(content: ReportContent, *, system_base: str = DEFAULT_SYSTEM_BASE,
                 pdf_bytes: bytes | None = None, lang: str | None = None) -> dict[str, Any]:
    """The FHIR R4 Bundle (a JSON-able dict) for one ECG.

    Findings carry the catalog's SNOMED CT codes (``content.catalog``) where the label has
    them, and always the catalog label id. ``pdf_bytes``: the PDF report, attached to the
    DiagnosticReport as ``presentedForm`` when given. The display texts (``text``, notes, the
    conclusion) are in ``lang`` (default: the current language); coding displays stay English.
    """
    lang = lang or language()
    ja = lang == "ja"
    rec, analysis, review = content.record, content.analysis, content.review
    meta = rec.meta
    ids = _Ids()
    entries: list[dict[str, Any]] = []
    effective = _fhir_datetime(meta.recorded_at)
    issued = _fhir_datetime(content.generated_at)
    final = bool(review and review.final_level)

    subject = None
    patient = _patient(meta)
    if patient is not None:
        pid = ids.new()
        entries.append({"fullUrl": pid, "resource": patient})
        subject = {"reference": pid}

    def observation(code: dict[str, Any], *, signed: bool = True, **fields: Any) -> str:
        """``signed=False``: a finding the physician has not stated, preliminary in a final
        report too."""
        oid = ids.new()
        res: dict[str, Any] = {"resourceType": "Observation",
                               "status": "final" if final and signed else "preliminary",
                               "code": code}
        if subject:
            res["subject"] = subject
        if effective:
            res["effectiveDateTime"] = effective
        if issued:
            res["issued"] = issued
        res.update(fields)
        entries.append({"fullUrl": oid, "resource": res})
        return oid

    results: list[str] = []
    proc_cat = [{"coding": [_coding(OBS_CATEGORY, "procedure", "Procedure")]}]
    for key, (codings, unit, display_unit) in MEASUREMENT_CODES.items():
        value = measurement_value(analysis.measurements, key)
        if value is None:
            continue
        code = {"coding": [_coding(LOINC, c, d) for c, d in codings],
                "text": tr(MEASUREMENT_TEXT_KEYS[key], lang)}
        cat = ([{"coding": [_coding(OBS_CATEGORY, "vital-signs", "Vital Signs")]}]
               if key == "hr_bpm" else proc_cat)
        fields: dict[str, Any] = {"category": cat, "valueQuantity": {
            "value": round(value, 1), "unit": display_unit, "system": UCUM, "code": unit}}
        if key in QTC_METHODS:
            fields["method"] = {"text": QTC_METHODS[key]}
        low = low_confidence_reason(analysis.measurements, key)
        if low is not None:  # grey in the window, marked in the PDF: said here too
            why = tr(low, lang) if low in MESSAGES else tr("meas.conf_low_mark", lang)
            fields["note"] = [{"text": why}]
        results.append(observation(code, **fields))

    label_system = _label_system(system_base)
    by_id = {s.id: s for s in analysis.prediction.labels} if analysis.prediction else {}
    minnesota_system = f"{system_base}/CodeSystem/minnesota-code"
    for f in content.findings():
        lab_codes = content.label_codes(f["id"])
        value_codings = [_coding(SNOMED, c) for c in primary_snomed(lab_codes)]
        value_codings += [_coding(minnesota_system, c) for c in lab_codes["minnesota"]]
        value_codings.append(_coding(label_system, f["id"], f["en"]))
        notes = []  # in the report's language, as the texts beside them
        model = by_id[f["id"]].measured_score if f["id"] in by_id else None
        if model is not None:  # shown from its measurements: the model's own score, said so
            notes.append(tr("report.fhir.ai_score_measured", lang, score=model,
                            category=category_text(f["category"], lang)))
        elif f["score"] is not None:
            notes.append(tr("report.fhir.ai_score", lang, score=f["score"],
                            category=category_text(f["category"], lang)))
        notes.append(tr(DECISION_KEYS.get(f["decision"] or "", "report.fhir.decision.none"), lang))
        score = by_id.get(f["id"])
        evidence = score.evidence if score is not None else ()
        extra: dict[str, Any] = {}
        if evidence:  # why it was suggested: the measured criteria and the model (issue 12)
            notes.append(tr("report.fhir.evidence", lang, items=list_sep(lang).join(
                evidence_text(e, lang) for e in evidence)))
            extra["component"] = [_evidence_component(e, system_base, lang) for e in evidence]
        if f["score"] is not None:  # suggested by the model (a physician's added finding has none)
            extra["meta"] = AI_ASSERTED
        # only what the physician confirmed or added is final once the report is (QA 61: an
        # unreviewed 0.08 suggestion went out as a final impression, its note saying "AI
        # suggestion, not reviewed")
        results.append(observation(
            {"coding": [_coding(LOINC, *IMPRESSION)], "text": tr("report.fhir.impression", lang)},
            signed=_stated(f), category=proc_cat,
            valueCodeableConcept={"coding": value_codings, "text": f[lang]},
            note=[{"text": tr("report.fhir.note_sep", lang).join(notes)}], **extra))

    level_system = f"{system_base}/CodeSystem/referral-level"
    ref = analysis.referral
    names = REFERRAL_JA if ja else REFERRAL_EN
    ref_note = [{"text": tr("safety.notice", lang)}]
    comps = [{"code": {"coding": [_coding(level_system, "suggested", "AI-suggested level")]},
              "valueCodeableConcept": {"coding": [_coding(level_system, ref.level, ref.en)],
                                       "text": ref.name(lang)}}]
    if review and review.final_level:
        comps.append({"code": {"coding": [_coding(level_system, "final", "Physician's level")]},
                      "valueCodeableConcept": {
                          "coding": [_coding(level_system, review.final_level,
                                             REFERRAL_EN[review.final_level])],
                          "text": names[review.final_level]}})
    level = review.final_level if final and review else ref.level
    by_ai = {} if final and review else {"meta": AI_ASSERTED}  # the model's level, not a reader's
    results.append(observation(
        {"coding": [_coding(level_system, "referral", "Referral level")],
         "text": tr("report.fhir.referral_level", lang)},
        **by_ai,
        category=proc_cat,
        valueCodeableConcept={"coding": [_coding(level_system, level, REFERRAL_EN[level])],
                              "text": names[level]},
        component=comps, note=ref_note))

    # the physician's calipers and notes, as the JSON and the PDF list them (QA 71: not in the
    # bundle): measured by a person, never AI-asserted
    caliper_system = f"{system_base}/CodeSystem/ecg-caliper"
    by = [{"display": review.reviewer}] if review and review.reviewer else []
    for n, a in enumerate(review.annotations if review else (), start=1):
        code, fields = _caliper(a, n, caliper_system, lang)
        results.append(observation(code, category=proc_cat, **fields,
                                   **({"performer": by} if by else {})))

    from ecg_viewer.report.fhir_compare import comparison_entries  # the prior ECG (issue 14)

    cmp_entries, cmp_obs = comparison_entries(
        content, new_id=ids.new, subject=subject, system_base=system_base,
        fhir_datetime=_fhir_datetime, status="final" if final else "preliminary", lang=lang)
    entries.extend(cmp_entries)
    if cmp_obs:
        results.append(cmp_obs)

    report: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "status": "final" if final else "preliminary",
        # the recording it reads, by its content hash, as the prior's report names its own
        # (QA 71: the prior had one, the current none)
        "identifier": [{"system": f"{system_base}/NamingSystem/ecg-sha256",
                        "value": content.analysis.sha256 or content.analysis.file}],
        "category": [{"coding": [_coding(V2_0074, "EC", "Electrocardiac")]}],
        "code": {"coding": [_coding(LOINC, *STUDY)], "text": tr("report.fhir.study", lang)},
        "result": [{"reference": r} for r in results],
        "conclusion": _conclusion(content, lang),
    }
    if subject:
        report["subject"] = subject
    if effective:
        report["effectiveDateTime"] = effective
    if issued:
        report["issued"] = issued
    concl_codes = []
    # a final report's coded conclusion is what the physician stated; a preliminary one lists
    # the suggestions too (its meta marks them as the AI's)
    for f in (f for f in content.findings() if _stated(f) or not final):
        cc = [_coding(SNOMED, c) for c in primary_snomed(content.label_codes(f["id"]))]
        cc.append(_coding(label_system, f["id"], f["en"]))
        concl_codes.append({"coding": cc, "text": f[lang]})
    if concl_codes:
        report["conclusionCode"] = concl_codes
    if any(f["score"] is not None for f in content.findings()):  # it carries AI suggestions
        report["meta"] = AI_ASSERTED
    if pdf_bytes is not None:
        import base64

        report["presentedForm"] = [{"contentType": "application/pdf", "language": lang,
                                    "data": base64.b64encode(pdf_bytes).decode("ascii"),
                                    "title": tr("report.title", lang)}]
    entries.insert(1 if patient else 0, {"fullUrl": ids.new(), "resource": report})
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": issued,
        "meta": {"tag": [_coding(f"{system_base}/CodeSystem/provenance", "app-version",
                                 content.app_version),
                         _coding(f"{system_base}/CodeSystem/provenance", "weights-sha256",
                                 content.weights_sha256 or "none"),
                         _coding(f"{system_base}/CodeSystem/provenance", "catalog-version",
                                 content.catalog_version or "none")]},
        "entry": entries,
    }


UCUM_UNITS = {"ms": "ms", "mV": "mV", "/min": "/min", "°": "deg", "mV·ms": "mV.ms", "": "1"}


def _label_system(system_base: str) -> str:
    """The code system of the catalog's labels (a finding, and a finding named by evidence)."""
    return f"{system_base}/CodeSystem/ecg-label"


def _evidence_component(e: Evidence, system_base: str, lang: str) -> dict[str, Any]:
    """One reason behind a finding as an Observation.component: the measured value (LOINC where
    the measurement has a code), the criterion, and whether it speaks for the finding."""
    codings = [_coding(LOINC, c, d) for c, d in MEASUREMENT_CODES.get(e.key, ((),))[0] if c]
    codings.append(_coding(f"{system_base}/CodeSystem/ecg-criteria", e.key,
                           feature_name(e.key, "en")))
    comp: dict[str, Any] = {"code": {"coding": codings, "text": feature_name(e.key, lang)}}
    if isinstance(e.value, bool):
        comp["valueBoolean"] = e.value
    elif isinstance(e.value, int | float):
        comp["valueQuantity"] = {"value": round(float(e.value), 3), "unit": e.unit or "1",
                                 "system": UCUM, "code": UCUM_UNITS.get(e.unit, "1")}
    elif e.key in LABEL_VALUED_KEYS:  # the value names a finding: coded, and named in ``lang``
        comp["valueCodeableConcept"] = {
            "coding": [_coding(_label_system(system_base), str(e.value),
                               label_name(str(e.value), "en"))],
            "text": label_name(str(e.value), lang)}
    else:
        comp["valueString"] = str(e.value)
    verdict = tr("report.fhir.supports" if e.supports else "report.fhir.borderline"
                 if e.borderline else "report.fhir.against", lang)
    if e.criterion in ("fusion", "model"):
        kind = tr("evid.fusion_weighed" if e.criterion == "fusion" else "report.fhir.by_model",
                  lang)
        text = tr("report.fhir.interpretation", lang, what=kind, verdict=verdict)
    elif e.key in LABEL_VALUED_KEYS and e.criterion:  # the criterion is the named label's score
        text = tr("report.fhir.interpretation", lang,
                  what=tr("report.fhir.label_score", lang, score=e.criterion), verdict=verdict)
    elif e.criterion:  # a published criterion: "基準 ≥ 3.5 mV：所見を支持", not "= true 所見に反する"
        criterion = e.criterion
        if criterion in ("= true", "= false"):  # a yes/no feature: 「基準 = あり」, not "= true"
            criterion = "= " + tr("evid.yes" if criterion == "= true" else "evid.no", lang)
        text = tr("report.fhir.interpretation", lang,
                  what=tr("report.fhir.criterion", lang, criterion=criterion), verdict=verdict)
    else:
        text = verdict
    comp["interpretation"] = [{"text": text}]
    return comp


CALIPER_CODES = {"time": ("time-interval", "Time interval by caliper", "report.fhir.caliper_time"),
                 "amplitude": ("amplitude", "Amplitude by caliper",
                               "report.fhir.caliper_amplitude"),
                 "note": ("note", "Note on the ECG", "report.fhir.caliper_note")}


def _caliper(a: Annotation, number: int, system: str, lang: str
             ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(code, fields) of the Observation of a caliper or note: its value (ms, mV, or the text),
    where it was placed (lead, start in s) as components, and the report's own line as a note."""
    code, display, text = CALIPER_CODES[a.kind]
    fields: dict[str, Any] = {}
    if a.kind == "time":
        fields["valueQuantity"] = {"value": round(a.interval_ms, 1), "unit": "ms",
                                   "system": UCUM, "code": "ms"}
    elif a.kind == "amplitude":
        fields["valueQuantity"] = {"value": round((a.v1_mv or 0.0) - (a.v0_mv or 0.0), 3),
                                   "unit": "mV", "system": UCUM, "code": "mV"}
    else:
        fields["valueString"] = a.text or "—"
    where = [{"code": {"coding": [_coding(system, "start", "Start time")]},
              "valueQuantity": {"value": round(a.t0_s, 3), "unit": "s", "system": UCUM,
                                "code": "s"}}]
    if a.lead:
        where.insert(0, {"code": {"coding": [_coding(system, "lead", "Lead")]},
                         "valueString": a.lead})
    fields["component"] = where
    fields["note"] = [{"text": f"[{number}] {annotation_text(a, lang)}"}]
    return {"coding": [_coding(system, code, display)], "text": tr(text, lang)}, fields


def _stated(finding: dict[str, Any]) -> bool:
    """Whether the physician stated ``finding`` (confirmed a suggestion or added it)."""
    return finding.get("decision") in ("confirmed", "added")


def _conclusion(content: ReportContent, lang: str) -> str:
    ref = content.analysis.referral
    parts = []
    findings = content.findings()
    sep = "、" if lang == "ja" else ", "
    # who states each finding: the physician (confirmed or added) or the model alone
    by_physician = [f[lang] for f in findings if _stated(f)]
    by_model = [f[lang] for f in findings if not _stated(f)]
    if by_physician:
        parts.append(tr("report.fhir.conclusion_physician", lang, labels=sep.join(by_physician)))
    if by_model:
        parts.append(tr("report.fhir.conclusion", lang, labels=sep.join(by_model)))
    reasons = ref.reasons(lang)
    parts.append(f"{tr(content.referral_title_key, lang)}: {ref.name(lang)}"
                 + (f" — {sep.join(reasons)}" if reasons else ""))
    if child := child_note(content.analysis, lang):  # adult criteria on a child's ECG (QA 73)
        parts.append(child)
    review = content.review
    if review and review.final_level:
        names = REFERRAL_JA if lang == "ja" else REFERRAL_EN
        parts.append(f"{tr('report.final_level', lang)}: {names[review.final_level]}")
    if review and review.needs_exam:
        parts.append(f"{tr('report.needs_exam', lang)}: {review.needs_exam_reason}")
    if review and review.comment:
        parts.append(f"{tr('report.comment', lang)}: {review.comment}")
    parts.append(tr("safety.notice", lang))
    return "\n".join(parts)


def _patient(meta: Any) -> dict[str, Any] | None:
    if not any((meta.patient_id, meta.patient_name, meta.sex, meta.birth_date)):
        return None
    p: dict[str, Any] = {"resourceType": "Patient"}
    if meta.patient_id:
        p["identifier"] = [{"value": str(meta.patient_id)}]
    if meta.patient_name:
        p["name"] = [{"text": str(meta.patient_name)}]
    if meta.sex in ("M", "F"):
        p["gender"] = {"M": "male", "F": "female"}[meta.sex]
    if meta.birth_date:
        p["birthDate"] = meta.birth_date.isoformat()
    return p


class _Ids:
    def new(self) -> str:
        return f"urn:uuid:{uuid.uuid4()}"
