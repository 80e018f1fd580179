"""The Transformer encoder and classifier, checked against PyTorch's own encoder layer."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from attnlab.attention import MultiHeadAttention
from attnlab.models.transformer import (Block, ExternalQueryClassifier, SelfAttention, TransformerClassifier,
                                       TransformerConfig, TransformerEncoder)


def torch_layer_and_ours(d_model=16, num_heads=4, d_ff=32):
    torch.manual_seed(0)
    theirs = nn.TransformerEncoderLayer(d_model, num_heads, d_ff, dropout=0.0, activation="relu",
                                        batch_first=True, norm_first=True).eval()
    ours = Block(d_model, num_heads, d_ff).eval()
    with torch.no_grad():
        ours.attention = MultiHeadAttention.from_torch(theirs.self_attn)
        for mine, its in ((ours.feed_forward.linear1, theirs.linear1), (ours.feed_forward.linear2, theirs.linear2),
                          (ours.norm1, theirs.norm1), (ours.norm2, theirs.norm2)):
            mine.load_state_dict(its.state_dict())
    return theirs, ours


def test_block_matches_pytorch_pre_norm_encoder_layer():
    theirs, ours = torch_layer_and_ours()
    x = torch.randn(3, 7, 16)
    output, weights = ours(x)
    assert torch.allclose(output, theirs(x), atol=1e-5)
    assert weights.shape == (3, 4, 7, 7) and torch.allclose(weights.sum(-1), torch.ones(3, 4, 7))


def test_block_with_padding_matches_pytorch_key_padding_mask():
    theirs, ours = torch_layer_and_ours()
    x = torch.randn(2, 6, 16)
    mask = torch.tensor([[True] * 6, [True] * 4 + [False] * 2])       # True = a real token
    output, weights = ours(x, mask)
    expected = theirs(x, src_key_padding_mask=~mask)
    assert torch.allclose(output[mask], expected[mask], atol=1e-5)
    assert (weights[1, :, :, 4:] == 0).all()


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 1000), n=st.integers(2, 9))
def test_without_positions_self_attention_is_permutation_equivariant(seed, n):
    torch.manual_seed(seed)
    encoder = TransformerEncoder(TransformerConfig(vocab_size=7, d_model=8, num_heads=2, positional=None)).eval()
    tokens = torch.randint(0, 7, (1, n))
    permutation = torch.randperm(n)
    states, _ = encoder(tokens)
    permuted, _ = encoder(tokens[:, permutation])
    assert torch.allclose(permuted, states[:, permutation], atol=1e-5)


def test_with_positions_order_matters():
    torch.manual_seed(0)
    encoder = TransformerEncoder(TransformerConfig(vocab_size=7, d_model=8, num_heads=2)).eval()
    tokens = torch.tensor([[1, 2, 3, 4]])
    states, _ = encoder(tokens)
    flipped, _ = encoder(tokens.flip(1))
    assert not torch.allclose(flipped, states.flip(1), atol=1e-3)


@pytest.mark.parametrize("positional", ["sinusoidal", "learned", None])
@pytest.mark.parametrize("pooling", ["mean", "first"])
def test_classifier_shapes_and_weights(positional, pooling):
    config = TransformerConfig(vocab_size=9, d_model=8, num_heads=2, n_layers=3, n_classes=4,
                               positional=positional, pooling=pooling)
    model = TransformerClassifier(config)
    tokens = torch.randint(0, 9, (5, 11))
    assert model(tokens).shape == (5, 4)
    states, weights = model.encoder(tokens)
    assert states.shape == (5, 11, 8) and len(weights) == 3 and weights[0].shape == (5, 2, 11, 11)


def test_mean_pooling_ignores_padded_positions():
    torch.manual_seed(0)
    model = TransformerClassifier(TransformerConfig(vocab_size=9, d_model=8, num_heads=2)).eval()
    tokens = torch.tensor([[3, 4, 5, 0, 0]])
    mask = tokens != 0
    other = tokens.clone()
    other[0, 3:] = 7                                    # change only the padding
    assert torch.allclose(model(tokens, mask), model(other, mask), atol=1e-6)
    assert torch.allclose(model(tokens, mask), model(tokens[:, :3]), atol=1e-5)


def test_bad_input_is_named():
    model = TransformerClassifier(TransformerConfig(vocab_size=9, d_model=8, num_heads=2, max_positions=6))
    with pytest.raises(ValueError, match=r"tokens must be a long tensor of shape \(batch, seq_len\)"):
        model(torch.zeros(2, 3))
    with pytest.raises(ValueError, match=r"mask must be a bool tensor of shape \(batch, seq_len\) = \(1, 3\)"):
        model(torch.zeros(1, 3, dtype=torch.long), torch.ones(1, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="max_positions=6"):
        model(torch.zeros(1, 7, dtype=torch.long))
    with pytest.raises(ValueError, match="positional must be"):
        TransformerEncoder(TransformerConfig(vocab_size=9, positional="rotary"))
    with pytest.raises(ValueError, match="pooling must be"):
        TransformerClassifier(TransformerConfig(vocab_size=9, pooling="max"))


def test_self_attention_layer_matches_pytorch():
    torch.manual_seed(0)
    theirs = nn.MultiheadAttention(16, 4, batch_first=True)
    ours = SelfAttention(16, num_heads=4)
    ours.attention = MultiHeadAttention.from_torch(theirs)
    x = torch.randn(3, 7, 16)
    assert torch.allclose(ours(x), theirs(x, x, x)[0], atol=1e-5)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 1000), n=st.integers(2, 9))
def test_self_attention_layer_is_permutation_equivariant(seed, n):
    torch.manual_seed(seed)
    layer, x, order = SelfAttention(8), torch.randn(2, n, 8), torch.randperm(n)
    assert torch.allclose(layer(x)[:, order], layer(x[:, order]), atol=1e-5)


def test_external_query_is_one_learned_vector_for_every_input():
    torch.manual_seed(0)
    model = ExternalQueryClassifier(vocab_size=9, d_model=8, num_heads=2, d_hidden=16, n_classes=3)
    tokens = torch.randint(0, 9, (4, 6))
    output, weights = model.attend(tokens)
    assert output.shape == (4, 1, 8) and weights.shape == (4, 2, 1, 6) and model(tokens).shape == (4, 3)
    assert torch.allclose(weights.sum(-1), torch.ones(4, 2, 1), atol=1e-6)
    x = model.positions(model.embedding(tokens))       # the same query against each input's keys
    for i in range(4):
        expected = model.attention(model.query, x[i:i + 1], x[i:i + 1])[1]
        assert torch.allclose(weights[i:i + 1], expected, atol=1e-6)
    with pytest.raises(ValueError, match=r"tokens must be a long tensor of shape \(batch, seq_len\)"):
        model(torch.zeros(2, 3))


def test_attend_gives_the_logits_and_every_blocks_weights_afresh():
    torch.manual_seed(0)
    model = TransformerClassifier(TransformerConfig(vocab_size=10, n_layers=3, num_heads=2)).eval()
    tokens = torch.randint(1, 10, (4, 7))
    mask = torch.ones(4, 7, dtype=torch.bool)
    mask[0, 5:] = False
    logits, weights = model.attend(tokens, mask)
    torch.testing.assert_close(logits, model(tokens, mask))
    assert weights.shape == (3, 4, 2, 7, 7)
    torch.testing.assert_close(weights.sum(-1), torch.ones(3, 4, 2, 7))
    assert (weights[:, 0, :, :, 5:] == 0).all()  # masked keys get no weight in any block
    states, listed = model.encoder(tokens, mask)
    torch.testing.assert_close(torch.stack(listed), weights)
    other, _ = model.attend(tokens[1:], mask[1:])  # nothing is stored between calls
    torch.testing.assert_close(other, logits[1:])
