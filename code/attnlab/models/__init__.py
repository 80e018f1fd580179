"""The book's models, one module per family: recurrent encoders and their read-outs,
convolutional encoders, attention-only (Transformer) encoders, hierarchical attention."""
