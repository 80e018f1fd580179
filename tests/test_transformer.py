"""The Transformer family (attnlab.models.transformer): every layer equals PyTorch's own, in
float64 to 1e-6, post-LN and pre-LN, with masks; the heads mask what they must; the KV cache
equals recomputation; one layer-order default; dropout where PyTorch has it; weights gathered
only when asked."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from attnlab.attention import causal_mask
from attnlab.models.transformer import (CausalLanguageModel, DecoderLayer, Encoder, EncoderLayer,
                                        Seq2SeqTransformer, Transformer, TransformerClassifier,
                                        TransformerConfig, from_torch)

D, HEADS, FF = 16, 4, 32
LAYER = TransformerConfig(d_model=D, num_heads=HEADS, d_ff=FF)


def _padding(lengths, n):
    """PyTorch's key_padding_mask (True = pad) for the given lengths."""
    return torch.arange(n)[None, :] >= torch.tensor(lengths)[:, None]


# ---- equal to PyTorch ----------------------------------------------------------------------

@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_layer_equals_pytorchs(norm_first, activation):
    torch.manual_seed(0)
    theirs = nn.TransformerEncoderLayer(D, HEADS, FF, dropout=0.0, activation=activation, batch_first=True,
                                        norm_first=norm_first).double()
    ours = from_torch(theirs)
    assert isinstance(ours, EncoderLayer) and ours.attention_block.norm_first == norm_first
    x = torch.randn(3, 7, D, dtype=torch.float64)
    pad = _padding([7, 5, 3], 7)
    expected = theirs(x, src_key_padding_mask=pad)
    for mask in (~pad[:, None, :], ~pad[:, None, None, :]):  # (batch, 1, n) and (batch, 1, 1, n)
        torch.testing.assert_close(ours(x, mask)[~pad], expected[~pad], atol=1e-6, rtol=0)
    causal = nn.Transformer.generate_square_subsequent_mask(7, dtype=torch.float64)
    torch.testing.assert_close(ours(x, causal_mask(7)), theirs(x, src_mask=causal, is_causal=True),
                               atol=1e-6, rtol=0)
    _, weights = ours.attend(x, ~pad[:, None, :])
    assert weights.shape == (3, HEADS, 7, 7) and (weights[2, :, :, 3:] == 0).all()


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_equals_pytorchs(norm_first):
    torch.manual_seed(1)
    theirs = nn.TransformerDecoderLayer(D, HEADS, FF, dropout=0.0, batch_first=True, norm_first=norm_first).double()
    ours = from_torch(theirs)
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
    ours = from_torch(theirs)
    source, target = torch.randn(3, 6, D, dtype=torch.float64), torch.randn(3, 5, D, dtype=torch.float64)
    source_pad, target_pad = _padding([6, 4, 2], 6), _padding([5, 5, 3], 5)
    theirs.train()  # PyTorch's fast path (eval + padding) writes zeros at padded positions; dropout is 0
    minus_inf = lambda pad: torch.zeros(pad.shape, dtype=torch.float64).masked_fill(pad, float("-inf"))  # noqa: E731
    expected = theirs(source, target, tgt_mask=nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64),
                      src_key_padding_mask=minus_inf(source_pad), tgt_key_padding_mask=minus_inf(target_pad),
                      memory_key_padding_mask=minus_inf(source_pad))
    masks = (~source_pad[:, None, :], causal_mask(5) & ~target_pad[:, None, :], ~source_pad[:, None, :])
    output, weights = ours.attend(source, target, *masks)
    torch.testing.assert_close(output, expected, atol=1e-6, rtol=0)
    torch.testing.assert_close(ours(source, target, *masks), output)
    assert weights["encoder"].shape == (2, 3, HEADS, 6, 6)
    assert weights["self"].shape == (2, 3, HEADS, 5, 5) and weights["cross"].shape == (2, 3, HEADS, 5, 6)


def test_from_torch_refuses_what_it_cannot_copy():
    with pytest.raises(TypeError, match="TransformerEncoderLayer"):
        from_torch(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="batch_first"):
        from_torch(nn.MultiheadAttention(8, 2))
    layer = nn.TransformerEncoderLayer(D, HEADS, FF, dropout=0.1, batch_first=True)
    copied = from_torch(layer)
    assert copied.self_attention.attention_dropout.p == 0.1 and copied.attention_block.dropout.p == 0.1
    layer.dropout2.p = 0.3
    with pytest.raises(ValueError, match="several dropout probabilities"):
        from_torch(layer)


# ---- the classifier ------------------------------------------------------------------------

@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 1000), n=st.integers(2, 9))
def test_without_positions_the_encoder_is_permutation_equivariant(seed, n):
    torch.manual_seed(seed)
    encoder = Encoder(TransformerConfig(d_model=8, num_heads=2)).eval()
    x, permutation = torch.randn(1, n, 8), torch.randperm(n)
    torch.testing.assert_close(encoder(x[:, permutation]), encoder(x)[:, permutation], atol=1e-5, rtol=0)


def test_with_positions_order_matters():
    torch.manual_seed(0)
    model = TransformerClassifier(TransformerConfig(vocab_size=7, d_model=8, num_heads=2)).eval()
    tokens = torch.tensor([[1, 2, 3, 4]])
    states = model.encoder(model.embedding(tokens))
    flipped = model.encoder(model.embedding(tokens.flip(1)))
    assert not torch.allclose(flipped, states.flip(1), atol=1e-3)


@pytest.mark.parametrize("positional", ["sinusoidal", "learned", None])
@pytest.mark.parametrize("pooling", ["mean", "first"])
def test_classifier_shapes_and_weights(positional, pooling):
    config = TransformerConfig(vocab_size=9, d_model=8, num_heads=2, n_layers=3, n_classes=4,
                               positional=positional, pooling=pooling)
    model = TransformerClassifier(config)
    tokens = torch.randint(0, 9, (5, 11))
    logits, weights = model.attend(tokens)
    assert logits.shape == (5, 4) and weights.shape == (3, 5, 2, 11, 11)
    torch.testing.assert_close(model(tokens), logits)


def test_the_classifier_ignores_padding():
    torch.manual_seed(0)
    model = TransformerClassifier(TransformerConfig(vocab_size=9, d_model=8, num_heads=2)).eval()
    tokens = torch.tensor([[3, 4, 5, 0, 0]])
    mask = tokens != 0
    other = tokens.clone()
    other[0, 3:] = 7                                    # change only the padding
    torch.testing.assert_close(model(tokens, mask), model(other, mask), atol=1e-6, rtol=0)
    torch.testing.assert_close(model(tokens, mask), model(tokens[:, :3]), atol=1e-5, rtol=0)
    _, weights = model.attend(tokens, mask)
    assert (weights[..., 3:] == 0).all()                # padding gets no weight in any layer


# ---- the language model --------------------------------------------------------------------

@pytest.mark.parametrize("norm_first", [False, True])
def test_a_future_token_changes_no_earlier_output_unless_the_mask_is_off(norm_first):
    torch.manual_seed(3)
    config = TransformerConfig(vocab_size=13, target_vocab_size=11, d_model=D, num_heads=HEADS, norm_first=norm_first)
    source, target = torch.randint(1, 13, (2, 6)), torch.randint(0, 11, (2, 8))
    changed = target.clone()
    changed[:, 5] = (changed[:, 5] + 1) % 11
    model = Seq2SeqTransformer(config).double()
    before, after = model(source, target), model(source, changed)
    assert (before[:, :5] - after[:, :5]).abs().max() < 1e-12 < 1e-3 < (before[:, 5:] - after[:, 5:]).abs().max()
    lm = CausalLanguageModel(config).double()
    assert (lm(target)[:, :5] - lm(changed)[:, :5]).abs().max() < 1e-12
    leaky = CausalLanguageModel(config.replace(causal=False)).double()
    leaky.load_state_dict(lm.state_dict())
    assert (leaky(target)[:, :5] - leaky(changed)[:, :5]).abs().max() > 1e-3


def test_the_language_models_cache_equals_recomputation_and_generate_follows_it():
    torch.manual_seed(5)
    model = CausalLanguageModel(TransformerConfig(vocab_size=11, d_model=D, num_heads=HEADS, n_layers=2,
                                                  max_positions=12)).double().eval()
    tokens = torch.randint(0, 11, (2, 7))
    cache = model.encoder.new_cache()
    stepped = torch.cat([model(tokens[:, :3], cache=cache), model(tokens[:, 3:5], cache=cache),
                         model(tokens[:, 5:], cache=cache)], dim=1)
    torch.testing.assert_close(stepped, model(tokens), atol=1e-10, rtol=0)
    greedy, sequence = model.generate(tokens[:, :4], 10), tokens[:, :4]   # 14 > 12: the window slides
    for _ in range(10):
        sequence = torch.cat([sequence, model(sequence[:, -12:])[:, -1].argmax(-1, keepdim=True)], dim=1)
    assert torch.equal(greedy, sequence[:, 4:])


def test_sampling_draws_from_the_top_k_only():
    torch.manual_seed(6)
    model = CausalLanguageModel(TransformerConfig(vocab_size=11, d_model=D, num_heads=HEADS)).eval()
    prompt = torch.randint(0, 11, (64, 3))
    top2 = model(prompt)[:, -1].topk(2).indices
    drawn = model.generate(prompt, 1, temperature=1.0, top_k=2, generator=torch.Generator().manual_seed(0))
    assert ((drawn == top2[:, :1]) | (drawn == top2[:, 1:])).all()
    assert (drawn != top2[:, :1]).any()                 # not always the most likely one
    with pytest.raises(ValueError, match="temperature"):
        model.generate(prompt, 1, temperature=-1.0)


# ---- the encoder-decoder on tokens ---------------------------------------------------------

def _seq2seq(**changes):
    torch.manual_seed(4)
    config = TransformerConfig(vocab_size=11, target_vocab_size=13, d_model=D, num_heads=HEADS,
                               n_decoder_layers=3, **changes)
    return Seq2SeqTransformer(config).double().eval()


def test_the_source_padding_is_masked():
    model = _seq2seq()
    source = torch.tensor([[3, 4, 5, 2, 0, 0], [6, 7, 8, 3, 4, 2]])
    target_in = torch.randint(1, 13, (2, 4))
    more_padding = torch.cat([source, torch.zeros(2, 3, dtype=torch.long)], 1)
    torch.testing.assert_close(model(more_padding, target_in), model(source, target_in))
    _, weights = model.attend(source, target_in)
    assert (weights["cross"][:, 0, :, :, 4:] == 0).all() and (weights["encoder"][:, 0, :, :, 4:] == 0).all()


def test_the_decoders_cache_equals_recomputation():
    model = _seq2seq()
    source, target_in = torch.randint(1, 11, (3, 6)), torch.randint(0, 13, (3, 9))
    memory = model.encode(source)
    cache = model.initial_state(memory)
    stepped = []
    for t in range(9):
        logits, weights, cache = model.step(memory, cache, target_in[:, t])
        stepped.append(logits)
    torch.testing.assert_close(torch.stack(stepped, 1), model(source, target_in), atol=1e-10, rtol=0)
    assert weights is None and cache.length == 9
    assert cache.self_nbytes() == 2 * 3 * 3 * 9 * D * 8  # 2 x layers x batch x n x d_model x bytes
    assert cache.cross_nbytes() == 2 * 3 * 3 * 6 * D * 8


def test_tied_embeddings_share_one_matrix():
    tied, untied = _seq2seq(tie_embeddings=True), _seq2seq()
    assert tied.output.weight is tied.target_embedding.embedding.weight
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert count(untied) - count(tied) == 13 * D


# ---- one recipe: the layer order, the final norm, dropout, weights only when asked ---------

def test_one_default_layer_order_and_one_final_norm_policy():
    assert TransformerConfig().norm_first is True
    pre, post = Encoder(TransformerConfig()), Encoder(TransformerConfig(norm_first=False))
    assert isinstance(pre.norm, nn.LayerNorm) and isinstance(post.norm, nn.Identity)
    assert isinstance(Encoder(TransformerConfig(norm_first=False, final_norm=True)).norm, nn.LayerNorm)


def test_dropout_acts_in_training_only():
    torch.manual_seed(0)
    model = CausalLanguageModel(TransformerConfig(vocab_size=10, d_model=8, num_heads=2, dropout=0.5))
    tokens = torch.randint(0, 10, (2, 6))
    model.eval()
    torch.testing.assert_close(model(tokens), model(tokens))
    model.train()
    assert not torch.allclose(model(tokens), model(tokens))


def test_forward_gathers_no_attention_weights(monkeypatch):
    torch.manual_seed(0)
    cases = [
        (TransformerClassifier(TransformerConfig(vocab_size=9, d_model=8, num_heads=2)), (torch.randint(0, 9, (2, 5)),)),
        (CausalLanguageModel(TransformerConfig(vocab_size=9, d_model=8, num_heads=2)), (torch.randint(0, 9, (2, 5)),)),
        (Seq2SeqTransformer(TransformerConfig(vocab_size=9, target_vocab_size=7, d_model=8, num_heads=2)),
         (torch.randint(1, 9, (2, 5)), torch.randint(0, 7, (2, 4)))),
        (Transformer(TransformerConfig(d_model=8, num_heads=2)), (torch.randn(2, 5, 8), torch.randn(2, 4, 8))),
    ]
    expected = [model.attend(*inputs)[0] for model, inputs in cases]

    def no_stack(*args, **kwargs):
        raise AssertionError("forward stacked attention weights")

    monkeypatch.setattr(torch, "stack", no_stack)
    for (model, inputs), logits in zip(cases, expected):
        torch.testing.assert_close(model(*inputs), logits)


# ---- bad input -----------------------------------------------------------------------------

def test_bad_input_gets_named_errors():
    layer, decoder = EncoderLayer(LAYER), DecoderLayer(LAYER)
    with pytest.raises(ValueError, match=r"x has shape \(2, 5\) but must have shape \(batch, n, d_model=16\)"):
        layer(torch.randn(2, 5))
    with pytest.raises(ValueError, match=r"mask has shape \(3, 3\) but scores have shape"):
        layer(torch.randn(2, 5, D), torch.ones(3, 3, dtype=torch.bool))
    with pytest.raises(TypeError, match=r"mask must have dtype torch.bool"):
        layer(torch.randn(2, 5, D), torch.ones(5, 5))
    with pytest.raises(ValueError, match=r"memory has shape \(2, 4, 8\) but must have shape \(batch, n_source, d_model=16\)"):
        decoder(torch.randn(2, 3, D), torch.randn(2, 4, 8))
    with pytest.raises(ValueError, match="batch sizes differ"):
        decoder(torch.randn(2, 3, D), torch.randn(3, 4, D))
    model = TransformerClassifier(TransformerConfig(vocab_size=9, d_model=8, num_heads=2, max_positions=6))
    with pytest.raises(TypeError, match=r"tokens must be a long tensor of shape \(batch, n\)"):
        model(torch.zeros(2, 3))
    with pytest.raises(ValueError, match=r"mask has shape \(1, 4\) but must have shape \(batch, n\) = \(1, 3\)"):
        model(torch.zeros(1, 3, dtype=torch.long), torch.ones(1, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="max_positions=6"):
        model(torch.zeros(1, 7, dtype=torch.long))
    for field, value, phrase in [("activation", "tanh", "activation must be one of"),
                                 ("positional", "rotary", "positional must be one of"),
                                 ("pooling", "max", "pooling must be one of"),
                                 ("num_heads", 3, "divisible"), ("dropout", 1.0, "dropout")]:
        with pytest.raises(ValueError, match=phrase):
            TransformerConfig(**{field: value})
    with pytest.raises(ValueError, match="vocab_size"):
        TransformerClassifier(TransformerConfig())


def test_generation_without_the_causal_mask_reads_each_window_afresh():
    """A non-causal model's keys depend on later tokens, so no KV cache is valid: its greedy
    generation must equal recomputing the window at every step."""
    from attnlab.models.transformer import CausalLanguageModel, TransformerConfig

    torch.manual_seed(0)
    model = CausalLanguageModel(TransformerConfig(vocab_size=9, d_model=16, num_heads=2, d_ff=32,
                                                  causal=False, max_positions=6)).eval()
    prompt = torch.randint(0, 9, (2, 4))
    tokens = prompt
    with torch.no_grad():
        for _ in range(5):
            tokens = torch.cat([tokens, model(tokens[:, -6:])[:, -1].argmax(-1, keepdim=True)], dim=1)
        assert torch.equal(model.generate(prompt, 5), tokens[:, 4:])
