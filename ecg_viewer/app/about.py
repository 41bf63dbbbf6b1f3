"""What Help → About says: the app's version, the model the suggestions come from (its version and
the sha256 that names its weight files, as every Prediction and report records them), the label
catalog's version and the facts behind the model's limits (:func:`model_facts`: its training data
and size and its measured results, read from ``manifest.json`` and ``metrics.json`` when asked
for, so the figures are those of the weights on disk). Qt-free; the dialog in
``gui/about_dialog.py`` turns them into a short text for clinicians in the current language and
points to the model card for the details.

The model's identity is taken from the loaded Predictor (:func:`identity_of`, on the model lane,
where the weights were checked against their manifest): the About box names the weights in use,
not merely the ones on disk.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecg_viewer.core.paths import model_weights_dir

log = logging.getLogger(__name__)

MODEL_CARD = "MODEL_CARD.md"
MANIFEST = "manifest.json"
METRICS = "metrics.json"
#: a finding is named as weak when its AUROC on the held-out test ECGs is below this
WEAK_AUROC = 0.80
#: ... and it had at least this many positives there (fewer: not measured at all)
MIN_POSITIVES = 5
#: the held-out test set and the external one, as metrics.json names them
TEST_SET, EXTERNAL_SET = "test", "cinc"


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


@dataclass(frozen=True)
class ModelFacts:
    """The figures a clinician needs to judge the model, as its files state them (None: not
    stated, or the file could not be read). Fractions are 0–1."""

    card: Path  # the model card (details, English)
    source: str | None = None  # the training database ("PTB-XL")
    n_train: int | None = None  # training ECGs
    n_labels: int | None = None  # findings the model scores
    min_duration_s: float | None = None  # the shortest record it accepts
    n_test: int | None = None  # held-out test ECGs (same database, never tuned on)
    top1: float | None = None
    top5: float | None = None
    macro_auroc: float | None = None
    n_auroc_labels: int | None = None  # findings with enough test positives to be measured
    flagged_abnormal: float | None = None  # share of ECGs with a referral finding flagged
    flagged_normal: float | None = None  # share of normal ECGs flagged
    n_external: int | None = None  # ECGs of other databases (never trained or tuned on)
    external_top5: float | None = None
    external_auroc: float | None = None
    weak: tuple[str, ...] = ()  # label ids with a test AUROC below WEAK_AUROC, weakest first

    @property
    def measured(self) -> bool:
        return self.n_test is not None and self.macro_auroc is not None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        log.warning("%s could not be read: %r", path, exc)
        return {}
    return data if isinstance(data, dict) else {}


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if math.isnan(value) else float(value)


def _int(value: Any) -> int | None:
    num = _num(value)
    return None if num is None else int(num)


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def model_facts(weights_dir: Path | None = None) -> ModelFacts:
    """The facts of the model in ``weights_dir`` (the shipped ``model_weights/`` by default),
    read from its manifest and metrics files now."""
    folder = Path(weights_dir or model_weights_dir())
    manifest = _read_json(folder / MANIFEST)
    metrics = _read_json(folder / METRICS)
    # the suggestions the app shows are the fused ones (model + criteria): their figures first,
    # the model's alone only for weights without a fusion (metrics.json "fusion")
    fused = _dig(metrics, "fusion", "by_set") or {}
    test = (_dig(fused, TEST_SET, "fusion") or _dig(metrics, "main", TEST_SET)
            or _dig(manifest, "metrics", TEST_SET) or {})
    external = (_dig(fused, EXTERNAL_SET, "fusion") or _dig(metrics, "main", EXTERNAL_SET)
                or _dig(manifest, "metrics", EXTERNAL_SET) or {})
    # the referral as the app raises it (thresholds, criteria, measurement and combination rules)
    app_referral = next((r.get(TEST_SET) for r in _dig(metrics, "fusion", "referral_app") or ()
                         if isinstance(r, dict) and str(r.get("rule", "")).startswith("shipped")),
                        None) or _dig(test, "referral_flag") or {}
    data = _dig(manifest, "training", "data")
    source = data.split(":", 1)[0].strip() or None if isinstance(data, str) else None
    labels = manifest.get("label_ids")
    per_label = _dig(test, "per_label") or {}
    weak = sorted(
        ((auroc, label) for label, row in per_label.items()
         if isinstance(row, dict) and (auroc := _num(row.get("auroc"))) is not None
         and (_int(row.get("n_pos")) or 0) >= MIN_POSITIVES and auroc < WEAK_AUROC))
    return ModelFacts(
        card=folder / MODEL_CARD,
        source=source,
        n_train=_int(_dig(metrics, "fusion", "choice", "n_train")),
        n_labels=len(labels) if isinstance(labels, list) else None,
        min_duration_s=_num(_dig(manifest, "preprocessing", "min_duration_s")),
        n_test=_int(test.get("n")),
        top1=_num(test.get("top1")),
        top5=_num(test.get("top5")),
        macro_auroc=_num(test.get("macro_auroc")),
        n_auroc_labels=_int(test.get("n_auroc_labels")),
        flagged_abnormal=_num(app_referral.get("true_d_flagged")),
        flagged_normal=_num(app_referral.get("normal_flagged")),
        n_external=_int(external.get("n")),
        external_top5=_num(external.get("top5")),
        external_auroc=_num(external.get("macro_auroc")),
        weak=tuple(label for _, label in weak),
    )


def app_version() -> str:
    from ecg_viewer import __version__

    return str(__version__)
