"""Tests of attnlab.models.sets (chapter 1, "Information overload")."""

import pytest
import torch
import torch.nn.functional as F

from attnlab.models.sets import TaggedSetClassifier


def _batch(generator):
    items = torch.randn(3, 5, 64, generator=generator)
    tags = torch.stack([torch.randperm(16, generator=generator)[:5] for _ in range(3)])
    mask = torch.tensor([[True] * 5, [True, True, False, False, False], [True, False, True, False, True]])
    return items, tags, mask, tags[:, 0]


@pytest.mark.parametrize("readout", ["mean", "attention"])
def test_shapes_and_masked_slots_are_ignored(readout):
    torch.manual_seed(0)
    model = TaggedSetClassifier(64, 16, 10, d_model=8, readout=readout)
    items, tags, mask, asked = _batch(torch.Generator().manual_seed(1))
    logits = model(items, tags, mask, asked)
    assert logits.shape == (3, 10)
    changed = items.clone()
    changed[~mask] = 50.0
    assert torch.allclose(model(changed, tags, mask, asked), logits, atol=1e-5)


def test_attention_readout_matches_pytorch_and_weights_are_kept():
    torch.manual_seed(0)
    model = TaggedSetClassifier(64, 16, 10, d_model=8, readout="attention")
    items, tags, mask, asked = _batch(torch.Generator().manual_seed(2))
    logits = model(items, tags, mask, asked)
    encoded = model.item_encoder(torch.cat([items, model.tag_embedding(tags)], dim=-1))
    question = model.tag_embedding(asked)
    summary = F.scaled_dot_product_attention(question[:, None], model.key_proj(encoded), encoded,
                                             attn_mask=mask[:, None])[:, 0]
    assert torch.allclose(logits, model.answer(torch.cat([summary, question], -1)), atol=1e-5)
    assert torch.allclose(model.weights.sum(1), torch.ones(3)) and (model.weights[~mask] == 0).all()


def test_only_attention_has_a_key_projection_and_bad_input_is_named():
    mean = TaggedSetClassifier(64, 16, 10, d_model=8, readout="mean")
    attention = TaggedSetClassifier(64, 16, 10, d_model=8, readout="attention")
    extra = sum(p.numel() for p in attention.parameters()) - sum(p.numel() for p in mean.parameters())
    assert extra == 8 * 8 + 8
    with pytest.raises(ValueError, match="readout must be"):
        TaggedSetClassifier(64, 16, 10, readout="max")
    with pytest.raises(ValueError, match=r"expected items \(batch, n_items, d_item\)"):
        mean(torch.zeros(3, 64), torch.zeros(3, 5, dtype=torch.long), torch.ones(3, 5, dtype=torch.bool),
             torch.zeros(3, dtype=torch.long))
