"""attnlab.data.bible: the aligned verses and the paraphrase pairs made from them."""

import numpy as np
import pytest
import torch

from attnlab.data.bible import bible_vocabulary, load_bible, make_paraphrase_pairs, tokenize


def test_the_file_holds_31095_aligned_verses_split_by_chapter():
    bible = load_bible()
    assert len(bible) == 31095
    assert bible.reference[0] == "Genesis 1:1" and "beginning" in bible.kjv[0] and "beginning" in bible.web[0]
    train, test = bible.split("train"), bible.split("test")
    assert len(train) + len(test) == len(bible)
    assert not set(bible.chapter_id[train]) & set(bible.chapter_id[test])
    assert 0.15 < len(test) / len(bible) < 0.25


def test_pairs_are_balanced_true_pairs_share_a_verse_and_hard_negatives_a_chapter():
    pairs = make_paraphrase_pairs(400, hard_fraction=0.5, seed=3)
    bible = load_bible()
    assert pairs.left.shape == pairs.right.shape == (400, 20) and pairs.labels.sum() == 200
    positive = pairs.labels.numpy() == 1
    assert (pairs.left_verse[positive] == pairs.right_verse[positive]).all()
    assert (pairs.left_verse[~positive] != pairs.right_verse[~positive]).all()
    same_chapter = bible.chapter_id[pairs.left_verse] == bible.chapter_id[pairs.right_verse]
    hard = pairs.hard.numpy()
    assert (same_chapter[~positive] == hard[~positive]).all() and not hard[positive].any()
    assert 60 < hard.sum() < 140
    assert pairs.words("left", 0) == [w if w in pairs.vocabulary else "<unk>"
                                      for w in tokenize(bible.kjv[pairs.left_verse[0]])[:20]]


def test_splits_do_not_share_chapters_and_seeds_repeat():
    bible = load_bible()
    train = make_paraphrase_pairs(200, seed=0)
    test = make_paraphrase_pairs(200, split="test", seed=0)
    assert not set(bible.chapter_id[train.left_verse]) & set(bible.chapter_id[test.left_verse])
    again = make_paraphrase_pairs(200, seed=0)
    assert torch.equal(train.left, again.left) and torch.equal(train.right, again.right)
    assert not torch.equal(train.left, make_paraphrase_pairs(200, seed=1).left)


def test_vocabulary_and_arguments():
    vocabulary = bible_vocabulary()
    assert vocabulary[:2] == ("<pad>", "<unk>") and "god" in vocabulary and "thee" in vocabulary
    with pytest.raises(ValueError, match="n_pairs"):
        make_paraphrase_pairs(1)
    with pytest.raises(ValueError, match="hard_fraction"):
        make_paraphrase_pairs(10, hard_fraction=2)
    with pytest.raises(ValueError, match="split"):
        make_paraphrase_pairs(10, split="dev")
