"""Shared fixtures of the package tests, and hypothesis's profiles.

In CI (the environment variable CI is set, as .ci/run's caller does) hypothesis runs its
"ci" profile: derandomized, so a run repeats exactly and a red build is reproducible. Locally it
explores new examples each run ("dev"). Choose one with HYPOTHESIS_PROFILE=ci|dev.
"""

import os

import pytest
import torch
from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(scope="module")
def float64():
    """Compare in float64, as the course promises (1e-6); restore the default dtype afterwards.

    Use it for a whole module with ``pytestmark = pytest.mark.usefixtures("float64")``.
    """
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "checker_may_crash: the test exercises check()'s own handling of a checker that crashes, "
                   "so the autouse guard `_a_crashing_checker_fails_the_test` stays off.")


@pytest.fixture(autouse=True)
def _a_crashing_checker_fails_the_test(request, monkeypatch):
    """Fail any test in which ``check()`` meets a checker that crashes.

    ``check`` hides such a crash from the learner behind a message ("checking your answer raised
    ...") that contains words ("raised", "shape", "None") the exercise tests look for, so a
    crashing checker could pass them. ``check`` gets its verdict from the module-level
    ``core.verdict`` (which lets a checker's crash through); this wrapper turns that crash into
    ``pytest.fail``, whose exception is not an ``Exception`` and so escapes check's
    ``except Exception``. check's behaviour for learners is unchanged (only the tests patch it).
    Tests of that very path are marked ``@pytest.mark.checker_may_crash``.
    """
    if request.node.get_closest_marker("checker_may_crash"):
        yield
        return
    from attnlab.exercises import core

    original = core.verdict

    def verdict(exercise_id, answer):
        try:
            return original(exercise_id, answer)
        except Exception as error:  # noqa: BLE001 - any crash of a checker, as check() catches it
            pytest.fail(f"the checker of exercise {exercise_id!r} crashed with {type(error).__name__}: {error} "
                        f"(check() would have hidden this behind 'checking your answer raised ...'); "
                        f"mark the test @pytest.mark.checker_may_crash if that is what it tests",
                        pytrace=True)

    monkeypatch.setattr(core, "verdict", verdict)
    yield
