"""Recurrent encoders and the three ways to read a sequence out of them.

Introduced in chapter 1 ("The bottleneck") and reused in chapters 2 and 3 (the LSTM baseline of
"A long-range task", the GRU reader of "The disadvantages, measured").
A :class:`RecurrentEncoder` turns tokens into one state per position; a read-out turns those
states into one vector:

- :class:`FinalStateReadout`: the last state, a fixed-size summary of everything read;
- :class:`MeanReadout`: the equal-weight average of the states;
- :class:`AttentionReadout`: a weighted average of the states, with weights from a query.

:class:`RecurrentClassifier` puts an encoder, a read-out and a linear layer together.
"""

from __future__ import annotations

import torch
from torch import nn

from ..attention import scaled_dot_product_attention
from ..checks import require_shape, require_tokens, require_vectors

__all__ = ["RecurrentEncoder", "FinalStateReadout", "MeanReadout", "AttentionReadout",
           "RecurrentClassifier", "CELLS", "set_forget_bias", "lstm_gates", "left_pad"]

CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


def set_forget_bias(lstm: nn.LSTM, value: float) -> nn.LSTM:
    """Set the forget-gate bias of every layer of ``lstm`` to ``value``; return ``lstm``.

    PyTorch orders an LSTM's gates (input, forget, cell, output) and keeps two biases per gate
    (``bias_ih`` and ``bias_hh``): the forget rows of the first get ``value``, those of the second 0,
    so the gate starts at sigmoid(value) for a zero input. Chapter 2, "Local encoding" (forget-gate
    bias 1 of Jozefowicz et al. 2015) and "A long-range task".
    """
    if not isinstance(lstm, nn.LSTM):
        raise TypeError(f"lstm must be an nn.LSTM, got {type(lstm).__name__}")
    if not lstm.bias:
        raise ValueError("lstm was built with bias=False: it has no forget-gate bias to set")
    hidden = lstm.hidden_size
    with torch.no_grad():
        for name, parameter in lstm.named_parameters():
            if name.startswith("bias_ih"):
                parameter[hidden:2 * hidden] = float(value)
            elif name.startswith("bias_hh"):
                parameter[hidden:2 * hidden] = 0.0
    return lstm


def lstm_gates(lstm: nn.LSTM, inputs: torch.Tensor) -> dict[str, torch.Tensor]:
    """The gates and states of a one-layer LSTM, step by step (chapter 6, "Gates as attention").

    inputs: (batch, n, d_input), batch first whatever ``lstm.batch_first`` says; the LSTM starts
    from zero states. Returns a dict of (batch, n, d_hidden) tensors: ``"input"``, ``"forget"``,
    ``"output"`` (the three sigmoid gates), ``"candidate"`` (the tanh cell input g), ``"memory"``
    (the cell c) and ``"hidden"`` (h, equal to the LSTM's output). PyTorch orders the gates
    (input, forget, candidate, output) in its weight matrices.
    """
    if not isinstance(lstm, nn.LSTM):
        raise TypeError(f"lstm must be an nn.LSTM, got {type(lstm).__name__}")
    if lstm.num_layers != 1 or lstm.bidirectional or lstm.proj_size:
        raise ValueError("lstm must have one layer, one direction and no projection, got "
                         f"num_layers={lstm.num_layers}, bidirectional={lstm.bidirectional}, proj_size={lstm.proj_size}")
    require_vectors("inputs", inputs, lstm.input_size)
    batch, n, _ = inputs.shape
    projected = inputs @ lstm.weight_ih_l0.T                          # (batch, n, 4 d_hidden)
    if lstm.bias:
        projected = projected + lstm.bias_ih_l0 + lstm.bias_hh_l0
    hidden = memory = inputs.new_zeros(batch, lstm.hidden_size)
    steps = {name: [] for name in ("input", "forget", "candidate", "output", "memory", "hidden")}
    for t in range(n):
        i, f, g, o = (projected[:, t] + hidden @ lstm.weight_hh_l0.T).chunk(4, dim=-1)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        memory = f * memory + i * g
        hidden = o * torch.tanh(memory)
        for name, value in zip(steps, (i, f, g, o, memory, hidden)):
            steps[name].append(value)
    return {name: torch.stack(values, dim=1) for name, values in steps.items()}


def left_pad(tokens: torch.Tensor, pad_token: int = 0) -> torch.Tensor:
    """Move each row's padding to the front: right-padded tokens (batch, seq_len) -> left-padded.

    The words keep their order; with left padding the last position's state is the state after
    the last word, which :class:`FinalStateReadout` reads (chapter 6, "Three sentence vectors").
    Padding is every position holding ``pad_token`` after the last word.
    """
    require_tokens("tokens", tokens)
    seq_len = tokens.shape[1]
    is_word = tokens != pad_token
    positions = torch.arange(seq_len, device=tokens.device)
    lengths = torch.where(is_word, positions + 1, 0).max(dim=1).values        # up to the last word
    index = (positions[None, :] - (seq_len - lengths)[:, None]) % seq_len
    shifted = tokens.gather(1, index)
    return torch.where(positions[None, :] < (seq_len - lengths)[:, None], torch.full_like(tokens, pad_token), shifted)


class RecurrentEncoder(nn.Module):
    """Embedding + one recurrent layer (``cell`` = "rnn", "gru" or "lstm").

    forward(tokens (batch, seq_len) long, lengths (batch,) or None) ->
    ``(states, final)``: states (batch, seq_len, d_hidden), final (batch, d_hidden).
    Without ``lengths`` the final state is the last position's (use left padding); with
    ``lengths`` (right padding) it is the state at position ``lengths - 1``.
    """

    def __init__(self, vocab_size: int, d_embed: int, d_hidden: int, cell: str = "gru",
                 padding_idx: int | None = 0):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}")
        self.cell, self.d_hidden = cell, d_hidden
        self.embedding = nn.Embedding(vocab_size, d_embed, padding_idx=padding_idx)
        self.rnn = CELLS[cell](d_embed, d_hidden, batch_first=True)

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor | None = None):
        require_tokens("tokens", tokens)
        states, _ = self.rnn(self.embedding(tokens))
        if lengths is None:
            return states, states[:, -1]
        require_tokens("lengths", lengths, "(batch,)")
        require_shape("lengths", lengths, tuple(tokens.shape[:1]), "(batch,)")
        if (lengths < 1).any() or (lengths > tokens.shape[1]).any():
            raise ValueError(f"lengths must lie in 1..{tokens.shape[1]} (the sequence length)")
        return states, states[torch.arange(len(tokens)), lengths - 1]


class FinalStateReadout(nn.Module):
    """The last state: a fixed-size vector that must hold everything the task needs."""

    def forward(self, states, final, mask=None):
        """states: (batch, seq_len, d); final: (batch, d); returns (batch, d)."""
        return final

    def attend(self, states, final, mask=None):
        """``(final, weights)``: weights (batch, seq_len) all on the last position (for plots; the
        final state equals the last state when the sequences are left-padded)."""
        weights = torch.zeros(states.shape[:2], dtype=states.dtype, device=states.device)
        weights[:, -1] = 1.0
        return final, weights


class MeanReadout(nn.Module):
    """The average of the states at positions where ``mask`` (batch, seq_len) is True."""

    def forward(self, states, final, mask=None):
        """states: (batch, seq_len, d); final: (batch, d); mask: (batch, seq_len) bool; returns (batch, d)."""
        if mask is None:
            return states.mean(dim=1)
        return self.attend(states, final, mask)[0]

    def attend(self, states, final, mask=None):
        """``(output (batch, d), weights (batch, seq_len))``: the equal weights of the average."""
        if mask is None:
            mask = torch.ones(states.shape[:2], dtype=torch.bool, device=states.device)
        weights = mask.to(states.dtype) / mask.to(states.dtype).sum(dim=1, keepdim=True).clamp(min=1)
        return (weights.unsqueeze(-1) * states).sum(dim=1), weights


class AttentionReadout(nn.Module):
    """Attention over the states, with the query computed from the final state.

    query = W_q final, keys = W_k states, values = the states themselves; the output is the
    attention-weighted average of the states. :meth:`attend` returns the output with its weights
    (batch, seq_len), computed afresh; nothing is stored between calls.
    """

    def __init__(self, d_hidden: int, d_attention: int | None = None):
        super().__init__()
        d_attention = d_attention or d_hidden
        self.query_proj = nn.Linear(d_hidden, d_attention)
        self.key_proj = nn.Linear(d_hidden, d_attention)

    def attend(self, states, final, mask=None):
        """``(output (batch, d), weights (batch, seq_len))``, computed afresh (nothing stored)."""
        query = self.query_proj(final).unsqueeze(1)                  # (batch, 1, d_attention)
        keys = self.key_proj(states)                                  # (batch, seq_len, d_attention)
        output, weights = scaled_dot_product_attention(
            query, keys, states, None if mask is None else mask.unsqueeze(1))
        return output.squeeze(1), weights.squeeze(1)

    def forward(self, states, final, mask=None):
        """states: (batch, seq_len, d); final: (batch, d); mask: (batch, seq_len) bool; returns (batch, d)."""
        return self.attend(states, final, mask)[0]


class RecurrentClassifier(nn.Module):
    """encoder -> read-out -> linear layer; forward(tokens) -> logits (batch, n_classes).

    Positions holding ``pad_token`` are masked out of the mean and attention read-outs.
    """

    def __init__(self, encoder: RecurrentEncoder, readout: nn.Module, n_classes: int, pad_token: int = 0):
        super().__init__()
        self.encoder, self.readout, self.pad_token = encoder, readout, pad_token
        self.classifier = nn.Linear(encoder.d_hidden, n_classes)

    @classmethod
    def build(cls, readout: str, vocab_size: int, n_classes: int, d_embed: int = 32, d_hidden: int = 64,
              cell: str = "gru", pad_token: int = 0, forget_bias: float | None = None) -> "RecurrentClassifier":
        """A classifier with ``readout`` = "final", "mean" or "attention"; ``forget_bias`` (LSTM only)
        sets the forget gate's initial bias (:func:`set_forget_bias`)."""
        readouts = {"final": FinalStateReadout, "mean": MeanReadout,
                    "attention": lambda: AttentionReadout(d_hidden)}
        if readout not in readouts:
            raise ValueError(f"readout must be one of {sorted(readouts)}, got {readout!r}")
        if forget_bias is not None and cell != "lstm":
            raise ValueError(f"forget_bias needs cell='lstm' (only an LSTM has a forget gate), got cell={cell!r}")
        encoder = RecurrentEncoder(vocab_size, d_embed, d_hidden, cell=cell, padding_idx=pad_token)
        if forget_bias is not None:
            set_forget_bias(encoder.rnn, forget_bias)
        return cls(encoder, readouts[readout](), n_classes, pad_token)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        states, final = self.encoder(tokens)
        return self.classifier(self.readout(states, final, tokens != self.pad_token))

    def attend(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(logits (batch, n_classes), weights (batch, seq_len))``, computed afresh: the read-out's
        weights over the states (attention's, the mean's equal ones, or all on the final state)."""
        states, final = self.encoder(tokens)
        read, weights = self.readout.attend(states, final, tokens != self.pad_token)
        return self.classifier(read), weights
