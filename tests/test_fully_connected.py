"""The fully connected classifier of chapter 2: one block of weights per position, one length."""

import pytest
import torch
from torch import nn

from attnlab.models.fully_connected import FullyConnectedClassifier


def test_shapes_and_the_weight_matrix():
    model = FullyConnectedClassifier(15, 16, d_embed=8, d_hidden=32)
    assert model.hidden.weight.shape == (32, 16 * 8)
    assert model(torch.randint(0, 15, (5, 16))).shape == (5, 2)


def test_same_as_the_sequential_it_replaces():
    torch.manual_seed(0)
    model = FullyConnectedClassifier(15, 16)
    torch.manual_seed(0)
    sequential = nn.Sequential(nn.Embedding(15, 8), nn.Flatten(), nn.Linear(128, 32), nn.ReLU(), nn.Linear(32, 2))
    tokens = torch.randint(0, 15, (4, 16))
    torch.testing.assert_close(model(tokens), sequential(tokens))


def test_every_position_can_change_the_output():
    torch.manual_seed(0)
    model = FullyConnectedClassifier(15, 16)
    tokens = torch.randint(1, 15, (1, 16))
    for position in range(16):                                   # every one of the 16 positions
        changed = tokens.clone()
        changed[0, position] = (changed[0, position] % 14) + 1
        assert not torch.allclose(model(changed), model(tokens))


def test_other_lengths_and_bad_input_are_named():
    model = FullyConnectedClassifier(15, 16)
    with pytest.raises(ValueError, match=r"built for \(batch, 16\)"):
        model(torch.randint(0, 15, (2, 24)))
    with pytest.raises(TypeError, match="tokens must be a long tensor"):
        model(torch.randn(2, 16))
    with pytest.raises((ValueError, TypeError), match="length"):
        FullyConnectedClassifier(15, 0)
