"""Samplers and transforms of the training loop (attnlab.batches)."""

import pytest
import torch

from attnlab.batches import (BucketedBatches, EpochBatches, RandomBatches, Windows, last_is_target, next_token,
                             shift_right, teacher_forcing)


def test_epoch_batches_visit_every_row_once_per_pass():
    data = (torch.arange(10)[:, None].float(), torch.arange(10))
    sample, generator = EpochBatches(data, 4), torch.Generator().manual_seed(0)
    assert sample.steps_per_epoch == 3
    for _ in range(2):
        seen = torch.cat([sample(generator)[1] for _ in range(3)])
        assert sorted(seen.tolist()) == list(range(10))
    first = sample(torch.Generator().manual_seed(0))    # a pass starts with a fresh permutation
    assert len(first[1]) == 4


def test_epoch_batches_repeat_with_the_seed():
    data = (torch.randn(20, 2), torch.arange(20))
    draw = lambda: [EpochBatches(data, 8)(torch.Generator().manual_seed(3))[1] for _ in range(1)]  # noqa: E731
    assert torch.equal(draw()[0], draw()[0])


def test_random_batches_draw_with_replacement():
    sample = RandomBatches((torch.arange(3),), 50)
    rows = sample(torch.Generator().manual_seed(0))[0]
    assert rows.shape == (50,) and set(rows.tolist()) == {0, 1, 2}


def test_bucketed_batches_hold_similar_lengths_and_crop_padding():
    lengths = torch.tensor([2, 9, 3, 8, 2, 9, 3, 8])
    target = (torch.arange(10)[None, :] < lengths[:, None]).long() * 5
    source = torch.ones(8, 12, dtype=torch.long)
    source[:, 10:] = 0
    sample, generator = BucketedBatches((source, target), 2, pad=0), torch.Generator().manual_seed(0)
    batches = [sample(generator) for _ in range(4)]
    for src, tgt in batches:
        real = (tgt != 0).sum(1)
        assert real.max() - real.min() <= 1 and tgt.shape[1] == real.max() and src.shape[1] == 10
    assert sorted(len(t) for _, t in batches) == [2, 2, 2, 2]


def test_windows_reach_the_last_token():
    stream, sample = torch.arange(10), Windows(torch.arange(10), context=6, batch_size=64)
    (windows,) = sample(torch.Generator().manual_seed(0))
    assert windows.shape == (64, 7) and set(windows[:, 0].tolist()) == {0, 1, 2, 3}
    assert torch.equal(windows, windows[:, :1] + torch.arange(7)) and windows.max() == stream[-1]
    with pytest.raises(ValueError, match="context"):
        Windows(torch.arange(6), context=6, batch_size=1)


def test_transforms():
    x, y = torch.randn(3, 2), torch.tensor([0, 1, 0])
    assert last_is_target((x, y))[1] is y and last_is_target((x, y))[0][0] is x
    source, target = torch.tensor([[5, 6]]), torch.tensor([[3, 4, 0]])
    assert torch.equal(shift_right(target, 1), torch.tensor([[1, 3, 4]]))
    (src, target_in), target_out = teacher_forcing(bos=1, pad=0)((source, target))
    assert torch.equal(target_in, torch.tensor([[1, 3, 4]])) and torch.equal(target_out, torch.tensor([[3, 4, -100]]))
    with_bos = torch.tensor([[1, 3, 4, 2, 0]])                 # <bos> already first
    (_, target_in), target_out = teacher_forcing(pad=0)((source, with_bos))
    assert torch.equal(target_in, with_bos[:, :-1]) and torch.equal(target_out, torch.tensor([[3, 4, 2, -100]]))
    (window,), following = next_token((torch.arange(8).view(2, 4),))
    assert torch.equal(window, torch.tensor([[0, 1, 2], [4, 5, 6]])) and torch.equal(following, window + 1)
    with pytest.raises(ValueError, match="bos and pad"):
        teacher_forcing(bos=0, pad=0)
