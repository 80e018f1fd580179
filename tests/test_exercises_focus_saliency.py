"""The hand-written checker of focus-saliency.ipynb (the max-pool's selection) accepts the solution
and names typical mistakes; the declared exercises are covered by tests/test_exercises.py."""

import pytest
import torch.nn.functional as F

from attnlab.exercises import check


def solution(x, k):
    return F.one_hot(x.view(-1, k).argmax(dim=1), k).bool().view(-1)


def test_selection_accepts_the_solution(capsys):
    assert check("4.6-maxpool-selection", solution)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda x, k: x.view(-1, k).max(dim=1).values, "one entry per window"),
    (lambda x, k: x == x.max(), "single input"),
    (lambda x, k: F.one_hot(x.view(-1, k).argmin(dim=1), k).bool().view(-1), "not the largest one"),
    (lambda x, k: solution(x, k).float(), "boolean mask"),
    (lambda x, k: x > 0, "exactly"),
    (lambda x, k: None, "is None"),
])
def test_selection_rejects_mistakes(mistake, phrase, capsys):
    assert not check("4.6-maxpool-selection", mistake)
    assert phrase in capsys.readouterr().out
