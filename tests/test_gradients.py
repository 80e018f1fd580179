"""Gradient norms by layer (attnlab.gradients), the measure of Xiong et al.'s mechanism in 7.1."""

import pytest
import torch

from attnlab.gradients import layer_gradient_norms
from attnlab.models.transformer import CausalLanguageModel, TransformerConfig
from attnlab.train import cross_entropy


def _model_and_loss(norm_first: bool, seed: int = 0):
    torch.manual_seed(seed)
    model = CausalLanguageModel(TransformerConfig(vocab_size=20, d_model=16, num_heads=2, n_layers=3, d_ff=32,
                                                  norm_first=norm_first))
    tokens = torch.randint(0, 20, (4, 9), generator=torch.Generator().manual_seed(seed))
    return model, cross_entropy(model(tokens[:, :-1]), tokens[:, 1:])


@pytest.mark.parametrize("norm_first", [False, True])
def test_the_norms_are_those_of_backward(norm_first):
    model, loss = _model_and_loss(norm_first)
    every = layer_gradient_norms(model.encoder.layers, loss)
    one = layer_gradient_norms(model.encoder.layers, loss, parameter="feed_forward.linear2.weight")
    assert all(p.grad is None for p in model.parameters())          # autograd.grad, not backward
    loss.backward()
    for index, layer in enumerate(model.encoder.layers):
        expected = torch.cat([p.grad.flatten() for p in layer.parameters()]).norm()
        torch.testing.assert_close(every[index], expected)
        torch.testing.assert_close(one[index], layer.feed_forward.linear2.weight.grad.norm())
    assert every.shape == one.shape == (3,) and (every > one).all()


def test_a_parameter_the_loss_does_not_reach_counts_zero():
    model, _ = _model_and_loss(True)
    loss = cross_entropy(model.output(model.encoder.layers[0](model.embedding(torch.zeros(2, 3, dtype=torch.long)))),
                         torch.zeros(2, 3, dtype=torch.long))
    norms = layer_gradient_norms(model.encoder.layers, loss)
    assert norms[0] > 0 and (norms[1:] == 0).all()


def test_wrong_arguments_are_named():
    model, loss = _model_and_loss(True)
    layers = model.encoder.layers
    with pytest.raises(TypeError, match="layers must be a non-empty sequence"):
        layer_gradient_norms([], loss)
    with pytest.raises(ValueError, match="loss has shape"):
        layer_gradient_norms(layers, loss.expand(2))
    with pytest.raises(ValueError, match="does not require grad"):
        layer_gradient_norms(layers, loss.detach())
    with pytest.raises(ValueError, match="layer 0 has no parameter 'ffn.weight'"):
        layer_gradient_norms(layers, loss, parameter="ffn.weight")
