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

SMALL = TransformerConfig(d_model=8, num_heads=2, d_ff=16, n_layers=1)

META = torch.device("meta")


def tokens(*shape, high=9):
    return torch.randint(1, high, shape)


CASES = {
    "MultiHeadAttention": (lambda: MultiHeadAttention(8, 2), lambda: (torch.randn(2, 5, 8),) * 3),
    "ConvClassifier": (lambda: ConvClassifier(10, 2), lambda: (tokens(2, 7),)),
    "RecurrentClassifier, attention": (lambda: RecurrentClassifier.build("attention", 10, 2),
                                       lambda: (tokens(2, 7),)),
    "RecurrentClassifier, mean": (lambda: RecurrentClassifier.build("mean", 10, 2), lambda: (tokens(2, 7),)),
    "TransformerClassifier, sinusoidal": (lambda: TransformerClassifier(SMALL.replace(vocab_size=10)),
                                          lambda: (tokens(2, 7),)),
    "TransformerClassifier, learned": (
        lambda: TransformerClassifier(SMALL.replace(vocab_size=10, positional="learned")),
        lambda: (tokens(2, 7),)),
    "FlatAttentionClassifier": (lambda: FlatAttentionClassifier(10, 3), lambda: (tokens(2, 3, 4),)),
    "HierarchicalAttentionClassifier": (lambda: HierarchicalAttentionClassifier(10, 3),
                                        lambda: (tokens(2, 3, 4),)),
}


def _package_cases():
    """Every other model of the package that attends, in each of its modes."""
    from attnlab.models.fully_connected import FullyConnectedClassifier
    from attnlab.models.glimpse import MODES, GlimpseReader
    from attnlab.models.internal_external import TwoTaskReader
    from attnlab.models.mixing import MIXINGS, MixingClassifier
    from attnlab.models.multi_head import MarkedPairReader
    from attnlab.models.pointer import Pointer
    from attnlab.models.reader import AttentionReader
    from attnlab.models.sentence import POOLINGS, PooledConvClassifier
    from attnlab.models.sets import READOUTS, TaggedSetClassifier
    from attnlab.models.transformer import (CausalLanguageModel, DecoderLayer, EncoderLayer, Seq2SeqTransformer,
                                            Transformer)
    from attnlab.scores import SCORE_FUNCTIONS

    cases = {
        "AttentionReader": (lambda: AttentionReader(10, 3), lambda: (tokens(2, 7),)),
        "MarkedPairReader": (lambda: MarkedPairReader(16, 2), lambda: (tokens(2, 10), tokens(2, 10, high=3))),
        "TwoTaskReader": (lambda: TwoTaskReader(10), lambda: (tokens(2, 7),)),
        "FullyConnectedClassifier": (lambda: FullyConnectedClassifier(10, 7), lambda: (tokens(2, 7),)),
        **{f"MixingClassifier, {kind}": (lambda kind=kind: MixingClassifier(kind, 10, 3, n_positions=7, d_model=8),
                                         lambda: (tokens(2, 7),)) for kind in MIXINGS},
        "MultiHeadAttention, self-attention with a cache": (
            lambda: _Cached(MultiHeadAttention(8, 2)), lambda: (torch.randn(2, 5, 8),)),
        "EncoderLayer": (lambda: EncoderLayer(SMALL), lambda: (torch.randn(2, 5, 8),)),
        "DecoderLayer": (lambda: DecoderLayer(SMALL), lambda: (torch.randn(2, 4, 8), torch.randn(2, 5, 8))),
        "Transformer": (lambda: Transformer(SMALL), lambda: (torch.randn(2, 5, 8), torch.randn(2, 4, 8))),
        "Seq2SeqTransformer": (lambda: Seq2SeqTransformer(SMALL.replace(vocab_size=10, target_vocab_size=9)),
                               lambda: (tokens(2, 5), tokens(2, 4))),
        "CausalLanguageModel": (lambda: CausalLanguageModel(SMALL.replace(vocab_size=10)), lambda: (tokens(2, 7),)),
    }
    # Not here: LSTMClassifier, LSTMQueryConvClassifier and QuestionReader read values of their
    # inputs (each sentence's length, the range of the question ids), which a meta tensor does not
    # have. Their tensors are made with device=... (read sentence.py and internal_external.py).
    for mode in MODES:
        cases[f"GlimpseReader, {mode}"] = (lambda mode=mode: GlimpseReader(mode),
                                           lambda: (torch.rand(2, 16, 64), (torch.rand(2, 16) > 0.7).float()))
    for pooling in POOLINGS:
        cases[f"PooledConvClassifier, {pooling}"] = (lambda pooling=pooling: PooledConvClassifier(10, 2, pooling=pooling),
                                                     lambda: (tokens(2, 7),))
    for readout in READOUTS:
        cases[f"TaggedSetClassifier, {readout}"] = (
            lambda readout=readout: TaggedSetClassifier(5, 4, 3, readout=readout),
            lambda: (torch.rand(2, 6, 5), tokens(2, 6, high=4), torch.ones(2, 6, dtype=torch.bool), tokens(2, high=4)))
    for score in SCORE_FUNCTIONS:
        cases[f"Pointer, {score}"] = (lambda score=score: Pointer(score, 16),
                                      lambda: (torch.randn(2, 16), torch.randn(2, 5, 16)))
    return cases


def _later_chapter_cases():
    """The models of chapters 5-7: image CNNs, the recurrent encoder-decoder, ABCNN."""
    from attnlab.models.abcnn import ABCNN, KINDS
    from attnlab.models.seq2seq import ATTENTIONS, Seq2Seq
    from attnlab.models.vision import BLOCKS, SmallCNN

    cases = {f"SmallCNN, {block}": (lambda block=block: SmallCNN(block), lambda: (torch.rand(2, 1, 28, 28),))
             for block in BLOCKS}
    for attention in ATTENTIONS:
        cases[f"Seq2Seq, {attention}"] = (lambda attention=attention: Seq2Seq(10, 7, attention, d_model=8, d_embed=4),
                                          lambda: (tokens(2, 6), tokens(2, 4, high=7)))
    for kind in KINDS:
        cases[f"ABCNN, {kind}"] = (lambda kind=kind: ABCNN(10, 6, kind=kind), lambda: (tokens(2, 6), tokens(2, 6)))
    return cases


CASES.update(_package_cases())
CASES.update(_later_chapter_cases())


class _Cached(torch.nn.Module):
    """Self-attention decoded in two steps through an AttentionCache."""

    def __init__(self, attention):
        super().__init__()
        self.attention = attention

    def forward(self, x):
        from attnlab.attention import AttentionCache, causal_mask

        cache = AttentionCache()
        first = self.attention(x[:, :3], mask=causal_mask(3, x.device), cache=cache)
        rest = self.attention(x[:, 3:], mask=causal_mask(x.shape[1] - 3, x.device, past=3), cache=cache)
        return torch.cat([first, rest], 1)


def tensors_in(value):
    """Every tensor in a model's output or weights: a tensor, or tuples, lists and dicts of them."""
    if torch.is_tensor(value):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from tensors_in(item)
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from tensors_in(item)


def test_tensors_in_finds_tensors_in_every_container():
    a, b, c = torch.zeros(1), torch.ones(1), torch.zeros(2)
    assert [t for t in tensors_in((a, {"self": [b], "cross": c}, None))] == [a, b, c]



# Models that have an attend() but no attention: their weights are None or empty.
NO_ATTENTION = {"SmallCNN, none", "Seq2Seq, none"}


@pytest.mark.parametrize("mode", ["train", "eval"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_a_model_makes_its_tensors_on_its_inputs_device(name, mode):
    """In both modes: training mode is where dropout, sampling (REINFORCE, Gumbel) and the like
    make tensors that evaluation mode never makes."""
    make_model, make_inputs = CASES[name]
    torch.manual_seed(0)
    model = make_model().to(META).train(mode == "train")
    inputs = [x.to(META) for x in make_inputs()]
    output = model(*inputs)
    assert [t.device for t in tensors_in(output)] and all(t.device == META for t in tensors_in(output))
    if hasattr(model, "attend") and getattr(model, "kind", None) != "bcnn":  # a BCNN does not attend
        output, weights = model.attend(*inputs)
        assert output.device == META
        weights = list(tensors_in(weights))
        if name in NO_ATTENTION:
            assert weights == [], f"{name} has no attention but returned weights"
        else:
            assert weights, f"{name}.attend returned no attention weights"
        assert all(w.device == META for w in weights)
