"""Torch-free facts about the model: input preprocessing and architecture defaults.

Importing this module (and ``ecg_viewer.model.preprocess`` / ``ecg_viewer.model.weights``) does
not load torch, so the window and the metadata commands start fast.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ecg_viewer.core.leads import CANONICAL_LEADS

# The training data (PTB-XL subset) is 100 Hz x 10 s. Everything the model sees is brought to this:
# files of other rates are resampled, longer records are cut to the central window, shorter ones
# refused below MIN_DURATION_S (they are padded with zeros above it).
MODEL_FS_HZ: float = 100.0
WINDOW_S: float = 10.0
WINDOW_SAMPLES: int = int(MODEL_FS_HZ * WINDOW_S)
MIN_DURATION_S: float = 5.0
MODEL_LEADS: tuple[str, ...] = CANONICAL_LEADS
TEXT_PREFIX: str = "query: "


@dataclass(frozen=True)
class ArchConfig:
    """ResNet1d-18 ECG encoder + projection heads; everything the shipped weights need to load."""

    in_leads: int = 12
    width: int = 32  # channels of the first stage; stages have width x (1, 2, 4, 8)
    blocks: tuple[int, ...] = (2, 2, 2, 2)  # ResNet-18 layout (2 basic blocks per stage)
    kernel_size: int = 5
    stem_kernel: int = 15
    text_dim: int = 384  # multilingual-e5-small
    embed_dim: int = 128  # shared ECG-text space
    proj_hidden: int = 256
    dropout: float = 0.1
    # standardise the frozen text embeddings (per dimension, with the catalog's mean and SD,
    # stored in the weights) before the projection: e5 puts all labels within cosine 0.8-0.98
    text_standardise: bool = False
    text_dropout: float = 0.1
    head: str = "text"  # "text" (frozen text + projection), "learned" (label table), "linear"
    n_labels: int = 0  # for "learned" and "linear" heads
    logit_scale_init: float = 1.0 / 0.07  # temperature 0.07
    logit_bias_init: float = -10.0  # sigmoid loss only

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["blocks"] = list(self.blocks)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ArchConfig:
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        if "blocks" in known:
            known["blocks"] = tuple(known["blocks"])
        return cls(**known)


@dataclass(frozen=True)
class Preprocessing:
    fs_hz: float = MODEL_FS_HZ
    window_s: float = WINDOW_S
    leads: tuple[str, ...] = MODEL_LEADS
    min_duration_s: float = MIN_DURATION_S
    units: str = "mV"
    normalisation: str = "per-record median removed per lead; no amplitude scaling"
    input_norm: str = "mv"  # "mv" or "zscore" (see model/preprocess.py)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["leads"] = list(self.leads)
        return d
