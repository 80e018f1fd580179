"""What the declarations of pretrained.ipynb's exercises cannot say (tests/test_exercises.py checks
every declared reference and mistake): no feedback describes the checkers' hidden inputs."""

import pytest
import torch

from attnlab.exercises import check


def previous_token_score(weights, attention_mask):
    previous = torch.diagonal(weights, offset=-1, dim1=-2, dim2=-1)         # (batch, heads, n - 1)
    queries = attention_mask[:, 1:].to(weights.dtype)[:, None, :]           # real queries i >= 1
    return (previous * queries).sum((0, 2)) / queries.sum()


def my_head_entropy(weights, attention_mask):
    per_query = -torch.xlogy(weights, weights).sum(-1)                      # (batch, heads, n)
    queries = attention_mask.to(weights.dtype)[:, None, :]
    return (per_query * queries).sum((0, 2)) / queries.sum()


def similarity(hidden_a, mask_a, hidden_b, mask_b):
    def embed(hidden, mask):
        mask = mask.to(hidden.dtype)[..., None]
        return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
    return (embed(hidden_a, mask_a) * embed(hidden_b, mask_b)).sum(-1)


def _previous_all(w, m):
    return previous_token_score(w, torch.ones_like(m))


def _diagonal(w, m):
    return (torch.diagonal(w, dim1=-2, dim2=-1) * m[:, None, :]).sum((0, 2)) / m.sum()


def _per_sentence(w, m):
    return torch.stack([previous_token_score(w[b:b + 1], m[b:b + 1]) for b in range(len(m))]).mean(0)


def _wrapped(w, m):
    rolled = (w * torch.eye(w.shape[-1], dtype=w.dtype).roll(-1, dims=1)).sum(-1)
    return (rolled * m[:, None, :]).sum((0, 2)) / m.sum()


PREVIOUS_TOKEN_MISTAKES = [
    (_previous_all, "padded query positions"),
    (_diagonal, "the diagonal"),
    (_per_sentence, "averaged each sentence first"),
    (_wrapped, "query 0 has no previous token"),
    (lambda w, m: previous_token_score(w, m) + 0.05, "off by up to"),
    (lambda w, m: previous_token_score(w, m)[:2], "has shape"),
    (lambda w, m: None, "is None"),
    (lambda w, m: previous_token_score(w, m) * float("nan"), "NaN"),
]


def _next_token(w, m):
    following = torch.diagonal(w, offset=1, dim1=-2, dim2=-1)                # query i, key i + 1
    queries = (m[:, :-1] & m[:, 1:]).to(w.dtype)[:, None, :]
    return (following * queries).sum((0, 2)) / queries.sum()


def test_previous_token_score_rejects_the_next_token(capsys):
    assert not check("7.5-previous-token-score", _next_token)
    assert "NEXT token" in capsys.readouterr().out


ENTROPY_MISTAKES = [
    (lambda w, m: -(w * w.log()).sum(-1).mean((0, 2)), "NaN"),
    (lambda w, m: my_head_entropy(w, m) / torch.log(torch.tensor(2.0, dtype=w.dtype)), "bits"),
    (lambda w, m: -my_head_entropy(w, m), "sign is wrong"),
    (lambda w, m: my_head_entropy(w, torch.ones_like(m)), "padded query positions"),
    (lambda w, m: torch.stack([my_head_entropy(w[b:b + 1], m[b:b + 1]) for b in range(len(m))]).mean(0), "each sentence first"),
    (lambda w, m: my_head_entropy(w, m) * 1.1, "off by up to"),
    (lambda w, m: "entropy", "should be a tensor"),
    (lambda w, m: my_head_entropy(w, m)[None], "has shape"),
    (lambda w, m: None, "is None"),
]


SIMILARITY_MISTAKES = [
    (lambda a, ma, b, mb: similarity(a, torch.ones_like(ma), b, torch.ones_like(mb)), "includes the padded"),
    (lambda a, ma, b, mb: torch.nn.functional.cosine_similarity(a[:, 0], b[:, 0], dim=-1), "[CLS]"),
    (lambda a, ma, b, mb: ((a * ma[..., None]).sum(1) / ma.sum(1, keepdim=True)
                           * (b * mb[..., None]).sum(1) / mb.sum(1, keepdim=True)).sum(-1), "dot product"),
    (lambda a, ma, b, mb: similarity(a, ma, b, mb) - 0.1, "off by up to"),
    (lambda a, ma, b, mb: 1 / 0, "ZeroDivisionError"),
    (lambda a, ma, b, mb: similarity(a, ma, b, mb)[:, None], "has shape"),
    (lambda a, ma, b, mb: similarity(a, ma, b, mb) * float("nan"), "NaN"),
    (lambda a, ma, b, mb: None, "is None"),
]


# Phrases that would describe the checkers' hidden inputs (compared case-insensitively).
FORBIDDEN = ("made-up", "head 0", "head 1", "head 2", "head 3", "fourth pair", "n is 7")

EVERY_ANSWER = (
    [("7.5-previous-token-score", previous_token_score), ("7.5-previous-token-score", _next_token)]
    + [("7.5-previous-token-score", mistake) for mistake, _ in PREVIOUS_TOKEN_MISTAKES]
    + [("7.5-masked-entropy", my_head_entropy)]
    + [("7.5-masked-entropy", mistake) for mistake, _ in ENTROPY_MISTAKES]
    + [("7.5-sentence-similarity", similarity)]
    + [("7.5-sentence-similarity", mistake) for mistake, _ in SIMILARITY_MISTAKES]
)


@pytest.mark.parametrize("exercise_id, answer", EVERY_ANSWER)
def test_feedback_names_only_what_the_learner_sees(capsys, exercise_id, answer):
    """The checkers' inputs are hidden: no message, praise or explanation of a mistake, may
    describe them (e.g. "head 3", "the fourth pair", "n is 7, 4 or 2")."""
    check(exercise_id, answer)
    out = capsys.readouterr().out.lower()
    assert out.startswith(("✓ correct", "✗ not yet"))
    for phrase in FORBIDDEN:
        assert phrase.lower() not in out, f"the message names {phrase!r}: {out}"
