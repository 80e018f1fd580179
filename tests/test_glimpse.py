"""attnlab.models.glimpse and attnlab.data.marked_digits (chapter 4, soft/hard/local)."""

import math

import pytest
import torch

from attnlab.data.marked_digits import make_marked_digits
from attnlab.models.glimpse import MODES, GlimpseReader


def test_marked_digits_shapes_and_one_mark_per_block():
    images, marks, targets = make_marked_digits(50, seed=3)
    assert images.shape == (50, 16, 64) and marks.shape == (50, 16) and targets.shape == (50, 4)
    assert (marks.view(50, 4, 4).sum(-1) == 1).all()
    assert 0 <= images.min() and images.max() <= 1
    again = make_marked_digits(50, seed=3)
    assert torch.equal(images, again[0]) and torch.equal(targets, again[2])
    with pytest.raises(ValueError, match="split"):
        make_marked_digits(5, split="val")


@pytest.mark.parametrize("mode", MODES)
def test_every_reader_gives_logits_and_rows_of_weights(mode):
    images, marks, targets = make_marked_digits(8, seed=0)
    torch.manual_seed(0)
    model = GlimpseReader(mode)
    logits = model(images, marks)
    assert logits.shape == (8, 4, 10)
    loss = model.loss(logits, targets)
    loss.backward()
    assert model.query.grad is not None and model.query.grad.abs().sum() > 0
    _, weights = model.attend(images, marks)
    assert weights.shape == (8, 4, 16) and (weights >= 0).all()
    sums = weights.sum(-1)
    if mode == "local-p":  # the in-window softmax times a Gaussian: at most 1, and not all lost
        assert (sums <= 1 + 1e-6).all() and (sums > 0.1).all()
    else:                  # a distribution over the slots (soft, local-m) or one slot (hard, sampled)
        torch.testing.assert_close(sums, torch.ones(8, 4))
    if mode.startswith("local"):  # nothing outside the window [p - D, p + D]
        centres = model.centres(marks).detach()
        outside = (torch.arange(16) - centres.unsqueeze(-1)).abs() > model.half_width
        assert (weights[outside] == 0).all()
    model.eval()
    if mode in ("reinforce", "gumbel"):
        _, hard = model.attend(images, marks)
        assert ((hard == 0) | (hard == 1)).all() and (hard.sum(-1) == 1).all()
        # in evaluation mode a hard reader takes the best slot, it does not sample
        assert torch.equal(hard.argmax(-1), model.scores(marks).argmax(-1))


def test_unknown_mode():
    with pytest.raises(ValueError, match="mode must be one of"):
        GlimpseReader("spotlight")


def test_scores_are_scaled_dot_products_of_unit_variance():
    """The scores are q . k / sqrt(d_k), as the course teaches, and start with variance about 1."""
    _, marks, _ = make_marked_digits(64, seed=1)
    spread = []
    for seed in range(20):
        torch.manual_seed(seed)
        model = GlimpseReader("soft")
        keys = marks.unsqueeze(-1) * model.key_mark + model.key_position
        expected = model.query @ keys.transpose(-2, -1) / math.sqrt(keys.shape[-1])
        torch.testing.assert_close(model.scores(marks), expected)
        spread.append(model.scores(marks).detach().var().item())
    # unmarked keys have variance 1 per coordinate, marked ones 2; a quarter of the slots are marked
    assert 0.8 < sum(spread) / len(spread) < 1.6
