"""Chapter 7's training loops, the reversal task and the Austen character stream."""

import pytest
import torch

from attnlab.data.austen_text import load_austen_characters
from attnlab.data.reversal import make_reversal
from attnlab.models.transformer import CausalLanguageModel, Seq2SeqTransformer
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


def test_train_seq2seq_lowers_the_loss():
    torch.manual_seed(0)
    source, target = make_reversal(256, 4, 4, seed=0)
    model = Seq2SeqTransformer(5, 5, d_model=16, num_heads=2, num_encoder_layers=1, num_decoder_layers=1, d_ff=32)
    losses = train_seq2seq(model, source, target, steps=60, lr=1e-2, warmup=5, batch_size=32, seed=0)
    assert len(losses) == 60 and sum(losses[-5:]) < sum(losses[:5])
    assert 0.0 <= sequence_accuracy(model, source[:16], target[:16]) <= 1.0


def test_austen_characters_and_language_model_training():
    data = load_austen_characters(n_train=5000, n_test=500)
    assert len(data.train) == 5000 and len(data.test) == 500
    assert data.decode(data.encode("the man")) == "the man"
    torch.manual_seed(0)
    model = CausalLanguageModel(len(data.chars), d_model=16, num_heads=2, num_layers=1, d_ff=32)
    losses = train_language_model(model, data.train, steps=30, lr=1e-2, context=16, batch_size=8)
    assert len(losses) == 30 and sum(losses[-5:]) < sum(losses[:5])
    assert next_token_loss(model, data.test[:34].view(2, 17)).item() > 0
    with pytest.raises(ValueError, match="stream must be a 1-d token tensor"):
        train_language_model(model, data.train[:10], steps=1, lr=1e-3, context=16)
    assert model.generate(data.encode("the ")[None], 5, context=16).shape == (1, 5)
