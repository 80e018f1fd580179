"""The book's models, one module per family, each named by the section that introduces it:

- ``transformer``: the one Transformer family (config, layers, stacks, heads, ``from_torch``),
  chapters 2-4 and 7;
- ``recurrent`` (recurrent encoders and their three read-outs), ``seq2seq`` (the recurrent
  encoder-decoder with pluggable attention, chapter 6), ``convolutional``, ``sentence``
  (classifiers that differ only in their pooling) and ``abcnn`` (chapter 5);
- small readers, one per experiment: ``sets`` (chapter 1), ``fully_connected`` and
  ``external_query`` (chapter 2), ``reader`` (chapter 3), ``glimpse``, ``pointer``,
  ``hierarchical``, ``internal_external`` and ``multi_head`` (chapter 4), ``vision`` (image
  attention blocks, chapter 5), ``mixing`` (token mixing, chapter 8).

Each model's ``attend(...)`` returns ``(output, weights)``; its docstring gives the weights'
one form.
"""
