"""The marked-pair reader of chapter 4 (multi-head.ipynb)."""

import pytest
import torch

from attnlab.data.marked_pairs import make_marked_pairs
from attnlab.models.multi_head import MarkedPairReader
from attnlab.train import count_parameters, fit


@pytest.mark.parametrize("num_heads", [1, 2, 4, 8])
def test_attend_shapes_and_weights_sum_to_one(num_heads):
    digits, marks, _ = make_marked_pairs(6, seed=0)
    model = MarkedPairReader(16, num_heads)
    logits, weights = model.attend(digits, marks)
    assert logits.shape == (6, 10) and weights.shape == (6, num_heads, 10)
    torch.testing.assert_close(weights.sum(-1), torch.ones(6, num_heads))
    torch.testing.assert_close(model(digits, marks), logits)
    _, again = model.attend(digits[:3], marks[:3])   # computed afresh: nothing stored between calls
    torch.testing.assert_close(again, weights[:3])


def test_same_parameters_for_every_head_count():
    assert len({count_parameters(MarkedPairReader(16, h)) for h in (1, 2, 4, 8)}) == 1


def test_no_stored_state_and_batch_independence():
    digits, marks, _ = make_marked_pairs(5, seed=1)
    model = MarkedPairReader(8, 2)
    full, _ = model.attend(digits, marks)
    part, _ = model.attend(digits[2:], marks[2:])
    torch.testing.assert_close(part, full[2:])
    assert not any(isinstance(v, torch.Tensor) for v in vars(model).values())


def test_two_heads_learn_the_task():
    train = make_marked_pairs(3000, seed=2)
    test = make_marked_pairs(500, seed=3)
    torch.manual_seed(0)
    history = fit(MarkedPairReader(16, 2), train, val=test, epochs=6, lr=3e-3, verbose=False)
    assert history.final > 0.3          # chance is 0.1; the notebook trains to above 0.9


def test_bad_input_is_named():
    model = MarkedPairReader(16, 2)
    digits, marks, _ = make_marked_pairs(4, seed=0)
    with pytest.raises(TypeError, match=r"digits must be a long tensor of shape \(batch, n_positions\)"):
        model(digits.float(), marks)
    with pytest.raises(ValueError, match="digits has shape"):
        model(digits, marks[:, :5])
    with pytest.raises(ValueError, match="num_heads must be a positive int"):
        MarkedPairReader(16, 0)
