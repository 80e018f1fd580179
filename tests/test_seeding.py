"""attnlab.seeding: ATTNLAB_SEED shifts every seed, and nothing changes when it is unset."""

import numpy as np
import pytest
import torch

from attnlab.data.recall import RecallVocab, make_recall
from attnlab.seeding import make_generator, numpy_rng, seed_everything, seed_shift, shifted
from attnlab.train import fit


def test_unset_or_empty_means_no_shift(monkeypatch):
    monkeypatch.delenv("ATTNLAB_SEED", raising=False)
    assert seed_shift() == 0 and shifted(5) == 5
    monkeypatch.setenv("ATTNLAB_SEED", " ")
    assert seed_shift() == 0


def test_a_shift_moves_every_seed(monkeypatch):
    monkeypatch.setenv("ATTNLAB_SEED", "3")
    assert shifted(5) == 8
    assert torch.equal(torch.rand(4, generator=make_generator(2)),
                       torch.rand(4, generator=torch.Generator().manual_seed(5)))
    assert numpy_rng(1).random() == np.random.default_rng(4).random()
    seed_everything(0)
    first = torch.rand(3)
    torch.manual_seed(3)
    assert torch.equal(first, torch.rand(3))


def test_data_generators_follow_the_shift(monkeypatch):
    monkeypatch.delenv("ATTNLAB_SEED", raising=False)
    vocab = RecallVocab(n_keys=8, n_values=4)
    at_seed_1 = make_recall(20, 3, vocab, seed=1)[0]
    monkeypatch.setenv("ATTNLAB_SEED", "1")
    assert torch.equal(make_recall(20, 3, vocab, seed=0)[0], at_seed_1)
    assert not torch.equal(make_recall(20, 3, vocab, seed=1)[0], at_seed_1)


def test_fit_follows_the_shift(monkeypatch):
    """A run written with seeds (0, 0) under ATTNLAB_SEED=2 is the run written with seeds (2, 2)."""
    x = torch.randn(64, 2, generator=torch.Generator().manual_seed(0))
    data = (x, (x[:, 0] > 0).long())

    def losses(seed):
        seed_everything(seed)  # the initialisation
        return fit(torch.nn.Linear(2, 2), data, epochs=2, batch_size=8, seed=seed, verbose=False).train_loss

    monkeypatch.delenv("ATTNLAB_SEED", raising=False)
    written_2, written_0 = losses(2), losses(0)
    assert written_2 != written_0
    monkeypatch.setenv("ATTNLAB_SEED", "2")
    assert losses(0) == written_2


def test_a_generator_passes_through_and_bad_values_are_named(monkeypatch):
    g = torch.Generator().manual_seed(9)
    assert make_generator(g) is g
    monkeypatch.setenv("ATTNLAB_SEED", "one")
    with pytest.raises(ValueError, match="ATTNLAB_SEED must be an integer, got 'one'"):
        shifted(0)
    monkeypatch.delenv("ATTNLAB_SEED")
    with pytest.raises(TypeError, match="seed must be an integer, got float"):
        shifted(1.5)


def test_unshifted_blocks_use_the_written_seeds(monkeypatch):
    from attnlab.seeding import unshifted

    monkeypatch.setenv("ATTNLAB_SEED", "7")
    assert shifted(1) == 8
    with unshifted():
        with unshifted():
            assert shifted(1) == 1
        assert shifted(1) == 1
    assert shifted(1) == 8
