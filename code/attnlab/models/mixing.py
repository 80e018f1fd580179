"""Token mixing: a fixed n × n matrix, a learned input-independent attention matrix, self-attention.

Introduced in chapter 8 ("Q3: self-attention and the fully connected layer"). All three layers
compute ``Y = A · X · W_v`` for X: (batch, n, d); they differ only in where the n × n mixing
matrix A comes from:

- ``"fixed"``: A is a free n × n parameter, a fully connected layer over positions: the same for
  every input, defined for one length n only. It is the linear core of MLP-Mixer's token mixing
  (Tolstikhin et al. 2021), whose block is a two-layer MLP across positions (with a GELU and a
  hidden width of its own) and has no W_v;
- ``"synthesizer"``: A = softmax(R) with R a learned n × n parameter, the random Synthesizer
  (Tay et al. 2021): an attention matrix, but not computed from the input;
- ``"attention"``: A(X) = softmax(X W_q (X W_k)^T / sqrt(d)), self-attention: computed from the
  input, with O(d²) parameters and no fixed n.

:class:`MixingClassifier` puts one of them in the same small model (token and previous-token
embeddings, sinusoidal positions, one mixing layer with a residual, an MLP read-out at the last
position), so the three can be compared on the same task at the same budget.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..attention import masked_softmax
from ..checks import require_positive_int, require_tokens, require_vectors, shape_of
from ..positional import sinusoidal_encoding

__all__ = ["MIXINGS", "TokenMixing", "MixingClassifier"]

MIXINGS = ("fixed", "synthesizer", "attention")


class TokenMixing(nn.Module):
    """One mixing layer ``Y = A · X · W_v``, A from ``kind`` (one of :data:`MIXINGS`).

    n_positions: the length n of the fixed A ("fixed", "synthesizer"); ignored by "attention".
    """

    def __init__(self, kind: str, d_model: int, n_positions: int):
        super().__init__()
        if kind not in MIXINGS:
            raise ValueError(f"kind must be one of {MIXINGS}, got {kind!r}")
        require_positive_int("d_model", d_model)
        require_positive_int("n_positions", n_positions)
        self.kind, self.d_model, self.n_positions = kind, d_model, n_positions
        self.value = nn.Linear(d_model, d_model, bias=False)
        if kind == "attention":
            self.query = nn.Linear(d_model, d_model, bias=False)
            self.key = nn.Linear(d_model, d_model, bias=False)
        else:
            init = torch.randn(n_positions, n_positions) / math.sqrt(n_positions)
            self.mixing = nn.Parameter(init)

    def mixing_matrix(self, x: torch.Tensor) -> torch.Tensor:
        """A: (batch, n, n) for x: (batch, n, d_model)."""
        require_vectors("x", x, self.d_model)
        batch, n, d = x.shape
        if self.kind == "attention":
            scores = self.query(x) @ self.key(x).transpose(1, 2) / math.sqrt(d)
            return masked_softmax(scores)
        if n != self.n_positions:
            raise ValueError(f"x has shape {shape_of(x)}, but this {self.kind!r} mixing layer has a fixed "
                             f"{self.n_positions} × {self.n_positions} matrix: it only runs on n = "
                             f"{self.n_positions} positions")
        matrix = self.mixing if self.kind == "fixed" else masked_softmax(self.mixing)
        return matrix.expand(batch, n, n)

    def attend(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x: (batch, n, d_model). Returns ``(output, weights)``: (batch, n, d_model), A (batch, n, n)."""
        weights = self.mixing_matrix(x)
        return weights @ self.value(x), weights

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.attend(x)[0]


class MixingClassifier(nn.Module):
    """Classify a token sequence from its last position after one :class:`TokenMixing` layer.

    Each position's input is ``embed(token) + embed_previous(previous token) + sinusoidal
    position``, so a position knows its neighbour (a recall value knows its key); then
    ``h = x + mix(x)`` and the logits are ``MLP(LayerNorm(h[:, -1]))``.

    previous_token: False leaves out ``embed_previous``, so that each position knows only its
    own token and place (chapter 8 measures what the previous-token feature is worth).
    readout_width: the hidden width of the read-out MLP (default ``2 * d_model``); chapter 8
    widens it in the input-independent models to match self-attention's parameter count.
    tokens: (batch, n) long. Returns logits (batch, n_classes).
    """

    def __init__(self, kind: str, vocab_size: int, n_classes: int, n_positions: int, d_model: int = 32,
                 previous_token: bool = True, readout_width: int | None = None):
        super().__init__()
        require_positive_int("vocab_size", vocab_size)
        require_positive_int("n_classes", n_classes)
        if d_model % 2:
            raise ValueError(f"d_model must be even (sinusoidal positions), got {d_model}")
        readout_width = 2 * d_model if readout_width is None else readout_width
        require_positive_int("readout_width", readout_width)
        self.vocab_size = vocab_size
        self.embed = nn.Embedding(vocab_size, d_model)
        # index vocab_size: "no previous token"
        self.embed_previous = nn.Embedding(vocab_size + 1, d_model) if previous_token else None
        self.mix = TokenMixing(kind, d_model, n_positions)
        self.norm = nn.LayerNorm(d_model)
        self.readout = nn.Sequential(nn.Linear(d_model, readout_width), nn.ReLU(),
                                     nn.Linear(readout_width, n_classes))

    def _inputs(self, tokens: torch.Tensor) -> torch.Tensor:
        require_tokens("tokens", tokens)
        if tokens.device.type != "meta" and (tokens.min() < 0 or tokens.max() >= self.vocab_size):
            raise ValueError(f"tokens must lie in 0..{self.vocab_size - 1}, got {tokens.min()}..{tokens.max()}")
        n, d = tokens.shape[1], self.embed.embedding_dim
        positions = sinusoidal_encoding(n, d).to(self.embed.weight)
        if self.embed_previous is None:
            return self.embed(tokens) + positions
        previous = torch.cat([torch.full_like(tokens[:, :1], self.vocab_size), tokens[:, :-1]], dim=1)
        return self.embed(tokens) + self.embed_previous(previous) + positions

    def attend(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """tokens: (batch, n). Returns ``(logits, weights)``: (batch, n_classes), A (batch, n, n)."""
        x = self._inputs(tokens)
        mixed, weights = self.mix.attend(x)
        h = x + mixed
        return self.readout(self.norm(h[:, -1])), weights

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.attend(tokens)[0]
