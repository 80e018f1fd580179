"""attnlab.checks, and the errors a learner meets when a public function gets bad input."""

import pytest
import torch

from attnlab.attention import MultiHeadAttention, chunked_attention, scaled_dot_product_attention
from attnlab.checks import (require_mask, require_non_negative_int, require_positive_int, require_same_batch,
                            require_same_dtype, require_tensor, require_tokens)
from attnlab.hard import window_mask


def test_require_tensor_names_the_argument_and_the_shape():
    with pytest.raises(TypeError, match=r"query must be a torch.Tensor of shape \(batch, n, d\), got list"):
        require_tensor("query", [1.0], "(batch, n, d)")
    with pytest.raises(TypeError, match="query must be a floating-point tensor .* got dtype torch.int64"):
        require_tensor("query", torch.ones(2, 3, dtype=torch.long), "(batch, n, d)")
    with pytest.raises(ValueError, match=r"query has shape \(2, 3\) but must have shape \(batch, n, d\)"):
        require_tensor("query", torch.ones(2, 3), "(batch, n, d)", dim=3)
    x = torch.ones(2, 3, 4)
    assert require_tensor("query", x, "(batch, n, d)", dim=3) is x


def test_require_tokens():
    with pytest.raises(TypeError, match=r"tokens must be a long tensor of shape \(batch, seq_len\) .*dtype torch.float32"):
        require_tokens("tokens", torch.zeros(2, 3))
    with pytest.raises(ValueError, match=r"tokens has shape \(2, 3\) but must have shape \(batch, n_sentences, n_words\)"):
        require_tokens("tokens", torch.zeros(2, 3, dtype=torch.long), "(batch, n_sentences, n_words)")
    asked = torch.zeros(4, dtype=torch.long)
    assert require_tokens("asked", asked, "(batch,)") is asked
    with pytest.raises(ValueError, match=r"asked has shape \(4, 1\) but must have shape \(batch,\)"):
        require_tokens("asked", torch.zeros(4, 1, dtype=torch.long), "(batch,)")


def test_batch_and_dtype_must_agree():
    with pytest.raises(ValueError, match=r"the batch sizes differ: a \(2, 3\), b \(4, 3\)"):
        require_same_batch(a=torch.ones(2, 3), b=torch.ones(4, 3))
    assert require_same_batch(a=torch.ones(2, 3), b=torch.ones(2)) == 2
    with pytest.raises(TypeError, match="the dtypes differ: a torch.float32, b torch.float64"):
        require_same_dtype(a=torch.ones(1), b=torch.ones(1, dtype=torch.float64))


@pytest.mark.parametrize("check, value, error, phrase", [
    (require_positive_int, 0, ValueError, "n must be a positive int \\(at least 1\\), got 0"),
    (require_positive_int, 2.0, TypeError, "n must be a positive int, got float 2.0"),
    (require_positive_int, True, TypeError, "got bool"),
    (require_non_negative_int, -1, ValueError, "n must be a non-negative int \\(at least 0\\), got -1"),
])
def test_integers(check, value, error, phrase):
    with pytest.raises(error, match=phrase):
        check("n", value)
    assert check("n", 3) == 3


# ---- the gaps the issue on mechanisms found, now closed -------------------------------------

def test_multi_head_attention_with_zero_heads_is_named_not_a_zero_division():
    with pytest.raises(ValueError, match="num_heads must be a positive int"):
        MultiHeadAttention(8, 0)
    with pytest.raises(ValueError, match="d_model must be a positive int"):
        MultiHeadAttention(0, 1)


def test_multi_head_attention_reports_the_shapes_the_user_passed():
    layer = MultiHeadAttention(8, 2)
    with pytest.raises(ValueError, match=r"the batch sizes differ: query \(2, 3, 8\), key \(3, 5, 8\), value \(3, 5, 8\)"):
        layer(torch.ones(2, 3, 8), torch.ones(3, 5, 8), torch.ones(3, 5, 8))
    with pytest.raises(ValueError, match=r"key has shape \(2, 5, 8\) and value has shape \(2, 4, 8\)"):
        layer(torch.ones(2, 3, 8), torch.ones(2, 5, 8), torch.ones(2, 4, 8))
    with pytest.raises(TypeError, match="the dtypes differ"):
        layer(torch.ones(2, 3, 8), torch.ones(2, 5, 8, dtype=torch.float64), torch.ones(2, 5, 8))


def test_attention_with_mismatched_batches_or_dtypes_is_named():
    q, k, v = torch.ones(2, 3, 4), torch.ones(3, 5, 4), torch.ones(3, 5, 2)
    for attend in (scaled_dot_product_attention, chunked_attention):
        with pytest.raises(ValueError, match="batch dimensions .* do not match or broadcast"):
            attend(q, k, v)
        with pytest.raises(TypeError, match="the dtypes differ"):
            attend(q, torch.ones(2, 5, 4, dtype=torch.float64), torch.ones(2, 5, 2))


def test_window_mask_rejects_a_negative_half_width():
    with pytest.raises(ValueError, match="half_width must be a non-negative int"):
        window_mask(5, torch.tensor([2.0]), -1)
    with pytest.raises(ValueError, match="n_keys must be a positive int"):
        window_mask(0, torch.tensor([2.0]), 1)
    assert window_mask(5, torch.tensor([2.0]), 0).tolist() == [[False, False, True, False, False]]


def test_require_mask_names_the_shape_in_words_and_in_numbers():
    mask = torch.ones(2, 5, dtype=torch.bool)
    assert require_mask("mask", mask, (2, 5), "(batch, seq_len)") is mask
    with pytest.raises(TypeError, match=r"mask must be a bool tensor of shape \(batch, seq_len\) = \(2, 5\) "
                                        r"\(True = may be attended\), got dtype torch.float32"):
        require_mask("mask", torch.ones(2, 5), (2, 5), "(batch, seq_len)")
    with pytest.raises(TypeError, match="got list"):
        require_mask("mask", [[True]], (1, 1), "(batch, seq_len)")
    with pytest.raises(ValueError, match=r"mask has shape \(2, 4\) but must have shape \(batch, seq_len\) = \(2, 5\)"):
        require_mask("mask", torch.ones(2, 4, dtype=torch.bool), (2, 5), "(batch, seq_len)")


def test_no_module_writes_its_own_shape_error():
    """Argument checks live in attnlab.checks, with one wording and one exception policy: no
    other module of the package raises its own "... must have shape ..." message."""
    import re
    from pathlib import Path

    import attnlab

    package = Path(attnlab.__file__).parent
    pattern = re.compile(r"must have shape|but must have|must be a [^\"']{0,40}tensor of shape")
    offenders = [f"{path.relative_to(package)}:{number}"
                 for path in sorted(package.rglob("*.py")) if path.name != "checks.py"
                 for number, line in enumerate(path.read_text().splitlines(), 1) if pattern.search(line)]
    assert not offenders, f"hand-written shape errors outside attnlab.checks: {offenders}"


def test_new_checks_name_the_argument_and_the_shape():
    from attnlab.checks import require_data, require_one_of, require_probability, require_shape, require_vectors

    with pytest.raises(ValueError, match=r"x has shape \(2, 3\) but must have shape \(batch, n, d_model=4\)"):
        require_vectors("x", torch.zeros(2, 3), 4)
    with pytest.raises(ValueError, match=r"keys has shape \(2, 5\) but must have shape \(batch, d\) = \(3, \*\)"):
        require_shape("keys", torch.zeros(2, 5), (3, None), "(batch, d)")
    with pytest.raises(ValueError, match=r"dropout must be a number in \[0, 1\), got 1.5"):
        require_probability("dropout", 1.5)
    with pytest.raises(TypeError, match="dropout must be a number"):
        require_probability("dropout", "high")
    with pytest.raises(ValueError, match="pooling must be one of 'mean', 'first', got 'max'"):
        require_one_of("pooling", "max", ("mean", "first"))
    with pytest.raises(TypeError, match=r"train must be a tuple of tensors \(inputs..., targets\)"):
        require_data("train", torch.zeros(3))
    with pytest.raises(ValueError, match="batch sizes differ"):
        require_data("train", (torch.zeros(3), torch.zeros(4)))
    with pytest.raises(TypeError, match=r"tokens must be a long tensor"):
        require_tokens("tokens", torch.zeros(2, 3))
