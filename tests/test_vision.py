"""attnlab.models.vision: channel, spatial and non-local attention, and the small CNN."""

import pytest
import torch

from attnlab.attention import scaled_dot_product_attention
from attnlab.models.vision import BLOCKS, NonLocalBlock, SmallCNN, SpatialAttention, SqueezeExcitation


def test_squeeze_excitation_scales_each_channel_by_its_weight():
    torch.manual_seed(0)
    block, x = SqueezeExcitation(8, reduction=2), torch.randn(3, 8, 5, 6)
    output, weights = block.attend(x)
    assert weights.shape == (3, 8) and ((weights > 0) & (weights < 1)).all()
    torch.testing.assert_close(output, x * weights[:, :, None, None])
    expected = torch.sigmoid(block.excite(torch.relu(block.squeeze(x.mean(dim=(2, 3))))))
    torch.testing.assert_close(weights, expected)


def test_spatial_attention_scales_each_position_by_its_weight():
    torch.manual_seed(0)
    block, x = SpatialAttention(4, kernel_size=3), torch.randn(2, 4, 5, 6)
    output, weights = block.attend(x)
    assert weights.shape == (2, 5, 6) and ((weights > 0) & (weights < 1)).all()
    torch.testing.assert_close(output, x * weights[:, None])
    summary = torch.stack([x.mean(1), x.amax(1)], dim=1)
    torch.testing.assert_close(weights, torch.sigmoid(block.conv(summary))[:, 0])


def test_non_local_block_is_self_attention_over_positions_and_starts_as_identity():
    torch.manual_seed(0)
    block, x = NonLocalBlock(6, inner=4), torch.randn(2, 6, 3, 5)
    output, weights = block.attend(x)
    assert weights.shape == (2, 15, 15)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 15))
    torch.testing.assert_close(output, x)                           # W_z = 0 at the start
    flat = lambda y: y.flatten(2).transpose(1, 2)
    _, expected = scaled_dot_product_attention(flat(block.theta(x)), flat(block.phi(x)), flat(block.g(x)))
    torch.testing.assert_close(weights, expected)
    torch.nn.init.normal_(block.out.weight)
    moved, _ = block.attend(x)
    assert not torch.allclose(moved, x)


def test_non_local_block_reads_from_a_distant_position():
    torch.manual_seed(0)
    block = NonLocalBlock(2, inner=2)
    torch.nn.init.normal_(block.out.weight)
    x = torch.zeros(1, 2, 8, 8)
    x.requires_grad_(True)
    block(x)[0, :, 0, 0].sum().backward()
    assert x.grad[0, :, 7, 7].abs().sum() > 0                        # the far corner reaches (0, 0)


@pytest.mark.parametrize("block", list(BLOCKS))
def test_small_cnn_runs_with_every_block(block):
    torch.manual_seed(0)
    model = SmallCNN(block)
    logits, weights = model.attend(torch.rand(3, 1, 32, 32))
    assert logits.shape == (3, 10)
    shapes = {"none": None, "channel": (3, 16), "spatial": (3, 8, 8), "non-local": (3, 64, 64)}
    assert (weights is None) if shapes[block] is None else weights.shape == shapes[block]


def test_blocks_check_their_inputs():
    with pytest.raises(ValueError, match="channels=8"):
        SqueezeExcitation(8).attend(torch.randn(1, 4, 3, 3))
    with pytest.raises(ValueError, match="x has shape"):
        SpatialAttention(4).attend(torch.randn(4, 3, 3))
    with pytest.raises(ValueError, match="odd"):
        SpatialAttention(4, kernel_size=4)
    with pytest.raises(ValueError, match="images"):
        SmallCNN().attend(torch.rand(2, 3, 16, 16))
    with pytest.raises(ValueError, match="block"):
        SmallCNN("everything")
