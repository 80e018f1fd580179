"""The convolutional encoder and classifier of chapter 2."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlab.measure import input_dependence, layers_to_connect, receptive_field
from attnlab.models.convolutional import ConvClassifier, ConvEncoder, Convolution


def test_shapes():
    tokens = torch.randint(0, 10, (3, 17))
    assert ConvEncoder(10, 8, 12, kernel_size=5, n_layers=3)(tokens).shape == (3, 17, 12)
    for pooling in ("mean", "max"):
        assert ConvClassifier(10, 4, d_embed=8, channels=12, pooling=pooling)(tokens).shape == (3, 4)


def test_encoder_is_embedding_then_relu_convolutions():
    torch.manual_seed(0)
    encoder = ConvEncoder(10, 4, 6, kernel_size=3, n_layers=2)
    tokens = torch.randint(0, 10, (2, 9))
    x = encoder.embedding(tokens).transpose(1, 2)
    for conv in encoder.convs:
        x = F.relu(F.conv1d(x, conv.weight, conv.bias, padding=1))
    assert torch.allclose(encoder(tokens), x.transpose(1, 2), atol=1e-6)


@settings(max_examples=15, deadline=None)
@given(n_layers=st.integers(1, 4), kernel_size=st.sampled_from([1, 3, 5, 7]))
def test_measured_receptive_field_is_the_formula(n_layers, kernel_size):
    torch.manual_seed(0)
    encoder = ConvEncoder(5, 3, 4, kernel_size=kernel_size, n_layers=n_layers)
    with torch.no_grad():
        for conv in encoder.convs:       # positive weights and inputs: no ReLU zeros, only the wiring
            conv.weight.uniform_(0.1, 1.0)
            conv.bias.fill_(0.1)
    dependence = input_dependence(encoder.convolve, torch.rand(1, 41, 3) + 0.1, 20)
    assert int((dependence > 0).sum()) == receptive_field(n_layers, kernel_size)


def test_mean_pooled_logits_are_a_sum_of_local_terms():
    """Beyond the receptive field, the effects of the two ends on the logits add up."""
    torch.manual_seed(0)
    model = ConvClassifier(6, 2, d_embed=4, channels=8, kernel_size=3, n_layers=2)   # field 5
    base = torch.randint(0, 5, (1, 20))
    first, last, both = base.clone(), base.clone(), base.clone()
    first[0, 0] = both[0, 0] = 5                 # change the first token
    last[0, -1] = both[0, -1] = 5                # change the last token
    with torch.no_grad():
        f = {name: model(t) for name, t in dict(base=base, first=first, last=last, both=both).items()}
    assert torch.allclose(f["both"] - f["base"], (f["first"] - f["base"]) + (f["last"] - f["base"]), atol=1e-5)


@pytest.mark.parametrize("make, phrase", [
    (lambda: ConvEncoder(5, 4, 4, kernel_size=4), "kernel_size must be a positive odd int"),
    (lambda: ConvEncoder(5, 4, 4, n_layers=0), "n_layers must be at least 1"),
    (lambda: ConvClassifier(5, 2, pooling="sum"), "pooling must be one of 'mean', 'max', 'middle'"),
])
def test_bad_construction_is_named(make, phrase):
    with pytest.raises(ValueError, match=phrase):
        make()


def test_bad_input_is_named():
    encoder = ConvEncoder(5, 4, 4)
    with pytest.raises(TypeError, match=r"tokens must be a long tensor of shape \(batch, seq_len\)"):
        encoder(torch.zeros(2, 3))
    with pytest.raises(ValueError, match=r"embeddings has shape \(2, 3, 5\) but must have shape \(batch, seq_len, d_embed=4\)"):
        encoder.convolve(torch.zeros(2, 3, 5))


@pytest.mark.parametrize("kernel_size, dilation", [(3, 1), (5, 1), (3, 2)])
def test_convolution_layer_is_pytorch_conv1d_on_sequences(kernel_size, dilation):
    torch.manual_seed(0)
    layer, x = Convolution(6, kernel_size, dilation), torch.randn(2, 11, 6)
    expected = F.conv1d(x.transpose(1, 2), layer.conv.weight, layer.conv.bias, padding="same", dilation=dilation)
    assert layer(x).shape == (2, 11, 6)
    assert torch.allclose(layer(x), expected.transpose(1, 2), atol=1e-6)


@settings(max_examples=10, deadline=None)
@given(n=st.integers(2, 40), kernel_size=st.sampled_from([3, 5, 7]))
def test_stacked_convolutions_connect_the_ends_when_the_field_covers_them(n, kernel_size):
    depth = layers_to_connect(lambda: Convolution(2, kernel_size), n, 2)
    assert receptive_field(depth, kernel_size) >= n                    # the field of `depth` layers covers n
    assert depth == 1 or receptive_field(depth - 1, kernel_size) < n   # and one layer fewer does not


def test_convolution_bad_input_is_named():
    with pytest.raises(ValueError, match="kernel_size must be a positive odd int"):
        Convolution(4, 2)
    with pytest.raises(ValueError, match=r"x has shape \(2, 3, 5\) but must have shape \(batch, seq_len, d_model=4\)"):
        Convolution(4)(torch.zeros(2, 3, 5))


def test_conv_state_encoder_feeds_an_attention_read_out():
    from attnlab.models.convolutional import ConvStateEncoder
    from attnlab.models.recurrent import AttentionReadout, RecurrentClassifier
    torch.manual_seed(0)
    encoder = ConvStateEncoder(vocab_size=11, d_embed=8, channels=12, kernel_size=3)
    tokens = torch.randint(1, 11, (4, 9))
    states, last = encoder(tokens)
    assert states.shape == (4, 9, 12) and torch.equal(last, states[:, -1])
    changed = tokens.clone()
    changed[:, 0] = (changed[:, 0] % 10) + 1                   # a state sees only its window of 3 tokens
    torch.testing.assert_close(encoder(changed)[0][:, 2:], states[:, 2:])
    model = RecurrentClassifier(encoder, AttentionReadout(12), n_classes=2)
    logits, weights = model.attend(tokens)
    assert logits.shape == (4, 2) and weights.shape == (4, 9)
    torch.testing.assert_close(weights.sum(-1), torch.ones(4))
    torch.testing.assert_close(model(tokens), logits)


def test_middle_pooling_reads_the_middle_output_only():
    torch.manual_seed(0)
    model = ConvClassifier(10, 2, d_embed=4, channels=5, kernel_size=3, n_layers=2, pooling="middle")
    tokens = torch.randint(1, 10, (3, 11))
    states = model.encoder(tokens)
    torch.testing.assert_close(model(tokens), model.classifier(states[:, 5]))
    far = tokens.clone()
    far[:, 0] = (far[:, 0] % 9) + 1                      # outside the middle output's window of 5
    torch.testing.assert_close(model(far), model(tokens))
    with pytest.raises(ValueError, match="'mean', 'max', 'middle'"):
        ConvClassifier(10, 2, pooling="first")
