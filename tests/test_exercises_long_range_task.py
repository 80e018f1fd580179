"""What the declarations of "A long-range task" cannot say (tests/test_exercises.py checks every
declared answer and mistake): the feedback quotes the ceiling the notebook proves."""

import torch

from attnlab.exercises import check


def test_choice_solution_passes(capsys):
    assert check("2.2-why-cnn-fails", " B ")
    out = capsys.readouterr().out
    assert "Mean pooling sums local terms" in out and "(75%)" in out and "62.5" not in out


def test_more_epochs_feedback_states_the_proved_ceiling(capsys):
    """Option d's feedback quotes the ceiling the notebook proves by enumeration (75%, not
    62.5%) and says why training does not even reach it."""
    assert not check("2.2-why-cnn-fails", "d")
    out = capsys.readouterr().out
    assert "the best sum rule, 75%" in out and "heads for chance" in out and "62.5" not in out


def test_the_quoted_ceiling_is_the_best_sum_rule():
    """The 75% the feedback quotes: the best rule "same iff f(first) + g(last) > 0" on the
    task's distribution (a match 3/24, a non-match 1/24). Every sum rule is realised with
    f(a) in 0..4 and g(b) in -3..0 (the notebook's converse), so this grid holds them all."""
    grid_f = torch.cartesian_prod(*[torch.arange(0, 5)] * 4)  # (625, 4)
    grid_g = torch.cartesian_prod(*[torch.arange(-3, 1)] * 4)  # (256, 4)
    says_same = (grid_f[:, None, :, None] + grid_g[None, :, None, :] > 0)  # (625, 256, 4, 4)
    same = torch.eye(4, dtype=torch.bool)
    in_24ths = torch.where(same, 3, 1)
    best = (in_24ths * (says_same == same)).sum(dim=(-2, -1)).max().item()
    assert best == 18  # 18/24 = 75%
