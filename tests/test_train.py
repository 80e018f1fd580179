"""The training loop: it learns, it repeats exactly with a seed, and it checks its input."""

import pytest
import torch
from torch import nn

from attnlab.train import (History, accuracy, count_parameters, default_device, evaluate, fit, predict,
                           seed_everything)


def separable_data(seed, n=256):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 2, generator=g)
    return x, (x[:, 0] + x[:, 1] > 0).long()


def test_fit_learns_a_separable_problem():
    seed_everything(0)
    model = nn.Linear(2, 2)
    history = fit(model, separable_data(0), val=separable_data(1), epochs=20, lr=0.05, verbose=False)
    assert isinstance(history, History)
    assert len(history.train_loss) == 20 and history.train_loss[-1] < history.train_loss[0]
    assert history.final > 0.95
    assert evaluate(model, separable_data(2)) > 0.95


def test_fit_is_deterministic_with_a_seed():
    results = []
    for _ in range(2):
        seed_everything(3)
        model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
        results.append(fit(model, separable_data(0), epochs=3, seed=5, verbose=False).train_loss)
    assert results[0] == results[1]


def test_fit_prints_compact_progress(capsys):
    seed_everything(0)
    fit(nn.Linear(2, 2), separable_data(0), val=separable_data(1), epochs=10, label="linear")
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 5 and lines[-1].startswith("linear epoch  10/10") and "val" in lines[-1]


def test_fit_with_several_inputs_and_sequence_targets():
    class Pairwise(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(2, 3)

        def forward(self, a, b):
            return self.linear(torch.stack([a, b], -1))  # (batch, positions, classes)

    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(256, 5, generator=g), torch.randn(256, 5, generator=g)
    targets = (a > b).long()
    targets[:, 0] = -100  # ignored positions
    seed_everything(0)
    model = Pairwise()
    history = fit(model, (a, b, targets), epochs=30, lr=0.05, verbose=False)
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]
    assert history.train_metric[-1] > 0.95  # a > b is linear in (a, b): it is learnt
    assert evaluate(model, (a, b, targets)) > 0.95


def test_accuracy_ignores_padding_targets():
    logits = torch.tensor([[2.0, 0.0], [0.0, 2.0], [2.0, 0.0]])
    assert accuracy(logits, torch.tensor([0, 1, -100])) == 1.0
    assert accuracy(logits, torch.tensor([1, 1, 0])) == pytest.approx(2 / 3)


def test_helpers():
    assert count_parameters(nn.Linear(3, 2)) == 8
    g1, g2 = seed_everything(4), seed_everything(4)
    assert torch.equal(torch.rand(3, generator=g1), torch.rand(3, generator=g2))


@pytest.mark.parametrize("gpu, expected", [(True, "cuda"), (False, "cpu")])
def test_default_device_is_the_gpu_when_there_is_one(monkeypatch, gpu, expected):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: gpu)
    assert default_device() == torch.device(expected)


def test_bad_data_is_rejected_with_a_clear_message():
    with pytest.raises(TypeError, match=r"train must be a tuple of tensors \(inputs..., targets\)"):
        fit(nn.Linear(2, 2), torch.randn(4, 2), epochs=1)
    with pytest.raises(ValueError, match="batch sizes differ"):
        fit(nn.Linear(2, 2), (torch.randn(4, 2), torch.zeros(3).long()), epochs=1)
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        fit(nn.Linear(2, 2), separable_data(0), epochs=0)


def test_evaluate_a_model_without_parameters():
    class Identity(nn.Module):  # e.g. a fixed dot-product score: nothing to train
        def forward(self, x):
            return x

    logits = torch.tensor([[2.0, 0.0], [0.0, 1.0]])
    assert evaluate(Identity(), (logits, torch.tensor([0, 0]))) == 0.5


class _Recorder(nn.Module):
    """A linear model that records the device of every input it is called with."""
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 2)
        self.seen = []

    def forward(self, x):
        self.seen.append(x.device.type)
        return self.linear(x)


def test_fit_trains_on_the_gpu_and_gives_the_model_back_where_it_was(monkeypatch):
    """No GPU here, so simulate one: `default_device` answers "cuda", and moving a tensor or a
    module to "cuda" is recorded instead of done. fit must move the model and every batch to the
    GPU, and put the model back on the CPU it came on."""
    import attnlab.train as train_module

    fake_gpu = torch.device("cuda")
    monkeypatch.setattr(train_module, "default_device", lambda: fake_gpu)
    moves = []
    real_tensor_to, real_module_to = torch.Tensor.to, nn.Module.to

    def tensor_to(self, *args, **kwargs):
        target = args[0] if args else kwargs.get("device")
        if isinstance(target, (torch.device, str)) and torch.device(target).type == "cuda":
            moves.append("tensor->cuda")
            return self
        return real_tensor_to(self, *args, **kwargs)

    def module_to(self, *args, **kwargs):
        target = args[0] if args else kwargs.get("device")
        moves.append(f"model->{torch.device(target).type}")
        if torch.device(target).type == "cuda":
            return self
        return real_module_to(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "to", tensor_to)
    monkeypatch.setattr(nn.Module, "to", module_to)
    model = _Recorder()
    fit(model, separable_data(0), val=separable_data(1), epochs=2, verbose=False)
    assert moves[0] == "model->cuda" and moves[-1] == "model->cpu"
    assert moves.count("tensor->cuda") >= 2 * (256 // 64) * 2  # every batch's inputs and targets
    assert next(model.parameters()).device.type == "cpu"


def test_predict_runs_on_the_models_device_and_returns_cpu_logits(monkeypatch):
    model = _Recorder()
    logits = predict(model, (torch.randn(10, 2),), batch_size=4)
    assert logits.shape == (10, 2) and logits.device.type == "cpu" and model.seen == ["cpu"] * 3
    # No GPU here: PyTorch's "meta" device stands in for it. Each batch must be moved to the
    # model's device, and each output brought back with .cpu() (recorded: a meta tensor has no data).
    model = _Recorder().to("meta")
    real_cpu, brought_back = torch.Tensor.cpu, []

    def cpu(self, *args, **kwargs):
        if self.is_meta:
            brought_back.append(tuple(self.shape))
            return torch.zeros(self.shape)
        return real_cpu(self, *args, **kwargs)
    monkeypatch.setattr(torch.Tensor, "cpu", cpu)
    logits = predict(model, (torch.randn(10, 2),), batch_size=4)
    assert model.seen == ["meta"] * 3 and brought_back == [(4, 2), (4, 2), (2, 2)]
    assert logits.shape == (10, 2) and logits.device.type == "cpu"


@pytest.mark.parametrize("mode", ["train", "eval"])
@pytest.mark.parametrize("with_val", [False, True])
def test_fit_and_predict_leave_the_model_in_the_mode_it_came_in(mode, with_val):
    model = nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.5), nn.Linear(8, 2))
    getattr(model, mode)()
    fit(model, separable_data(0), val=separable_data(1) if with_val else None, epochs=1, verbose=False)
    assert model.training == (mode == "train") and model[1].training == (mode == "train")
    predict(model, (torch.randn(4, 2),))
    assert model.training == (mode == "train")


# ---- the loop itself ------------------------------------------------------------------------

from attnlab.batches import RandomBatches, Windows, next_token, teacher_forcing  # noqa: E402
from attnlab.train import Curve, cross_entropy, train, warmup_factor  # noqa: E402


def test_warmup_rises_linearly_then_stays():
    assert [warmup_factor(s, 4) for s in range(6)] == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    assert warmup_factor(0, 0) == 1.0


def test_train_records_every_step_and_evaluates_on_schedule():
    seed_everything(0)
    model, data = nn.Linear(2, 2), separable_data(0)
    seen_modes = []

    def held_out(m):
        seen_modes.append((m.training, torch.is_grad_enabled()))
        return evaluate(m, separable_data(1))

    curve = train(model, RandomBatches(data, 32), steps=25, lr=0.05, evaluate=held_out, eval_every=10)
    assert isinstance(curve, Curve) and len(curve.train_loss) == 25
    assert curve.eval_steps == [10, 20, 25] and seen_modes == [(False, False)] * 3
    assert curve.evaluations[-1] > 0.9 and sum(curve.train_loss[-5:]) < sum(curve.train_loss[:5])
    assert model.training                                   # back in the mode it came in


def test_train_repeats_exactly_with_its_seed_and_not_with_another():
    def run(seed):
        seed_everything(0)
        return train(nn.Linear(2, 2), RandomBatches(separable_data(0), 16), steps=5, lr=0.1, seed=seed).train_loss
    assert run(1) == run(1) and run(1) != run(2)


def test_the_learning_rate_warms_up():
    seen = []
    model = nn.Linear(2, 2)

    def record(step, curve):
        seen.append(optimizer_lr[0])

    optimizer_lr = [None]
    real_step = torch.optim.Adam.step

    def spy(self, *args, **kwargs):
        optimizer_lr[0] = self.param_groups[0]["lr"]
        return real_step(self, *args, **kwargs)

    torch.optim.Adam.step = spy
    try:
        train(model, RandomBatches(separable_data(0), 8), steps=6, lr=0.4, warmup=4, on_step=record)
    finally:
        torch.optim.Adam.step = real_step
    assert seen == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.4, 0.4])


def test_a_diverging_run_stops_and_says_so():
    class Exploding(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(1))

        def forward(self, x):
            return (x * self.weight * float("inf"))[:, None].expand(-1, 2)

    curve = train(Exploding(), RandomBatches((torch.ones(4), torch.zeros(4, dtype=torch.long)), 2),
                  steps=3, lr=0.1)
    assert curve.diverged and len(curve.train_loss) == 3


def test_padding_is_left_out_of_the_loss():
    torch.manual_seed(0)
    logits, targets = torch.randn(2, 3, 5), torch.tensor([[1, 2, -100], [3, -100, -100]])
    keep = targets != -100
    torch.testing.assert_close(cross_entropy(logits, targets),
                               nn.functional.cross_entropy(logits[keep], targets[keep]))


def test_the_loop_trains_an_encoder_decoder_and_a_language_model():
    from attnlab.data.reversal import make_reversal
    from attnlab.decoding import greedy_decode
    from attnlab.models.transformer import CausalLanguageModel, Seq2SeqTransformer, TransformerConfig

    torch.manual_seed(0)
    source, target = make_reversal(512, 4, 4, seed=0)            # symbols 1..4; 5 is <bos>, 6 <eos>
    target = torch.cat([target, torch.full((512, 1), 6)], 1)
    config = TransformerConfig(vocab_size=7, d_model=32, num_heads=2, n_layers=1, d_ff=64, pad=None)
    model = Seq2SeqTransformer(config)
    exact = lambda m: (greedy_decode(m, source[:64], bos=5, eos=6, max_len=5)[0] == target[:64]).all(1).float().mean()  # noqa: E731
    before = exact(model).item()
    curve = train(model, RandomBatches((source, target), 64), transform=teacher_forcing(bos=5), steps=300, lr=3e-3,
                  warmup=10)
    assert sum(curve.train_loss[-10:]) < 0.3 * sum(curve.train_loss[:10]) and exact(model) > before + 0.3
    stream = torch.arange(200) % 7                             # a cycle a language model can learn
    lm = CausalLanguageModel(config.replace(max_positions=16))
    curve = train(lm, Windows(stream, 12, 16), transform=next_token, steps=60, lr=1e-2)
    assert curve.train_loss[-1] < 0.1 * curve.train_loss[0]
