"""The course's one Transformer family (chapters 2-4 and 7), in modules of one concept each:

- :mod:`.config`: :class:`TransformerConfig`, the one configuration;
- :mod:`.layers`: :class:`FeedForward`, :class:`Residual` (the one place the LayerNorm order
  lives), :class:`EncoderLayer`, :class:`DecoderLayer`, on :class:`attnlab.attention.MultiHeadAttention`;
- :mod:`.embedding`: :class:`TokenEmbedding`, tokens x scale + positions;
- :mod:`.stacks`: :class:`Encoder`, :class:`Decoder`, :class:`KVCache`;
- :mod:`.models`: the heads, :class:`TransformerClassifier`, :class:`CausalLanguageModel`,
  :class:`Seq2SeqTransformer`, and :class:`Transformer` (on vectors, like ``nn.Transformer``);
- :mod:`.from_torch`: :func:`from_torch`, copies of PyTorch's modules.
"""

from .config import TransformerConfig
from .embedding import TokenEmbedding
from .from_torch import from_torch
from .layers import DecoderLayer, EncoderLayer, FeedForward, Residual
from .models import CausalLanguageModel, Seq2SeqTransformer, Transformer, TransformerClassifier, TransformerMemory
from .stacks import Decoder, Encoder, KVCache

__all__ = ["TransformerConfig", "TokenEmbedding", "from_torch", "FeedForward", "Residual", "EncoderLayer",
           "DecoderLayer", "Encoder", "Decoder", "KVCache", "TransformerClassifier", "CausalLanguageModel",
           "Seq2SeqTransformer", "TransformerMemory", "Transformer"]
