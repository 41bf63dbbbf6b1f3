"""Patient text (names, institutions) written in a Japanese character set, decoded again.

``ecgdatakit`` decodes text fields with the declared codec, then UTF-8, and silently falls back
to Latin-1 (one character per byte). A Shift_JIS name without a character-set tag (MFER, EDF,
DICOM without SpecificCharacterSet), one tagged "JIS X 0208" (the library's ``iso2022_jp``), or
one with a CP932-only character (髙, 﨑) under a "Shift_JIS" tag (the library's strict
``shift_jis``) therefore came out as Latin-1 mojibake (「\\x8eR\\x93c」 for 山田).

:func:`redecode` takes what the library gave. Text with a character beyond U+00FF was decoded by
a real multi-byte codec (the declared one or UTF-8) and is kept; pure ASCII is kept. Otherwise
the bytes are recovered exactly (Latin-1 is one byte a character) and decoded in this order:

1. the declared character set, where it names a Japanese one, as CP932 (a superset of
   Shift_JIS: NEC and IBM extensions such as 髙 and 﨑); a declared single-byte set (ISO 8859)
   keeps the library's text when that is plausible;
2. CP932 (what Japanese carts write);
3. UTF-8 has already failed in the library, so is not tried again;
4. Latin-1, only when the result is plausible Latin text (letters, no control characters).

A decoding is *plausible* only if it yields no control, private-use or replacement characters,
its non-ASCII characters are Japanese (kana, kanji, full-width forms, half-width kana) for CP932
or letters for Latin-1, and, for CP932, no Latin letter touches a Japanese character ("Gérard"
read as CP932 gives "G" + a kanji + "ard"). When no decoding is plausible the text is
unreadable: the caller shows it as such, never as mojibake.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

#: declared character sets (lower case, any punctuation) that mean Japanese bytes
_JAPANESE = re.compile(r"shift[_ -]?jis|sjis|cp932|ms932|windows-31j|jis ?x ?020[18]|"
                       r"iso[ _-]?ir[ _-]?(13|87|159)|iso[ _-]?2022|euc", re.IGNORECASE)
_LATIN = re.compile(r"latin|8859|iso[ _-]?ir[ _-]?1(00|01|09|10|26|27|38|44|48|66)\b|"
                    r"cp125|windows-125", re.IGNORECASE)
_EUC = re.compile(r"euc", re.IGNORECASE)

#: a Latin letter directly beside a Japanese character: a sign of a wrong multi-byte reading
_MIXED = re.compile(r"[A-Za-z][^\x00-\x7f]|[^\x00-\x7f][A-Za-z]")


def _japanese_char(ch: str) -> bool:
    o = ord(ch)
    return (0x3000 <= o <= 0x30FF  # CJK punctuation, hiragana, katakana
            or 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF  # kanji
            or 0xF900 <= o <= 0xFAFF  # CJK compatibility ideographs (﨑 U+FA11)
            or 0xFF01 <= o <= 0xFF9F  # full-width forms, half-width katakana
            or 0x2160 <= o <= 0x217F  # Roman numerals (CP932 row 13)
            or ch in "・ー〜々〆")  # fmt: skip


def _no_controls(text: str) -> bool:
    return not any(unicodedata.category(ch) in ("Cc", "Co", "Cs", "Cn") or ch == "\ufffd"
                   for ch in text)


def plausible_japanese(text: str) -> bool:
    """CP932 text that reads as a Japanese name: Japanese characters, ASCII, no Latin letter
    touching a Japanese character, no control or private-use character."""
    if not _no_controls(text):
        return False
    if not all(ch.isascii() or _japanese_char(ch) for ch in text):
        return False
    return not _MIXED.search(text)


def plausible_latin(text: str) -> bool:
    """Latin-1 text whose non-ASCII characters are all letters (no C1 controls, no symbols)."""
    if not _no_controls(text):
        return False
    return all(ch.isascii() or unicodedata.category(ch).startswith("L") for ch in text)


def declared_codec(charset: str | None) -> str | None:
    """``"cp932"``, ``"euc_jp"``, ``"latin-1"`` or None for a declared character-set name."""
    name = (charset or "").strip()
    if not name:
        return None
    if _EUC.search(name):
        return "euc_jp"
    if _JAPANESE.search(name):
        return "cp932"
    if _LATIN.search(name):
        return "latin-1"
    return None


def redecode(text: str | None, charset: str | None = None) -> tuple[str | None, bool]:
    """(the text decoded again, readable?) for a field the library decoded (see the module).

    Returns ``(text, True)`` unchanged when it needs no repair, ``(decoded, True)`` when a
    plausible decoding was found, ``(None, False)`` when none was (unreadable)."""
    if text is None or text.isascii() or any(ord(ch) > 0xFF for ch in text):
        return text, True
    raw = text.encode("latin-1")  # exactly the bytes of the file
    declared = declared_codec(charset)
    if declared == "latin-1" and plausible_latin(text):
        return text, True
    codecs = [c for c in (declared, "cp932") if c and c != "latin-1"]
    for codec in dict.fromkeys(codecs):
        try:
            decoded = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        if plausible_japanese(decoded):
            return decoded, True
    if plausible_latin(text):
        return text, True
    return None, False


def field_decoder(encoding: str | None) -> tuple[Callable[[Any, str], str | None], list[str]]:
    """For XML text: (``text(value, field)``, the fields found unreadable, filled as it runs).

    Text an XML parser read under a single-byte declaration (GE MUSE writes ISO-8859-1) may hold
    CP932 bytes: it is decoded again as :func:`redecode` does for the binary formats. Text read
    as UTF-8/UTF-16 or from a declared Japanese encoding is what the file says and is kept."""
    unreadable: list[str] = []
    single_byte = encoding is not None and declared_codec(encoding) == "latin-1"

    def text(value: Any, field: str) -> str | None:
        value = str(value or "").strip() or None
        if value is None or not single_byte:
            return value
        fixed, ok = redecode(value, encoding)
        if not ok:
            unreadable.append(field)
        return fixed

    return text, unreadable
