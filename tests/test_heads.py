"""attnlab.heads: head statistics on weights whose answers are known by construction."""

from __future__ import annotations

import math

import pytest
import torch

from attnlab.heads import ablation_effect, head_entropy, offset_score, weight_on

N = 5
MASK = torch.tensor([[True] * 5, [True, True, True, False, False]])  # the second sentence is padded


def _weights():
    """(batch 2, heads 3, n 5, n 5): head 0 previous token (the first query: itself), head 1
    uniform over the real keys, head 2 everything on key 0 ([CLS])."""
    previous = torch.zeros(N, N)
    previous[0, 0] = 1
    previous[torch.arange(1, N), torch.arange(N - 1)] = 1
    weights = torch.zeros(2, 3, N, N)
    weights[:, 0] = previous
    weights[:, 1] = MASK[:, None, :] / MASK.sum(1)[:, None, None]
    weights[:, 2, :, 0] = 1
    return weights


def test_entropy_is_zero_for_one_key_and_log_n_for_uniform():
    entropy = head_entropy(_weights(), MASK)
    # real queries: 5 with 5 keys, 3 with 3 keys
    expected_uniform = (5 * math.log(5) + 3 * math.log(3)) / 8
    torch.testing.assert_close(entropy, torch.tensor([0.0, expected_uniform, 0.0]))


def test_offset_score_finds_the_previous_token_head():
    weights = _weights()
    previous = offset_score(weights, MASK, -1)
    assert previous[0] == 1 and previous.argmax() == 0
    # uniform head: 1/5 on the previous token (4 queries) and 1/3 (2 queries)
    torch.testing.assert_close(previous[1], torch.tensor((4 / 5 + 2 / 3) / 6))
    assert offset_score(weights, MASK, +1)[0] == 0


def test_weight_on_special_keys_and_leading_dimensions():
    weights = torch.stack([_weights(), _weights()])  # (layers 2, batch, heads, n, n)
    cls = weight_on(weights, MASK, torch.arange(N).expand(2, N) == 0)
    assert cls.shape == (2, 3)
    torch.testing.assert_close(cls[:, 2], torch.ones(2))
    torch.testing.assert_close(cls[0, 0], torch.tensor(4 / 8))  # queries 0 and 1 of each sentence look at key 0


def test_padded_queries_do_not_count():
    weights = _weights()
    weights[1, :, 3:] = 7.0  # garbage in the padded query rows
    torch.testing.assert_close(head_entropy(weights, MASK), head_entropy(_weights(), MASK))
    torch.testing.assert_close(offset_score(weights, MASK, 1), offset_score(_weights(), MASK, 1))
    torch.testing.assert_close(weight_on(weights, MASK, MASK), weight_on(_weights(), MASK, MASK))


@pytest.mark.parametrize("call, match", [
    (lambda w: head_entropy(w, MASK[:, :4]), "attention_mask"),
    (lambda w: head_entropy(w[..., :4], MASK), "weights"),
    (lambda w: offset_score(w, MASK, 0), "offset"),
    (lambda w: weight_on(w, MASK, MASK[0]), "keys"),
    (lambda w: head_entropy(w, torch.zeros(2, N, dtype=torch.bool)), "no query"),
])
def test_bad_input_is_named(call, match):
    with pytest.raises(ValueError, match=match):
        call(_weights())


def test_ablation_effect_on_minilm():
    from attnlab.pretrained import minilm
    model = minilm()
    pairs = [("A man is playing a guitar.", "A person plays an instrument."),
             ("The cat sleeps.", "The stock market fell today.")]
    intact, change = ablation_effect(model, pairs)
    assert intact.shape == (2,) and change.shape == (6, 12, 2)
    assert intact[0] > intact[1] + 0.3  # the paraphrase is closer
    assert change.abs().max() > 1e-3 and change.abs().max() < 0.5
    with pytest.raises(ValueError, match="pairs"):
        ablation_effect(model, [("only one",)])


def test_ablation_effect_equals_a_full_pass_with_head_mask():
    from attnlab.pretrained import minilm, sentence_similarity
    model = minilm()
    pairs = [("A man is playing a guitar.", "A person plays an instrument."), ("Hi.", "The cat sleeps on the mat.")]
    intact, change = ablation_effect(model, pairs)
    ids, mask = model.encode([s for pair in pairs for s in pair])
    for layer, head in ((0, 0), (3, 7), (5, 11)):
        head_mask = torch.ones(6, 12)
        head_mask[layer, head] = 0
        embeddings = model.sentence_embeddings(ids, mask, head_mask)
        torch.testing.assert_close(change[layer, head], sentence_similarity(embeddings[0::2], embeddings[1::2]) - intact,
                                   rtol=0, atol=1e-5)
