"""attnlab.models.abcnn: the match score, its gradient, and ABCNN-2's row and column sums."""

import pytest
import torch

from attnlab.models.abcnn import ABCNN, KINDS, match_scores


def _double_loop(a, b):
    batch, len_a, len_b = a.shape[0], a.shape[1], b.shape[1]
    scores = torch.zeros(batch, len_a, len_b, dtype=a.dtype)
    for n in range(batch):
        for i in range(len_a):
            for j in range(len_b):
                scores[n, i, j] = 1.0 / (1.0 + torch.linalg.vector_norm(a[n, i] - b[n, j]))
    return scores


def test_match_scores_equal_a_plain_double_loop():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(2, 5, 4, generator=g, dtype=torch.float64), torch.randn(2, 7, 4, generator=g, dtype=torch.float64)
    scores = match_scores(a, b)
    assert scores.shape == (2, 5, 7)
    torch.testing.assert_close(scores, _double_loop(a, b), atol=1e-6, rtol=1e-6)


def test_match_scores_pass_gradcheck():
    g = torch.Generator().manual_seed(1)
    a = torch.randn(2, 3, 4, generator=g, dtype=torch.float64, requires_grad=True)
    b = torch.randn(2, 5, 4, generator=g, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(match_scores, (a, b))


def test_match_scores_gradient_is_finite_where_the_vectors_are_equal():
    a = torch.randn(1, 3, 4, dtype=torch.float64)
    b = torch.cat([a[:, :1], torch.randn(1, 2, 4, dtype=torch.float64)], dim=1)   # a_0 = b_0
    a.requires_grad_(True)
    b.requires_grad_(True)
    scores = match_scores(a, b)
    assert scores[0, 0, 0] > 0.99
    scores.sum().backward()
    assert torch.isfinite(a.grad).all() and torch.isfinite(b.grad).all()
    # the naive norm gives NaN there: the bug match_scores avoids
    a2 = a.detach().clone().requires_grad_(True)
    naive = 1 / (1 + torch.sqrt(((a2[:, :, None] - b.detach()[:, None]) ** 2).sum(-1)))
    naive.sum().backward()
    assert torch.isnan(a2.grad).any()


def test_match_scores_reject_bad_shapes():
    with pytest.raises(ValueError, match="a has shape"):
        match_scores(torch.randn(3, 4), torch.randn(1, 3, 4))
    with pytest.raises(ValueError, match="last"):
        match_scores(torch.randn(1, 3, 4), torch.randn(1, 3, 5))
    with pytest.raises(ValueError, match="batch"):
        match_scores(torch.randn(2, 3, 4), torch.randn(1, 3, 4))


def test_abcnn2_weights_sentence_a_by_row_sums_and_b_by_column_sums():
    # sentences of different lengths: 3 real words against 6, so row and column sums differ
    torch.manual_seed(0)
    model = ABCNN(20, max_len=8, kind="abcnn2", d_embed=6, channels=5, width=3)
    left = torch.tensor([[3, 4, 5, 0, 0, 0, 0, 0]])
    right = torch.tensor([[6, 7, 8, 9, 10, 11, 0, 0]])
    maps = model.attention_maps(left, right)
    conv = maps["conv"]                                               # (1, 10, 10)
    assert conv.shape == (1, 10, 10)
    torch.testing.assert_close(maps["pool_a"], conv.sum(dim=2))
    torch.testing.assert_close(maps["pool_b"], conv.sum(dim=1))
    # real convolution outputs: 3 + 2 for a, 6 + 2 for b; the rest carry no weight
    assert (maps["pool_a"][0, :5] > 0).all() and (maps["pool_a"][0, 5:] == 0).all()
    assert (maps["pool_b"][0, :8] > 0).all() and (maps["pool_b"][0, 8:] == 0).all()
    assert not torch.allclose(maps["pool_a"], maps["pool_b"])


def test_abcnn1_input_attention_masks_padding_and_matches_match_scores():
    torch.manual_seed(0)
    model = ABCNN(20, max_len=6, kind="abcnn1", d_embed=4, channels=3)
    left, right = torch.tensor([[3, 4, 0, 0, 0, 0]]), torch.tensor([[4, 5, 6, 0, 0, 0]])
    logits, weights = model.attend(left, right)
    assert logits.shape == (1, 2) and weights.shape == (1, 6, 6)
    expected = match_scores(model.embedding(left), model.embedding(right))
    torch.testing.assert_close(weights[0, :2, :3], expected[0, :2, :3])
    assert (weights[0, 2:] == 0).all() and (weights[0, :, 3:] == 0).all()
    assert weights[0, 1, 0] > 0.99                                   # the same word "4" in both


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_trains_one_step_with_finite_gradients(kind):
    torch.manual_seed(0)
    model = ABCNN(30, max_len=7, kind=kind, d_embed=5, channels=4)
    left = torch.randint(1, 30, (4, 7))
    right = left.clone()                                              # identical sentences: a_i = b_j
    labels = torch.tensor([1, 1, 0, 0])
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss = torch.nn.functional.cross_entropy(model(left, right), labels)
    loss.backward()
    assert torch.isfinite(loss)
    for name, p in model.named_parameters():                          # every parameter, none skipped
        assert p.grad is not None, f"{name} gets no gradient"
        assert torch.isfinite(p.grad).all(), f"{name} has a non-finite gradient"
    optimiser.step()
    with torch.no_grad():
        after = torch.nn.functional.cross_entropy(model(left, right), labels)
    assert after < loss.detach(), f"one Adam step did not lower the loss on its own batch ({loss.item()} -> {after.item()})"


def test_abcnn_checks_its_inputs():
    model = ABCNN(10, max_len=5, kind="abcnn3")
    with pytest.raises(ValueError, match=r"left has shape \(2, 4\) .* = \(\*, 5\): pad both sentences"):
        model(torch.ones(2, 4, dtype=torch.long), torch.ones(2, 5, dtype=torch.long))
    with pytest.raises(TypeError, match="right must be a long tensor"):
        model(torch.ones(2, 5, dtype=torch.long), torch.ones(2, 5))
    with pytest.raises(ValueError, match="kind"):
        ABCNN(10, 5, kind="abcnn4")
    with pytest.raises(ValueError, match="no attention"):
        ABCNN(10, 5, kind="bcnn").attend(torch.ones(1, 5, dtype=torch.long), torch.ones(1, 5, dtype=torch.long))
