"""The local-motif task of chapter 3."""

import torch

from attnlab.data.motif import has_motif, make_local_motif


def test_local_motif_labels_are_exact_and_balanced():
    tokens, targets = make_local_motif(1000, length=24, seed=3)
    assert torch.equal(has_motif(tokens).long(), targets)
    assert targets.float().mean() == 0.5
    negatives = tokens[targets == 0]
    both = ((negatives == 3).any(1) & (negatives == 7).any(1)).float().mean()
    assert both > 0.5  # most negatives hold a 3 and a 7, just not adjacent


def test_counting_3s_and_7s_is_only_a_weak_clue():
    tokens, targets = make_local_motif(2000, length=24, seed=4)
    counts = ((tokens == 3) | (tokens == 7)).sum(dim=1)
    extra = counts[targets == 1].float().mean() - counts[targets == 0].float().mean()
    assert 1.5 < extra < 2.5  # the planted pair: about one more 3 and one more 7
    best = max(((counts > t).long() == targets).float().mean().item() for t in range(24))
    assert 0.6 < best < 0.75  # ignoring order predicts the label about two times in three, no more
