"""Write the reports of one ECG (PDF, JSON, FHIR) as one set, completely or not at all; shared by
the ``report`` command and the window's File → Export."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from ecg_viewer.report.atomic import ExportError, write_set
from ecg_viewer.report.content import ReportContent
from ecg_viewer.report.fhir import build_bundle
from ecg_viewer.report.pdf import pdf_bytes

log = logging.getLogger(__name__)


def write_reports(content: ReportContent, pdf_out: str | Path | None = None, *,
                  json_out: str | Path | None = None, fhir_out: str | Path | None = None,
                  embed_pdf: bool = False) -> list[Path]:
    """Write the requested files as one set: all of them, or none (an existing file at a target
    is then left as it was). Returns the paths written. Raises
    :class:`~ecg_viewer.report.atomic.ExportError` (Japanese message) when a target cannot be
    written."""
    items: list[tuple[str | Path, bytes | str]] = []
    pdf = pdf_bytes(content) if (pdf_out or (fhir_out and embed_pdf)) else None
    if pdf_out and pdf is not None:
        try:
            check_pdf(pdf)
        except ValueError as exc:
            raise ExportError("report.write_failed", pdf_out, reason=exc) from exc
        items.append((pdf_out, pdf))
    if json_out:
        items.append((json_out, json.dumps(content.to_dict(), ensure_ascii=False, indent=2)
                      + "\n"))
    if fhir_out:
        bundle = build_bundle(content, pdf_bytes=pdf if embed_pdf else None)
        items.append((fhir_out, json.dumps(bundle, ensure_ascii=False, indent=2)
                      + "\n"))
    return write_set(items) if items else []


def check_pdf(data: bytes) -> None:
    """Refuse bytes that are not a complete PDF (header and end-of-file marker)."""
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise ValueError("the PDF is incomplete")
