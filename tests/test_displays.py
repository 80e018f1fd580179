"""Tests of attnlab.data.displays (chapter 1, "Information overload")."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlab.data.displays import load_digit_images, make_displays


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(1, 16), min_size=1, max_size=3), st.integers(0, 10_000))
def test_the_target_is_the_class_of_the_digit_with_the_asked_tag(choices, seed):
    images, tags, mask, asked, targets = make_displays(30, choices, split="test", seed=seed)
    pool_images, pool_labels = load_digit_images("test")
    assert images.shape == (30, max(choices), 64) and tags.shape == mask.shape == (30, max(choices))
    assert set(mask.sum(1).tolist()) <= set(choices)
    for row in range(30):
        assert len(set(tags[row].tolist())) == max(choices)              # distinct tags
        slot = ((tags[row] == asked[row]) & mask[row]).nonzero()
        assert len(slot) == 1                                            # the asked tag is present once
        image = images[row, slot[0, 0]]
        classes = pool_labels[(pool_images == image).all(dim=1)]
        assert targets[row] in classes
        assert (images[row][~mask[row]] == 0).all()                      # empty slots are blank


def test_splits_are_disjoint_and_pad_to_works():
    from sklearn.datasets import load_digits

    train, test = load_digit_images("train"), load_digit_images("test")
    assert len(train[0]) == 1200 and len(test[0]) == 597
    digits = load_digits()
    expected = {(tuple(row), int(label)) for row, label in
                zip((torch.tensor(digits.data, dtype=torch.float32) / 16).tolist(), digits.target)}
    assert len(expected) == 1797                                        # no digit image repeats in the data
    rows = {split: [(tuple(row), int(label)) for row, label in zip(images.tolist(), labels.tolist())]
            for split, (images, labels) in (("train", train), ("test", test))}
    assert not set(rows["train"]) & set(rows["test"])                  # disjoint: no image in both
    assert len(set(rows["train"])) + len(set(rows["test"])) == 1797    # and no image twice in a split
    assert set(rows["train"]) | set(rows["test"]) == expected          # together: exactly the digits, /16
    padded = make_displays(10, 3, pad_to=8, seed=2)
    assert padded[0].shape == (10, 8, 64) and (padded[2].sum(1) == 3).all()
    with pytest.raises(ValueError, match="pad_to=2"):
        make_displays(10, 3, pad_to=2)
    with pytest.raises(ValueError, match="n_items"):
        make_displays(10, 17)
    with pytest.raises(ValueError, match="split"):
        load_digit_images("validation")
    assert torch.equal(make_displays(5, 4, seed=1)[0], make_displays(5, 4, seed=1)[0])
