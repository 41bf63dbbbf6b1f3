"""Help → About, "Limits of the model" (QA qa23 #1): a short text for clinicians in the language
of the window, with its figures read from the weights' manifest.json / metrics.json when the
dialog opens, and a pointer to the model card for the details.

Before: the card's English "## Limits" section was shown as written in both languages (English
sentences in Japanese mode, Japanese label names in English mode, developer commands such as
``python -m ecg_viewer.training.fusion fit`` and stale figures)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from ecg_viewer.app.about import MODEL_CARD, ModelIdentity, model_facts
from ecg_viewer.core.messages import set_language, tr
from ecg_viewer.labels.catalog import catalog_or_none

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")
REPO = Path(__file__).resolve().parents[1]
WEIGHTS = REPO / "model_weights"
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff5e]")
ENGLISH_RUN = re.compile(r"[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}")  # three English words in a row


class _Flow:
    """The window's analysis flow as the dialog reads it: a loaded model in ``folder``."""

    model_state = "ready"
    model_error = None

    def __init__(self, folder: Path) -> None:
        self.model_identity = ModelIdentity("2099.01.01-test", "ab" * 32, "cat-test", folder)


@pytest.fixture
def weights(tmp_path: Path) -> Path:
    """A copy of the shipped manifest, metrics and card with figures no text could hard-code."""
    folder = tmp_path / "weights"
    folder.mkdir()
    for name in ("manifest.json", "metrics.json", MODEL_CARD):
        shutil.copy(WEIGHTS / name, folder / name)
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    # the shipped suggestions are the fused ones: their figures, not the model's alone
    test = metrics["fusion"]["by_set"]["test"]["fusion"]
    test.update(n=321, top1=0.4321, top5=0.8765, macro_auroc=0.6789)
    shipped = next(r for r in metrics["fusion"]["referral_app"] if r["rule"].startswith("shipped"))
    shipped["test"].update(true_d_flagged=0.111, normal_flagged=0.222)
    metrics["fusion"]["by_set"]["cinc"]["fusion"].update(n=77, top5=0.333, macro_auroc=0.555)
    test["per_label"]["crbbb"]["auroc"] = 0.41  # now the weakest finding
    metrics["fusion"]["choice"]["n_train"] = 1234
    metrics["main"]["test"].update(n=999, top1=0.999)  # the model alone: not what is shown
    (folder / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    return folder


def _dialog(qtbot, folder: Path, lang: str):
    from ecg_viewer.gui.about_dialog import AboutDialog
    from ecg_viewer.gui.launch import ensure_app

    ensure_app()
    set_language(lang)
    dlg = AboutDialog(_Flow(folder), catalog_or_none())
    qtbot.addWidget(dlg)
    return dlg


def _limits_text(dlg) -> str:
    text = " ".join(dlg.browser.toPlainText().split())
    return text.split(tr("ui.about.limits_title"), 1)[1]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_limits_are_for_clinicians_in_the_window_language(qtbot, weights, lang) -> None:
    dlg = _dialog(qtbot, weights, lang)
    limits = _limits_text(dlg)
    card = str(weights / MODEL_CARD)
    assert card in limits  # where the details are
    assert " ".join(tr("safety.notice").split()) in limits  # a suggestion, not a diagnosis
    # the figures of the files, not of the text
    for figure in ("1,234", "321", "43%", "88%", "0.68", "11%", "22%", "77", "33%", "0.56"):
        assert figure in limits, (figure, limits)
    crbbb = catalog_or_none().by_id("crbbb")
    assert (crbbb.en if lang == "en" else crbbb.ja) in limits  # a weak finding, by its name
    # nothing for developers
    for dev in ("python -m", "FEATURE_NAMES", "criteria_rules.json", "fold", "refit"):
        assert dev not in limits
    without_path = limits.replace(card, "")
    if lang == "en":
        assert not CJK.search(dlg.markdown()), CJK.findall(dlg.markdown())
    else:
        assert not ENGLISH_RUN.search(without_path), ENGLISH_RUN.findall(without_path)
        assert "モデルの限界" in dlg.browser.toPlainText()


def test_facts_follow_the_files(weights) -> None:
    facts = model_facts(weights)
    assert (facts.n_train, facts.n_test, facts.top1, facts.n_external) == (1234, 321, 0.4321, 77)
    assert facts.weak[0] == "crbbb" and facts.source == "PTB-XL"
    shipped = model_facts(WEIGHTS)
    fused = json.loads((WEIGHTS / "metrics.json").read_text())["fusion"]["by_set"]["test"]["fusion"]
    assert (shipped.n_test, shipped.macro_auroc) == (fused["n"], fused["macro_auroc"])


def test_unreadable_metrics_say_so(qtbot, tmp_path) -> None:
    (tmp_path / MODEL_CARD).write_text("# card\n", encoding="utf-8")
    dlg = _dialog(qtbot, tmp_path, "en")
    limits = _limits_text(dlg)
    assert tr("ui.about.no_metrics", path=str(tmp_path)) in limits
    assert str(tmp_path / MODEL_CARD) in limits and "%" not in limits
