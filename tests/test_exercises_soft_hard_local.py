"""The checkers of soft-hard-local.ipynb accept the solutions and reject typical mistakes."""

import pytest
import torch
import torch.nn.functional as F

from attnlab.exercises import check


def solution(logits, gumbels, tau):
    soft = torch.softmax((logits + gumbels) / tau, dim=-1)
    one_hot = F.one_hot(soft.argmax(dim=-1), logits.shape[-1]).to(soft.dtype)
    return one_hot - soft.detach() + soft


def test_gumbel_st_accepts_the_solution(capsys):
    assert check("4.1-gumbel-st", solution)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda l, g, t: torch.softmax((l + g) / t, -1), "soft distribution, not one-hot"),
    (lambda l, g, t: F.one_hot(l.argmax(-1), l.shape[-1]).double(), "add the Gumbel noise"),
    (lambda l, g, t: F.one_hot((l + g).argmax(-1), l.shape[-1]).double(), "carries no gradient"),
    (lambda l, g, t: solution(l, g, 1.0), "without the temperature"),
    (lambda l, g, t: None, "is None"),
])
def test_gumbel_st_rejects_mistakes(mistake, phrase, capsys):
    assert not check("4.1-gumbel-st", mistake)
    assert phrase in capsys.readouterr().out


def test_local_gradient(capsys):
    assert check("4.1-local-gradient", "b")
    assert check("4.1-local-gradient", " B ")
    capsys.readouterr()
    for answer, phrase in [("ab", "boolean comparison"), ("bc", "exactly 0"), ("bd", "does not involve p"),
                           ("xyz", "use only the letters"), (3, "should be a string")]:
        assert not check("4.1-local-gradient", answer)
        assert phrase in capsys.readouterr().out
