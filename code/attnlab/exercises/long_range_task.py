"""Exercises of chapter 2, "A long-range task: CNN, LSTM and self-attention"."""

import math

import torch

from ..positional import sinusoidal_encoding
from .declarations import function_exercise


def _wrong_encodings(n_positions: int, d_model: int) -> dict[str, torch.Tensor]:
    """The typical wrong encodings, by the key of their message."""
    positions = torch.arange(n_positions, dtype=torch.float64)[:, None]
    i = torch.arange(0, d_model, 2, dtype=torch.float64)
    right = sinusoidal_encoding(n_positions, d_model).double()
    swapped = torch.zeros_like(right)
    swapped[:, 0::2], swapped[:, 1::2] = right[:, 1::2], right[:, 0::2]
    halves = torch.cat([right[:, 0::2], right[:, 1::2]], dim=1)
    one_based = sinusoidal_encoding(n_positions + 1, d_model).double()[1:]
    per_column = torch.exp(-math.log(10000.0) * torch.arange(d_model, dtype=torch.float64) / d_model)
    per_column_enc = torch.where(torch.arange(d_model) % 2 == 0, torch.sin(positions * per_column),
                                 torch.cos(positions * per_column))
    inverted = torch.zeros_like(right)
    inverted[:, 0::2] = torch.sin(positions * 10000.0 ** (i / d_model))
    inverted[:, 1::2] = torch.cos(positions * 10000.0 ** (i / d_model))
    return {"swapped": swapped, "halves": halves, "one-based": one_based, "per-column": per_column_enc,
            "inverted": inverted}


function_exercise(
    "2.2-sinusoidal", name="my_sinusoidal", cases=[(7, 6), (50, 16)],
    reference=lambda n, d: sinusoidal_encoding(n, d).double(), describe=lambda n, d: f"my_sinusoidal({n}, {d})",
    mistakes={key: (lambda n, d, key=key: _wrong_encodings(n, d)[key])
              for key in ("swapped", "halves", "one-based", "per-column", "inverted")})
