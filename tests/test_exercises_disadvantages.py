"""The checker of disadvantages.ipynb accepts the solution and explains typical mistakes."""

import torch

from attnlab.exercises import check


def test_accepts_the_prediction(capsys):
    assert check("3.3-score-variance", 256)
    assert check("3.3-score-variance", torch.tensor(255.0))
    assert "standard deviation is 16" in capsys.readouterr().out


def test_rejects_typical_mistakes(capsys):
    for wrong, phrase in [(16, "standard deviation"), (1.0, "*after* dividing"), (0, "*mean*"),
                          (65536, "not d²"), (128, "independent: what is the variance"),
                          ("256", "should be a number"), (None, "still None: replace None")]:
        assert not check("3.3-score-variance", wrong)
        assert phrase in capsys.readouterr().out, phrase
