"""The measurements of chapter 2: receptive fields, gradients by distance, Table 1's counts."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from attnlab.attention import MultiHeadAttention
from attnlab.complexity import sequential_steps
from attnlab.measure import (connects_ends, gradient_by_distance, input_dependence, layers_to_connect,
                             receptive_field, recurrent_states, steps_on_path)


class Convolution(nn.Module):
    def __init__(self, d=4, k=3):
        super().__init__()
        self.conv = nn.Conv1d(d, d, k, padding=k // 2)

    def forward(self, x):
        return self.conv(x.transpose(1, 2)).transpose(1, 2)


class SelfAttention(nn.Module):
    def __init__(self, d=4):
        super().__init__()
        self.attention = MultiHeadAttention(d, 2)

    def forward(self, x):
        return self.attention(x)


def test_receptive_field_formula():
    assert receptive_field(1, 3) == 3 and receptive_field(4, 5) == 17 and receptive_field(2, 3, dilation=4) == 17
    with pytest.raises(ValueError, match="kernel_size must be a positive int"):
        receptive_field(2, 0)


def test_input_dependence_is_zero_outside_the_window():
    dependence = input_dependence(Convolution(), torch.randn(1, 11, 4), 5)
    assert (dependence[4:7] > 0).all() and (dependence[:4] == 0).all() and (dependence[7:] == 0).all()
    with pytest.raises(ValueError, match="position must lie in 0 .. 10"):
        input_dependence(Convolution(), torch.randn(1, 11, 4), 11)
    with pytest.raises(ValueError, match=r"inputs has shape \(11, 4\) but must have shape \(batch, seq_len, d_in\)"):
        input_dependence(Convolution(), torch.randn(11, 4), 1)


def test_gradient_by_distance_is_the_jacobian_norm():
    torch.manual_seed(0)
    rnn = nn.RNN(3, 5, batch_first=True)
    inputs = torch.randn(2, 6, 3)
    measured = gradient_by_distance(lambda x: rnn(x)[0][:, -1], inputs)
    norms = []
    for sample in inputs:
        jacobian = torch.autograd.functional.jacobian(lambda x: rnn(x[None])[0][0, -1], sample)   # (5, 6, 3)
        norms.append(jacobian.pow(2).sum(dim=(0, 2)).sqrt())
    assert torch.allclose(measured, torch.stack(norms).mean(0).flip(0), atol=1e-5)
    with pytest.raises(ValueError, match=r"encoder\(inputs\) has shape \(1, 6, 5\) but must have shape \(batch, d_hidden\)"):
        gradient_by_distance(lambda x: rnn(x)[0], inputs)


@settings(max_examples=12, deadline=None)
@given(n=st.integers(2, 40), k=st.sampled_from([3, 5, 7]))
def test_layers_to_connect_a_convolution_is_n_over_k(n, k):
    assert layers_to_connect(lambda: Convolution(k=k), n, 4) == math.ceil((n - 1) / (k - 1))


def test_one_attention_layer_connects_any_length():
    for n in (2, 30, 200):
        assert layers_to_connect(SelfAttention, n, 4) == 1
    assert connects_ends(SelfAttention(), torch.randn(1, 9, 4))
    assert not connects_ends(Convolution(), torch.randn(1, 9, 4))
    with pytest.raises(RuntimeError, match="max_layers=2"):
        layers_to_connect(Convolution, 20, 4, max_layers=2)


@pytest.mark.parametrize("n", [1, 5, 17])
def test_recurrent_counts_grow_with_length(n):
    cell = nn.RNNCell(3, 4)
    steps = [torch.randn(2, 3, requires_grad=True) for _ in range(n)]
    states = recurrent_states(cell, steps)
    assert len(states) == n and states[-1].shape == (2, 4)
    assert steps_on_path(states[-1], steps[0]) == n and steps_on_path(states[-1], steps[-1]) == 1
    assert sequential_steps(lambda: recurrent_states(cell, steps)) == n


def test_attention_and_convolution_take_a_constant_number_of_sequential_steps():
    for n in (4, 64):
        x = torch.randn(1, n, 4)
        attention, convolution = SelfAttention(), Convolution()
        assert sequential_steps(lambda: attention(x)) == 4 and sequential_steps(lambda: convolution(x)) == 1
        assert sequential_steps(lambda: convolution(convolution(x))) == 2


def test_path_errors():
    x = torch.randn(3, requires_grad=True)
    unrelated = torch.randn(3, requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(ValueError, match="output does not depend on source"):
        steps_on_path(y, unrelated)
    with pytest.raises(ValueError, match="source must be a leaf"):
        steps_on_path(y, x * 2)
    with pytest.raises(ValueError, match="steps must be a non-empty sequence"):
        recurrent_states(nn.RNNCell(2, 2), [])
