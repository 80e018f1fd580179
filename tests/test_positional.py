"""Positional encodings: the formula, the wrappers, and the errors."""

import math

import pytest
import torch

from attnlab.positional import LearnedPositionalEmbedding, SinusoidalPositionalEncoding, sinusoidal_encoding


def test_sinusoidal_encoding_matches_the_formula():
    encoding = sinusoidal_encoding(50, 16)
    assert encoding.shape == (50, 16)
    pos, i = 7, 3
    angle = pos / 10000 ** (2 * i / 16)
    assert encoding[pos, 2 * i].item() == pytest.approx(math.sin(angle), abs=1e-6)
    assert encoding[pos, 2 * i + 1].item() == pytest.approx(math.cos(angle), abs=1e-6)
    assert torch.equal(encoding[0, 0::2], torch.zeros(8)) and torch.equal(encoding[0, 1::2], torch.ones(8))


def test_every_position_gets_a_distinct_code():
    encoding = sinusoidal_encoding(200, 32)
    distances = torch.cdist(encoding, encoding) + torch.eye(200) * 10
    assert distances.min() > 0.1


@pytest.mark.parametrize("module_class, positions", [
    (SinusoidalPositionalEncoding, lambda module, n: sinusoidal_encoding(n, 8)),
    (LearnedPositionalEmbedding, lambda module, n: module.embedding.weight[:n]),
], ids=["sinusoidal", "learned"])
def test_wrappers_add_one_vector_per_position(module_class, positions):
    torch.manual_seed(0)
    module = module_class(10, 8)
    x = torch.randn(3, 6, 8)                                    # not zeros: the input must be kept
    out = module(x)
    assert out.shape == (3, 6, 8)
    expected = positions(module, 6).detach()                    # (6, 8): position i's vector
    for b in range(3):                                          # the same positions for every sequence
        torch.testing.assert_close(out[b] - x[b], expected)
    assert not torch.equal(expected[0], expected[1])


def test_parameter_counts():
    assert sum(p.numel() for p in SinusoidalPositionalEncoding(10, 8).parameters()) == 0
    assert sum(p.numel() for p in LearnedPositionalEmbedding(10, 8).parameters()) == 80


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="even d_model"):
        sinusoidal_encoding(4, 7)
    module = SinusoidalPositionalEncoding(5, 8)
    with pytest.raises(ValueError, match="max_positions=5"):
        module(torch.zeros(1, 6, 8))
    with pytest.raises(ValueError, match=r"x has shape \(1, 4, 6\) but must have shape \(batch, n, d_model=8\)"):
        module(torch.zeros(1, 4, 6))
