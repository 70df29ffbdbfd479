"""Self-check questions at the end of each chapter, with instant feedback.

Shown at the end of every numbered chapter (for example :ref:`chap-granger`); the
:ref:`instructor-guide` (``book/instructor_guide.md``) explains how to edit the questions.

Each numbered chapter ends (just before its exercises) with a few short questions: multiple choice
(one right answer), many choice (several right answers, all to be found) or numeric. They are kept
as package data, ``gcbook/quizzes/<chapter>.json``, one list of questions per chapter, and shown
with `jupyterquiz <https://github.com/jmshea/jupyterquiz>`_, which renders them in HTML and
JavaScript: the same cell output works in the built book (no kernel) and in JupyterLab (tried),
and should on Binder and Colab (not tried). A click on an answer (or Enter after a number) shows at once whether it is right and why.

The chapter's cell is one line::

    from gcbook.quiz import self_check
    self_check("granger")

The question format is jupyterquiz's, checked by :func:`validate_questions`::

    {"type": "multiple_choice",            # or "many_choice", "numeric"
     "question": "Plain text; `code` becomes code.",
     "answers": [{"answer": "...", "correct": true,  "feedback": "Why it is right."},
                 {"answer": "...", "correct": false, "feedback": "Why it is wrong."}]}

A numeric question's answers are ``{"value": 3, "correct": true, "feedback": ...}`` or
``{"range": [lo, hi], "correct": ..., "feedback": ...}`` (a submission ``x`` matches when
``lo <= x < hi``; the first matching answer wins), plus at most one
``{"type": "default", "feedback": ...}`` for every other number.

Text is plain Unicode (write ``α``, ``x₁``, ``≤``): it is shown as text, never as HTML, and TeX
(``$...$``) is refused, so a question reads the same whether or not MathJax runs (the page's
formulas are typeset by MathJax, which a notebook on Colab or a page read offline may not have).
The quiz's script never calls MathJax, so it neither waits for it nor loads it from a CDN, and the
questions are embedded in the page: nothing is fetched from the network.
"""

from __future__ import annotations

import html
import json
import math
import random
import re
from importlib import resources
from typing import Any

__all__ = ["QUESTION_TYPES", "chapters", "load_questions", "self_check", "validate_questions"]

#: The question types jupyterquiz knows and this module accepts.
QUESTION_TYPES = ("multiple_choice", "many_choice", "numeric")

_QUESTION_KEYS = {"type", "question", "answers", "precision", "answer_cols"}
_CHOICE_KEYS = {"answer", "correct", "feedback"}
_NUMERIC_KEYS = {"value", "range", "correct", "feedback"}
_DEFAULT_KEYS = {"type", "feedback"}
_CHAPTER_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_TEX = re.compile(r"\$|\\[A-Za-z]+|\\[()\[\]]")
_CODE = re.compile(r"`([^`]+)`")


def chapters() -> list[str]:
    """The chapters that have self-check questions, from the package data.

    Returns
    -------
    list of str
        Chapter names (the file names of ``gcbook/quizzes/*.json`` without the suffix), sorted.

    Examples
    --------
    >>> "granger" in chapters()
    True
    """
    folder = resources.files("gcbook").joinpath("quizzes")
    return sorted(entry.name[: -len(".json")] for entry in folder.iterdir() if entry.name.endswith(".json"))


def load_questions(chapter: str) -> list[dict[str, Any]]:
    """Read and validate the self-check questions of a chapter.

    Parameters
    ----------
    chapter : str
        The chapter's file name without suffix, e.g. ``"granger"`` for ``book/granger.md``.

    Returns
    -------
    list of dict
        The questions, in jupyterquiz's format (see the module docstring), as stored.

    Raises
    ------
    ValueError
        If ``chapter`` has no question file (the message lists the chapters that have one), the
        file is not valid JSON, or a question is malformed (see :func:`validate_questions`).

    Examples
    --------
    >>> questions = load_questions("granger")
    >>> len(questions) >= 3
    True
    >>> sorted({question["type"] for question in questions} - set(QUESTION_TYPES))
    []
    """
    if not isinstance(chapter, str) or not _CHAPTER_NAME.match(chapter):
        raise ValueError(f"chapter must be a chapter's file name without suffix, such as 'granger'; got {chapter!r}")
    source = resources.files("gcbook").joinpath("quizzes", f"{chapter}.json")
    if not source.is_file():
        raise ValueError(
            f"no self-check questions for chapter {chapter!r}: gcbook/quizzes/"
            f"{chapter}.json does not exist; chapters with questions: "
            f"{', '.join(chapters())}"
        )
    try:
        questions = json.loads(source.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"gcbook/quizzes/{chapter}.json is not valid JSON: {error}") from None
    return validate_questions(questions, source=f"gcbook/quizzes/{chapter}.json")


def validate_questions(questions: Any, source: str = "questions") -> list[dict[str, Any]]:
    """Check that a list of questions is complete and unambiguous, or say what is wrong.

    Parameters
    ----------
    questions : list of dict
        Questions in jupyterquiz's format (see the module docstring).
    source : str, optional
        Where the questions come from, named in error messages.

    Returns
    -------
    list of dict
        ``questions`` itself, unchanged, when it passes.

    Raises
    ------
    ValueError
        Naming the question (by number and start of its text) and the problem: not a non-empty
        list of objects; an unknown type or key (a misspelt ``"corect"`` would otherwise count as
        wrong); empty question, answer or feedback text; TeX in a text; a multiple-choice
        question without exactly one correct answer; a many-choice question with fewer than two;
        two answers with the same text; a numeric answer without a finite ``value`` or an
        increasing ``range``; a numeric question that no number answers correctly.

    Notes
    -----
    Every answer needs its own feedback: a self-check question teaches through the reason it
    gives, for the right answer and for each wrong one.

    Examples
    --------
    >>> ok = [{"type": "multiple_choice", "question": "1 + 1?",
    ...        "answers": [{"answer": "2", "correct": True, "feedback": "Yes."},
    ...                    {"answer": "3", "correct": False, "feedback": "One too many."}]}]
    >>> validate_questions(ok) is ok
    True
    >>> try:
    ...     validate_questions([{**ok[0], "answers": [{**ok[0]["answers"][0], "correct": False},
    ...                                              ok[0]["answers"][1]]}])
    ... except ValueError as error:
    ...     print(error)
    questions, question 1 ('1 + 1?'): a multiple_choice question needs exactly one correct answer, found 0
    """
    if not isinstance(questions, list) or not questions:
        raise ValueError(f"{source}: expected a non-empty list of questions, got {type(questions).__name__}")
    for number, question in enumerate(questions, start=1):
        _validate_question(question, f"{source}, question {number}")
    return questions


def self_check(chapter: str, shuffle_answers: bool = True, max_width: int = 720) -> None:
    """Show a chapter's self-check questions with instant feedback (jupyterquiz).

    Parameters
    ----------
    chapter : str
        The chapter's file name without suffix, e.g. ``"granger"``.
    shuffle_answers : bool, default True
        Show the answers of each question in a new random order every time the quiz is shown
        (each page load in the book, each run of the cell in a notebook).
    max_width : int, default 720
        Width of the quiz in CSS pixels at most.

    Returns
    -------
    None
        Displays two outputs: an HTML container with its styles, and the JavaScript that fills
        it with the questions (embedded, so nothing is fetched from the network) and reacts to
        answers.

    Raises
    ------
    ValueError
        If the chapter has no questions or they are malformed (see :func:`load_questions`).

    Notes
    -----
    Two changes to what ``jupyterquiz.display_quiz`` emits keep the built page sound: its HTML
    leaves the quiz's ``<div>`` open, which in a static page would swallow the closing tags that
    follow it (the rest of the page would end up inside the cell output), so the ``<div>`` is
    closed; and its script runs with ``MathJax`` hidden from it, since the questions hold no TeX
    (see the module docstring) and otherwise it calls MathJax before the page's copy has loaded
    (a JavaScript error) or, when that copy is only configured, loads another from a CDN.
    Texts are HTML-escaped (a ``<`` stays a ``<``), and text between backticks becomes code.
    The cell returns at once, also headless (nbclient), since it only displays. Where jupyterquiz
    is not installed (a notebook opened after ``pip install gcbook`` alone), the questions are shown
    as a list with each answer's verdict and feedback folded away, so that running the notebook top
    to bottom does not stop here.

    Examples
    --------
    >>> try:
    ...     self_check("no_such_chapter")
    ... except ValueError as error:
    ...     print(error)
    no self-check questions for chapter 'no_such_chapter': ...
    """
    from IPython.display import HTML, Javascript, display

    questions = load_questions(chapter)
    try:
        markup, script = _quiz_outputs(questions, shuffle_answers, max_width)
    except ImportError:  # no jupyterquiz: the questions, with answers folded away, and no error
        display(HTML(_fallback_html(questions)))
        return
    display(HTML(markup))
    display(Javascript(script))


# --- helpers -------------------------------------------------------------------------------------


def _validate_question(question: Any, where: str) -> None:
    """Raise ValueError naming ``where`` when ``question`` is malformed."""
    if not isinstance(question, dict):
        raise ValueError(
            f"{where}: expected an object with 'type', 'question' and 'answers', got {type(question).__name__}"
        )
    text = question.get("question")
    if isinstance(text, str) and text.strip():
        where = f"{where} ({text.strip()[:50]!r})"
    unknown = set(question) - _QUESTION_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}; a question has {sorted(_QUESTION_KEYS)}")
    kind = question.get("type")
    if kind not in QUESTION_TYPES:
        raise ValueError(f"{where}: unknown type {kind!r}; use one of {list(QUESTION_TYPES)}")
    _check_text(question, "question", where)
    answers = question.get("answers")
    if not isinstance(answers, list) or len(answers) < (2 if kind != "numeric" else 1):
        raise ValueError(f"{where}: 'answers' must be a list of at least {2 if kind != 'numeric' else 1} answer(s)")
    if kind == "numeric":
        _validate_numeric(question, answers, where)
    else:
        if "precision" in question:
            raise ValueError(f"{where}: 'precision' applies to numeric questions only")
        _validate_choices(kind, answers, where)


def _validate_choices(kind: str, answers: list, where: str) -> None:
    """Check the answers of a multiple- or many-choice question."""
    seen = set()
    for number, answer in enumerate(answers, start=1):
        here = f"{where}, answer {number}"
        if not isinstance(answer, dict):
            raise ValueError(f"{here}: expected an object, got {type(answer).__name__}")
        unknown = set(answer) - _CHOICE_KEYS
        if unknown:
            raise ValueError(f"{here}: unknown key(s) {sorted(unknown)}; an answer has {sorted(_CHOICE_KEYS)}")
        _check_text(answer, "answer", here)
        _check_text(answer, "feedback", here)
        if not isinstance(answer.get("correct"), bool):
            raise ValueError(f"{here}: 'correct' must be true or false, got {answer.get('correct')!r}")
        if answer["answer"].strip() in seen:
            raise ValueError(f"{here}: the answer {answer['answer']!r} appears twice")
        seen.add(answer["answer"].strip())
    correct = sum(answer["correct"] for answer in answers)
    if kind == "multiple_choice" and correct != 1:
        raise ValueError(f"{where}: a multiple_choice question needs exactly one correct answer, found {correct}")
    if kind == "many_choice" and not 2 <= correct < len(answers):
        raise ValueError(
            f"{where}: a many_choice question needs at least two correct answers and "
            f"one wrong one, found {correct} correct of {len(answers)} (with one "
            "correct answer, make it a multiple_choice question)"
        )


def _validate_numeric(question: dict, answers: list, where: str) -> None:
    """Check the answers of a numeric question."""
    precision = question.get("precision")
    if precision is not None and (isinstance(precision, bool) or not isinstance(precision, int) or precision < 1):
        raise ValueError(f"{where}: 'precision' must be a positive number of significant digits, got {precision!r}")
    defaults = 0
    correct = 0
    for number, answer in enumerate(answers, start=1):
        here = f"{where}, answer {number}"
        if not isinstance(answer, dict):
            raise ValueError(f"{here}: expected an object, got {type(answer).__name__}")
        _check_text(answer, "feedback", here)
        if answer.get("type") == "default":
            unknown = set(answer) - _DEFAULT_KEYS
            if unknown:
                raise ValueError(f"{here}: unknown key(s) {sorted(unknown)} in the default answer")
            defaults += 1
            continue
        unknown = set(answer) - _NUMERIC_KEYS
        if unknown:
            raise ValueError(
                f"{here}: unknown key(s) {sorted(unknown)}; a numeric answer has "
                f"'value' or 'range', 'correct' and 'feedback' (or is "
                "{'type': 'default', 'feedback': ...})"
            )
        if ("value" in answer) == ("range" in answer):
            raise ValueError(f"{here}: a numeric answer needs exactly one of 'value' and 'range'")
        if "value" in answer and not _finite(answer["value"]):
            raise ValueError(f"{here}: 'value' must be a finite number, got {answer['value']!r}")
        if "range" in answer:
            bounds = answer["range"]
            if (
                not isinstance(bounds, list)
                or len(bounds) != 2
                or not all(map(_finite, bounds))
                or not bounds[0] < bounds[1]
            ):
                raise ValueError(
                    f"{here}: 'range' must be [low, high] with low < high (a number "
                    f"x matches when low <= x < high), got {bounds!r}"
                )
        if not isinstance(answer.get("correct"), bool):
            raise ValueError(f"{here}: 'correct' must be true or false, got {answer.get('correct')!r}")
        correct += answer["correct"]
    if defaults > 1:
        raise ValueError(f"{where}: at most one default answer, found {defaults}")
    if correct == 0:
        raise ValueError(f"{where}: no answer is marked correct, so no number would be accepted")


def _check_text(item: dict, key: str, where: str) -> None:
    """``item[key]`` must be non-empty plain text without TeX."""
    text = item.get(key)
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{where}: '{key}' must be non-empty text, got {text!r}")
    if _TEX.search(text):
        raise ValueError(
            f"{where}: '{key}' contains TeX ({_TEX.search(text).group(0)!r}); write "
            "math as plain Unicode text (α, x₁, ≤), which reads the same with or "
            "without MathJax"
        )


def _finite(value: Any) -> bool:
    """Whether ``value`` is a finite int or float (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _markup(text: str) -> str:
    """Plain text as HTML: escaped, with `code` spans."""
    return _CODE.sub(r"<code>\1</code>", html.escape(text, quote=False))


def _as_html(question: dict) -> dict:
    """A copy of ``question`` whose texts are HTML (see :func:`_markup`)."""
    shown = dict(question, question=_markup(question["question"]))
    shown["answers"] = [
        {key: (_markup(value) if key in ("answer", "feedback") else value) for key, value in answer.items()}
        for answer in question["answers"]
    ]
    return shown


def _quiz_outputs(questions: list[dict], shuffle_answers: bool, max_width: int) -> tuple[str, str]:
    """The HTML and the JavaScript that show ``questions``, as :func:`self_check` displays them.

    ``jupyterquiz.display_quiz`` displays its two outputs itself; they are collected here (its
    module's ``display`` is swapped for the call) and amended as :func:`self_check` describes.
    """
    from IPython.display import HTML, Javascript
    from jupyterquiz import display_quiz
    from jupyterquiz.dynamic import display as quiz_display

    collected: list = []
    original = quiz_display.display
    state = random.getstate()  # display_quiz draws the container's id from the global `random`
    quiz_display.display = lambda *objects, **kwargs: collected.extend(objects)
    try:
        display_quiz(
            [_as_html(question) for question in questions], shuffle_answers=shuffle_answers, max_width=max_width
        )
    finally:
        quiz_display.display = original
        random.setstate(state)
    if [type(output) for output in collected] != [HTML, Javascript]:
        raise RuntimeError(
            "jupyterquiz.display_quiz no longer displays one HTML and one "
            "JavaScript output; gcbook.quiz is written for jupyterquiz 2.9.6.4 "
            "(pinned in requirements.txt)"
        )
    markup, script = collected[0].data, collected[1].data
    return _close_container(markup), f"(function (MathJax) {{\n{script}\n}})(undefined);\n"


def _fallback_html(questions: list[dict]) -> str:
    """The questions as static HTML, each answer's verdict and feedback in a closed ``<details>``."""
    parts = [
        '<div class="gcbook-self-check"><p><em>jupyterquiz is not installed '
        "(<code>pip install jupyterquiz==2.9.6.4</code>), so the questions are shown without "
        "instant feedback: open an answer to see whether it is right, and why.</em></p><ol>"
    ]
    for question in questions:
        parts.append(f"<li><p>{_markup(question['question'])}</p><ul>")
        for answer in question["answers"]:
            if question["type"] == "numeric":
                if answer.get("type") == "default":
                    label = "any other number"
                elif "value" in answer:
                    label = f"{answer['value']:g}"
                else:
                    label = f"from {answer['range'][0]:g} to just below {answer['range'][1]:g}"
            else:
                label = _markup(answer["answer"])
            verdict = "right" if answer.get("correct") else "wrong"
            parts.append(
                f"<li><details><summary>{label}</summary><p><strong>{verdict}</strong>: "
                f"{_markup(answer['feedback'])}</p></details></li>"
            )
        parts.append("</ul></li>")
    parts.append("</ol></div>")
    return "".join(parts)


def _close_container(markup: str) -> str:
    """Close the quiz's ``<div>``, which jupyterquiz leaves open, right after its opening tag."""
    opening = re.match(r"\s*<div\b[^>]*>", markup)
    if opening is None or markup.count("<div") == markup.count("</div>"):
        return markup
    return markup[: opening.end()] + "</div>" + markup[opening.end() :]
