"""GlimpseReader.attend: (logits, weights) computed afresh, with no stored state (chapter 4)."""

import math

import pytest
import torch

from attnlab.data.marked_digits import make_marked_digits
from attnlab.models.glimpse import MODES, GlimpseReader


@pytest.mark.parametrize("mode", MODES)
def test_attend_returns_the_forward_logits_and_the_weights(mode):
    images, marks, _ = make_marked_digits(6, seed=0)
    torch.manual_seed(0)
    model = GlimpseReader(mode).eval()
    logits, weights = model.attend(images, marks)
    assert logits.shape == (6, 4, 10) and weights.shape == (6, 4, 16)
    torch.testing.assert_close(logits, model(images, marks))
    torch.testing.assert_close(weights, model.attend(images, marks)[1])  # afresh, the same again
    # the logits are the classifier of the weighted values: nothing else enters
    torch.testing.assert_close(logits, model.classifier(weights @ model.value(images)))


def test_attend_stores_nothing():
    images, marks, targets = make_marked_digits(6, seed=1)
    torch.manual_seed(0)
    model = GlimpseReader("reinforce").train()
    model.attend(images, marks)
    assert model.last == {}
    logits = model(images, marks)                     # forward keeps the sample for loss()
    model.loss(logits, targets).backward()
    assert model.key_mark.grad is not None and model.key_mark.grad.abs().sum() > 0


def test_reinforce_loss_without_forward_is_explained():
    images, marks, targets = make_marked_digits(4, seed=2)
    model = GlimpseReader("reinforce").train()
    with pytest.raises(RuntimeError, match="forward pass"):
        model.loss(torch.zeros(4, 4, 10), targets)


def test_hard_read_of_one_slot_equals_the_one_hot_read():
    """The saving of chapter 4: running the value network on the chosen slot only gives the same logits."""
    images, marks, _ = make_marked_digits(5, seed=3)
    torch.manual_seed(0)
    model = GlimpseReader("gumbel").eval()
    keys = marks.unsqueeze(-1) * model.key_mark + model.key_position
    chosen = (model.query @ keys.transpose(-2, -1) / math.sqrt(keys.shape[-1])).argmax(-1)
    picked = images.gather(1, chosen.unsqueeze(-1).expand(-1, -1, images.shape[-1]))
    torch.testing.assert_close(model.classifier(model.value(picked)), model.attend(images, marks)[0])


@pytest.mark.parametrize("images, marks, phrase", [
    (torch.zeros(2, 16), torch.zeros(2, 16), "images has shape"),
    (torch.zeros(2, 16, 64), torch.zeros(3, 16), "batch sizes differ"),
    (torch.zeros(2, 12, 64), torch.zeros(2, 12), "n_slots=16"),
])
def test_bad_input_names_the_argument(images, marks, phrase):
    with pytest.raises(ValueError, match=phrase):
        GlimpseReader("soft").attend(images, marks)
