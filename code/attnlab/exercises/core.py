"""The exercise checker: a registry of exercises and :func:`check`.

Each notebook declares its exercises in its own module (``attnlab/exercises/<notebook>.py``),
as data wherever it can:

- :func:`function_exercise`: the learner writes a function; it is called on hidden inputs and
  compared with a reference, and each typical mistake, given as a function that computes the
  wrong result, gets its own message::

      function_exercise("1.1-weighted-average", "Attention for one query", name="attend",
                        cases=[(QUERY, KEYS, VALUES)], reference=attend_reference,
                        mistakes={unscaled: "You forgot to divide the scores by sqrt(d_k)."},
                        hint="scores, softmax, weighted average", praise="...")

- :func:`number_exercise` and :func:`choice_exercise`: predict a number, or pick an option.

A checker that needs more than a declaration says (an ``@exercise`` function) raises
:class:`Incorrect` with a kind, specific message. :func:`check` never lets an exception escape
in front of the learner: ``None``, a wrong type, a wrong shape, NaN, or a function that raises
all become a message. :func:`verdict` is the same without that safety net, for the tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch

__all__ = ["Incorrect", "Deferred", "exercise", "function_exercise", "number_exercise", "choice_exercise", "declared",
           "check", "verdict", "ids", "refuse_none", "as_tensor", "as_number", "as_choice", "call", "expect_close"]


class Incorrect(Exception):
    """Raised by a checker with the message the learner should read."""


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    checker: Callable[[Any], Any]


_REGISTRY: dict[str, Exercise] = {}


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


def exercise(exercise_id: str, title: str):
    """Decorator that registers ``checker(answer)`` under ``exercise_id``."""
    def register(checker):
        if exercise_id in _REGISTRY:
            raise ValueError(f"exercise id {exercise_id!r} is registered twice")
        _REGISTRY[exercise_id] = Exercise(exercise_id, title, checker)
        return checker
    return register


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


def number_exercise(exercise_id: str, title: str, *, answer: float | Deferred, praise: str, hint: str,
                    tolerance: float = 0.0, wrong: dict[float, str] | None = None) -> Declared:
    """Register a "predict a number" exercise as data.

    ``answer`` is the value the checker itself computed (never one the learner passes in), or a
    :class:`Deferred` that computes it at the first check; an answer within ``tolerance``
    (absolute) passes. ``wrong`` maps typical wrong values to the message that explains each; any
    other value gets ``hint``.
    """
    answer = answer if isinstance(answer, Deferred) else float(answer)
    declared = Declared(exercise_id, answer, tolerance, dict(wrong or {}), None, praise, hint)

    def checker(given):
        value = as_number(given, "your answer")
        if abs(value - float(declared.answer)) <= declared.tolerance:
            return declared.praise
        for wrong_value, message in declared.wrong.items():
            if abs(value - wrong_value) <= declared.tolerance:
                raise Incorrect(message)
        raise Incorrect(f"{value:g} is not it. {declared.hint}")

    exercise(exercise_id, title)(checker)
    _DECLARED[exercise_id] = declared
    return declared


def choice_exercise(exercise_id: str, title: str, *, options: list[str], answer: str, praise: str,
                    wrong: dict[str, str]) -> Declared:
    """Register a multiple-choice exercise as data: every wrong option has its own message."""
    if answer not in options or set(wrong) != set(options) - {answer}:
        raise ValueError(f"{exercise_id}: the answer must be one of the options and every other option "
                         f"needs a message in `wrong`")
    declared = Declared(exercise_id, answer, 0.0, dict(wrong), tuple(options), praise, "", kind="choice")

    def checker(given):
        choice = as_choice(given, "your answer", list(declared.options))
        if choice == declared.answer:
            return declared.praise
        raise Incorrect(declared.wrong[choice])

    exercise(exercise_id, title)(checker)
    _DECLARED[exercise_id] = declared
    return declared


def function_exercise(exercise_id: str, title: str, *, name: str, cases: list[tuple],
                      reference: Callable, praise: str, hint: str, mistakes: dict[Callable, str] | None = None,
                      shape_messages: dict[tuple, str] | None = None, describe: Callable[..., str] | None = None,
                      parts: tuple[str, ...] | None = None, atol: float = 1e-4, rtol: float = 1e-4) -> Declared:
    """Register an exercise whose answer is a function, checked on hidden inputs.

    For each input tuple of ``cases`` the learner's function and ``reference`` are called with
    copies of the inputs; their results (a tensor, a number, a bool mask, or a tuple of these)
    must agree, to ``atol``/``rtol`` for numbers and exactly for bool tensors. Otherwise the
    first of ``mistakes`` (a function computing a typical wrong result, of any shape -> its
    message; None in a tuple result matches anything) whose result the answer matches gives its
    message; a result of the wrong shape gets
    ``shape_messages[shape]`` if listed; any other wrong result gets how far off it is and
    ``hint``. ``name`` is how the messages call the learner's function, e.g. "attend", and
    ``describe(*case)``, if given, names the call in them, e.g. "head_rows(w, head=1) for d=8";
    ``parts`` names the items of a tuple result, e.g. ("output", "weights"). Every message may
    use ``{call}``, which becomes that name.
    """
    mistakes, shape_messages = dict(mistakes or {}), dict(shape_messages or {})
    declared = Declared(exercise_id, reference, atol, mistakes, None, praise, hint, kind="function")

    def checker(answer):
        for case in cases:
            label = describe(*case) if describe else name
            result = f"the result of {label}" if parts is None else [f"the {p} {label} returned" for p in parts]
            got = call(answer, *_copies(case), name=name)
            expected = reference(*_copies(case))
            try:
                if _agree(_like(got, expected, result, shape_messages), expected, atol, rtol):
                    continue
            except Incorrect as wrong_form:
                form = wrong_form
            else:
                form = None
            for mistake, message in mistakes.items():
                if _matches(got, mistake(*_copies(case)), atol, rtol):
                    raise Incorrect(message.replace("{call}", label))
            if form is not None:
                raise form
            raise Incorrect(_distance(_like(got, expected, "", {}), expected, result) + " "
                            + hint.replace("{call}", label))
        return praise

    exercise(exercise_id, title)(checker)
    _DECLARED[exercise_id] = declared
    return declared


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


def declared() -> dict[str, Declared]:
    """The exercises declared as data (number and choice kinds), by id."""
    return dict(_DECLARED)


def ids() -> list[str]:
    """The ids of all registered exercises, in the book's order."""
    return sorted(_REGISTRY, key=lambda i: [int(p) if p.isdigit() else p for p in i.replace("-", ".").split(".")])


def verdict(exercise_id: str, answer: Any) -> tuple[bool, str]:
    """``(passed, message)`` for ``answer`` to exercise ``exercise_id``, as :func:`check` prints
    it. A checker that crashes (raises anything but :class:`Incorrect`) is a bug of the checker,
    not of the answer: here it propagates, so the tests see it; :func:`check` hides it from the
    learner."""
    if exercise_id not in _REGISTRY:
        raise KeyError(f"there is no exercise {exercise_id!r}; known exercises: {', '.join(ids())}")
    ex = _REGISTRY[exercise_id]
    try:
        praise = ex.checker(answer)
    except Incorrect as wrong:
        return False, f"✗ Not yet ({ex.id}, {ex.title}): {wrong}"
    return True, f"✓ Correct ({ex.id}, {ex.title}).{' ' + praise if praise else ''}"


class Verdict:
    """What :func:`check` returns: true when the answer passed. It shows nothing in a notebook
    (the printed message says it all), so a starter cell ends without a stray ``False``."""

    def __init__(self, passed: bool):
        self.passed = passed

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return f"Verdict(passed={self.passed})"

    def _ipython_display_(self) -> None:
        pass


def check(exercise_id: str, answer: Any) -> Verdict:
    """Check ``answer`` to exercise ``exercise_id``; print a verdict and return it (true when
    the answer passed, so a solution cell can end with ``assert check(...)``)."""
    if exercise_id not in _REGISTRY:
        raise KeyError(f"there is no exercise {exercise_id!r}; known exercises: {', '.join(ids())}")
    try:
        passed, message = verdict(exercise_id, answer)
    except Exception as error:  # a checker must never crash in front of the learner
        ex = _REGISTRY[exercise_id]
        passed, message = False, (f"✗ Not yet ({ex.id}, {ex.title}): checking your answer raised "
                                  f"{type(error).__name__}: {error}. Look at the type and shape of "
                                  f"what you passed in.")
    print(message)
    return Verdict(passed)


# ---------------------------------------------------------------------------------------------
# Helpers that turn a learner's answer into a value, or raise Incorrect with a specific message.

def refuse_none(value: Any, name: str) -> None:
    """Raise :class:`Incorrect` with a kind message when ``value`` (the learner's answer) is None."""
    if value is None:
        raise Incorrect(f"{name} is None. Replace the `...` or `None` of the starter cell with your answer; "
                        f"if the answer comes from a function, make sure the function ends with `return`.")


def call(function: Any, *args, name: str = "your function", **kwargs) -> Any:
    """Call the learner's ``function``; turn anything it raises into :class:`Incorrect`."""
    refuse_none(function, name)
    if not callable(function):
        raise Incorrect(f"{name} should be a function, but you passed a {type(function).__name__}.")
    try:
        return function(*args, **kwargs)
    except Exception as error:
        raise Incorrect(f"{name} raised {type(error).__name__}: {error}") from None


def as_tensor(answer: Any, name: str, shape: tuple[int, ...] | None = None) -> torch.Tensor:
    """``answer`` as a float64 tensor of ``shape``, with no NaN or infinity."""
    refuse_none(answer, name)
    if isinstance(answer, torch.Tensor):
        tensor = answer.detach().cpu()
    else:
        try:
            tensor = torch.as_tensor(np.asarray(answer, dtype=np.float64))
        except (TypeError, ValueError):
            raise Incorrect(f"{name} should be a tensor (or array of numbers), "
                            f"but it is a {type(answer).__name__}.") from None
    if tensor.dtype == torch.bool or not (tensor.is_floating_point() or tensor.dtype in
                                          (torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8)):
        raise Incorrect(f"{name} should hold numbers, but its dtype is {tensor.dtype}.")
    tensor = tensor.to(torch.float64)
    if shape is not None and tuple(tensor.shape) != tuple(shape):
        raise Incorrect(f"{name} has shape {tuple(tensor.shape)}, but it should have shape {tuple(shape)}.")
    if torch.isnan(tensor).any():
        raise Incorrect(f"{name} contains NaN. A NaN usually comes from 0/0, or from a softmax "
                        f"over a row in which every score is -inf.")
    if torch.isinf(tensor).any():
        raise Incorrect(f"{name} contains an infinite value. Check for overflow or a division by zero.")
    return tensor


def as_number(answer: Any, name: str) -> float:
    """``answer`` as a finite Python float (a one-element tensor is accepted)."""
    refuse_none(answer, name)
    if isinstance(answer, (torch.Tensor, np.ndarray)):
        count = answer.size if isinstance(answer, np.ndarray) else answer.numel()
        if count != 1:
            raise Incorrect(f"{name} should be a single number, but it has shape {tuple(answer.shape)}.")
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.number)):
        raise Incorrect(f"{name} should be a number, but it is a {type(answer).__name__}.")
    value = float(answer)
    if math.isnan(value) or math.isinf(value):
        raise Incorrect(f"{name} is {value}; it should be a finite number.")
    return value


def as_choice(answer: Any, name: str, options: list[str]) -> str:
    """``answer`` as one of ``options`` (case and surrounding spaces are ignored)."""
    refuse_none(answer, name)
    if not isinstance(answer, str):
        raise Incorrect(f"{name} should be one of the strings {options}, "
                        f"but it is a {type(answer).__name__}.")
    normalized = {option.lower(): option for option in options}
    key = answer.strip().lower()
    if key not in normalized:
        raise Incorrect(f"{name} is {answer!r}, which is not one of the options {options}.")
    return normalized[key]


def expect_close(actual: torch.Tensor, expected: torch.Tensor, name: str, *, hint: str = "",
                 atol: float = 1e-4, rtol: float = 1e-4) -> None:
    """Raise :class:`Incorrect` unless ``actual`` is close to ``expected`` (both tensors)."""
    expected = torch.as_tensor(expected, dtype=torch.float64)
    if not torch.allclose(actual, expected, atol=atol, rtol=rtol):
        worst = (actual - expected).abs().max().item()
        message = f"{name} is off by up to {worst:.3g} from the expected values."
        raise Incorrect(f"{message} {hint}".strip())
