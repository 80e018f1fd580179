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
