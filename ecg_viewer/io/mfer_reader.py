"""MFER (Medical waveform Format Encoding Rules, ISO 22077; ``.mwf``), the Japanese standard.

Read with ``ecgdatakit``'s MFER parser, which walks the tag-length-value stream (channel
attributes, sampling interval, sensitivity, lead codes, frames). Resting 12-lead MFER files
usually store the 8 independent leads (I, II, V1-V6); ``build_record`` derives III, aVR, aVL and
aVF from I and II.
"""

from __future__ import annotations

from functools import cache
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
    record, messages = parse_with(_parser_class(), path, LABEL)
    raw_meta = record.raw_metadata
    _check_frame_lengths(path, raw_meta.get(_FRAMES_KEY) or [])
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


_FRAMES_KEY = "mfer_waveform_tags"


@cache
def _parser_class() -> type:
    """ecgdatakit's MFER parser, noting for each waveform tag (0x1E) its length and the samples
    per channel it was decoded into (``raw_metadata[_FRAMES_KEY]``): the library reads block x
    channels x sequences and leaves out any data beyond that without a word."""
    from ecgdatakit.parsing.parsers.mfer import MFERParser

    class _NotingMferParser(MFERParser):
        def _add_frame(self, wav: bytes) -> None:
            super()._add_frame(wav)
            frame = self._frames[-1]
            self._meta.setdefault(_FRAMES_KEY, []).append({
                "bytes": len(wav),
                "blocks": [int(d.get("blk", 1)) for d in frame["defs"]],
                "sizes": [int(dt.itemsize) for dt in frame["dtypes"]],
                "samples": [len(c) for c in frame["channels"]],
            })

    return _NotingMferParser


def _check_frame_lengths(path: Path, frames: list[dict[str, Any]]) -> None:
    """Refuse waveform data longer than its frame (block length x channels x sequences x sample
    size): the channels are stored one block after another, so a block length that says less
    than the data holds shifts every channel after the first (QA 65: V6 350 ms late on lead I)
    and the extra data is not shown. Data too short is the library's "missing sample" warning."""
    for k, frame in enumerate(frames):
        blocks, sizes, samples = frame["blocks"], frame["sizes"], frame["samples"]
        need = sum(n * s for n, s in zip(samples, sizes, strict=True))
        if frame["bytes"] <= need:
            continue
        seqs = {n // b for n, b in zip(samples, blocks, strict=True) if b}
        where_ja, where_en = (f"フレーム {k + 1} の", f" in frame {k + 1}") if len(frames) > 1 else ("", "")
        if len(set(blocks)) == 1 and len(set(sizes)) == 1 and len(seqs) == 1:
            seq = seqs.pop()
            how_ja = (f"ブロック長 {blocks[0]} × {len(blocks)} チャネル × {seq} シーケンス"
                      f" × {sizes[0]} バイト")
            how_en = (f"block length {blocks[0]} x {len(blocks)} channels x {seq} "
                      f"sequence{'s' if seq != 1 else ''} x {sizes[0]} bytes")
        else:
            how_ja = "チャネルごとのブロック長 × シーケンス数 × サンプルのバイト数の合計"
            how_en = "the sum of block length x sequences x sample size over the channels"
        raise CorruptFileError(
            path,
            expected=Bilingual(f"{where_ja}波形データ {need:,} バイト（{how_ja}）",
                               f"{need:,} bytes of waveform data{where_en} ({how_en})"),
            found=Bilingual(f"{where_ja}波形タグ 0x1E に {frame['bytes']:,} バイト"
                            f"（{frame['bytes'] - need:,} バイト多い）",
                            f"{frame['bytes']:,} bytes in the waveform tag 0x1E{where_en}, "
                            f"{frame['bytes'] - need:,} more"),
            format=LABEL)


register(ReaderSpec(
    name="mfer",
    label=LABEL,
    extensions=(".mwf", ".mfer", ".mfr"),
    read=read_mfer,
    sniff=_sniff,
))
