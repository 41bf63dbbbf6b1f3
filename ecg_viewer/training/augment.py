"""Training-time augmentation of a batch [B, 12, T] in mV (torch): random crops, amplitude
scaling, baseline wander, noise, lead dropout. Evaluation always sees the full 10 s."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class AugmentConfig:
    crop_samples: int = 800  # 8 s of 10 s at 100 Hz
    scale_sd: float = 0.15  # log-normal amplitude factor per record
    lead_scale_sd: float = 0.05  # and per lead
    wander_mv: float = 0.15  # baseline wander amplitude (two sinusoids, 0.05-0.5 Hz)
    noise_mv: float = 0.03  # white noise SD, drawn uniformly up to this
    lead_dropout: float = 0.1  # probability that a lead is zeroed (never all)
    fs_hz: float = 100.0


def augment(x: torch.Tensor, cfg: AugmentConfig, gen: torch.Generator) -> torch.Tensor:
    b, leads, t = x.shape
    dev = x.device
    if cfg.crop_samples and cfg.crop_samples < t:
        starts = torch.randint(0, t - cfg.crop_samples + 1, (b,), generator=gen)
        x = torch.stack([x[i, :, s : s + cfg.crop_samples] for i, s in enumerate(starts.tolist())])
        t = cfg.crop_samples
    r = lambda *shape: torch.rand(*shape, generator=gen).to(dev)  # noqa: E731
    n = lambda *shape: torch.randn(*shape, generator=gen).to(dev)  # noqa: E731
    x = x * torch.exp(n(b, 1, 1) * cfg.scale_sd) * torch.exp(n(b, leads, 1) * cfg.lead_scale_sd)
    if cfg.wander_mv > 0:
        time_s = torch.arange(t, device=dev, dtype=x.dtype) / cfg.fs_hz
        wander = torch.zeros(b, 1, t, device=dev, dtype=x.dtype)
        for _ in range(2):
            f = 0.05 + 0.45 * r(b, 1, 1)
            phase = 2 * math.pi * r(b, 1, 1)
            wander = wander + cfg.wander_mv * r(b, 1, 1) * torch.sin(2 * math.pi * f * time_s + phase)
        x = x + wander * (0.5 + 0.5 * r(b, leads, 1))
    if cfg.noise_mv > 0:
        x = x + n(b, leads, t) * (cfg.noise_mv * r(b, 1, 1))
    if cfg.lead_dropout > 0:
        keep = (r(b, leads, 1) >= cfg.lead_dropout).to(x.dtype)
        keep[keep.sum(dim=1).squeeze(-1) == 0] = 1.0
        x = x * keep
    return x
