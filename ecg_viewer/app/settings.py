"""What the viewer remembers between runs, in QSettings: page settings, screen scale, language,
recent files, window geometry and splitter layout.

Tests point QSettings at a temporary folder (tests/conftest.py); nothing here chooses the path.

The file is the user's to edit, and another version of the viewer may have written it, so every
getter takes whatever is stored (a wrong JSON type, a wrong field type, an unknown key, a number
out of the range the window offers) without raising: it keeps what is valid field by field and
falls back to the default for the rest, with a warning in the log that names the file and the key
(QA 72: ``[page] settings="[1, 2, 3]"`` or ``[files] recent=5`` stopped the app at every start).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from ecg_viewer.core.leads import CANONICAL_LEADS
from ecg_viewer.signal.filters import (
    HIGHPASS_CHOICES_HZ,
    LOWPASS_CHOICES_HZ,
    NOTCH_CHOICES_HZ,
    FilterSettings,
)
from ecg_viewer.signal.page import GAINS_MM_MV, LAYOUTS, SPEEDS_MM_S, PageSettings

log = logging.getLogger(__name__)

ORGANIZATION = "ecg-viewer"
APPLICATION = "ecg-viewer"
MAX_RECENT = 10
# the screen scales the scale dialog offers (gui/scale_dialog.py sets its spin box to this)
PX_PER_MM_RANGE: tuple[float, float] = (1.0, 40.0)
# seconds across the page: the window keeps 10 s; a stored value outside this range is dropped
WINDOW_S_RANGE: tuple[float, float] = (1.0, 60.0)
_FILTER_CHOICES: tuple[tuple[str, tuple[float, ...]], ...] = (
    ("highpass_hz", HIGHPASS_CHOICES_HZ), ("notch_hz", NOTCH_CHOICES_HZ),
    ("lowpass_hz", LOWPASS_CHOICES_HZ),
)
_FILTER_OFF = (None, "", "None", "none", "off")
# page fields a stored line may hold and this version does not restore: where a record starts is
# chosen when it opens; the row pitch is the report's own
_PAGE_NOT_RESTORED = frozenset({"start_s", "row_pitch_mm"})


def _settings() -> QSettings:
    return QSettings(ORGANIZATION, APPLICATION)


def _number(v: object) -> float | None:
    """``v`` as a finite float; None for anything else (a bool, a list, NaN, "fast" ...)."""
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        return None
    try:
        f = float(v)
    except (ValueError, OverflowError):
        return None
    return f if math.isfinite(f) else None


def _choice(v: object, choices: tuple[float, ...]) -> float | None:
    """The one of ``choices`` that ``v`` stands for, None when it is none of them."""
    f = _number(v)
    return next((c for c in choices if c == f), None)


def _in_range(v: object, bounds: tuple[float, float]) -> float | None:
    f = _number(v)
    return f if f is not None and bounds[0] <= f <= bounds[1] else None


def _one_of(choices: tuple[str, ...]) -> Callable[[object], str | None]:
    return lambda v: v if isinstance(v, str) and v in choices else None


# each stored page field: what makes it valid (None: not valid, the default is kept)
_PAGE_FIELDS: dict[str, Callable[[object], Any]] = {
    "layout": _one_of(LAYOUTS),
    "speed_mm_s": lambda v: _choice(v, SPEEDS_MM_S),
    "gain_limb_mm_mv": lambda v: _choice(v, GAINS_MM_MV),
    "gain_chest_mm_mv": lambda v: _choice(v, GAINS_MM_MV),
    "window_s": lambda v: _in_range(v, WINDOW_S_RANGE),
    "single_lead": _one_of(CANONICAL_LEADS),
    "rhythm_lead": _one_of(CANONICAL_LEADS),
}


def _short(v: object, limit: int = 120) -> str:
    r = repr(v)
    return r if len(r) <= limit else r[:limit] + "…"


class AppSettings:
    """Typed access to the stored settings."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self.q = qsettings or _settings()

    # --- reading -----------------------------------------------------------------------------
    def _warn(self, key: str, value: object, why: str, default: object) -> None:
        log.warning("settings file %s: ignoring [%s] = %s (%s); using %s instead",
                    self.q.fileName(), key, _short(value), why, default)

    def _value(self, key: str) -> object:
        """The stored value of ``key``, None when there is none or Qt cannot read it."""
        try:
            return self.q.value(key, None)
        except Exception as e:  # a value Qt stored in a form this build cannot convert
            self._warn(key, e, "unreadable value", None)
            return None

    def _json(self, key: str, default: object) -> object:
        """The JSON stored under ``key``; ``default`` when none is stored or it is not JSON."""
        raw = self._value(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return default
        if not isinstance(raw, str):
            self._warn(key, raw, "not a JSON text", default)
            return default
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):
            self._warn(key, raw, "not valid JSON", default)
            return default

    def _text(self, key: str, allowed: tuple[str, ...] | None = None) -> str | None:
        """The string stored under ``key`` (one of ``allowed`` when given), None otherwise."""
        v = self._value(key)
        if v is None:
            return None
        if not isinstance(v, str) or (allowed is not None and v not in allowed):
            self._warn(key, v, f"expected one of {allowed}" if allowed else "not a text", None)
            return None
        return v

    def _bytes(self, key: str) -> QByteArray | None:
        v = self._value(key)
        if v is None or isinstance(v, QByteArray):
            return v
        self._warn(key, v, "not a byte array", None)
        return None

    # --- page --------------------------------------------------------------------------------
    def page_settings(self) -> PageSettings:
        """The stored page settings, field by field: a field missing, of the wrong type or
        outside what the window offers keeps its default; unknown fields (a newer version's)
        are left out."""
        key = "page/settings"
        d = self._json(key, {})
        if not isinstance(d, dict):
            self._warn(key, d, "not a JSON object", "the default page settings")
            return PageSettings()
        defaults = PageSettings()
        kept: dict[str, Any] = {}
        for name, value in d.items():
            if name == "filters":
                kept["filters"] = self._filters(key, value)
            elif name in _PAGE_FIELDS:
                ok = _PAGE_FIELDS[name](value)
                if ok is None:
                    self._warn(f"{key} {name}", value, "not a value the window offers",
                               getattr(defaults, name))
                else:
                    kept[name] = ok
            elif name not in _PAGE_NOT_RESTORED:
                log.info("settings file %s: [%s] field %r is not known to this version, ignored",
                         self.q.fileName(), key, name)
        try:
            return PageSettings(**kept)
        except (ValueError, TypeError) as e:  # not expected: every field was checked
            self._warn(key, d, str(e), "the default page settings")
            return PageSettings()

    def _filters(self, key: str, d: object) -> FilterSettings:
        if not isinstance(d, dict):
            self._warn(f"{key} filters", d, "not a JSON object", "no filters")
            return FilterSettings()
        kept: dict[str, float | None] = {}
        for name, choices in _FILTER_CHOICES:
            v = d.get(name)
            if v in _FILTER_OFF:
                continue
            kept[name] = _choice(v, choices)
            if kept[name] is None:
                self._warn(f"{key} filters.{name}", v, f"expected one of {choices} or null",
                           None)
        return FilterSettings(**kept)

    def set_page_settings(self, s: PageSettings) -> None:
        d = {
            "layout": s.layout, "speed_mm_s": s.speed_mm_s, "gain_limb_mm_mv": s.gain_limb_mm_mv,
            "gain_chest_mm_mv": s.gain_chest_mm_mv, "filters": s.filters.to_dict(),
            "window_s": s.window_s, "single_lead": s.single_lead, "rhythm_lead": s.rhythm_lead,
        }  # fmt: skip
        self.q.setValue("page/settings", json.dumps(d))

    # --- screen scale --------------------------------------------------------------------------
    def px_per_mm(self) -> float | None:
        """The measured screen scale; None (the screen's own) when none is stored or it is not
        one the scale dialog offers."""
        key = "screen/px_per_mm"
        v = self._value(key)
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        ppm = _in_range(v, PX_PER_MM_RANGE)
        if ppm is None:
            self._warn(key, v, f"expected a number from {PX_PER_MM_RANGE[0]:g} to "
                               f"{PX_PER_MM_RANGE[1]:g}", "the screen's own scale")
        return ppm

    def set_px_per_mm(self, v: float | None) -> None:
        if v is None:
            self.q.remove("screen/px_per_mm")
        else:
            self.q.setValue("screen/px_per_mm", float(v))

    # --- language ------------------------------------------------------------------------------
    def language(self) -> str | None:
        return self._text("ui/language", ("ja", "en"))

    def set_language(self, lang: str) -> None:
        self.q.setValue("ui/language", lang)

    # --- recent files -------------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        key = "files/recent"
        raw = self._value(key)
        # a hand-written "a, b" comes back from QSettings as its own list of strings
        items = raw if isinstance(raw, list) else self._json(key, [])
        if not isinstance(items, list):
            self._warn(key, items, "not a JSON list", [])
            return []
        paths = [x for x in items if isinstance(x, str) and x.strip()]
        if len(paths) != len(items):
            self._warn(key, [x for x in items if x not in paths], "not file paths", "the rest")
        return list(dict.fromkeys(paths))[:MAX_RECENT]

    def add_recent_file(self, path: str) -> list[str]:
        items = [path] + [p for p in self.recent_files() if p != path]
        self.q.setValue("files/recent", json.dumps(items[:MAX_RECENT]))
        return items[:MAX_RECENT]

    def remove_recent_file(self, path: str) -> list[str]:
        """The list without ``path`` (a file no longer there), stored."""
        items = [p for p in self.recent_files() if p != path]
        self.q.setValue("files/recent", json.dumps(items))
        return items

    def clear_recent_files(self) -> None:
        self.q.remove("files/recent")

    def last_dir(self) -> str:
        return self._text("files/last_dir") or ""

    def set_last_dir(self, d: str) -> None:
        self.q.setValue("files/last_dir", d)

    # --- window ----------------------------------------------------------------------------------
    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    def set_geometry(self, g: QByteArray) -> None:
        self.q.setValue("window/geometry", g)

    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    def set_window_state(self, s: QByteArray) -> None:
        self.q.setValue("window/state", s)

    def splitter(self) -> QByteArray | None:
        return self._bytes("window/splitter")

    def set_splitter(self, s: QByteArray) -> None:
        self.q.setValue("window/splitter", s)

    def screen_class(self) -> str | None:
        """The screen class ("large" | "medium" | "small") the window layout was stored on."""
        return self._text("window/screen_class", ("large", "medium", "small"))

    def set_screen_class(self, cls: str) -> None:
        self.q.setValue("window/screen_class", cls)

    def sync(self) -> None:
        self.q.sync()
