"""How a checker reads a learner's answer: each helper returns the answer as a value of the
expected kind (a tensor, a number, a choice), or raises :class:`Incorrect` with a kind, specific
message (None, a wrong type or shape, NaN, a function that raises)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

__all__ = ["Incorrect", "refuse_none", "call", "as_tensor", "as_number", "as_choice", "expect_close"]


class Incorrect(Exception):
    """Raised by a checker with the message the learner should read."""


def refuse_none(value: Any, name: str) -> None:
    """Raise :class:`Incorrect` with a kind message when ``value`` (the learner's answer) is None."""
    if value is None:
        raise Incorrect(f"{name} is None. Replace the `...` or `None` of the starter cell with your answer; "
                        f"if the answer comes from a function, make sure the function ends with `return`.")


def call(function: Any, *args, name: str = "your function", **kwargs) -> Any:
    """Call the learner's ``function``; turn anything it raises into :class:`Incorrect`."""
    refuse_none(function, name)
    if not callable(function):
        raise Incorrect(f"{name} should be a function, but you passed a {type(function).__name__}.")
    try:
        return function(*args, **kwargs)
    except Exception as error:
        raise Incorrect(f"{name} raised {type(error).__name__}: {error}") from None


def as_tensor(answer: Any, name: str, shape: tuple[int, ...] | None = None) -> torch.Tensor:
    """``answer`` as a float64 tensor of ``shape``, with no NaN or infinity."""
    refuse_none(answer, name)
    if isinstance(answer, torch.Tensor):
        tensor = answer.detach().cpu()
    else:
        try:
            tensor = torch.as_tensor(np.asarray(answer, dtype=np.float64))
        except (TypeError, ValueError):
            raise Incorrect(f"{name} should be a tensor (or array of numbers), "
                            f"but it is a {type(answer).__name__}.") from None
    if tensor.dtype == torch.bool or not (tensor.is_floating_point() or tensor.dtype in
                                          (torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8)):
        raise Incorrect(f"{name} should hold numbers, but its dtype is {tensor.dtype}.")
    tensor = tensor.to(torch.float64)
    if shape is not None and tuple(tensor.shape) != tuple(shape):
        raise Incorrect(f"{name} has shape {tuple(tensor.shape)}, but it should have shape {tuple(shape)}.")
    if torch.isnan(tensor).any():
        raise Incorrect(f"{name} contains NaN. A NaN usually comes from 0/0, or from a softmax "
                        f"over a row in which every score is -inf.")
    if torch.isinf(tensor).any():
        raise Incorrect(f"{name} contains an infinite value. Check for overflow or a division by zero.")
    return tensor


def as_number(answer: Any, name: str) -> float:
    """``answer`` as a finite Python float (a one-element tensor is accepted)."""
    refuse_none(answer, name)
    if isinstance(answer, (torch.Tensor, np.ndarray)):
        count = answer.size if isinstance(answer, np.ndarray) else answer.numel()
        if count != 1:
            raise Incorrect(f"{name} should be a single number, but it has shape {tuple(answer.shape)}.")
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.number)):
        raise Incorrect(f"{name} should be a number, but it is a {type(answer).__name__}.")
    value = float(answer)
    if math.isnan(value) or math.isinf(value):
        raise Incorrect(f"{name} is {value}; it should be a finite number.")
    return value


def as_choice(answer: Any, name: str, options: list[str]) -> str:
    """``answer`` as one of ``options`` (case and surrounding spaces are ignored)."""
    refuse_none(answer, name)
    if not isinstance(answer, str):
        raise Incorrect(f"{name} should be one of the strings {options}, "
                        f"but it is a {type(answer).__name__}.")
    normalized = {option.lower(): option for option in options}
    key = answer.strip().lower()
    if key not in normalized:
        raise Incorrect(f"{name} is {answer!r}, which is not one of the options {options}.")
    return normalized[key]


def expect_close(actual: torch.Tensor, expected: torch.Tensor, name: str, *, hint: str = "",
                 atol: float = 1e-4, rtol: float = 1e-4) -> None:
    """Raise :class:`Incorrect` unless ``actual`` is close to ``expected`` (both tensors)."""
    expected = torch.as_tensor(expected, dtype=torch.float64)
    if not torch.allclose(actual, expected, atol=atol, rtol=rtol):
        worst = (actual - expected).abs().max().item()
        message = f"{name} is off by up to {worst:.3g} from the expected values."
        raise Incorrect(f"{message} {hint}".strip())
