"""Loss cases: labels shared inside a batch, rows without labels, the temperature."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

from ecg_viewer.model.config import ArchConfig  # noqa: E402
from ecg_viewer.model.networks import build_model  # noqa: E402
from ecg_viewer.training.loss import (  # noqa: E402
    multi_positive_infonce,
    naive_clip_loss,
    sigmoid_pair_loss,
)


def _grad(loss_fn, sim, *args):
    sim = sim.clone().requires_grad_(True)
    loss_fn(sim, *args).backward()
    return sim.grad


def test_shared_label_is_never_a_negative_in_multi_positive_infonce():
    # ECG 0 and ECG 1 both carry label 0 only; ECG 2 carries label 1. Similarities equal.
    targets = torch.tensor([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    sim = torch.full((3, 3), 0.2)
    scale = torch.tensor(1 / 0.07)
    g = _grad(multi_positive_infonce, sim, targets, scale)
    # Raising the similarity of ECG 1 to its (shared) label lowers the loss ...
    assert g[1, 0] < 0 and g[0, 0] < 0
    # ... and both sharers are treated alike (no false negative between them).
    assert torch.isclose(g[0, 0], g[1, 0])
    # The plain CLIP loss cannot reach its optimum when two ECGs share a caption: even a perfect
    # embedding (each ECG identical to its label, scale 100) keeps a loss of 2/3 log 2, because the
    # duplicate caption is a false negative. The multi-positive loss reaches its minimum there,
    # the entropy of its targets (log 2 / 4 here: one label shared by two ECGs).
    perfect = torch.tensor([[1.0, -1.0, -1.0], [1.0, -1.0, -1.0], [-1.0, 1.0, -1.0]])
    gen = torch.Generator().manual_seed(0)
    naive = naive_clip_loss(perfect, targets, torch.tensor(100.0), generator=gen)
    assert float(naive) == pytest.approx(2 / 3 * math.log(2), rel=1e-3)
    multi = multi_positive_infonce(perfect, targets, torch.tensor(100.0))
    assert float(multi) == pytest.approx(math.log(2) / 4, rel=1e-3)


def test_multi_positive_infonce_is_minimal_when_sharers_both_match():
    targets = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    scale = torch.tensor(1 / 0.07)
    good = torch.tensor([[0.9, -0.5], [0.9, -0.5], [-0.5, 0.9]])
    one_pushed = torch.tensor([[0.9, -0.5], [0.1, -0.5], [-0.5, 0.9]])
    assert multi_positive_infonce(good, targets, scale) < multi_positive_infonce(one_pushed, targets, scale)


def test_rows_and_labels_without_positives_are_ignored():
    targets = torch.tensor([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    sim = torch.randn(2, 3)
    loss = multi_positive_infonce(sim, targets, torch.tensor(14.0))
    assert torch.isfinite(loss)
    empty = multi_positive_infonce(sim, torch.zeros(2, 3), torch.tensor(14.0))
    assert float(empty) == 0.0


def test_sigmoid_pair_loss_equals_manual_bce():
    sim = torch.tensor([[0.5, -0.2], [0.1, 0.3]])
    t = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    scale, bias = torch.tensor(10.0), torch.tensor(-2.0)
    z = sim * scale + bias
    manual = -(t * torch.log(torch.sigmoid(z)) + (1 - t) * torch.log(1 - torch.sigmoid(z))).sum(1).mean()
    assert torch.isclose(sigmoid_pair_loss(sim, t, scale, bias), manual, atol=1e-5)


def test_temperature_starts_at_0_07_is_learnable_and_clamped():
    model = build_model(ArchConfig(width=8, blocks=(1, 1, 1, 1)))
    assert math.isclose(1 / float(model.logit_scale.detach()), 0.07, rel_tol=1e-5)
    targets = torch.eye(3)
    sim = torch.eye(3) * 0.8
    loss = multi_positive_infonce(sim, targets, model.logit_scale)
    loss.backward()
    assert model.log_scale.grad is not None and model.log_scale.grad < 0  # sharper helps here
    # a lower temperature sharpens: a well-separated batch gets a lower loss
    assert multi_positive_infonce(sim, targets, torch.tensor(50.0)) < multi_positive_infonce(
        sim, targets, torch.tensor(5.0))
    with torch.no_grad():
        model.log_scale.fill_(10.0)
    assert float(model.logit_scale.detach()) == pytest.approx(100.0)
