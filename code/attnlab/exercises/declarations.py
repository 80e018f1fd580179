"""Exercises declared as data: the mechanics in Python, the words in the catalogue.

- :func:`function_exercise`: the learner writes a function; it is called on hidden inputs and
  compared with a reference, and each typical mistake (a function that computes the wrong result)
  gets the catalogue's message of the same key::

      function_exercise("1.1-weighted-average", name="attend", cases=[(QUERY, KEYS, VALUES)],
                        reference=attend_reference, mistakes={"unscaled": unscaled})

  with, in ``attnlab/exercises/soft_selection.yml``::

      1.1-weighted-average:
        title: Attention for one query
        praise: ...
        hint: scores, softmax, weighted average
        wrong:
          unscaled: You forgot to divide the scores by sqrt(d_k).

- :func:`number_exercise`: predict a number; the typical wrong values are named in Python.
- A multiple-choice exercise is catalogue only (``options``, ``answer``: the right option's
  number, from 1, and a message for each other option's number); :func:`choice_exercises`
  registers them all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import torch

from .answers import Incorrect, as_choice, as_number, as_tensor, call, refuse_none
from .core import Exercise, catalogue, fill, register, words

__all__ = ["Declared", "Deferred", "number_exercise", "function_exercise", "choice_exercises", "declared"]


@dataclass(frozen=True)
class Declared:
    """An exercise declared as data: the right answer (for a function exercise, the reference
    function), and the known wrong answers (values, options, or functions) with their messages.
    ``options`` is None except for a choice."""
    id: str
    answer: Any
    tolerance: float
    wrong: dict
    options: tuple[str, ...] | None
    praise: str
    hint: str
    kind: str = "number"


_DECLARED: dict[str, Declared] = {}


def declared() -> dict[str, Declared]:
    """The exercises declared as data, by id."""
    return dict(_DECLARED)


class Deferred:
    """A number computed when it is first needed: ``float(Deferred(function))`` calls
    ``function()`` once. For an answer the package computes with a tool that is slow to load
    (the step counter runs a ``TorchDispatchMode``, whose first use imports ``torch._dynamo``,
    about 1.6 s), so that importing the exercises stays fast."""

    def __init__(self, function: Callable[[], float]):
        self.function, self._value = function, None

    def __float__(self) -> float:
        if self._value is None:
            self._value = float(self.function())
        return self._value


def _declare(declared: Declared, title: str, checker: Callable[[Any], str]) -> Declared:
    register(Exercise(declared.id, title, checker))
    _DECLARED[declared.id] = declared
    return declared


def number_exercise(exercise_id: str, *, answer: float | Deferred, tolerance: float = 0.0,
                    wrong: dict[str, float] | None = None) -> Declared:
    """Register a "predict a number" exercise.

    ``answer`` is the value the checker itself computed (never one the learner passes in), or a
    :class:`Deferred` that computes it at the first check; an answer within ``tolerance``
    (absolute) passes. ``wrong`` names typical wrong values; the catalogue explains each, and any
    other value gets the hint.
    """
    wrong = dict(wrong or {})
    entry = words(exercise_id, set(wrong))
    answer = answer if isinstance(answer, Deferred) else float(answer)
    declared = Declared(exercise_id, answer, tolerance, {value: entry["wrong"][key] for key, value in wrong.items()},
                        None, entry["praise"], entry["hint"])

    def checker(given):
        value = as_number(given, "your answer")
        if abs(value - float(declared.answer)) <= declared.tolerance:
            return declared.praise
        for wrong_value, message in declared.wrong.items():
            if abs(value - wrong_value) <= declared.tolerance:
                raise Incorrect(message)
        raise Incorrect(f"{value:g} is not it. {declared.hint}")

    return _declare(declared, entry["title"], checker)


def choice_exercises() -> None:
    """Register every multiple-choice exercise of the catalogue (an entry with ``options``)."""
    for exercise_id, entry in catalogue().items():
        if "options" in entry:
            _choice(exercise_id, entry)


def _choice(exercise_id: str, entry: dict) -> Declared:
    options = tuple(entry["options"])
    if not 1 <= entry["answer"] <= len(options) or set(entry["wrong"]) != set(range(1, len(options) + 1)) - {entry["answer"]}:
        raise ValueError(f"{exercise_id}: the answer must be one option's number (from 1), and every other "
                         f"option's number needs a message in `wrong`")
    declared = Declared(exercise_id, options[entry["answer"] - 1], 0.0,
                        {options[number - 1]: message for number, message in entry["wrong"].items()},
                        options, entry["praise"], "", kind="choice")

    def checker(given):
        choice = as_choice(given, "your answer", list(options))
        if choice == declared.answer:
            return declared.praise
        raise Incorrect(declared.wrong[choice])

    return _declare(declared, entry["title"], checker)


def function_exercise(exercise_id: str, *, name: str, cases: list[tuple], reference: Callable,
                      mistakes: dict[str, Callable] | None = None, shapes: dict[tuple, str] | None = None,
                      describe: Callable[..., str] | None = None, parts: tuple[str, ...] | None = None,
                      atol: float = 1e-4, rtol: float = 1e-4) -> Declared:
    """Register an exercise whose answer is a function, checked on hidden inputs.

    For each input tuple of ``cases`` the learner's function and ``reference`` are called with
    copies of the inputs; their results (a tensor, a number, a bool mask, or a tuple of these)
    must agree, to ``atol``/``rtol`` for numbers and exactly for bool tensors. Otherwise the
    first of ``mistakes`` (key -> a function computing a typical wrong result, of any shape; None
    in a tuple result matches anything) whose result the answer matches gives the catalogue's
    message of that key; a result of a shape in ``shapes`` (shape -> key) gets that message; any
    other wrong result gets how far off it is and the hint. ``name`` is how the messages call the
    learner's function, e.g. "attend", and ``describe(*case)``, if given, names the call in them,
    e.g. "head_rows(w, head=1) for d=8"; ``parts`` names the items of a tuple result, e.g.
    ("output", "weights"). Every message may use the fields ``{call}`` (that name) and
    ``{shape}`` (the shape of the learner's result).
    """
    mistakes, shapes = dict(mistakes or {}), dict(shapes or {})
    entry = words(exercise_id, set(mistakes) | set(shapes.values()))
    messages = entry["wrong"]
    declared = Declared(exercise_id, reference, atol, {mistake: messages[key] for key, mistake in mistakes.items()},
                        None, entry["praise"], entry["hint"], kind="function")

    def checker(answer):
        for case in cases:
            label = describe(*case) if describe else name
            result = f"the result of {label}" if parts is None else [f"the {p} {label} returned" for p in parts]
            got = call(answer, *_copies(case), name=name)
            expected = reference(*_copies(case))
            shape_messages = {shape: fill(messages[key], call=label, shape=shape) for shape, key in shapes.items()}
            try:
                if _agree(_like(got, expected, result, shape_messages), expected, atol, rtol):
                    continue
            except Incorrect as wrong_form:
                form = wrong_form
            else:
                form = None
            for key, mistake in mistakes.items():
                if _matches(got, mistake(*_copies(case)), atol, rtol):
                    raise Incorrect(fill(messages[key], call=label))
            if form is not None:
                raise form
            raise Incorrect(_distance(_like(got, expected, "", {}), expected, result) + " "
                            + fill(entry["hint"], call=label))
        return entry["praise"]

    return _declare(declared, entry["title"], checker)


def _matches(got: Any, mistake: Any, atol: float, rtol: float) -> bool:
    """Whether the learner's raw result ``got`` is the typical wrong result ``mistake``; an item
    of a tuple mistake that is None matches anything (a mistake in one part of the result)."""
    if mistake is None:
        return True
    if isinstance(mistake, tuple):
        return (isinstance(got, (tuple, list)) and len(got) == len(mistake)
                and all(_matches(g, m, atol, rtol) for g, m in zip(got, mistake)))
    if torch.is_tensor(mistake):
        if not torch.is_tensor(got) or got.shape != mistake.shape:
            return False
        if mistake.dtype == torch.bool or got.dtype == torch.bool:
            return got.dtype == mistake.dtype and torch.equal(got.cpu(), mistake.cpu())
        got, mistake = got.detach().cpu().double(), mistake.detach().cpu().double()
        return torch.allclose(got, mistake, atol=atol, rtol=rtol, equal_nan=True)  # a NaN can be the mistake
    try:
        return math.isclose(float(got), float(mistake), abs_tol=atol, rel_tol=rtol)
    except (TypeError, ValueError):
        return False


def _copies(case: tuple) -> tuple:
    """Fresh copies of a case's tensors (also inside lists and tuples): an answer that works in
    place cannot change what the reference or the next mistake sees."""
    def copy(x):
        if torch.is_tensor(x):
            return x.clone()
        if isinstance(x, (list, tuple)):
            return type(x)(copy(item) for item in x)
        return x
    return tuple(copy(x) for x in case)


def _like(result: Any, expected: Any, name: str | list[str], shape_messages: dict) -> Any:
    """``result`` in the form of ``expected`` (a tensor, a number, or a tuple of them), or
    :class:`Incorrect` saying what is wrong with it. ``name``: the result's, or (a tuple) its
    items'."""
    names = name if isinstance(name, list) else None
    if names is not None and not isinstance(expected, tuple):
        name = names[0]
    if isinstance(expected, tuple):
        names = names or [f"{name}[{i}]" for i in range(len(expected))]
        name = "the result" if isinstance(name, list) else name
        refuse_none(result, name)
        if not isinstance(result, (tuple, list)) or len(result) != len(expected):
            raise Incorrect(f"{name} should be a tuple of {len(expected)} things, but it is a "
                            f"{type(result).__name__}" + (f" of {len(result)}" if isinstance(result, (tuple, list))
                                                          else "") + ".")
        return tuple(_like(r, e, n, shape_messages) for r, e, n in zip(result, expected, names))
    if not torch.is_tensor(expected):
        return as_number(result, name)
    shape = tuple(result.shape) if torch.is_tensor(result) else None
    if shape is not None and shape != tuple(expected.shape) and shape in shape_messages:
        raise Incorrect(shape_messages[shape])
    if expected.dtype == torch.bool:
        refuse_none(result, name)
        if not torch.is_tensor(result):
            raise Incorrect(f"{name} should be a torch.Tensor, but it is a {type(result).__name__}.")
        if tuple(result.shape) != tuple(expected.shape):
            raise Incorrect(f"{name} has shape {shape}, but it should have shape {tuple(expected.shape)}.")
        if result.dtype != torch.bool:
            raise Incorrect(f"{name} has dtype {result.dtype}; a mask of the course is boolean (True = may "
                            f"attend): build it with a comparison.")
        return result.cpu()
    return as_tensor(result, name, shape=tuple(expected.shape))


def _agree(got: Any, expected: Any, atol: float, rtol: float) -> bool:
    if isinstance(expected, tuple):
        return all(_agree(g, e, atol, rtol) for g, e in zip(got, expected))
    if not torch.is_tensor(expected):
        return math.isclose(got, float(expected), abs_tol=atol, rel_tol=rtol)
    if expected.dtype == torch.bool:
        return torch.equal(got, expected.cpu())
    return torch.allclose(got, expected.detach().cpu().double(), atol=atol, rtol=rtol)


def _distance(got: Any, expected: Any, name: str | list[str]) -> str:
    if isinstance(expected, tuple):
        names = name if isinstance(name, list) else [f"{name}[{i}]" for i in range(len(expected))]
        for g, e, n in zip(got, expected, names):
            if not _agree(g, e, 1e-4, 1e-4):
                return _distance(g, e, n)
    if not torch.is_tensor(expected):
        return f"{name} is {got:.6g}, but it should be {float(expected):.6g}."
    if expected.dtype == torch.bool:
        return f"{name} differs from the expected mask at {(got != expected.cpu()).sum().item()} entries."
    worst = (got - expected.detach().cpu().double()).abs().max().item()
    return f"{name} is off by up to {worst:.3g} from the expected values."


