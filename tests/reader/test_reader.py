"""The reader test: open every page of the built book in headless Chromium and check what it shows.

How the browser is driven
-------------------------
Option (b) of the issue: Chromium (Debian's ``chromium``) runs headless with
``--remote-debugging-port``, and ``reader_browser.Chromium`` talks the Chrome DevTools Protocol to
it over one websocket (``websocket-client``, already a dependency). Each page is opened from its
``file://`` URL in a fresh tab with all ``http(s)://`` requests blocked, so the test needs no
network: MathJax (from a CDN) simply does not load and the formulas stay as TeX, which no check
minds. After the page's load event, a script evaluated *in the live page* waits for the images to
decode and the toggle animations to finish, then reads what a reader would see: ``naturalWidth`` of
every image, computed styles and layout boxes of the solution bodies, the rendered text of the
cell outputs. A PNG screenshot of every page, 1280 CSS pixels wide and as tall as the page up to
``GCBOOK_SCREENSHOT_MAX_HEIGHT`` (default 16000, i.e. whole short pages and the first half or
so of the long chapters), is saved to ``_build/screenshots/`` for CI to upload. Screenshot time
grows with height (about 0.3 s per 1000 pixels on two cores); set the variable to 100000 for
whole pages. One page takes 2 to 8 seconds, the whole book under a minute.

Which pages
-----------
Every document of ``_toc.yml`` (the root and every ``file:`` entry, read at collection time, so a
new chapter is covered without touching this file). Every check runs on every page; a check that
does not apply to a page (no code cells, no exercises) passes trivially there, so the introduction,
"how to use" and bibliography pages are at least loaded, rendered and screenshotted.

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

from reader_browser import ChromiumError, PageReport

REPOSITORY = Path(__file__).resolve().parents[2]
TOC = REPOSITORY / "_toc.yml"
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
HARMLESS_JS_EXCEPTIONS = (
    re.compile(r"^SyntaxError: Identifier 'THEBE_JS_URL' has already been declared\b"),
)


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
            for key, value in node.items():
                if isinstance(value, (list, dict)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    add(toc["root"])
    walk(toc)
    return documents


def source_file(document: str) -> Path | None:
    """The source file of ``document`` in the repository, or None if it has none."""
    for suffix in SOURCE_SUFFIXES:
        candidate = REPOSITORY / f"{document}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def markdown_text(source: Path) -> str:
    """The MyST text of a source: the file itself, or a notebook's markdown cells joined."""
    if source.suffix != ".ipynb":
        return source.read_text()
    notebook = json.loads(source.read_text())
    return "\n".join("".join(cell["source"]) if isinstance(cell["source"], list)
                     else cell["source"]
                     for cell in notebook["cells"] if cell["cell_type"] == "markdown")


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
        for option_line in lines[index + 1:]:
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
                pytest.fail(f"{document}: the built book has no page {html} although _toc.yml "
                            "lists the document.", pytrace=False)
            screenshot = screenshot_dir / (document.replace("/", "__") + ".png")
            try:
                reports[document] = chromium.inspect_page(html, screenshot, max_height)
            except ChromiumError as error:  # remembered, so the page's other tests fail at once
                reports[document] = error
        report = reports[document]
        if isinstance(report, ChromiumError):
            pytest.fail(f"{document}: Chromium could not inspect the page: {report}",
                        pytrace=False)
        if report.navigation_error:
            pytest.fail(f"{document}: Chromium could not open {report.url}: "
                        f"{report.navigation_error}", pytrace=False)
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
    problems += [f"local resource failed to load: {failure}"
                 for failure in report.failed_local_resources]
    problems += [f"uncaught JavaScript exception: {exception}"
                 for exception in report.javascript_exceptions
                 if not any(harmless.match(exception) for harmless in HARMLESS_JS_EXCEPTIONS)]
    if report.screenshot is None or not report.screenshot.is_file():
        problems.append("no screenshot was written")
    else:
        with Image.open(report.screenshot) as shot:
            grey = shot.convert("L")
            low, high = grey.getextrema()
            dark = sum(grey.histogram()[:200])
            if high - low < 64 or dark < 0.005 * grey.width * grey.height:
                problems.append(f"the screenshot {report.screenshot} looks blank "
                                f"(grey levels {low}..{high}, {dark} dark pixels)")
    if problems:
        fail_with(document, "the page does not load cleanly", problems)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_images_load(document: str, visit) -> None:
    """Every image in the main content has loaded (naturalWidth > 0)."""
    report = visit(document)
    broken = [f"<img src={image['src']!r} alt={image['alt']!r}>: "
              f"naturalWidth={image['natural_width']}, complete={image['complete']}"
              for image in report.inspected["images"] if image["natural_width"] <= 0]
    if broken:
        fail_with(document, f"{len(broken)} of {len(report.inspected['images'])} images did not "
                  "load (missing or unreadable file?)", broken)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_figures_present(document: str, visit, build_dir: Path) -> None:
    """A page whose code cells make figures shows at least as many output images."""
    source = source_file(document)
    if source is None or not has_code_cells(source):
        return
    notebook = executed_notebook(build_dir, document)
    if not notebook.is_file():
        pytest.fail(f"{document}: the source has code cells but the build wrote no executed "
                    f"notebook {notebook}; was the book built with execution on?", pytrace=False)
    expected = figure_outputs(notebook)
    report = visit(document)
    shown = [image for image in report.inspected["images"]
             if image["in_cell_output"] and image["natural_width"] > 0]
    if len(shown) < expected:
        fail_with(document, f"the executed notebook has {expected} figure outputs, but the page "
                  f"shows only {len(shown)} loaded images in cell outputs",
                  [f"shown: {image['src']}" for image in shown] or ["shown: none"])


@pytest.mark.parametrize("document", DOCUMENTS)
def test_no_error_output(document: str, visit) -> None:
    """No stderr, traceback or error text is shown to the reader."""
    page = visit(document).inspected
    problems = [f"{output['element']}: {output['text'][:200]!r}"
                for output in page["error_outputs"]]
    if TRACEBACK in page["main_text"]:
        where = page["main_text"].index(TRACEBACK)
        problems.append(f"text {page['main_text'][where:where + 200]!r}")
    for text in page["cell_outputs"]:
        problems += [f"cell output line {match.group(0).strip()[:200]!r}"
                     for match in EXCEPTION_LINE.finditer(text)]
    if problems:
        fail_with(document, "the page shows error output", problems)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_solutions_collapsed(document: str, visit) -> None:
    """Every dropdown solution is present and collapsed when the page opens."""
    source = source_file(document)
    declared = dropdown_solutions_declared(source) if source is not None else 0
    page = visit(document).inspected
    dropdowns = [solution for solution in page["solutions"]
                 if solution["dropdown"] or solution["is_details"]]
    problems = []
    if len(dropdowns) < declared:
        problems.append(f"the source declares {declared} solutions with :class: dropdown, but the "
                        f"page has only {len(dropdowns)} collapsible solutions "
                        f"({[solution['title'] for solution in dropdowns]})")
    for solution in dropdowns:
        name = f"{solution['title']!r} ({solution['element']})"
        if solution["is_details"] and solution["details_open"]:
            problems.append(f"{name} is an open <details>")
        if solution["shown_body_parts"]:
            problems.append(f"{name} is expanded: {len(solution['shown_body_parts'])} of "
                            f"{solution['body_parts']} body parts are visible, e.g. "
                            f"{solution['shown_body_parts'][0]!r}")
        if not solution["title_shown"]:
            problems.append(f"{name}: the title a reader clicks to open it is not visible")
    if problems:
        fail_with(document, "exercise solutions are not collapsed as they should be", problems)
