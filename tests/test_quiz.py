"""Tests of gcbook.quiz: the chapters' self-check questions (loading, validation, display).

Which bug each test catches is said in its docstring. The questions' behaviour in a browser
(clicking an answer shows the right feedback) is checked by the reader test on the built book,
``tests/reader/test_reader.py::test_self_check_answers``.
"""

from __future__ import annotations

import copy
import json
import random
import re
from pathlib import Path

import nbformat
import pytest

from gcbook import quiz
from gcbook.quiz import QUESTION_TYPES, chapters, load_questions, self_check, validate_questions

REPOSITORY = Path(__file__).resolve().parents[1]
BOOK = REPOSITORY / "book"

#: The numbered chapters of the book, each of which has a self-check section.
CHAPTERS = ("granger", "granger_practice", "dwgc", "notears", "neural_gc", "sparse_var", "brains_genes", "capstone")

#: The answer key, kept apart from the question files: for each chapter and question, in order,
#: the start of the text of every answer that is right (choice questions) or the numbers that
#: must be accepted (numeric questions).
ANSWER_KEY = {
    "granger": [
        ("The null hypothesis sets the L lag coefficients",),
        (187,),
        ("A spurious edge x₀ → x₁",),
        ("Independent random walks", "Short series of highly persistent", "Too few lags"),
        ("The expected share of spurious edges",),
    ],
    "granger_practice": [
        ("F grows roughly like n",),
        (0.01,),
        ("It is half of it",),
        ("Nothing: x(t) acting on y(t)",),
        ("Unit root",),
    ],
    "dwgc": [("All of them",), (33,), ("It is lower",), ("It is scaled down",), ("increases towards 1",)],
    "notears": [
        ("Exactly when the graph of W",),
        ("With signed weights",),
        (25,),
        ("Its least-squares loss assumes Gaussian noise of equal variance",),
        ("NOTEARS and sortnregress collapse",),
    ],
    "neural_gc": [
        ("When ∂fⱼ/∂xᵢ(t − k) = 0 at every window and for every lag",),
        ("Two hidden units with the same weights on x₀", "A hidden unit with a large"),
        ("From a path of penalties",),
        (20,),
        ("The lasso VAR",),
    ],
    "sparse_var": [
        (-0.15,),
        ("α_max = maxₖ |zₖᵀ y| / n",),
        ("`C[2, 0, 2]`",),
        ("Reconstruction cannot choose",),
        ("Linearly in α",),
    ],
    "brains_genes": [
        (-0.95,),
        ("Rarely",),
        ("Concatenation creates lagged windows",),
        ("Pairs of siblings",),
        ("A random ranking scores an AUPRC",),
    ],
    "capstone": [
        ("None of the methods that report a graph",),
        ("Conditional Granger tests with Benjamini-Hochberg",),
        ("The lasso VAR, with a penalty chosen from the data",),
        ("AUROC ranks the scores without a threshold",),
        ("What the method could do with an oracle",),
    ],
}

# What the reader test flags as an exception in a page's cell outputs (tests/reader): a question
# shown on the page must not read like one.
EXCEPTION_LINE = re.compile(r"^.*\b(?:[A-Z]\w*)?(?:Error|Exception|Warning)\b:.*$", re.MULTILINE)

_GOOD = [
    {
        "type": "multiple_choice",
        "question": "1 + 1?",
        "answers": [
            {"answer": "2", "correct": True, "feedback": "Yes."},
            {"answer": "3", "correct": False, "feedback": "One too many."},
        ],
    },
    {
        "type": "many_choice",
        "question": "Even numbers?",
        "answers": [
            {"answer": "2", "correct": True, "feedback": "Even."},
            {"answer": "4", "correct": True, "feedback": "Even."},
            {"answer": "5", "correct": False, "feedback": "Odd."},
        ],
    },
    {
        "type": "numeric",
        "question": "2 × 3?",
        "precision": 2,
        "answers": [
            {"value": 6, "correct": True, "feedback": "Six."},
            {"range": [0, 6], "correct": False, "feedback": "Too small."},
            {"type": "default", "feedback": "No."},
        ],
    },
]


def _accepts(question: dict, number: float) -> bool:
    """Whether jupyterquiz marks ``number`` right: the first matching answer decides."""
    for answer in question["answers"]:
        if "value" in answer and number == answer["value"]:
            return answer["correct"]
        if "range" in answer and answer["range"][0] <= number < answer["range"][1]:
            return answer["correct"]
    return False


# --- the chapters' questions ---------------------------------------------------------------------


def test_every_chapter_has_questions_and_no_file_is_stray():
    """Catches a chapter without a question file, or a file (a typo, a leftover) no chapter uses."""
    assert chapters() == sorted(CHAPTERS)
    assert sorted(ANSWER_KEY) == sorted(CHAPTERS)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_chapter_has_at_least_three_valid_questions(chapter):
    """Catches a malformed or too short question file (load_questions validates)."""
    questions = load_questions(chapter)
    assert len(questions) >= 3
    assert {question["type"] for question in questions} <= set(QUESTION_TYPES)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_exactly_the_right_answers_are_marked_correct(chapter):
    """Catches a flipped ``correct`` flag, a reordered question or an answer key out of date.

    The key (``ANSWER_KEY``) is written apart from the question files: every answer marked correct
    must be one the key names, and every answer the key names must be marked correct; a numeric
    question must accept the key's numbers and reject numbers just beside them.
    """
    questions = load_questions(chapter)
    key = ANSWER_KEY[chapter]
    assert len(questions) == len(key), f"{chapter}: the answer key has {len(key)} entries"
    for number, (question, right) in enumerate(zip(questions, key), start=1):
        where = f"{chapter}, question {number}"
        if question["type"] == "numeric":
            for value in right:
                assert _accepts(question, value), f"{where}: {value} is not accepted"
                for near in (value - 1, value + 1, -value if value else 1, value * 2):
                    assert not _accepts(question, near), f"{where}: {near} is accepted"
            continue
        marked = [answer["answer"] for answer in question["answers"] if answer["correct"]]
        named = [text for text in marked if any(text.startswith(start) for start in right)]
        assert named == marked, f"{where}: marked correct but not in the key: {set(marked) - set(named)}"
        assert len(marked) == len(right), f"{where}: the key names {right}, marked {marked}"
        if question["type"] == "multiple_choice":
            assert len(marked) == 1


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_questions_read_well_on_the_page(chapter):
    """Catches text the reader test would take for an error message, and feedback that only
    repeats "right" or "wrong" without a reason."""
    for question in load_questions(chapter):
        texts = [question["question"]] + [answer.get("answer", "") for answer in question["answers"]]
        assert not any(EXCEPTION_LINE.search(text) for text in texts), texts
        for answer in question["answers"]:
            assert len(answer["feedback"].split()) >= 6, answer


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_shows_its_questions_before_the_exercises(chapter):
    """Catches a chapter without its self-check cell, a cell showing another chapter's questions,
    and a section that landed after the exercises."""
    text = (BOOK / f"{chapter}.md").read_text()
    calls = re.findall(r"""self_check\(\s*["'](\w+)["']""", text)
    assert calls == [chapter]
    heading, call, exercises = (
        text.index("\n## Self-check\n"),
        text.index("self_check("),
        text.index("\n## Exercises\n"),
    )
    assert heading < call < exercises
    cell = text[text.rindex("```{code-cell}", 0, call) : call]
    assert ":tags: [remove-input]" in cell, "the page shows the quiz, not the code that makes it"


# --- validation ----------------------------------------------------------------------------------


def test_validate_accepts_good_questions_unchanged():
    """Catches a validator that rejects the documented format or alters its input."""
    good = copy.deepcopy(_GOOD)
    assert validate_questions(good) is good and good == _GOOD


def _broken(index: int, change) -> list:
    questions = copy.deepcopy(_GOOD)
    change(questions[index])
    return questions


def _set(key, value, answer=None):
    def change(question):
        target = question if answer is None else question["answers"][answer]
        if value is _DELETE:
            del target[key]
        else:
            target[key] = value

    return change


_DELETE = object()

MALFORMED = [
    # (questions, what the message must say): one case per rule of validate_questions
    ("not a list", {"question": "x"}, "non-empty list"),
    ("empty", [], "non-empty list"),
    ("not an object", ["x"], "expected an object"),
    ("unknown type", _broken(0, _set("type", "true_false")), "unknown type 'true_false'"),
    ("misspelt key", _broken(0, _set("corect", True, answer=0)), r"unknown key\(s\) \['corect'\]"),
    ("misspelt question key", _broken(0, _set("questoin", "x")), "unknown key"),
    ("no question text", _broken(0, _set("question", " ")), "'question' must be non-empty"),
    ("no feedback", _broken(0, _set("feedback", _DELETE, answer=1)), "'feedback' must be non-empty"),
    ("no correct flag", _broken(0, _set("correct", _DELETE, answer=1)), "'correct' must be true or false"),
    ("string flag", _broken(0, _set("correct", "true", answer=1)), "'correct' must be true or false"),
    ("no right answer", _broken(0, _set("correct", False, answer=0)), "exactly one correct answer, found 0"),
    ("two right answers", _broken(0, _set("correct", True, answer=1)), "exactly one correct answer, found 2"),
    ("many choice, one right", _broken(1, _set("correct", False, answer=1)), "at least two correct"),
    ("many choice, all right", _broken(1, _set("correct", True, answer=2)), "one wrong one"),
    ("one answer only", _broken(0, lambda q: q["answers"].pop()), "at least 2 answer"),
    ("same answer twice", _broken(0, _set("answer", "2", answer=1)), "appears twice"),
    ("TeX", _broken(0, _set("question", "Is $x^2$ positive?")), "contains TeX"),
    ("TeX command", _broken(0, _set("feedback", "Since \\alpha > 0.", answer=0)), "contains TeX"),
    ("precision on a choice", _broken(0, _set("precision", 2)), "numeric questions only"),
    ("numeric, none right", _broken(2, _set("correct", False, answer=0)), "no answer is marked correct"),
    ("numeric, value and range", _broken(2, _set("range", [5, 7], answer=0)), "exactly one of 'value' and 'range'"),
    ("numeric, neither", _broken(2, _set("value", _DELETE, answer=0)), "exactly one of 'value' and 'range'"),
    ("numeric, NaN", _broken(2, _set("value", float("nan"), answer=0)), "finite number"),
    ("numeric, bool", _broken(2, _set("value", True, answer=0)), "finite number"),
    ("numeric, text", _broken(2, _set("value", "6", answer=0)), "finite number"),
    ("numeric, empty range", _broken(2, _set("range", [6, 6], answer=1)), r"low < high"),
    ("numeric, short range", _broken(2, _set("range", [1], answer=1)), r"\[low, high\]"),
    ("numeric, zero precision", _broken(2, _set("precision", 0)), "positive number of significant"),
    (
        "numeric, two defaults",
        _broken(2, lambda q: q["answers"].append({"type": "default", "feedback": "Again."})),
        "at most one default",
    ),
    ("numeric, bad default", _broken(2, _set("correct", True, answer=2)), "in the default answer"),
]


@pytest.mark.parametrize("questions, message", [case[1:] for case in MALFORMED], ids=[case[0] for case in MALFORMED])
def test_validate_rejects_malformed_questions_with_a_clear_message(questions, message):
    """Catches each kind of malformed question that would show a broken or unanswerable quiz:
    no right answer (nothing can be answered right), several where one is expected, a misspelt
    key (jupyterquiz would silently treat ``"corect"`` as wrong), TeX that no MathJax typesets
    in the quiz, a numeric answer no number can match."""
    with pytest.raises(ValueError, match=message):
        validate_questions(questions)


def test_validate_names_the_question():
    """Catches messages that do not say which question of which file is wrong."""
    with pytest.raises(ValueError, match=r"^my\.json, question 3 \('2 × 3\?'\), answer 1: "):
        validate_questions(_broken(2, _set("value", "six", answer=0)), source="my.json")


# --- loading -------------------------------------------------------------------------------------


def test_load_questions_rejects_unknown_and_malformed_chapter_names():
    """Catches a typo in a chapter's cell passing silently, and a name that reaches outside the
    package's quizzes folder."""
    with pytest.raises(ValueError, match=r"no self-check questions for chapter 'grangr'.*granger"):
        load_questions("grangr")
    for bad in ("../granger", "granger.json", "", None, "Granger"):
        with pytest.raises(ValueError, match="chapter must be"):
            load_questions(bad)


class _Folder:
    """Stands in for ``importlib.resources.files("gcbook")`` with a temporary folder."""

    def __init__(self, path: Path):
        self.path = path

    def joinpath(self, *parts):
        return self.path.joinpath(*parts)


def test_load_questions_reports_invalid_json_and_invalid_questions(tmp_path, monkeypatch):
    """Catches a file that is not JSON or holds malformed questions being shown half-broken."""
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "quizzes" / "broken.json").write_text('[{"type": "numeric",]')
    (tmp_path / "quizzes" / "wrong.json").write_text(json.dumps(_broken(0, _set("type", "essay"))))
    (tmp_path / "quizzes" / "fine.json").write_text(json.dumps(_GOOD))
    monkeypatch.setattr(quiz.resources, "files", lambda package: _Folder(tmp_path))
    assert quiz.chapters() == ["broken", "fine", "wrong"]
    with pytest.raises(ValueError, match=r"gcbook/quizzes/broken\.json is not valid JSON"):
        load_questions("broken")
    with pytest.raises(ValueError, match=r"gcbook/quizzes/wrong\.json, question 1 .*'essay'"):
        load_questions("wrong")
    assert load_questions("fine") == _GOOD


# --- display -------------------------------------------------------------------------------------


def _displayed(monkeypatch, chapter: str, **options) -> list:
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objects, **kw: shown.extend(objects))
    self_check(chapter, **options)
    return shown


def test_self_check_displays_a_closed_container_and_a_script_with_the_questions(monkeypatch):
    """Catches the quiz's unclosed ``<div>`` (in the static page it swallowed the rest of the
    page), questions missing from the embedded script, a script that could call MathJax (an error
    before MathJax has loaded, or a second MathJax fetched from a CDN), and raw HTML in a text."""
    from IPython.display import HTML, Javascript

    shown = _displayed(monkeypatch, "granger")
    assert [type(output) for output in shown] == [HTML, Javascript]
    markup, script = shown[0].data, shown[1].data
    assert markup.count("<div") == markup.count("</div>") == 1
    assert re.match(r'<div id="([A-Za-z]{12})"[^>]*></div><style>', markup)
    div_id = re.match(r'<div id="([A-Za-z]{12})"', markup).group(1)
    assert script.startswith("(function (MathJax) {\n") and script.endswith("})(undefined);\n")
    embedded = json.loads(re.search(rf"var questions{div_id}=(.*?);\n", script).group(1))
    questions = load_questions("granger")
    assert [q["question"] for q in embedded] == [q["question"] for q in questions]
    assert len(embedded) == len(questions) >= 3
    assert "fetch(" not in script  # the async variant, which loads questions from a URL


def test_self_check_shows_text_as_text(monkeypatch):
    """Catches texts passed to jupyterquiz as HTML (a ``<`` in a question would start a tag) and
    backtick code left as backticks."""
    questions = copy.deepcopy(_GOOD)
    questions[0]["question"] = "Is `a < b` if a <b>?"
    markup, script = quiz._quiz_outputs(questions, shuffle_answers=True, max_width=600)
    embedded = json.loads(re.search(r"var questions\w+=(.*?);\n", script).group(1))
    assert embedded[0]["question"] == "Is <code>a &lt; b</code> if a &lt;b&gt;?"
    assert embedded[2]["answers"][0]["value"] == 6  # numbers stay numbers


def test_self_check_leaves_python_random_state_alone(monkeypatch):
    """Catches the quiz's random container id advancing the global ``random`` state (the
    package never touches global random state)."""
    random.seed(5)
    expected = random.random()
    random.seed(5)
    _displayed(monkeypatch, "dwgc")
    assert random.random() == expected


def test_self_check_options_reach_the_quiz(monkeypatch):
    """Catches ``shuffle_answers`` and ``max_width`` being ignored."""
    markup = _displayed(monkeypatch, "notears", shuffle_answers=False, max_width=500)[0].data
    assert 'data-shuffleanswers="False"' in markup and 'data-maxwidth="500"' in markup


def test_self_check_cell_runs_headless_and_quickly(tmp_path):
    """Catches a quiz cell that waits on a browser or a widget when executed by nbclient (the book
    build, the student notebooks, an autograder): it must finish well within a short timeout."""
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell('from gcbook.quiz import self_check\nself_check("capstone")')]
    )
    NotebookClient(
        notebook, timeout=30, kernel_name="python3", resources={"metadata": {"path": str(REPOSITORY)}}
    ).execute()
    outputs = notebook.cells[0].outputs
    assert [sorted(output["data"]) for output in outputs] == [
        ["text/html", "text/plain"],
        ["application/javascript", "text/plain"],
    ]


def test_self_check_without_jupyterquiz_shows_static_questions(monkeypatch):
    """Catches a quiz cell that fails (and stops a notebook run top to bottom) where jupyterquiz is
    not installed, and a fallback that gives the answers away or drops a question."""
    import sys

    from IPython.display import HTML

    monkeypatch.setitem(sys.modules, "jupyterquiz", None)  # import jupyterquiz raises ImportError
    shown = _displayed(monkeypatch, "sparse_var")
    assert [type(output) for output in shown] == [HTML]
    page = shown[0].data
    questions = load_questions("sparse_var")
    assert page.count("<details>") == sum(len(q["answers"]) for q in questions)
    assert "<details open" not in page and page.count("<li><p>") == len(questions)
    assert "jupyterquiz is not installed" in page and "−0.5" in page
