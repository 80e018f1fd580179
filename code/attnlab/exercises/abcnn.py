"""Exercises of chapter 5, "ABCNN on text pairs" (abcnn.ipynb)."""

from __future__ import annotations

import torch

from .core import Incorrect, as_tensor, call, exercise, function_exercise


def _hidden_pair() -> tuple[torch.Tensor, torch.Tensor]:
    """Two sentences of different lengths (4 and 6 positions, width 3); a_1 = b_2 exactly."""
    g = torch.Generator().manual_seed(53)
    a = torch.randn(2, 4, 3, generator=g, dtype=torch.float64)
    b = torch.randn(2, 6, 3, generator=g, dtype=torch.float64)
    b[:, 2] = a[:, 1]
    return a, b


def _distances(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (a.unsqueeze(2) - b.unsqueeze(1)).pow(2).sum(-1).sqrt()


@exercise("5.3-match-scores", "The ABCNN match score, with a finite gradient")
def _(answer):
    a, b = _hidden_pair()
    distance = _distances(a, b)                                       # (2, 4, 6)
    a_in, b_in = a.clone().requires_grad_(True), b.clone().requires_grad_(True)
    raw = call(answer, a_in, b_in, name="match_scores")
    if torch.is_tensor(raw) and tuple(raw.shape) == (2, 6, 4):
        raise Incorrect("Your scores have shape (batch, len_b, len_a) = (2, 6, 4); the rows should be "
                        "sentence a's positions: (batch, len_a, len_b) = (2, 4, 6).")
    scores = as_tensor(raw, "match_scores(a, b)", shape=(2, 4, 6))
    for wrong, message in (
            (distance, "You returned the distances ||a_i - b_j||; the score is 1 / (1 + distance), "
                       "large for close vectors."),
            (1 / (1 + distance ** 2), "You used the squared distance. The paper's score is 1 / (1 + ||a_i - b_j||), "
                                      "with the square root."),
            (-distance, "A negative distance is a score too, but not the paper's: 1 / (1 + ||a_i - b_j||)."),
            (torch.exp(-distance), "exp(-distance) is another similarity; the paper's is 1 / (1 + ||a_i - b_j||)."),
            (a @ b.transpose(1, 2), "That is the dot product; ABCNN's score is 1 / (1 + ||a_i - b_j||).")):
        if torch.allclose(scores, wrong, atol=1e-3):
            raise Incorrect(message)
    if not torch.allclose(scores, 1 / (1 + distance), atol=1e-3):
        worst = (scores - 1 / (1 + distance)).abs().max().item()
        raise Incorrect(f"Your scores differ from 1 / (1 + ||a_i - b_j||) by up to {worst:.3g}. Compare "
                        f"every position of a with every position of b: a[:, :, None] - b[:, None].")
    if not raw.requires_grad:
        raise Incorrect("Your scores carry no gradient: compute them with torch operations on a and b "
                        "(no .detach(), .item() or NumPy), so that a network can learn through them.")
    gradients = torch.autograd.grad(raw.sum(), (a_in, b_in), allow_unused=True)
    for name, grad in zip("ab", gradients):
        if grad is None or not torch.isfinite(grad).all():
            raise Incorrect(f"The values are right, but the gradient with respect to {name} is NaN or "
                            f"infinite where a_i = b_j (position 1 of a equals position 2 of b). The "
                            f"derivative of sqrt at 0 is infinite: add a small eps under the root, "
                            f"sqrt(sum of squares + eps).")
    return "The gradient stays finite where a word meets itself, so the loss never turns into NaN."


def _hidden_attention() -> torch.Tensor:
    g = torch.Generator().manual_seed(54)
    return torch.rand(3, 5, 7, generator=g, dtype=torch.float64)      # (batch, len_a=5, len_b=7)


def _sums(attention):
    return attention.sum(dim=2), attention.sum(dim=1)


_NOT_NORMALISED = ("You normalised the row sums. ABCNN-2 uses the sums themselves: a position that matches many "
                   "positions of the other sentence weighs more in absolute terms.")

function_exercise(
    "5.3-pooling-weights", "ABCNN-2's pooling weights: row sums and column sums", name="pooling_weights",
    cases=[(_hidden_attention(),)], reference=_sums, atol=1e-6,
    describe=lambda attention: "pooling_weights(attention)", parts=("weights_a", "weights_b"),
    mistakes={lambda attention: _sums(attention)[::-1]: "weights_a has one weight per position of sentence b (7) "
              "and weights_b one per position of a (5): you swapped them. Sentence a's positions are the ROWS of "
              "the attention matrix, so a's weights are the row sums (sum over dim=2). With both sentences padded "
              "to one length the swap raises no error at all, which is how it survives in public code.",
              lambda attention: (_sums(attention)[0] / _sums(attention)[0].sum(-1, keepdim=True), None):
              _NOT_NORMALISED,
              lambda attention: (torch.softmax(_sums(attention)[0], -1), None): _NOT_NORMALISED,
              lambda attention: (attention.amax(dim=2), None): "That is the row maximum; ABCNN-2 uses the row sum.",
              lambda attention: (attention.mean(dim=2), None): "That is the row mean; ABCNN-2 uses the row sum (the "
              "mean divides by len_b)."},
    hint="weights_a holds the row sums of the attention matrix, attention.sum(dim=2), and weights_b the column "
         "sums, attention.sum(dim=1).",
    praise="Sentence a's position i weighs Σ_j A[i, j], sentence b's position j weighs Σ_i A[i, j]; on sentences "
           "of different lengths the shapes alone catch a swap.")
