"""The reader test: open every page of the built book in headless Chromium and check what it shows.

How the browser is driven
-------------------------
Option (b) of the issue: Chromium (Debian's ``chromium``) runs headless with
``--remote-debugging-port``, and ``reader_browser.Chromium`` talks the Chrome DevTools Protocol to
it over one websocket (``websocket-client``, already a dependency). Each page is opened from its
``file://`` URL in a fresh tab, and every ``http(s)://`` request is intercepted (DevTools ``Fetch``
domain), so the test needs no network: the requests for MathJax 3 on the CDN (Sphinx's default
``mathjax_path``, ``https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js``, and the fonts and
extensions it loads) are answered from a local copy of the npm registry's ``mathjax`` package,
which ``.ci/install_mathjax`` installs into a cache folder on first use (the session set-up runs it;
``GCBOOK_MATHJAX_PACKAGE`` names another copy), and every other external request fails. After the
page's load event, a script evaluated *in the live page* waits for MathJax's initial typesetting,
the images to decode and the toggle animations to finish, then reads what a reader would see:
the formulas MathJax could not typeset, ``naturalWidth`` of every image, computed styles and layout
boxes of the solution bodies, the rendered text of the cell outputs. A PNG screenshot of every
page, 1280 CSS pixels wide and as tall as the page up to ``GCBOOK_SCREENSHOT_MAX_HEIGHT`` (default 16000, i.e. whole short pages and the first half or
so of the long chapters), is saved to ``_build/screenshots/`` for CI to upload. Screenshot time
grows with height (about 0.3 s per 1000 pixels on two cores); set the variable to 100000 for
whole pages. One page takes a few seconds, MathJax's typesetting included.

Which pages
-----------
Every document of ``_toc.yml`` (the root and every ``file:`` entry, read at collection time, so a
new chapter is covered without touching this file). Every check runs on every page; a check that
does not apply to a page (no code cells, no exercises) passes trivially there, so the introduction,
"how to use" and bibliography pages are at least loaded, rendered, typeset and screenshotted.

The checks (one test function each, parametrised by page)
--------------------------------------------------------
``test_page_loads``
    The HTML file exists, Chromium navigates to it, it has a ``<title>`` and an ``<h1>`` in the
    main content, no local resource (style sheet, script, image under the build) failed to load, no
    uncaught JavaScript exception was thrown (except one known, harmless duplicate declaration
    that every Jupyter Book 1 page throws: ``HARMLESS_JS_EXCEPTIONS``), and the screenshot is not
    a blank page.
``test_images_load``
    Every ``<img>`` in ``<main>`` finished loading with ``naturalWidth > 0`` (a missing or corrupt
    image file has ``naturalWidth == 0``).
``test_figures_present``
    When the executed notebook (``_build/jupyter_execute/<doc>.ipynb``) has image outputs in cells
    that are not removed by a ``remove-output``/``remove-cell`` tag, the page shows at least that
    many loaded images inside cell outputs (so a chapter whose code cells make figures has them).
``test_no_error_output``
    No output block that myst-nb 1.4 renders for stderr or errors (``div.output.stderr``,
    ``div.output.traceback``), no docutils ``system-message``/``problematic`` markup, no
    ``Traceback (most recent call last)`` anywhere in the main content, and no line in a cell
    output that looks like a Python exception or warning (``ValueError: ...``, ``UserWarning:``).
``test_solutions_collapsed``
    The page shows (at least) as many dropdown solutions as its source declares (``{solution}``
    and ``{solution-start}`` directives with ``:class: dropdown``), and every dropdown solution
    is collapsed when the page opens: its title is visible, but every part of its body is hidden
    (sphinx-togglebutton gives the admonition ``toggle-hidden``, whose CSS sets the body's
    height 0 and visibility hidden; a ``<details>`` solution must not be ``open``). Visibility is
    judged from the computed style and the layout box in the live page.
``test_math_typesets``
    MathJax loaded from the local copy and finished typesetting; every formula (``.math``
    element) was typeset, none contains a TeX error (MathJax 3 renders one as ``merror``, shown
    with its ``data-mjx-error`` message) or an undefined macro (which MathJax's default
    ``noundefined`` extension renders as red text instead of an error), and no MathJax file the
    page asked for is missing from the local copy; and no visible display formula is wider than
    the column it sits in (it would run off the page). Each failure names the formula's TeX.
``test_captions_stay_with_their_outputs``
    (No browser.) In the executed notebook, no code cell whose outputs are shown prints text, then
    displays a table or figure, then prints again on the same stream: ``nb_merge_streams: true``
    (in ``_config.yml``) gathers a cell's printed text at its first print, so the second caption
    would appear above the first table. Applies only when the book sets ``nb_merge_streams``.

``test_self_check_answers``
    On a page whose source shows self-check questions (``gcbook.quiz.self_check("<chapter>")``),
    the quiz shows the package's questions and answers (``gcbook/quizzes/<chapter>.json``), and a
    reader who answers every question first wrong, then right (real mouse clicks on an answer;
    for a numeric question, typing a number and pressing Enter) sees jupyterquiz's feedback box
    marked ``incorrect``, then ``correct``, with the feedback text of the answer given; clicking
    throws no JavaScript exception.

Tests without a build check the checks themselves: ``displaced_streams`` on synthetic
notebooks, the width check on a page with a 300 px column, and the MathJax inspection on a page
written to a temporary folder, with one good and two
broken formulas (loaded through the same CDN URL as the book's pages), and the self-check
check on a page with a working quiz and on one whose right and wrong answers are swapped.

To try the test on a small throwaway book, set ``GCBOOK_BOOK_DIR`` to its project folder (the one
with ``_toc.yml``); the build directory then defaults to its ``_build/html``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from PIL import Image
from reader_browser import ChromiumError, PageReport, QuizReport

REPOSITORY = Path(__file__).resolve().parents[2]
# The Jupyter Book project whose pages are checked: the repository, or (to try the test on a small
# throwaway book) GCBOOK_BOOK_DIR; its _toc.yml, _config.yml and sources are read.
BOOK = Path(os.environ.get("GCBOOK_BOOK_DIR", REPOSITORY)).resolve()
TOC = BOOK / "_toc.yml"
CONFIG = BOOK / "_config.yml"
SOURCE_SUFFIXES = (".md", ".ipynb", ".rst")
IMAGE_MIME_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")
HIDDEN_OUTPUT_TAGS = {"remove-output", "remove_output", "remove-cell", "remove_cell"}

# A line of a cell output that reads like a Python exception or warning being reported.
EXCEPTION_LINE = re.compile(r"^.*\b(?:[A-Z]\w*)?(?:Error|Exception|Warning)\b:.*$", re.MULTILINE)
TRACEBACK = "Traceback (most recent call last)"
# The opening fence of a sphinx-exercise solution directive, in backtick or colon fences.
SOLUTION_FENCE = re.compile(r"^\s*(?:`{3,}|:{3,})\{(?:solution|solution-start)\}")
DIRECTIVE_OPTION = re.compile(r"^\s*:([\w-]+):\s*(.*)$")
CODE_CELL_FENCE = re.compile(r"^\s*(?:`{3,}|:{3,})\{code-cell\}", re.MULTILINE)
# JavaScript exceptions the toolchain throws on every page without visible effect. Jupyter Book 1
# registers sphinx-thebe twice, so each page carries two identical inline
# `<script>const THEBE_JS_URL = ...</script>` tags; the second throws on the redeclaration, while
# the first has already defined the same constants (thebe loads from its own script tag). The same
# duplication is harmless for sphinx-togglebutton, whose inline script declares a `var`.
HARMLESS_JS_EXCEPTIONS = (re.compile(r"^SyntaxError: Identifier 'THEBE_JS_URL' has already been declared\b"),)


# --- the pages and what their sources promise ------------------------------------------------


def toc_documents(toc_path: Path = TOC) -> list[str]:
    """The documents of a Jupyter Book table of contents, in reading order.

    Parameters
    ----------
    toc_path : pathlib.Path
        A ``_toc.yml`` (any format: ``jb-book``, ``jb-article``, nested ``parts``/``chapters``/
        ``sections``).

    Returns
    -------
    list of str
        Document names without suffix, e.g. ``["book/intro", "book/how_to_use", ...]``: the
        ``root`` first, then every ``file:`` entry (``url:`` and ``glob:`` entries are skipped).
    """
    toc = yaml.safe_load(toc_path.read_text())
    documents: list[str] = []

    def add(name: str) -> None:
        name = str(name)
        for suffix in SOURCE_SUFFIXES:
            if name.endswith(suffix):
                name = name[: -len(suffix)]
        if name not in documents:
            documents.append(name)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "file" in node:
                add(node["file"])
            for value in node.values():
                if isinstance(value, (list, dict)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    add(toc["root"])
    walk(toc)
    return documents


def source_file(document: str) -> Path | None:
    """The source file of ``document`` in the book project, or None if it has none."""
    for suffix in SOURCE_SUFFIXES:
        candidate = BOOK / f"{document}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def markdown_text(source: Path) -> str:
    """The MyST text of a source: the file itself, or a notebook's markdown cells joined."""
    if source.suffix != ".ipynb":
        return source.read_text()
    notebook = json.loads(source.read_text())
    return "\n".join(
        "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for cell in notebook["cells"]
        if cell["cell_type"] == "markdown"
    )


def has_code_cells(source: Path) -> bool:
    """Whether the source is executed: a notebook with code cells or MyST with ``{code-cell}``."""
    if source.suffix == ".ipynb":
        notebook = json.loads(source.read_text())
        return any(cell["cell_type"] == "code" for cell in notebook["cells"])
    return CODE_CELL_FENCE.search(source.read_text()) is not None


def dropdown_solutions_declared(source: Path) -> int:
    """How many solutions the source declares with ``:class: dropdown``.

    Parameters
    ----------
    source : pathlib.Path
        A MyST Markdown file or a notebook.

    Returns
    -------
    int
        The number of ``{solution}`` / ``{solution-start}`` directives whose option block (the
        ``:name: value`` lines right after the opening fence) has a ``class`` containing
        ``dropdown``.
    """
    lines = markdown_text(source).splitlines()
    count = 0
    for index, line in enumerate(lines):
        if not SOLUTION_FENCE.match(line):
            continue
        for option_line in lines[index + 1 :]:
            option = DIRECTIVE_OPTION.match(option_line)
            if option is None:
                break
            if option.group(1) == "class" and "dropdown" in option.group(2).split():
                count += 1
                break
    return count


def executed_notebook(build_dir: Path, document: str) -> Path:
    """Where Jupyter Book writes the executed notebook of ``document``."""
    return build_dir.parent / "jupyter_execute" / f"{document}.ipynb"


def executed_notebook_of_page(build_dir: Path, document: str) -> Path | None:
    """The executed notebook of a page with code cells (None for a page without); fails if missing."""
    source = source_file(document)
    if source is None or not has_code_cells(source):
        return None
    notebook = executed_notebook(build_dir, document)
    if not notebook.is_file():
        pytest.fail(
            f"{document}: the source has code cells but the build wrote no executed "
            f"notebook {notebook}; was the book built with execution on?",
            pytrace=False,
        )
    return notebook


def figure_outputs(notebook_path: Path) -> int:
    """The number of image outputs a reader should see in an executed notebook.

    Parameters
    ----------
    notebook_path : pathlib.Path
        An executed notebook written by the build.

    Returns
    -------
    int
        Outputs (``display_data`` / ``execute_result``) carrying an image MIME type, in code cells
        not tagged ``remove-output`` or ``remove-cell``.
    """
    notebook = json.loads(notebook_path.read_text())
    count = 0
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        if HIDDEN_OUTPUT_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        for output in cell.get("outputs", []):
            if any(mime in output.get("data", {}) for mime in IMAGE_MIME_TYPES):
                count += 1
    return count


def merge_streams_configured(config_path: Path = CONFIG) -> bool:
    """Whether the book sets myst-nb's ``nb_merge_streams`` (``sphinx: config:`` of _config.yml)."""
    if not config_path.is_file():
        return False
    config = yaml.safe_load(config_path.read_text()) or {}
    return bool(((config.get("sphinx") or {}).get("config") or {}).get("nb_merge_streams", False))


def displaced_streams(notebook: dict, merge_streams: bool = True) -> list[str]:
    """The cells whose printed text ``nb_merge_streams`` would move away from where it was printed.

    myst-nb's ``nb_merge_streams`` joins all stream outputs of one name (stdout, stderr) of a cell
    into the first of them. A cell that prints, then displays a table or figure, then prints again
    therefore shows both printed texts above the display: a caption printed for a second table ends
    up above the first. Outputs are read from the executed notebook, where they are still in the
    order they were made.

    Parameters
    ----------
    notebook : dict
        An executed notebook (nbformat 4 JSON).
    merge_streams : bool, default True
        The book's ``nb_merge_streams``; a cell's ``mystnb: merge_streams`` metadata overrides it.

    Returns
    -------
    list of str
        One description per offending code cell (its index among the code cells, the order of
        its outputs and the start of the printed text that moves); cells whose outputs are
        removed (``remove-output``, ``remove-cell``) are skipped.
    """
    problems = []
    code_cells = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    for index, cell in enumerate(code_cells):
        metadata = cell.get("metadata", {})
        if HIDDEN_OUTPUT_TAGS & set(metadata.get("tags", [])):
            continue
        if not (metadata.get("mystnb") or {}).get("merge_streams", merge_streams):
            continue
        outputs = cell.get("outputs", [])
        for name in {output.get("name") for output in outputs if output["output_type"] == "stream"}:
            printed_before = displayed_between = False
            for output in outputs:
                kind = output["output_type"]
                if kind == "stream" and output.get("name") == name:
                    text = output.get("text", "")
                    text = "".join(text) if isinstance(text, list) else text
                    if printed_before and displayed_between and text.strip():
                        order = ", ".join(
                            o["output_type"] if o["output_type"] != "stream" else f"stream({o.get('name')})"
                            for o in outputs
                        )
                        source = cell.get("source", "")
                        source = "".join(source) if isinstance(source, list) else source
                        problems.append(
                            f"code cell {index + 1} (starting {source.strip()[:60]!r}): outputs "
                            f"[{order}]; the {name} text {text.strip()[:60]!r} printed after a "
                            "display is shown above it"
                        )
                        break
                    printed_before = printed_before or bool(text.strip())
                elif kind in ("display_data", "execute_result") and printed_before:
                    displayed_between = True
    return problems


RAW_TEX = re.compile(r"\$[^$]{0,200}?\\[A-Za-z]+|\\[A-Za-z]{2,}")
"""A dollar sign followed by a TeX command, or a TeX command on its own, in the prose."""


def raw_tex(html: str) -> list[str]:
    """TeX that the Markdown parser did not turn into a formula, as a reader sees it in the prose.

    A formula broken by the Markdown around it (a line of the source that starts with ``>`` inside
    ``$...$`` becomes a block quote; a ``{ref}`` to a heading that contains math shows the
    heading's TeX) is never handed to MathJax, so MathJax reports no error for it: it shows up as
    ``$\\mathbb E`` or ``\\lambda`` in the page's text. Code, formulas and cell outputs are left
    out, since TeX is at home there.

    Parameters
    ----------
    html : str
        A built page.

    Returns
    -------
    list of str
        The offending stretches of text, with some context.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    main = soup.find("main") or soup
    for element in main.select("script, style, pre, code, .math, .highlight, .cell_output, .cell_input, mjx-container"):
        element.decompose()
    text = " ".join(main.get_text(" ").split())
    return [text[max(match.start() - 40, 0) : match.end() + 20] for match in RAW_TEX.finditer(text)]


SELF_CHECK_CALL = re.compile(r"""\bself_check\(\s*["'](\w+)["']""")
"""A chapter's self-check cell: ``self_check("granger")`` (see ``gcbook.quiz``)."""


def self_check_chapters(source: Path) -> list[str]:
    """The question sets a source shows with ``gcbook.quiz.self_check``, in order."""
    return SELF_CHECK_CALL.findall(source.read_text())


def _plain(text: str) -> str:
    """What a reader sees of a question's text: `code` marks dropped, white space collapsed."""
    return " ".join(re.sub(r"`([^`]+)`", r"\1", text).split())


def _numeric_feedback(question: dict, number: float) -> tuple[bool, str]:
    """What jupyterquiz answers to ``number``: (correct, feedback); the first matching answer wins."""
    precision = question.get("precision")
    rounded = float(f"{number:.{precision}g}") if precision else number
    default = "Incorrect. Try again."
    for answer in question["answers"]:
        if answer.get("type") == "default":
            default = answer["feedback"]
        elif "value" in answer and rounded == (
            float(f"{answer['value']:.{precision}g}") if precision else answer["value"]
        ):
            return answer["correct"], answer["feedback"]
        elif "range" in answer and answer["range"][0] <= rounded < answer["range"][1]:
            return answer["correct"], answer["feedback"]
    return False, default


def _number_text(number: float) -> str:
    """A number as a reader types it."""
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def quiz_plan(questions: list[dict]) -> tuple[list[dict], list[tuple[int, bool, str, bool]]]:
    """For every question, one wrong answer and then one right answer, with the feedback due.

    Parameters
    ----------
    questions : list of dict
        A chapter's questions (``gcbook.quiz.load_questions``).

    Returns
    -------
    actions : list of dict
        For :meth:`reader_browser.Chromium.answer_quiz`: per question, a wrong answer (the first
        answer marked wrong, or for a numeric question a number that no right answer accepts),
        then a right one (the first marked right).
    expected : list of tuple
        Per action: the question's index, whether the answer is right, the feedback text due,
        and whether the text is only its start (many-choice feedback ends with a count ``[k/n]``).
    """
    actions, expected = [], []
    for index, question in enumerate(questions):
        if question["type"] == "numeric":
            explicit = [answer for answer in question["answers"] if answer.get("type") != "default"]
            candidates = [
                answer.get("value", sum(answer.get("range", (0, 0))) / 2)
                for answer in explicit
                if not answer["correct"]
            ]
            bounds = [
                bound for answer in explicit for bound in ([answer["value"]] if "value" in answer else answer["range"])
            ]
            candidates.append(max(map(abs, bounds)) * 10 + 7)  # beyond every answer
            wrong = next(number for number in candidates if not _numeric_feedback(question, number)[0])
            right = next(
                answer.get("value", sum(answer.get("range", (0, 0))) / 2) for answer in explicit if answer["correct"]
            )
            for number in (wrong, right):
                correct, feedback = _numeric_feedback(question, number)
                actions.append({"question": index, "type": _number_text(number)})
                expected.append((index, correct, feedback, False))
        else:
            wrong = next(answer for answer in question["answers"] if not answer["correct"])
            right = next(answer for answer in question["answers"] if answer["correct"])
            for answer in (wrong, right):
                actions.append({"question": index, "click": _plain(answer["answer"])})
                expected.append((index, answer["correct"], answer["feedback"], question["type"] == "many_choice"))
    return actions, expected


def quiz_problems(questions: list[dict], report: QuizReport, expected: list[tuple[int, bool, str, bool]]) -> list[str]:
    """What is wrong with a quiz as a reader answered it (empty when all is well).

    Parameters
    ----------
    questions : list of dict
        The questions the page should show (``gcbook.quiz.load_questions``).
    report : QuizReport
        What :meth:`reader_browser.Chromium.answer_quiz` saw for the actions of :func:`quiz_plan`.
    expected : list of tuple
        The second value of :func:`quiz_plan`.

    Returns
    -------
    list of str
        Missing or extra questions, question or answer texts that differ from the package's,
        feedback that was not shown, was marked right for a wrong answer (or wrong for a right
        one), or whose text is not the answer's, and JavaScript exceptions thrown meanwhile.
    """
    problems = []
    shown = report.questions
    if len(shown) != len(questions):
        problems.append(f"the page shows {len(shown)} self-check questions, the package has {len(questions)}")
    for index, (question, seen) in enumerate(zip(questions, shown)):
        if _plain(seen["text"]) != _plain(question["question"]):
            problems.append(
                f"question {index + 1} reads {seen['text'][:80]!r}, the package has {question['question'][:80]!r}"
            )
        if question["type"] != "numeric":
            due = sorted(_plain(answer["answer"]) for answer in question["answers"])
            if sorted(_plain(text) for text in seen["answers"]) != due:
                problems.append(f"question {index + 1} offers {seen['answers']}, the package {due}")
        elif seen["type"] != "numeric":
            problems.append(f"question {index + 1} has no box for a number")
    for (index, correct, feedback, prefix), got in zip(expected, report.feedback):
        what = f"question {index + 1}, a {'right' if correct else 'wrong'} answer"
        text = _plain(got["text"])
        if not got["shown"]:
            problems.append(f"{what}: no feedback is shown")
        elif (got["correct"], got["incorrect"]) != (correct, not correct):
            problems.append(
                f"{what}: the feedback is marked "
                f"{'right' if got['correct'] else 'wrong' if got['incorrect'] else 'neither'}"
            )
        if not (text.startswith(_plain(feedback) + " [") if prefix else text == _plain(feedback)):
            problems.append(f"{what}: the feedback reads {text[:100]!r}, due {feedback[:100]!r}")
    if len(report.feedback) != len(expected):
        problems.append(f"only {len(report.feedback)} of {len(expected)} answers were given")
    problems += [
        f"uncaught JavaScript exception: {exception}"
        for exception in report.javascript_exceptions
        if not any(harmless.match(exception) for harmless in HARMLESS_JS_EXCEPTIONS)
    ]
    return problems


DOCUMENTS = toc_documents()


# --- visiting the pages -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def visit(build_dir: Path, screenshot_dir: Path, chromium) -> Callable[[str], PageReport]:
    """A function that opens a document's page once per session and returns its report."""
    max_height = int(os.environ.get("GCBOOK_SCREENSHOT_MAX_HEIGHT", "16000"))
    reports: dict[str, PageReport | ChromiumError] = {}

    def visit_document(document: str) -> PageReport:
        if document not in reports:
            html = build_dir / f"{document}.html"
            if not html.is_file():
                pytest.fail(
                    f"{document}: the built book has no page {html} although _toc.yml lists the document.",
                    pytrace=False,
                )
            screenshot = screenshot_dir / (document.replace("/", "__") + ".png")
            try:
                reports[document] = chromium.inspect_page(html, screenshot, max_height)
            except ChromiumError as error:  # remembered, so the page's other tests fail at once
                reports[document] = error
        report = reports[document]
        if isinstance(report, ChromiumError):
            pytest.fail(f"{document}: Chromium could not inspect the page: {report}", pytrace=False)
        if report.navigation_error:
            pytest.fail(f"{document}: Chromium could not open {report.url}: {report.navigation_error}", pytrace=False)
        return report

    return visit_document


def fail_with(document: str, problem: str, details: list[str]) -> None:
    """Fail the current test with a message naming the page, the problem and each instance."""
    listing = "\n".join(f"  - {item}" for item in details)
    pytest.fail(f"{document}: {problem}\n{listing}", pytrace=False)


# --- the checks ---------------------------------------------------------------------------------


def test_toc_lists_documents():
    """The table of contents names at least one document, each with a source file."""
    assert DOCUMENTS, f"{TOC} lists no documents"
    missing = [document for document in DOCUMENTS if source_file(document) is None]
    assert not missing, f"{TOC} lists documents without a source file: {missing}"


@pytest.mark.parametrize("document", DOCUMENTS)
def test_page_loads(document: str, visit) -> None:
    """The page opens, has a title and a heading, loads its local resources, and renders."""
    report = visit(document)
    page = report.inspected
    problems = []
    if not page.get("title", "").strip():
        problems.append("the page has no <title>")
    if not page.get("h1"):
        problems.append(f"the main content ({page.get('main_selector')}) has no <h1>")
    problems += [f"local resource failed to load: {failure}" for failure in report.failed_local_resources]
    problems += [
        f"uncaught JavaScript exception: {exception}"
        for exception in report.javascript_exceptions
        if not any(harmless.match(exception) for harmless in HARMLESS_JS_EXCEPTIONS)
    ]
    if report.screenshot is None or not report.screenshot.is_file():
        problems.append("no screenshot was written")
    else:
        with Image.open(report.screenshot) as shot:
            grey = shot.convert("L")
            low, high = grey.getextrema()
            dark = sum(grey.histogram()[:200])
            if high - low < 64 or dark < 0.005 * grey.width * grey.height:
                problems.append(
                    f"the screenshot {report.screenshot} looks blank (grey levels {low}..{high}, {dark} dark pixels)"
                )
    if problems:
        fail_with(document, "the page does not load cleanly", problems)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_images_load(document: str, visit) -> None:
    """Every image in the main content has loaded (naturalWidth > 0)."""
    report = visit(document)
    broken = [
        f"<img src={image['src']!r} alt={image['alt']!r}>: "
        f"naturalWidth={image['natural_width']}, complete={image['complete']}"
        for image in report.inspected["images"]
        if image["natural_width"] <= 0
    ]
    if broken:
        fail_with(
            document,
            f"{len(broken)} of {len(report.inspected['images'])} images did not load (missing or unreadable file?)",
            broken,
        )


@pytest.mark.parametrize("document", DOCUMENTS)
def test_figures_present(document: str, visit, build_dir: Path) -> None:
    """A page whose code cells make figures shows at least as many output images."""
    notebook = executed_notebook_of_page(build_dir, document)
    if notebook is None:
        return
    expected = figure_outputs(notebook)
    report = visit(document)
    shown = [image for image in report.inspected["images"] if image["in_cell_output"] and image["natural_width"] > 0]
    if len(shown) < expected:
        fail_with(
            document,
            f"the executed notebook has {expected} figure outputs, but the page "
            f"shows only {len(shown)} loaded images in cell outputs",
            [f"shown: {image['src']}" for image in shown] or ["shown: none"],
        )


@pytest.mark.parametrize("document", DOCUMENTS)
def test_no_error_output(document: str, visit) -> None:
    """No stderr, traceback or error text is shown to the reader."""
    page = visit(document).inspected
    problems = [f"{output['element']}: {output['text'][:200]!r}" for output in page["error_outputs"]]
    if TRACEBACK in page["main_text"]:
        where = page["main_text"].index(TRACEBACK)
        problems.append(f"text {page['main_text'][where : where + 200]!r}")
    for text in page["cell_outputs"]:
        problems += [f"cell output line {match.group(0).strip()[:200]!r}" for match in EXCEPTION_LINE.finditer(text)]
    if problems:
        fail_with(document, "the page shows error output", problems)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_solutions_collapsed(document: str, visit) -> None:
    """Every dropdown solution is present and collapsed when the page opens."""
    source = source_file(document)
    declared = dropdown_solutions_declared(source) if source is not None else 0
    page = visit(document).inspected
    dropdowns = [solution for solution in page["solutions"] if solution["dropdown"] or solution["is_details"]]
    problems = []
    if len(dropdowns) < declared:
        problems.append(
            f"the source declares {declared} solutions with :class: dropdown, but the "
            f"page has only {len(dropdowns)} collapsible solutions "
            f"({[solution['title'] for solution in dropdowns]})"
        )
    for solution in dropdowns:
        name = f"{solution['title']!r} ({solution['element']})"
        if solution["is_details"] and solution["details_open"]:
            problems.append(f"{name} is an open <details>")
        if solution["shown_body_parts"]:
            problems.append(
                f"{name} is expanded: {len(solution['shown_body_parts'])} of "
                f"{solution['body_parts']} body parts are visible, e.g. "
                f"{solution['shown_body_parts'][0]!r}"
            )
        if not solution["title_shown"]:
            problems.append(f"{name}: the title a reader clicks to open it is not visible")
    if problems:
        fail_with(document, "exercise solutions are not collapsed as they should be", problems)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_math_typesets(document: str, visit) -> None:
    """MathJax (served locally) typesets every formula on the page, without a TeX error."""
    report = visit(document)
    mathjax = report.inspected.get("mathjax", {})
    problems = [f"MathJax file missing from the local copy: {url}" for url in report.mathjax_missing]
    if mathjax.get("math_elements", 0) and not mathjax.get("loaded"):
        problems.append(
            f"the page has {mathjax['math_elements']} formulas but MathJax did not "
            f"load ({report.mathjax_served} MathJax files served locally)"
        )
    if mathjax.get("loaded") and not mathjax.get("finished"):
        problems.append(
            "MathJax did not finish typesetting"
            + (f": {mathjax['startup_error']}" if mathjax.get("startup_error") else " within the time limit")
        )
    problems += [f"TeX error in ${problem['tex']}$: {problem['error']}" for problem in mathjax.get("problems", [])]
    if not mathjax.get("problems"):  # the same errors as seen in the page, if MathJax's list missed them
        problems += [f"MathJax error shown on the page: {text!r}" for text in mathjax.get("dom_errors", [])]
    if mathjax.get("loaded"):
        problems += [f"formula not typeset: {text!r}" for text in mathjax.get("untypeset", [])]
    problems += [
        f"display formula {wide['width']} px wide in a column of {wide['column']} px (it runs off "
        f"the page; break it with aligned): ${wide['tex']}$"
        for wide in mathjax.get("too_wide", [])
    ]
    if problems:
        fail_with(document, "the formulas do not typeset cleanly", problems)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_captions_stay_with_their_outputs(document: str, build_dir: Path) -> None:
    """No cell prints, displays and prints again (nb_merge_streams would move the second text)."""
    notebook = executed_notebook_of_page(build_dir, document)
    if notebook is None:
        return
    problems = displaced_streams(json.loads(notebook.read_text()), merge_streams_configured())
    if problems:
        fail_with(
            document,
            "printed text would be shown away from the table or figure it "
            "belongs to (nb_merge_streams gathers a cell's printed text at its first print): "
            "give a table its caption with df.style.set_caption or display(Markdown(...)), "
            "or split the cell",
            problems,
        )


@pytest.mark.parametrize("document", DOCUMENTS)
def test_no_raw_tex_in_prose(document: str, build_dir: Path) -> None:
    """Every formula of the prose became a formula: no stray ``$\\cmd`` or ``\\cmd`` text."""
    problems = raw_tex((build_dir / f"{document}.html").read_text(encoding="utf-8"))
    if problems:
        fail_with(
            document,
            "TeX shows as text (a formula the Markdown broke, or a reference "
            "whose heading has math: give the reference its own text)",
            problems,
        )


@pytest.mark.parametrize("document", DOCUMENTS)
def test_self_check_answers(document: str, build_dir: Path, chromium) -> None:
    """A reader who answers every self-check question wrong, then right, sees the right feedback."""
    from gcbook.quiz import load_questions

    source = source_file(document)
    names = self_check_chapters(source) if source is not None else []
    if not names:
        return
    questions = [question for name in names for question in load_questions(name)]
    actions, expected = quiz_plan(questions)
    try:
        report = chromium.answer_quiz(build_dir / f"{document}.html", actions)
    except ChromiumError as error:
        pytest.fail(f"{document}: Chromium could not answer the self-check: {error}", pytrace=False)
    if report.navigation_error:
        pytest.fail(f"{document}: Chromium could not open {report.url}: {report.navigation_error}", pytrace=False)
    problems = quiz_problems(questions, report, expected)
    if problems:
        fail_with(document, "the self-check questions do not work as a reader expects", problems)


# --- the checks themselves catch what they are for (no build needed) -----------------------------


def _code_cell(outputs: list[dict], tags: tuple[str, ...] = (), **metadata: Any) -> dict:
    return {
        "cell_type": "code",
        "source": "print('caption')",
        "outputs": outputs,
        "metadata": {"tags": list(tags), **metadata},
    }


def _stream(text: str, name: str = "stdout") -> dict:
    return {"output_type": "stream", "name": name, "text": text}


_TABLE = {"output_type": "display_data", "data": {"text/html": "<table></table>"}, "metadata": {}}


def test_displaced_streams_finds_a_caption_printed_after_a_table() -> None:
    moved = _code_cell([_stream("caption 1\n"), _TABLE, _stream("caption 2\n"), _TABLE])
    fine = [
        _code_cell([_stream("caption 1\n"), _stream("more\n"), _TABLE]),  # all text first
        _code_cell([_TABLE, _stream("after the table\n")]),  # merging moves nothing
        _code_cell([_stream("a\n"), _TABLE, _stream("b\n", name="stderr")]),  # another stream
        _code_cell([_stream("a\n"), _TABLE, _stream("\n")]),  # nothing visible moves
        _code_cell([_stream("a\n"), _TABLE, _stream("b\n")], tags=("remove-output",)),
        _code_cell([_stream("a\n"), _TABLE, _stream("b\n")], mystnb={"merge_streams": False}),
    ]
    problems = displaced_streams({"cells": [moved] + fine})
    assert len(problems) == 1 and problems[0].startswith("code cell 1 ") and "'caption 2'" in problems[0]
    assert displaced_streams({"cells": [moved]}, merge_streams=False) == []


def test_math_check_catches_a_tex_error(chromium, tmp_path: Path) -> None:
    """A page like the book's (MathJax 3 from the CDN URL): a good and two broken formulas."""
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>t</title>"
        '<script>window.MathJax = {"options": {"processHtmlClass": "math"}}</script>'
        '<script defer src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>'
        '</head><body class="tex2jax_ignore mathjax_ignore"><main><h1>t</h1>'
        '<p><span class="math notranslate nohighlight">\\(a^2 + \\mathbb{R}\\)</span>'
        '<span class="math notranslate nohighlight">\\(x^2^3\\)</span>'
        '<span class="math notranslate nohighlight">\\(\\undefinedmacro{x}\\)</span></p>'
        "</main></body></html>"
    )
    mathjax = chromium.inspect_page(page, None).inspected["mathjax"]
    assert mathjax["loaded"] and mathjax["finished"] and mathjax["formulas"] == 3
    assert [problem["tex"] for problem in mathjax["problems"]] == ["x^2^3", "\\undefinedmacro{x}"]
    assert "Double exponent" in mathjax["problems"][0]["error"]
    assert mathjax["untypeset"] == []


def test_math_check_catches_a_display_formula_wider_than_its_column(chromium, tmp_path: Path) -> None:
    """In a 300 px column, a long display formula runs off the column and a short one fits."""
    page = tmp_path / "wide.html"
    long_sum = " + ".join(f"\\frac{{x_{{{k}}}}}{{y_{{{k}}}}}" for k in range(30))
    page.write_text(
        "<!DOCTYPE html><html><head><title>t</title>"
        '<script>window.MathJax = {"options": {"processHtmlClass": "math"}}</script>'
        '<script defer src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>'
        '</head><body class="tex2jax_ignore mathjax_ignore"><main style="width: 300px"><h1>t</h1>'
        f'<div class="math notranslate nohighlight">\\[{long_sum}\\]</div>'
        '<div class="math notranslate nohighlight">\\[a + b\\]</div>'
        "</main></body></html>"
    )
    mathjax = chromium.inspect_page(page, None).inspected["mathjax"]
    assert mathjax["finished"] and mathjax["formulas"] == 2
    assert [wide["tex"] for wide in mathjax["too_wide"]] == [long_sum[:300]]  # the report keeps 300 characters
    assert mathjax["too_wide"][0]["width"] > mathjax["too_wide"][0]["column"] == 300


def test_raw_tex_finds_a_formula_broken_by_markdown() -> None:
    page = (
        "<main><p>the gain has $\\mathbb E \\log m = 0.95</p><blockquote>0$, so</blockquote>"
        "<p>see <a>Choosing \\lambda</a></p>"
        '<p>fine: <span class="math">\\(\\lambda\\)</span>, <code>\\alpha</code>, costs $5</p>'
        '<div class="cell_output"><pre>$\\beta$</pre></div></main>'
    )
    problems = raw_tex(page)
    assert any("$\\mathbb" in problem for problem in problems)
    assert any("Choosing \\lambda" in problem for problem in problems)
    assert raw_tex("<main>" + page[page.index("<p>fine") :]) == []


def _quiz_page(path: Path, questions: list[dict]) -> Path:
    """A page like a chapter's, with the self-check outputs of ``questions`` (no build needed)."""
    from gcbook.quiz import _quiz_outputs

    markup, script = _quiz_outputs(questions, shuffle_answers=True, max_width=720)
    path.write_text(
        "<!DOCTYPE html><html><head><title>t</title>"
        '<script>window.MathJax = {"options": {"processHtmlClass": "math"}}</script>'
        '<script defer src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>'
        '</head><body><main><h1>t</h1><div class="cell_output"><div class="output text_html">'
        f'{markup}</div><script type="application/javascript">{script}</script></div>'
        "<p>after</p></main></body></html>"
    )
    return path


_QUIZ = [
    {
        "type": "multiple_choice",
        "question": "Is `a < b`?",
        "answers": [
            {"answer": "yes", "correct": True, "feedback": "Right: a is smaller."},
            {"answer": "no", "correct": False, "feedback": "Wrong: see `a`."},
        ],
    },
    {
        "type": "many_choice",
        "question": "Which two?",
        "answers": [
            {"answer": "x", "correct": True, "feedback": "x counts."},
            {"answer": "y", "correct": True, "feedback": "y counts."},
            {"answer": "z", "correct": False, "feedback": "z does not."},
        ],
    },
    {
        "type": "numeric",
        "question": "How many?",
        "precision": 2,
        "answers": [
            {"value": 12, "correct": True, "feedback": "Twelve."},
            {"range": [0, 12], "correct": False, "feedback": "Too few."},
            {"type": "default", "feedback": "Not that."},
        ],
    },
]


def test_quiz_check_passes_a_working_quiz_and_catches_swapped_answers(chromium, tmp_path: Path) -> None:
    """The self-check check: clean on a working quiz; a right answer marked wrong is caught."""
    actions, expected = quiz_plan(_QUIZ)
    assert [action.get("click", action.get("type")) for action in actions] == ["no", "yes", "z", "x", "6", "12"]
    report = chromium.answer_quiz(_quiz_page(tmp_path / "quiz.html", _QUIZ), actions)
    assert quiz_problems(_QUIZ, report, expected) == []
    assert report.blocked_external == 0 and report.mathjax_served > 0  # nothing else went out
    swapped = [
        dict(_QUIZ[0], answers=[dict(answer, correct=not answer["correct"]) for answer in _QUIZ[0]["answers"]])
    ] + _QUIZ[1:]
    report = chromium.answer_quiz(_quiz_page(tmp_path / "swapped.html", swapped), actions)
    assert quiz_problems(_QUIZ, report, expected) == [
        "question 1, a wrong answer: the feedback is marked right",
        "question 1, a right answer: the feedback is marked wrong",
    ]
