"""The character set of an ECG XML file (HL7 aECG, Philips, GE MUSE), for ``xml_common``.

- :func:`decoded_source`: the bytes expat is to parse; a file declared in a multi-byte Japanese
  encoding is transcoded here (expat reads only UTF-8, UTF-16 and single-byte encodings).
- :func:`check_decodes`: where a file does not parse, whether a character does not decode in
  its declared (or the default UTF-8) encoding: named, with its byte offset and element.
"""

from __future__ import annotations

import codecs
import logging
import re
from pathlib import Path

from ecg_viewer.core.errors import CorruptFileError, UnsupportedFormatError
from ecg_viewer.core.messages import Bilingual

log = logging.getLogger(__name__)

_DECLARED_ENCODING = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<\?xml\s[^>]*?encoding\s*=\s*"
                                rb"[\"']([A-Za-z0-9._:-]+)[\"']")
#: encodings expat reads itself; any other is decoded here (expat refuses multi-byte ones)
_EXPAT_NATIVE = {"utf_8", "utf_16", "utf_16_le", "utf_16_be", "latin_1", "iso8859_1", "ascii"}
#: a declared Japanese encoding -> the Python codec that reads what such files hold: Windows
#: writes CP932 (NEC/IBM extensions: 髙, 﨑, ①) under the name Shift_JIS
_ALIASES = {"windows-31j": "cp932", "cswindows31j": "cp932", "x-sjis": "cp932", "x-euc-jp": "euc_jp"}
_JA_CODECS = {"shift_jis": "cp932", "cp932": "cp932", "euc_jp": "euc_jp",
              "iso2022_jp": "iso2022_jp"}  # fmt: skip


def decoded_source(path: Path, raw: bytes, label: str) -> tuple[bytes, str | None, str]:
    """(the bytes to parse, the declared encoding when they were transcoded, else None, the
    encoding the text was read in).

    expat reads UTF-8, UTF-16 and single-byte encodings only; a file declared in a multi-byte
    encoding (``Shift_JIS``, ``EUC-JP``, ``ISO-2022-JP``: Japanese carts and PACS write them) is
    decoded here with the declared codec and handed on as UTF-8 with its declaration changed to
    match. The parse that follows is the same defused parse (no entities, no DTD tricks).
    Bytes under a Japanese declaration that are strict multi-byte UTF-8 are read as UTF-8 (an
    export template's declaration kept: CP932 would read them as other, plausible kanji)."""
    m = _DECLARED_ENCODING.match(raw[:1024])
    if not m:
        return raw, None, "UTF-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "UTF-8"
    declared = m.group(1).decode("ascii")
    try:
        codec = codecs.lookup(_ALIASES.get(declared.lower(), declared)).name.replace("-", "_")
    except LookupError as exc:
        raise UnsupportedFormatError(
            path, expected=Bilingual("UTF-8・UTF-16・Shift_JIS・EUC-JP などの文字コードの XML",
                                     "XML in UTF-8, UTF-16, Shift_JIS, EUC-JP or another known "
                                     "encoding"),
            found=Bilingual(f"未知の文字コード encoding=\"{declared}\"",
                            f"unknown encoding=\"{declared}\"")) from exc
    if codec in _EXPAT_NATIVE:
        return raw, None, declared
    codec = _JA_CODECS.get(codec, codec)
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    read_as = declared
    if codec in ("cp932", "euc_jp") and not body.isascii() and _strict_utf8(body):
        log.warning("%s: declared %s, but the bytes are UTF-8: read as UTF-8", path.name, declared)
        codec, read_as = "utf-8", "UTF-8"
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        raise CorruptFileError(
            path, expected=Bilingual(f"宣言どおり {declared} で書かれた {label} ファイル",
                                     f"a {label} file written in its declared {declared}"),
            found=Bilingual(f"{exc.start} バイト目が {declared} として読めない文字",
                            f"bytes not valid {declared} at offset {exc.start}"),
            format=label) from exc
    start, end = m.span(1)
    start -= len(raw) - len(body)
    end -= len(raw) - len(body)
    # the declaration is ASCII in every supported encoding, so offsets carry over to the text
    text = text[:start] + "UTF-8" + text[end:] if text[start:end] == declared else text
    log.info("%s: XML declared %s, read as %s", path.name, declared, codec)
    return text.encode("utf-8"), declared, read_as


def _strict_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def check_decodes(path: Path, raw: bytes, encoding: str, label: str, exc: Exception) -> None:
    """A damaged file naming the encoding, the byte and its element, where ``raw`` does not
    decode in the declared (or default UTF-8) encoding: a Shift_JIS name in a file without a
    declaration had been "an XML syntax error", as if the waveform were damaged."""
    try:
        raw.decode(codecs.lookup(encoding).name)
        return
    except LookupError:
        return
    except UnicodeDecodeError as err:
        pos = err.start
    opened = re.findall(rb"<([A-Za-z_][\w.:-]*)[^<>/]*>[^<>]*$", raw[max(0, pos - 512):pos])
    where = f" <{opened[-1].decode('ascii', 'replace')}>" if opened else ""
    line = raw[:pos].count(b"\n") + 1
    declared = _DECLARED_ENCODING.match(raw[:1024]) is not None
    raise CorruptFileError(
        path, expected=Bilingual(
            f"宣言どおり {encoding} で書かれた {label} ファイル" if declared else
            f"UTF-8（文字コードの宣言がない XML の既定）で書かれた {label} ファイル",
            f"a {label} file written in its declared {encoding}" if declared else
            f"a {label} file in UTF-8 (the default of XML without an encoding declaration)"),
        found=Bilingual(f"{pos} バイト目（{line} 行目{where}）の文字が {encoding} として読めません"
                        "（文字コードの誤り。Shift_JIS の氏名などの可能性）",
                        f"a character not valid {encoding} at byte offset {pos} (line {line}"
                        f"{where}): a character-set error, e.g. a Shift_JIS name"),
        format=label) from exc
