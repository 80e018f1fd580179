"""attnlab.models.glimpse and attnlab.data.marked_digits (chapter 4, soft/hard/local)."""

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


def test_unknown_mode():
    with pytest.raises(ValueError, match="mode must be one of"):
        GlimpseReader("spotlight")
