"""SCP-ECG (EN 1064 / ISO 11073-91064; ``.scp``), read with ``ecgdatakit``'s SCP-ECG parser
(Huffman and second-difference decoding, reference-beat subtraction, Section 1 demographics,
Section 7 global measurements, Section 8/11 statements).

SCP-ECG has no magic string: a file is recognised by its structure (record size, then Section 0
whose first pointer describes Section 0 itself at byte 7). Files that do not conform (e.g. the
healforce vendor files) raise :class:`CorruptFileError`; a section whose CRC does not match its
bytes does too, so an altered waveform is never shown.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from ecg_viewer.core.errors import CorruptFileError
from ecg_viewer.core.messages import Bilingual
from ecg_viewer.io.builder import RawEcg
from ecg_viewer.io.ecgdatakit_adapter import parse_with, to_raw
from ecg_viewer.io.registry import ReaderSpec, register
from ecg_viewer.io.validate import check_library_file_size

LABEL = "SCP-ECG (.scp)"
_SECTION_HEADER = 16


def _structure_ok(head: bytes) -> bool:
    if len(head) < 32:
        return False
    record_size, = struct.unpack_from("<I", head, 2)
    sec0_id, sec0_len = struct.unpack_from("<HI", head, 8)
    if sec0_id != 0 or sec0_len < _SECTION_HEADER + 10 or (sec0_len - _SECTION_HEADER) % 10:
        return False
    if record_size < 6 + sec0_len:
        return False
    first_id, = struct.unpack_from("<H", head, 22)
    first_index, = struct.unpack_from("<I", head, 28)
    return first_id == 0 and first_index == 7


def _sniff(head: bytes, path: Path) -> bool:
    return _structure_ok(head)


def read_scp(path: Path, options: dict[str, Any]) -> RawEcg:
    from ecgdatakit.parsing.parsers.scp_ecg import SCPECGParser
    check_library_file_size(path, format=LABEL)

    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(64)
    if len(head) < 32:
        raise CorruptFileError(path, expected=Bilingual("32 バイト以上のレコード",
                                                        "an SCP-ECG record (at least 32 bytes)"),
                               found=Bilingual(f"{size} バイト", f"{size} bytes"), format=LABEL)
    record_size, = struct.unpack_from("<I", head, 2)
    if record_size != size:
        raise CorruptFileError(
            path,
            expected=Bilingual(f"{record_size} バイトのレコード（サイズフィールドの値）",
                               f"a record of {record_size} bytes (size field)"),
            found=Bilingual(f"ファイルの実サイズ {size} バイト", f"{size} bytes in the file"),
            format=LABEL)
    if not _structure_ok(head):
        raise CorruptFileError(
            path,
            expected=Bilingual("7 バイト目からのセクション 0（ポインタ表）",
                               "SCP-ECG Section 0 (pointer table) at byte 7"),
            found=Bilingual(f"バイト列 {head[6:32].hex()}", f"bytes {head[6:32].hex()}"),
            format=LABEL)
    record, messages = parse_with(SCPECGParser, path, LABEL)
    extra: dict[str, Any] = {}
    version = getattr(record.file_format, "version", "")
    if version:
        extra["scp_version"] = str(version)
    return to_raw(record, path, LABEL, messages=messages, extra=extra)


register(ReaderSpec(
    name="scp",
    label=LABEL,
    extensions=(".scp",),
    read=read_scp,
    sniff=_sniff,
))
