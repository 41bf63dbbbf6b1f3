"""What Help → About says: the app's version, the model the suggestions come from (its version and
the sha256 that names its weight files, as every Prediction and report records them), the label
catalog's version and the model's limits, read from the model card at the time it is asked for
(Qt-free facts; the dialog in ``gui/about_dialog.py`` shows them).

The model's identity is taken from the loaded Predictor (:func:`identity_of`, on the model lane,
where the weights were checked against their manifest): the About box names the weights in use,
not merely the ones on disk.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecg_viewer.core.paths import model_weights_dir

log = logging.getLogger(__name__)

MODEL_CARD = "MODEL_CARD.md"
LIMITS_HEADING = "## Limits"


@dataclass(frozen=True)
class ModelIdentity:
    """The loaded model: its version (the manifest's ``model_version``), the sha256 that names
    its weight files (``Prediction.model.weights_sha256``), its catalog version and folder."""

    model_version: str | None
    weights_sha256: str | None
    catalog_version: str | None
    weights_dir: Path | None


def identity_of(analyzer: Any) -> ModelIdentity | None:
    """The identity of ``analyzer``'s Predictor; None without one (no model, a stand-in)."""
    predictor = getattr(analyzer, "predictor", None)
    info = getattr(predictor, "info", None)
    if predictor is None or info is None:
        return None
    manifest = getattr(predictor, "manifest", None) or {}
    folder = getattr(predictor, "weights_dir", None)
    return ModelIdentity(
        model_version=str(manifest["model_version"]) if manifest.get("model_version") else None,
        weights_sha256=getattr(info, "weights_sha256", None),
        catalog_version=getattr(info, "catalog_version", None),
        weights_dir=Path(folder) if folder else None,
    )


def card_section(text: str, heading: str = LIMITS_HEADING) -> str | None:
    """The body of the section ``heading`` (a level-2 Markdown heading) of a model card, up to
    the next level-2 heading, as written; None when the card has no such section."""
    lines = text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == heading)
    except StopIteration:
        return None
    body = []
    for line in lines[start + 1:]:
        if line.startswith("## "):
            break
        body.append(line)
    return "\n".join(body).strip() or None


def model_limits(weights_dir: Path | None = None) -> tuple[str | None, Path]:
    """(the "## Limits" section of the model card in ``weights_dir`` — the shipped
    ``model_weights/`` by default — or None when it cannot be read, the card's path)."""
    path = Path(weights_dir or model_weights_dir()) / MODEL_CARD
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("model card %s could not be read: %r", path, exc)
        return None, path
    return card_section(text), path


def app_version() -> str:
    from ecg_viewer import __version__

    return str(__version__)
