"""The hand-written checker of abcnn.ipynb (match scores with a finite gradient) accepts the
solution and the package, and names each typical mistake; the declared exercise is covered by
tests/test_exercises.py."""

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
