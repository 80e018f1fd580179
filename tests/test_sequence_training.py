"""Chapter 7's training loops, the reversal task and the Austen character stream."""

import pytest
import torch

from attnlab.data.austen_text import load_austen_characters
from attnlab.data.reversal import make_reversal
from attnlab.models.transformer import CausalLanguageModel, Seq2SeqTransformer
from attnlab.seeding import make_generator
from attnlab.sequence_training import (next_token_loss, sequence_accuracy, shift_right, train_language_model,
                                       train_seq2seq, warmup_factor)


def test_reversal_is_the_source_backwards_and_seeded():
    source, target = make_reversal(50, 6, 5, seed=3)
    assert source.shape == target.shape == (50, 6) and torch.equal(target, source.flip(1))
    assert source.min() >= 1 and source.max() <= 5
    assert torch.equal(make_reversal(50, 6, 5, seed=3)[0], source)
    with pytest.raises(ValueError, match="length"):
        make_reversal(5, 0)


def test_shift_right_and_warmup():
    assert torch.equal(shift_right(torch.tensor([[4, 5, 6]]), 0), torch.tensor([[0, 4, 5]]))
    assert [warmup_factor(s, 4) for s in range(6)] == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    assert warmup_factor(0, 0) == 1.0


def test_train_seq2seq_learns_to_reverse():
    torch.manual_seed(0)
    source, target = make_reversal(512, 4, 4, seed=0)
    model = Seq2SeqTransformer(5, 5, d_model=32, num_heads=2, num_encoder_layers=1,
                               num_decoder_layers=1, d_ff=64)
    before = sequence_accuracy(model, source[:64], target[:64], bos=0)
    losses = train_seq2seq(model, source, target, steps=200, lr=3e-3, bos=0, warmup=10,
                           batch_size=64, seed=0)
    after = sequence_accuracy(model, source[:64], target[:64], bos=0)
    assert len(losses) == 200 and sum(losses[-10:]) < 0.3 * sum(losses[:10])
    assert after > before + 0.15


def test_train_seq2seq_leaves_padding_out_of_the_loss():
    torch.manual_seed(0)
    source, target = make_reversal(64, 5, 4, seed=1)
    target[:, 3:] = 0                                           # the last two positions are padding
    model = Seq2SeqTransformer(5, 5, d_model=16, num_heads=2, num_encoder_layers=1,
                               num_decoder_layers=1, d_ff=32)
    first = [p.detach().clone() for p in model.parameters()]
    loss = train_seq2seq(model, source, target, steps=1, lr=1e-3, bos=5 - 1, pad=0,
                         batch_size=16, seed=7)[0]
    with torch.no_grad():                                       # the loss of step 0, by hand
        for p, q in zip(model.parameters(), first):
            p.copy_(q)
        rows = torch.randint(0, 64, (16,), generator=make_generator(7))
        logits = model(source[rows], shift_right(target[rows], 4))
        real = target[rows] != 0
        expected = torch.nn.functional.cross_entropy(logits[real], target[rows][real])
    assert loss == pytest.approx(expected.item(), rel=1e-5)
    with pytest.raises(ValueError, match="bos and pad"):
        train_seq2seq(model, source, target, steps=1, lr=1e-3, bos=0, pad=0)


class _Greedy(torch.nn.Module):
    """A stand-in for a trained model: greedy decoding returns the given outputs."""

    def __init__(self, outputs):
        super().__init__()
        self.outputs = outputs

    def greedy(self, source, bos, steps):
        return self.outputs[:, :steps]


def test_sequence_accuracy_counts_exactly_right_sequences():
    target = torch.tensor([[3, 4, 2], [4, 4, 2], [3, 3, 2], [4, 3, 2]])
    outputs = target.clone()
    outputs[1, 0], outputs[3, 2] = 3, 4                          # two sequences with one error each
    assert sequence_accuracy(_Greedy(outputs), target, target, bos=1) == 0.5


class _Recorder(torch.nn.Module):
    """A language model that predicts nothing and records the windows it is shown."""

    def __init__(self, vocab):
        super().__init__()
        self.bias = torch.nn.Parameter(torch.zeros(vocab))
        self.first_tokens = set()

    def forward(self, tokens):
        self.first_tokens.update(tokens[:, 0].tolist())
        return self.bias.expand(*tokens.shape, -1)


def test_train_language_model_samples_every_window_the_last_included():
    stream, context = torch.arange(10), 6           # windows of 7 tokens start at 0, 1, 2 or 3
    model = _Recorder(10)
    train_language_model(model, stream, steps=40, lr=1e-3, context=context, batch_size=4)
    assert model.first_tokens == {0, 1, 2, 3}
    model = _Recorder(10)                           # a stream of exactly one window
    train_language_model(model, stream[:7], steps=3, lr=1e-3, context=context, batch_size=2)
    assert model.first_tokens == {0}
    with pytest.raises(ValueError, match="at least context"):
        train_language_model(model, stream[:6], steps=1, lr=1e-3, context=context)


def test_austen_characters_and_language_model_training():
    data = load_austen_characters(n_train=5000, n_test=500)
    assert len(data.train) == 5000 and len(data.test) == 500
    assert data.decode(data.encode("the man")) == "the man"
    torch.manual_seed(0)
    model = CausalLanguageModel(len(data.chars), d_model=16, num_heads=2, num_layers=1, d_ff=32)
    held_out = data.test[:34 * 8].view(8, 34)
    before = next_token_loss(model, held_out).item()
    losses = train_language_model(model, data.train, steps=60, lr=1e-2, context=32, batch_size=16)
    assert len(losses) == 60 and sum(losses[-5:]) < sum(losses[:5])
    assert next_token_loss(model, held_out).item() < before - 0.5
    assert model.generate(data.encode("the ")[None], 5, context=16).shape == (1, 5)
