"""Contrastive losses for records that carry several labels (imports torch).

With label texts as the "captions", many ECGs in a batch share a label (most have 洞調律), so
plain CLIP InfoNCE -- one caption per ECG, the diagonal as the only positive -- treats a second
ECG with the same label as a negative. The losses here contrast ECGs against the label set:

- :func:`multi_positive_infonce` (default): symmetric InfoNCE over the [B, L] similarity of the
  batch's ECGs and the label embeddings. ECG -> text: softmax over labels, the target spread
  uniformly over the record's labels. Text -> ECG: for every label present in the batch, softmax
  over the B ECGs, the target spread uniformly over the ECGs that carry it. No pair that shares
  a label is ever a negative.
- :func:`sigmoid_pair_loss`: SigLIP-style independent binary terms for every (ECG, label) pair,
  with the learnable temperature and a learnable bias.
- :func:`naive_clip_loss`: the plain CLIP loss with one sampled label per ECG, kept only as the
  comparison that shows the false-negative problem.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def _soft_ce(logits: torch.Tensor, targets: torch.Tensor, dim: int) -> torch.Tensor:
    """Cross-entropy against a target distribution proportional to ``targets`` along ``dim``;
    rows (dim=1) / columns (dim=0) without any positive are left out. Mean over the rest."""
    counts = targets.sum(dim=dim, keepdim=True)
    keep = counts.squeeze(dim) > 0
    if not bool(keep.any()):
        return logits.sum() * 0.0
    p = targets / counts.clamp(min=1.0)
    per = -(p * F.log_softmax(logits, dim=dim)).sum(dim=dim)
    return per[keep].mean()


def multi_positive_infonce(
    sim: torch.Tensor, targets: torch.Tensor, logit_scale: torch.Tensor
) -> torch.Tensor:
    """sim [B, L] cosine similarities, targets [B, L] in {0, 1}; mean of both directions."""
    logits = sim * logit_scale
    t = targets.to(logits.dtype)
    return 0.5 * (_soft_ce(logits, t, dim=1) + _soft_ce(logits, t, dim=0))


def sigmoid_pair_loss(
    sim: torch.Tensor, targets: torch.Tensor, logit_scale: torch.Tensor, logit_bias: torch.Tensor
) -> torch.Tensor:
    """Binary cross-entropy on scale * sim + bias for every (ECG, label) pair, summed over
    labels and averaged over the batch (as SigLIP)."""
    logits = sim * logit_scale + logit_bias
    bce = F.binary_cross_entropy_with_logits(logits, targets.to(logits.dtype), reduction="none")
    return bce.sum(dim=1).mean()


def naive_clip_loss(
    sim: torch.Tensor, targets: torch.Tensor, logit_scale: torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Plain CLIP: each ECG is paired with ONE of its labels (drawn at random), the B x B
    matrix's diagonal is the only positive. ECGs without a label are dropped."""
    has = targets.sum(dim=1) > 0
    sim, targets = sim[has], targets[has]
    if sim.shape[0] == 0:
        return sim.sum() * 0.0
    weights = targets.to(torch.float32) + 1e-12
    chosen = torch.multinomial(weights, 1, generator=generator).squeeze(1)  # [B']
    logits = sim[:, chosen] * logit_scale  # ECG i vs the caption of ECG j
    idx = torch.arange(logits.shape[0], device=logits.device)
    return 0.5 * (F.cross_entropy(logits, idx) + F.cross_entropy(logits.T, idx))


def supervised_bce(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Multi-label baseline: BCE per label, mean."""
    return F.binary_cross_entropy_with_logits(logits, targets.to(logits.dtype))


LOSSES = ("multipos", "sigmoid", "naive")


def contrastive_loss(
    name: str, sim: torch.Tensor, targets: torch.Tensor, logit_scale: torch.Tensor,
    logit_bias: torch.Tensor,
) -> torch.Tensor:
    if name == "multipos":
        return multi_positive_infonce(sim, targets, logit_scale)
    if name == "sigmoid":
        return sigmoid_pair_loss(sim, targets, logit_scale, logit_bias)
    if name == "naive":
        return naive_clip_loss(sim, targets, logit_scale)
    raise ValueError(f"loss must be one of {LOSSES}, got {name!r}")
