"""The checkers of kv-cache.ipynb accept the solutions and explain typical mistakes."""

import math

import pytest
import torch

from attnlab.exercises import check


def step(query, key, value, cached_keys, cached_values):
    keys, values = torch.cat([cached_keys, key], 1), torch.cat([cached_values, value], 1)
    weights = torch.softmax(query @ keys.transpose(1, 2) / math.sqrt(query.shape[-1]), dim=-1)
    return weights @ values, keys, values


def test_cached_step_accepts_the_solution(capsys):
    assert check("7.4-cached-step", step)
    assert "Correct" in capsys.readouterr().out


def _past_only(q, k, v, ck, cv):
    out, keys, values = step(q, k, v, ck, cv)
    if ck.shape[1] == 0:
        return out, keys, values
    weights = torch.softmax(q @ ck.transpose(1, 2) / math.sqrt(q.shape[-1]), dim=-1)
    return weights @ cv, keys, values


def _unscaled(q, k, v, ck, cv):
    keys, values = torch.cat([ck, k], 1), torch.cat([cv, v], 1)
    return torch.softmax(q @ keys.transpose(1, 2), dim=-1) @ values, keys, values


@pytest.mark.parametrize("mistake, phrase", [
    (_past_only, "cached positions only"),
    (_unscaled, "sqrt(d)"),
    (lambda q, k, v, ck, cv: (step(q, k, v, ck, cv)[0], torch.cat([k, ck], 1), torch.cat([v, cv], 1)), "before"),
    (lambda q, k, v, ck, cv: (step(q, k, v, ck, cv)[0], ck, cv), "shape"),
    (lambda q, k, v, ck, cv: step(q, k, v, ck, cv)[0], "three things"),
    (lambda q, k, v, ck, cv: None, "None"),
    (lambda q, k, v, ck, cv: (step(q, k, v, ck, cv)[0] + 0.1,) + step(q, k, v, ck, cv)[1:], "off by up to"),
])
def test_cached_step_explains_mistakes(mistake, phrase, capsys):
    assert not check("7.4-cached-step", mistake)
    assert phrase in capsys.readouterr().out


def test_cache_bytes(capsys):
    assert check("7.4-cache-bytes", 2 * 12 * 1024 * 768 * 2)
    for wrong, phrase in ((12 * 1024 * 768 * 2, "keys AND values"), (2 * 12 * 1024 * 768 * 4, "float32"),
                          (2 * 12 * 1024 * 768 * 3, "Count keys and values")):
        assert not check("7.4-cache-bytes", wrong)
        assert phrase in capsys.readouterr().out
