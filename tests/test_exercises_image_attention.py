"""The checkers of image-attention.ipynb accept the solutions and reject typical mistakes."""

import torch
from torch.nn import functional as F

from attnlab.exercises import check


def _se(x, w1, b1, w2, b2, squeeze=lambda x: x.mean(dim=(2, 3)), gate=torch.sigmoid, relu=F.relu):
    weights = gate(F.linear(relu(F.linear(squeeze(x), w1, b1)), w2, b2))
    return x * weights[:, :, None, None], weights


def test_squeeze_excitation_accepts_the_solution(capsys):
    assert check("5.4-squeeze-excitation", _se)
    assert "channel attention" in capsys.readouterr().out


def test_squeeze_excitation_names_each_typical_mistake(capsys):
    mistakes = {
        "the maximum over positions": lambda *a: _se(*a, squeeze=lambda x: x.amax(dim=(2, 3))),
        "the sum over positions": lambda *a: _se(*a, squeeze=lambda x: x.sum(dim=(2, 3))),
        "softmax over the channels": lambda *a: _se(*a, gate=lambda s: torch.softmax(s, -1)),
        "left out the ReLU": lambda *a: _se(*a, relu=lambda s: s),
        "x scaled channel by channel": lambda *a: (a[0], _se(*a)[1]),
        "should be sigmoid": lambda *a: (_se(*a)[0], _se(*a)[1] * 0.5),
        "return two tensors": lambda *a: _se(*a)[0],
        "has shape": lambda *a: (_se(*a)[0], _se(*a)[1][:1]),
        "is None": None,
    }
    for phrase, answer in mistakes.items():
        assert not check("5.4-squeeze-excitation", answer)
        assert phrase in capsys.readouterr().out, phrase


def _spatial(x, kernel, bias, order=("mean", "max"), gate=torch.sigmoid, scale=True):
    parts = {"mean": x.mean(dim=1, keepdim=True), "max": x.amax(dim=1, keepdim=True)}
    weights = gate(F.conv2d(torch.cat([parts[o] for o in order], 1), kernel, bias, padding=1))[:, 0]
    return (x * weights[:, None] if scale else x), weights


def test_spatial_attention_accepts_the_solution(capsys):
    assert check("5.4-spatial-attention", _spatial)
    assert "spatial attention" in capsys.readouterr().out
    assert check("5.4-spatial-attention", lambda *a: (_spatial(*a)[0], _spatial(*a)[1][:, None]))


def test_spatial_attention_names_each_typical_mistake(capsys):
    def softmax_gate(s):
        return torch.softmax(s.flatten(1), -1).view_as(s)
    mistakes = {
        "stacked [max, mean]": lambda *a: _spatial(*a, order=("max", "mean")),
        "softmax over the positions": lambda *a: _spatial(*a, gate=softmax_gate),
        "scale every channel": lambda *a: _spatial(*a, scale=False),
        "weights should be sigmoid": lambda *a: (_spatial(*a)[0], _spatial(*a)[1] ** 2),
        "return two tensors": lambda *a: _spatial(*a)[0],
        "is None": None,
    }
    for phrase, answer in mistakes.items():
        assert not check("5.4-spatial-attention", answer)
        assert phrase in capsys.readouterr().out, phrase
