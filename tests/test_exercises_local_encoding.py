"""The checkers of "Local encoding" accept the solutions and name the typical mistakes."""

import pytest
import torch

from attnlab.exercises import check


def test_receptive_field_solution_passes(capsys):
    assert check("2.1-receptive-field", lambda n_layers, k, d: 1 + n_layers * (k - 1) * d)
    assert "Dilation multiplies the reach" in capsys.readouterr().out


@pytest.mark.parametrize("answer, phrase", [
    (lambda n_layers, k, d: 1 + n_layers * (k - 1), "you ignored the dilation"),
    (lambda n_layers, k, d: n_layers * k * d, "a layer adds k - 1 positions, not k"),
    (lambda n_layers, k, d: n_layers * (k - 1) * d, "the + 1"),
    (lambda n_layers, k, d: k ** n_layers, "count how many positions one more layer adds"),
    (lambda n_layers, k: 1, "raised TypeError"),
])
def test_receptive_field_mistakes(answer, phrase, capsys):
    assert not check("2.1-receptive-field", answer)
    assert phrase in capsys.readouterr().out


def test_depth_solution_passes(capsys):
    assert check("2.1-depth-for-length", 17)
    assert "16 layers see only 97" in capsys.readouterr().out


@pytest.mark.parametrize("answer, phrase", [
    (33, "the *last* output see the *first* input"),
    (16, "3 short of 100"),
    (15, "6 positions, not 7"),
    (50, "Solve 1 + L (k - 1) >= 100"),
    ("17", "should be a number"),
])
def test_depth_mistakes(answer, phrase, capsys):
    assert not check("2.1-depth-for-length", answer)
    assert phrase in capsys.readouterr().out


def clip(grads, max_norm):
    total = torch.sqrt(sum((g ** 2).sum() for g in grads))
    return [g * min(1.0, max_norm / (total.item() + 1e-6)) for g in grads]


def test_clip_solution_passes(capsys):
    assert check("2.1-clip-grad-norm", clip)
    assert "One factor for all the gradients" in capsys.readouterr().out


def test_clip_in_place_like_torch_passes():
    def torch_clip(grads, max_norm):
        parameters = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads]
        for p, g in zip(parameters, grads):
            p.grad = g.clone()
        torch.nn.utils.clip_grad_norm_(parameters, max_norm)
        return [p.grad for p in parameters]
    assert check("2.1-clip-grad-norm", torch_clip)


@pytest.mark.parametrize("answer, phrase", [
    (lambda grads, m: [g * min(1.0, m / g.norm().item()) for g in grads], "clipped each tensor on its own"),
    (lambda grads, m: [g.clamp(-m, m) for g in grads], "changes the gradient's direction"),
    (lambda grads, m: [g * m / torch.sqrt(sum((h ** 2).sum() for h in grads)) for g in grads],
     "clipping only ever scales down"),
    (lambda grads, m: list(grads), "you returned them unchanged"),
    (lambda grads, m: None, "returned None"),
    (lambda grads, m: grads[0], "return a list of 2 tensors"),
    (lambda grads, m: [g.flatten() for g in grads], "should have shape (3, 4)"),
    (lambda grads, m: [g * 0.5 for g in grads], "off by up to"),
    (lambda grads: grads, "raised TypeError"),
])
def test_clip_mistakes(answer, phrase, capsys):
    assert not check("2.1-clip-grad-norm", answer)
    assert phrase in capsys.readouterr().out
