"""Exercises of chapter 7, "The Transformer, piece by piece" (transformer.ipynb)."""

from __future__ import annotations

import torch

from .core import Incorrect, as_number, call, choice_exercise, exercise, function_exercise, number_exercise

_SUBLAYER_OPTIONS = ["post-LN, as its comment says; nothing more",
                     "pre-LN; a LayerNorm after the last layer",
                     "post-LN; a learning-rate warm-up",
                     "pre-LN; nothing more, every sublayer's input is normalised"]

choice_exercise(
    "7.1-sublayer", "Debug: a sublayer whose comment says the other order", options=_SUBLAYER_OPTIONS,
    answer=_SUBLAYER_OPTIONS[1],
    praise="x + dropout(sublayer(norm(x))) normalises the sublayer's input, not the sum: pre-LN. The residual "
           "path carries x untouched to the top, so the last layer's output is a sum never normalised, and the "
           "stack ends with its own LayerNorm (the Annotated Transformer's Encoder and Decoder have one).",
    wrong={_SUBLAYER_OPTIONS[0]: "Read the code, not the comment: the norm is applied to x before the sublayer, "
                                 "and the sum x + ... is never normalised. Post-LN is norm(x + sublayer(x)).",
           _SUBLAYER_OPTIONS[2]: "The code normalises before the sublayer: pre-LN, the order that trains without a "
                                 "warm-up. A warm-up is what post-LN needs.",
           _SUBLAYER_OPTIONS[3]: "Pre-LN is right, but every sublayer adds to x un-normalised: the stack's output "
                                 "is a growing sum, so the stack needs one LayerNorm after its last layer."})


TYING = number_exercise(
    "7.1-three-way-tying", "Predict: the saving of three-way tying",
    answer=2 * 37_000 * 512, tolerance=0.5,
    praise="Right: three matrices of 37,000 x 512 become one, so two are saved (about 38 million parameters).",
    hint="Each matrix is vocabulary x d_model; count how many of the three disappear when they become one.",
    wrong={37_000 * 512: "That is one matrix; three matrices become one, so two are saved.",
           3 * 37_000 * 512: "That is all three matrices; one of them is still there after tying.",
           2 * 37_000 * 512 * 4: "Count parameters, not bytes."})


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


@exercise("7.1-tying", "Tie the output projection to the embedding")
def _(answer):
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
            raise Incorrect("the output projection's weight now has shape (d_model, vocab): no transpose is "
                            "needed. nn.Linear stores its weight as (out_features, in_features) = (vocab, "
                            "d_model), the embedding's shape, and computes x @ weight.T itself.")
        if torch.equal(weight.detach(), model.embedding.embedding.weight.detach()):
            raise Incorrect("the two matrices hold the same numbers, but they are still two tensors: you "
                            "copied the values. After one optimiser step they differ again. Assign the "
                            "Parameter itself: model.output.weight = model.embedding.embedding.weight.")
        raise Incorrect("the output projection and the embedding still hold two different matrices. Make "
                        "them one: model.output.weight = model.embedding.embedding.weight.")
    if torch.equal(model.output.weight.detach(), start_output) and not torch.equal(start_output,
                                                                                start_embedding):
        raise Incorrect("the two now share one matrix, but it is the output projection's: the embedding "
                        "lost its own weights. Assign the other way round: model.output.weight = "
                        "model.embedding.embedding.weight.")
    if not torch.equal(model.output.weight.detach(), start_embedding):
        raise Incorrect("the shared matrix is no longer the embedding's trained (here: initial) weights; "
                        "share the existing Parameter instead of making a new one.")
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
        return ("One matrix now reads a token in and scores it out: vocab x d_model parameters saved, "
                "and the logits are the final states times the embedding matrix transposed, x @ E.T.")
    if value == 2 * saved:
        raise Incorrect(f"{value:g} counts both matrices; one of them is still there after tying. Count the "
                        "parameters before and after.")
    if value == _count(model) or value == before:
        raise Incorrect(f"{value:g} is the size of the whole model; return the difference, the parameters "
                        "before tying minus those after.")
    if value == 0:
        raise Incorrect("tie returned 0. Count the parameters before tying and after it: model.parameters() "
                        "lists a shared tensor once, so the count drops.")
    raise Incorrect(f"tie returned {value:g}, which is not the number of parameters tying saved in the "
                    "checker's test model. Count the parameters before tying and after it, e.g. with "
                    "attnlab.train.count_parameters, and return the difference.")


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
    "7.1-sampling", "Transfer: temperature and top-k", name="next_token_distribution",
    cases=[(_LOGITS, 0.5, 3), (_LOGITS, 2.0, 2), (_LOGITS, 1.0, 6)], reference=_sampling, atol=1e-6,
    describe=lambda logits, t, k: f"next_token_distribution(logits, temperature={t}, top_k={k})",
    mistakes={lambda *case: _sampling(*case, divide=False): "for {call} you multiplied the logits by the "
              "temperature; divide by it, so that a high temperature flattens the distribution and a low one "
              "sharpens it.",
              lambda *case: _sampling(*case, keep_largest=False): "for {call} you kept the k SMALLEST logits; "
              "top-k keeps the k most likely tokens.",
              lambda *case: _sampling(*case, renormalise=False): "for {call} the kept tokens' probabilities do not "
              "sum to 1: you zeroed the others after the softmax. Mask the logits to -inf before it, so the k kept "
              "tokens share the whole mass."},
    hint="Divide the logits by the temperature, keep the top_k largest (the others to -inf), then take the softmax "
         "over the last dimension.",
    praise="The model's generate(..., temperature=..., top_k=...) samples from exactly this distribution: at "
           "temperature 0 it takes the most likely token, and top_k = 1 does the same at any temperature.")
