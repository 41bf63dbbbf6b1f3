"""Help → About (バージョン情報): the app's version, the model's version and weights sha256, the label
catalog's version, the reminder that the suggestions are not a diagnosis, and the model's limits
as its model card states them (read when the dialog opens; the card is English and is shown as
written, which the Japanese text says). Scrolls within the screen; not modal."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from ecg_viewer.app.about import app_version, model_limits
from ecg_viewer.app.analysis_flow import AnalysisFlow
from ecg_viewer.app.analysis_service import analysis_error_text
from ecg_viewer.core.messages import tr

ABOUT_PX = (720, 640)  # the size it asks for; less on a smaller screen


def _md(text: str) -> str:
    """``text`` as literal Markdown (a version or path never turns into markup)."""
    return "".join(f"\\{c}" if c in "\\`*_[]<>#|" else c for c in text)


class AboutDialog(QDialog):
    """``flow``: the window's analysis flow (the loaded model); ``catalog``: the label catalog
    (None when it could not be read)."""

    def __init__(self, flow: AnalysisFlow, catalog: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.flow = flow
        self.catalog = catalog
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.browser, 1)
        lay.addWidget(self.buttons)
        self.refresh()

    def markdown(self) -> str:
        """The dialog's text (Markdown), in the language of the moment."""
        ident = self.flow.model_identity
        state = self.flow.model_state
        if ident is not None:
            model_version = _md(ident.model_version or "—")
            sha = f"`{ident.weights_sha256}`" if ident.weights_sha256 else "—"
        else:  # not loaded (yet): say why rather than name weights that are not in use
            err = self.flow.model_error
            why = analysis_error_text(err) if state == "failed" and err is not None else \
                tr("analysis.not_loaded") if state == "failed" else tr("analysis.loading")
            model_version = sha = _md(why)
        catalog = getattr(self.catalog, "version", None) or (ident.catalog_version if ident else None)
        limits, card = model_limits(ident.weights_dir if ident is not None else None)
        lines = [
            f"## {_md(tr('ui.app_title'))}",
            "",
            f"- **{_md(tr('ui.about.app_version'))}**: {_md(app_version())}",
            f"- **{_md(tr('ui.about.model_version'))}**: {model_version}",
            f"- **{_md(tr('ui.about.weights_sha256'))}**: {sha}",
            f"- **{_md(tr('ui.about.catalog_version'))}**: {_md(catalog or '—')}",
            "",
            f"**{_md(tr('safety.notice'))}**",
            "",
            f"### {_md(tr('ui.about.limits_title'))}",
            "",
        ]
        if limits is None:
            lines.append(_md(tr("ui.about.no_card", path=str(card))))
        else:
            lines += [f"*{_md(tr('ui.about.limits_source', path=str(card)))}*", "", limits]
        return "\n".join(lines)

    def refresh(self) -> None:
        self.setWindowTitle(tr("ui.about.title"))
        self.browser.setMarkdown(self.markdown())
        avail = (self.screen() or QGuiApplication.primaryScreen()).availableGeometry()
        self.resize(min(ABOUT_PX[0], avail.width() - 40), min(ABOUT_PX[1], avail.height() - 80))

    def show_about(self) -> None:
        self.refresh()
        self.show()
        self.raise_()
        self.activateWindow()
