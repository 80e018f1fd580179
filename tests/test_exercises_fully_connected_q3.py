"""What the declarations of fully-connected.ipynb's exercises cannot say (tests/test_exercises.py
checks every declared reference and mistake): the praise's claim, and a leak between examples."""

import math

import torch

from attnlab.exercises import check


def attention_matrix(x, w_query, w_key):
    return torch.softmax((x @ w_query) @ (x @ w_key).transpose(1, 2) / math.sqrt(x.shape[-1]), dim=-1)


def synthesizer(x, logits, w_value):
    return torch.softmax(logits, dim=-1) @ (x @ w_value)


def test_a_right_attention_matrix_gives_self_attentions_output():
    generator = torch.Generator().manual_seed(0)
    x, w_query, w_key, w_value = (torch.randn(2, 5, 4, generator=generator, dtype=torch.float64),
                                  *(torch.randn(4, 4, generator=generator, dtype=torch.float64) for _ in range(3)))
    expected = torch.nn.functional.scaled_dot_product_attention(x @ w_query, x @ w_key, x @ w_value)
    torch.testing.assert_close(attention_matrix(x, w_query, w_key) @ x @ w_value, expected)
    assert check("8.3-attention-matrix", attention_matrix)


def test_synthesizer_must_mix_examples_independently(capsys):
    # Right on the first batch by construction, but it leaks example 0 into the others.
    first = {}

    def leaky(x, r, w):
        out = synthesizer(x, r, w)
        if "x0" not in first:
            first["x0"] = x[0].clone()
            return out
        return out + (x[0] - first["x0"]).sum() * 1e-3
    assert not check("8.3-synthesizer", leaky)
    assert "mixed independently" in capsys.readouterr().out
