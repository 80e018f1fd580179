"""What the declarations of bottleneck.ipynb's exercises cannot say (tests/test_exercises.py checks
every declared reference and mistake): the GRU count the checker takes from PyTorch is the
formula the solution explains."""

import torch

from attnlab.exercises import check


def test_the_gru_count_is_the_formula_of_the_solution():
    count = sum(p.numel() for p in torch.nn.GRU(32, 128).parameters())
    assert count == 3 * (32 * 128 + 128 * 128 + 2 * 128)
    assert check("1.2-gru-parameters", count)
