"""Help → About (バージョン情報): the app's version, the model's version and weights sha256, the label
catalog's version, the reminder that the suggestions are not a diagnosis, and the model's limits
for clinicians, in the current language: what it was trained on and its size, its measured
results and weak findings (figures read from the weights' manifest and metrics files when the
dialog opens, never written into the text), and where the model card (details) is. Scrolls
within the screen; not modal."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from ecg_viewer.app.about import MIN_POSITIVES, WEAK_AUROC, ModelFacts, app_version, model_facts
from ecg_viewer.app.analysis_flow import AnalysisFlow
from ecg_viewer.app.analysis_service import analysis_error_text
from ecg_viewer.core.messages import language, list_sep, tr

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
        facts = model_facts(ident.weights_dir if ident is not None else None)
        lines = [
            f"## {_md(tr('ui.app_title'))}",
            "",
            f"- **{_md(tr('ui.about.app_version'))}**: {_md(app_version())}",
            f"- **{_md(tr('ui.about.model_version'))}**: {model_version}",
            f"- **{_md(tr('ui.about.weights_sha256'))}**: {sha}",
            f"- **{_md(tr('ui.about.catalog_version'))}**: {_md(catalog or '—')}",
            "",
            f"### {_md(tr('ui.about.limits_title'))}",
            "",
            f"**{_md(tr('safety.notice'))}**",  # a suggestion, not a diagnosis: the first limit
            "",
        ]
        lines += [f"- {_md(text)}" for text in self.limits(facts)]
        return "\n".join(lines)

    def _label_name(self, label_id: str) -> str | None:
        try:
            label = self.catalog.by_id(label_id)
        except (AttributeError, KeyError):
            return None
        return label.en if language() == "en" else label.ja

    def limits(self, facts: ModelFacts) -> list[str]:
        """The limits, one sentence group a bullet, in the current language; a statement whose
        figures the files do not give is left out."""
        out = []
        if facts.source and facts.n_train and facts.n_labels:
            out.append(tr("ui.about.limit.training", source=facts.source, n_train=facts.n_train,
                          n_labels=facts.n_labels))
        if facts.measured and facts.top1 is not None and facts.top5 is not None:
            out.append(tr("ui.about.limit.measured", n_test=facts.n_test, top1=facts.top1,
                          top5=facts.top5, auroc=facts.macro_auroc,
                          n_auroc=facts.n_auroc_labels or "—"))
        else:
            out.append(tr("ui.about.no_metrics", path=str(facts.card.parent)))
        if facts.n_test and facts.flagged_abnormal is not None and facts.flagged_normal is not None:
            out.append(tr("ui.about.limit.referral", n_test=facts.n_test,
                          abnormal=facts.flagged_abnormal, normal=facts.flagged_normal))
        if facts.n_external and facts.external_top5 is not None and facts.external_auroc is not None:
            out.append(tr("ui.about.limit.external", n_external=facts.n_external,
                          top5=facts.external_top5, auroc=facts.external_auroc))
        names = [n for n in map(self._label_name, facts.weak) if n]
        if names:
            out.append(tr("ui.about.limit.weak", cut=WEAK_AUROC, names=list_sep().join(names)))
        if facts.n_labels and facts.n_auroc_labels is not None:
            out.append(tr("ui.about.limit.unvalidated", n_labels=facts.n_labels,
                          n_unmeasured=facts.n_labels - facts.n_auroc_labels,
                          min_pos=MIN_POSITIVES))
        if facts.min_duration_s:
            out.append(tr("ui.about.limit.input", min_s=facts.min_duration_s))
        out.append(tr("ui.about.limit.card", path=str(facts.card)))
        return out

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
