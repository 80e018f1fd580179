"""Argument checks shared by every public function of the package.

Each check raises an error that names the argument and the expected shape, in the book's words:
"query has shape (2, 5) but must have shape (batch, n_queries, d_model=8)". Shapes are written as
in the docstrings, e.g. ``"(batch, seq_len)"``; a check that knows a dimension's value adds it.

One exception policy: ``TypeError`` for a wrong type or dtype, ``ValueError`` for a wrong shape
or value. Every public function of the package checks its arguments with these functions; no
module writes its own "must have shape" message (tests/test_checks.py holds that).
"""

from __future__ import annotations

import torch

__all__ = ["shape_of", "require_tensor", "require_shape", "require_vectors", "require_tokens",
           "require_mask", "require_same_batch", "require_same_dtype", "require_positive_int",
           "require_non_negative_int", "require_non_negative", "require_odd_int", "require_probability", "require_one_of", "require_data"]


def shape_of(x) -> str:
    """``x``'s shape as the book writes it, e.g. ``(2, 5)``; for anything without a shape (a
    tensor or a NumPy array has one), its type's name."""
    return str(tuple(x.shape)) if hasattr(x, "shape") else type(x).__name__


def require_tensor(name: str, x, expected: str, *, dim: int | None = None, min_dim: int = 0,
                   floating: bool = True) -> torch.Tensor:
    """``x`` must be a tensor of shape ``expected`` (a text such as ``"(batch, n, d)"``).

    ``dim``: the exact number of dimensions, or ``min_dim`` the least; ``floating``: a
    floating-point dtype is required (set it to False to accept any number type).
    """
    if not torch.is_tensor(x):
        raise TypeError(f"{name} must be a torch.Tensor of shape {expected}, got {type(x).__name__}")
    if floating and not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor of shape {expected}, got dtype {x.dtype}")
    if (dim is not None and x.dim() != dim) or x.dim() < min_dim:
        raise ValueError(f"{name} has shape {shape_of(x)} but must have shape {expected}")
    return x


def require_shape(name: str, x, shape: tuple, expected: str, *, hint: str = ""):
    """``x`` (a tensor or NumPy array) must have ``shape``, where None matches any size and a
    leading ``...`` any number of leading dimensions, e.g. ``(..., d)``; ``expected`` is the shape
    in words, e.g. ``"(batch, n_source)"``; ``hint``, if given, ends the message (what to do)."""
    if not hasattr(x, "shape"):
        raise TypeError(f"{name} must be a torch.Tensor of shape {expected}, got {type(x).__name__}")
    leading = bool(shape) and shape[0] is Ellipsis
    wanted = shape[1:] if leading else shape
    got = tuple(x.shape)[len(x.shape) - len(wanted):] if leading else tuple(x.shape)
    if (len(x.shape) < len(wanted) if leading else len(got) != len(wanted)) or any(
            want is not None and size != want for size, want in zip(got, wanted)):
        numbers = ("...",) * leading + tuple("*" if want is None else want for want in wanted)
        shown = "" if all(want is None for want in wanted) else f" = ({', '.join(map(str, numbers))}" + (
            ",)" if len(numbers) == 1 else ")")
        raise ValueError(f"{name} has shape {shape_of(x)} but must have shape {expected}{shown}"
                         + (f": {hint}" if hint else ""))
    return x


def require_vectors(name: str, x, d_model: int, n_name: str = "n") -> torch.Tensor:
    """``x`` must be a floating-point tensor of shape (batch, n, d_model)."""
    expected = f"(batch, {n_name}, d_model={d_model})"
    require_tensor(name, x, expected, dim=3)
    if x.shape[-1] != d_model:
        raise ValueError(f"{name} has shape {shape_of(x)} but must have shape {expected}")
    return x


def require_tokens(name: str, tokens, expected: str = "(batch, seq_len)") -> torch.Tensor:
    """``tokens`` must be a long tensor of token ids of shape ``expected`` (as many dimensions)."""
    dim = sum(1 for part in expected.strip("()").split(",") if part.strip())  # "(batch,)" has one
    if not torch.is_tensor(tokens) or tokens.dtype != torch.long:
        got = f"dtype {tokens.dtype}" if torch.is_tensor(tokens) else type(tokens).__name__
        raise TypeError(f"{name} must be a long tensor of shape {expected} (token ids), got {got}")
    if tokens.dim() != dim:
        raise ValueError(f"{name} has shape {shape_of(tokens)} but must have shape {expected} (token ids)")
    return tokens


def require_mask(name: str, mask, shape: tuple[int, ...], expected: str) -> torch.Tensor:
    """``mask`` must be a bool tensor (True = may be attended) of exactly ``shape``, which the
    docstrings write as ``expected``, e.g. ``"(batch, seq_len)"``. A wrong type or dtype raises
    TypeError, a wrong shape ValueError, as everywhere in the package."""
    if not torch.is_tensor(mask) or mask.dtype != torch.bool:
        got = f"dtype {mask.dtype}" if torch.is_tensor(mask) else type(mask).__name__
        raise TypeError(f"{name} must be a bool tensor of shape {expected} = {tuple(shape)} "
                        f"(True = may be attended), got {got}; use mask.bool() or a comparison")
    if tuple(mask.shape) != tuple(shape):
        raise ValueError(f"{name} has shape {shape_of(mask)} but must have shape {expected} = "
                         f"{tuple(shape)} (True = may be attended)")
    return mask


def require_same_batch(**tensors: torch.Tensor) -> int:
    """All ``tensors`` must share their first (batch) dimension; return it."""
    sizes = {name: x.shape[0] for name, x in tensors.items() if torch.is_tensor(x) and x.dim() > 0}
    if len(set(sizes.values())) > 1:
        listed = ", ".join(f"{name} {shape_of(tensors[name])}" for name in sizes)
        raise ValueError(f"the batch sizes differ: {listed}; they must share their first dimension (batch)")
    return next(iter(sizes.values()), 0)


def require_same_dtype(**tensors: torch.Tensor) -> torch.dtype:
    """All ``tensors`` must share one dtype (e.g. all float32, or all float64); return it."""
    dtypes = {name: x.dtype for name, x in tensors.items() if torch.is_tensor(x)}
    if len(set(dtypes.values())) > 1:
        listed = ", ".join(f"{name} {dtype}" for name, dtype in dtypes.items())
        raise TypeError(f"the dtypes differ: {listed}; convert them to one, e.g. with .double() or .float()")
    return next(iter(dtypes.values()), torch.get_default_dtype())


def _require_int(name: str, value, least: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a {what} int, got {type(value).__name__} {value!r}")
    if value < least:
        raise ValueError(f"{name} must be a {what} int (at least {least}), got {value}")
    return value


def require_positive_int(name: str, value) -> int:
    """``value`` must be an int of at least 1."""
    return _require_int(name, value, 1, "positive")


def require_non_negative_int(name: str, value) -> int:
    """``value`` must be an int of at least 0."""
    return _require_int(name, value, 0, "non-negative")


def require_odd_int(name: str, value) -> int:
    """``value`` must be a positive odd int: a kernel size whose 'same' padding keeps the length."""
    _require_int(name, value, 1, "positive odd")
    if value % 2 == 0:
        raise ValueError(f"{name} must be a positive odd int (so 'same' padding keeps the size), got {value}")
    return value


def require_non_negative(name: str, value) -> float:
    """``value`` must be a number of at least 0 (a temperature, a length penalty's alpha)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a non-negative number, got {type(value).__name__} {value!r}")
    if not value >= 0.0:                                  # also refuses NaN
        raise ValueError(f"{name} must be a non-negative number, got {value}")
    return float(value)


def require_probability(name: str, value) -> float:
    """``value`` must be a number in [0, 1) (a dropout probability, a rate)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number in [0, 1), got {type(value).__name__} {value!r}")
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be a number in [0, 1), got {value}")
    return float(value)


def require_one_of(name: str, value, options) -> object:
    """``value`` must be one of ``options``."""
    if value not in tuple(options):
        raise ValueError(f"{name} must be one of {', '.join(repr(o) for o in options)}, got {value!r}")
    return value


def require_data(name: str, data) -> tuple[torch.Tensor, ...]:
    """``data`` must be a tuple (or list) of tensors sharing their first dimension, such as
    ``(inputs..., targets)``; return it as a tuple."""
    if not isinstance(data, (tuple, list)) or not data or not all(torch.is_tensor(t) for t in data):
        raise TypeError(f"{name} must be a tuple of tensors (inputs..., targets), got {type(data).__name__}")
    require_same_batch(**{f"{name}[{i}]": t for i, t in enumerate(data)})
    return tuple(data)
