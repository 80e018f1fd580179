"""The encoder–decoder of chapter 6: decoder steps equal their formulas, padding gets no weight,
teacher forcing equals stepping, beam search of width 1 is greedy decoding."""

import pytest
import torch
from attnlab.batches import BucketedBatches, teacher_forcing
from attnlab.decoding import beam_search, edit_distance, error_rates, greedy_decode, strip, teacher_forced_accuracy
from attnlab.models.seq2seq import ATTENTIONS, Seq2Seq
from attnlab.train import train

BOS, EOS = 1, 2


def make(attention, seed=0):
    torch.manual_seed(seed)
    return Seq2Seq(12, 9, attention, d_model=8, d_embed=6).double()


def batch(seed=0):
    g = torch.Generator().manual_seed(seed)
    source = torch.randint(3, 12, (3, 7), generator=g)
    source[0, 5:] = 0                                                     # sentence 0 has 5 tokens
    source[1, 3:] = 0
    target = torch.randint(3, 9, (3, 5), generator=g)
    target[:, 0] = BOS
    return source, target


def test_one_bahdanau_step_is_the_formula():
    model, (source, target) = make("bahdanau"), batch()
    memory = model.encode(source)
    s_prev = model.initial_state(memory).hidden                           # s_{t-1}: the PREVIOUS state
    a = model.score
    scores = a.v(torch.tanh(a.query_proj(s_prev)[:, None] + a.key_proj(memory.states))).squeeze(-1)
    weights = torch.softmax(scores.masked_fill(source == 0, float("-inf")), -1)
    context = (weights[..., None] * memory.states).sum(1)
    gru = model.decoder
    x = torch.cat([model.target_embedding(target[:, 0]), context], -1)
    r, z, n = (x @ gru.weight_ih_l0.T + gru.bias_ih_l0).chunk(3, -1)
    hr, hz, hn = (s_prev @ gru.weight_hh_l0.T + gru.bias_hh_l0).chunk(3, -1)
    r, z = torch.sigmoid(r + hr), torch.sigmoid(z + hz)
    s_t = (1 - z) * torch.tanh(n + r * hn) + z * s_prev
    logits = model.output(torch.tanh(model.combine(torch.cat([context, s_t], -1))))
    got_logits, got_weights, state = model.step(memory, model.initial_state(memory), target[:, 0])
    torch.testing.assert_close(got_weights, weights)
    torch.testing.assert_close(state.hidden, s_t)
    torch.testing.assert_close(got_logits, logits)


@pytest.mark.parametrize("attention", ["luong-dot", "luong-general"])
def test_one_luong_step_is_the_formula(attention):
    model, (source, target) = make(attention), batch()
    memory = model.encode(source)
    h_prev = model.initial_state(memory).hidden
    h_t = torch.nn.GRUCell(6, 8).double()
    h_t.load_state_dict({k[:-3]: v for k, v in model.decoder.state_dict().items()})
    h_t = h_t(model.target_embedding(target[:, 0]), h_prev)               # h_t: the CURRENT state, first
    keys = memory.states if attention == "luong-dot" else memory.states @ model.score.weight.T
    scores = torch.einsum("bd,bsd->bs", h_t, keys)                        # h_t . h_j  or  h_t^T W h_j
    weights = torch.softmax(scores.masked_fill(source == 0, float("-inf")), -1)
    context = torch.einsum("bs,bsd->bd", weights, memory.states)
    attentional = torch.tanh(model.combine(torch.cat([context, h_t], -1)))  # h~_t = tanh(W_c [c_t; h_t])
    logits, got_weights, state = model.step(memory, model.initial_state(memory), target[:, 0])
    torch.testing.assert_close(got_weights, weights)
    torch.testing.assert_close(state.attentional, attentional)
    torch.testing.assert_close(logits, model.output(attentional))


@pytest.mark.parametrize("attention", ATTENTIONS)
def test_teacher_forcing_equals_stepping_and_padding_gets_zero_weight(attention):
    model, (source, target) = make(attention), batch()
    logits, weights = model.attend(source, target)
    assert logits.shape == (3, 5, 9)
    memory, state = model.encode(source), None
    state = model.initial_state(memory)
    for t in range(5):
        step_logits, step_weights, state = model.step(memory, state, target[:, t])
        torch.testing.assert_close(logits[:, t], step_logits)
        if attention != "none":
            torch.testing.assert_close(weights[:, t], step_weights)
    if attention == "none":
        assert weights is None
    else:
        assert weights.shape == (3, 5, 7)
        assert (weights.masked_select((source == 0)[:, None, :].expand_as(weights)) == 0).all()
        torch.testing.assert_close(weights.sum(-1), torch.ones(3, 5, dtype=weights.dtype))


@pytest.mark.parametrize("attention", ATTENTIONS)
def test_padding_does_not_change_the_output(attention):
    model, (source, target) = make(attention), batch()
    longer = torch.cat([source, torch.zeros(3, 4, dtype=torch.long)], 1)
    torch.testing.assert_close(model(longer, target), model(source, target))


def test_the_encoder_reads_each_sentence_backwards_within_its_length():
    model, (source, _) = make("none"), batch()
    memory = model.encode(source)
    alone = model.encode(source[1:2, :3])                                 # sentence 1 without its padding
    torch.testing.assert_close(memory.final[1:2], alone.final)
    torch.testing.assert_close(memory.states[1:2, :3], alone.states)
    assert (memory.states[1, 3:] == 0).all()


@pytest.mark.parametrize("attention", ATTENTIONS)
def test_beam_of_one_is_greedy_and_a_wide_beam_pads_after_eos(attention):
    # (that a wide beam finds the most likely output is tests/test_decoding.py's, by enumeration)
    model, (source, _) = make(attention, seed=1), batch(1)
    greedy, _ = greedy_decode(model, source, bos=BOS, eos=EOS, max_len=6)
    torch.testing.assert_close(beam_search(model, source, beam_size=1, bos=BOS, eos=EOS, max_len=6), greedy)
    wide = beam_search(model, source, beam_size=4, bos=BOS, eos=EOS, max_len=6)
    assert wide.shape[0] == 3 and 1 <= wide.shape[1] <= 6
    for row in wide.tolist():
        if EOS in row:
            assert set(row[row.index(EOS) + 1:]) <= {0}, f"tokens after <eos>: {row}"


def test_edit_distance_and_error_rates():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance([], [1, 2]) == 2 and edit_distance([1, 2], [1, 2]) == 0
    per, wrong = error_rates([[1, 2, 3], [1]], [[1, 2, 3], [1, 2]])
    torch.testing.assert_close(per, torch.tensor([0.0, 0.5]))
    torch.testing.assert_close(wrong, torch.tensor([0.0, 1.0]))
    assert strip([5, 6, EOS, 7, 0], eos=EOS) == [5, 6]


def test_the_course_loop_trains_it_teacher_forced():
    model, (source, target) = make("luong-dot"), batch()
    target = torch.cat([target, torch.full((3, 1), EOS)], 1)
    model = model.float()
    before = teacher_forced_accuracy(model, source, target).mean()
    curve = train(model, BucketedBatches((source, target), 3), transform=teacher_forcing(pad=0), steps=60,
                  lr=1e-2, evaluate=lambda m: teacher_forced_accuracy(m, source, target).mean().item(),
                  eval_every=30)
    assert curve.eval_steps == [30, 60]
    assert curve.evaluations[-1] > max(before.item(), 0.9)


def test_bad_input_gets_a_named_error():
    with pytest.raises(ValueError, match="attention"):
        Seq2Seq(5, 5, "cosine")
    with pytest.raises(ValueError, match="d_model"):
        Seq2Seq(5, 5, d_model=7)
    model = make("bahdanau")
    with pytest.raises((TypeError, ValueError), match="source"):
        model(torch.rand(2, 3), torch.ones(2, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="batch"):
        model(torch.ones(2, 3, dtype=torch.long), torch.ones(3, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="beam_size"):
        beam_search(model, torch.ones(2, 3, dtype=torch.long), beam_size=0, bos=BOS, eos=EOS, max_len=3)
    with pytest.raises(ValueError, match="same length"):
        error_rates([[1]], [])


@pytest.mark.parametrize("attention", ATTENTIONS)
def test_a_source_of_padding_only_is_refused_by_name(attention):
    model, (source, target) = make(attention), batch()
    source[1] = 0                                           # row 1: nothing to attend to
    for call in (lambda: model(source, target), lambda: model.encode(source),
                 lambda: greedy_decode(model, source, bos=BOS, eos=EOS, max_len=3)):
        with pytest.raises(ValueError, match="source row 1 is all padding; every source needs"):
            call()
    source[2] = 0
    with pytest.raises(ValueError, match=r"source rows \[1, 2\] are all padding"):
        model.encode(source)
    model(source[:1], target[:1])                           # a row with tokens still runs


def test_train_g2p_model_gives_the_same_model_for_the_same_seed():
    from attnlab.data.g2p import make_g2p_task
    from attnlab.experiments.g2p import train_g2p_model
    task = make_g2p_task(n_train=64, n_val=8, n_test=8)
    assert len(task.train) == 64 and len(task.val) == 8 and len(task.test) == 8
    assert not set(task.split["train"]) & set(task.split["test"])
    a, curve, same_task = train_g2p_model("luong-dot", seed=3, steps=2, batch_size=16, eval_every=1, task=task)
    b, _, _ = train_g2p_model("luong-dot", seed=3, steps=2, batch_size=16, eval_every=1, task=task)
    c, _, _ = train_g2p_model("luong-dot", seed=4, steps=2, batch_size=16, eval_every=1, task=task)
    assert same_task is task and curve.eval_steps == [1, 2]
    for pa, pb in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(pa, pb, rtol=0, atol=0)
    assert any(not torch.equal(pa, pc) for pa, pc in zip(a.parameters(), c.parameters()))


def test_train_g2p_model_rejects_an_unknown_attention():
    from attnlab.experiments.g2p import train_g2p_model
    with pytest.raises(ValueError, match="attention must be one of"):
        train_g2p_model("luong-concat", seed=0, task=object())
