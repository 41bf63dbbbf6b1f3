"""Qt's own texts (the buttons of standard dialogs, the file dialog, context menus of text fields)
in the window's language: Qt's translation of its base module, ``qtbase_ja.qm``, which PySide6
ships under ``Qt/translations``. Without it, OK/Cancel/Open/Save and the file dialog read English
in Japanese mode. English needs none (Qt's texts are English).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

log = logging.getLogger(__name__)

_installed: list[QTranslator] = []  # the translator in use (kept alive while installed)


def install_qt_translations(lang: str) -> bool:
    """Translate Qt's own texts into ``lang`` ("ja" / "en") from now on; widgets made later
    (dialogs) read it. Returns False when Qt has no translation for ``lang`` (it stays English)."""
    app = QCoreApplication.instance()
    if app is None:
        return False
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    if lang == "en":
        return True
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)
    if not translator.load(f"qtbase_{lang}", folder):
        log.warning("no Qt translation qtbase_%s in %s: Qt's dialogs stay English", lang, folder)
        return False
    app.installTranslator(translator)
    _installed.append(translator)
    return True
