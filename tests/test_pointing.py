"""The pointing task and the Pointer of chapter 4 (score-functions.ipynb)."""

import pytest
import torch

from attnlab.data.pointing import make_pointing, random_rotation
from attnlab.models.pointer import Pointer
from attnlab.scores import DistanceScore


def test_shapes_and_the_query_is_a_noisy_target_key():
    query, keys, target = make_pointing(50, n_keys=7, d=5, noise=0.0, seed=1)
    assert query.shape == (50, 5) and keys.shape == (50, 7, 5) and target.shape == (50,)
    assert target.dtype == torch.long and 0 <= target.min() and target.max() < 7
    torch.testing.assert_close(query, keys[torch.arange(50), target])


def test_the_noise_is_standard_normal_times_noise():
    n, d, noise = 2000, 5, 0.5
    query, keys, target = make_pointing(n, n_keys=7, d=d, noise=noise, seed=1)
    residual = query - keys[torch.arange(n), target]                      # the noise alone: n * d draws
    samples = residual.numel()
    # 5 standard errors: the sample std has standard error about noise / sqrt(2 N), the mean noise / sqrt(N)
    assert abs(residual.std().item() - noise) < 5 * noise / (2 * samples) ** 0.5
    assert abs(residual.mean().item()) < 5 * noise / samples ** 0.5


def test_rotation_is_orthogonal_and_rotates_the_query():
    rotation = random_rotation(6, seed=3)
    torch.testing.assert_close(rotation @ rotation.T, torch.eye(6), atol=1e-5, rtol=0)
    query, keys, target = make_pointing(20, d=6, rotation=rotation, noise=0.0, seed=2)
    torch.testing.assert_close(query, keys[torch.arange(20), target] @ rotation.T)


def test_seed_and_generator_are_reproducible():
    first, again = make_pointing(10, seed=4), make_pointing(10, seed=4)
    assert all(torch.equal(x, y) for x, y in zip(first, again))
    generator = torch.Generator().manual_seed(4)
    assert all(torch.equal(x, y) for x, y in zip(make_pointing(10, generator=generator), first))
    assert not torch.equal(make_pointing(10, generator=generator)[1], first[1])   # the stream moves on


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_samples=0), "n_samples must be a positive int"),
    (dict(n_samples=5, d=4, rotation=torch.eye(3)), r"rotation has shape \(3, 3\) but must have shape \(d, d\) or None = \(4, 4\)"),
    (dict(n_samples=5, noise=-1.0), "noise must be non-negative"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_pointing(**kwargs)


def test_attend_returns_scores_and_their_softmax_with_no_stored_state():
    query, keys, _ = make_pointing(8, d=16, seed=5)
    pointer = Pointer("general")
    scores, weights = pointer.attend(query, keys)
    assert scores.shape == weights.shape == (8, 10)
    torch.testing.assert_close(weights, torch.softmax(scores, -1))
    torch.testing.assert_close(pointer(query, keys), scores)
    again, _ = pointer.attend(query[:3], keys[:3])                 # computed afresh, per input
    torch.testing.assert_close(again, scores[:3])
    assert not any(isinstance(v, torch.Tensor) for v in vars(pointer).values())


def test_noiseless_same_space_is_solved_by_the_distance_score():
    query, keys, target = make_pointing(200, noise=0.0, seed=6)
    assert torch.equal(Pointer(DistanceScore(16))(query, keys).argmax(-1), target)


def test_pointer_checks_its_inputs():
    pointer = Pointer("dot", d=4)
    with pytest.raises(ValueError, match=r"query has shape \(2, 5\) but must have shape \(batch, d=4\)"):
        pointer(torch.randn(2, 5), torch.randn(2, 3, 4))
    with pytest.raises(ValueError, match=r"keys has shape \(3, 3, 4\) but must have shape \(batch=2, n_keys, d=4\)"):
        pointer(torch.randn(2, 4), torch.randn(3, 3, 4))
