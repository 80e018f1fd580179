"""The checkers of overload.ipynb accept the solutions and reject typical mistakes."""

import torch

from attnlab.exercises import check
from attnlab.exercises.overload import question_cost
from attnlab.models.sets import TaggedSetClassifier


def _early_fusion_summary(encoder, items, question, mask):
    encoded = encoder(torch.cat([items, question[:, None].expand(-1, items.shape[1], -1)], dim=-1))
    weights = mask.float() / mask.float().sum(1, keepdim=True)
    return (weights[..., None] * encoded).sum(1)


def _fuse(items, question):
    return torch.cat([items, question[:, None].expand(-1, items.shape[1], -1)], dim=-1)


def test_early_fusion_accepts_the_solution(capsys):
    assert check("1.3-early-fusion", _early_fusion_summary)
    assert "One summary per question" in capsys.readouterr().out


def test_early_fusion_names_each_typical_mistake(capsys):
    mistakes = {
        "the empty ones included": lambda e, i, q, m: e(_fuse(i, q)).mean(1),
        "That is the masked sum": lambda e, i, q, m: (e(_fuse(i, q)) * m[..., None]).sum(1),
        "one vector per item": lambda e, i, q, m: e(_fuse(i, q)),
        "BEFORE the average": lambda e, i, q, m: e(torch.cat([(i * m[..., None]).sum(1) / m.sum(1, keepdim=True),
                                                               q], -1)),
        "off by up to": lambda e, i, q, m: _early_fusion_summary(e, i, q, m) + 1,
        "is None": lambda e, i, q, m: None,
        "raised RuntimeError": lambda e, i, q, m: e(i),
    }
    for phrase, answer in mistakes.items():
        assert not check("1.3-early-fusion", answer)
        assert phrase in capsys.readouterr().out, phrase


def test_question_cost_formula_counts_the_networks_weights():
    for readout, d_in_extra in (("early", 2), ("attention", 1)):
        model = TaggedSetClassifier(64, 16, 10, d_model=32, readout=readout)
        encoder = sum(layer.weight.numel() for layer in model.item_encoder if isinstance(layer, torch.nn.Linear))
        assert encoder == (64 + d_in_extra * 32) * 64 + 64 * 32
    assert question_cost("early", 16, 64, 32) == 16 * ((64 + 64) * 64 + 64 * 32) + 16 * 32
    assert question_cost("attention", 16, 64, 32) == 2 * 16 * 32 and question_cost("mean", 16, 64, 32) == 0


def test_question_cost_accepts_the_solution_and_names_each_typical_mistake(capsys):
    assert check("1.3-question-cost", question_cost)
    assert "encoded once" in capsys.readouterr().out
    right = question_cost
    mistakes = {
        "computed when the display was first read": lambda r, n, di, d: n * d if r == "mean" else right(r, n, di, d),
        "computed once with the items": lambda r, n, di, d: (2 * n * d + n * d * d if r == "attention"
                                                              else right(r, n, di, d)),
        "AND the weighted average": lambda r, n, di, d: n * d if r == "attention" else right(r, n, di, d),
        "d_item + 2 * d_model inputs": lambda r, n, di, d: (n * ((di + d) * 2 * d + 2 * d * d) + n * d
                                                            if r == "early" else right(r, n, di, d)),
        "add the average": lambda r, n, di, d: (n * ((di + 2 * d) * 2 * d + 2 * d * d) if r == "early"
                                                else right(r, n, di, d)),
        "not one": lambda r, n, di, d: ((di + 2 * d) * 2 * d + 2 * d * d + n * d if r == "early"
                                        else right(r, n, di, d)),
        "is None": lambda r, n, di, d: None,
        "should be a number": lambda r, n, di, d: "a lot",
    }
    for phrase, answer in mistakes.items():
        assert not check("1.3-question-cost", answer)
        assert phrase in capsys.readouterr().out, phrase
