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
    with pytest.raises(ValueError, match=r"mask has shape \(1, 4\) but must have shape \(batch, seq_len\) = \(1, 3\)"):
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


# --- Chapter 7: the encoder–decoder Transformer, against PyTorch's -------------------------------

from attnlab.attention import causal_mask  # noqa: E402
from attnlab.models.transformer import (CausalLanguageModel, DecoderLayer, EncoderLayer,  # noqa: E402
                                        Seq2SeqTransformer, Transformer, padding_mask)

D, HEADS, FF = 16, 4, 32


def _padding(lengths, n):
    """PyTorch's key_padding_mask (True = pad) for the given lengths."""
    return ~padding_mask(torch.tensor(lengths), n)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_layer_equals_pytorchs(norm_first, activation):
    torch.manual_seed(0)
    theirs = nn.TransformerEncoderLayer(D, HEADS, FF, dropout=0.0, activation=activation, batch_first=True,
                                        norm_first=norm_first).double()
    ours = EncoderLayer.from_torch(theirs)
    x = torch.randn(3, 7, D, dtype=torch.float64)
    pad = _padding([7, 5, 3], 7)
    expected = theirs(x, src_key_padding_mask=pad)
    for mask in (~pad[:, None, :], ~pad[:, None, None, :]):  # (batch, 1, n) and (batch, 1, 1, n)
        torch.testing.assert_close(ours(x, mask)[~pad], expected[~pad], atol=1e-6, rtol=0)
    causal = nn.Transformer.generate_square_subsequent_mask(7, dtype=torch.float64)
    torch.testing.assert_close(ours(x, causal_mask(7)), theirs(x, src_mask=causal, is_causal=True),
                               atol=1e-6, rtol=0)
    output, weights = ours.attend(x, ~pad[:, None, :])
    assert weights.shape == (3, HEADS, 7, 7) and (weights[2, :, :, 3:] == 0).all()


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_equals_pytorchs(norm_first):
    torch.manual_seed(1)
    theirs = nn.TransformerDecoderLayer(D, HEADS, FF, dropout=0.0, batch_first=True, norm_first=norm_first).double()
    ours = DecoderLayer.from_torch(theirs)
    x, memory = torch.randn(3, 5, D, dtype=torch.float64), torch.randn(3, 6, D, dtype=torch.float64)
    target_pad, memory_pad = _padding([5, 4, 2], 5), _padding([6, 3, 1], 6)
    expected = theirs(x, memory, tgt_mask=nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64),
                      tgt_key_padding_mask=target_pad.double().masked_fill(target_pad, float("-inf")),
                      memory_key_padding_mask=memory_pad.double().masked_fill(memory_pad, float("-inf")))
    output, weights = ours.attend(x, memory, causal_mask(5) & ~target_pad[:, None, :], ~memory_pad[:, None, :])
    torch.testing.assert_close(output, expected, atol=1e-6, rtol=0)
    assert weights["self"].shape == (3, HEADS, 5, 5) and weights["cross"].shape == (3, HEADS, 5, 6)
    assert (weights["self"].triu(1) == 0).all() and (weights["cross"][2, :, :, 1:] == 0).all()


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_equals_pytorchs(norm_first):
    torch.manual_seed(2)
    theirs = nn.Transformer(D, HEADS, 2, 2, FF, dropout=0.0, batch_first=True, norm_first=norm_first).double()
    ours = Transformer.from_torch(theirs)
    source, target = torch.randn(3, 6, D, dtype=torch.float64), torch.randn(3, 5, D, dtype=torch.float64)
    source_pad, target_pad = _padding([6, 4, 2], 6), _padding([5, 5, 3], 5)
    theirs.train()  # PyTorch's fast path (eval + padding) writes zeros at padded positions; dropout is 0
    minus_inf = lambda pad: torch.zeros(pad.shape, dtype=torch.float64).masked_fill(pad, float("-inf"))  # noqa: E731
    expected = theirs(source, target, tgt_mask=nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64),
                      src_key_padding_mask=minus_inf(source_pad), tgt_key_padding_mask=minus_inf(target_pad),
                      memory_key_padding_mask=minus_inf(source_pad))
    output, weights = ours.attend(source, target, ~source_pad[:, None, :], causal_mask(5) & ~target_pad[:, None, :],
                                  ~source_pad[:, None, :])
    torch.testing.assert_close(output, expected, atol=1e-6, rtol=0)
    torch.testing.assert_close(ours(source, target, ~source_pad[:, None, :],
                                    causal_mask(5) & ~target_pad[:, None, :], ~source_pad[:, None, :]), output)
    assert weights["encoder"].shape == (2, 3, HEADS, 6, 6)
    assert weights["self"].shape == (2, 3, HEADS, 5, 5) and weights["cross"].shape == (2, 3, HEADS, 5, 6)


@pytest.mark.parametrize("norm_first", [False, True])
def test_changing_a_future_target_token_leaves_earlier_outputs_unchanged(norm_first):
    torch.manual_seed(3)
    model = Seq2SeqTransformer(11, 13, d_model=D, num_heads=HEADS, norm_first=norm_first).double()
    source, target = torch.randint(0, 11, (2, 6)), torch.randint(0, 13, (2, 8))
    changed = target.clone()
    changed[:, 5] = (changed[:, 5] + 1) % 13
    before, after = model(source, target), model(source, changed)
    assert (before[:, :5] - after[:, :5]).abs().max() < 1e-12
    assert (before[:, 5:] - after[:, 5:]).abs().max() > 1e-3
    lm = CausalLanguageModel(13, d_model=D, num_heads=HEADS).double()
    assert (lm(target)[:, :5] - lm(changed)[:, :5]).abs().max() < 1e-12
    lm.causal = False  # without the mask, the future leaks into every position
    assert (lm(target)[:, :5] - lm(changed)[:, :5]).abs().max() > 1e-3


@pytest.mark.parametrize("norm_first", [False, True])
def test_kv_cache_equals_recomputation(norm_first):
    torch.manual_seed(4)
    model = Seq2SeqTransformer(11, 13, d_model=D, num_heads=HEADS, num_decoder_layers=3, norm_first=norm_first).double()
    source, target = torch.randint(0, 11, (3, 6)), torch.randint(0, 13, (3, 9))
    source_mask = padding_mask(torch.tensor([6, 4, 2]), 6)
    full = model(source, target, source_mask)
    incremental, cache = model.incremental_logits(source, target, source_mask)
    torch.testing.assert_close(incremental, full, atol=1e-6, rtol=0)
    assert cache.length == 9
    assert cache.self_nbytes() == 2 * 3 * 3 * 9 * D * 8  # 2 × layers × batch × n × d_model × bytes
    assert torch.equal(model.greedy(source, 0, 7, source_mask), model.greedy(source, 0, 7, source_mask, use_cache=False))


def test_tied_embeddings_share_one_matrix():
    tied = Seq2SeqTransformer(11, 13, d_model=D, num_heads=HEADS, tie_embeddings=True)
    untied = Seq2SeqTransformer(11, 13, d_model=D, num_heads=HEADS)
    assert tied.output.weight is tied.target_embedding.embedding.weight
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert count(untied) - count(tied) == 13 * D


def test_bad_inputs_get_named_errors():
    layer = EncoderLayer(D, HEADS, FF)
    with pytest.raises(ValueError, match=r"x has shape \(2, 5\) but must have shape \(batch, n, d_model=16\)"):
        layer(torch.randn(2, 5))
    with pytest.raises(ValueError, match=r"mask has shape \(3, 3\) but must broadcast"):
        layer(torch.randn(2, 5, D), torch.ones(3, 3, dtype=torch.bool))
    with pytest.raises(TypeError, match=r"mask must be a bool tensor"):
        layer(torch.randn(2, 5, D), torch.ones(5, 5))
    decoder = DecoderLayer(D, HEADS, FF)
    with pytest.raises(ValueError, match=r"memory has shape \(2, 4, 8\) but must have shape \(batch, n_s, d_model=16\)"):
        decoder(torch.randn(2, 3, D), torch.randn(2, 4, 8))
    with pytest.raises(ValueError, match="first dimension"):
        decoder(torch.randn(2, 3, D), torch.randn(3, 4, D))
    model = Seq2SeqTransformer(11, 13, d_model=D, num_heads=HEADS)
    with pytest.raises(ValueError, match=r"source_mask has shape \(2, 5\) but must have shape \(batch, n_s\)"):
        model(torch.randint(0, 11, (2, 6)), torch.randint(0, 13, (2, 4)), torch.ones(2, 5, dtype=torch.bool))
    with pytest.raises(TypeError, match=r"source_mask must be a bool tensor of shape \(batch, n_s\)"):
        model(torch.randint(0, 11, (2, 6)), torch.randint(0, 13, (2, 4)), torch.ones(2, 6))
    with pytest.raises(ValueError, match=r"activation must be 'relu' or 'gelu'"):
        EncoderLayer(D, HEADS, FF, activation="tanh")
    with pytest.raises(TypeError, match="TransformerEncoderLayer"):
        EncoderLayer.from_torch(nn.Linear(2, 2))


# ---- one layer-order default, dropout where PyTorch has it, weights only when asked ---------

def test_every_transformer_model_defaults_to_pre_ln():
    import inspect

    from attnlab.models.seq2seq_transformer import PaddedSeq2SeqTransformer

    classes = (EncoderLayer, DecoderLayer, Transformer, Seq2SeqTransformer, CausalLanguageModel)
    defaults = {cls.__name__: inspect.signature(cls).parameters["norm_first"].default for cls in classes}
    assert set(defaults.values()) == {True}, defaults
    assert PaddedSeq2SeqTransformer(5, 5, d_model=8, num_heads=2).model.transformer.norm_first


def test_dropout_acts_on_attention_weights_in_training_only():
    torch.manual_seed(0)
    layer = MultiHeadAttention(16, 4, dropout=0.5)
    x = torch.randn(2, 6, 16)
    layer.eval()
    quiet, weights = layer(x, x, x)
    torch.testing.assert_close(layer(x, x, x)[0], quiet)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 4, 6))
    layer.train()
    noisy, noisy_weights = layer(x, x, x)
    assert not torch.allclose(noisy, quiet)
    torch.testing.assert_close(noisy_weights, weights)          # the weights before dropout
    with pytest.raises(ValueError, match="dropout"):
        MultiHeadAttention(16, 4, dropout=1.0)


def test_from_torch_copies_dropout_and_refuses_mixed_probabilities():
    torch.manual_seed(0)
    theirs = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.1, batch_first=True)
    ours = EncoderLayer.from_torch(theirs)
    assert ours.self_attention.attention_dropout.p == 0.1 and ours.dropout1.p == 0.1
    x = torch.randn(2, 5, 16)
    torch.testing.assert_close(ours.eval()(x), theirs.eval()(x))
    theirs.dropout2.p = 0.3
    with pytest.raises(ValueError, match="several dropout probabilities"):
        EncoderLayer.from_torch(theirs)


def test_token_models_drop_on_embeddings_in_training():
    torch.manual_seed(0)
    model = CausalLanguageModel(10, d_model=8, num_heads=2, num_layers=1, d_ff=16, dropout=0.5)
    tokens = torch.randint(0, 10, (2, 6))
    assert model.embedding.dropout.p == 0.5
    model.eval()
    torch.testing.assert_close(model(tokens), model(tokens))
    model.train()
    assert not torch.allclose(model(tokens), model(tokens))


def test_forward_collects_no_attention_weights(monkeypatch):
    """forward gives the outputs only: the weights of the layers are not gathered into a stack
    on every training step (attend does that, when asked)."""
    torch.manual_seed(0)
    cases = [
        (TransformerClassifier(TransformerConfig(vocab_size=9, d_model=8, num_heads=2)),
         (torch.randint(0, 9, (2, 5)),)),
        (CausalLanguageModel(9, d_model=8, num_heads=2), (torch.randint(0, 9, (2, 5)),)),
        (Seq2SeqTransformer(9, 7, d_model=8, num_heads=2),
         (torch.randint(1, 9, (2, 5)), torch.randint(0, 7, (2, 4)))),
        (Transformer(8, 2, 2, 2, 16), (torch.randn(2, 5, 8), torch.randn(2, 4, 8))),
    ]
    expected = [model.attend(*inputs)[0] for model, inputs in cases]

    def no_stack(*args, **kwargs):
        raise AssertionError("forward stacked attention weights")

    monkeypatch.setattr(torch, "stack", no_stack)
    for (model, inputs), logits in zip(cases, expected):
        torch.testing.assert_close(model(*inputs), logits)
