"""The checker of training.ipynb that is not a declaration (sequential steps, a dict per case)
accepts the solution and explains typical mistakes; tests/test_exercises.py covers the others."""

import pytest

from attnlab.exercises import check


def sequential_steps(kind, n_source, n_target, encoder_layers, decoder_layers):
    if kind == "recurrent":
        return {"training": n_source + n_target, "generation": n_target}
    return {"training": encoder_layers + decoder_layers, "generation": n_target}


def test_sequential_steps_accepts_the_solution(capsys):
    assert check("7.3-sequential-steps", sequential_steps)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, phrase", [
    (lambda k, n, m, e, d: {"training": n + m, "generation": m}, "computes every position at once"),
    (lambda k, n, m, e, d: {"training": n + m if k == "recurrent" else e + d, "generation": m if k == "recurrent"
                            else 1}, "feeds back its own output"),
    (lambda k, n, m, e, d: {"training": max(n, m) if k == "recurrent" else e + d, "generation": m},
     "the decoder starts only once the encoder is done"),
    (lambda k, n, m, e, d: {"training": n + m if k == "recurrent" else e + d, "generation": n + m},
     "count the decoder's steps only"),
    (lambda k, n, m, e, d: (n + m, m), "should return a dict"),
    (lambda k, n, m, e, d: {"training": "many", "generation": m}, "should be a number"),
    (lambda k, n, m, e, d: {"training": n + m + 1 if k == "recurrent" else e + d, "generation": m}, "not right yet"),
    (lambda k, n, m, e, d: None, "should return a dict"),
])
def test_sequential_steps_explains_mistakes(capsys, mistake, phrase):
    assert not check("7.3-sequential-steps", mistake)
    assert phrase in capsys.readouterr().out
