"""A tiny reader that attends over a strip of digits, in five ways (chapter 4, "soft, hard, local").

At each step ``t`` a learned query (one per step) scores every slot's key with the scaled dot
product ``q . k / sqrt(d_k)`` of chapter 1; the attended value is classified. The queries and the
key parts start at unit variance per coordinate, so the initial scores have variance about 1 (the
point of the scaling). ``mode`` decides how the weights are formed:

- ``"soft"``: softmax over all slots (soft / global attention);
- ``"reinforce"``: one slot sampled from the softmax; the attention parameters learn by REINFORCE
  with a leave-one-out baseline, or none with ``baseline=False`` (:meth:`GlimpseReader.loss`);
- ``"gumbel"``: one slot by Gumbel-softmax straight-through;
- ``"local-m"``: softmax inside the window ``[p_t - D, p_t + D]`` with the monotone centre
  ``p_t`` (the middle of block t);
- ``"local-p"``: the same with a predicted centre and a Gaussian factor.

In evaluation mode the hard readers take the arg-max slot instead of sampling.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ..attention import masked_softmax
from ..checks import require_same_batch, require_tensor
from ..hard import (PredictivePosition, gumbel_softmax, leave_one_out_baseline, local_weights,
                    reinforce_surrogate, sample_hard)

__all__ = ["GlimpseReader", "MODES"]

MODES = ("soft", "reinforce", "gumbel", "local-m", "local-p")


class GlimpseReader(nn.Module):
    """images: (batch, n_slots, 64), marks: (batch, n_slots) -> logits (batch, n_steps, n_classes)."""

    def __init__(self, mode: str = "soft", n_slots: int = 16, n_steps: int = 4, d_pixels: int = 64,
                 d_model: int = 32, n_classes: int = 10, half_width: int = 2, tau: float = 1.0,
                 baseline: bool = True):
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.mode, self.n_slots, self.n_steps = mode, n_slots, n_steps
        self.half_width, self.tau, self.baseline = half_width, tau, baseline
        self.value = nn.Sequential(nn.Linear(d_pixels, d_model), nn.ReLU(), nn.Linear(d_model, d_model), nn.ReLU())
        self.classifier = nn.Linear(d_model, n_classes)
        # The attention parameters: keys from the mark and the slot position, one query per step,
        # at unit variance per coordinate (as nn.Embedding starts), so that q . k / sqrt(d_k) starts
        # with variance about 1.
        self.key_mark = nn.Parameter(torch.randn(d_model))
        self.key_position = nn.Parameter(torch.randn(n_slots, d_model))
        self.query = nn.Parameter(torch.randn(n_steps, d_model))
        self.centre = PredictivePosition(n_steps + n_slots, d_model, n_slots)
        self.last = {}

    def scores(self, marks: torch.Tensor) -> torch.Tensor:
        """marks: (batch, n_slots) -> scores (batch, n_steps, n_slots), the scaled dot products
        ``query . key / sqrt(d_k)`` with ``key = mark * key_mark + key_position``."""
        keys = marks.unsqueeze(-1) * self.key_mark + self.key_position
        return self.query @ keys.transpose(-2, -1) / math.sqrt(keys.shape[-1])

    def centres(self, marks: torch.Tensor) -> torch.Tensor:
        """The window centres p_t: (batch, n_steps)."""
        batch = marks.shape[0]
        if self.mode == "local-m":
            block = self.n_slots / self.n_steps
            return (torch.arange(self.n_steps, dtype=marks.dtype, device=marks.device) * block
                    + (block - 1) / 2).expand(batch, -1)
        steps = torch.eye(self.n_steps, dtype=marks.dtype, device=marks.device).expand(batch, -1, -1)
        h = torch.cat([steps, marks.unsqueeze(1).expand(-1, self.n_steps, -1)], dim=-1)
        return self.centre(h)

    def _read(self, images: torch.Tensor, marks: torch.Tensor):
        """(logits, weights, log_prob): log_prob is that of the sampled slots (REINFORCE while training), else None."""
        require_tensor("images", images, "(batch, n_slots, d_pixels)", dim=3)
        require_tensor("marks", marks, "(batch, n_slots)", dim=2)
        require_same_batch(images=images, marks=marks)
        if images.shape[1] != self.n_slots or marks.shape[1] != self.n_slots:
            raise ValueError(f"images has shape {tuple(images.shape)} and marks {tuple(marks.shape)}; "
                             f"both must have n_slots={self.n_slots} slots")
        scores = self.scores(marks)                                   # (batch, n_steps, n_slots)
        log_prob = None
        if self.mode == "soft":
            weights = masked_softmax(scores)
        elif self.mode in ("local-m", "local-p"):
            weights = local_weights(scores, self.centres(marks), self.half_width, gaussian=self.mode == "local-p")
        elif not self.training:
            weights = F.one_hot(scores.argmax(-1), self.n_slots).to(scores.dtype)
        elif self.mode == "gumbel":
            weights = gumbel_softmax(scores, self.tau, hard=True)
        else:
            index, log_prob = sample_hard(scores)
            weights = F.one_hot(index, self.n_slots).to(scores.dtype)
        values = self.value(images)                                   # (batch, n_slots, d_model)
        attended = weights @ values                                   # (batch, n_steps, d_model)
        return self.classifier(attended), weights, log_prob

    def attend(self, images: torch.Tensor, marks: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """images: (batch, n_slots, d_pixels), marks: (batch, n_slots) ->
        (logits (batch, n_steps, n_classes), weights (batch, n_steps, n_slots)), computed afresh.

        The hard readers sample while training and take the arg-max in evaluation mode.
        """
        logits, weights, _ = self._read(images, marks)
        return logits, weights

    def forward(self, images: torch.Tensor, marks: torch.Tensor) -> torch.Tensor:
        logits, _, log_prob = self._read(images, marks)
        self.last["log_prob"] = log_prob      # for :meth:`loss` (REINFORCE); None for the other modes
        return logits

    def loss(self, logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Cross-entropy; for ``"reinforce"`` plus the REINFORCE surrogate of the last forward pass."""
        per_step = F.cross_entropy(logits.transpose(1, 2), targets, reduction="none")   # (batch, n_steps)
        if self.mode != "reinforce" or not self.training:
            return per_step.mean()
        log_prob = self.last.get("log_prob")
        if log_prob is None or log_prob.shape != per_step.shape:
            raise RuntimeError("loss of a REINFORCE reader needs the forward pass of these logits first "
                               "(call model(images, marks), then model.loss(logits, targets))")
        baseline = leave_one_out_baseline(per_step) if self.baseline else None
        return per_step.mean() + reinforce_surrogate(log_prob, per_step, baseline)
