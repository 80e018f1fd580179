"""Attention inside image CNNs (chapter 5, "Attention inside image CNNs").

Three blocks that re-weight a feature map ``x`` of shape (batch, channels, height, width), each
with ``attend(x) -> (output, weights)``:

- :class:`SqueezeExcitation`, channel attention (Hu et al. 2018): one weight in (0, 1) per
  channel, from the channel averages through a small bottleneck network;
- :class:`SpatialAttention`, CBAM's spatial attention (Woo et al. 2018): one weight in (0, 1) per
  position, from a convolution of the channel average and maximum at that position;
- :class:`NonLocalBlock` (Wang et al. 2018): self-attention over the positions of the map, so
  every position reads from every other one, whatever the distance (a convolution reads only
  its receptive field); added to ``x`` through a residual connection that starts at zero.

:class:`SmallCNN` is the classifier of the chapter: three 3×3 convolutions with batch normalisation and ReLU, max pooling
after the first two, one optional attention block after the second or third convolution, global
average pooling and a linear layer.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ..attention import scaled_dot_product_attention
from ..checks import require_odd_int, require_positive_int, require_shape, require_tensor

__all__ = ["SqueezeExcitation", "SpatialAttention", "NonLocalBlock", "SmallCNN", "BLOCKS"]


def _check_map(module: nn.Module, x) -> None:
    expected = f"(batch, channels={module.channels}, height, width)"
    require_tensor("x", x, expected, dim=4)
    require_shape("x", x, (None, module.channels, None, None), expected)


class SqueezeExcitation(nn.Module):
    """Channel attention: ``x * s``, ``s = sigmoid(W_2 relu(W_1 mean_hw(x)))`` of shape (batch, channels).

    attend(x: (batch, channels, h, w)) -> (output of x's shape, weights (batch, channels)).
    """

    def __init__(self, channels: int, reduction: int = 4):
        super().__init__()
        require_positive_int("channels", channels)
        require_positive_int("reduction", reduction)
        self.channels = channels
        hidden = max(1, channels // reduction)
        self.squeeze = nn.Linear(channels, hidden)
        self.excite = nn.Linear(hidden, channels)

    def attend(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        _check_map(self, x)
        summary = x.mean(dim=(2, 3))                                        # squeeze: (batch, channels)
        weights = torch.sigmoid(self.excite(F.relu(self.squeeze(summary))))  # excitation
        return x * weights[:, :, None, None], weights

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.attend(x)[0]


class SpatialAttention(nn.Module):
    """CBAM's spatial attention: ``x * m``, ``m = sigmoid(conv([mean_c(x), max_c(x)]))`` of shape (batch, h, w).

    attend(x: (batch, channels, h, w)) -> (output of x's shape, weights (batch, h, w)).
    """

    def __init__(self, channels: int, kernel_size: int = 7):
        super().__init__()
        require_positive_int("channels", channels)
        require_odd_int("kernel_size", kernel_size)
        self.channels = channels
        self.conv = nn.Conv2d(2, 1, kernel_size, padding=kernel_size // 2)

    def attend(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        _check_map(self, x)
        summary = torch.cat([x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)], dim=1)  # (b, 2, h, w)
        weights = torch.sigmoid(self.conv(summary)).squeeze(1)                                 # (b, h, w)
        return x * weights.unsqueeze(1), weights

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.attend(x)[0]


class NonLocalBlock(nn.Module):
    """Self-attention over the h·w positions of a map (embedded Gaussian form, scaled scores).

    ``z = x + W_z softmax(θ(x) φ(x)ᵀ / sqrt(inner)) g(x)``, θ, φ, g, W_z 1×1 convolutions;
    W_z starts at zero, so the block starts as the identity.
    attend(x: (batch, channels, h, w)) -> (output of x's shape, weights (batch, h·w, h·w)):
    row p of the weights is how much position p (row-major, p = row · w + column) reads from each.
    """

    def __init__(self, channels: int, inner: int | None = None):
        super().__init__()
        require_positive_int("channels", channels)
        inner = inner if inner is not None else max(1, channels // 2)
        require_positive_int("inner", inner)
        self.channels, self.inner = channels, inner
        self.theta = nn.Conv2d(channels, inner, 1)
        self.phi = nn.Conv2d(channels, inner, 1)
        self.g = nn.Conv2d(channels, inner, 1)
        self.out = nn.Conv2d(inner, channels, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def attend(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        _check_map(self, x)
        batch, _, h, w = x.shape
        flat = lambda y: y.flatten(2).transpose(1, 2)                        # (b, inner, h, w) -> (b, h·w, inner)
        read, weights = scaled_dot_product_attention(flat(self.theta(x)), flat(self.phi(x)), flat(self.g(x)))
        read = read.transpose(1, 2).reshape(batch, self.inner, h, w)
        return x + self.out(read), weights

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.attend(x)[0]


BLOCKS = {"none": None, "channel": SqueezeExcitation, "spatial": SpatialAttention, "non-local": NonLocalBlock}


class SmallCNN(nn.Module):
    """A small image classifier with one optional attention block (``block``, a key of :data:`BLOCKS`).

    conv 3×3 (1 → c1), batch norm, ReLU, max pool 2; conv 3×3 (c1 → c2), batch norm, ReLU, max
    pool 2; [block]; conv 3×3 (c2 → c2), batch norm, ReLU; global average pool; linear (c2 → n_classes).
    forward(images: (batch, 1, H, W)) -> logits (batch, n_classes). :meth:`attend` returns
    ``(logits, weights)`` with the block's weights (none for ``block="none"``).
    """

    def __init__(self, block: str = "none", c1: int = 8, c2: int = 16, n_classes: int = 10, **block_options):
        super().__init__()
        if block not in BLOCKS:
            raise ValueError(f"block must be one of {list(BLOCKS)}, got {block!r}")
        for name, value in (("c1", c1), ("c2", c2), ("n_classes", n_classes)):
            require_positive_int(name, value)
        self.block_name = block
        self.conv1 = nn.Sequential(nn.Conv2d(1, c1, 3, padding=1), nn.BatchNorm2d(c1))
        self.conv2 = nn.Sequential(nn.Conv2d(c1, c2, 3, padding=1), nn.BatchNorm2d(c2))
        self.block = BLOCKS[block](c2, **block_options) if BLOCKS[block] else None
        self.conv3 = nn.Sequential(nn.Conv2d(c2, c2, 3, padding=1), nn.BatchNorm2d(c2))
        self.head = nn.Linear(c2, n_classes)

    def attend(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        require_tensor("images", images, "(batch, 1, height, width)", dim=4)
        require_shape("images", images, (None, 1, None, None), "(batch, 1, height, width)")
        x = F.max_pool2d(F.relu(self.conv1(images)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        weights = None
        if self.block is not None:
            x, weights = self.block.attend(x)
        x = F.relu(self.conv3(x))
        return self.head(x.mean(dim=(2, 3))), weights

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.attend(images)[0]
