"""The one configuration of every Transformer of the course (chapters 2-4 and 7).

A :class:`TransformerConfig` fixes a model's shape and recipe; each model reads the fields it
needs (a classifier ignores ``target_vocab_size``, a layer ignores the vocabularies). Defaults
are the course's small pre-LN Transformer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ...checks import require_one_of, require_positive_int, require_probability

__all__ = ["TransformerConfig", "ACTIVATIONS", "POSITIONALS", "POOLINGS"]

ACTIVATIONS = ("relu", "gelu")
POSITIONALS = ("sinusoidal", "learned", None)
POOLINGS = ("mean", "first")


@dataclass(frozen=True)
class TransformerConfig:
    """Everything that fixes a Transformer's shape and recipe.

    Layers: ``d_model`` (width), ``num_heads``, ``d_ff`` (feed-forward width), ``dropout``,
    ``activation`` ("relu" or "gelu"), ``norm_first`` (True: pre-LN, ``x + sublayer(norm(x))``,
    as GPT-2 and nanoGPT; False: post-LN, ``norm(x + sublayer(x))``, as the original
    Transformer), ``layer_norm_eps``, ``bias`` (of the linear layers and LayerNorms).

    Stacks: ``n_layers`` (the encoder's, or a decoder-only model's), ``n_decoder_layers``
    (default ``n_layers``), ``final_norm`` (a LayerNorm after the last layer; default: with
    pre-LN only, whose layers leave their output un-normalised).

    Embeddings: ``vocab_size`` (the input tokens), ``target_vocab_size`` (a sequence-to-sequence
    model's outputs; default ``vocab_size``), ``positional`` ("sinusoidal", "learned" or None),
    ``max_positions``, ``scale_embedding`` (multiply token embeddings by sqrt(d_model), as the
    paper does), ``embedding_std`` (initial standard deviation; default nn.Embedding's 1),
    ``tie_embeddings`` (the output projection shares the target embedding's matrix), ``pad``
    (the padding id, whose source positions are never attended; None: no padding).

    Heads: ``n_classes`` and ``pooling`` ("mean" over the real tokens, or the "first" state) of
    a classifier; ``causal`` of a language model (False lets every position see the future: the
    leak of chapter 7).
    """

    d_model: int = 32
    num_heads: int = 2
    d_ff: int = 64
    dropout: float = 0.0
    activation: str = "relu"
    norm_first: bool = True
    layer_norm_eps: float = 1e-5
    bias: bool = True
    n_layers: int = 2
    n_decoder_layers: int | None = None
    final_norm: bool | None = None
    vocab_size: int | None = None
    target_vocab_size: int | None = None
    positional: str | None = "sinusoidal"
    max_positions: int = 512
    scale_embedding: bool = False
    embedding_std: float | None = None
    tie_embeddings: bool = False
    pad: int | None = 0
    n_classes: int = 2
    pooling: str = "mean"
    causal: bool = True

    def __post_init__(self):
        for name in ("d_model", "num_heads", "d_ff", "n_layers", "max_positions", "n_classes"):
            require_positive_int(name, getattr(self, name))
        for name in ("n_decoder_layers", "vocab_size", "target_vocab_size"):
            if getattr(self, name) is not None:
                require_positive_int(name, getattr(self, name))
        if self.d_model % self.num_heads:
            raise ValueError(f"d_model={self.d_model} must be divisible by num_heads={self.num_heads}")
        require_probability("dropout", self.dropout)
        require_one_of("activation", self.activation, ACTIVATIONS)
        require_one_of("positional", self.positional, POSITIONALS)
        require_one_of("pooling", self.pooling, POOLINGS)

    @property
    def decoder_layers(self) -> int:
        return self.n_layers if self.n_decoder_layers is None else self.n_decoder_layers

    @property
    def has_final_norm(self) -> bool:
        return self.norm_first if self.final_norm is None else self.final_norm

    @property
    def target_vocab(self) -> int | None:
        return self.vocab_size if self.target_vocab_size is None else self.target_vocab_size

    def replace(self, **changes) -> "TransformerConfig":
        """A copy with some fields changed: ``config.replace(norm_first=False)``."""
        return replace(self, **changes)
