"""The one place an :class:`~ecg_viewer.pipeline.analyze.Analyzer` is built.

``make_analyzer(device, weights, load_model)`` is used by the window, the worklist and every
command. The Predictor (torch, the weights) is loaded once per process for each (device, weights
folder) and shared: inference does not change it, so every window and the worklist use one copy.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from ecg_viewer.pipeline.analyze import Analyzer

_LOCK = threading.Lock()
_PREDICTORS: dict[tuple[str, str], Any] = {}


def weights_folder(weights: str | Path | None) -> Path:
    """The weights folder meant by ``weights`` (None: the shipped ``model_weights/``)."""
    if weights:
        return Path(weights).expanduser().resolve()
    from ecg_viewer.model import predictor as predictor_module  # torch-free at import

    return Path(predictor_module.model_weights_dir()).resolve()


def shared_predictor(device: str = "auto", weights: str | Path | None = None) -> Any:
    """The process's Predictor for ``device`` and ``weights`` (the shipped model when None),
    loaded on first use. Raises what the Predictor raises (missing or altered weights ...)."""
    folder = weights_folder(weights)
    key = (device or "auto", str(folder))
    with _LOCK:
        predictor = _PREDICTORS.get(key)
        if predictor is None:
            from ecg_viewer.model.predictor import Predictor

            predictor = Predictor(weights_dir=folder, device=device or "auto")
            _PREDICTORS[key] = predictor
        return predictor


def make_analyzer(device: str = "auto", weights: str | Path | None = None,
                  load_model: bool = True) -> Analyzer:
    """The pipeline. With ``load_model`` the model (``weights``, default the shipped
    ``model_weights/``) runs on ``device`` ("auto": CUDA when available, else CPU) and is loaded
    here, so a missing or altered model raises now; without it the analysis is quality,
    measurements, criteria and measurement-based referral only."""
    if not load_model:
        return Analyzer(load_model=False)
    return Analyzer(shared_predictor(device, weights))


def forget_predictors() -> None:
    """Drop the cached Predictors (tests that swap weights folders)."""
    with _LOCK:
        _PREDICTORS.clear()
