"""Tests of attnlab.models.sets (chapter 1, "Information overload")."""

import pytest
import torch
import torch.nn.functional as F

from attnlab.models.sets import READOUTS, TaggedSetClassifier


def _batch(generator):
    items = torch.randn(3, 5, 64, generator=generator)
    tags = torch.stack([torch.randperm(16, generator=generator)[:5] for _ in range(3)])
    mask = torch.tensor([[True] * 5, [True, True, False, False, False], [True, False, True, False, True]])
    return items, tags, mask, tags[:, 0]


@pytest.mark.parametrize("readout", READOUTS)
def test_shapes_and_masked_slots_are_ignored(readout):
    torch.manual_seed(0)
    model = TaggedSetClassifier(64, 16, 10, d_model=8, readout=readout)
    items, tags, mask, asked = _batch(torch.Generator().manual_seed(1))
    logits = model(items, tags, mask, asked)
    assert logits.shape == (3, 10)
    changed = items.clone()
    changed[~mask] = 50.0
    assert torch.allclose(model(changed, tags, mask, asked), logits, atol=1e-5)


@pytest.mark.parametrize("readout", READOUTS)
def test_attend_returns_the_logits_and_the_pooling_weights_afresh(readout):
    torch.manual_seed(0)
    model = TaggedSetClassifier(64, 16, 10, d_model=8, readout=readout)
    items, tags, mask, asked = _batch(torch.Generator().manual_seed(4))
    logits, weights = model.attend(items, tags, mask, asked)
    torch.testing.assert_close(logits, model(items, tags, mask, asked))
    assert weights.shape == (3, 5) and (weights[~mask] == 0).all()
    torch.testing.assert_close(weights.sum(1), torch.ones(3))
    # nothing is stored: a second call on other inputs does not change the first result
    model.attend(items[:1], tags[:1], mask[:1], asked[:1])
    torch.testing.assert_close(model.attend(items, tags, mask, asked)[1], weights)


def test_attention_readout_matches_pytorch():
    torch.manual_seed(0)
    model = TaggedSetClassifier(64, 16, 10, d_model=8, readout="attention")
    items, tags, mask, asked = _batch(torch.Generator().manual_seed(2))
    logits = model(items, tags, mask, asked)
    encoded = model.item_encoder(torch.cat([items, model.tag_embedding(tags)], dim=-1))
    question = model.tag_embedding(asked)
    summary = F.scaled_dot_product_attention(question[:, None], model.key_proj(encoded), encoded,
                                             attn_mask=mask[:, None])[:, 0]
    assert torch.allclose(logits, model.answer(torch.cat([summary, question], -1)), atol=1e-5)


def test_early_fusion_feeds_the_question_to_every_item_and_late_fusion_does_not():
    torch.manual_seed(0)
    items, tags, mask, asked = _batch(torch.Generator().manual_seed(3))
    other = (asked + 1) % 16
    early = TaggedSetClassifier(64, 16, 10, d_model=8, readout="early")
    fused = torch.cat([items, early.tag_embedding(tags),
                       early.tag_embedding(asked)[:, None].expand(-1, 5, -1)], dim=-1)
    weights = mask.float() / mask.float().sum(1, keepdim=True)
    summary = (weights[..., None] * early.item_encoder(fused)).sum(1)
    expected = early.answer(torch.cat([summary, early.tag_embedding(asked)], -1))
    torch.testing.assert_close(early(items, tags, mask, asked), expected)
    # late fusion's summary is the same whatever the question: only the answer network sees it
    late = TaggedSetClassifier(64, 16, 10, d_model=8, readout="mean")
    hooked = []
    late.answer.register_forward_hook(lambda module, inputs, output: hooked.append(inputs[0][:, :8]))
    late(items, tags, mask, asked), late(items, tags, mask, other)
    torch.testing.assert_close(hooked[0], hooked[1])


def test_parameter_counts_and_bad_input_is_named():
    mean = TaggedSetClassifier(64, 16, 10, d_model=8, readout="mean")
    attention = TaggedSetClassifier(64, 16, 10, d_model=8, readout="attention")
    early = TaggedSetClassifier(64, 16, 10, d_model=8, readout="early")
    count = lambda m: sum(p.numel() for p in m.parameters())
    assert count(attention) - count(mean) == 8 * 8 + 8          # the key projection
    assert count(early) - count(mean) == 8 * 16                 # the question's input to the encoder
    with pytest.raises(ValueError, match="readout must be one of"):
        TaggedSetClassifier(64, 16, 10, readout="max")
    good = (torch.zeros(3, 5, 64), torch.zeros(3, 5, dtype=torch.long), torch.ones(3, 5, dtype=torch.bool),
            torch.zeros(3, dtype=torch.long))
    for position, bad, error, phrase in [
            (0, torch.zeros(3, 64), ValueError, r"items has shape \(3, 64\) but must have shape"),
            (1, torch.zeros(3, 5), TypeError, "tags must be a long tensor of shape"),
            (2, torch.ones(3, 5), TypeError, "mask must be a bool tensor of shape"),
            (3, torch.zeros(4, dtype=torch.long), ValueError, "the batch sizes differ"),
            (1, torch.zeros(3, 4, dtype=torch.long), ValueError, r"must have shape \(batch, n_items\)")]:
        inputs = list(good)
        inputs[position] = bad
        with pytest.raises(error, match=phrase):
            mean(*inputs)
