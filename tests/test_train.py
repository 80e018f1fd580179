"""The training loop: it learns, it repeats exactly with a seed, and it checks its input."""

import pytest
import torch
from torch import nn

from attnlab.train import History, accuracy, count_parameters, default_device, evaluate, fit, seed_everything


def separable_data(seed, n=256):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 2, generator=g)
    return x, (x[:, 0] + x[:, 1] > 0).long()


def test_fit_learns_a_separable_problem():
    seed_everything(0)
    model = nn.Linear(2, 2)
    history = fit(model, separable_data(0), val=separable_data(1), epochs=20, lr=0.05, verbose=False)
    assert isinstance(history, History)
    assert len(history.train_loss) == 20 and history.train_loss[-1] < history.train_loss[0]
    assert history.final > 0.95
    assert evaluate(model, separable_data(2)) > 0.95


def test_fit_is_deterministic_with_a_seed():
    results = []
    for _ in range(2):
        seed_everything(3)
        model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
        results.append(fit(model, separable_data(0), epochs=3, seed=5, verbose=False).train_loss)
    assert results[0] == results[1]


def test_fit_prints_compact_progress(capsys):
    seed_everything(0)
    fit(nn.Linear(2, 2), separable_data(0), val=separable_data(1), epochs=10, label="linear")
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 5 and lines[-1].startswith("linear epoch  10/10") and "val" in lines[-1]


def test_fit_with_several_inputs_and_sequence_targets():
    class Pairwise(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(2, 3)

        def forward(self, a, b):
            return self.linear(torch.stack([a, b], -1))  # (batch, positions, classes)

    a, b = torch.randn(64, 5), torch.randn(64, 5)
    targets = (a > b).long()
    targets[:, 0] = -100  # ignored positions
    history = fit(Pairwise(), (a, b, targets), epochs=2, verbose=False)
    assert len(history.train_metric) == 2


def test_accuracy_ignores_padding_targets():
    logits = torch.tensor([[2.0, 0.0], [0.0, 2.0], [2.0, 0.0]])
    assert accuracy(logits, torch.tensor([0, 1, -100])) == 1.0
    assert accuracy(logits, torch.tensor([1, 1, 0])) == pytest.approx(2 / 3)


def test_helpers():
    assert count_parameters(nn.Linear(3, 2)) == 8
    assert default_device().type in ("cpu", "cuda")
    g1, g2 = seed_everything(4), seed_everything(4)
    assert torch.equal(torch.rand(3, generator=g1), torch.rand(3, generator=g2))


def test_bad_data_is_rejected_with_a_clear_message():
    with pytest.raises(TypeError, match=r"train must be a tuple of tensors \(inputs..., targets\)"):
        fit(nn.Linear(2, 2), torch.randn(4, 2), epochs=1)
    with pytest.raises(ValueError, match="share their first"):
        fit(nn.Linear(2, 2), (torch.randn(4, 2), torch.zeros(3).long()), epochs=1)
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        fit(nn.Linear(2, 2), separable_data(0), epochs=0)


def test_evaluate_a_model_without_parameters():
    class Identity(nn.Module):  # e.g. a fixed dot-product score: nothing to train
        def forward(self, x):
            return x

    logits = torch.tensor([[2.0, 0.0], [0.0, 1.0]])
    assert evaluate(Identity(), (logits, torch.tensor([0, 0]))) == 0.5
