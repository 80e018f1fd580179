"""AttentionReader (chapter 3, addressing): attend returns (logits, weights), weights a distribution."""

import pytest
import torch

from attnlab.models.reader import AttentionReader


def test_attend_gives_logits_and_a_distribution():
    torch.manual_seed(0)
    reader = AttentionReader(vocab_size=20, n_classes=19, d=8)
    tokens = torch.randint(0, 20, (3, 7))
    logits, weights = reader.attend(tokens)
    assert logits.shape == (3, 19) and weights.shape == (3, 7)
    torch.testing.assert_close(weights.sum(-1), torch.ones(3))
    torch.testing.assert_close(reader(tokens), logits)


def test_hidden_tokens_get_zero_weight_and_do_not_matter():
    torch.manual_seed(1)
    reader = AttentionReader(vocab_size=20, n_classes=5, d=8)
    tokens = torch.randint(0, 20, (2, 6))
    keep = torch.tensor([[True, True, False, True, False, True]] * 2)
    logits, weights = reader.attend(tokens, keep)
    assert (weights[~keep] == 0).all()
    changed = tokens.clone()
    changed[~keep] = (changed[~keep] + 1) % 20
    torch.testing.assert_close(reader(changed, keep), logits)


def test_attend_keeps_no_state():
    reader = AttentionReader(vocab_size=4, n_classes=2, d=4)
    before = dict(vars(reader))
    reader.attend(torch.zeros(1, 3, dtype=torch.long))
    assert dict(vars(reader)).keys() == before.keys()


@pytest.mark.parametrize("tokens, keep, error, phrase", [
    (torch.zeros(3, dtype=torch.long), None, ValueError, "tokens has shape \\(3,\\) but must have shape \\(batch, n\\)"),
    (torch.zeros(2, 3), None, TypeError, "tokens must be a long tensor"),
    (torch.zeros(2, 3, dtype=torch.long), torch.ones(2, 4, dtype=torch.bool), ValueError,
     "keep has shape \\(2, 4\\) but must have shape \\(batch, n\\) like tokens = \\(2, 3\\)"),
])
def test_bad_input_is_named(tokens, keep, error, phrase):
    with pytest.raises(error, match=phrase):
        AttentionReader(vocab_size=4, n_classes=2, d=4)(tokens, keep)


def test_a_mask_of_the_wrong_dtype_is_a_type_error():
    tokens, keep = torch.zeros(2, 3, dtype=torch.long), torch.ones(2, 3)
    with pytest.raises(TypeError, match="keep must be a bool tensor .* got dtype torch.float32"):
        AttentionReader(vocab_size=4, n_classes=2, d=4)(tokens, keep)


def test_bad_sizes_are_named():
    with pytest.raises(ValueError, match="n_classes"):
        AttentionReader(vocab_size=4, n_classes=0)
