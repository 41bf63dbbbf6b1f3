"""Help → About (バージョン情報), in both languages (QA 2026-12): the app's version, the loaded
model's version and weights sha256 (the one every Prediction records), the label catalog's
version, the reminder that these are suggestions, not a diagnosis, and the model's limits for
clinicians in the window's language with the model card's path. Within the screen, the text
scrolling."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from ecg_viewer import __version__
from ecg_viewer.core.messages import tr

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")
REPO = Path(__file__).resolve().parents[1]
CARD = REPO / "model_weights" / "MODEL_CARD.md"
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def _plain(md: str) -> str:
    return " ".join(md.replace("*", "").replace("`", "").split())


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_about_from_the_help_menu(make_window, qtbot, bundled_samples, lang) -> None:
    w = make_window((1366, 740), use_stored_language=False)
    w.set_language(lang)
    with qtbot.waitSignal(w.flow.analysed, timeout=180000) as blocker:
        w.controller.open_file(str(bundled_samples / "00017_hr.hea"))
    prediction = blocker.args[0].prediction
    qtbot.waitUntil(lambda: w.flow.model_state == "ready", timeout=60000)
    help_menu = w.actions_.menu_of("ui.menu.help")
    about = [a for a in help_menu.actions() if a.text() == tr("ui.action.about")]
    assert about, [a.text() for a in help_menu.actions()]
    about[0].trigger()
    dlg = w.about_dialog
    qtbot.waitExposed(dlg)
    assert dlg.windowTitle() == tr("ui.about.title")
    text = _plain(dlg.browser.toPlainText())
    manifest = json.loads((REPO / "model_weights" / "manifest.json").read_text(encoding="utf-8"))
    assert __version__ in text
    assert manifest["model_version"] in text
    assert prediction.model.weights_sha256 in text  # the weights the suggestions came from
    assert w.catalog.version in text
    assert _plain(tr("safety.notice")) in text
    # the limits for clinicians in the window's language, pointing to the card (since 2026-12-06;
    # the card's own English section had been shown as written: tests/test_gui_qa_lang_about.py)
    assert str(CARD) in text and "## Measured results" not in dlg.markdown()
    assert tr("ui.about.limits_title") in text
    if lang == "en":
        assert not CJK.search(dlg.markdown()), CJK.findall(dlg.markdown())
    screen = QApplication.primaryScreen().availableGeometry()
    assert dlg.frameGeometry().height() <= screen.height() and dlg.width() <= screen.width()
    dlg.close()


def test_about_before_the_model_has_loaded_says_so(qtbot) -> None:
    """No weights named before they are loaded and checked: the model lines say it is loading
    (asked for before the event loop has turned, so before the model lane has started)."""
    from ecg_viewer.gui.launch import ensure_app
    from ecg_viewer.gui.main_window import MainWindow

    ensure_app()
    w = MainWindow(use_stored_language=False)
    qtbot.addWidget(w)
    assert w.flow.model_identity is None
    w.show_about()
    text = w.about_dialog.browser.toPlainText()
    assert tr("analysis.loading") in text and __version__ in text
    assert tr("ui.about.limits_title") in text
    w.about_dialog.close()
    w.shutdown()
