"""A probability's logit and back, as the fusion, the derived labels and the fit's referral
comparison read them (numpy only)."""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The probability of a logit (clipped at +-40: no overflow warning)."""
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def logit(p: np.ndarray | float, eps: float = 1e-9) -> np.ndarray:
    """The logit of a probability kept within [eps, 1 - eps] (0 and 1 have none)."""
    q = np.clip(np.asarray(p, dtype=np.float64), eps, 1.0 - eps)
    return np.log(q / (1.0 - q))
