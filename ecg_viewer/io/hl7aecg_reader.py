"""HL7 annotated ECG (aECG, FDA submission XML, root ``<AnnotatedECG>``), via ``ecgdatakit``.

The waveform is a list of ``<sequence>``s per rhythm series: one ``GLIST`` time base (its
``increment`` gives the rate) and one ``SLIST_PQ`` per lead, ``value = origin + scale * digit``.
ecgdatakit decodes it (checked in the tests against the digits read straight from the file and
against Einthoven, III = II - I, on the stored limb leads). This module adds what the library
leaves to its caller: the file's own MDC lead codes as channel names, the exact (non-rounded) rate,
the domain errors for an aECG without a waveform or with non-numeric digits, P duration and QTc
(kept only as free annotations by the library) in the cart measurements.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np

from ecg_viewer.core.errors import (
    CorruptFileError,
    HeaderValueError,
    InvalidSignalError,
    NoWaveformError,
)
from ecg_viewer.core.messages import Bilingual
from ecg_viewer.io.builder import Channel, RawEcg, unit_factor_to_mv
from ecg_viewer.io.registry import ReaderSpec, register
from ecg_viewer.io.validate import NONE_DECODED, check_rate, parse_number
from ecg_viewer.io.xml_common import (
    channels_from_leads,
    check_root,
    global_measurements,
    interpretation_lines,
    meta_from_record,
    number,
    parse_xml,
    rate_of,
    run_parser,
    sniffer,
)

LABEL = "HL7 aECG"
_TIME_TO_MS = {"ms": 1.0, "s": 1000.0, "us": 1e-3}
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def _rhythm_sequence_set(root: ET.Element) -> ET.Element | None:
    for series in root.findall("component/series"):
        code = (series.find("code").get("code", "") if series.find("code") is not None else "")
        if code.upper() == "REPRESENTATIVE_BEAT":
            continue
        return series.find("component/sequenceSet")
    return None


def _header_numbers(path: Path, root: ET.Element) -> tuple[float, list[tuple[float, float]]]:
    """The rate (from the time sequence's ``increment``) and, for each lead sequence in file
    order, (origin, scale) in mV, each parsed and validated: a ``<scale value="nan">`` is
    refused, never taken as 1. In file order, not by lead code: a code used twice keeps both."""
    seq_set = _rhythm_sequence_set(root)
    fs: float | None = None
    per_lead: list[tuple[float, float]] = []
    for seq in seq_set.findall("component/sequence") if seq_set is not None else []:
        c = seq.find("code")
        code = c.get("code", "") if c is not None else ""
        value = seq.find("value")
        if value is None:
            if "_ECG_LEAD_" in code.upper():
                per_lead.append((0.0, math.nan))  # no digits either: refused before this
            continue
        inc = value.find("increment")
        if inc is not None and fs is None:
            unit = (inc.get("unit") or "s").strip()
            if unit not in _TIME_TO_MS:
                raise HeaderValueError(path, field=Bilingual("increment の単位", "increment unit"),
                                       value=unit,
                                       expected=Bilingual("s、ms または us", "s, ms or us"),
                                       format=LABEL)
            step = parse_number(inc.get("value"), file=path, field="increment", format=LABEL,
                                lo=0.0, lo_open=True,
                                expected=Bilingual("0 より大きいサンプル間隔",
                                                   "a sample interval > 0"))
            given = f"{inc.get('value')} {unit}"
            fs = check_rate(1000.0 / (step * _TIME_TO_MS[unit]), file=path,
                            field=Bilingual(f"increment {given} から求めたサンプリング周波数",
                                            f"sampling rate from increment {given}"),
                            format=LABEL)
        if "_ECG_LEAD_" not in code.upper():
            continue
        nums = []
        for tag, positive in (("origin", False), ("scale", True)):
            el = value.find(tag)
            if el is None:
                if tag == "scale":
                    raise HeaderValueError(
                        path, field=Bilingual(f"{code} の scale", f"{code} scale"), value="(none)",
                        expected=Bilingual("スケール（digit 1 つあたりの単位量）",
                                           "a scale (units per digit)"),
                        format=LABEL)
                nums.append(0.0)
                continue
            unit = el.get("unit") or ""
            factor = unit_factor_to_mv(unit)
            if factor is None:
                raise HeaderValueError(path, field=Bilingual(f"{code} の {tag} の単位",
                                                             f"{code} {tag} unit"),
                                       value=unit,
                                       expected=Bilingual("電圧の単位（uV、mV、V）",
                                                          "a voltage unit (uV, mV, V)"),
                                       format=LABEL)
            v = parse_number(el.get("value"), file=path,
                             field=Bilingual(f"{code} の {tag}", f"{code} {tag}"), format=LABEL,
                             lo=0.0 if positive else -math.inf, lo_open=positive,
                             expected=Bilingual("0 より大きい数値", "a number > 0") if positive
                             else Bilingual("有限の数値", "a finite number"))
            nums.append(v * factor)
        per_lead.append((nums[0], nums[1]))
    if fs is None:
        raise HeaderValueError(path, field="increment", value="(none)",
                               expected=Bilingual("サンプル間隔を持つ時間シーケンス",
                                                  "a time sequence with a sample interval"),
                               format=LABEL)
    return fs, per_lead


def _check_decoded(path: Path, channels: list[Channel], codes: list[str] | None,
                   leads: list[tuple[str, ET.Element | None]],
                   numbers: list[tuple[float, float]]) -> None:
    """The library's first samples must equal origin + scale x digit from the file itself,
    sequence by sequence in file order (QA 65: by lead code, a code used on two sequences
    compared the first channel with the last sequence's digits and blamed the scale; the
    duplicate is now read and named by the quality gate, as in the other formats)."""
    if codes is None or len(leads) != len(channels) or len(numbers) != len(channels):
        return
    for ch, (code, el), (origin, scale) in zip(channels, leads, numbers, strict=True):
        tokens = (el.text or "").split()[:64] if el is not None else []
        want = origin + scale * np.asarray(tokens, dtype=np.float64)
        factor = unit_factor_to_mv(ch.unit) or math.nan
        got = np.asarray(ch.samples[: len(want)], dtype=np.float64) * factor
        with np.errstate(invalid="ignore", over="ignore"):
            fin = np.isfinite(want)  # NaN/inf digits are refused later, with their own message
            ok = got.shape == want.shape and np.allclose(got[fin], want[fin], rtol=1e-4, atol=1e-6)
        if not ok:
            raise CorruptFileError(
                path, expected=Bilingual(f"{code} のサンプル = origin + scale x digit",
                                         f"samples of {code} = origin + scale x digit"),
                found=Bilingual("ファイル自体のスケールと異なる復号値",
                                "decoded values that differ from the file's own scale"),
                format=LABEL)


def _rhythm_lead_sequences(root: ET.Element) -> list[tuple[str, ET.Element | None]]:
    """(MDC code, <digits>) of the lead sequences the library reads: the first sequence set of
    the first series that is not a representative beat."""
    for series in root.findall("component/series"):
        code = (series.find("code").get("code", "") if series.find("code") is not None else "")
        if code.upper() == "REPRESENTATIVE_BEAT":
            continue
        seq_set = series.find("component/sequenceSet")
        if seq_set is None:
            return []
        out = []
        for seq in seq_set.findall("component/sequence"):
            c = seq.find("code")
            lead_code = c.get("code", "") if c is not None else ""
            if "_ECG_LEAD_" in lead_code.upper():
                out.append((lead_code, seq.find("value/digits")))
        return out
    return []


def _check_waveform(path: Path, root: ET.Element) -> list[str]:
    """The lead codes in file order; domain errors for no waveform or unusable digits."""
    leads = _rhythm_lead_sequences(root)
    if not leads:
        raise NoWaveformError(
            path, expected=Bilingual("誘導シーケンス（MDC_ECG_LEAD_*）を含むリズムの系列",
                                     "a rhythm series with lead sequences (MDC_ECG_LEAD_*)"),
            found=Bilingual("誘導シーケンスなし", "no lead sequence"), format=LABEL)
    for code, digits in leads:
        tokens = (digits.text or "").split() if digits is not None else []
        if not tokens:
            raise NoWaveformError(path, expected=Bilingual(f"{code} の <digits> サンプル",
                                                           f"<digits> samples for {code}"),
                                  found=Bilingual("digits なし", "no digits"), format=LABEL)
        try:
            np.asarray(tokens, dtype=np.float64)
        except ValueError:
            bad = next(t for t in tokens if not _NUMBER.match(t))
            raise InvalidSignalError(path, expected=Bilingual(f"{code} 誘導の数値の digits",
                                                              f"numeric digits in lead {code}"),
                                     found=Bilingual(f"数値でない値 {bad[:20]!r}",
                                                     f"non-numeric value {bad[:20]!r}"),
                                     format=LABEL) from None
    return [code for code, _ in leads]


def _ms(text: Any) -> float | None:
    """'102 ms' / '0.102 s' -> 102.0"""
    v = number(text)
    if v is None:
        return None
    unit = str(text).strip().split()[-1] if len(str(text).split()) > 1 else "ms"
    factor = _TIME_TO_MS.get(unit)
    return v * factor if factor else None


def _measurements(rec: Any, extra: dict[str, Any]) -> dict[str, float | None]:
    gm, ann = rec.measurements, rec.annotations
    qtc, formula = None, None
    for key, name in (("MDC_ECG_TIME_PD_QTc", "not stated"), ("MDC_ECG_TIME_PD_QTc_GL", "not stated")):
        if ann.get(key):
            qtc, formula = _ms(ann[key]), name
            break
    if qtc is None and gm.qtc_bazett is not None:
        qtc, formula = gm.qtc_bazett, "Bazett"
    if qtc is None and gm.qtc_fridericia is not None:
        qtc, formula = gm.qtc_fridericia, "Fridericia"
    if formula:
        extra["device_qtc_formula"] = formula
    p_ms = _ms(ann.get("MDC_ECG_TIME_PD_P") or ann.get("MDC_ECG_TIME_PD_P_GL"))
    return global_measurements(gm, extra, qtc_ms=qtc, p_ms=p_ms)


def read_hl7aecg(path: Path, options: dict[str, Any]) -> RawEcg:
    from ecgdatakit.parsing.parsers.hl7_aecg import HL7aECGParser

    root = parse_xml(path, LABEL, "AnnotatedECG")
    other = check_root(path, root, "AnnotatedECG", LABEL, options)
    if other is not None:
        return other
    codes = _check_waveform(path, root)
    leads = _rhythm_lead_sequences(root)
    fs_file, numbers = _header_numbers(path, root)
    del root
    rec, messages = run_parser(path, HL7aECGParser, LABEL)
    if not rec.leads:
        raise NoWaveformError(path, expected=Bilingual("誘導シーケンス", "lead sequences"),
                              found=NONE_DECODED, format=LABEL)
    names = codes if len(codes) == len(rec.leads) else None
    channels = channels_from_leads(path, rec.leads, LABEL, names)
    _check_decoded(path, channels, names, leads, numbers)
    fs = rate_of(path, rec.leads, LABEL)
    if abs(fs - fs_file) > 0.01 * fs_file:
        raise HeaderValueError(path, field="increment", value=f"{1.0 / fs_file:g} s",
                               expected=Bilingual(
                                   f"デコーダーが用いるサンプリング周波数（{fs:g} Hz）",
                                   f"the rate the decoder uses ({fs:g} Hz)"),
                               format=LABEL)
    fs = fs_file  # the exact rate (the library rounds it)

    extra: dict[str, Any] = {}
    statements, interp_extra = interpretation_lines(rec)
    extra.update(interp_extra)
    for key in ("trial_id", "protocol_id", "sponsor", "trial_site_id", "timepoint", "visit"):
        if rec.raw_metadata.get(key):
            extra[key] = rec.raw_metadata[key]
    if rec.annotations.get("rhythm"):
        extra["device_rhythm"] = rec.annotations["rhythm"]
    if messages:
        extra["reader_warnings"] = messages
    measurements = _measurements(rec, extra)
    meta = meta_from_record(rec, interpretation=statements, measurements=measurements, extra=extra)
    return RawEcg(channels=channels, fs_hz=fs, meta=meta)


register(ReaderSpec(
    name="hl7aecg",
    label=LABEL,
    extensions=(".xml",),
    read=read_hl7aecg,
    sniff=sniffer("AnnotatedECG"),
))
