"""Attention-based convolutional networks for sentence pairs (chapter 5, "ABCNN on text pairs").

Yin, Schütze, Xiang and Zhou's ABCNN (TACL 2016) compares two sentences with one siamese
convolution block and adds attention in one of two places:

- **ABCNN-1**, before the convolution: the attention matrix ``A`` between the two sentences'
  word embeddings, ``A[i, j] = match_scores(a, b)``, is turned into one feature map per
  sentence (``A W_a`` for sentence a, ``Aᵀ W_b`` for sentence b, with learned ``W_a, W_b`` of
  shape (max_len, d_embed)) that is stacked onto the embeddings as the convolution's input;
- **ABCNN-2**, after the convolution: the attention matrix between the two sentences'
  convolution outputs re-weights those outputs before pooling: sentence a's position i by the
  **row** sum ``Σ_j A[i, j]``, sentence b's position j by the **column** sum ``Σ_i A[i, j]``;
- **ABCNN-3**: both. **BCNN**, the baseline, has neither.

Everything else is shared: embeddings of width ``d_embed`` (the same table for both sentences),
a wide convolution (``width - 1`` zero positions on each side) with tanh, window pooling of
``width`` positions (an average in BCNN, the attention-weighted sum in ABCNN-2), average
pooling over the sentence, and a classifier of ``[|r_a - r_b|, r_a * r_b]``.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ..checks import require_positive_int, require_same_batch, require_shape, require_tensor, require_tokens, shape_of

__all__ = ["KINDS", "match_scores", "ABCNN"]

KINDS = ("bcnn", "abcnn1", "abcnn2", "abcnn3")
EPS = 1e-6  # added under the square root: the distance is sqrt(Σ (a - b)² + EPS), smooth at a = b


def match_scores(a: torch.Tensor, b: torch.Tensor, eps: float = EPS) -> torch.Tensor:
    """The ABCNN attention matrix: ``1 / (1 + ||a_i - b_j||)`` for every position pair.

    a: (batch, len_a, d), b: (batch, len_b, d). Returns (batch, len_a, len_b), values in (0, 1].
    The Euclidean norm is computed as ``sqrt(Σ (a_i - b_j)² + eps)``: the plain norm's gradient
    ``(a_i - b_j) / ||a_i - b_j||`` is 0/0 where a_i = b_j (the same word in both sentences), and
    its square root's derivative is infinite at 0, which turns the loss into NaN. With ``eps``,
    the gradient there is exactly 0 and the score is ``1 / (1 + sqrt(eps))`` instead of 1.
    """
    require_tensor("a", a, "(batch, len_a, d)", dim=3)
    require_tensor("b", b, "(batch, len_b, d)", dim=3)
    require_same_batch(a=a, b=b)
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(f"a has shape {shape_of(a)} and b has shape {shape_of(b)}; their last "
                         f"dimension d must agree")
    if eps <= 0:
        raise ValueError(f"eps must be positive (it keeps the gradient finite at a_i = b_j), got {eps}")
    difference = a.unsqueeze(2) - b.unsqueeze(1)                        # (batch, len_a, len_b, d)
    distance = torch.sqrt(difference.pow(2).sum(-1) + eps)             # (batch, len_a, len_b)
    return 1.0 / (1.0 + distance)


def _window_sum(x: torch.Tensor, width: int) -> torch.Tensor:
    """(batch, n + width - 1, c) -> (batch, n, c): the sum of each window of ``width`` positions."""
    return F.avg_pool1d(x.transpose(1, 2), width, stride=1).transpose(1, 2) * width


class ABCNN(nn.Module):
    """BCNN, ABCNN-1, ABCNN-2 or ABCNN-3 (``kind``), one convolution block, two classes.

    forward(left: (batch, max_len) long, right: (batch, max_len) long) -> logits (batch, 2).
    Word id 0 is padding (on the right); padded positions get no attention and are left out of
    the pooling. :meth:`attend` returns ``(logits, weights)``: the attention matrix
    (batch, max_len, max_len) between the word embeddings for ABCNN-1 and ABCNN-3, between the
    convolution outputs (batch, max_len + width - 1, max_len + width - 1) for ABCNN-2.
    :meth:`attention_maps` returns both, with the pooling weights of each sentence.
    """

    def __init__(self, vocab_size: int, max_len: int, kind: str = "bcnn", d_embed: int = 32,
                 channels: int = 48, width: int = 3, d_hidden: int = 32):
        super().__init__()
        for name, value in (("vocab_size", vocab_size), ("max_len", max_len), ("d_embed", d_embed),
                            ("channels", channels), ("width", width), ("d_hidden", d_hidden)):
            require_positive_int(name, value)
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        self.kind, self.max_len, self.width = kind, max_len, width
        self.input_attention = kind in ("abcnn1", "abcnn3")
        self.pooling_attention = kind in ("abcnn2", "abcnn3")
        self.embedding = nn.Embedding(vocab_size, d_embed, padding_idx=0)
        if self.input_attention:                   # W_a, W_b: a row of A -> a feature vector
            self.feature_a = nn.Parameter(torch.randn(max_len, d_embed) / max_len ** 0.5)
            self.feature_b = nn.Parameter(torch.randn(max_len, d_embed) / max_len ** 0.5)
        d_in = 2 * d_embed if self.input_attention else d_embed
        self.conv = nn.Conv1d(d_in, channels, width, padding=width - 1)
        self.classifier = nn.Sequential(nn.Linear(2 * channels, d_hidden), nn.ReLU(), nn.Linear(d_hidden, 2))

    def _check(self, left, right) -> None:
        expected = f"(batch, max_len={self.max_len})"
        require_tokens("left", left, expected)
        require_tokens("right", right, expected)
        require_same_batch(left=left, right=right)
        for name, tokens in (("left", left), ("right", right)):
            require_shape(name, tokens, (None, self.max_len), expected, hint="pad both sentences to max_len")

    def attention_maps(self, left: torch.Tensor, right: torch.Tensor) -> dict[str, torch.Tensor]:
        """The logits and every attention quantity of one forward pass, by name.

        ``logits`` (batch, 2); ``input`` (batch, max_len, max_len), ABCNN-1/3 only; ``conv``
        (batch, n, n) with n = max_len + width - 1, ABCNN-2/3 only; ``pool_a``, ``pool_b``
        (batch, n): the weight of each convolution output in the window pooling (ABCNN-2/3: the
        row and column sums of ``conv``; BCNN and ABCNN-1: 1/width at real positions, 0 at padding).
        """
        self._check(left, right)
        maps = {}
        mask_a, mask_b = (left != 0).float(), (right != 0).float()              # (batch, max_len)
        a, b = self.embedding(left), self.embedding(right)                      # (batch, max_len, d)
        if self.input_attention:
            attention = match_scores(a, b) * mask_a.unsqueeze(2) * mask_b.unsqueeze(1)
            maps["input"] = attention
            a = torch.cat([a, attention @ self.feature_a], dim=-1)                       # rows of A
            b = torch.cat([b, attention.transpose(1, 2) @ self.feature_b], dim=-1)       # columns of A
        conv_a = torch.tanh(self.conv(a.transpose(1, 2))).transpose(1, 2)       # (batch, n, channels)
        conv_b = torch.tanh(self.conv(b.transpose(1, 2))).transpose(1, 2)
        # a wide convolution's output k covers inputs k - width + 1 .. k: real if one of them is
        reach_a = F.max_pool1d(F.pad(mask_a, (self.width - 1, self.width - 1)).unsqueeze(1), self.width,
                               stride=1).squeeze(1)
        reach_b = F.max_pool1d(F.pad(mask_b, (self.width - 1, self.width - 1)).unsqueeze(1), self.width,
                               stride=1).squeeze(1)
        if self.pooling_attention:
            attention = match_scores(conv_a, conv_b) * reach_a.unsqueeze(2) * reach_b.unsqueeze(1)
            maps["conv"] = attention
            pool_a, pool_b = attention.sum(dim=2), attention.sum(dim=1)        # row sums, column sums
        else:
            pool_a, pool_b = reach_a / self.width, reach_b / self.width
        maps["pool_a"], maps["pool_b"] = pool_a, pool_b
        pooled_a = _window_sum(conv_a * pool_a.unsqueeze(-1), self.width)       # (batch, max_len, channels)
        pooled_b = _window_sum(conv_b * pool_b.unsqueeze(-1), self.width)
        r_a = (pooled_a * mask_a.unsqueeze(-1)).sum(1) / mask_a.sum(1, keepdim=True).clamp(min=1)
        r_b = (pooled_b * mask_b.unsqueeze(-1)).sum(1) / mask_b.sum(1, keepdim=True).clamp(min=1)
        maps["logits"] = self.classifier(torch.cat([(r_a - r_b).abs(), r_a * r_b], dim=-1))
        return maps

    def forward(self, left: torch.Tensor, right: torch.Tensor) -> torch.Tensor:
        return self.attention_maps(left, right)["logits"]

    def attend(self, left: torch.Tensor, right: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(logits, weights)``: weights is the input attention matrix (ABCNN-1/3) or the
        convolution outputs' attention matrix (ABCNN-2); BCNN has no attention to return."""
        if self.kind == "bcnn":
            raise ValueError("a BCNN has no attention; build ABCNN(kind='abcnn1', 'abcnn2' or 'abcnn3')")
        maps = self.attention_maps(left, right)
        return maps["logits"], maps["input"] if self.input_attention else maps["conv"]
