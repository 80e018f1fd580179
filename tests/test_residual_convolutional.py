"""The residual convolutional classifier of chapter 2 (attnlab.models.residual_convolutional)."""

import pytest
import torch
import torch.nn.functional as F

from attnlab.measure import input_dependence, receptive_field
from attnlab.models.convolutional import ConvClassifier
from attnlab.models.residual_convolutional import ResidualConvBlock, ResidualConvClassifier
from attnlab.train import count_parameters


def test_a_block_is_x_plus_relu_of_the_convolution_of_the_normalised_input():
    torch.manual_seed(0)
    block = ResidualConvBlock(6, kernel_size=3)
    with torch.no_grad():                                   # a LayerNorm that is not the identity
        block.norm.weight.uniform_(0.5, 1.5)
        block.norm.bias.uniform_(-0.5, 0.5)
    x = torch.randn(2, 9, 6)
    normalised = F.layer_norm(x, (6,), block.norm.weight, block.norm.bias, block.norm.eps)
    expected = x + F.relu(F.conv1d(normalised.transpose(1, 2), block.conv.weight, block.conv.bias, padding=1)
                          ).transpose(1, 2)
    torch.testing.assert_close(block(x), expected)


def test_the_classifier_is_embedding_blocks_norm_and_the_chosen_read_out():
    torch.manual_seed(0)
    tokens = torch.randint(0, 10, (3, 11))
    for pooling, pick in (("middle", lambda s: s[:, 5]), ("mean", lambda s: s.mean(1)),
                          ("max", lambda s: s.amax(1))):
        model = ResidualConvClassifier(10, 4, channels=8, kernel_size=3, n_layers=2, pooling=pooling)
        x = model.embedding(tokens)
        for block in model.blocks:
            x = block(x)
        states = model.norm(x)
        torch.testing.assert_close(model.encode(tokens), states)
        torch.testing.assert_close(model(tokens), model.classifier(pick(states)))
        assert model(tokens).shape == (3, 4)


def wiring_only(model):
    """The model's blocks (no final LayerNorm), with positive convolution weights and LayerNorm
    outputs shifted above 0, so that no ReLU is ever 0 and only the wiring decides what is seen."""
    with torch.no_grad():
        for block in model.blocks:
            block.conv.weight.uniform_(0.1, 1.0)
            block.conv.bias.fill_(0.1)
            block.norm.bias.fill_(10.0)

    def blocks(x):
        for block in model.blocks:
            x = block(x)
        return x
    return blocks


@pytest.mark.parametrize("n_layers, kernel_size", [(1, 3), (2, 5), (3, 3), (4, 5)])
def test_the_receptive_field_is_the_plain_stacks(n_layers, kernel_size):
    torch.manual_seed(0)
    model = ResidualConvClassifier(5, 2, channels=4, kernel_size=kernel_size, n_layers=n_layers)
    dependence = input_dependence(wiring_only(model), torch.randn(1, 41, 4), 20)
    assert int((dependence > 0).sum()) == receptive_field(n_layers, kernel_size)


def test_at_length_32_only_the_middle_outputs_of_8_blocks_see_both_ends():
    torch.manual_seed(0)
    blocks = wiring_only(ResidualConvClassifier(15, 2, channels=16, kernel_size=5, n_layers=8))
    x = torch.randn(1, 32, 16)
    dependence = [input_dependence(blocks, x, t) for t in range(32)]
    sees_both = [t for t, d in enumerate(dependence) if d[0] > 0 and d[-1] > 0]
    assert sees_both == [15, 16] and (32 - 1) // 2 in sees_both


def test_its_size_is_close_to_the_plain_deep_cnns():
    plain = ConvClassifier(15, 2, d_embed=16, channels=16, kernel_size=5, n_layers=8, pooling="middle")
    residual = ResidualConvClassifier(15, 2, channels=16, kernel_size=5, n_layers=8)
    assert abs(count_parameters(residual) - count_parameters(plain)) < 0.05 * count_parameters(plain)


@pytest.mark.parametrize("make, error, phrase", [
    (lambda: ResidualConvBlock(4, kernel_size=4), ValueError, "kernel_size must be a positive odd int"),
    (lambda: ResidualConvBlock(0), ValueError, "channels must be a positive int"),
    (lambda: ResidualConvClassifier(5, 2, n_layers=0), ValueError, "n_layers must be a positive int"),
    (lambda: ResidualConvClassifier(5, 2, pooling="sum"), ValueError, "pooling must be one of"),
    (lambda: ResidualConvClassifier(5, 2)(torch.zeros(2, 7)), TypeError, "tokens must be a long tensor"),
    (lambda: ResidualConvBlock(4)(torch.zeros(2, 7, 5)), ValueError, r"x has shape \(2, 7, 5\)"),
])
def test_wrong_arguments_are_named(make, error, phrase):
    with pytest.raises(error, match=phrase):
        make()
