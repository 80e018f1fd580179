"""Scheduled sampling (attnlab.models.scheduled_sampling): the wrapper is the model in evaluation
and at probability 0; in training it feeds the model's own predictions where it samples them,
never in place of <bos> or padding, at the probability of its linear schedule."""

import pytest
import torch

from attnlab.models.scheduled_sampling import ScheduledSampling
from attnlab.models.seq2seq import Seq2Seq

SOURCE = torch.tensor([[3, 4, 5, 6], [6, 5, 2, 0]])
TARGET_IN = torch.tensor([[1, 3, 4, 3, 4], [1, 4, 4, 0, 0]])     # <bos> = 1, padding = 0


class Spy(torch.nn.Module):
    """Predicts token 7 everywhere and remembers the decoder inputs of every call."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def forward(self, source, target_in):
        self.seen.append(target_in.clone())
        return torch.nn.functional.one_hot(torch.full_like(target_in, 7), 9).float()


def test_in_evaluation_and_at_probability_zero_it_is_the_model():
    torch.manual_seed(0)
    model = Seq2Seq(8, 9, "bahdanau", d_model=8, d_embed=6)
    wrapped = ScheduledSampling(model, rate=0.5, ramp=10)
    torch.testing.assert_close(wrapped(SOURCE, TARGET_IN), model(SOURCE, TARGET_IN))   # step 0 of the ramp: p = 0
    wrapped.eval()
    torch.testing.assert_close(wrapped(SOURCE, TARGET_IN), model(SOURCE, TARGET_IN))


def test_it_feeds_the_predictions_but_never_for_bos_or_padding():
    spy = Spy()
    wrapped = ScheduledSampling(spy, rate=0.999, ramp=0)
    torch.manual_seed(0)
    wrapped(SOURCE, TARGET_IN)
    first, second = spy.seen
    assert torch.equal(first, TARGET_IN)                               # the teacher-forced pass
    assert torch.equal(second[:, 0], TARGET_IN[:, 0])                  # <bos> stays
    assert torch.equal(second == 0, TARGET_IN == 0)                    # padding stays
    real = torch.zeros_like(TARGET_IN, dtype=torch.bool)
    real[:, 1:] = TARGET_IN[:, 1:] != 0
    assert (second[real] == 7).all()                                   # every real input after <bos> sampled


def test_the_probability_rises_linearly_then_stays():
    wrapped = ScheduledSampling(Spy(), rate=0.4, ramp=4)
    probabilities = []
    for _ in range(6):
        probabilities.append(wrapped.probability())
        wrapped(SOURCE, TARGET_IN)
    assert probabilities == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4, 0.4])


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="rate must be a number in"):
        ScheduledSampling(Spy(), rate=1.5, ramp=3)
    with pytest.raises(ValueError, match="target_in"):
        ScheduledSampling(Spy(), rate=0.5, ramp=3)(SOURCE, TARGET_IN[:1])
