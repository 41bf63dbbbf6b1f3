"""ECG encoder (ResNet1d-18), projection heads and the contrastive model (imports torch).

Only ``predictor`` and ``training`` import this module, inside functions, so that metadata
modules of ``ecg_viewer.model`` stay torch-free.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ecg_viewer.model.config import ArchConfig


class BasicBlock1d(nn.Module):
    def __init__(self, c_in: int, c_out: int, stride: int, kernel: int) -> None:
        super().__init__()
        pad = kernel // 2
        self.conv1 = nn.Conv1d(c_in, c_out, kernel, stride=stride, padding=pad, bias=False)
        self.bn1 = nn.BatchNorm1d(c_out)
        self.conv2 = nn.Conv1d(c_out, c_out, kernel, padding=pad, bias=False)
        self.bn2 = nn.BatchNorm1d(c_out)
        self.down: nn.Module = nn.Identity()
        if stride != 1 or c_in != c_out:
            self.down = nn.Sequential(
                nn.Conv1d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm1d(c_out)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.down(x))


class ResNet1d(nn.Module):
    """ResNet-18 layout over time: stem conv + max-pool, 4 stages of 2 basic blocks, then
    average- and max-pooling over time concatenated (length-independent)."""

    def __init__(self, cfg: ArchConfig) -> None:
        super().__init__()
        w = cfg.width
        self.stem = nn.Sequential(
            nn.Conv1d(cfg.in_leads, w, cfg.stem_kernel, stride=2, padding=cfg.stem_kernel // 2,
                      bias=False),
            nn.BatchNorm1d(w),
            nn.ReLU(inplace=True),
            nn.MaxPool1d(3, stride=2, padding=1),
        )
        stages, c_in = [], w
        for i, n in enumerate(cfg.blocks):
            c_out = w * 2**i
            for j in range(n):
                stride = 2 if (i > 0 and j == 0) else 1
                stages.append(BasicBlock1d(c_in, c_out, stride, cfg.kernel_size))
                c_in = c_out
        self.stages = nn.Sequential(*stages)
        self.out_dim = 2 * c_in

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.stages(self.stem(x))
        return torch.cat([h.mean(dim=-1), h.amax(dim=-1)], dim=1)


def _mlp(d_in: int, d_hidden: int, d_out: int, dropout: float) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(d_in, d_hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(d_hidden, d_out)
    )


class EcgTextModel(nn.Module):
    """ECG encoder + ECG projection, and on the label side one of:

    - ``head="text"``: frozen text embeddings (given at call time) -> trainable text projection;
    - ``head="learned"``: a trainable embedding per label (ablation: no text at all);
    - ``head="linear"``: a supervised multi-label linear head on the ECG features (baseline).
    ``logit_scale`` is exp of a learnable log inverse temperature, initialised at 1/0.07.
    """

    def __init__(self, cfg: ArchConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.encoder = ResNet1d(cfg)
        d = self.encoder.out_dim
        if cfg.head == "linear":
            self.classifier = nn.Sequential(nn.Dropout(cfg.dropout), nn.Linear(d, cfg.n_labels))
        else:
            self.ecg_proj = _mlp(d, cfg.proj_hidden, cfg.embed_dim, cfg.dropout)
            if cfg.head == "text":
                self.text_proj = _mlp(cfg.text_dim, cfg.proj_hidden, cfg.embed_dim, cfg.text_dropout)
                if cfg.text_standardise:
                    self.register_buffer("text_mean", torch.zeros(cfg.text_dim))
                    self.register_buffer("text_std", torch.ones(cfg.text_dim))
            elif cfg.head == "learned":
                self.label_table = nn.Parameter(torch.randn(cfg.n_labels, cfg.embed_dim) * 0.02)
            else:
                raise ValueError(f"head must be 'text', 'learned' or 'linear', got {cfg.head!r}")
        self.log_scale = nn.Parameter(torch.tensor(math.log(cfg.logit_scale_init)))
        self.logit_bias = nn.Parameter(torch.tensor(float(cfg.logit_bias_init)))

    @property
    def logit_scale(self) -> torch.Tensor:
        return self.log_scale.clamp(max=math.log(100.0)).exp()

    def encode_ecg(self, x: torch.Tensor) -> torch.Tensor:
        """[B, 12, T] mV -> L2-normalised [B, embed_dim] (or raw logits for the linear head)."""
        feats = self.encoder(x)
        if self.cfg.head == "linear":
            return self.classifier(feats)
        return F.normalize(self.ecg_proj(feats), dim=-1)

    def encode_labels(self, text_emb: torch.Tensor | None = None) -> torch.Tensor:
        """Label embeddings in the shared space, L2-normalised [L, embed_dim]."""
        if self.cfg.head == "text":
            if text_emb is None:
                raise ValueError("the text head needs the label text embeddings")
            if self.cfg.text_standardise:
                text_emb = (text_emb - self.text_mean) / self.text_std
            return F.normalize(self.text_proj(text_emb), dim=-1)
        if self.cfg.head == "learned":
            return F.normalize(self.label_table, dim=-1)
        raise ValueError("the linear head has no label embeddings")

    def similarity(self, x: torch.Tensor, text_emb: torch.Tensor | None = None) -> torch.Tensor:
        """Cosine similarity [B, L] (for the linear head: its logits)."""
        z = self.encode_ecg(x)
        if self.cfg.head == "linear":
            return z
        return z @ self.encode_labels(text_emb).T


    def forward(self, x: torch.Tensor, text_emb: torch.Tensor | None = None) -> torch.Tensor:
        """Similarity [B, L] (what DistributedDataParallel wraps)."""
        return self.similarity(x, text_emb)


    def set_text_stats(self, text_all: torch.Tensor) -> None:
        """Per-dimension mean and SD of the catalog's text embeddings (text_standardise)."""
        with torch.no_grad():
            self.text_mean.copy_(text_all.mean(dim=0))
            self.text_std.copy_(text_all.std(dim=0).clamp(min=1e-4))


def build_model(cfg: ArchConfig) -> EcgTextModel:
    return EcgTextModel(cfg)
