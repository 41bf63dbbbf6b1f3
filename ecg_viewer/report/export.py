"""Write the reports of one ECG (PDF, JSON, FHIR), each atomically; shared by the ``report``
command and the window's File → Export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ecg_viewer.core.errors import EcgError
from ecg_viewer.report.atomic import write_atomic
from ecg_viewer.report.content import ReportContent
from ecg_viewer.report.fhir import build_bundle
from ecg_viewer.report.pdf import pdf_bytes


def load_catalog_or_none() -> Any:
    """The label catalog (texts and codes of added labels), None if it cannot be loaded."""
    try:
        from ecg_viewer.labels.catalog import default_catalog

        return default_catalog()
    except (ImportError, EcgError, OSError, ValueError):
        return None


def write_reports(content: ReportContent, pdf_out: str | Path | None = None, *,
                  json_out: str | Path | None = None, fhir_out: str | Path | None = None,
                  embed_pdf: bool = False) -> list[Path]:
    """Write the requested files atomically; returns the paths written. Raises
    :class:`~ecg_viewer.report.atomic.ExportError` (Japanese message) when a target cannot be
    written; files already written stay."""
    written = []
    pdf = pdf_bytes(content) if (pdf_out or (fhir_out and embed_pdf)) else None
    if pdf_out:
        written.append(write_atomic(pdf_out, pdf))
    if json_out:
        written.append(write_atomic(json_out, json.dumps(content.to_dict(), ensure_ascii=False,
                                                         indent=2) + "\n"))
    if fhir_out:
        bundle = build_bundle(content, pdf_bytes=pdf if embed_pdf else None)
        written.append(write_atomic(fhir_out, json.dumps(bundle, ensure_ascii=False,
                                                         indent=2) + "\n"))
    return written
