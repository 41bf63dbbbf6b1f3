"""MFER (Medical waveform Format Encoding Rules, ISO 22077; ``.mwf``), the Japanese standard.

Read with ``ecgdatakit``'s MFER parser, which walks the tag-length-value stream (channel
attributes, sampling interval, sensitivity, lead codes, frames). Resting 12-lead MFER files
usually store the 8 independent leads (I, II, V1-V6); ``build_record`` derives III, aVR, aVL and
aVF from I and II.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ecg_viewer.core.errors import CorruptFileError
from ecg_viewer.core.messages import Bilingual
from ecg_viewer.io.builder import RawEcg
from ecg_viewer.io.ecgdatakit_adapter import parse_with, to_raw
from ecg_viewer.io.registry import SNIFF_BYTES, ReaderSpec, register
from ecg_viewer.io.validate import check_library_file_size

LABEL = "MFER (.mwf)"
_PREAMBLE_TAG = 0x40  # MWF_PRE: 32 bytes of text beginning "MFR "


def _sniff(head: bytes, path: Path) -> bool:
    return len(head) >= 6 and head[0] == _PREAMBLE_TAG and head[2:6] == b"MFR "


def read_mfer(path: Path, options: dict[str, Any]) -> RawEcg:
    from ecgdatakit.parsing.parsers.mfer import MFERParser
    check_library_file_size(path, format=LABEL)

    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    # The preamble is optional in MFER; without it the file must open with valid definitions.
    if not (_sniff(head, path) or MFERParser.can_parse(path, head)):
        raise CorruptFileError(
            path,
            expected=Bilingual("MFER プリアンブル（'@ MFR ...'）または MFER の定義タグ",
                               "an MFER preamble ('@ MFR ...') or MFER definition tags"),
            found=Bilingual(f"先頭のバイト列 {head[:8]!r}", f"first bytes {head[:8]!r}"),
            format=LABEL)
    record, messages = parse_with(MFERParser, path, LABEL)
    raw_meta = record.raw_metadata
    rates = raw_meta.get("sampling_rates") or []
    extra: dict[str, Any] = {}
    if raw_meta.get("preamble"):
        extra["mfer_preamble"] = str(raw_meta["preamble"]).strip()
    if raw_meta.get("filters"):
        extra["filter_text"] = [str(f) for f in raw_meta["filters"]]
    if (record.annotations or {}).get("comment"):
        extra["comment"] = record.annotations["comment"]
    return to_raw(record, path, LABEL, messages=messages,
                  rate_hz=float(rates[0]) if rates else None, extra=extra)


register(ReaderSpec(
    name="mfer",
    label=LABEL,
    extensions=(".mwf", ".mfer", ".mfr"),
    read=read_mfer,
    sniff=_sniff,
))
