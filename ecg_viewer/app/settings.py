"""What the viewer remembers between runs, in QSettings: page settings, screen scale, language,
recent files, window geometry and splitter layout.

Tests point QSettings at a temporary folder (tests/conftest.py); nothing here chooses the path.
"""

from __future__ import annotations

import json
import logging

from PySide6.QtCore import QByteArray, QSettings

from ecg_viewer.signal.filters import FilterSettings
from ecg_viewer.signal.page import PageSettings

log = logging.getLogger(__name__)

ORGANIZATION = "ecg-viewer"
APPLICATION = "ecg-viewer"
MAX_RECENT = 10


def _settings() -> QSettings:
    return QSettings(ORGANIZATION, APPLICATION)


class AppSettings:
    """Typed access to the stored settings."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self.q = qsettings or _settings()

    # --- page --------------------------------------------------------------------------------
    def page_settings(self) -> PageSettings:
        raw = self.q.value("page/settings", "")
        if not raw:
            return PageSettings(filters=FilterSettings())
        try:
            d = json.loads(str(raw))
            d["filters"] = FilterSettings.from_dict(d.get("filters", {}))
            d.pop("start_s", None)  # a new record starts at its beginning
            return PageSettings(**d)
        except (ValueError, TypeError, KeyError):
            log.warning("ignoring unreadable stored page settings: %r", raw)
            return PageSettings()

    def set_page_settings(self, s: PageSettings) -> None:
        d = {
            "layout": s.layout, "speed_mm_s": s.speed_mm_s, "gain_limb_mm_mv": s.gain_limb_mm_mv,
            "gain_chest_mm_mv": s.gain_chest_mm_mv, "filters": s.filters.to_dict(),
            "window_s": s.window_s, "single_lead": s.single_lead, "rhythm_lead": s.rhythm_lead,
        }  # fmt: skip
        self.q.setValue("page/settings", json.dumps(d))

    # --- screen scale --------------------------------------------------------------------------
    def px_per_mm(self) -> float | None:
        v = self.q.value("screen/px_per_mm", None)
        try:
            return float(v) if v not in (None, "") else None
        except (TypeError, ValueError):
            log.warning("ignoring unreadable stored screen scale: %r", v)
            return None

    def set_px_per_mm(self, v: float | None) -> None:
        if v is None:
            self.q.remove("screen/px_per_mm")
        else:
            self.q.setValue("screen/px_per_mm", float(v))

    # --- language ------------------------------------------------------------------------------
    def language(self) -> str | None:
        v = self.q.value("ui/language", None)
        return str(v) if v in ("ja", "en") else None

    def set_language(self, lang: str) -> None:
        self.q.setValue("ui/language", lang)

    # --- recent files -------------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        raw = self.q.value("files/recent", "")
        try:
            items = json.loads(str(raw)) if raw else []
        except ValueError:
            log.warning("ignoring unreadable stored recent files: %r", raw)
            items = []
        return [str(x) for x in items][:MAX_RECENT]

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
        return str(self.q.value("files/last_dir", "") or "")

    def set_last_dir(self, d: str) -> None:
        self.q.setValue("files/last_dir", d)

    # --- window ----------------------------------------------------------------------------------
    def geometry(self) -> QByteArray | None:
        v = self.q.value("window/geometry", None)
        return v if isinstance(v, QByteArray) else None

    def set_geometry(self, g: QByteArray) -> None:
        self.q.setValue("window/geometry", g)

    def window_state(self) -> QByteArray | None:
        v = self.q.value("window/state", None)
        return v if isinstance(v, QByteArray) else None

    def set_window_state(self, s: QByteArray) -> None:
        self.q.setValue("window/state", s)

    def splitter(self) -> QByteArray | None:
        v = self.q.value("window/splitter", None)
        return v if isinstance(v, QByteArray) else None

    def set_splitter(self, s: QByteArray) -> None:
        self.q.setValue("window/splitter", s)

    def screen_class(self) -> str | None:
        """The screen class ("large" | "medium" | "small") the window layout was stored on."""
        v = self.q.value("window/screen_class", None)
        return str(v) if v in ("large", "medium", "small") else None

    def set_screen_class(self, cls: str) -> None:
        self.q.setValue("window/screen_class", cls)

    def sync(self) -> None:
        self.q.sync()
