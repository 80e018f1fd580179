"""Score functions: shapes, known values, bad input, and agreement with the attention core."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlab.attention import masked_softmax, scaled_dot_product_attention
from attnlab.scores import SCORE_FUNCTIONS, AdditiveScore, GeneralScore, MLPScore, score_function

pytestmark = pytest.mark.usefixtures("float64")


def qk(seed, batch=(2,), n_queries=3, n_keys=5, d_query=4, d_key=4):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*batch, n_queries, d_query, generator=g), torch.randn(*batch, n_keys, d_key, generator=g)


@pytest.mark.parametrize("name", list(SCORE_FUNCTIONS))
@pytest.mark.parametrize("batch", [(), (2,), (2, 3)])
def test_every_score_has_shape_n_queries_by_n_keys(name, batch):
    query, key = qk(0, batch)
    assert score_function(name, 4)(query, key).shape == (*batch, 3, 5)


@pytest.mark.parametrize("name", list(SCORE_FUNCTIONS))
def test_leading_dimensions_broadcast(name):
    query, key = qk(1, (2, 1))
    key = key.expand(2, 3, 5, 4)
    assert score_function(name, 4)(query, key).shape == (2, 3, 3, 5)


def test_known_values():
    query = torch.tensor([[1.0, 2.0, 0.0, 2.0]])
    key = torch.tensor([[2.0, 0.0, 1.0, 1.0], [0.0, 0.0, 3.0, 0.0]])
    assert torch.allclose(score_function("dot", 4)(query, key), torch.tensor([[4.0, 0.0]]))
    assert torch.allclose(score_function("scaled_dot", 4)(query, key), torch.tensor([[2.0, 0.0]]))
    assert torch.allclose(score_function("cosine", 4)(query, key), torch.tensor([[4 / (3 * math.sqrt(6)), 0.0]]))
    assert torch.allclose(score_function("cosine", 4, scale=10.0)(query, key),
                          torch.tensor([[40 / (3 * math.sqrt(6)), 0.0]]))
    general = GeneralScore(4)
    with torch.no_grad():
        general.weight.copy_(torch.eye(4))
    assert torch.allclose(general(query, key), torch.tensor([[4.0, 0.0]]))


def test_additive_is_v_tanh_of_projected_sum():
    query, key = qk(2, (), d_query=3, d_key=5)
    score = AdditiveScore(3, 5, d_hidden=7)
    expected = torch.stack([torch.stack([score.v(torch.tanh(score.query_proj(q) + score.key_proj(k))).squeeze()
                                         for k in key]) for q in query])
    assert torch.allclose(score(query, key), expected)


def test_mlp_is_an_mlp_of_the_concatenation():
    query, key = qk(3, (), d_query=3, d_key=5)
    score = MLPScore(3, 5, d_hidden=6)
    first = torch.nn.Linear(8, 6)
    with torch.no_grad():
        first.weight.copy_(torch.cat([score.first_query.weight, score.first_key.weight], dim=1))
        first.bias.copy_(score.first_key.bias)
    expected = torch.stack([torch.stack([score.rest(first(torch.cat([q, k]))).squeeze() for k in key]) for q in query])
    assert torch.allclose(score(query, key), expected)


def test_scaled_dot_softmax_matches_the_attention_core():
    query, key = qk(4, (2,), d_query=8, d_key=8)
    _, weights = scaled_dot_product_attention(query, key, torch.randn(2, 5, 3))
    assert torch.allclose(masked_softmax(score_function("scaled_dot", 8)(query, key)), weights, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(0.1, 100.0))
def test_cosine_is_bounded_by_its_scale_and_ignores_length(seed, scale):
    query, key = qk(seed)
    score = score_function("cosine", 4, scale=scale)
    scores = score(query, key)
    assert (scores.abs() <= scale * (1 + 1e-9)).all()
    assert torch.allclose(score(3.7 * query, 0.2 * key), scores)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), d=st.integers(1, 64))
def test_scaled_dot_is_dot_over_sqrt_d(seed, d):
    query, key = qk(seed, d_query=d, d_key=d)
    assert torch.allclose(score_function("scaled_dot", d)(query, key) * math.sqrt(d),
                          score_function("dot", d)(query, key))


@pytest.mark.parametrize("name", ["general", "additive", "mlp", "bilinear", "concat"])
def test_learned_scores_accept_different_widths(name):
    query, key = qk(5, d_query=3, d_key=6)
    assert score_function(name, 3, 6)(query, key).shape == (2, 3, 5)


@pytest.mark.parametrize("name", ["dot", "scaled_dot", "cosine"])
def test_parameter_free_scores_refuse_different_widths(name):
    with pytest.raises(ValueError, match="needs d_query == d_key, got d_query=3 and d_key=6"):
        score_function(name, 3, 6)


def test_unknown_name_lists_the_choices():
    with pytest.raises(ValueError, match="unknown score function 'softmax'; choose one of"):
        score_function("softmax", 4)


@pytest.mark.parametrize("d", [0, -1, 2.5, True])
def test_bad_width_is_named(d):
    with pytest.raises(ValueError, match="d_query must be a positive integer"):
        score_function("general", d, 4)


@pytest.mark.parametrize("name", list(SCORE_FUNCTIONS))
def test_bad_input_names_the_argument_and_the_shape(name):
    score = score_function(name, 4)
    query, key = qk(6)
    with pytest.raises(ValueError, match=r"query has shape \(2, 3, 5\) but must have shape \(\.\.\., n_queries, d_query=4\)"):
        score(torch.randn(2, 3, 5), key)
    with pytest.raises(ValueError, match=r"key has shape \(4,\) but must have shape \(\.\.\., n_keys, d_key=4\)"):
        score(query, torch.randn(4))
    with pytest.raises(TypeError, match="key must be a floating-point tensor"):
        score(query, torch.ones(2, 5, 4, dtype=torch.long))
    with pytest.raises(TypeError, match="query must be a torch.Tensor"):
        score([[1.0] * 4], key)
    with pytest.raises(ValueError, match="leading \\(batch\\) dimensions must broadcast"):
        score(torch.randn(2, 3, 4), torch.randn(3, 5, 4))


@pytest.mark.parametrize("name, parameters", [("dot", 0), ("scaled_dot", 0), ("cosine", 0), ("general", 16 * 8),
                                              ("additive", 16 * 10 + 8 * 10 + 10 + 10),
                                              ("mlp", 16 * 10 + 8 * 10 + 10 + 10 * 10 + 10 + 10 + 1)])
def test_parameter_counts(name, parameters):
    d_key = 8 if name not in ("dot", "scaled_dot", "cosine") else 16
    score = score_function(name, 16, d_key, **({"d_hidden": 10} if name in ("additive", "mlp") else {}))
    assert sum(p.numel() for p in score.parameters()) == parameters


@pytest.mark.parametrize("name", ["general", "additive", "mlp"])
def test_gradients_reach_every_parameter(name):
    query, key = qk(7)
    score = score_function(name, 4)
    score(query, key).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in score.parameters())


# ---------------------------------------------------------------- against PyTorch's own

def test_scaled_dot_matches_torch_scaled_dot_product_attention():
    query, key = qk(8, (2,), d_query=8, d_key=8)
    value = torch.randn(2, 5, 3)
    ours = masked_softmax(score_function("scaled_dot", 8)(query, key)) @ value
    assert torch.allclose(ours, torch.nn.functional.scaled_dot_product_attention(query, key, value), atol=1e-10)


def test_general_matches_torch_bilinear():
    query, key = qk(9, (), d_query=3, d_key=6)
    general, bilinear = GeneralScore(3, 6), torch.nn.Bilinear(3, 6, 1, bias=False)
    with torch.no_grad():
        bilinear.weight.copy_(general.weight[None])
    expected = bilinear(query[:, None].expand(3, 5, 3).reshape(-1, 3), key[None].expand(3, 5, 6).reshape(-1, 6))
    assert torch.allclose(general(query, key), expected.view(3, 5))


def test_cosine_matches_torch_cosine_similarity():
    query, key = qk(10, (2,))
    expected = torch.nn.functional.cosine_similarity(query[:, :, None], key[:, None], dim=-1)
    assert torch.allclose(score_function("cosine", 4)(query, key), expected)


def test_distance_score_is_minus_the_squared_distance():
    query = torch.tensor([[1.0, 2.0, 0.0, 2.0]])
    key = torch.tensor([[2.0, 0.0, 1.0, 1.0], [1.0, 2.0, 0.0, 2.0]])
    assert torch.allclose(score_function("distance", 4)(query, key), torch.tensor([[-7.0, 0.0]]))
    assert torch.allclose(score_function("neg_sq_distance", 4)(query, key), torch.tensor([[-7.0, 0.0]]))


def test_distance_is_dot_corrected_for_key_length_in_the_softmax():
    query, key = qk(8)
    expected = torch.softmax(2 * score_function("dot", 4)(query, key) - key.pow(2).sum(-1)[..., None, :], -1)
    assert torch.allclose(torch.softmax(score_function("distance", 4)(query, key), -1), expected)
