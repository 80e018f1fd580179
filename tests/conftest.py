"""Shared fixtures of the package tests."""

import pytest
import torch


@pytest.fixture(scope="module")
def float64():
    """Compare in float64, as the course promises (1e-6); restore the default dtype afterwards.

    Use it for a whole module with ``pytestmark = pytest.mark.usefixtures("float64")``.
    """
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)
