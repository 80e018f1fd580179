"""The marked-sum task of chapter 3."""

import torch

from attnlab.data.marked_sum import make_marked_sum, token_labels as marked_labels


def test_marked_sum_targets_are_the_sum_of_marked_digits():
    tokens, relevant, targets = make_marked_sum(200, length=12, n_marked=3, seed=1)
    assert tokens.shape == relevant.shape == (200, 12) and targets.shape == (200,)
    assert (relevant.sum(1) == 3).all()
    assert torch.equal((tokens >= 10), relevant)
    assert torch.equal(((tokens % 10) * relevant).sum(1), targets)
    assert marked_labels(torch.tensor([3, 17])) == ["3", "[7]"]
    assert torch.equal(make_marked_sum(5, seed=4)[0], make_marked_sum(5, seed=4)[0])
