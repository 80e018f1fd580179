"""The exercise checker itself, and junk thrown at every registered exercise."""

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from attnlab import exercises
from attnlab.exercises import core, declarations
from attnlab.exercises.answers import Incorrect, as_choice, as_number, as_tensor, call, expect_close


@pytest.fixture
def toy(monkeypatch):
    """A throwaway exercise: the answer is a function returning twice its input."""
    def checker(answer):
        result = as_tensor(call(answer, torch.tensor([1.0, 2.0])), "your result", shape=(2,))
        expect_close(result, torch.tensor([2.0, 4.0]), "your result", hint="Multiply by two.")
        return "Well done."
    monkeypatch.setitem(core._REGISTRY, "0.0-toy", core.Exercise("0.0-toy", "Double it", checker))
    return "0.0-toy"


def test_a_right_answer_passes(toy, capsys):
    assert exercises.check(toy, lambda x: 2 * x).passed is True
    assert capsys.readouterr().out.startswith("✓ Correct (0.0-toy, Double it). Well done.")


@pytest.mark.parametrize("answer, phrase", [
    (lambda x: 3 * x, "off by up to 2 from the expected values. Multiply by two."),
    (lambda x: None, "is None"),
    (None, "your function is None"),
    (42, "should be a function, but you passed a int"),
    (lambda x: x.sum(), "has shape (), but it should have shape (2,)"),
    (lambda x: x / 0 * 0, "contains NaN"),
    (lambda x: x / 0, "infinite"),
    (lambda x: 1 / 0, "raised ZeroDivisionError: division by zero"),
    (lambda x: "two", "should be a tensor"),
    (lambda x: x > 0, "dtype is torch.bool"),
])
def test_wrong_answers_get_a_specific_message(toy, capsys, answer, phrase):
    assert exercises.check(toy, answer).passed is False
    out = capsys.readouterr().out
    assert out.startswith("✗ Not yet (0.0-toy, Double it): ") and phrase in out


def test_a_verdict_is_true_when_the_answer_passed_and_shows_nothing(toy, capsys):
    from IPython.core.interactiveshell import InteractiveShell

    passed, failed = exercises.check(toy, lambda x: 2 * x), exercises.check(toy, None)
    assert bool(passed) and not failed and repr(failed) == "Verdict(passed=False)"
    formatter = InteractiveShell.instance().display_formatter
    for verdict in (passed, failed):     # what a notebook shows for a cell ending in check(...)
        assert formatter.format(verdict) == ({}, {})


def test_an_unknown_id_is_named():
    with pytest.raises(KeyError, match="there is no exercise 'no-such-exercise'"):
        exercises.check("no-such-exercise", 1)


def test_duplicate_ids_are_refused(toy):
    with pytest.raises(ValueError, match="registered twice"):
        core.register(core.Exercise(toy, "again", lambda answer: None))


def test_ids_are_in_book_order(monkeypatch):
    for exercise_id in ["10.1-a", "2.1-b", "2.10-c", "2.2-d"]:
        monkeypatch.setitem(core._REGISTRY, exercise_id, core.Exercise(exercise_id, "", lambda a: None))
    order = [i for i in exercises.ids() if i in ("10.1-a", "2.1-b", "2.10-c", "2.2-d")]
    assert order == ["2.1-b", "2.2-d", "2.10-c", "10.1-a"]


def test_helpers():
    assert as_number(np.float32(1.5), "x") == 1.5 and as_number(torch.tensor([2.0]), "x") == 2.0
    assert as_choice("  Attention ", "x", ["attention", "final state"]) == "attention"
    assert torch.equal(as_tensor([[1, 2]], "x", shape=(1, 2)), torch.tensor([[1.0, 2.0]], dtype=torch.float64))
    for bad, phrase in [(True, "should be a number"), (math.nan, "finite"), (torch.ones(2), "single number"),
                        ("3", "should be a number")]:
        with pytest.raises(Incorrect, match=phrase):
            as_number(bad, "x")
    with pytest.raises(Incorrect, match="not one of the options"):
        as_choice("maybe", "x", ["yes", "no"])
    with pytest.raises(Incorrect, match="should be one of the strings"):
        as_choice(1, "x", ["yes", "no"])


def _raise(*args, **kwargs):
    raise RuntimeError("the learner's bug")


JUNK = {
    "None": None,
    "NaN": float("nan"),
    "NaN tensor": torch.full((3,), float("nan")),
    "wrong-shape tensor": torch.zeros(7, 7, 7),
    "string": "hello",
    "ragged list": [[1, 2], [3]],
    "object": object(),
    "function that raises": _raise,
    "function returning None": lambda *args, **kwargs: None,
    "function returning NaN": lambda *args, **kwargs: torch.tensor(float("nan")),
}


@pytest.mark.parametrize("exercise_id", exercises.ids())
@pytest.mark.parametrize("junk", JUNK, ids=list(JUNK))
def test_every_checker_turns_junk_into_a_message(exercise_id, junk):
    """verdict, unlike check, lets a checker's own crash through: junk must be met with a
    message the checker wrote (Incorrect), not with a crash that check would paper over."""
    passed, message = core.verdict(exercise_id, JUNK[junk])
    assert not passed and message.startswith(f"✗ Not yet ({exercise_id}")


@pytest.mark.checker_may_crash
def test_check_hides_a_crashing_checker_from_the_learner_but_verdict_does_not(monkeypatch, capsys):
    def broken(answer):
        return answer["missing"]
    monkeypatch.setitem(core._REGISTRY, "0.0-broken", core.Exercise("0.0-broken", "Broken", broken))
    assert exercises.check("0.0-broken", {}).passed is False
    assert "raised KeyError" in capsys.readouterr().out
    with pytest.raises(KeyError, match="missing"):
        core.verdict("0.0-broken", {})


CHAPTERS = sorted(p.name for p in (Path(__file__).resolve().parents[1] / "chapters").glob("[0-9][0-9]-*"))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_has_at_least_two_checked_exercises(chapter):
    number = str(int(chapter[:2]))
    checked = [i for i in exercises.ids() if i.split(".")[0] == number]
    assert len(checked) >= 2, f"chapter {chapter} registers {checked}; it needs at least two checked exercises"


# ---- the catalogue of words: every entry used, every message's fields known ----

CATALOGUE = core.catalogue()


def test_every_catalogue_entry_belongs_to_a_registered_exercise():
    assert set(CATALOGUE) == set(exercises.ids())


@pytest.mark.parametrize("exercise_id", sorted(CATALOGUE))
def test_every_catalogue_entry_has_its_words_and_fields_it_can_fill(exercise_id):
    entry = CATALOGUE[exercise_id]
    assert entry["title"].strip() and entry["praise"].strip(), f"{entry['source']}: {exercise_id} needs a title and a praise"
    kind = declarations.declared()[exercise_id].kind if exercise_id in declarations.declared() else "checker"
    allowed = {"function": {"call", "shape"}, "number": set(), "choice": set()}.get(kind)
    for text in [entry["praise"], entry.get("hint", ""), *entry["wrong"].values()]:
        named = core.fields(text)               # raises on a stray single brace
        assert allowed is None or named <= allowed, (exercise_id, text)


def test_the_checkers_name_exactly_the_messages_of_their_catalogue_entries():
    """A checker registered with @exercise raises wrong("key"): in each module, the keys named
    are those the catalogue gives its checkers, no more and no fewer."""
    import inspect
    import re

    by_module = {}
    for exercise_id in exercises.ids():
        if exercise_id not in declarations.declared():
            module = inspect.getmodule(core._REGISTRY[exercise_id].checker)
            by_module.setdefault(module, set()).update(CATALOGUE[exercise_id]["wrong"])
    assert by_module, "no checker is registered with @exercise"
    for module, keys in by_module.items():
        named = set(re.findall(r'wrong\("([^"]+)"', inspect.getsource(module)))
        assert named == keys, f"{module.__name__}: named {sorted(named)}, catalogue {sorted(keys)}"


# ---- exercises declared as data: one parametrised test covers them all ----

DECLARED = declarations.declared()


@pytest.mark.parametrize("exercise_id", sorted(DECLARED))
def test_a_declared_exercise_accepts_its_answer_and_explains_each_wrong_one(exercise_id):
    declared = DECLARED[exercise_id]
    answer = float(declared.answer) if declared.kind == "number" else declared.answer
    passed, message = core.verdict(exercise_id, answer)
    assert passed and message.startswith("✓ Correct"), message
    assert declared.wrong, f"{exercise_id} names no typical wrong answer"
    for wrong, expected in declared.wrong.items():
        passed, message = core.verdict(exercise_id, wrong)
        assert not passed and all(part in message for part in _pieces(expected)), (wrong, message)
    if declared.kind == "number":  # a number far from everything gets the hint
        passed, message = core.verdict(exercise_id, answer + 1e6)
        assert not passed and declared.hint in message
    if declared.kind == "function":  # a result that is no known mistake gets the hint
        passed, message = core.verdict(exercise_id, _perturbed(declared.answer))
        assert not passed and all(part in message for part in _pieces(declared.hint)), message


def _pieces(text):
    """The literal pieces of a catalogue text between its fields."""
    return [literal for literal, *_ in __import__("string").Formatter().parse(text) if literal]


def _perturbed(function):
    """A function whose result is the reference's, slightly wrong: numbers moved by 0.5, one entry
    of a boolean mask flipped (no typical mistake is that)."""
    def nudge(x):
        if not torch.is_tensor(x):
            return x + 0.5
        if x.dtype != torch.bool:
            return x + 0.5
        flipped = x.clone()
        flipped.view(-1)[-1] = ~flipped.view(-1)[-1]
        return flipped

    def wrong(*args):
        result = function(*args)
        return tuple(nudge(x) for x in result) if isinstance(result, tuple) else nudge(result)
    return wrong


def test_a_function_exercise_checks_every_case_and_names_each_mistake():
    cases = [(torch.tensor([1.0, 2.0]),), (torch.tensor([[0.5, -1.0]]),)]
    core.catalogue()["0.0-double"] = {
        "title": "Double it", "praise": "Well done.", "hint": "Multiply by two.", "source": "test",
        "wrong": {"positive-only": "Only the positive entries are doubled.", "summed": "You summed the entries."}}
    declarations.function_exercise("0.0-double", name="double", cases=cases, reference=lambda x: 2 * x,
                                   mistakes={"positive-only": lambda x: x + x.abs()}, shapes={(): "summed"})
    try:
        assert core.verdict("0.0-double", lambda x: x * 2) == (True, "✓ Correct (0.0-double, Double it). Well done.")
        for answer, phrase in [(lambda x: x + x.abs(), "Only the positive entries"),
                               (lambda x: x.sum(), "You summed the entries."),
                               (lambda x: 3 * x, "off by up to 2 from the expected values. Multiply by two."),
                               (lambda x: x.T if x.dim() == 2 else 2 * x, "has shape (2, 1), but it should have shape (1, 2)"),
                               (lambda x: None, "is None"), (lambda x: 1 / 0, "raised ZeroDivisionError")]:
            passed, message = core.verdict("0.0-double", answer)
            assert not passed and phrase in message, message
    finally:
        del core._REGISTRY["0.0-double"], declarations._DECLARED["0.0-double"], core._CATALOGUE["0.0-double"]


def test_a_choice_exercise_needs_a_message_for_every_wrong_option():
    with pytest.raises(ValueError, match="every other option's number needs a message"):
        declarations._choice("0.0-bad-choice", {"title": "Bad", "options": ["a", "b", "c"], "answer": 1,
                                                "praise": "", "wrong": {2: "no"}})


def test_a_declaration_and_its_catalogue_entry_must_name_the_same_wrong_answers(monkeypatch):
    monkeypatch.setitem(core._CATALOGUE, "0.0-mismatch", {"title": "T", "praise": "", "hint": "", "source": "test",
                                                          "wrong": {"too-big": "Too big."}})
    with pytest.raises(ValueError, match="names the wrong answers"):
        declarations.number_exercise("0.0-mismatch", answer=1.0, wrong={"too-small": 0.5})
