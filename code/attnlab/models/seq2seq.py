"""An RNN encoder–decoder with pluggable attention (chapter 6, "Sequence to sequence with attention").

The encoder is a bidirectional GRU: source token j gets the state ``h_j = [forward_j; backward_j]``
of width ``d_model``. The decoder is a GRU cell that emits one target token per step. What the
decoder reads from the encoder is the ``attention`` option:

- ``"none"``: a fixed context ``c = [forward_last; backward_first]``, the encoder's final state,
  fed at every step (Cho et al. 2014's RNN encoder–decoder; Bahdanau et al.'s RNNencdec).
- ``"bahdanau"``: additive attention whose query is the decoder's PREVIOUS hidden state
  ``s_{t-1}``: ``e_tj = v^T tanh(W s_{t-1} + U h_j)``, ``c_t = sum_j alpha_tj h_j``, and then
  ``s_t = GRU([y_{t-1}; c_t], s_{t-1})`` (Bahdanau et al. 2015). The context is computed BEFORE
  the recurrent step.
- ``"luong-dot"``, ``"luong-general"``: the query is the CURRENT decoder state ``h_t``, computed
  first, ``h_t = GRU(y_{t-1}, h_{t-1})``; then ``score = h_t . h_j`` (dot) or ``h_t^T W h_j``
  (general), ``c_t`` as above, and the attentional hidden state ``h~_t = tanh(W_c [c_t; h_t])``
  (Luong et al. 2015). Luong's "input feeding" (``h~_{t-1}`` fed into the next step's GRU) is
  NOT used: the decoder GRU reads ``y_{t-1}`` alone, so that teacher-forced training runs it over
  all steps in one call.

Every variant predicts the next token from ``tanh(W_c [c_t; state_t])`` with the same layers,
so the four differ only in what the decoder reads. That read-out is Luong's, for all four; it is
simpler than Bahdanau et al.'s "deep output" (a maxout layer over ``s_{t-1}``, ``y_{t-1}`` and
``c_t``), which this package does not implement. The model offers, with no stored state:

- ``encode(source) -> Memory`` and ``step(memory, state, previous) -> (logits, weights, state)``,
  the pieces greedy decoding and beam search (:mod:`attnlab.decoding`) are made of;
- ``attend(source, target_in) -> (logits (batch, n_target, vocab), weights (batch, n_target,
  n_source))``, teacher-forced (``weights`` is None for ``"none"``); ``forward`` returns the logits.

Source padding (id 0) is masked: a padded source position gets exactly zero weight. A source row
that is all padding has nothing to attend to (its weights would be 0/0, NaN): ``encode`` refuses
it with a ValueError that names the row.
"""

from __future__ import annotations

from typing import NamedTuple


import torch
from torch import nn

from ..attention import softmax_average
from ..checks import require_positive_int, require_same_batch, require_tokens
from ..scores import AdditiveScore, GeneralScore

__all__ = ["ATTENTIONS", "Memory", "DecoderState", "Seq2Seq"]

ATTENTIONS = ("none", "bahdanau", "luong-dot", "luong-general")


class Memory(NamedTuple):
    """What the decoder reads. states: (batch, n_source, d_model); keys: the states as the score
    sees them (projected once, outside the decoding loop); mask: (batch, n_source), True = a real
    token; final: (batch, d_model), the encoder's final state."""
    states: torch.Tensor
    keys: torch.Tensor
    mask: torch.Tensor
    final: torch.Tensor


class DecoderState(NamedTuple):
    """hidden: (batch, d_model) the GRU state; attentional: (batch, d_model) the last
    tanh(W_c [c_t; state_t]) (Luong's h~_t). It is kept for inspection only: no variant feeds
    it back into the next step (Luong's input feeding is not used)."""
    hidden: torch.Tensor
    attentional: torch.Tensor


def _reverse_within_length(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse each row's first ``lengths[b]`` positions of x: (batch, seq, ...); padding stays put."""
    positions = torch.arange(x.shape[1], device=x.device)[None, :]
    index = torch.where(positions < lengths[:, None], lengths[:, None] - 1 - positions, positions)
    return x.gather(1, index.view(*index.shape, *([1] * (x.dim() - 2))).expand_as(x))


class Seq2Seq(nn.Module):
    """Encoder–decoder for ``source: (batch, n_source)`` ids -> ``target: (batch, n_target)`` ids (0 = padding).

    ``attention``: one of :data:`ATTENTIONS`; ``d_model``: width of the encoder states (each
    direction d_model/2) and of the decoder state; ``d_embed``: width of the token embeddings;
    ``d_attention``: the hidden width of the additive score (default ``d_model``).
    """

    def __init__(self, n_source: int, n_target: int, attention: str = "bahdanau", d_model: int = 64,
                 d_embed: int = 32, d_attention: int | None = None):
        super().__init__()
        if attention not in ATTENTIONS:
            raise ValueError(f"attention must be one of {ATTENTIONS}, got {attention!r}")
        for name, value in (("n_source", n_source), ("n_target", n_target), ("d_embed", d_embed)):
            require_positive_int(name, value)
        require_positive_int("d_model", d_model)
        if d_model % 2:
            raise ValueError(f"d_model must be even (two encoder directions of d_model/2), got {d_model}")
        self.attention, self.d_model, self.n_target = attention, d_model, n_target
        self.source_embedding = nn.Embedding(n_source, d_embed, padding_idx=0)
        self.forward_rnn = nn.GRU(d_embed, d_model // 2, batch_first=True)
        self.backward_rnn = nn.GRU(d_embed, d_model // 2, batch_first=True)
        self.bridge = nn.Linear(d_model, d_model)              # s_0 = tanh(bridge(final encoder state))
        self.target_embedding = nn.Embedding(n_target, d_embed, padding_idx=0)
        # The decoder GRU reads [y_{t-1}; c] ("none": the fixed c), [y_{t-1}; c_t] ("bahdanau") or
        # y_{t-1} alone ("luong-*": no input feeding, so that training runs it over all steps at once).
        d_input = d_embed if attention.startswith("luong") else d_embed + d_model
        self.decoder = nn.GRU(d_input, d_model, batch_first=True)
        if attention == "bahdanau":
            self.score = AdditiveScore(d_model, d_model, d_hidden=d_attention or d_model)
        elif attention == "luong-general":
            self.score = GeneralScore(d_model, d_model)
        self.combine = nn.Linear(2 * d_model, d_model)         # W_c [c_t; state_t]
        self.output = nn.Linear(d_model, n_target)

    # -- the encoder ------------------------------------------------------------------------------
    def encode(self, source: torch.Tensor) -> Memory:
        """source: (batch, n_source) ids, 0 = padding after the tokens -> :class:`Memory`.

        Every source row needs at least one token: a row of padding only raises a ValueError
        (attention over no position is undefined)."""
        require_tokens("source", source, "(batch, n_source)")
        mask = source != 0
        empty = None if source.is_meta else (~mask.any(1)).nonzero()   # a meta tensor has no values
        if empty is not None and len(empty):
            rows = empty[:, 0].tolist()
            which = f"row {rows[0]} is" if len(rows) == 1 else f"rows {rows} are"
            raise ValueError(f"source {which} all padding; every source needs at least one token")
        lengths = mask.sum(1)
        embedded = self.source_embedding(source)                               # (batch, n_source, d_embed)
        forward, _ = self.forward_rnn(embedded)                                # (batch, n_source, d_model/2)
        backward, _ = self.backward_rnn(_reverse_within_length(embedded, lengths))
        backward = _reverse_within_length(backward, lengths)                   # backward_j read tokens j..end
        states = torch.cat([forward, backward], -1).masked_fill(~mask[..., None], 0.0)
        last = (lengths - 1).clamp(min=0)
        forward_last = forward.gather(1, last.view(-1, 1, 1).expand(-1, 1, forward.shape[-1])).squeeze(1)
        final = torch.cat([forward_last, backward[:, 0]], -1)                  # (batch, d_model)
        if self.attention == "bahdanau":
            keys = self.score.key_proj(states)                                 # U h_j, once for all steps
        elif self.attention == "luong-general":
            keys = states @ self.score.weight.T                                # W h_j, so score = h_t . (W h_j)
        else:
            keys = states
        return Memory(states, keys, mask, final)

    def initial_state(self, memory: Memory) -> DecoderState:
        """The decoder's state before the first step: s_0 = tanh(bridge(final)), h~_0 = 0."""
        hidden = torch.tanh(self.bridge(memory.final))
        return DecoderState(hidden, torch.zeros_like(hidden))

    # -- one decoder step -------------------------------------------------------------------------
    def _read(self, memory: Memory, query: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """query: (batch, n_queries, d_model) -> context (batch, n_queries, d_model), weights
        (batch, n_queries, n_source). Additive for "bahdanau", dot product with the (projected) keys
        for "luong-*"; the weights and the context come from the attention core
        (:func:`~attnlab.attention.softmax_average`): padded source positions get weight exactly 0
        (every row has at least one real token: :meth:`encode` refuses a row of padding only)."""
        if self.attention == "bahdanau":
            hidden = torch.tanh(self.score.query_proj(query)[:, :, None, :] + memory.keys[:, None])
            scores = self.score.v(hidden).squeeze(-1)                          # v^T tanh(W s + U h_j)
        else:
            scores = query @ memory.keys.transpose(1, 2)                       # h_t . h_j, or h_t . (W h_j)
        return softmax_average(scores, memory.states, memory.mask[:, None, :])

    def _readout(self, context: torch.Tensor, hidden: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The attentional state tanh(W_c [c_t; state_t]) and the logits W_s of it."""
        attentional = torch.tanh(self.combine(torch.cat([context, hidden], -1)))
        return self.output(attentional), attentional

    def _recur(self, memory: Memory, hidden: torch.Tensor, embedded: torch.Tensor):
        """The recurrent part of one step: hidden (batch, d_model), embedded (batch, d_embed) ->
        (new hidden, context (batch, d_model), weights (batch, n_source) or None)."""
        if self.attention == "none":
            context, weights = memory.final, None                              # the same c at every step
            x = torch.cat([embedded, context], -1)
        elif self.attention == "bahdanau":
            context, weights = self._read(memory, hidden[:, None])             # query: s_{t-1}, the PREVIOUS state
            context, weights = context[:, 0], weights[:, 0]
            x = torch.cat([embedded, context], -1)
        else:
            x = embedded
        rnn = self.decoder                                                     # one step of the decoder GRU
        hidden = torch.gru_cell(x, hidden, rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0)
        if self.attention.startswith("luong"):
            context, weights = self._read(memory, hidden[:, None])             # query: h_t, the CURRENT state
            context, weights = context[:, 0], weights[:, 0]
        return hidden, context, weights

    def step(self, memory: Memory, state: DecoderState, previous: torch.Tensor):
        """One decoder step. previous: (batch,) the last target id -> (logits (batch, n_target),
        weights (batch, n_source) or None, the new :class:`DecoderState`)."""
        hidden, context, weights = self._recur(memory, state.hidden, self.target_embedding(previous))
        logits, attentional = self._readout(context, hidden)
        return logits, weights, DecoderState(hidden, attentional)

    # -- teacher forcing --------------------------------------------------------------------------
    def attend(self, source: torch.Tensor, target_in: torch.Tensor):
        """Teacher-forced decoding. source: (batch, n_source); target_in: (batch, n_target), starting
        with <bos> -> (logits (batch, n_target, n_target_vocab), weights (batch, n_target, n_source),
        or None for attention="none").

        The same computation as calling :meth:`step` once per target position, arranged to run
        fast: only Bahdanau's decoder needs a Python loop (its input c_t depends on s_{t-1}); the
        others run the decoder GRU over all steps in one call and attend for all steps at once.
        """
        require_tokens("source", source, "(batch, n_source)")
        require_tokens("target_in", target_in, "(batch, n_target)")
        require_same_batch(source=source, target_in=target_in)
        memory = self.encode(source)
        hidden = self.initial_state(memory).hidden
        embedded = self.target_embedding(target_in)                            # (batch, n_target, d_embed)
        weights = None
        if self.attention == "none":
            contexts = memory.final[:, None].expand(-1, target_in.shape[1], -1)
            hiddens = self.decoder(torch.cat([embedded, contexts], -1), hidden[None])[0]
        elif self.attention == "bahdanau":
            hiddens, contexts, weights = [], [], []
            for t in range(target_in.shape[1]):
                hidden, context, step_weights = self._recur(memory, hidden, embedded[:, t])
                hiddens.append(hidden)
                contexts.append(context)
                weights.append(step_weights)
            hiddens, contexts, weights = (torch.stack(x, 1) for x in (hiddens, contexts, weights))
        else:
            hiddens = self.decoder(embedded, hidden[None])[0]                  # h_t for every t
            contexts, weights = self._read(memory, hiddens)                    # every step's query at once
        return self._readout(contexts, hiddens)[0], weights

    def forward(self, source: torch.Tensor, target_in: torch.Tensor) -> torch.Tensor:
        """Teacher-forced logits (batch, n_target, n_target_vocab)."""
        return self.attend(source, target_in)[0]


# -- training ---------------------------------------------------------------------------------------
