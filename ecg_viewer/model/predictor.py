"""Predictor: the shipped ECG-text model applied to EcgRecords (torch imported on construction).

    p = Predictor()                 # model_weights/ of the installation, CPU or CUDA
    pred = p.predict(record)        # every catalog label: similarity, calibrated score, threshold
    p.similarity(record, "心房細動")  # a free-text query: similarity and rank among the labels

Files are checked against the sha256 in ``manifest.json`` and loaded strictly from safetensors.
Records that cannot be brought to the model's input raise :class:`ModelInputError`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ecg_viewer import __version__
from ecg_viewer.core.paths import model_weights_dir
from ecg_viewer.core.prediction import LabelScore, ModelInfo, Prediction
from ecg_viewer.core.record import EcgRecord
from ecg_viewer.model.config import ArchConfig
from ecg_viewer.model.errors import ModelInputError, TextEncoderError, WeightsError
from ecg_viewer.model.labelspace import catalog_version, label_ids, load_catalog
from ecg_viewer.model.preprocess import INPUT_NORMS, record_to_input
from ecg_viewer.model.weights import read_manifest, verify_files

log = logging.getLogger(__name__)

#: the smallest batch the encoder is run on (smaller ones are padded; see ``similarities``)
MIN_BATCH = 8


@dataclass(frozen=True)
class QueryScore:
    text: str
    similarity: float  # cosine, averaged over the ensemble
    rank: int  # 1 = first; catalog labels: place in predict()'s order, free text: by similarity
    n_labels: int
    matched_label: str | None  # catalog id when the text is a label name / synonym
    via: str  # "catalog" or "text_encoder"
    # the text encoder is the one the model was trained with (the manifest's hash); another
    # one gives similarities that cannot be relied on, and the window says so
    encoder_matches: bool = True
    encoder_id: str = ""


class Predictor:
    def __init__(self, weights_dir: str | Path | None = None, device: str = "auto",
                 catalog: Any = None, text_model: str | Path | None = None) -> None:
        import torch
        from safetensors.torch import load_file

        from ecg_viewer.model.networks import build_model

        self.weights_dir = Path(weights_dir) if weights_dir else model_weights_dir()
        self.manifest = read_manifest(self.weights_dir)
        self.weights_sha256 = verify_files(self.weights_dir, self.manifest)
        self.device = self._pick_device(device)
        self.catalog = catalog or load_catalog()
        self.labels = tuple(self.catalog.labels)
        ids = label_ids(self.catalog)
        if ids != list(self.manifest["label_ids"]):
            raise WeightsError("model.catalog_mismatch", catalog_version=catalog_version(self.catalog),
                               weights_version=self.manifest.get("catalog_version", "?"))
        self.arch = ArchConfig.from_dict(self.manifest["architecture"])
        # the encoder's input normalisation (weights before 2026.12 have none: mV)
        self.input_norm = str(self.manifest.get("preprocessing", {}).get("input_norm", "mv"))
        if self.input_norm not in INPUT_NORMS:
            raise WeightsError("model.weights_mismatch", detail=f"input normalisation {self.input_norm!r}")
        if self.arch.head != "text":
            raise WeightsError("model.weights_mismatch", detail=f"head {self.arch.head!r} is not shippable")
        self.members = []
        for name in self.manifest["members"]:
            # built on the meta device (shapes only: no random initialisation to overwrite);
            # the loaded tensors become its parameters and buffers, every one of them (strict)
            with torch.device("meta"):
                model = build_model(self.arch)
            state = _float_state(self.weights_dir / name)
            try:
                model.load_state_dict(state, strict=True, assign=True)
            except RuntimeError as exc:
                raise WeightsError("model.weights_mismatch", detail=f"{name}: {exc}") from exc
            self.members.append(model.eval().to(self.device))
        emb = load_file(str(self.weights_dir / self.manifest["label_embeddings"]))["text_emb"]
        self.text_emb = emb.float().to(self.device)
        with torch.inference_mode():
            self.label_mats = [m.encode_labels(self.text_emb) for m in self.members]
        cal = json.loads((self.weights_dir / self.manifest["calibration"]).read_text(encoding="utf-8"))
        self.cal_a = np.array([cal[i]["a"] for i in ids], dtype=np.float64)
        self.cal_b = np.array([cal[i]["b"] for i in ids], dtype=np.float64)
        self.thresholds = np.array([cal[i]["threshold"] for i in ids], dtype=np.float64)
        self._text_model = text_model
        self._text_encoder: Any = None
        self.text_encoder_matches = True
        self.info = ModelInfo(app_version=__version__, weights_sha256=self.weights_sha256,
                              catalog_version=catalog_version(self.catalog), device=str(self.device))

    @staticmethod
    def use_threads(n: int) -> None:
        """CPU threads for inference in this process (torch's setting is per process): the batch
        engine uses one, its worker processes keep the other cores busy."""
        import torch

        torch.set_num_threads(max(1, int(n)))

    @staticmethod
    def _pick_device(device: str) -> Any:
        import torch

        if device == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        dev = torch.device(device)
        if dev.type == "cuda" and not torch.cuda.is_available():
            log.warning("CUDA requested but not available; using the CPU")
            return torch.device("cpu")
        return dev

    # --- scoring arrays ---------------------------------------------------------------------
    def _ecg_embeddings(self, x: np.ndarray) -> list[Any]:
        import torch

        xt = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)).to(self.device)
        with torch.inference_mode():
            return [m.encode_ecg(xt) for m in self.members]

    def similarities(self, x: np.ndarray, batch_size: int = 128) -> np.ndarray:
        """Model inputs [N, 12, T] (see preprocess) -> cosine similarities [N, n_labels].

        Every chunk is padded with zero inputs to at least :data:`MIN_BATCH` ECGs: the CPU
        convolutions (oneDNN) take another kernel for a batch of 1-3 than for a larger one, and
        the results differ in the last bits (~2e-7), so one ECG alone (the window, ``analyze``)
        and the same ECG in a batch (``batch``) would not get the very same scores."""
        out = []
        batch_size = max(batch_size, MIN_BATCH)
        for i in range(0, len(x), batch_size):
            chunk = x[i : i + batch_size]
            n = len(chunk)
            zs = self._ecg_embeddings(_padded(chunk))
            sims = sum(z @ lm.T for z, lm in zip(zs, self.label_mats, strict=True)) / len(zs)
            out.append(sims.float().cpu().numpy()[:n])
        return np.concatenate(out) if out else np.zeros((0, len(self.labels)), np.float32)

    def calibrate(self, sim: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.cal_a * sim + self.cal_b)))

    def _prediction(self, sim: np.ndarray) -> Prediction:
        score = self.calibrate(sim)
        order = np.lexsort((-sim, -score))  # calibrated score first, similarity breaks ties
        return Prediction(
            labels=tuple(
                LabelScore(id=self.labels[j].id, ja=self.labels[j].ja, en=self.labels[j].en,
                           similarity=float(sim[j]), score=float(score[j]),
                           threshold=float(self.thresholds[j]), category=self.labels[j].category)
                for j in order
            ),
            model=self.info,
        )

    # --- records ------------------------------------------------------------------------------
    def predict(self, record: EcgRecord) -> Prediction:
        """Every catalog label, best first: by calibrated score (similarities of different labels
        are not on one scale; labels never seen in training would crowd the top of a raw
        similarity ranking), ties by similarity. Raises ModelInputError."""
        return self._prediction(self.similarities(self.model_input(record)[None])[0])

    def predict_batch(self, records: Sequence[EcgRecord], batch_size: int = 64) -> list[Prediction]:
        """Predictions in the order given; raises ModelInputError naming the first bad record."""
        xs = []
        for rec in records:
            try:
                xs.append(self.model_input(rec))
            except ModelInputError as exc:
                exc.record = rec.source_path  # type: ignore[attr-defined]
                raise
        return self.predict_inputs(xs, batch_size=batch_size)

    def model_input(self, record: EcgRecord) -> np.ndarray:
        """The record as this model's input [12, 1000] (numpy only; raises ModelInputError)."""
        return record_to_input(record, self.input_norm)

    def predict_inputs(self, xs: Sequence[np.ndarray], batch_size: int = 64) -> list[Prediction]:
        """Predictions for model inputs made by :meth:`model_input` (or ``preprocess.
        record_to_input`` with :attr:`input_norm` in another process), in one batched pass; the
        same, input for input, as :meth:`predict` one at a time."""
        if not len(xs):
            return []
        sims = self.similarities(np.stack(xs), batch_size=batch_size)
        return [self._prediction(s) for s in sims]

    # --- free text ----------------------------------------------------------------------------
    def text_encoder(self) -> Any:
        """The text encoder of free-text queries: the one given, else the folder
        ``ECG_VIEWER_TEXT_MODEL`` names, else the bundled e5. ``text_encoder_matches`` tells
        whether it is the one the model was trained with (the manifest's weights hash)."""
        if self._text_encoder is None:
            from ecg_viewer.model.text_encoder import TextEncoder, chosen_text_model

            enc = TextEncoder(self._text_model or chosen_text_model(), device=str(self.device))
            if enc.dim != self.arch.text_dim:
                raise TextEncoderError("model.text_encoder_dim", found=enc.dim,
                                       expected=self.arch.text_dim)
            trained = (self.manifest.get("text_encoder") or {}).get("text_model_sha256")
            self.text_encoder_matches = enc.is_trained_encoder(trained)
            self._text_encoder = enc
        return self._text_encoder

    def similarity(self, record: EcgRecord, text: str) -> QueryScore:
        """How well ``text`` describes this ECG: a catalog label name / synonym / abbreviation is
        looked up first (bare abbreviations defeat every encoder); other text goes through the
        text encoder. ``rank``: for a catalog label its place in :meth:`predict`'s order; for
        free text (no calibration) the place its similarity would take among the labels'."""
        import torch

        query = (text or "").strip()
        if not query:
            raise ModelInputError("model.empty_query")
        x = record_to_input(record, self.input_norm)[None]
        sims = self.similarities(x)[0]
        match = self.catalog.match_synonym(query)
        if match is not None:
            pred = self._prediction(sims)
            rank = 1 + [ls.id for ls in pred.labels].index(match.id)
            j = [lab.id for lab in self.labels].index(match.id)
            return QueryScore(text=query, similarity=float(sims[j]), rank=rank,
                              n_labels=len(self.labels), matched_label=match.id, via="catalog")
        emb = torch.from_numpy(self.text_encoder().encode([query])).to(self.device)
        zs = [z[:1] for z in self._ecg_embeddings(_padded(x))]
        with torch.inference_mode():
            s = float(sum((z @ m.encode_labels(emb).T)[0, 0] for z, m
                          in zip(zs, self.members, strict=True)) / len(zs))
        rank = 1 + int((sims > s + 1e-7).sum())
        return QueryScore(text=query, similarity=s, rank=rank, n_labels=len(self.labels),
                          matched_label=None, via="text_encoder",
                          encoder_matches=self.text_encoder_matches,
                          encoder_id=self.text_encoder().model_id)


def _float_state(path: Path) -> dict[str, Any]:
    """The tensors of a safetensors file, floating ones as float32 (the model's dtype), integer
    ones (batch-norm counters) as stored. Converted by numpy (fp16 -> fp32 is exact: the same
    values torch's ``.float()`` gives, about ten times faster on the CPU); a dtype numpy lacks
    (bfloat16) goes through torch."""
    import torch

    try:
        from safetensors.numpy import load_file as load_numpy

        arrays = load_numpy(str(path))
    except (TypeError, ValueError, KeyError):
        from safetensors.torch import load_file

        return {k: v.float() if v.is_floating_point() else v
                for k, v in load_file(str(path)).items()}
    return {k: torch.from_numpy(v.astype(np.float32) if v.dtype.kind == "f" else v)
            for k, v in arrays.items()}


def _padded(x: np.ndarray) -> np.ndarray:
    """float32 ``x`` with zero inputs added up to :data:`MIN_BATCH` rows."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    if len(x) >= MIN_BATCH:
        return x
    return np.concatenate([x, np.zeros((MIN_BATCH - len(x), *x.shape[1:]), dtype=np.float32)])
