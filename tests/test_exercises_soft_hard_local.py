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
    assert check("4.3-local-gradient", "b")
    assert check("4.3-local-gradient", " B ")
    capsys.readouterr()
    for answer, phrase in [("a", "boolean comparison"), ("c", "exactly 0"), ("d", "does not involve p"),
                           ("ab", "not one of the options"), (3, "should be one of the strings")]:
        assert not check("4.3-local-gradient", answer)
        assert phrase in capsys.readouterr().out


def surrogate(log_prob, loss):
    loss = loss.detach()
    baseline = (loss.sum() - loss) / (len(loss) - 1)
    return ((loss - baseline) * log_prob).mean()


def test_reinforce_surrogate_accepts_the_solution(capsys):
    assert check("4.2-reinforce-surrogate", surrogate)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda lp, l: ((l.detach() - l.detach().mean()) * lp).mean(), "includes the sample's own loss"),
    (lambda lp, l: (l.detach() * lp).mean(), "there is no baseline"),
    (lambda lp, l: -surrogate(lp, l), "the sign is flipped"),
    (lambda lp, l: ((l.detach() - (l.detach().sum() - l.detach()) / 4) * lp).sum(), "you summed"),
    (lambda lp, l: ((l - (l.sum() - l) / (len(l) - 1)) * lp).mean(), "a gradient flows into the loss"),
    (lambda lp, l: surrogate(lp.detach(), l), "carries no gradient back to log_prob"),
    (lambda lp, l: (l.detach() - (l.detach().sum() - l.detach()) / 4) * lp, "one number"),
    (lambda lp, l: surrogate(lp, l) * 3, "is not that of"),
    (lambda lp, l: surrogate(lp, l) * float("nan"), "NaN"),
    (lambda lp, l: None, "is None"),
    (lambda lp, l: 1 / 0, "ZeroDivisionError"),
])
def test_reinforce_surrogate_rejects_mistakes(mistake, phrase, capsys):
    assert not check("4.2-reinforce-surrogate", mistake)
    assert phrase in capsys.readouterr().out
