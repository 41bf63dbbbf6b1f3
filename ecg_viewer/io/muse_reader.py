"""GE MUSE XML (``<RestingECG>`` exports of the MUSE system and MAC carts), via ``ecgdatakit``.

MUSE stores 8 leads (I, II, V1-V6) as Base64 little-endian int16 per lead, scaled by
``LeadAmplitudeUnitsPerBit`` in ``LeadAmplitudeUnits`` (4.88 uV in the samples); III, aVR, aVL,
aVF are derived by build_record. ecgdatakit decodes the rhythm waveform and the metadata; the
tests check its samples against the Base64 decoded straight from the file times the file's own
scale. The stored CRC32 of each rhythm lead is checked here: a mismatch is a corrupt file (the library
only warns); a CRC of 0 (the synthetic sample, whose writer computed none) is "not stated".

What this module adds: the cart's QTc (``QTCorrected``, which the library keeps only as a free
annotation) and the P duration, from the median-beat fiducials ``POnset``/``POffset`` (samples at
``ECGSampleBase``). Those fiducials are used only when they reproduce the cart's own PR, QRS and
QT from the same points, which proves their unit.
"""

from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path
from typing import Any

from ecg_viewer.core.errors import CorruptFileError, HeaderValueError, NoWaveformError
from ecg_viewer.core.messages import Bilingual
from ecg_viewer.io.builder import RawEcg
from ecg_viewer.io.registry import ReaderSpec, register
from ecg_viewer.io.validate import NONE_DECODED, POSITIVE_RATE, check_rate
from ecg_viewer.io.xml_common import (
    channels_from_leads,
    check_root,
    global_measurements,
    header_value,
    interpretation_lines,
    meta_from_record,
    number,
    parse_xml,
    rate_of,
    run_parser,
    sniffer,
)

LABEL = "GE MUSE XML"


def _child(el: ET.Element | None, tag: str) -> str | None:
    if el is None:
        return None
    low = tag.lower()
    for c in el:
        if str(c.tag).lower() == low:
            return (c.text or "").strip() or None
    return None


def _rhythm_waveform(root: ET.Element) -> ET.Element | None:
    for wf in root.findall("Waveform"):
        if (_child(wf, "WaveformType") or "rhythm").lower() == "rhythm":
            return wf
    return None


def _check_waveform(path: Path, root: ET.Element) -> bool | None:
    """Domain errors for a MUSE file without rhythm data or with a rhythm lead whose bytes do
    not match its stored CRC32. Returns True when every stored CRC matched, None when the writer
    stored none (0, as in the synthetic sample)."""
    wf = _rhythm_waveform(root)
    if wf is None:
        raise NoWaveformError(path, expected=Bilingual("種類が Rhythm の <Waveform>",
                                                       "a <Waveform> of type Rhythm"),
                              found=Bilingual("なし", "none"), format=LABEL)
    leads = [ld for ld in wf.findall("LeadData") if _child(ld, "WaveFormData")]
    if not leads:
        raise NoWaveformError(path, expected=Bilingual(
                                  "リズム波形の中の <WaveFormData> を含む <LeadData>",
                                  "<LeadData> with <WaveFormData> in the rhythm waveform"),
                              found=Bilingual("誘導データなし", "no lead data"), format=LABEL)
    checked = 0
    for ld in leads:
        crc = _child(ld, "LeadDataCRC32") or ""
        if not crc.isdigit() or int(crc) == 0:
            continue
        try:
            payload = base64.b64decode("".join((_child(ld, "WaveFormData") or "").split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            lead_id = _child(ld, "LeadID")
            raise CorruptFileError(path,
                                   expected=Bilingual("Base64 の誘導データ", "Base64 lead data"),
                                   found=Bilingual(f"{lead_id} 誘導に不正な Base64",
                                                   f"invalid Base64 in lead {lead_id}"),
                                   format=LABEL) from exc
        if zlib.crc32(payload) & 0xFFFFFFFF != int(crc):
            lead_id = _child(ld, "LeadID")
            raise CorruptFileError(path, expected=Bilingual("保存された CRC32 と一致する誘導データ",
                                                            "lead data matching its stored CRC32"),
                                   found=Bilingual(f"リズムの {lead_id} 誘導で CRC32 不一致",
                                                   f"CRC32 mismatch in rhythm lead {lead_id}"),
                                   format=LABEL)
        checked += 1
    return True if checked else None


_MUSE_UNITS = {"microvolts": "uV", "millivolts": "mV", "volts": "V", "uv": "uV", "mv": "mV", "v": "V"}


def _check_header_numbers(path: Path, root: ET.Element) -> None:
    """The rhythm waveform's rate (``SampleBase`` x 10^``SampleExponent``) and each lead's
    scale, unit and counts, parsed and validated: the library would take ``+5`` as 5 Hz."""
    wf = _rhythm_waveform(root)
    if wf is None:
        return
    base = header_value(path, LABEL, _child_raw(wf, "SampleBase"), "SampleBase", required=True,
                        lo=0.0, lo_open=True,
                        expected=POSITIVE_RATE)
    exponent = header_value(path, LABEL, _child_raw(wf, "SampleExponent"), "SampleExponent",
                            lo=-6, hi=6, integer=True) or 0
    product = f"SampleBase x 10^SampleExponent ({_child_raw(wf, 'SampleBase')})"
    check_rate(float(base or 0) * 10.0 ** exponent, file=path,
               field=Bilingual(f"サンプリング周波数 {product}", product), format=LABEL)
    for ld in wf.findall("LeadData"):
        lead = _child(ld, "LeadID") or "?"
        header_value(path, LABEL, _child_raw(ld, "LeadAmplitudeUnitsPerBit"),
                     _lead_field(lead, "LeadAmplitudeUnitsPerBit"), required=True, lo=0.0,
                     lo_open=True, hi=1e6,
                     expected=Bilingual("0 より大きいスケール（1 ビットあたりの単位量）",
                                        "a scale > 0 (units per bit)"))
        unit = _child_raw(ld, "LeadAmplitudeUnits")
        if unit is not None and unit.strip().lower() not in _MUSE_UNITS:
            raise HeaderValueError(path, field=_lead_field(lead, "LeadAmplitudeUnits"), value=unit,
                                   expected=Bilingual("MICROVOLTS、MILLIVOLTS または VOLTS",
                                                      "MICROVOLTS, MILLIVOLTS or VOLTS"),
                                   format=LABEL)
        header_value(path, LABEL, _child_raw(ld, "LeadSampleCountTotal"),
                     _lead_field(lead, "LeadSampleCountTotal"), lo=1, hi=2**31, integer=True)
        header_value(path, LABEL, _child_raw(ld, "LeadSampleSize"),
                     _lead_field(lead, "LeadSampleSize"), lo=1, hi=8, integer=True)
        header_value(path, LABEL, _child_raw(ld, "LeadByteCountTotal"),
                     _lead_field(lead, "LeadByteCountTotal"), lo=1, hi=2**31, integer=True)
        header_value(path, LABEL, _child_raw(ld, "FirstSampleBaseline"),
                     _lead_field(lead, "FirstSampleBaseline"), lo=-(2**31), hi=2**31)


def _lead_field(lead: str, tag: str) -> Bilingual:
    """A lead's header field, e.g. "V1 LeadSampleSize" ("V1 誘導の LeadSampleSize")."""
    return Bilingual(f"{lead} 誘導の {tag}", f"{lead} {tag}")


def _child_raw(el: ET.Element | None, tag: str) -> str | None:
    """The text of child ``tag`` as written ("" when empty), None when there is none."""
    if el is None:
        return None
    low = tag.lower()
    for c in el:
        if str(c.tag).lower() == low:
            return (c.text or "").strip()
    return None


def _p_duration_ms(meas: ET.Element | None, pr: float | None, qrs: float | None,
                   qt: float | None) -> tuple[float | None, str | None]:
    """P duration from POnset/POffset when the same fiducials give the cart's PR, QRS and QT."""
    vals = {k: number(_child(meas, k)) for k in
            ("POnset", "POffset", "QOnset", "QOffset", "TOffset", "ECGSampleBase")}
    base = vals["ECGSampleBase"]
    if not base or vals["POnset"] is None or vals["POffset"] is None or vals["QOnset"] is None:
        return None, None
    to_ms = 1000.0 / base
    checks = [(pr, vals["QOnset"] - vals["POnset"])]
    if vals["QOffset"] is not None:
        checks.append((qrs, vals["QOffset"] - vals["QOnset"]))
    if vals["TOffset"] is not None:
        checks.append((qt, vals["TOffset"] - vals["QOnset"]))
    tested = [(want, got * to_ms) for want, got in checks if want is not None]
    if not tested or any(abs(want - got) > 2 * to_ms for want, got in tested):
        return None, "POnset/POffset do not reproduce the cart's PR/QRS/QT; P duration not used"
    return (vals["POffset"] - vals["POnset"]) * to_ms, None


def _measurements(root: ET.Element, rec: Any, extra: dict[str, Any]) -> dict[str, float | None]:
    gm = rec.measurements
    meas = root.find("RestingECGMeasurements")
    if meas is None:
        meas = root.find("OriginalRestingECGMeasurements")
    qtc = number(_child(meas, "QTCorrected"))
    if qtc is not None:
        extra["device_qtc_formula"] = "not stated (MUSE QTCorrected)"
    elif gm.qtc_fridericia is not None:
        qtc = gm.qtc_fridericia
        extra["device_qtc_formula"] = "Fridericia"
    notes: list[str] = []
    p_ms, note = _p_duration_ms(meas, gm.pr_interval, gm.qrs_duration, gm.qt_interval)
    if note:
        notes.append(note)
    return global_measurements(gm, extra, qtc_ms=qtc, p_ms=p_ms, notes=notes)


def read_muse(path: Path, options: dict[str, Any]) -> RawEcg:
    from ecgdatakit.parsing.parsers.ge_muse_xml import GEMuseXMLParser

    root = parse_xml(path, LABEL, "RestingECG")
    other = check_root(path, root, "RestingECG", LABEL, options)
    if other is not None:
        return other
    crc_ok = _check_waveform(path, root)
    _check_header_numbers(path, root)
    rec, messages = run_parser(path, GEMuseXMLParser, LABEL)
    if not rec.leads:
        raise NoWaveformError(path, expected=Bilingual("リズムの誘導", "rhythm leads"),
                              found=NONE_DECODED, format=LABEL)
    channels = channels_from_leads(path, rec.leads, LABEL)
    fs = rate_of(path, rec.leads, LABEL)

    extra: dict[str, Any] = {}
    statements, interp_extra = interpretation_lines(rec)
    extra.update(interp_extra)
    raw = rec.raw_metadata
    extra["checksum_valid"] = crc_ok  # None: the file stores no CRC (0)
    for key in ("Site", "Location", "Status", "AnalysisSoftwareVersion"):
        if raw.get(key):
            extra[f"muse_{key.lower()}"] = raw[key]
    if rec.annotations.get("reason_for_test"):
        extra["reason_for_test"] = rec.annotations["reason_for_test"]
    # the CRCs are checked above; the library's CRC warnings (also for CRC 0) add nothing
    messages = [m for m in messages if "CRC32 mismatch" not in m]
    if messages:
        extra["reader_warnings"] = messages
    measurements = _measurements(root, rec, extra)
    meta = meta_from_record(rec, interpretation=statements, measurements=measurements, extra=extra)
    return RawEcg(channels=channels, fs_hz=fs, meta=meta)


register(ReaderSpec(
    name="ge_muse",
    label=LABEL,
    extensions=(".xml",),
    read=read_muse,
    sniff=sniffer("RestingECG"),
))
