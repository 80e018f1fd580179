"""What the declarations of overload.ipynb's exercises cannot say (tests/test_exercises.py checks
every declared reference and mistake): the cost formula is the multiply-adds the network does."""

import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves

from attnlab.exercises.overload import question_cost
from attnlab.models.sets import TaggedSetClassifier


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
