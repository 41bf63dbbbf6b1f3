"""The comparison with the prior ECG in the FHIR R4 Bundle.

The prior ECG's study is a DiagnosticReport of its own in the Bundle (LOINC 11524-6, identified
by the file's sha256, its acquisition time, its AI referral level and findings as conclusion),
and one Observation "comparison with prior EKG" is added to the current DiagnosticReport's
results: ``focus`` references the prior DiagnosticReport (R4's ``Observation.focus`` takes any
resource; ``derivedFrom`` does not take a DiagnosticReport), each measurement change is a
component (only the local ``change-<key>`` code: the measurement's own LOINC code would say the
change is the measurement, "heart rate -43/min"; ``valueQuantity`` = current - prior,
``interpretation`` A where a threshold is passed, IND with the text 参考値 where either value is
of low confidence), each new, resolved or not assessable finding a component with the catalog's
codes. The Observation's ``valueString`` is the comparison's summary: it says when the findings
or the two ECGs could not be compared, never "no new finding" then.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ecg_viewer.compare.findings import not_assessable_title
from ecg_viewer.core.messages import tr
from ecg_viewer.report.content import ReportContent
from ecg_viewer.report.fhir import AI_ASSERTED, LOINC, SNOMED, UCUM, _coding, primary_snomed

INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
UCUM_UNIT = {"ms": "ms", "bpm": "/min", "°": "deg"}


def comparison_entries(content: ReportContent, *, new_id: Callable[[], str],
                       subject: dict[str, Any] | None, system_base: str,
                       fhir_datetime: Callable[[datetime | None], str | None],
                       status: str, lang: str = "ja") -> tuple[list[dict[str, Any]], str | None]:
    """(Bundle entries to add, the id of the comparison Observation for the current report's
    ``result``); ([], None) without a comparison."""
    cmp = content.comparison
    if cmp is None:
        return [], None
    label_system = f"{system_base}/CodeSystem/ecg-label"
    local = f"{system_base}/CodeSystem/ecg-comparison"
    prior_id = new_id()
    prior: dict[str, Any] = {
        "resourceType": "DiagnosticReport", "status": "preliminary",
        "identifier": [{"system": f"{system_base}/NamingSystem/ecg-sha256",
                        "value": cmp.prior.sha256 or cmp.prior.file}],
        "category": [{"coding": [_coding("http://terminology.hl7.org/CodeSystem/v2-0074", "EC",
                                         "Electrocardiac")]}],
        "code": {"coding": [_coding(LOINC, "11524-6", "EKG study")],
                 "text": tr("compare.fhir.prior_study", lang)},
    }
    if subject:
        prior["subject"] = subject
    if (when := fhir_datetime(cmp.prior.recorded_at)) is not None:
        prior["effectiveDateTime"] = when
    pa = cmp.prior_analysis
    if pa is not None:
        found = [s.ja if lang == "ja" else s.en
                 for s in pa.prediction.present()] if pa.prediction else []
        sep = "、" if lang == "ja" else ", "
        prior["conclusion"] = "\n".join(
            ([tr("report.fhir.conclusion", lang, labels=sep.join(found))] if found else [])
            + [f"{tr('report.referral', lang)}: {pa.referral.name(lang)}",
               tr("compare.fhir.prior_not_reviewed", lang), tr("safety.notice", lang)])
        # the prior's suggestions and level are the model's (its stored review is not applied):
        # labelled as AI-asserted as the current report's are (QA 66)
        prior["meta"] = AI_ASSERTED
    comps: list[dict[str, Any]] = []
    for ch in cmp.changes:
        if ch.change is None:
            continue
        # only the local change code: the LOINC code of the measurement itself (8867-4 Heart
        # rate) beside it would read as "heart rate -43/min" (codings of one concept must mean
        # the same)
        codings = [_coding(local, f"change-{ch.key}", f"{ch.label.en} change")]
        comp: dict[str, Any] = {
            "code": {"coding": codings, "text": tr("compare.fhir.change", lang, label=ch.label)},
            "valueQuantity": {"value": round(ch.change, 1), "unit": ch.unit, "system": UCUM,
                              "code": UCUM_UNIT.get(ch.unit, "1")}}
        if ch.marked:
            comp["interpretation"] = [{"coding": [_coding(INTERPRETATION, "A", "Abnormal")],
                                       "text": ch.text(lang)}]
        elif ch.low_confidence:  # 参考値: either value uncertain, the change is not judged
            comp["interpretation"] = [{"coding": [_coding(INTERPRETATION, "IND",
                                                          "Indeterminate")],
                                       "text": tr("compare.low_confidence", lang)}]
        comps.append(comp)
    for status_code, items, heading in (
            ("new-finding", cmp.new_findings, tr("compare.new_header", lang)),
            ("resolved-finding", cmp.resolved_findings, tr("compare.resolved_header", lang)),
            ("not-assessable-finding", cmp.not_assessable,
             not_assessable_title(cmp.masked_by, lang))):
        for f in items:
            # the label's own concept only, as the impressions carry it (QA 38: CRBBB coded as
            # 713427006 and 59118001 in one CodeableConcept, claiming they are one concept)
            codes = [_coding(SNOMED, c) for c in primary_snomed(content.label_codes(f.id))]
            codes.append(_coding(label_system, f.id, f.en))
            # the coding's display stays the code system's English; the text is the reader's
            comps.append({"code": {"coding": [_coding(local, status_code,
                                                      status_code.replace("-", " "))],
                                   "text": heading},
                          "valueCodeableConcept": {"coding": codes,
                                                   "text": f.ja if lang == "ja" else f.en}})
    obs_id = new_id()
    obs: dict[str, Any] = {
        "resourceType": "Observation", "status": status,
        "category": [{"coding": [_coding("http://terminology.hl7.org/CodeSystem/"
                                         "observation-category", "procedure", "Procedure")]}],
        "code": {"coding": [_coding(local, "comparison-with-prior", "Comparison with prior EKG")],
                 "text": tr("compare.fhir.title", lang)},
        "focus": [{"reference": prior_id}],
        "valueString": cmp.summary(lang),
        "note": [{"text": t} for t in (tr("compare.notice", lang), cmp.unmatched_note(lang))
                 if t],
        # the new and resolved findings are the model's suggestions on both ECGs, whatever the
        # review: AI-asserted, as the prior's report and the findings are (QA 71)
        "meta": AI_ASSERTED,
    }
    if subject:
        obs["subject"] = subject
    if (when := fhir_datetime(cmp.current.recorded_at)) is not None:
        obs["effectiveDateTime"] = when
    if comps:
        obs["component"] = comps
    return [{"fullUrl": prior_id, "resource": prior}, {"fullUrl": obs_id, "resource": obs}], obs_id
