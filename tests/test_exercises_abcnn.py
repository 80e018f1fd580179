"""The checkers of abcnn.ipynb accept the solutions and reject typical mistakes."""

import torch

from attnlab.exercises import check
from attnlab.models.abcnn import match_scores


def _distance(a, b):
    return ((a.unsqueeze(2) - b.unsqueeze(1)) ** 2).sum(-1).sqrt()


def test_match_scores_accepts_the_solution_and_the_package(capsys):
    assert check("5.3-match-scores", lambda a, b: 1 / (1 + torch.sqrt(((a.unsqueeze(2) - b.unsqueeze(1)) ** 2).sum(-1) + 1e-6)))
    assert "never turns into NaN" in capsys.readouterr().out
    assert check("5.3-match-scores", match_scores)


def test_match_scores_names_each_typical_mistake(capsys):
    mistakes = {
        "NaN or infinite": lambda a, b: 1 / (1 + _distance(a, b)),
        "returned the distances": _distance,
        "squared distance": lambda a, b: 1 / (1 + _distance(a, b) ** 2),
        "exp(-distance)": lambda a, b: torch.exp(-_distance(a, b)),
        "dot product": lambda a, b: a @ b.transpose(1, 2),
        "(batch, len_b, len_a)": lambda a, b: match_scores(b, a),
        "carry no gradient": lambda a, b: match_scores(a, b).detach(),
        "differ from": lambda a, b: 1 / (2 + _distance(a, b)),
        "is None": lambda a, b: None,
        "raised": lambda a, b: a @ b,
    }
    for phrase, answer in mistakes.items():
        assert not check("5.3-match-scores", answer)
        assert phrase in capsys.readouterr().out, phrase


def test_pooling_weights_accepts_the_solution(capsys):
    assert check("5.3-pooling-weights", lambda A: (A.sum(dim=2), A.sum(dim=1)))
    assert "shapes alone catch a swap" in capsys.readouterr().out


def test_pooling_weights_names_each_typical_mistake(capsys):
    mistakes = {
        "you swapped them": lambda A: (A.sum(dim=1), A.sum(dim=2)),
        "normalised the row sums": lambda A: (torch.softmax(A.sum(2), -1), A.sum(1)),
        "row maximum": lambda A: (A.amax(dim=2), A.amax(dim=1)),
        "row mean": lambda A: (A.mean(dim=2), A.mean(dim=1)),
        "weights_b should be the column sums": lambda A: (A.sum(dim=2), A.mean(dim=1)),
        "return two tensors": lambda A: A.sum(dim=2),
        "contains NaN": lambda A: (A.sum(2) * float("nan"), A.sum(1)),
        "is None": None,
    }
    for phrase, answer in mistakes.items():
        assert not check("5.3-pooling-weights", answer)
        assert phrase in capsys.readouterr().out, phrase
