"""EDF and EDF+ (European Data Format; ``.edf``), read with ``ecgdatakit``'s EDF parser.

Signals are scaled from the digital to the physical range of each signal. Only voltage channels
are kept (with their own names: an EDF from a Holter or a sleep study keeps "ECG", "EEG Fpz-Cz"
...); "EDF Annotations" signals and channels in other units (degrees, %, mmHg) are left out and
listed in ``meta.extra["dropped_channels"]``. A file with only annotations raises
:class:`NoWaveformError`; a file shorter than its header's record count raises
:class:`InvalidSignalError`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ecg_viewer.core.errors import CorruptFileError, HeaderValueError, NoWaveformError
from ecg_viewer.core.messages import Bilingual, Localized
from ecg_viewer.io.builder import RawEcg
from ecg_viewer.io.ecgdatakit_adapter import parse_with, to_raw
from ecg_viewer.io.registry import ReaderSpec, register
from ecg_viewer.io.validate import check_total_values, parse_number

LABEL = "EDF/EDF+ (.edf)"
_MAGIC = b"0       "
_ANNOTATION_LABEL = "EDF Annotations"


def _sniff(head: bytes, path: Path) -> bool:
    if len(head) < 256 or head[:8] != _MAGIC:
        return False
    try:
        int(head[252:256].decode("ascii").strip())
        return True
    except (UnicodeDecodeError, ValueError):
        return False


def _header_labels(path: Path) -> list[str]:
    """The signal labels of the EDF header, as written (16 ASCII characters each)."""
    with open(path, "rb") as fh:
        head = fh.read(256)
        ns = int(head[252:256].decode("ascii").strip())
        raw = fh.read(16 * ns)
    return [raw[16 * i:16 * (i + 1)].decode("latin-1").strip() for i in range(ns)]


#: samples in all that an EDF may hold: the library decodes to float64 (about 20 bytes per sample
#: at the peak), so this keeps reading one within ~1 GB (a 24-h 2-lead Holter at 200 Hz fits)
MAX_EDF_VALUES = 40_000_000
_SIGNAL_FIELDS = (("label", 16), ("transducer", 80), ("physical dimension", 8),
                  ("physical minimum", 8), ("physical maximum", 8), ("digital minimum", 8),
                  ("digital maximum", 8), ("prefiltering", 80), ("samples per record", 8),
                  ("reserved", 32))  # fmt: skip


def _check_header_numbers(path: Path, head: bytes) -> None:
    """Every number of the EDF header parsed strictly (ASCII, fixed width) before the library
    reads the file: the library would take ``nan`` or ``inf`` as a physical range."""
    def num(raw: bytes, field: str | Localized, **kw: Any) -> float:
        return parse_number(raw.decode("latin-1").strip(), file=path, field=field, format=LABEL, **kw)

    ns = int(num(head[252:256], Bilingual("信号数", "number of signals"), lo=1, hi=4096,
                 integer=True))
    with open(path, "rb") as fh:
        fh.seek(256)
        block = fh.read(256 * ns)
    if len(block) < 256 * ns:
        raise CorruptFileError(path, expected=Bilingual(f"{256 * (ns + 1)} バイトのヘッダー",
                                                        f"a header of {256 * (ns + 1)} bytes"),
                               found=Bilingual(f"{256 + len(block)} バイト",
                                               f"{256 + len(block)} bytes"), format=LABEL)
    fields: dict[str, list[bytes]] = {}
    pos = 0
    for name, width in _SIGNAL_FIELDS:
        fields[name] = [block[pos + i * width:pos + (i + 1) * width] for i in range(ns)]
        pos += width * ns
    labels = [f.decode("latin-1").strip() for f in fields["label"]]
    signals = [i for i, lab in enumerate(labels) if lab != _ANNOTATION_LABEL]
    num(head[184:192], Bilingual("ヘッダーのバイト数", "header bytes"), lo=256 * (ns + 1),
        hi=256 * (ns + 1), integer=True)
    n_records = int(num(head[236:244], Bilingual("データレコード数", "number of data records"),
                        lo=1, hi=2**31, integer=True,
                        expected=Bilingual("1 以上のレコード数（-1: 記録中）",
                                           "a record count >= 1 (-1: still recording)")))
    if signals:
        num(head[244:252], Bilingual("データレコード 1 つの長さ", "duration of a data record"),
            lo=0.0, lo_open=True, hi=3600.0,
            expected=Bilingual("0 s より長い時間", "a duration > 0 s"))
    total = 0
    for i in range(ns):  # every signal, the annotation signal too: no number is skipped
        lab = labels[i]
        n = int(num(fields["samples per record"][i],
                    Bilingual(f"{lab} のレコードあたりサンプル数", f"{lab} samples per record"),
                    lo=1, hi=2**24, integer=True))
        pmin = num(fields["physical minimum"][i],
                   Bilingual(f"{lab} の物理最小値", f"{lab} physical minimum"), lo=-1e9, hi=1e9)
        pmax = num(fields["physical maximum"][i],
                   Bilingual(f"{lab} の物理最大値", f"{lab} physical maximum"), lo=-1e9, hi=1e9)
        dmin = num(fields["digital minimum"][i],
                   Bilingual(f"{lab} のデジタル最小値", f"{lab} digital minimum"), lo=-(2**23),
                   hi=2**23, integer=True)
        dmax = num(fields["digital maximum"][i],
                   Bilingual(f"{lab} のデジタル最大値", f"{lab} digital maximum"), lo=-(2**23),
                   hi=2**23, integer=True)
        if i not in signals:
            continue
        total += n * n_records
        if pmin == pmax:
            raise HeaderValueError(path, value=f"{pmax:g}", format=LABEL,
                                   field=Bilingual(f"{lab} の物理最大値", f"{lab} physical maximum"),
                                   expected=Bilingual("最小値と最大値が異なる物理範囲",
                                                      "a physical range (minimum != maximum)"))
        if dmin >= dmax:
            raise HeaderValueError(path, value=f"{dmax:g}", format=LABEL,
                                   field=Bilingual(f"{lab} のデジタル最大値", f"{lab} digital maximum"),
                                   expected=Bilingual(f"デジタル最小値 {dmin:g} より大きい値",
                                                      f"more than the digital minimum {dmin:g}"))
    check_total_values(total, file=path, format=LABEL, limit=MAX_EDF_VALUES)


def read_edf(path: Path, options: dict[str, Any]) -> RawEcg:
    from ecgdatakit.parsing.parsers.edf import EDFParser

    with open(path, "rb") as fh:
        head = fh.read(256)
    if len(head) < 256:
        raise CorruptFileError(path, expected=Bilingual("256 バイトの EDF ヘッダー",
                                                        "an EDF header of 256 bytes"),
                               found=Bilingual(f"{len(head)} バイト", f"{len(head)} bytes"),
                               format=LABEL)
    if head[:8] != _MAGIC:
        raise CorruptFileError(path, expected=Bilingual(f"EDF のバージョンフィールド {_MAGIC!r}",
                                                        f"EDF version field {_MAGIC!r}"),
                               found=repr(head[:8]), format=LABEL)
    _check_header_numbers(path, head)
    record, messages = parse_with(EDFParser, path, LABEL)
    raw_meta = record.raw_metadata
    annotations = raw_meta.get("edf_annotations") or []
    if not record.leads:
        found_ja, found_en = (("'EDF Annotations' 信号のみ", "only an EDF Annotations signal")
                              if annotations or raw_meta.get("is_edfplus")
                              else ("信号なし", "no signals"))
        if annotations:
            found_ja += f"（注釈 {len(annotations)} 件）"
            found_en += f" ({len(annotations)} annotations)"
        raise NoWaveformError(path, expected=Bilingual("少なくとも 1 つの信号チャネル",
                                                       "at least one signal channel"),
                              found=Bilingual(found_ja, found_en), format=LABEL)
    labels = [lab for lab in _header_labels(path) if lab != _ANNOTATION_LABEL]
    if len(labels) == len(record.leads):  # keep the file's own names ("ECG I", "EEG Fpz-Cz")
        for lead, own in zip(record.leads, labels, strict=True):
            lead.annotations["channel_label"] = own
    extra: dict[str, Any] = {}
    version = str(getattr(record.file_format, "version", "") or "")
    if version:
        extra["edf_type"] = version  # "EDF+D": records with gaps, joined end to end
    if raw_meta.get("recording_id"):
        extra["edf_recording_id"] = str(raw_meta["recording_id"]).strip()
    if annotations:
        extra["edf_annotations"] = [
            {"onset_s": a.get("onset"), "duration_s": a.get("duration"), "text": a.get("text")}
            for a in annotations[:1000] if isinstance(a, dict)
        ]
    return to_raw(record, path, LABEL, messages=messages, extra=extra, signed_scale=True)


register(ReaderSpec(
    name="edf",
    label=LABEL,
    extensions=(".edf",),
    read=read_edf,
    sniff=_sniff,
))
