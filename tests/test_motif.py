"""The local-motif task of chapter 3."""

import torch

from attnlab.data.motif import has_motif, local_motif


def test_local_motif_labels_are_exact_and_balanced():
    tokens, targets = local_motif(1000, length=24, seed=3)
    assert torch.equal(has_motif(tokens).long(), targets)
    assert targets.float().mean() == 0.5
    negatives = tokens[targets == 0]
    both = ((negatives == 3).any(1) & (negatives == 7).any(1)).float().mean()
    assert both > 0.5  # most negatives hold a 3 and a 7, just not adjacent
