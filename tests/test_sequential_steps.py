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


def _fake_clock(monkeypatch, durations):
    """Replace the clock time_call reads by one that only moves when the timed function runs:
    its i-th call takes durations[i] seconds. Returns the list of grad modes seen by each call."""
    import types

    from attnlab import complexity

    now, calls = [0.0], []

    def function():
        calls.append(torch.is_grad_enabled())
        now[0] += durations[len(calls) - 1]
    monkeypatch.setattr(complexity, "time", types.SimpleNamespace(perf_counter=lambda: now[0]))
    return function, calls


def test_time_call_returns_the_fastest_of_the_timed_calls(monkeypatch):
    # two untimed warm-up calls (slow: they must not count), then three timed ones
    function, calls = _fake_clock(monkeypatch, [0.001, 0.002, 5.0, 3.0, 4.0])
    assert time_call(function, repeats=3, warmup=2) == 3.0
    assert calls == [False] * 5                                 # warm-ups + repeats, under no_grad


def test_time_call_with_grad(monkeypatch):
    function, calls = _fake_clock(monkeypatch, [1.0, 0.25, 0.5])
    assert time_call(function, repeats=2, grad=True) == 0.25    # default: one warm-up call
    assert calls == [True] * 3
    x = torch.randn(10, requires_grad=True)

    def run():
        (x * 2).sum().backward()
    monkeypatch.undo()
    assert time_call(run, repeats=2, grad=True) > 0             # the real clock: a real backward pass
    torch.testing.assert_close(x.grad, torch.full((10,), 2.0 * 3))   # 1 warm-up + 2 timed calls


def test_a_recurrent_layer_counts_one_fused_step_or_its_n_cells_never_none():
    from torch import nn

    x = torch.randn(1, 9, 4)
    for layer in (nn.LSTM(4, 4, batch_first=True), nn.GRU(4, 4, batch_first=True)):
        # 1 where PyTorch runs the whole loop in one fused kernel (oneDNN's LSTM on a CPU), 9 where
        # it runs the cells one after another; before the fused kernel was counted, an LSTM had 0
        assert sequential_steps(lambda: layer(x)) in (1, 9)
