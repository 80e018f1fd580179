"""The checkers of overload.ipynb accept the solutions and reject typical mistakes."""

import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves

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


class _QuestionMultiplyAdds(TorchDispatchMode):
    """Counts the multiply-adds of every operation that depends on the question (``source``, the
    asked tag): matrix products (m·k·n each) and products of two tensors (one per element, as in
    the weighted average). What does not depend on the question was done when the display was read."""

    def __init__(self, source):
        super().__init__()
        self.tainted, self.keep, self.macs = {id(source)}, [source], 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        inputs = [t for t in tree_leaves((args, kwargs)) if isinstance(t, torch.Tensor)]
        if any(id(t) in self.tainted for t in inputs):
            name = func.overloadpacket.__name__
            if name in ("mm", "addmm"):
                a, b = args[-2], args[-1]
                self.macs += a.shape[0] * a.shape[1] * b.shape[1]
            elif name in ("bmm", "baddbmm"):
                a, b = args[-2], args[-1]
                self.macs += a.shape[0] * a.shape[1] * a.shape[2] * b.shape[2]
            elif name == "mul" and all(isinstance(x, torch.Tensor) and x.dim() > 0 for x in args[:2]):
                self.macs += out.numel()
            for t in tree_leaves(out):
                if isinstance(t, torch.Tensor):
                    self.tainted.add(id(t))
                    self.keep.append(t)                  # keep it alive, so that its id is not reused
        return out


def _measured_question_cost(readout, n_items, d_item, d_model):
    torch.manual_seed(0)
    model = TaggedSetClassifier(d_item, n_items + 1, 10, d_model=d_model, readout=readout).eval()
    model.answer = torch.nn.Identity()                   # the answer network, the same for all three: left out
    items, tags = torch.randn(1, n_items, d_item), torch.arange(n_items)[None]
    mask, asked = torch.ones(1, n_items, dtype=torch.bool), torch.tensor([n_items // 2])
    counter = _QuestionMultiplyAdds(asked)
    with torch.no_grad(), counter:
        model(items, tags, mask, asked)
    return counter.macs


@pytest.mark.parametrize("readout", ["mean", "early", "attention"])
@pytest.mark.parametrize("n_items, d_item, d_model", [(16, 64, 32), (4, 64, 32), (1, 10, 8), (12, 20, 16)])
def test_question_cost_equals_the_multiply_adds_measured_on_the_network(readout, n_items, d_item, d_model):
    assert question_cost(readout, n_items, d_item, d_model) == _measured_question_cost(readout, n_items, d_item, d_model)


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
