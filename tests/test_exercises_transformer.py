"""The checkers of transformer.ipynb accept the solutions and explain typical mistakes."""

import pytest
import torch

from attnlab.exercises import check


def test_three_way_tying(capsys):
    assert check("7.1-three-way-tying", 2 * 37_000 * 512)
    for wrong, phrase in ((37_000 * 512, "That is one matrix"), (3 * 37_000 * 512, "all three"), (None, "None")):
        assert not check("7.1-three-way-tying", wrong)
        assert phrase in capsys.readouterr().out


def tie(model):
    before = sum(p.numel() for p in model.parameters())
    model.output.weight = model.embedding.embedding.weight      # one Parameter, two uses
    return before - sum(p.numel() for p in model.parameters())


def test_tying_accepts_the_solution(capsys):
    assert check("7.1-tying", tie)
    assert "parameters saved" in capsys.readouterr().out


def _copied(model):
    with torch.no_grad():
        model.output.weight.copy_(model.embedding.embedding.weight)
    return model.embedding.embedding.weight.numel()


def _reversed(model):
    saved = model.output.weight.numel()
    model.embedding.embedding.weight = model.output.weight
    return saved


def _transposed(model):
    model.output.weight = torch.nn.Parameter(model.embedding.embedding.weight.T)
    return model.output.weight.numel()


def _fresh(model):
    model.output.weight = torch.nn.Parameter(torch.randn_like(model.output.weight))
    model.embedding.embedding.weight = model.output.weight
    return model.output.weight.numel()


def _size_after(model):
    tie(model)
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("mistake, phrase", [
    (_copied, "you copied the values"),
    (_reversed, "it is the output projection's"),
    (_transposed, "no transpose is needed"),
    (_fresh, "share the existing Parameter"),
    (lambda model: 2 * tie(model), "counts both matrices"),
    (_size_after, "size of the whole model"),
    (lambda model: (tie(model), 0)[1], "tie returned 0"),
    (lambda model: tie(model) + 1, "not the number of parameters tying saved"),
    (lambda model: (tie(model), float("nan"))[1], "finite number"),
    (lambda model: (tie(model), "640")[1], "should be a number"),
    (lambda model: tie(model) * torch.ones(2), "single number"),
    (lambda model: None, "is None"),
    (None, "is None"),
    (lambda model: 1 / 0, "ZeroDivisionError"),
    (lambda model: model.output.weight.numel(), "still hold two different matrices"),
])
def test_tying_explains_mistakes(mistake, phrase, capsys):
    assert not check("7.1-tying", mistake)
    assert phrase in capsys.readouterr().out


def test_tying_leaves_the_global_random_state_alone():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    check("7.1-tying", tie)
    torch.testing.assert_close(torch.rand(3), expected)
