"""Philips Sierra XML (PageWriter / TraceMaster, versions 1.03-1.04.02, root ``<restingecgdata>``).

The 12 leads sit in ``<parsedwaveforms>``, usually XLI-compressed (LZW + second-difference
coding) with III, aVR, aVL and aVF stored as residuals of I and II. ``ecgdatakit`` decodes them
and reads the metadata; the tests check its samples against the ``sierraecg`` package (the
reference XLI decoder, identical to the count) times the file's own ``resolution`` (uV/count).

What this module adds to the library:

- the 1 s calibration tail: PageWriter files are 11 s per lead, 10 s of ECG and then a 1 mV
  calibration pulse on every lead (found in all the sample files at 10.7-10.9 s). The record keeps
  the first 10 s, as the printed report does, when that pulse is there (``extra``
  ``calibration_tail_removed_s``); left in, it would look like a beat to every analysis.
- cart measurements the library does not map: P duration (``pdur``), QTc of 1.03 files
  (``meanqtc``), RR of 1.03 files (``meanrrint`` of the single beat group). Philips stores
  intervals in ms and axes in degrees; a ``pdur`` longer than the PR interval (seen in two
  1.04 sample files: 508 ms, 148 ms > PR 144 ms) is not a P duration and is not used.
"""

from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np

from ecg_viewer.core.errors import CorruptFileError, HeaderValueError, NoWaveformError
from ecg_viewer.core.leads import CANONICAL_LEADS
from ecg_viewer.core.messages import Bilingual
from ecg_viewer.io.builder import RawEcg
from ecg_viewer.io.registry import ReaderSpec, register
from ecg_viewer.io.validate import NONE_DECODED, NONE_GIVEN, parse_rate
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

LABEL = "Philips Sierra XML"
_ECG_SECONDS = 10.0


def _find(root: ET.Element, tag: str) -> ET.Element | None:
    return next(root.iter(tag), None)


def _text(el: ET.Element | None, tag: str) -> str | None:
    if el is None:
        return None
    child = el.find(tag)
    return (child.text or "").strip() if child is not None and child.text else None


def _check_waveform(path: Path, root: ET.Element) -> None:
    parsed = _find(root, "parsedwaveforms")
    if parsed is None or not (parsed.text or "").strip():
        raise NoWaveformError(
            path, expected=Bilingual("12 誘導の波形を含む <parsedwaveforms>",
                                     "<parsedwaveforms> with the 12-lead waveform"),
            found=Bilingual("<parsedwaveforms> のデータなし", "no <parsedwaveforms> data")
            if parsed is None
            else Bilingual("空の <parsedwaveforms>", "an empty <parsedwaveforms>"),
            format=LABEL)


def _check_header_numbers(path: Path, root: ET.Element) -> None:
    """Every rate, resolution, duration and sample-size field that is present must parse and lie
    in range: the library skips an unparsable one and takes the next, or a default."""
    sc = _find(root, "signalcharacteristics")
    pw = _find(root, "parsedwaveforms")
    attr = (lambda name: pw.get(name)) if pw is not None else (lambda name: None)
    rates = [(attr("samplespersecond"), "parsedwaveforms@samplespersecond"),
             (_raw_text(sc, "samplingrate"), "samplingrate")]
    if all(t is None for t, _ in rates):
        raise HeaderValueError(path, field="samplingrate", value=NONE_GIVEN,
                               expected=Bilingual("サンプリング周波数", "a sampling rate"),
                               format=LABEL)
    for text, field in rates:
        if text is not None:
            parse_rate(text, file=path, field=field, format=LABEL)
    for text, field in ((attr("resolution"), "parsedwaveforms@resolution"),
                        (_raw_text(sc, "resolution"), "resolution"),
                        (_raw_text(sc, "signalresolution"), "signalresolution")):
        header_value(path, LABEL, text, field, lo=0.0, lo_open=True, hi=1e6,
                     expected=Bilingual("0 より大きい分解能（1 カウントあたりの uV）",
                                        "a resolution > 0 (uV per count)"))
    header_value(path, LABEL, attr("durationperchannel"), "parsedwaveforms@durationperchannel",
                 lo=0.0, lo_open=True, hi=24 * 3600 * 1000.0,
                 expected=Bilingual("0 ms より長い時間", "a duration > 0 ms"))
    for text, field in ((attr("nbitspersample"), "parsedwaveforms@nbitspersample"),
                        (_raw_text(sc, "bitspersample"), "bitspersample")):
        bits = header_value(path, LABEL, text, field, lo=1, hi=32, integer=True)
        if bits is not None and bits not in (8, 12, 16, 24, 32):
            raise HeaderValueError(path, field=field, value=text,
                                   expected=Bilingual("8、12、16、24 または 32 ビット",
                                                      "8, 12, 16, 24 or 32 bits"),
                                   format=LABEL)
    header_value(path, LABEL, _raw_text(sc, "signaloffset"), "signaloffset", lo=-(2**31), hi=2**31)


_STANDARD_SETS = ("STD-12", "10-WIRE")  # lead sets whose channels are I ... V6 in order


def _lead_labels(pw: ET.Element, sc: ET.Element | None) -> list[str]:
    """The rhythm leads the library reads, named as it names them: ``leadlabels`` (at most
    ``numberofleads``), else ``numberchannelsallocated`` (or ``...valid``) channels."""
    names = (pw.get("leadlabels") or "").split()
    if names:
        count = number(pw.get("numberofleads"))
        return names[:int(count)] if count is not None and 0 < count < len(names) else names
    count = number(_raw_text(sc, "numberchannelsallocated")) or number(_raw_text(sc, "numberchannelsvalid"))
    lead_set = _raw_text(sc, "acquisitiontype") or _raw_text(sc, "leadset") or ""
    if not count or count < 1 or count > 64:
        return []
    return [CANONICAL_LEADS[k] if lead_set in _STANDARD_SETS and k < 12 else f"channel {k + 1}"
            for k in range(int(count))]


def _xli_counts(raw: bytes, n_leads: int) -> list[int]:
    """Samples in each of the first ``n_leads`` XLI chunks: the LZW output is 2 bytes a sample
    (the delta decoding the library does next keeps the count)."""
    from ecgdatakit.parsing.codecs.lzw import LzwDecoder

    counts: list[int] = []
    offset = 0
    while len(counts) < n_leads and offset + 8 <= len(raw):
        size = int.from_bytes(raw[offset:offset + 4], "little", signed=True)
        if size <= 0 or size > len(raw) - offset - 8:
            break  # a damaged chunk header: the library names it
        counts.append(len(LzwDecoder(raw[offset + 8:offset + 8 + size], bits=10).read_all()) // 2)
        offset += 8 + size
    return counts


def _held_samples(pw: ET.Element, labels: list[str]) -> list[tuple[str, int]] | int | None:
    """(lead, samples) for each lead of XLI data; for uncompressed data (the leads one after
    another) the samples of all leads together; None when the data cannot be read here (not
    Base64: the library names it)."""
    flag = (pw.get("compressflag") or "").strip().lower()
    method = (pw.get("compression") or pw.get("compressmethod") or "").strip().lower()
    compressed = flag not in ("false", "no", "f", "0") and method not in ("", "uncompressed", "none")
    text = pw.text or ""
    try:
        if (pw.get("dataencoding") or "").strip() == "Plain" and not compressed:
            return len(text.split())
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    if not compressed:
        return len(raw) // 2
    return list(zip(labels, _xli_counts(raw, len(labels)), strict=False))


def _check_sample_counts(path: Path, root: ET.Element) -> None:
    """Every lead must hold the samples durationperchannel x rate says, neither fewer nor more:
    the library refused fewer (in English) but cut more to that length without a word, so a rate
    of 100 on 500-Hz data showed 2.2 s of signal stretched over 11 s, gated as lead-off (QA 65).
    Checked before the library decodes (a damage this cannot read is left to its message)."""
    pw, sc = _find(root, "parsedwaveforms"), _find(root, "signalcharacteristics")
    if pw is None:
        return
    rate = number(pw.get("samplespersecond")) or number(_raw_text(sc, "samplingrate"))
    duration = number(pw.get("durationperchannel"))
    labels = _lead_labels(pw, sc)
    held = _held_samples(pw, labels) if rate and duration and labels else None
    if held is None:
        return
    want, n = int(round(duration * rate / 1000)), len(labels)
    if isinstance(held, int):
        bad = None if held == want * n else Bilingual(
            f"{n} 誘導の波形データに計 {held} サンプル（{n} 誘導 × {want} = {n * want} でない）",
            f"{held} samples in the waveform data of {n} leads (not {n} x {want} = {n * want})")
    else:
        lead, k = next(((name, k) for name, k in held if k != want), ("", want))
        bad = None if k == want else Bilingual(f"{lead} 誘導の波形データに {k} サンプル",
                                               f"{k} samples in the waveform data of lead {lead}")
    if bad is not None:
        raise CorruptFileError(
            path, found=bad, format=LABEL,
            expected=Bilingual(f"1 誘導あたり {want} サンプル（durationperchannel {duration:g} ms × "
                               f"サンプリング周波数 {rate:g} Hz）",
                               f"{want} samples per lead (durationperchannel {duration:g} ms x "
                               f"sampling rate {rate:g} Hz)"))


def _raw_text(el: ET.Element | None, tag: str) -> str | None:
    """The text of child ``tag`` as written (empty string when the element is empty), None when
    there is no such element."""
    if el is None:
        return None
    child = el.find(tag)
    return None if child is None else (child.text or "").strip()


def _calibration_start(rows: list[np.ndarray], fs: float) -> int | None:
    """Sample index where the calibration tail starts, or None if there is none after 10 s.

    The tail is recognised by a stretch of >= 50 ms in which every lead holds the same non-zero
    value (a 1 mV step): impossible in a real 12-lead ECG, where III = II - I.
    """
    start = int(round(_ECG_SECONDS * fs))
    if len(rows) < 3 or len(rows[0]) <= start:
        return None
    tail = np.vstack([r[start:] for r in rows])
    same = np.all(tail == tail[0], axis=0) & (np.abs(tail[0]) > 0.2 * np.abs(tail).max(initial=0))
    need = int(0.05 * fs)
    run = 0
    for flag in same:
        run = run + 1 if flag else 0
        if run >= need:
            return start
    return None


def _measurements(root: ET.Element, rec: Any, extra: dict[str, Any]) -> dict[str, float | None]:
    gm = rec.measurements
    interp = _find(root, "interpretation")
    glob = interp.find("globalmeasurements") if interp is not None else None
    if glob is None:  # 1.03 keeps them under <measurements>
        glob = _find(root, "globalmeasurements")
    pdur = number(_text(glob, "pdur"))
    # 1.04: qtcb/qtcf (formula in the tag name); 1.03: meanqtc only (formula not stated)
    if gm.qtc_bazett is not None:
        qtc, formula = float(gm.qtc_bazett), "Bazett"
    else:
        qtc, formula = number(_text(glob, "meanqtc")), "not stated"
    if qtc is not None:
        extra["device_qtc_formula"] = formula
    rr = gm.rr_interval
    if rr is None:
        groups = list(root.iter("groupmeasurement"))
        if len(groups) == 1:
            rr = number(_text(groups[0], "meanrrint"))
    return global_measurements(gm, extra, qtc_ms=qtc, p_ms=pdur, rr_ms=rr)


def read_philips(path: Path, options: dict[str, Any]) -> RawEcg:
    from ecgdatakit.parsing.parsers.sierra_xml import SierraXMLParser

    root = parse_xml(path, LABEL, "restingecgdata")
    other = check_root(path, root, "restingecgdata", LABEL, options)
    if other is not None:
        return other
    _check_waveform(path, root)
    _check_header_numbers(path, root)
    _check_sample_counts(path, root)
    rec, messages = run_parser(path, SierraXMLParser, LABEL)
    if not rec.leads:
        raise NoWaveformError(path, expected=Bilingual("<parsedwaveforms> の中の 12 誘導",
                                                       "12 leads in <parsedwaveforms>"),
                              found=NONE_DECODED, format=LABEL)
    channels = channels_from_leads(path, rec.leads, LABEL)
    fs = rate_of(path, rec.leads, LABEL)

    extra: dict[str, Any] = {"document_version": rec.file_format.version,
                             "document_type": rec.raw_metadata.get("document_type")}
    cut = _calibration_start([c.samples for c in channels], fs)
    if cut is not None:
        removed = len(channels[0].samples) - cut
        for c in channels:
            c.samples = c.samples[:cut]
        extra["calibration_tail_removed_s"] = round(removed / fs, 3)
    statements, interp_extra = interpretation_lines(rec)
    extra.update(interp_extra)
    if messages:
        extra["reader_warnings"] = messages
    measurements = _measurements(root, rec, extra)
    meta = meta_from_record(rec, interpretation=statements, measurements=measurements, extra=extra)
    return RawEcg(channels=channels, fs_hz=fs, meta=meta)


register(ReaderSpec(
    name="philips_xml",
    label=LABEL,
    extensions=(".xml",),
    read=read_philips,
    sniff=sniffer("restingecgdata"),
))
