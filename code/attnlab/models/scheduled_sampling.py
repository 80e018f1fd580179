"""Scheduled sampling (chapter 6, decoding): train a decoder on some of its own predictions.

Teacher forcing feeds the decoder the true previous token; generation feeds it its own. The
mismatch is called exposure bias (Bengio et al. 2015; Ranzato et al. 2016): a decoder never
trained on its own mistakes may not recover from them. Scheduled sampling trains on a mix.

:class:`ScheduledSampling` wraps an encoder-decoder ``model(source, target_in) -> logits`` and
samples in parallel (Duckworth et al. 2019): a first teacher-forced pass, without gradients,
gives the token the model predicts at every position; then each decoder input after <bos> is
replaced, with probability p, by the prediction made for it, and the second pass, on the mixed
inputs, is trained. p rises linearly from 0 to ``rate`` over the first ``ramp`` training steps.
In evaluation mode the wrapper is the wrapped model; decode with ``wrapper.model``.
"""

from __future__ import annotations

import torch
from torch import nn

from ..checks import require_non_negative_int, require_probability, require_same_batch, require_tokens

__all__ = ["ScheduledSampling"]


class ScheduledSampling(nn.Module):
    def __init__(self, model: nn.Module, rate: float, ramp: int, pad: int = 0):
        super().__init__()
        self.model, self.pad = model, pad
        self.rate, self.ramp = require_probability("rate", rate), require_non_negative_int("ramp", ramp)
        self.steps = 0                                    # training forwards so far

    def probability(self) -> float:
        """The probability of feeding a prediction at the current training step."""
        return self.rate if self.ramp == 0 else self.rate * min(1.0, self.steps / self.ramp)

    def mix(self, target_in: torch.Tensor, predicted: torch.Tensor, p: float) -> torch.Tensor:
        """``target_in`` (batch, n) with each input after <bos> that is not padding replaced, with
        probability ``p``, by ``predicted[:, t - 1]``, the token predicted for position t."""
        swap = torch.rand(target_in.shape, device=target_in.device) < p
        swap[:, 0] = False
        swap &= target_in != self.pad
        return torch.where(swap, torch.cat([target_in[:, :1], predicted[:, :-1]], 1), target_in)

    def forward(self, source: torch.Tensor, target_in: torch.Tensor) -> torch.Tensor:
        require_tokens("source", source, "(batch, n_source)")
        require_tokens("target_in", target_in, "(batch, n_target)")
        require_same_batch(source=source, target_in=target_in)
        if not self.training:
            return self.model(source, target_in)
        p = self.probability()
        self.steps += 1
        if p == 0.0:
            return self.model(source, target_in)
        with torch.no_grad():
            predicted = self.model(source, target_in).argmax(-1)    # (batch, n): the token after each input
        return self.model(source, self.mix(target_in, predicted, p))
