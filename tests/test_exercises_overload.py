"""The checker of overload.ipynb accepts the solution and rejects typical mistakes."""

from attnlab.exercises import check


def test_why_flat(capsys):
    assert check("1.3-why-flat", "selection")
    assert "picks the one item" in capsys.readouterr().out
    assert not check("1.3-why-flat", "more parameters")
    assert "parameter counts" in capsys.readouterr().out
    assert not check("1.3-why-flat", "easier digits")
    assert "same pool" in capsys.readouterr().out
    assert not check("1.3-why-flat", None)
    assert "You have not answered yet" in capsys.readouterr().out
    assert not check("1.3-why-flat", 3)
    assert "should be one of the strings" in capsys.readouterr().out
