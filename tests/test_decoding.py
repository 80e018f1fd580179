"""Decoding (attnlab.decoding) for every encoder-decoder of the course: beam search finds what
exhaustive enumeration finds, reports the score the model gives its output, and is greedy
decoding at width 1; the recurrent Seq2Seq and the Transformer (with its KV cache) alike."""

import itertools

import pytest
import torch

from attnlab.decoding import beam_search, greedy_decode, length_penalty, select_rows, sequence_log_prob
from attnlab.models.seq2seq import ATTENTIONS, Seq2Seq
from attnlab.models.transformer import KVCache, Seq2SeqTransformer, TransformerConfig

BOS, EOS = 1, 2
N_SOURCE, N_TARGET = 7, 5  # target ids: 0 padding, 1 <bos>, 2 <eos>, 3 and 4 symbols


def models():
    torch.manual_seed(0)
    built = {f"gru-{a}": Seq2Seq(N_SOURCE, N_TARGET, a, d_model=8, d_embed=6) for a in ATTENTIONS}
    for norm_first in (False, True):
        config = TransformerConfig(vocab_size=N_SOURCE, target_vocab_size=N_TARGET, d_model=16, num_heads=2,
                                   n_layers=1, n_decoder_layers=2, d_ff=32, norm_first=norm_first)
        built[f"transformer-{'pre' if norm_first else 'post'}-LN"] = Seq2SeqTransformer(config)
    for model in built.values():  # sharpen the untrained distributions, so that greedy choices differ
        with torch.no_grad():
            for p in model.parameters():
                p.mul_(3.0)
    return built


MODELS = models()
SOURCE = torch.tensor([[3, 4, 5, 6], [6, 5, 0, 0], [4, 4, 3, 0]])


def every_output(max_len: int):
    """All outputs of at most ``max_len`` steps: any token until <eos>, then padding."""
    outputs = []
    for tokens in itertools.product(range(N_TARGET), repeat=max_len):
        if EOS in tokens:
            end = tokens.index(EOS) + 1
            if any(tokens[end:]):
                continue
        outputs.append(tokens)
    return torch.tensor(outputs)


@pytest.mark.parametrize("name", MODELS)
def test_a_beam_as_wide_as_every_output_finds_the_most_likely_one(name):
    model, max_len = MODELS[name], 3
    candidates = every_output(max_len)
    best, score = beam_search(model, SOURCE, beam_size=len(candidates), bos=BOS, eos=EOS,
                              max_len=max_len, return_scores=True)
    for row in range(SOURCE.shape[0]):
        source = SOURCE[row:row + 1].expand(len(candidates), -1)
        exhaustive = sequence_log_prob(model, source, candidates, bos=BOS, eos=EOS)
        torch.testing.assert_close(score[row], exhaustive.max())
        found = best[row, :max_len] if best.shape[1] >= max_len else \
            torch.nn.functional.pad(best[row], (0, max_len - best.shape[1]))
        assert torch.equal(found, candidates[exhaustive.argmax()])


@pytest.mark.parametrize("name", MODELS)
def test_a_full_beam_with_a_length_penalty_finds_the_best_normalised_output(name):
    model, max_len, alpha = MODELS[name], 3, 1.5
    candidates = every_output(max_len)
    ends = candidates == EOS
    lengths = torch.where(ends.any(-1), ends.float().argmax(-1) + 1, max_len)
    best = beam_search(model, SOURCE, beam_size=len(candidates), bos=BOS, eos=EOS, max_len=max_len, alpha=alpha)
    picked_longer = False
    for row in range(SOURCE.shape[0]):
        source = SOURCE[row:row + 1].expand(len(candidates), -1)
        exhaustive = sequence_log_prob(model, source, candidates, bos=BOS, eos=EOS)
        winner = (exhaustive / length_penalty(lengths.float(), alpha)).argmax()
        found = torch.nn.functional.pad(best[row], (0, max(0, max_len - best.shape[1])))[:max_len]
        assert torch.equal(found, candidates[winner])
        picked_longer |= bool(lengths[winner] > lengths[exhaustive.argmax()])
    if name == "gru-bahdanau":  # the case this test is for: the penalty changes the answer
        assert picked_longer


def test_length_penalty_is_gnmts():
    torch.testing.assert_close(length_penalty(torch.tensor([1.0, 7.0]), 0.5), torch.tensor([1.0, 2.0 ** 0.5]))
    with pytest.raises(ValueError, match="alpha must be a non-negative number"):
        beam_search(MODELS["gru-none"], SOURCE, beam_size=2, bos=BOS, eos=EOS, max_len=3, alpha=-1.0)


@pytest.mark.parametrize("name", MODELS)
def test_beam_search_reports_the_log_probability_of_its_output(name):
    model = MODELS[name]
    for width in (1, 2, 5):
        best, score = beam_search(model, SOURCE, beam_size=width, bos=BOS, eos=EOS, max_len=6,
                                  return_scores=True)
        torch.testing.assert_close(score, sequence_log_prob(model, SOURCE, best, bos=BOS, eos=EOS))


@pytest.mark.parametrize("name", MODELS)
def test_a_beam_of_one_is_greedy_decoding(name):
    model = MODELS[name]
    greedy, _ = greedy_decode(model, SOURCE, bos=BOS, eos=EOS, max_len=6)
    assert torch.equal(beam_search(model, SOURCE, beam_size=1, bos=BOS, eos=EOS, max_len=6), greedy)


def test_the_search_space_of_the_exhaustive_check():
    # 4 ways for each of 3 steps with no <eos>, and 1 + 4 + 16 ways to end at step 1, 2 or 3
    assert len(every_output(3)) == 4 ** 3 + 1 + 4 + 4 ** 2


def test_select_rows_reorders_every_kind_of_state():
    cache = KVCache(2, cross=True)
    cache.self_caches[0].update(torch.arange(6.0).view(3, 1, 2, 1), torch.zeros(3, 1, 2, 1))
    rows = torch.tensor([2, 0, 0])
    chosen = select_rows((torch.arange(3), [cache, None]), rows)
    assert torch.equal(chosen[0], torch.tensor([2, 0, 0]))
    assert torch.equal(chosen[1][0].self_caches[0].keys, cache.self_caches[0].keys[rows])
    assert chosen[1][0].self_caches[1].keys is None and chosen[1][1] is None
    assert len(chosen[1][0].cross_caches) == 2
    with pytest.raises(TypeError, match="select"):
        select_rows({"state": torch.zeros(3)}, rows)


def test_scoring_refuses_tokens_after_eos():
    with pytest.raises(ValueError, match="after <eos>"):
        sequence_log_prob(MODELS["gru-none"], SOURCE[:1], torch.tensor([[3, EOS, 4]]),
                          bos=BOS, eos=EOS)
