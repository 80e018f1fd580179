"""Chapter 6's exposure bias, measured: the Bahdanau GRU of ``g2p-bahdanau`` trained with
scheduled sampling (:class:`attnlab.models.scheduled_sampling.ScheduledSampling`).

- ``g2p-scheduled-sampling``: the same model, data, learning rate (from the same sweep) and
  budget as ``g2p-bahdanau``; during training each decoder input after <bos> is the model's own
  prediction with a probability rising from 0 to :data:`RATE` over the first half of the steps.

A model trained this way has seen its own mistakes. If the gap between its teacher-forced and its
free-running errors is smaller than ``g2p-bahdanau``'s, that part of the gap was exposure bias;
what is left is what the model cannot predict even from the true prefix. The decoding notebook
compares the two records' ``results`` (the same test report as the G2P experiments).
"""

from __future__ import annotations

from ..models.scheduled_sampling import ScheduledSampling
from . import Experiment, register
from .g2p import MODULES as G2P_MODULES
from .g2p import RECURRENT, STEPS, _build_recurrent, _test_report, _TRAINING, _validation_accuracy

__all__ = ["RATE"]

RATE = 0.25


def _build(config: dict) -> ScheduledSampling:
    return ScheduledSampling(_build_recurrent(config), rate=config["rate"], ramp=config["ramp"])


register(Experiment(
    name="g2p-scheduled-sampling", notebook="chapters/06-lstm-attention/decoding.ipynb",
    description="the Bahdanau GRU of g2p-bahdanau, trained with parallel scheduled sampling",
    config=dict(RECURRENT, attention="bahdanau", lr="sweep:g2p-sweep-recurrent", rate=RATE, ramp=STEPS // 2),
    build=_build, steps=STEPS,
    report=lambda model, config: _test_report(model.model, config),
    **dict(_TRAINING, evaluate=lambda model, config: _validation_accuracy(model.model, config),
           modules=(*G2P_MODULES, "models.scheduled_sampling", "experiments.exposure"))))
