"""The bundled Japanese font (IPAexGothic), registered once with Qt and used for all text."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase

from ecg_viewer.core.paths import font_path

log = logging.getLogger(__name__)

FALLBACK_FAMILY = "IPAexGothic"
_family: str | None = None


def load_app_font() -> str:
    """Register resources/fonts/ipaexg.ttf (once) and return its family name."""
    global _family
    if _family is None:
        fid = QFontDatabase.addApplicationFont(str(font_path()))
        families = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
        if not families:
            log.error("could not load the bundled font %s; Japanese text may not show", font_path())
            _family = FALLBACK_FAMILY
        else:
            _family = families[0]
    return _family


def app_font(point_size: float = 10.0, bold: bool = False) -> QFont:
    f = QFont(load_app_font())
    f.setPointSizeF(point_size)
    f.setBold(bold)
    return f
