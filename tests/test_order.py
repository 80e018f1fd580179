"""The A-before-B order task of chapter 3."""

import torch

from attnlab.data.order import make_a_before_b, token_labels as order_labels


def test_a_before_b_has_one_a_one_b_and_balanced_labels():
    tokens, targets = make_a_before_b(1000, length=8, seed=2)
    assert ((tokens == 0).sum(1) == 1).all() and ((tokens == 1).sum(1) == 1).all()
    first_a = (tokens == 0).long().argmax(1) < (tokens == 1).long().argmax(1)
    assert torch.equal(first_a.long(), targets)
    assert 0.45 < targets.float().mean() < 0.55
    assert order_labels(torch.tensor([0, 1, 5])) == ["A", "B", "5"]
