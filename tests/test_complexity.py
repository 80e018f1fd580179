"""Parameter and FLOP formulas against PyTorch's own layers and FlopCounterMode; the meters."""

import pytest
import torch
from torch import nn

from attnlab.attention import MultiHeadAttention
from attnlab.complexity import (attention_flops, attention_parameters, cnn_flops, cnn_parameters,
                                count_flops, peak_memory, rnn_flops, rnn_parameters, time_call)
from attnlab.train import count_parameters


@pytest.mark.parametrize("d", [8, 64])
def test_parameter_formulas_match_pytorch_layers(d):
    assert attention_parameters(d) == count_parameters(nn.MultiheadAttention(d, 4, batch_first=True))
    assert attention_parameters(d) == count_parameters(MultiHeadAttention(d, 2))
    assert attention_parameters(d, bias=False) == count_parameters(MultiHeadAttention(d, 2, bias=False))
    assert rnn_parameters(d, "rnn") == count_parameters(nn.RNN(d, d))
    assert rnn_parameters(d, "gru") == count_parameters(nn.GRU(d, d))
    assert rnn_parameters(d, "lstm") == count_parameters(nn.LSTM(d, d))
    for k in (1, 3, 7):
        assert cnn_parameters(d, k) == count_parameters(nn.Conv1d(d, d, k))


@pytest.mark.parametrize("n, d", [(16, 8), (100, 32)])
def test_flop_formulas_match_flop_counter(n, d):
    x = torch.randn(1, n, d)
    attention = nn.MultiheadAttention(d, 2, batch_first=True)
    assert attention_flops(n, d) == count_flops(lambda: attention(x, x, x))
    assert rnn_flops(n, d, "rnn") == count_flops(lambda: nn.RNN(d, d, batch_first=True)(x))
    assert cnn_flops(n, d, 5) == count_flops(lambda: nn.Conv1d(d, d, 5, padding=2)(x.transpose(1, 2)))


def test_lstm_flops_are_four_rnn_cells():
    assert rnn_flops(10, 4, "lstm") == 4 * rnn_flops(10, 4, "rnn")
    cell = nn.LSTMCell(4, 4)
    state = (torch.zeros(1, 4), torch.zeros(1, 4))
    assert rnn_flops(1, 4, "lstm") == count_flops(lambda: cell(torch.randn(1, 4), state))


def test_attention_needs_more_flops_than_lstm_exactly_beyond_n_equal_2d():
    d = 32
    assert attention_flops(2 * d - 1, d) < rnn_flops(2 * d - 1, d, "lstm")
    assert attention_flops(2 * d, d) == rnn_flops(2 * d, d, "lstm")
    assert attention_flops(2 * d + 1, d) > rnn_flops(2 * d + 1, d, "lstm")


def test_peak_memory_sees_a_large_temporary():
    size = 64 * 2 ** 20
    measured = peak_memory(lambda: torch.ones(size // 4).sum())
    assert 0.9 * size < measured < 1.5 * size


def test_time_call_is_positive():
    assert time_call(lambda: torch.ones(10).sum(), repeats=3) > 0


@pytest.mark.parametrize("call, message", [
    (lambda: attention_parameters(0), "d must be a positive int"),
    (lambda: rnn_parameters(8, "transformer"), "kind must be one of"),
    (lambda: cnn_flops(8, 8, 2.5), "kernel_size must be a positive int"),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_tensor_peak_memory_counts_the_score_matrices_of_naive_attention():
    from attnlab.attention import chunked_attention, scaled_dot_product_attention
    from attnlab.complexity import tensor_peak_memory
    n, d = 512, 16
    q, k, v = (torch.randn(1, n, d) for _ in range(3))
    naive = tensor_peak_memory(lambda: scaled_dot_product_attention(q, k, v))
    assert 2 * n * n * 4 <= naive < 2.2 * n * n * 4           # scores and weights, both n × n, at once
    chunked = tensor_peak_memory(lambda: chunked_attention(q, k, v, chunk_size=64))
    assert chunked < 0.2 * naive


def test_tensor_peak_memory_ignores_views_and_frees():
    from attnlab.complexity import tensor_peak_memory
    x = torch.randn(1000)

    def work():
        for _ in range(5):
            (x[:500] * 2).sum()                           # each product (2,000 bytes) is freed at once
        return x.view(10, 100)

    assert tensor_peak_memory(work) == 2000 + 4


def test_attention_flops_are_projections_plus_scores_and_average():
    n, d = 12, 8
    layer, x = MultiHeadAttention(d, 2), torch.randn(1, n, d)
    projections = (layer.query_proj, layer.key_proj, layer.value_proj, layer.out_proj)
    projected = count_flops(lambda: [p(x) for p in projections])
    assert projected == 8 * n * d * d                                     # four n×d by d×d
    assert count_flops(lambda: layer(x, x, x)) - projected == 4 * n * n * d  # QK^T and αV
