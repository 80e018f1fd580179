"""The hand-written checker of kv-cache.ipynb (a cached step whose positions restart at 0) accepts
the fix and names the original bug and a step that forgets the cache; the declared exercise is
covered by tests/test_exercises.py."""

import pytest

from attnlab.attention import causal_mask
from attnlab.exercises import check
from attnlab.exercises.kv_cache import buggy_step


def fixed_step(model, new_tokens, cache):
    x = model.embedding(new_tokens, offset=cache.length)
    mask = causal_mask(new_tokens.shape[1], past=cache.length)
    return model.output(model.encoder(x, mask, cache=cache))


def test_the_fix_passes():
    assert check("7.4-cached-step", fixed_step)


@pytest.mark.parametrize("answer, phrase", [
    (buggy_step, "still embedded at position 0"),
    (lambda model, tokens, cache: model(tokens), "the cache holds 0 positions"),
    (lambda model, tokens, cache: fixed_step(model, tokens, cache) * 2, "differ from those of one full forward"),
    (lambda model, tokens, cache: None, "is None"),
])
def test_mistakes_are_named(answer, phrase, capsys):
    assert not check("7.4-cached-step", answer)
    assert phrase in capsys.readouterr().out
