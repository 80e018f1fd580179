"""What the declarations of gates.ipynb's exercises cannot say (tests/test_exercises.py checks
every declared reference and mistake): the checker's LSTM step is PyTorch's."""

import torch

from attnlab.exercises.gates import _BIAS, _C, _D_HIDDEN, _D_INPUT, _H, _W_HH, _W_IH, _X, _step


def test_the_checkers_lstm_step_is_pytorchs():
    cell = torch.nn.LSTMCell(_D_INPUT, _D_HIDDEN).double()
    with torch.no_grad():
        cell.weight_ih.copy_(_W_IH), cell.weight_hh.copy_(_W_HH)
        cell.bias_ih.copy_(_BIAS), cell.bias_hh.zero_()
        expected = cell(_X, (_H, _C))
    for ours, theirs in zip(_step(_X, _H, _C, _W_IH, _W_HH, _BIAS), expected):
        torch.testing.assert_close(ours, theirs)
