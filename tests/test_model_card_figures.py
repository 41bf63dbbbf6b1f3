"""The model card's figures come from the shipped weights: `ecg-viewer evaluate --weights
model_weights` run again on this machine gives the top-1, top-5 and macro AUROC that
metrics.json (and so MODEL_CARD.md's "Measured results" table) states for every set: PTB-XL
folds 9 and 10 (all, mV, z-scored) and the 134 CinC records. A change to the preprocessing, the
readers or the label texts that moves them fails here, not first in a user's hands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch")

from ecg_viewer.core.paths import model_weights_dir

pytestmark = pytest.mark.skipif(not (model_weights_dir() / "manifest.json").is_file(),
                                reason="no shipped weights in model_weights/")


@pytest.mark.shared_data
def test_evaluate_reproduces_the_model_cards_figures(shared_data: Path, tmp_path: Path,
                                                     capsys) -> None:
    from ecg_viewer.cli import main

    out = tmp_path / "eval.json"
    assert main(["evaluate", "--weights", str(model_weights_dir()), "--json", str(out)]) == 0
    capsys.readouterr()
    now = json.loads(out.read_text(encoding="utf-8"))["main"]
    card = json.loads((model_weights_dir() / "metrics.json").read_text(encoding="utf-8"))["main"]
    assert set(card) <= set(now), (sorted(card), sorted(now))
    for name, want in card.items():
        got = now[name]
        assert got["n"] == want["n"], (name, got["n"], want["n"])
        for key in ("top1", "top5"):  # one record's worth of float noise at most
            assert abs(got[key] - want[key]) <= 1.0 / want["n"] + 1e-9, (name, key, got[key])
        assert abs(got["macro_auroc"] - want["macro_auroc"]) <= 0.002, (name, got["macro_auroc"])
        assert got["n_auroc_labels"] == want["n_auroc_labels"], name


def test_the_card_is_what_the_shipped_metrics_give(tmp_path) -> None:
    """The model card is rendered from metrics.json and its prose head; the per-label tables
    describe the shipped fp16 weights as the headline does (QA 41: two cells had come from the
    fp32 checkpoints)."""
    import json as _json

    from ecg_viewer.core.paths import model_weights_dir
    from ecg_viewer.labels.catalog import load_catalog
    from ecg_viewer.training.model_card import write_model_card

    wdir = model_weights_dir()
    metrics = _json.loads((wdir / "metrics.json").read_text(encoding="utf-8"))
    manifest = _json.loads((wdir / "manifest.json").read_text(encoding="utf-8"))
    head = Path(__file__).resolve().parents[1] / "ecg_viewer" / "training" / "model_card_head.md"
    out = tmp_path / "MODEL_CARD.md"
    write_model_card(out, metrics, manifest, load_catalog(), head.read_text(encoding="utf-8"))
    assert out.read_text(encoding="utf-8") == (wdir / "MODEL_CARD.md").read_text(encoding="utf-8")
    card = out.read_text(encoding="utf-8")
    assert "| imi | 下壁心筋梗塞 | 31 | 0.846 |" in card
