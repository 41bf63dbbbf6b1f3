"""What a report shows, gathered one way for the window's export/print and ``ecg-viewer report``."""

from __future__ import annotations

import dataclasses
from typing import Any

from ecg_viewer.compare.referral import with_comparison
from ecg_viewer.core.prediction import Analysis
from ecg_viewer.core.printable import printable_path
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.labels.catalog import catalog_or_none
from ecg_viewer.report.content import ReportContent


def build_report_content(record: EcgRecord, analysis: Analysis, *, review: Any = None,
                         settings: Any = None, comparison: Any = None,
                         catalog: Any = None, comparison_note: Any = None) -> ReportContent:
    """The report of ``record``: its ``analysis`` (the referral raised by ``comparison`` with the
    prior ECG, when there is one), the clinician's ``review`` (or None), the page ``settings`` of
    the ECG sheet and the label ``catalog`` (the shipped one when None)."""
    if comparison is not None:
        analysis = with_comparison(analysis, comparison)
    # a Shift_JIS file name from a Windows ZIP: shown as 田中.mwf, never a surrogate that the
    # PDF, JSON or FHIR writer refuses (QA 45: report stopped with UnicodeEncodeError)
    analysis = dataclasses.replace(analysis, file=printable_path(analysis.file))
    requested = None
    if settings is not None:  # printed at true scale on A4: the nearest settings that fit
        from ecg_viewer.report.pdf import printed_settings

        printed = printed_settings(record, settings)
        settings, requested = printed, (settings if printed != settings else None)
    return ReportContent(record, analysis, review, page_settings=settings,
                         catalog=catalog if catalog is not None else catalog_or_none(),
                         comparison=comparison, page_requested=requested,
                         comparison_note=comparison_note)
