"""sequential_steps counts the longest chain of dependent matrix products."""

import torch
from torch import nn

from attnlab.attention import MultiHeadAttention
from attnlab.complexity import sequential_steps, time_call


def test_rnn_has_n_steps_attention_a_constant():
    torch.manual_seed(0)
    cell, attention = nn.RNNCell(4, 4), MultiHeadAttention(4, 2)
    for n in (3, 9):
        x = torch.randn(1, n, 4)

        def rnn():
            h = torch.zeros(1, 4)
            for t in range(n):
                h = cell(x[:, t], h)
            return h
        assert sequential_steps(rnn) == n
        assert sequential_steps(lambda: attention(x, x, x)) == 4


def test_independent_products_share_a_level():
    a, b = torch.randn(5, 5), torch.randn(5, 5)
    assert sequential_steps(lambda: (a @ b, b @ a, a @ a)) == 1
    assert sequential_steps(lambda: a @ (b @ a)) == 2
    assert sequential_steps(lambda: a + b) == 0


def test_in_place_updates_keep_their_depth():
    a = torch.randn(3, 3)

    def run():
        h = a @ a
        h.add_(1.0)
        return h @ a
    assert sequential_steps(run) == 2


def test_time_call_with_grad():
    x = torch.randn(10, requires_grad=True)

    def run():
        (x * 2).sum().backward()
    assert time_call(run, repeats=2, grad=True) >= 0
    assert x.grad is not None
