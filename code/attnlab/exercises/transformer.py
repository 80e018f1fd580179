"""Exercises of chapter 7, "The Transformer, piece by piece" (transformer.ipynb)."""

from __future__ import annotations

import torch

from .answers import as_number, call
from .core import exercise
from .declarations import function_exercise, number_exercise

TYING = number_exercise(
    "7.1-three-way-tying", answer=2 * 37_000 * 512, tolerance=0.5,
    wrong={"one-matrix": 37_000 * 512,
           "all-three": 3 * 37_000 * 512,
           "bytes": 2 * 37_000 * 512 * 4})


_VOCAB, _D_MODEL = 40, 16


def _untied_model():
    """A small CausalLanguageModel with its own output matrix, drawn without touching the
    global random state."""
    from ..models.transformer import CausalLanguageModel, TransformerConfig

    with torch.random.fork_rng():
        torch.manual_seed(72)
        return CausalLanguageModel(TransformerConfig(vocab_size=_VOCAB, d_model=_D_MODEL, num_heads=2, n_layers=1,
                                                     d_ff=32, tie_embeddings=False))


def _count(model) -> int:
    return sum(p.numel() for p in model.parameters())     # a shared tensor counts once


@exercise("7.1-tying")
def _(answer, wrong):
    model = _untied_model()
    embedding, output = model.embedding.embedding, model.output
    start_embedding, start_output = embedding.weight.detach().clone(), output.weight.detach().clone()
    before = _count(model)
    result = call(answer, model, name="tie")
    shared = model.output.weight is model.embedding.embedding.weight
    if result is None and not shared:
        as_number(result, "the number tie returns")          # the message for None
    if not shared:
        weight = model.output.weight
        if tuple(weight.shape) == (_D_MODEL, _VOCAB):
            raise wrong("transposed")
        if torch.equal(weight.detach(), model.embedding.embedding.weight.detach()):
            raise wrong("copied")
        raise wrong("untied")
    if torch.equal(model.output.weight.detach(), start_output) and not torch.equal(start_output, start_embedding):
        raise wrong("reversed")
    if not torch.equal(model.output.weight.detach(), start_embedding):
        raise wrong("fresh-matrix")
    saved = before - _count(model)
    value = as_number(result, "the number tie returns")
    if value == saved:
        with torch.no_grad():
            tokens = torch.randint(0, _VOCAB, (2, 5), generator=torch.Generator().manual_seed(0))
            captured = []
            handle = model.output.register_forward_hook(lambda m, i, o: captured.append(i[0]))
            logits = model(tokens)
            handle.remove()
            assert torch.allclose(logits, captured[0] @ model.embedding.embedding.weight.T)
        return
    if value == 2 * saved:
        raise wrong("both-counted", value=value)
    if value == _count(model) or value == before:
        raise wrong("whole-model", value=value)
    if value == 0:
        raise wrong("zero")
    raise wrong("other-count", value=value)


def _sampling(logits: torch.Tensor, temperature: float, top_k: int, divide: bool = True, keep_largest: bool = True,
              renormalise: bool = True) -> torch.Tensor:
    scaled = logits / temperature if divide else logits * temperature
    kept = scaled.topk(top_k, dim=-1, largest=keep_largest).indices
    mask = torch.zeros_like(scaled, dtype=torch.bool).scatter(-1, kept, True)
    if renormalise:
        return torch.softmax(scaled.masked_fill(~mask, float("-inf")), dim=-1)
    return torch.softmax(scaled, dim=-1) * mask


_LOGITS = torch.tensor([[2.0, 1.0, 0.5, -1.0, 3.0, 0.0], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]], dtype=torch.float64)

function_exercise(
    "7.1-sampling", name="next_token_distribution", cases=[(_LOGITS, 0.5, 3), (_LOGITS, 2.0, 2), (_LOGITS, 1.0, 6)],
    reference=_sampling,
    describe=lambda logits, t, k: f"next_token_distribution(logits, temperature={t}, top_k={k})", atol=1e-6,
    mistakes={"multiplied": lambda *case: _sampling(*case, divide=False),
              "smallest-kept": lambda *case: _sampling(*case, keep_largest=False),
              "zeroed-after-softmax": lambda *case: _sampling(*case, renormalise=False)})
