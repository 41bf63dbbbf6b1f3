"""The one message table: every text a clinician reads, in Japanese (default) and English.

Keys are grouped by area with a prefix (``read.``, ``ui.``, ``model.`` ...). Look texts up with
:func:`tr`; parameters are filled with ``str.format``. Logs stay English and do not use this table.
"""

from __future__ import annotations

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


def tr(key: str, lang: str | None = None, **params: object) -> str:
    """The text for ``key`` in ``lang`` (default: the current language), parameters filled in."""
    try:
        ja, en = MESSAGES[key]
    except KeyError:
        raise KeyError(f"message key {key!r} is not in the message table") from None
    text = en if (lang or _LANG) == "en" else ja
    return text.format(**params) if params else text
