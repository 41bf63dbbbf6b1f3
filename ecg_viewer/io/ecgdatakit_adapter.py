"""Shared glue for the readers built on ``ecgdatakit`` (MFER, SCP-ECG, DICOM, EDF).

:func:`parse_with` runs one ecgdatakit parser class on a file and turns its exceptions and its
data-loss warnings (truncated waveform, CRC mismatch) into domain errors; :func:`to_raw` turns the
parsed record into a :class:`~ecg_viewer.io.builder.RawEcg`: calibrated voltage channels in their
physical unit, one sampling rate, and the patient/acquisition metadata and cart measurements.
ecgdatakit is imported lazily, so that registering the readers stays cheap.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from ecg_viewer.core.errors import (
    CorruptFileError,
    HeaderValueError,
    InvalidSignalError,
    NoWaveformError,
)
from ecg_viewer.core.leads import canonical_lead_name
from ecg_viewer.core.messages import Bilingual, tr
from ecg_viewer.core.record import EcgMeta
from ecg_viewer.io.builder import Channel, RawEcg, unit_factor_to_mv
from ecg_viewer.io.library_text import label_before_renaming, library_said
from ecg_viewer.io.patient_dates import patient_dates
from ecg_viewer.io.text_decode import redecode
from ecg_viewer.io.validate import POSITIVE_RATE, check_number, check_rate

log = logging.getLogger(__name__)

#: keys of ``meta.extra["device_measurements"]`` (the cart's own global measurements)
MEASUREMENT_KEYS = ("hr_bpm", "rr_ms", "pr_ms", "p_ms", "qrs_ms", "qt_ms", "qtc_ms",
                    "p_axis_deg", "qrs_axis_deg", "t_axis_deg")  # fmt: skip

# ecgdatakit warnings that mean samples are missing: the header promises more than the data holds
_TRUNCATION_PATTERNS = (
    "missing sample",  # MFER: waveform shorter than the frame definition
    "with no waveform data",  # MFER: sequences declared but absent
    "file truncated",  # EDF: fewer complete data records than the header declares
    "after the last data record",  # EDF: more data than the header's record count
)
_CHECKSUM_PATTERN = "crc mismatch"  # SCP-ECG: a section's CRC does not match its bytes
# how the file itself identifies a channel (MFER lead code, DICOM code and meaning, own label)
_ID_KEYS = ("lead_code", "source_code", "source_meaning", "channel_label")


def parse_with(parser_cls: type, path: Path, label: str | Bilingual) -> tuple[Any, list[str]]:
    """Run an ecgdatakit parser on ``path``; return the record and the warnings it gave.
    ``label``: the format's name, a :class:`Bilingual` where Japanese names it otherwise
    (「DICOM 波形 (.dcm)」: QA 51, the library's errors had said "DICOM waveform" in Japanese)."""
    from ecgdatakit import ECGDataKitError

    name_ja, name_en = (label.ja, label.en) if isinstance(label, Bilingual) else (label, label)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            record = parser_cls().parse(path)
        except ECGDataKitError as exc:
            en = _short(exc)
            raise CorruptFileError(path, expected=Bilingual(f"有効な {name_ja} ファイル",
                                                            f"a valid {name_en} file"),
                                   found=library_said("読み込みエラー", en),
                                   format=label) from exc
    messages = [str(w.message) for w in caught]
    for msg in messages:
        low = msg.lower()
        if any(p in low for p in _TRUNCATION_PATTERNS):
            en = _short(msg)
            log.info("%s: %s", path.name, msg)
            raise InvalidSignalError(path, expected=Bilingual("ヘッダーが宣言する数のサンプル",
                                                              "as many samples as the header declares"),
                                     found=library_said("読み込み時の警告", en), format=label)
        if _CHECKSUM_PATTERN in low:
            en = _short(msg)
            raise CorruptFileError(path, expected=Bilingual("CRC がバイト列と一致するセクション",
                                                            "sections whose CRC matches their bytes"),
                                   found=library_said("読み込み時の警告", en), format=label)
    for msg in messages:
        log.info("%s: %s", path.name, msg)
    return record, messages


def _short(obj: object, limit: int = 240) -> str:
    text = str(obj).strip().replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def channel_name(lead: Any, label: str | None = None) -> str:
    """The name handed to build_record: the file's own label (``annotations["channel_label"]``)
    where it maps to the same lead as ecgdatakit's label; else ecgdatakit's label when that is a
    standard lead (it has decoded MFER lead codes and DICOM code sequences); else the own label.
    ``label``: ecgdatakit's label as the file gave it (``II`` for the library's ``II_2``)."""
    label = str(lead.label) if label is None else label
    own = str((lead.annotations or {}).get("channel_label") or "").strip()
    if own and canonical_lead_name(own) == canonical_lead_name(label):
        return own
    if canonical_lead_name(label):
        return label
    return own or label


def to_raw(
    record: Any,
    path: Path,
    label: str | Bilingual,
    *,
    messages: list[str] | None = None,
    rate_hz: float | None = None,
    extra: dict[str, Any] | None = None,
    signed_scale: bool = False,
) -> RawEcg:
    """Calibrated voltage channels of ``record`` (one sampling rate) plus its metadata.

    Channels without a voltage unit (e.g. an EDF temperature or a status channel) are left out
    and listed in ``meta.extra["dropped_channels"]``; if no voltage channel remains the file has
    no ECG waveform. Where channels differ in rate, the rate of the standard ECG leads (else of
    most channels) is kept and the others are listed as dropped. ``signed_scale``: the format
    may invert a channel with a negative scale (EDF); elsewhere a negative one is refused.
    """
    leads = list(record.leads)
    kept: list[tuple[Any, np.ndarray, str]] = []
    dropped: list[str] = []
    dropped_ja: list[str] = []  # the same, for the Japanese message of NoWaveformError below
    for lead in leads:
        _check_lead_numbers(path, label, lead, signed_scale)
        unit = str(lead.resolution_unit or lead.units or "")
        if lead.is_raw and not lead.resolution_unit:
            dropped.append(f"{lead.label} (no calibration)")
            dropped_ja.append(f"{lead.label}（較正なし）")
            continue
        if unit_factor_to_mv(unit) is None:
            dropped.append(f"{lead.label} ({unit or 'no unit'})")
            dropped_ja.append(f"{lead.label}（{unit or '単位なし'}）")
            continue
        phys = lead.to_physical() if lead.is_raw else lead
        kept.append((lead, np.asarray(phys.samples, dtype=np.float64), str(phys.units or unit)))
    if not kept:
        found_ja, found_en = ((f"{len(leads)} チャネル、電圧の単位のものなし",
                               f"{len(leads)} channels, none in a voltage unit") if leads
                              else ("信号チャネルなし", "no signal channels"))
        if dropped:
            found_ja += f"（{'、'.join(dropped_ja[:6])}）"
            found_en += f" ({', '.join(dropped[:6])})"
        raise NoWaveformError(path, expected=Bilingual("少なくとも 1 つの ECG チャネル（電圧の単位）",
                                                       "at least one ECG channel in a voltage unit"),
                              found=Bilingual(found_ja, found_en), format=label)

    rates = Counter(int(lead.sampling_rate) for lead, _, _ in kept)
    ecg_rates = Counter(int(lead.sampling_rate) for lead, _, _ in kept if canonical_lead_name(lead.label))
    rate = (ecg_rates or rates).most_common(1)[0][0]
    channels: list[Channel] = []
    file_ids: dict[str, str] = {}
    labels = [str(lead.label) for lead, _, _ in kept]
    for i, (lead, samples, unit) in enumerate(kept):
        if int(lead.sampling_rate) != rate:
            dropped.append(f"{lead.label} ({lead.sampling_rate} Hz)")
            continue
        # a lead code the file uses twice keeps its name (QA 65: MFER/DICOM showed "I_2" and
        # the duplicate-lead gate did not see it)
        name = channel_name(lead, label_before_renaming(labels, i))
        channels.append(Channel(name=name, samples=samples, unit=unit))
        ann = lead.annotations or {}
        ids = [f"{k}={ann[k]}" for k in _ID_KEYS if ann.get(k)]
        if ids:  # a repeated name under the key the record gives it ("II#2")
            key = name if name not in file_ids else f"{name}#{sum(c.name == name for c in channels)}"
            file_ids[key] = ", ".join(ids)
    if rate_hz is not None:
        check_number(rate_hz, file=path, format=label, lo=0.0, lo_open=True,
                     field=Bilingual("ヘッダーのサンプリング周波数", "sampling rate in the header"),
                     expected=POSITIVE_RATE)
    fs = float(rate_hz) if rate_hz and round(rate_hz) == rate else float(rate)
    fs = check_rate(fs, file=path, field=Bilingual("サンプリング周波数", "sampling rate"),
                    format=label)

    more = dict(extra or {})
    if file_ids:
        more["channel_ids_in_file"] = file_ids
    if dropped:
        more["dropped_channels"] = dropped
        log.info("%s: channels left out: %s", path.name, ", ".join(dropped))
    if messages:
        more["reader_warnings"] = [_short(m, 300) for m in dict.fromkeys(messages)][:20]
    return RawEcg(channels=channels, fs_hz=fs, meta=meta_from(record, more))


def _check_lead_numbers(path: Path, label: str | Bilingual, lead: Any,
                        signed_scale: bool = False) -> None:
    """The rate and the calibration the library decoded for ``lead``: finite, rate > 0, scale
    not 0 (0 means uncalibrated) and, unless ``signed_scale`` (an EDF may invert a channel with
    a negative scale), positive: a negative MFER sensitivity turned every lead upside down and a
    normal ECG read 要至急, where the WFDB, HL7, MUSE, Philips and DICOM readers refuse a
    negative scale (QA 51)."""
    name = str(lead.label)
    check_number(lead.sampling_rate, file=path, format=label, lo=0.0, lo_open=True,
                 field=Bilingual(f"{name} のサンプリング周波数", f"{name} sampling rate"),
                 expected=POSITIVE_RATE)
    if lead.is_raw and lead.resolution_unit:
        resolution = Bilingual(f"{name} の分解能", f"{name} resolution")
        res = check_number(lead.resolution, file=path, field=resolution, format=label,
                           expected=Bilingual("0 でない有限のスケール", "a finite scale, not 0"))
        if res == 0:
            raise HeaderValueError(path, field=resolution, value="0", format=label,
                                   expected=Bilingual("0 でない有限のスケール（0 は未較正）",
                                                      "a finite scale, not 0 (0 means uncalibrated)"))
        if res < 0 and not signed_scale:
            raise HeaderValueError(path, field=resolution, value=f"{res:g}", format=label,
                                   expected=Bilingual("0 より大きい有限のスケール",
                                                      "a finite scale greater than 0"))
        check_number(lead.offset, file=path, format=label,
                     field=Bilingual(f"{name} のオフセット", f"{name} offset"))


# --- metadata -------------------------------------------------------------------------------

def _text(value: Any) -> str | None:
    text = str(value or "").strip()
    return text or None


def meta_from(record: Any, extra: dict[str, Any] | None = None) -> EcgMeta:
    """EcgMeta from an ecgdatakit record: patient, time, device, filters, statements, measurements."""
    pat = record.patient
    rec = record.recording
    dev = rec.device
    raw_meta = record.raw_metadata or {}
    # the library falls back to Latin-1 for text it cannot decode: decode it again (CP932 ...)
    charset = raw_meta.get("character_set") or raw_meta.get("specific_character_set")
    unreadable: list[str] = []

    def text(value: Any, field: str) -> str | None:
        fixed, ok = redecode(_text(value), str(charset) if charset else None)
        if not ok:
            unreadable.append(field)
        return fixed

    parts = [text(pat.last_name, "patient_name"), text(pat.first_name, "patient_name")]
    name = " ".join(p for p in parts if p) or None
    if "patient_name" in unreadable:  # never mojibake: say that it cannot be read
        name = tr("read.name_unreadable")
    more: dict[str, Any] = {}
    recorded = rec.date if isinstance(rec.date, datetime) else None
    age, birth = patient_dates(pat.age, pat.birth_date, recorded, more)  # as the XML readers
    device = " ".join(dict.fromkeys(p for p in (_text(dev.manufacturer), _text(dev.model)) if p)) or None

    flt = rec.acquisition.filters
    filters = {k: float(v) for k, v in (("highpass_hz", flt.highpass), ("lowpass_hz", flt.lowpass),
                                        ("notch_hz", flt.notch)) if v}  # fmt: skip
    statements = tuple(
        " ".join(p for p in (str(a).strip(), str(b).strip()) if p)
        for a, b in (record.interpretation.statements or [])
        if str(a).strip() or str(b).strip()
    )
    more["device_measurements"] = device_measurements(record)
    for key, value in (("institution", dev.institution), ("department", dev.department),
                       ("device_serial", dev.serial_number), ("device_software", dev.software_version),
                       ("acquisition_type", dev.acquisition_type),
                       ("referring_physician", rec.referring_physician),
                       ("technician", rec.technician)):  # fmt: skip
        value = text(value, key)
        if value and value.lower() != "unknown":
            more[key] = value
    if record.interpretation.source:
        more["interpretation_source"] = record.interpretation.source
    if record.interpretation.severity:
        more["interpretation_severity"] = record.interpretation.severity
    more.update(extra or {})
    if unreadable:
        more["text_unreadable"] = sorted(set(unreadable))  # not decodable as any character set
        log.warning("text fields not decodable (shown as unreadable): %s", ", ".join(unreadable))
    return EcgMeta(
        patient_id=text(pat.patient_id, "patient_id"),
        patient_name=name,
        sex=pat.sex if pat.sex in ("M", "F") else None,
        age_years=age,
        birth_date=birth,
        recorded_at=recorded,
        device=device,
        filters=filters,
        interpretation=statements,
        extra=more,
    )


_MS = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(ms)?\s*(\(.*\))?\s*$", re.IGNORECASE)


def _num(value: Any) -> float | None:
    """A number from a measurement value ("443 ms (formula code 0)", 75, None)."""
    if value is None:
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        v = float(value)
    else:
        m = _MS.match(str(value))
        if not m:
            return None
        v = float(m.group(1))
    # SCP-ECG writes 29999 / 32767 for "not measured"
    return None if not np.isfinite(v) or abs(v) >= 29999 else v


def device_measurements(record: Any) -> dict[str, float | None]:
    """The cart's global measurements under fixed keys (None where the file has none).

    Taken from ecgdatakit's GlobalMeasurements; where a file gives only the wave boundaries of
    the representative beat (SCP-ECG Section 7: P on/offset, QRS on/offset, T offset, in ms),
    P duration, PR, QRS and QT are the differences of those boundaries.
    """
    m = record.measurements
    ann = record.annotations or {}
    out: dict[str, float | None] = {
        "hr_bpm": _num(m.heart_rate),
        "rr_ms": _num(m.rr_interval),
        "pr_ms": _num(m.pr_interval),
        "p_ms": None,
        "qrs_ms": _num(m.qrs_duration),
        "qt_ms": _num(m.qt_interval),
        "qtc_ms": _num(m.qtc_bazett) or _num(ann.get("qtc")) or _num(ann.get("QTc Interval")),
        "p_axis_deg": _num(m.p_axis),
        "qrs_axis_deg": _num(m.qrs_axis),
        "t_axis_deg": _num(m.t_axis),
    }
    for key in ("P Duration", "p_duration_ms", "P duration"):
        if out["p_ms"] is None and key in ann:
            out["p_ms"] = _num(ann[key])
    on_off = {k: _num(ann.get(f"median_{k}_ms")) for k in ("p_onset", "p_offset", "qrs_onset",
                                                            "qrs_offset", "t_offset")}  # fmt: skip

    def diff(a: str, b: str) -> float | None:
        return on_off[b] - on_off[a] if on_off[a] is not None and on_off[b] is not None else None

    for key, (a, b) in (("p_ms", ("p_onset", "p_offset")), ("pr_ms", ("p_onset", "qrs_onset")),
                        ("qrs_ms", ("qrs_onset", "qrs_offset")), ("qt_ms", ("qrs_onset", "t_offset"))):  # fmt: skip
        if out[key] is None:
            value = diff(a, b)
            out[key] = value if value is not None and value > 0 else None
    return out
