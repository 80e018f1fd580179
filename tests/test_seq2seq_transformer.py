"""PaddedSeq2SeqTransformer masks padding and decodes like chapter 6's model; layer_steps counts."""

import pytest
import torch

from attnlab.decoding import greedy_decode
from attnlab.models.seq2seq import Seq2Seq
from attnlab.models.seq2seq_transformer import PaddedSeq2SeqTransformer, layer_steps


def _model(**options):
    torch.manual_seed(0)
    return PaddedSeq2SeqTransformer(9, 7, d_model=16, num_heads=2, num_encoder_layers=2, num_decoder_layers=1,
                                    d_ff=32, **options).double().eval()


SOURCE = torch.tensor([[3, 4, 5, 2, 0, 0], [6, 7, 8, 3, 4, 2]])
TARGET_IN = torch.tensor([[1, 3, 4, 5], [1, 6, 5, 4]])


def test_forward_masks_the_source_padding():
    model = _model()
    plain = model.model(SOURCE, TARGET_IN, SOURCE != 0)
    torch.testing.assert_close(model(SOURCE, TARGET_IN), plain)
    more_padding = torch.cat([SOURCE, torch.zeros(2, 3, dtype=torch.long)], 1)
    torch.testing.assert_close(model(more_padding, TARGET_IN), model(SOURCE, TARGET_IN))
    _, weights = model.attend(SOURCE, TARGET_IN)
    assert weights["cross"][:, 0, :, :, 4:].abs().max() == 0                # padded letters get weight 0
    assert weights["encoder"][:, 0, :, :, 4:].abs().max() == 0


def test_greedy_decode_equals_the_models_own_greedy():
    model = _model()
    tokens, weights = greedy_decode(model, SOURCE, bos=1, eos=2, max_len=6)
    assert weights is None
    own = model.model.greedy(SOURCE, 1, 6, source_mask=SOURCE != 0)
    for row, own_row in zip(tokens, own):                                  # equal up to each row's <eos>
        n = len(row) if 2 not in row.tolist() else row.tolist().index(2) + 1
        assert row[:n].tolist() == own_row[:n].tolist()


def test_step_logits_equal_teacher_forced_logits():
    model = _model()
    memory = model.encode(SOURCE)
    cache = model.initial_state(memory)
    logits = model(SOURCE, TARGET_IN)
    for t in range(TARGET_IN.shape[1]):
        step, weights, cache = model.step(memory, cache, TARGET_IN[:, t])
        torch.testing.assert_close(step, logits[:, t])


@pytest.mark.parametrize("n", [3, 11, 40])
def test_transformer_steps_do_not_grow_with_length(n):
    model = _model()
    source = torch.randint(3, 9, (1, n))
    assert layer_steps(model, source, torch.randint(3, 7, (1, n + 2))) == {"encoder": 2, "decoder": 1}


@pytest.mark.parametrize("n, m", [(3, 5), (17, 9)])
def test_recurrent_steps_grow_with_length(n, m):
    torch.manual_seed(0)
    model = Seq2Seq(9, 7, "bahdanau", d_model=8, d_embed=4)
    counted = layer_steps(model, torch.randint(1, 9, (2, n)), torch.randint(1, 7, (2, m)))
    assert counted == {"encoder": n, "decoder": m}


def test_sequential_steps_rejects_what_it_cannot_count():
    with pytest.raises(ValueError, match="bahdanau"):
        layer_steps(Seq2Seq(9, 7, "luong-dot", d_model=8, d_embed=4), SOURCE, TARGET_IN)
    with pytest.raises(TypeError, match="Seq2Seq or a Seq2SeqTransformer"):
        layer_steps(torch.nn.Linear(2, 2), SOURCE, TARGET_IN)
    with pytest.raises(ValueError, match="source"):
        layer_steps(_model(), SOURCE[0], TARGET_IN)
