"""DICOM waveform (12-lead ECG, General ECG, Ambulatory ECG storage; ``.dcm``).

Read with ``ecgdatakit``'s DICOM parser on top of ``pydicom``: it takes the rhythm multiplex
group (not the median-beat group), decodes samples by Waveform Bits Allocated and Waveform
Sample Interpretation (SS/SB/SL/UB/US/UL, mu-law, A-law), scales each channel as
sample x Channel Sensitivity x Channel Sensitivity Correction Factor + Channel Baseline, and
takes the unit from the Channel Sensitivity Units Sequence (UCUM, e.g. ``uV``). Interpretation
statements, filter settings and the cart's measurements come from the dataset.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

from ecg_viewer.core.errors import CorruptFileError, EcgReadError, NoWaveformError
from ecg_viewer.core.messages import Bilingual, Localized
from ecg_viewer.io.builder import RawEcg
from ecg_viewer.io.ecgdatakit_adapter import parse_with, to_raw
from ecg_viewer.io.library_text import library_said
from ecg_viewer.io.registry import ReaderSpec, register
from ecg_viewer.io.validate import check_library_file_size, check_number, parse_number, parse_rate

LABEL = "DICOM waveform (.dcm)"
SHOWN = Bilingual("DICOM 波形 (.dcm)", LABEL)  # the name in the messages' language


def _sniff(head: bytes, path: Path) -> bool:
    return len(head) >= 132 and head[128:132] == b"DICM"


def _has_waveform(path: Path) -> tuple[bool, str | Localized]:
    import pydicom

    ds = pydicom.dcmread(str(path), stop_before_pixels=True, specific_tags=["WaveformSequence",
                                                                           "SOPClassUID", "Modality"])
    if "WaveformSequence" in ds and len(ds.WaveformSequence):
        return True, ""
    sop = getattr(ds.get("SOPClassUID"), "name", str(ds.get("SOPClassUID", "")))
    modality = ds.get("Modality", "?")
    return False, Bilingual(
        f"WaveformSequence のない DICOM オブジェクト（SOP クラス {sop or '?'}、モダリティ {modality}）",
        f"a DICOM object without Waveform Sequence (SOP class {sop or '?'}, modality {modality})")


_DS_FIELDS = (  # decimal strings of each channel: (keyword, must be > 0)
    ("ChannelSensitivity", True), ("ChannelSensitivityCorrectionFactor", True),
    ("ChannelBaseline", False), ("ChannelSampleSkew", False),
)  # fmt: skip


def _text_of(item: Any, keyword: str) -> str | None:
    """The value of a decimal-string element as written in the file (None when absent): the
    library drops a value it cannot parse and uses a default (sensitivity factor 1, baseline 0)."""
    from pydicom.datadict import tag_for_keyword

    tag = tag_for_keyword(keyword)
    if tag is None or tag not in item:
        return None
    value = item.get_item(tag).value
    if isinstance(value, bytes):
        return value.decode("latin-1").strip(" \x00")
    return "" if value is None else str(value).strip()


def _check_header_numbers(path: Path) -> None:
    """Rate, sample count, bits and every channel's sensitivity, correction factor, baseline and
    skew of every multiplex group, parsed and validated before the library decodes them."""
    import pydicom

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the values are judged below, with the field named
        ds = pydicom.dcmread(str(path), defer_size=4096, specific_tags=["WaveformSequence"])
        for g, wf in enumerate(ds.WaveformSequence):
            where = f"waveform group {g + 1}"
            where_ja = f"波形グループ {g + 1}"
            rate_text = _text_of(wf, "SamplingFrequency")
            parse_rate(rate_text, file=path, format=SHOWN,
                       field=Bilingual(f"{where_ja} の SamplingFrequency",
                                       f"{where} SamplingFrequency"))
            for keyword, lo, hi in (("NumberOfWaveformSamples", 1, 2**31),
                                    ("NumberOfWaveformChannels", 1, 1024),
                                    ("WaveformBitsAllocated", 8, 64)):
                value = wf.get(keyword)
                check_number(value, file=path,
                             field=Bilingual(f"{where_ja} の {keyword}", f"{where} {keyword}"),
                             format=SHOWN, lo=lo, hi=hi,
                             expected=Bilingual(f"{lo}〜{hi} の整数", f"an integer in [{lo}, {hi}]"))
            _check_group_sizes(path, wf, where, where_ja)
            for c, ch in enumerate(wf.get("ChannelDefinitionSequence") or []):
                for keyword, positive in _DS_FIELDS:
                    text = _text_of(ch, keyword)
                    if text is None:
                        continue
                    field = Bilingual(f"{where_ja} チャネル {c + 1} の {keyword}",
                                      f"{where} channel {c + 1} {keyword}")
                    want = (Bilingual("0 より大きい数値", "a number > 0") if positive
                            else Bilingual("有限の数値", "a finite number"))
                    parse_number(text, file=path, field=field,
                                 format=SHOWN, lo=0.0 if positive else -1e12, lo_open=positive,
                                 hi=1e12, expected=want)


def _check_group_sizes(path: Path, wf: Any, where: str, where_ja: str) -> None:
    """The channel definitions and the WaveformData length must agree with the group's
    NumberOfWaveformChannels and NumberOfWaveformSamples (QA 65: 8 channels declared over 12
    channels of data were de-interleaved into 8 leads of garbage; 8000 samples declared over
    10,000 dropped 2 s without a word). Each number alone was already range-checked."""
    n_ch, n_samples = int(wf.NumberOfWaveformChannels), int(wf.NumberOfWaveformSamples)
    defs = len(wf.get("ChannelDefinitionSequence") or [])
    if defs != n_ch:
        raise CorruptFileError(
            path,
            expected=Bilingual(f"{where_ja} の NumberOfWaveformChannels（{n_ch}）と同じ数のチャネル定義",
                               f"as many channel definitions as {where} NumberOfWaveformChannels ({n_ch})"),
            found=Bilingual(f"ChannelDefinitionSequence に {defs} 個のチャネル定義",
                            f"{defs} channel definitions in ChannelDefinitionSequence"),
            format=SHOWN)
    bits = int(wf.WaveformBitsAllocated)
    data = wf.get("WaveformData")
    if data is None or bits % 8:
        return  # no data: the library names it; odd bit widths: left to the library
    need = n_ch * n_samples * (bits // 8)
    have = len(data)
    if have != need and have != need + need % 2:  # an odd length is padded to even
        raise CorruptFileError(
            path,
            expected=Bilingual(f"{where_ja} の WaveformData {need:,} バイト（NumberOfWaveformChannels "
                               f"{n_ch} × NumberOfWaveformSamples {n_samples} × {bits // 8} バイト）",
                               f"{need:,} bytes of {where} WaveformData (NumberOfWaveformChannels "
                               f"{n_ch} x NumberOfWaveformSamples {n_samples} x {bits // 8} bytes)"),
            found=Bilingual(f"WaveformData {have:,} バイト", f"{have:,} bytes of WaveformData"),
            format=SHOWN)


def read_dicom(path: Path, options: dict[str, Any]) -> RawEcg:
    from ecgdatakit.parsing.parsers.dicom_waveform import DICOMWaveformParser
    check_library_file_size(path, format=SHOWN)

    with open(path, "rb") as fh:
        head = fh.read(132)
    if not _sniff(head, path):
        raise CorruptFileError(
            path,
            expected=Bilingual("DICOM ファイル（128 バイト目から 'DICM'）",
                               "a DICOM file ('DICM' at byte 128)"),
            found=Bilingual(f"128〜131 バイト目 {head[128:132]!r}",
                            f"bytes 128-131 {head[128:132]!r}"),
            format=SHOWN)
    try:
        with warnings.catch_warnings():  # pydicom warns on odd values; the parse below reports
            warnings.simplefilter("ignore")
            ok, found = _has_waveform(path)
    except Exception as exc:  # pydicom raises OSError/ValueError/... on a damaged dataset
        en = f"{type(exc).__name__}: {exc}"[:240]
        raise CorruptFileError(path, expected=Bilingual("完全な DICOM データセット",
                                                        "a complete DICOM dataset"),
                               found=library_said("読み込みエラー", en),
                               format=SHOWN) from exc
    if not ok:
        raise NoWaveformError(path, expected=Bilingual("DICOM 波形（ECG）オブジェクト",
                                                       "a DICOM waveform (ECG) object"),
                              found=found, format=SHOWN)
    try:
        _check_header_numbers(path)
    except EcgReadError:
        raise
    except Exception as exc:  # pydicom on a damaged nested dataset
        en = f"{type(exc).__name__}: {exc}"[:240]
        raise CorruptFileError(path, expected=Bilingual("完全な DICOM 波形ヘッダー",
                                                        "a complete DICOM waveform header"),
                               found=library_said("読み込みエラー", en),
                               format=SHOWN) from exc
    record, messages = parse_with(DICOMWaveformParser, path, SHOWN)
    raw_meta = record.raw_metadata
    groups = [g for g in raw_meta.get("multiplex_groups") or [] if isinstance(g, dict)]
    n = len(record.leads[0].samples) if record.leads else 0
    rate = next((float(g["sampling_frequency"]) for g in groups
                 if g.get("samples") == n and g.get("sampling_frequency")), None)
    extra: dict[str, Any] = {}
    for key in ("sop_class_name", "modality", "accession_number", "study_description"):
        if raw_meta.get(key):
            extra[f"dicom_{key}"] = str(raw_meta[key])
    if groups:
        extra["dicom_multiplex_groups"] = [
            {k: g.get(k) for k in ("label", "channels", "samples", "sampling_frequency")} for g in groups
        ]
    raw = to_raw(record, path, SHOWN, messages=messages, rate_hz=rate, extra=extra)
    kanji = _ideographic_name(path)
    if kanji:  # what a Japanese clinician checks; the library kept only the alphabetic group
        raw.meta = replace(raw.meta, patient_name=kanji)
    return raw


def _ideographic_name(path: Path) -> str | None:
    """The ideographic group of PatientName (``Yamada^Tarou=山田^太郎=やまだ^たろう`` ->
    「山田 太郎」, family name first), None without one or when it cannot be read."""
    import pydicom

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(str(path), stop_before_pixels=True,
                                 specific_tags=["SpecificCharacterSet", "PatientName"])
            name = ds.get("PatientName")
            ideographic = str(getattr(name, "ideographic", "") or "") if name is not None else ""
    except Exception:  # the name is optional: the waveform was read above
        return None
    parts = [p.strip() for p in ideographic.split("^") if p.strip()]
    return " ".join(parts) or None


register(ReaderSpec(
    name="dicom",
    label=LABEL,
    label_ja=SHOWN.ja,
    extensions=(".dcm", ".dicom"),
    read=read_dicom,
    sniff=_sniff,
))
