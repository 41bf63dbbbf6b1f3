"""The one message table: every text a clinician reads, in Japanese (default) and English.

Keys are grouped by area with a prefix (``read.``, ``ui.``, ``model.`` ...). Look texts up with
:func:`tr`; parameters are filled with ``str.format``. Logs stay English and do not use this table.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from ecg_viewer.core.printable import printable_path

_LANG = "ja"
SUPPORTED_LANGUAGES = ("ja", "en")

# key -> (Japanese, English)
MESSAGES: dict[str, tuple[str, str]] = {}  # filled from core/msg/ (one module an area)


def _merge_areas() -> None:
    from ecg_viewer.core.msg import AREA_TABLES

    for area, table in AREA_TABLES:
        twice = sorted(MESSAGES.keys() & table.keys())
        if twice:
            raise RuntimeError(f"message keys of area {area!r} already defined: {twice}")
        MESSAGES.update(table)


_merge_areas()


def set_language(lang: str) -> None:
    """Switch the language of :func:`tr` (``"ja"`` or ``"en"``)."""
    global _LANG
    if lang not in SUPPORTED_LANGUAGES:
        raise ValueError(f"language must be one of {SUPPORTED_LANGUAGES}, got {lang!r}")
    _LANG = lang


def language() -> str:
    return _LANG


def paren(text: str, lang: str | None = None) -> str:
    """``text`` as a parenthetical note to what precedes it, as ``lang`` (default: the current
    language) writes one: full-width （…） right after it in Japanese, " (…)" in English."""
    return f"（{text}）" if (lang or _LANG) == "ja" else f" ({text})"


def word_space(lang: str | None = None) -> str:
    """The space between two items on one line: full-width in Japanese, a plain one in English."""
    return "\u3000" if (lang or _LANG) == "ja" else " "


def text_columns(text: str) -> int:
    """Terminal columns of ``text``: a full-width character (Japanese) takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def list_sep(lang: str | None = None) -> str:
    """The separator of a run-in list of items in ``lang`` (default: the current language):
    「、」 in Japanese, "; " in English."""
    return "、" if (lang or _LANG) == "ja" else "; "


def sentences(texts: Iterable[str], lang: str | None = None) -> str:
    """Whole sentences one after another in ``lang``: 「…V4。QRS の振幅が…」 / "… V4. The QRS …"
    (QA 48: joined as a list, 「…V4、QRS の振幅が…」 read as if QRS were another lead)."""
    ja = (lang or _LANG) == "ja"
    end, gap = ("。", "") if ja else (".", " ")
    out = [t.strip() for t in texts if t and t.strip()]
    return gap.join(t if i == len(out) - 1 or t.endswith(("。", ".")) else t + end
                    for i, t in enumerate(out))


def unit_label(unit: str, lang: str | None = None) -> str:
    """A measurement unit as ``lang`` (default: the current language) writes it: the heart
    rate 「/分」 in Japanese, "bpm" in English (either code, "bpm" or "/min"), as the header,
    the banner and the report do (QA 70: "HR 64 bpm" over "heart rate 64/min" on one English
    sheet); every other unit as it is."""
    if unit in ("bpm", "/min"):
        return "/分" if (lang or _LANG) == "ja" else "bpm"
    return unit


def value_with_unit(value: float | None, unit: str, lang: str | None = None,
                    signed: bool = False) -> str:
    """A whole-number value and its unit ("72 /分", "+12 ms", "-45°"); "—" for None."""
    if value is None:
        return "—"
    text = f"{value:+.0f}" if signed else f"{value:.0f}"
    return f"{text}{'' if unit == '°' else ' '}{unit_label(unit, lang)}"


def tr(key: str, lang: str | None = None, **params: object) -> str:
    """The text for ``key`` in ``lang`` (default: the current language), parameters filled in.

    A parameter that is :class:`Localized` (a :class:`Bilingual` name, a :class:`Reason`, an
    ``EcgError``) is rendered in the same language first. A file name whose bytes are not UTF-8
    (Shift_JIS from a Windows ZIP) is shown as :func:`printable_path` gives it (田中.mwf), in any
    parameter (QA 51: 「\\udc93c\\udc92\\udc86.mwf」 in reader errors, 「c.mwf を開きました」)."""
    try:
        ja, en = MESSAGES[key]
    except KeyError:
        raise KeyError(f"message key {key!r} is not in the message table") from None
    lang = lang or _LANG
    text = en if lang == "en" else ja
    if not params:
        return text
    return text.format(**{k: _shown(v, lang) for k, v in params.items()})


def _shown(value: object, lang: str) -> object:
    if isinstance(value, Localized):
        value = value.text(lang)
    return printable_path(value) if isinstance(value, str | PurePath) else value


class Localized:
    """Something a person reads that is rendered when shown, in the language of that moment."""

    def text(self, lang: str | None = None) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class Bilingual(Localized):
    """A name given in both languages outside the table (a catalog label, a referral level)."""

    ja: str
    en: str

    def text(self, lang: str | None = None) -> str:
        return self.en if (lang or _LANG) == "en" else self.ja


@dataclass(frozen=True)
class Reason(Localized):
    """A message-table key with its parameters, rendered in the language of the moment it is shown
    (a referral reason, a quality problem). Parameters may themselves be :class:`Localized`."""

    key: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, key: str, **params: Any) -> Reason:
        reason = cls(key, tuple(sorted(params.items())))
        reason.text("ja"), reason.text("en")  # an unknown key or a missing parameter fails here
        return reason

    def text(self, lang: str | None = None) -> str:
        return tr(self.key, lang, **dict(self.params))

    def to_dict(self) -> dict[str, Any]:
        """JSON form: the key and its parameters (a localized one as {"ja": ..., "en": ...})."""
        return {"key": self.key,
                "params": {k: {"ja": v.text("ja"), "en": v.text("en")}
                           if isinstance(v, Localized) else v for k, v in self.params}}
