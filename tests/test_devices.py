"""Models create their tensors on their inputs' device, so no notebook can mix devices.

There is no GPU here, so the test uses PyTorch's "meta" device as a stand-in for a second device:
a model moved there, called with inputs there, fails ("Tensor on device cpu is not on the expected
device meta") as soon as it makes a tensor on the CPU, exactly where it would fail on a GPU.
"""

import pytest
import torch

from attnlab.attention import MultiHeadAttention
from attnlab.models.convolutional import ConvClassifier
from attnlab.models.hierarchical import FlatAttentionClassifier, HierarchicalAttentionClassifier
from attnlab.models.recurrent import RecurrentClassifier
from attnlab.models.transformer import TransformerClassifier, TransformerConfig

META = torch.device("meta")


def tokens(*shape, high=9):
    return torch.randint(1, high, shape)


CASES = {
    "MultiHeadAttention": (lambda: MultiHeadAttention(8, 2), lambda: (torch.randn(2, 5, 8),) * 3),
    "ConvClassifier": (lambda: ConvClassifier(10, 2), lambda: (tokens(2, 7),)),
    "RecurrentClassifier, attention": (lambda: RecurrentClassifier.build("attention", 10, 2),
                                       lambda: (tokens(2, 7),)),
    "RecurrentClassifier, mean": (lambda: RecurrentClassifier.build("mean", 10, 2), lambda: (tokens(2, 7),)),
    "TransformerClassifier, sinusoidal": (lambda: TransformerClassifier(TransformerConfig(vocab_size=10)),
                                          lambda: (tokens(2, 7),)),
    "TransformerClassifier, learned": (
        lambda: TransformerClassifier(TransformerConfig(vocab_size=10, positional="learned")),
        lambda: (tokens(2, 7),)),
    "FlatAttentionClassifier": (lambda: FlatAttentionClassifier(10, 3), lambda: (tokens(2, 3, 4),)),
    "HierarchicalAttentionClassifier": (lambda: HierarchicalAttentionClassifier(10, 3),
                                        lambda: (tokens(2, 3, 4),)),
}


def _optional_cases():
    """Models of later chapters, included when their module is there."""
    cases = {}
    try:
        from attnlab.models.vision import BLOCKS, SmallCNN
        for block in BLOCKS:
            cases[f"SmallCNN, {block}"] = (lambda block=block: SmallCNN(block), lambda: (torch.rand(2, 1, 28, 28),))
    except ImportError:
        pass
    try:
        from attnlab.models.abcnn import ABCNN, KINDS
        for kind in KINDS:
            cases[f"ABCNN, {kind}"] = (lambda kind=kind: ABCNN(10, 6, kind=kind),
                                       lambda: (tokens(2, 6), tokens(2, 6)))
    except ImportError:
        pass
    return cases


CASES.update(_optional_cases())


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_model_makes_its_tensors_on_its_inputs_device(name):
    make_model, make_inputs = CASES[name]
    torch.manual_seed(0)
    model = make_model().to(META).eval()
    inputs = [x.to(META) for x in make_inputs()]
    output = model(*inputs)
    first = output[0] if isinstance(output, tuple) else output
    assert first.device == META
    if hasattr(model, "attend") and getattr(model, "kind", None) != "bcnn":  # a BCNN does not attend
        output, weights = model.attend(*inputs)
        assert output.device == META
        for w in (weights if isinstance(weights, tuple) else (weights,)):
            assert w is None or not torch.is_tensor(w) or w.device == META
