"""attnlab.pretrained: all-MiniLM-L6-v2 in the course's own encoder equals the transformers library.

The reference is transformers' BertModel with eager attention (the sdpa path returns no
attention weights). Compared on the real tokens of several sentences of different lengths, so
that padding is exercised: hidden states to 1e-4 and every layer's attention weights to 1e-5,
float32. Padded positions are not compared as queries: no output reads them (mean pooling skips
them); as keys they are compared, and get weight 0 in both.
"""

from __future__ import annotations

import pytest
import torch

from attnlab.pretrained import mean_pool, minilm, minilm_path, sentence_similarity

SENTENCES = [
    "The animal didn't cross the street because it was too tired.",
    "Hello world",
    "A man is playing a guitar on the stage, and the crowd sings along with him.",
    "Attention is all you need?",
]


@pytest.fixture(scope="module")
def ours():
    return minilm()


@pytest.fixture(scope="module")
def reference():
    import transformers   # in requirements.txt: a missing install must fail, not skip

    return transformers.AutoModel.from_pretrained(str(minilm_path()), attn_implementation="eager").eval()


@pytest.fixture(scope="module")
def both(ours, reference):
    input_ids, attention_mask = ours.encode(SENTENCES)
    with torch.no_grad():
        hidden, weights = ours.attend(input_ids, attention_mask)
        out = reference(input_ids=input_ids, attention_mask=attention_mask.long(), output_attentions=True)
    return input_ids, attention_mask, hidden, weights, out


def test_encode_pads_and_marks_special_tokens(ours):
    input_ids, attention_mask = ours.encode(SENTENCES)
    lengths = attention_mask.sum(1)
    assert input_ids.shape == attention_mask.shape == (4, int(lengths.max()))
    assert len(set(lengths.tolist())) == 4  # four lengths: padding is exercised
    tokens = ours.tokens(input_ids)
    for row, n in zip(tokens, lengths.tolist()):
        assert row[0] == "[CLS]" and row[n - 1] == "[SEP]" and set(row[n:]) <= {"[PAD]"}


def test_hidden_states_equal_transformers(both):
    _, attention_mask, hidden, _, out = both
    assert hidden.shape == out.last_hidden_state.shape == (4, attention_mask.shape[1], 384)
    real = attention_mask[..., None].expand_as(hidden)
    torch.testing.assert_close(hidden[real], out.last_hidden_state[real], rtol=0, atol=1e-4)


def test_attention_weights_equal_transformers(both):
    _, attention_mask, _, weights, out = both
    theirs = torch.stack(out.attentions)
    assert weights.shape == theirs.shape == (6, 4, 12, attention_mask.shape[1], attention_mask.shape[1])
    real_queries = attention_mask[None, :, None, :, None].expand_as(weights)
    torch.testing.assert_close(weights[real_queries], theirs[real_queries], rtol=0, atol=1e-5)
    padded_keys = ~attention_mask[None, :, None, None, :].expand_as(weights)
    assert weights[padded_keys].abs().max() == 0 and theirs[padded_keys].abs().max() < 1e-30


def test_sentence_embeddings_are_mean_pooled_and_unit_length(ours, both):
    input_ids, attention_mask, hidden, _, out = both
    embeddings = ours.sentence_embeddings(input_ids, attention_mask)
    reference = torch.nn.functional.normalize(
        (out.last_hidden_state * attention_mask[..., None]).sum(1) / attention_mask.sum(1, keepdim=True), dim=-1)
    torch.testing.assert_close(embeddings, reference, rtol=0, atol=1e-5)
    torch.testing.assert_close(embeddings.norm(dim=-1), torch.ones(4))
    similarity = sentence_similarity(embeddings[:1].expand(4, -1), embeddings)
    assert similarity[0] == pytest.approx(1.0, abs=1e-5) and (similarity[1:] < 0.9).all()


def test_padding_does_not_change_a_sentence(ours):
    alone_ids, alone_mask = ours.encode(SENTENCES[1])
    batch_ids, batch_mask = ours.encode(SENTENCES)
    n = int(alone_mask.sum())
    alone, _ = ours.attend(alone_ids, alone_mask)
    batched, _ = ours.attend(batch_ids, batch_mask)
    torch.testing.assert_close(batched[1, :n], alone[0], rtol=0, atol=1e-4)


def test_head_mask_removes_exactly_one_head(ours):
    input_ids, attention_mask = ours.encode(SENTENCES[:2])
    head_mask = torch.ones(6, 12)
    full, full_weights = ours.attend(input_ids, attention_mask)
    same, _ = ours.attend(input_ids, attention_mask, head_mask)
    torch.testing.assert_close(same, full)
    head_mask[2, 5] = 0
    ablated, ablated_weights = ours.attend(input_ids, attention_mask, head_mask)
    # Layers up to and including 2 attend as before; the removed head changes what follows.
    torch.testing.assert_close(ablated_weights[:3], full_weights[:3])
    assert (ablated - full).abs().max() > 1e-3
    # Removing a head = zeroing its columns of the output projection.
    layer = ours.encoder.layers[2].self_attention
    x = ours.embed(input_ids)
    key_mask = attention_mask[:, None, :]
    for i in range(2):
        x, _ = ours.encoder.layers[i].attend(x, key_mask)
    by_mask, _ = ours.encoder.layers[2].attend(x, key_mask, head_mask=head_mask[2])
    saved = layer.out_proj.weight[:, 5 * 32:6 * 32].clone()
    try:
        layer.out_proj.weight[:, 5 * 32:6 * 32] = 0
        by_weights, _ = ours.encoder.layers[2].attend(x, key_mask)
    finally:
        layer.out_proj.weight[:, 5 * 32:6 * 32] = saved
    torch.testing.assert_close(by_mask, by_weights)


def test_bad_inputs_are_named(ours):
    input_ids, attention_mask = ours.encode(SENTENCES[:2])
    with pytest.raises(ValueError, match="attention_mask"):
        ours.attend(input_ids, attention_mask[:, :-1])
    with pytest.raises(ValueError, match="head_mask"):
        ours.attend(input_ids, attention_mask, torch.ones(12))
    with pytest.raises(TypeError, match="sentences"):
        ours.encode([])
    with pytest.raises(ValueError, match="attention_mask"):
        mean_pool(torch.zeros(2, 3, 4), torch.ones(2, 4))


def test_minilm_is_cached_and_frozen(ours):
    assert minilm() is ours
    assert not any(p.requires_grad for p in ours.parameters()) and not ours.training
