"""Write the reports of one ECG (PDF, JSON, FHIR) as one set, completely or not at all; shared by
the ``report`` command and the window's File → Export."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from ecg_viewer.core.printable import printable
from ecg_viewer.report.atomic import ExportError, refuse_read_only, write_set
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
    check_targets(pdf_out, json_out=json_out, fhir_out=fhir_out,
                  source=content.record.source_path)
    items: list[tuple[str | Path, bytes | str]] = []
    pdf = pdf_bytes(content) if (pdf_out or (fhir_out and embed_pdf)) else None
    if pdf_out and pdf is not None:
        try:
            check_pdf(pdf)
        except ValueError as exc:
            raise ExportError("report.write_failed", pdf_out, reason=exc) from exc
        items.append((pdf_out, pdf))
    if json_out:
        items.append((json_out, json.dumps(printable(content.to_dict()), ensure_ascii=False, indent=2)
                      + "\n"))
    if fhir_out:
        bundle = build_bundle(content, pdf_bytes=pdf if embed_pdf else None)
        items.append((fhir_out, json.dumps(printable(bundle), ensure_ascii=False, indent=2)
                      + "\n"))
    return write_set(items) if items else []


# the extension each kind of export must have: an ECG file (.hea, .dat, .xml, .csv ...) can then
# never be taken for an export target
SUFFIXES = {"pdf": (".pdf",), "json": (".json",), "fhir": (".json",)}


def check_targets(pdf_out: str | Path | None = None, *, json_out: str | Path | None = None,
                  fhir_out: str | Path | None = None, source: str | Path | None = None) -> None:
    """Refuse, before anything is analysed or written, an export target with the wrong
    extension, one named for two exports, or the ECG file that was read (``source``): the
    source file is never written. Raises :class:`ExportError`."""
    named = [(k, Path(p)) for k, p in (("pdf", pdf_out), ("json", json_out), ("fhir", fhir_out))
             if p]
    for kind, path in named:
        if not path.name.lower().endswith(SUFFIXES[kind]):
            raise ExportError("report.bad_suffix", path, reason=" / ".join(SUFFIXES[kind]))
    seen: set[str] = set()
    for _kind, path in named:
        key = os.path.normcase(os.path.realpath(path))
        if key in seen:
            raise ExportError("report.same_target", path)
        seen.add(key)
        if source and _same_file(path, Path(source)):
            raise ExportError("report.is_source", path)
        refuse_read_only(path)  # before anything is analysed (write_set checks again)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def check_pdf(data: bytes) -> None:
    """Refuse bytes that are not a complete PDF (header and end-of-file marker)."""
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise ValueError("the PDF is incomplete")
