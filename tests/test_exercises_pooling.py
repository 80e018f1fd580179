"""What the declarations of pooling.ipynb's exercises cannot say (tests/test_exercises.py checks
every declared reference and mistake): the gradient formula is autograd's, and the bound's praise
does not call it the worst case."""

import math

import torch

from attnlab.exercises import check
from attnlab.exercises.pooling import _FEATURES, _gradient
from attnlab.pooling import softmax_pool


def test_the_checkers_gradient_formula_is_autograds():
    for temperature in (1.0, 0.3):
        features = _FEATURES[0].clone().requires_grad_()
        (autograd,) = torch.autograd.grad(softmax_pool(features[None], temperature)[0].sum(), features)
        torch.testing.assert_close(_gradient(_FEATURES[0], temperature), autograd)


def test_temperature_bound_praise_calls_it_a_bound_not_the_worst_case(capsys):
    assert check("5.1-temperature-bound", math.e * 1e-3 / 49)
    out = capsys.readouterr().out
    assert "the bound guarantees" in out and "not the worst case" in out
