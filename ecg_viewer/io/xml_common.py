"""What the three ECG XML readers share (HL7 aECG, Philips Sierra XML, GE MUSE XML).

- :func:`root_tag`: the root element named in the first bytes (UTF-8 or UTF-16), for sniffing.
- :func:`parse_xml`: the whole file through ``defusedxml`` (entity declarations, external
  entities and DTD tricks are refused), namespaces stripped, errors as domain errors.
- :func:`check_root`: a reader that got a file by its extension hands an ECG XML file of another
  kind to the right reader, and refuses any other XML with :class:`UnsupportedFormatError`.
- :func:`run_parser`: runs an ``ecgdatakit`` parser class; its failures become domain errors,
  its warnings are kept for ``meta.extra``.
- :func:`channels_from_leads`, :func:`meta_from_record`, :func:`device_measurements`: turn the
  library's record into our :class:`RawEcg` / :class:`EcgMeta`.
"""

from __future__ import annotations

import logging
import re
import tempfile
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from ecg_viewer.core.errors import (
    CorruptFileError,
    EcgReadError,
    FileTooLargeError,
    HeaderValueError,
    InvalidSignalError,
    UnsupportedFormatError,
)
from ecg_viewer.core.messages import Bilingual, Localized, tr
from ecg_viewer.core.record import EcgMeta
from ecg_viewer.io.builder import Channel, RawEcg
from ecg_viewer.io.library_text import cut_short, label_before_renaming, library_said
from ecg_viewer.io.patient_dates import patient_dates
from ecg_viewer.io.text_decode import field_decoder
from ecg_viewer.io.validate import check_positive, check_rate, parse_number
from ecg_viewer.io.xml_encoding import check_decodes, decoded_source

log = logging.getLogger(__name__)

#: lower-case root element -> registry name of the reader for it
KNOWN_ROOTS = {"annotatedecg": "hl7aecg", "restingecgdata": "philips_xml", "restingecg": "ge_muse"}
EXPECTED_ROOTS = Bilingual(
    "心電図 XML ファイル（<AnnotatedECG> HL7 aECG、<restingecgdata> Philips、"
    "<RestingECG> GE MUSE）",
    "an ECG XML file (<AnnotatedECG> HL7 aECG, <restingecgdata> Philips, <RestingECG> GE MUSE)",
)

#: ECG XML files are a few MB (a 10 s 12-lead aECG ~0.5 MB); bigger ones are refused before
#: parsing: an element tree takes ~10x the file in memory, and a reader may hold two (its own and
#: the library's), so 32 MB keeps reading one within the ~1 GB budget (io/validate.py)
MAX_XML_BYTES = 32 << 20

#: the keys of ``meta.extra["device_measurements"]`` (units in the names), always all present
DEVICE_MEASUREMENT_KEYS = (
    "hr_bpm", "rr_ms", "pr_ms", "p_ms", "qrs_ms", "qt_ms", "qtc_ms",
    "p_axis_deg", "qrs_axis_deg", "t_axis_deg",
)  # fmt: skip
# plausible ranges; a value outside is a misread or a vendor field with another meaning
_PLAUSIBLE = {
    "hr_bpm": (10, 400), "rr_ms": (150, 6000), "pr_ms": (20, 700), "p_ms": (10, 300),
    "qrs_ms": (20, 400), "qt_ms": (100, 900), "qtc_ms": (100, 900),
    "p_axis_deg": (-180, 360), "qrs_axis_deg": (-180, 360), "t_axis_deg": (-180, 360),
}  # fmt: skip

_DEEP_SNIFF_BYTES = 1 << 16
_SKIP_PROLOG = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)", re.S)
_FIRST_TAG = re.compile(r"\s*<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


def _decode_head(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    if len(head) > 1 and head[0] == 0 and head[1] == ord("<"):
        return head.decode("utf-16-be", errors="ignore")
    if len(head) > 1 and head[0] == ord("<") and head[1] == 0:
        return head.decode("utf-16-le", errors="ignore")
    return head.decode("utf-8", errors="ignore").lstrip("\ufeff")


def root_tag(head: bytes) -> str | None:
    """Local name of the first element in ``head`` (prolog, comments, DOCTYPE skipped)."""
    text = _decode_head(head)
    pos = 0
    while True:
        m = _SKIP_PROLOG.match(text, pos)
        if not m:
            break
        pos = m.end()
    m = _FIRST_TAG.match(text, pos)
    return m.group(2) if m else None


def sniffer(tag: str) -> Callable[[bytes, Path], bool]:
    want = tag.lower()

    def sniff(head: bytes, path: Path) -> bool:
        found = root_tag(head)
        if found is None and len(head) >= 4096 and path.suffix.lower() == ".xml":
            # a long comment or DOCTYPE before the root: look a little further
            with open(path, "rb") as fh:
                found = root_tag(fh.read(_DEEP_SNIFF_BYTES))
        return found is not None and found.lower() == want

    return sniff


def xml_source(path: Path, label: str) -> tuple[bytes, str | None, str]:
    """(the bytes to parse, the declared encoding when they were transcoded, else None, the
    encoding the text was read in): :func:`xml_encoding.decoded_source` on the file, whose size
    is checked first."""
    size = path.stat().st_size
    if size > MAX_XML_BYTES:  # an element tree takes ~10x the file in memory
        raise FileTooLargeError(path, size_bytes=size, limit_bytes=MAX_XML_BYTES)
    return decoded_source(path, path.read_bytes(), label)


def parse_xml(path: Path, label: str, want: str) -> ET.Element:
    """The file's element tree, parsed safely, namespaces removed from tags and attributes.

    A file that does not parse is a damaged ``label`` file when it starts with the ``want`` root
    element, and an unsupported file otherwise (it reached this reader by its extension only).
    """
    raw, declared, encoding = xml_source(path, label)
    try:
        root = SafeET.fromstring(raw)
    except DefusedXmlException as exc:
        kind = type(exc).__name__
        raise CorruptFileError(
            path, expected=Bilingual(f"DTD エンティティを含まない {label} ファイル",
                                     f"a {label} file without DTD entities"),
            found=Bilingual(f"拒否した XML 構文（{kind}）", f"refused XML construct ({kind})"),
            format=label) from exc
    except ET.ParseError as exc:
        tag = root_tag(raw[:_DEEP_SNIFF_BYTES])
        if tag is None or tag.lower() != want.lower():
            found = (Bilingual(f"ルート要素 <{tag}>、整形式でない XML（{exc}）",
                               f"<{tag}> root, not well-formed ({exc})") if tag
                     else Bilingual(f"XML のルート要素なし（{exc}）",
                                    f"no XML root element ({exc})"))
            raise UnsupportedFormatError(path, expected=EXPECTED_ROOTS, found=found) from exc
        if declared is None:  # not transcoded here: bytes expat could not read as text?
            check_decodes(path, raw, encoding, label, exc)
        raise CorruptFileError(
            path, expected=Bilingual(f"整形式の XML で書かれた {label} ファイル",
                                     f"well-formed {label}" if label.endswith("XML")
                                     else f"well-formed {label} XML"),  # not "… XML XML"
            found=cut_short(str(exc)) or Bilingual(f"XML の構文エラー（{exc}）", f"XML error: {exc}"),
            format=label) from exc
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]
        if any("}" in k for k in el.attrib):
            el.attrib = {k.split("}", 1)[-1]: v for k, v in el.attrib.items()}
    return root


def check_root(path: Path, root: ET.Element, want: str, label: str,
               options: dict[str, Any]) -> RawEcg | None:
    """None when ``root`` is ``want``; the other reader's result when it is another ECG XML root
    (the file reached this reader by its extension only); else UnsupportedFormatError."""
    tag = str(root.tag)
    if tag.lower() == want.lower():
        return None
    other = KNOWN_ROOTS.get(tag.lower())
    if other is not None:
        from ecg_viewer.io.registry import readers

        spec = next((r for r in readers() if r.name == other), None)
        if spec is not None:
            return spec.read(path, options)
    raise UnsupportedFormatError(
        path, expected=EXPECTED_ROOTS,
        found=Bilingual(f"XML のルート要素 <{tag}>", f"XML root element <{tag}>"))


def run_parser(path: Path, parser_cls: type, label: str) -> tuple[Any, list[str]]:
    """Run an ecgdatakit parser on ``path``: (record, warning texts). Failures -> domain errors."""
    data, declared, encoding = xml_source(path, label)
    with warnings.catch_warnings(record=True) as caught, tempfile.TemporaryDirectory(
            prefix="ecg-viewer-xml-") as tmp:
        warnings.simplefilter("always")
        source = path
        if declared is not None:  # the library reads a path: give it the UTF-8 text
            source = Path(tmp) / path.name
            source.write_bytes(data)
        try:
            record = parser_cls().parse(source)
        except EcgReadError:
            raise
        except MemoryError as exc:
            raise CorruptFileError(path, expected=Bilingual(f"読み込める {label} ファイル",
                                                            f"a readable {label} file"),
                                   found=Bilingual("メモリに収まらない量のデータ",
                                                   "more data than fits in memory"),
                                   format=label) from exc
        except Exception as exc:
            en = f"{type(exc).__name__}: {exc}"[:300]
            raise CorruptFileError(path, expected=Bilingual(f"正しい {label} ファイル",
                                                            f"a valid {label} file"),
                                   found=library_said("読み込みエラー", en),
                                   format=label) from exc
    if isinstance(getattr(record, "raw_metadata", None), dict):  # for meta_from_record
        record.raw_metadata["xml_encoding"] = encoding
        if declared is not None and encoding != declared:
            record.raw_metadata["xml_declared_encoding"] = declared
    texts = [str(w.message) for w in caught]
    for t in texts:
        log.info("%s: %s", path.name, t)
    return record, texts


def header_value(path: Path, label: str, text: str | None, field: str | Localized, *,
                 required: bool = False, **limits: Any) -> float | None:
    """A header number of an XML file, parsed and validated (:func:`parse_number`); None when
    the element or attribute is absent and not ``required``. Present but empty is refused.
    ``field`` and ``limits["expected"]`` may be :class:`Bilingual` (passed through unchanged)."""
    if text is None:
        if required:
            want = limits.get("expected", Bilingual("数値", "a number"))
            raise HeaderValueError(path, field=field, value="(none)", expected=want, format=label)
        return None
    return parse_number(text, file=path, field=field, format=label, **limits)


def channels_from_leads(path: Path, leads: list[Any], label: str,
                        names: list[str] | None = None) -> list[Channel]:
    """ecgdatakit leads -> channels in physical units (the unit the file states); the scale the
    library decoded is checked (finite, > 0) before it is applied. A lead the file names twice
    keeps its name (the library's ``V2_2`` for the second ``V2`` becomes ``V2`` again), so that
    :func:`build_record` stores it as ``V2#2`` and the quality gate names the duplicate."""
    out: list[Channel] = []
    labels = [str(lead.label) for lead in leads]
    for i, lead in enumerate(leads):
        if lead.is_raw:
            if not lead.resolution_unit or not lead.resolution:
                raise InvalidSignalError(
                    path, expected=Bilingual("振幅のスケール（1 カウントあたりの単位量）",
                                             "an amplitude scale (units per count)"),
                    found=Bilingual(f"{lead.label!r} 誘導の電圧の単位なし",
                                    f"no voltage unit for lead {lead.label!r}"),
                    format=label)
            check_positive(lead.resolution, file=path,
                           field=Bilingual(f"{lead.label} 誘導の分解能",
                                           f"lead {lead.label} resolution"),
                           format=label)
            lead = lead.to_physical()
        name = names[i] if names and i < len(names) else label_before_renaming(labels, i)
        out.append(Channel(name=name, samples=np.asarray(lead.samples, dtype=np.float64),
                           unit=lead.units or "mV"))
    return out


def rate_of(path: Path, leads: list[Any], label: str) -> float:
    rates = {check_rate(ld.sampling_rate, file=path,
                        field=Bilingual(f"{ld.label} 誘導のサンプリング周波数",
                                        f"lead {ld.label} sampling rate"),
                        format=label) for ld in leads}
    if len(rates) != 1:
        raise InvalidSignalError(path, expected=Bilingual("全誘導で共通の 1 つのサンプリング周波数",
                                                          "one sampling rate for all leads"),
                                 found=Bilingual(f"サンプリング周波数 {sorted(rates)}",
                                                 f"rates {sorted(rates)}"),
                                 format=label)
    return rates.pop()


def number(text: Any) -> float | None:
    """A finite float from text like ``'102'``, ``'102 ms'``, ``'-21'``; None otherwise."""
    if text is None:
        return None
    m = re.match(r"^\s*([-+]?\d+(?:[.,]\d+)?)", str(text))
    if not m:
        return None
    value = float(m.group(1).replace(",", "."))
    return value if np.isfinite(value) else None


def device_measurements(values: dict[str, float | None],
                        notes: list[str] | None = None) -> dict[str, float | None]:
    """The cart's global measurements with exactly :data:`DEVICE_MEASUREMENT_KEYS`.

    Values outside a physiological range are dropped (None) and explained in ``notes``.
    """
    out: dict[str, float | None] = {}
    for key in DEVICE_MEASUREMENT_KEYS:
        v = values.get(key)
        v = number(v) if not isinstance(v, int | float) else float(v)
        lo, hi = _PLAUSIBLE[key]
        if v is not None and not lo <= v <= hi:
            if notes is not None:
                notes.append(f"{key}={v:g} in the file is outside {lo}-{hi}; not used")
            v = None
        out[key] = None if v is None else (int(v) if float(v).is_integer() else round(v, 2))
    p, pr = out["p_ms"], out["pr_ms"]
    if p is not None and pr is not None and p > pr:  # the P wave lies inside the PR interval
        if notes is not None:
            notes.append(f"p_ms={p:g} exceeds pr_ms={pr:g} in the file; p_ms not used")
        out["p_ms"] = None
    return out



def global_measurements(gm: Any, extra: dict[str, Any], *, qtc_ms: float | None,
                        p_ms: float | None, rr_ms: float | None = None,
                        notes: list[str] | None = None) -> dict[str, float | None]:
    """:func:`device_measurements` from ecgdatakit's global measurements ``gm`` and the values a
    reader found itself (QTc, P duration, RR when ``gm`` lacks it); notes go to ``extra``."""
    notes = list(notes or [])
    out = device_measurements({
        "hr_bpm": gm.heart_rate, "rr_ms": gm.rr_interval if rr_ms is None else rr_ms,
        "pr_ms": gm.pr_interval, "p_ms": p_ms, "qrs_ms": gm.qrs_duration,
        "qt_ms": gm.qt_interval, "qtc_ms": qtc_ms,
        "p_axis_deg": gm.p_axis, "qrs_axis_deg": gm.qrs_axis, "t_axis_deg": gm.t_axis,
    }, notes)
    if notes:
        extra["device_measurement_notes"] = notes
    return out

def meta_from_record(rec: Any, *, interpretation: tuple[str, ...],
                     measurements: dict[str, float | None], extra: dict[str, Any]) -> EcgMeta:
    """EcgMeta from an ecgdatakit record (patient, time, device, filters) plus what the reader
    worked out itself (the machine statements and the measurements)."""
    pat = rec.patient
    raw_meta = rec.raw_metadata if isinstance(getattr(rec, "raw_metadata", None), dict) else {}
    if raw_meta.get("xml_declared_encoding"):  # declared Japanese, bytes UTF-8
        extra["xml_declared_encoding"] = raw_meta["xml_declared_encoding"]
    text, unreadable = field_decoder(raw_meta.get("xml_encoding"))
    name = " ".join(p for p in (text(pat.last_name, "patient_name"),
                                text(pat.first_name, "patient_name")) if p).strip() or None
    if "patient_name" in unreadable:  # never mojibake: say that it cannot be read
        name = tr("read.name_unreadable")
    sex = {"M": "M", "F": "F"}.get((pat.sex or "").upper())
    recorded = rec.recording.date
    # placeholder birth dates (1900-01-01 beside a stated age of 11) are not shown as facts
    age, birth = patient_dates(pat.age, pat.birth_date, recorded, extra)
    dev = rec.recording.device
    device = " ".join(p for p in (dev.manufacturer, dev.model) if p).strip()
    if device and dev.software_version:
        device = f"{device} ({dev.software_version})"
    for key, value in (("device_id", dev.name), ("device_serial", dev.serial_number),
                       ("institution", dev.institution), ("department", dev.department),
                       ("acquisition_type", dev.acquisition_type)):
        value = text(value, key)
        if value:
            extra.setdefault(key, value)
    patient_id = text(pat.patient_id, "patient_id")
    if unreadable:
        extra["text_unreadable"] = sorted(set(unreadable))  # not decodable as any character set
        log.warning("text fields not decodable (shown as unreadable): %s", ", ".join(unreadable))
    flt = rec.recording.acquisition.filters
    filters: dict[str, float] = {}
    if flt.highpass:
        filters["highpass_hz"] = float(flt.highpass)
    if flt.lowpass:
        filters["lowpass_hz"] = float(flt.lowpass)
    if flt.notch and flt.notch_active is not False:
        filters["notch_hz"] = float(flt.notch)
    extra["device_measurements"] = measurements
    return EcgMeta(
        patient_id=patient_id or None,
        patient_name=name,
        sex=sex,
        age_years=age,
        birth_date=birth,
        recorded_at=recorded,
        device=device or None,
        filters=filters,
        interpretation=tuple(s for s in interpretation if s),
        extra=extra,
    )


def interpretation_lines(rec: Any) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The machine's own statements, verbatim, and extras about an over-read.

    ecgdatakit gives the final statements in ``interpretation.statements``; when a physician
    confirmed or edited them, the machine's original lines are in
    ``annotations["machine_interpretation"]`` ("left | reason" per line).
    """
    interp = rec.interpretation
    extra: dict[str, Any] = {}
    final = [(left, right) for left, right in interp.statements]
    machine_text = rec.annotations.get("machine_interpretation")
    if machine_text:
        pairs = [tuple((line.split(" | ", 1) + [""])[:2]) for line in machine_text.splitlines()]
        machine = [(a.strip(), b.strip()) for a, b in pairs if a.strip() or b.strip()]
    else:
        machine = final
    if interp.source and interp.source != "machine" and final:
        extra["overread_interpretation"] = [left or right for left, right in final]
        if interp.interpreter:
            extra["overread_by"] = interp.interpreter
        if not machine_text:
            extra["interpretation_note"] = "the file holds only the over-read statements"
    reasons = {left: right for left, right in machine if left and right}
    if reasons:
        extra["interpretation_reasons"] = reasons
    if interp.severity:
        extra["interpretation_severity"] = interp.severity
    return tuple(left or right for left, right in machine), extra
