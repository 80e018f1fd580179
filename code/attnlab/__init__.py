"""attnlab: the one package of the open course on attention mechanisms.

Every reusable piece of the book lives here, in small modules named by the book's words; the
notebooks show a short reference version of each mechanism, check it equal to the package's,
then use the package. Where to find what:

- The mechanism: ``attention`` (masked softmax, ``softmax_average``, scaled dot-product and
  multi-head attention, the causal and padding masks, the KV cache of one module, chunked
  attention), ``scores`` (score functions), ``pooling`` (pooling as attention, the one
  learned-query pool), ``hard`` (hard and local attention), ``sparsemax``, ``memory`` (a
  key-value memory), ``kernel_regression`` (Nadaraya-Watson), ``positional`` (positional
  encodings), ``scan`` (parallel scans of linear recurrences).
- The models: ``models`` (one module per family; the one Transformer family is
  ``models.transformer``).
- Training and evidence: ``train`` (the one training loop, the device rule, evaluation),
  ``batches`` (what the loop draws: samplers and transforms), ``seeding`` (seeds and the
  ``ATTNLAB_SEED`` shift), ``experiments`` and ``checkpoints`` (flagship runs trained to
  convergence by ``make checkpoints``), ``decoding`` (greedy decoding, beam search, error rates).
- Measuring: ``complexity`` (parameters, FLOPs, sequential steps, time, memory), ``measure``
  (receptive fields, gradients by distance, path lengths), ``correlation``, ``heads`` (head
  statistics and ablation), ``saliency`` and ``spotlight`` (images).
- The book: ``viz`` (the house style and the one heatmap), ``headview`` (the interactive head
  view), ``prose`` (``glue``: numbers in the prose come from the code), ``exercises`` (the
  checkers: per notebook, a module of mechanics and a catalogue of words), ``checks`` (the argument checks every public function
  uses), ``data`` (the tasks and datasets, one module per task), ``pretrained`` (MiniLM in the
  course's encoder), ``paths``.

Conventions (CONTRIBUTING.md has them in full): every attending module has ``attend(...) ->
(output, weights)`` and ``forward`` returns the output; masks are boolean, True = may attend;
bad input raises TypeError (type, dtype) or ValueError (shape, value) naming the argument.
"""

__version__ = "0.1.0"
