"""The checker of multi-head.ipynb accepts the solution and rejects typical mistakes."""

import pytest

from attnlab.attention import MultiHeadAttention
from attnlab.exercises import check
from attnlab.train import count_parameters


def test_mha_parameters_accepts_the_solution(capsys):
    assert check("4.4-mha-parameters", count_parameters(MultiHeadAttention(32, 8)))
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (4096, "forgets their biases"),
    (528, "for one head only"),
    (8 * 4224, "do not each get full-width projections"),
    (3168, "output projection"),
    (1000, "Count the four nn.Linear layers"),
    ("4224", "should be a number"),
    (None, "replace it by your prediction"),
])
def test_mha_parameters_rejects_mistakes(mistake, phrase, capsys):
    assert not check("4.4-mha-parameters", mistake)
    assert phrase in capsys.readouterr().out
