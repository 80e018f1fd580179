"""Tests of attnlab.models.recurrent (chapter 1, "The bottleneck"; reused in chapters 2 and 3)."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlab.models.recurrent import (AttentionReadout, FinalStateReadout, MeanReadout, RecurrentClassifier,
                                      RecurrentEncoder)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_encoder_shapes_and_final_state(cell):
    torch.manual_seed(0)
    encoder = RecurrentEncoder(vocab_size=12, d_embed=5, d_hidden=7, cell=cell)
    tokens = torch.randint(1, 12, (3, 6))
    states, final = encoder(tokens)
    assert states.shape == (3, 6, 7) and final.shape == (3, 7)
    assert torch.equal(final, states[:, -1])
    _, final_at = encoder(tokens, lengths=torch.tensor([6, 2, 4]))
    assert torch.equal(final_at[1], states[1, 1]) and torch.equal(final_at[2], states[2, 3])


def test_encoder_is_torch_rnn_over_the_embedding():
    torch.manual_seed(1)
    encoder = RecurrentEncoder(10, 4, 6, cell="gru")
    tokens = torch.randint(0, 10, (2, 5))
    expected, last = encoder.rnn(encoder.embedding(tokens))
    states, final = encoder(tokens)
    assert torch.allclose(states, expected) and torch.allclose(final, last[0])


def test_attention_readout_matches_pytorch():
    torch.manual_seed(2)
    readout = AttentionReadout(d_hidden=8)
    states, final = torch.randn(3, 5, 8), torch.randn(3, 8)
    mask = torch.tensor([[True] * 5, [True, True, False, False, False], [False, True, True, True, True]])
    ours = readout(states, final, mask)
    theirs = F.scaled_dot_product_attention(readout.query_proj(final)[:, None], readout.key_proj(states),
                                            states, attn_mask=mask[:, None, :])[:, 0]
    assert torch.allclose(ours, theirs, atol=1e-6)
    output, weights = readout.attend(states, final, mask)
    assert torch.equal(output, ours)
    assert torch.allclose(weights.sum(dim=1), torch.ones(3))
    assert (weights[~mask] == 0).all()


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(0, 1000))
def test_masked_positions_do_not_change_mean_or_attention(n_valid, seed):
    generator = torch.Generator().manual_seed(seed)
    states, final = torch.randn(1, 6, 4, generator=generator), torch.randn(1, 4, generator=generator)
    mask = torch.arange(6)[None] < n_valid
    changed = states.clone()
    changed[~mask] = 100.0
    torch.manual_seed(0)
    attention = AttentionReadout(4)
    for readout in (MeanReadout(), attention):
        assert torch.allclose(readout(states, final, mask), readout(changed, final, mask), atol=1e-5)
    assert torch.allclose(MeanReadout()(states, final, mask), states[0, :n_valid].mean(0, keepdim=True), atol=1e-6)
    assert torch.equal(FinalStateReadout()(states, final, mask), final)


@pytest.mark.parametrize("readout", ["final", "mean", "attention"])
def test_classifier_shapes(readout):
    model = RecurrentClassifier.build(readout, vocab_size=20, n_classes=4, d_embed=6, d_hidden=8)
    assert model(torch.randint(0, 20, (5, 9))).shape == (5, 4)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="cell must be one of"):
        RecurrentEncoder(5, 3, 3, cell="transformer")
    with pytest.raises(ValueError, match="readout must be one of"):
        RecurrentClassifier.build("max", 5, 2)
    encoder = RecurrentEncoder(5, 3, 3)
    with pytest.raises(TypeError, match=r"tokens must be a long tensor of shape \(batch, seq_len\)"):
        encoder(torch.zeros(2, 3))
    with pytest.raises(ValueError, match=r"lengths must lie in 1..3 \(the sequence length\)"):
        encoder(torch.zeros(2, 3, dtype=torch.long), lengths=torch.tensor([4, 1]))


@pytest.mark.parametrize("readout", ["final", "mean", "attention"])
def test_attend_gives_the_logits_and_weights_that_average_the_states(readout):
    """attend(tokens) -> (logits, weights), computed afresh: the logits are forward's, the
    weights (batch, seq_len) sum to 1, skip the padding, and average the states into the read-out."""
    torch.manual_seed(0)
    model = RecurrentClassifier.build(readout, vocab_size=12, n_classes=5, d_embed=8, d_hidden=16)
    tokens = torch.randint(1, 12, (4, 9), generator=torch.Generator().manual_seed(3))
    tokens[:2, :3] = 0                                                  # left padding
    logits, weights = model.attend(tokens)
    assert logits.shape == (4, 5) and weights.shape == (4, 9)
    torch.testing.assert_close(logits, model(tokens))
    torch.testing.assert_close(weights.sum(1), torch.ones(4))
    if readout != "final":
        assert (weights[:2, :3] == 0).all()
    states, _ = model.encoder(tokens)
    read = (weights.unsqueeze(-1) * states).sum(1)
    torch.testing.assert_close(model.classifier(read), logits)


def test_set_forget_bias_opens_the_gate():
    from torch import nn

    from attnlab.models.recurrent import RecurrentClassifier, set_forget_bias
    lstm = set_forget_bias(nn.LSTM(3, 4, num_layers=2), 5.0)
    for layer in range(2):
        bias_ih, bias_hh = getattr(lstm, f"bias_ih_l{layer}"), getattr(lstm, f"bias_hh_l{layer}")
        assert torch.all(bias_ih[4:8] == 5.0) and torch.all(bias_hh[4:8] == 0.0)
    model = RecurrentClassifier.build("final", 10, 2, d_embed=4, d_hidden=6, cell="lstm", forget_bias=1.0)
    rnn = model.encoder.rnn
    assert torch.all(rnn.bias_ih_l0[6:12] + rnn.bias_hh_l0[6:12] == 1.0)


def test_set_forget_bias_rejects_what_has_no_forget_gate():
    from torch import nn

    from attnlab.models.recurrent import RecurrentClassifier, set_forget_bias
    with pytest.raises(TypeError, match="lstm must be an nn.LSTM"):
        set_forget_bias(nn.GRU(3, 4), 1.0)
    with pytest.raises(ValueError, match="bias=False"):
        set_forget_bias(nn.LSTM(3, 4, bias=False), 1.0)
    with pytest.raises(ValueError, match="forget_bias needs cell='lstm'"):
        RecurrentClassifier.build("final", 10, 2, cell="gru", forget_bias=1.0)


def test_lstm_gates_reproduce_torch_lstm():
    from attnlab.models.recurrent import lstm_gates
    torch.manual_seed(5)
    lstm = torch.nn.LSTM(4, 6, batch_first=True)
    inputs = torch.randn(3, 7, 4)
    gates = lstm_gates(lstm, inputs)
    states, (h, c) = lstm(inputs)
    assert set(gates) == {"input", "forget", "candidate", "output", "memory", "hidden"}
    assert all(value.shape == (3, 7, 6) for value in gates.values())
    torch.testing.assert_close(gates["hidden"], states)
    torch.testing.assert_close(gates["memory"][:, -1], c[0])
    for name in ("input", "forget", "output"):
        assert ((gates[name] > 0) & (gates[name] < 1)).all()
    # the memory recursion holds: c_t = f_t c_{t-1} + i_t g_t
    torch.testing.assert_close(gates["memory"][:, 1:], gates["forget"][:, 1:] * gates["memory"][:, :-1]
                               + gates["input"][:, 1:] * gates["candidate"][:, 1:])
    with pytest.raises(ValueError, match=r"inputs has shape \(3, 7, 5\) but must have shape \(batch, n, d_model=4\)"):
        lstm_gates(lstm, torch.randn(3, 7, 5))
    with pytest.raises(ValueError, match="one layer"):
        lstm_gates(torch.nn.LSTM(4, 6, num_layers=2), inputs)
    with pytest.raises(TypeError, match="nn.LSTM"):
        lstm_gates(torch.nn.GRU(4, 6), inputs)


def test_left_pad_moves_padding_to_the_front():
    from attnlab.models.recurrent import left_pad
    tokens = torch.tensor([[5, 6, 7, 0, 0], [1, 2, 3, 4, 5], [0, 0, 0, 0, 0], [8, 0, 9, 0, 0]])
    expected = torch.tensor([[0, 0, 5, 6, 7], [1, 2, 3, 4, 5], [0, 0, 0, 0, 0], [0, 0, 8, 0, 9]])
    assert torch.equal(left_pad(tokens), expected)
    with pytest.raises(TypeError, match="tokens must be a long tensor"):
        left_pad(tokens.float())
