"""Token mixing: fixed, Synthesizer and self-attention share Y = A X W_v; shapes, laws and errors."""

import math

import pytest
import torch

from attnlab.data.copy_position import make_copy_position
from attnlab.models.mixing import MIXINGS, MixingClassifier, TokenMixing
from attnlab.train import count_parameters


@pytest.mark.parametrize("kind", MIXINGS)
def test_attend_returns_output_and_mixing_matrix(kind):
    torch.manual_seed(0)
    layer = TokenMixing(kind, d_model=8, n_positions=5)
    x = torch.randn(3, 5, 8)
    output, weights = layer.attend(x)
    assert output.shape == (3, 5, 8) and weights.shape == (3, 5, 5)
    torch.testing.assert_close(output, weights @ layer.value(x))
    torch.testing.assert_close(layer(x), output)
    if kind != "fixed":
        torch.testing.assert_close(weights.sum(-1), torch.ones(3, 5))


def test_attention_is_permutation_equivariant_and_fixed_is_not():
    torch.manual_seed(0)
    x, permutation = torch.randn(2, 6, 8), torch.randperm(6)
    attention, fixed = TokenMixing("attention", 8, 6), TokenMixing("fixed", 8, 6)
    torch.testing.assert_close(attention(x[:, permutation]), attention(x)[:, permutation], atol=1e-6, rtol=1e-5)
    assert (fixed(x[:, permutation]) - fixed(x)[:, permutation]).abs().max() > 1e-2


def test_attention_matrix_formula():
    torch.manual_seed(0)
    layer, x = TokenMixing("attention", 4, 3), torch.randn(1, 7, 4)
    expected = torch.softmax(layer.query(x) @ layer.key(x).transpose(1, 2) / math.sqrt(4), dim=-1)
    torch.testing.assert_close(layer.mixing_matrix(x), expected)


@pytest.mark.parametrize("n", [4, 16, 100])
def test_parameter_counts(n):
    assert count_parameters(TokenMixing("fixed", 8, n)) == n * n + 64
    assert count_parameters(TokenMixing("synthesizer", 8, n)) == n * n + 64
    assert count_parameters(TokenMixing("attention", 8, n)) == 3 * 64


def test_fixed_length_error_names_the_length():
    layer = TokenMixing("fixed", 8, 5)
    with pytest.raises(ValueError, match="only runs on n = 5"):
        layer(torch.randn(1, 6, 8))
    assert TokenMixing("attention", 8, 5)(torch.randn(1, 9, 8)).shape == (1, 9, 8)


def test_bad_arguments():
    with pytest.raises(ValueError, match="kind must be one of"):
        TokenMixing("mlp", 8, 5)
    with pytest.raises(ValueError, match="x has shape"):
        TokenMixing("attention", 8, 5)(torch.randn(2, 5, 7))
    with pytest.raises(ValueError, match="d_model must be even"):
        MixingClassifier("fixed", 10, 3, 5, d_model=7)
    with pytest.raises(ValueError, match="tokens must lie"):
        MixingClassifier("attention", 10, 3, 5)(torch.full((1, 5), 10))


@pytest.mark.parametrize("kind", MIXINGS)
def test_classifier_shapes_and_attend(kind):
    model = MixingClassifier(kind, vocab_size=10, n_classes=4, n_positions=6, d_model=8)
    tokens = torch.randint(10, (3, 6))
    logits, weights = model.attend(tokens)
    assert logits.shape == (3, 4) and weights.shape == (3, 6, 6)
    torch.testing.assert_close(model(tokens), logits)


def test_without_the_previous_token_each_position_knows_only_its_own_token():
    torch.manual_seed(0)
    model = MixingClassifier("attention", vocab_size=10, n_classes=4, n_positions=6, d_model=8,
                             previous_token=False)
    tokens = torch.randint(10, (1, 6))
    changed = tokens.clone()
    changed[0, 2] = (changed[0, 2] + 1) % 10
    inputs, changed_inputs = model._inputs(tokens), model._inputs(changed)
    moved = (inputs - changed_inputs).abs().sum(-1)[0] > 0
    assert moved.tolist() == [i == 2 for i in range(6)]      # with the feature, position 3 moves too
    with_feature = MixingClassifier("attention", vocab_size=10, n_classes=4, n_positions=6, d_model=8)
    moved = (with_feature._inputs(tokens) - with_feature._inputs(changed)).abs().sum(-1)[0] > 0
    assert moved.tolist() == [i in (2, 3) for i in range(6)]
    assert count_parameters(with_feature) - count_parameters(model) == 11 * 8


def test_readout_width_sets_the_hidden_layer():
    model = MixingClassifier("fixed", vocab_size=10, n_classes=4, n_positions=6, d_model=8, readout_width=5)
    assert model.readout[0].weight.shape == (5, 8) and model.readout[2].weight.shape == (4, 5)
    with pytest.raises(ValueError, match="readout_width"):
        MixingClassifier("fixed", 10, 4, 6, d_model=8, readout_width=0)


def test_make_copy_position():
    tokens, targets = make_copy_position(50, 8, n_symbols=5, position=3, seed=0)
    assert tokens.shape == (50, 8) and (targets == tokens[:, 3]).all() and tokens.max() < 5
    again, _ = make_copy_position(50, 8, n_symbols=5, position=3, seed=0)
    assert torch.equal(tokens, again)
    with pytest.raises(ValueError, match="position=8 must be smaller"):
        make_copy_position(5, 8, position=8)
