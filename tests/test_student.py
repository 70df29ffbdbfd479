"""The student edition: same sources, solutions removed, stubs kept, every chapter covered."""

import json
import re
import textwrap
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from gcbook.student import build_student_edition, chapter_sources, main, solution_text, student_notebook

ROOT = Path(__file__).resolve().parents[1]

TOY = textwrap.dedent(
    """\
    ---
    jupytext:
      text_representation:
        format_name: myst
    kernelspec:
      display_name: Python 3
      name: python3
    ---

    # Toy chapter

    ```{code-cell} ipython3
    x = 1
    ```

    ```{exercise} Add numbers
    :label: ex-add

    Write `add(a, b)`.
    ```

    ```{code-cell} ipython3
    :tags: [student-stub, skip-execution]

    def add(a, b):
        raise NotImplementedError("Exercise: add")
    ```

    ```{solution-start} ex-add
    :label: sol-add
    :class: dropdown
    ```

    The secret explanation of the addition.

    ```{code-cell} ipython3
    def add(a, b):
        return a + b  # SECRET-CODE
    ```

    ```{solution-end}
    ```

    ```{code-cell} ipython3
    print(add(1, 2))
    ```

    ````{exercise} Prove it
    :label: ex-proof

    Show that $1 + 1 = 2$.
    ````

    ````{solution} ex-proof
    :label: sol-proof
    :class: dropdown

    By the SECRET-PROOF axiom.

    ```python
    assert 1 + 1 == 2  # SECRET-BLOCK
    ```
    ````

    Closing words.
    """
)


@pytest.fixture
def toy(tmp_path):
    path = tmp_path / "toy.md"
    path.write_text(TOY)
    return path


def _all_text(nb):
    return "\n".join(cell.source for cell in nb.cells)


def test_toy_chapter_loses_solutions_keeps_stubs(toy):
    nb = student_notebook(toy)
    text = _all_text(nb)
    for secret in ("SECRET-CODE", "SECRET-PROOF", "SECRET-BLOCK", "secret explanation", "solution"):
        assert secret not in text
    stubs = [c for c in nb.cells if "student-stub" in c.metadata.get("tags", [])]
    assert len(stubs) == 1 and "NotImplementedError" in stubs[0].source
    assert "skip-execution" not in stubs[0].metadata["tags"]  # students run their stub
    assert "### Exercise: Add numbers" in text and "### Exercise: Prove it" in text
    assert ":label:" not in text
    assert "print(add(1, 2))" in text and "Closing words." in text and "x = 1" in text
    assert all(not getattr(c, "outputs", []) for c in nb.cells)


def test_solution_text_finds_every_solution_line(toy):
    lines = solution_text(toy)
    assert "The secret explanation of the addition." in lines
    assert "return a + b  # SECRET-CODE" in lines
    assert "By the SECRET-PROOF axiom." in lines
    assert "Write `add(a, b)`." not in lines


def test_unclosed_solution_raises(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text(TOY.replace("```{solution-end}\n```\n", ""))
    with pytest.raises(ValueError, match="solution-end"):
        student_notebook(bad)


def test_every_chapter_student_edition(tmp_path):
    """The real book: each chapter with code becomes a notebook with no solution text left."""
    chapters = chapter_sources(ROOT / "_toc.yml")
    assert any(path.stem == "granger" for path in chapters)
    written = build_student_edition(tmp_path, ROOT / "_toc.yml")
    assert sorted(p.stem for p in written) == sorted(p.stem for p in chapters)
    for source, target in zip(chapters, written):
        nb = nbformat.read(target, as_version=4)
        nbformat.validate(nb)
        text = _all_text(nb)
        # A solution line that the chapter also has outside its solutions (a common fragment such
        # as `dtype=torch.float32)`) is not a secret; every other line of 13+ characters must be gone.
        solution_lines = solution_text(source)
        to_remove = Counter(line.strip() for line in solution_lines)
        outside = []
        for line in source.read_text().splitlines():
            if to_remove[line.strip()] > 0:
                to_remove[line.strip()] -= 1
            else:
                outside.append(line)
        outside_text = "\n".join(outside)
        secrets = [line for line in solution_lines if len(line) > 12 and line.strip() not in outside_text]
        assert len(secrets) >= len([line for line in solution_lines if len(line) > 12]) // 2
        leaked = [line for line in secrets if line in text]
        assert not leaked, f"{source.name}: solution text in the student notebook: {leaked[:3]}"
        src = source.read_text()
        assert src.count("student-stub") == sum("student-stub" in c.metadata.get("tags", []) for c in nb.cells)
        assert src.count("{exercise}") == text.count("### Exercise")


def test_granger_chapter_has_stubs_and_solutions():
    source = ROOT / "book" / "granger.md"
    assert len(solution_text(source)) > 20
    nb = student_notebook(source)
    stubs = [c for c in nb.cells if "student-stub" in c.metadata.get("tags", [])]
    assert len(stubs) >= 2
    assert all("NotImplementedError" in c.source or "..." in c.source for c in stubs)
    assert any("check_granger_f" in c.source for c in nb.cells if c.cell_type == "code")


def test_command_line(tmp_path, capsys):
    assert main(["--out", str(tmp_path / "out"), "--toc", str(ROOT / "_toc.yml")]) == 0
    out = capsys.readouterr().out
    assert "granger.ipynb" in out
    nb = json.loads((tmp_path / "out" / "granger.ipynb").read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


# --- the instructor guide describes the chapters as they are ---------------------------------------------------
# The guide is not executed, so what it says about the chapters' exercises is checked here instead.


def _guide_rows(header_start: str) -> list[list[str]]:
    """The body rows of the guide's Markdown table whose header starts with ``header_start``."""
    lines = (ROOT / "book" / "instructor_guide.md").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
    return rows


def _chapter_of_label() -> dict[str, Path]:
    """``{"chap-granger": book/granger.md, ...}`` from the ``(label)=`` targets of the chapters."""
    import re

    found = {}
    for path in (ROOT / "book").glob("*.md"):
        for label in re.findall(r"^\((chap-[\w-]+)\)=\s*$", path.read_text(), flags=re.MULTILINE):
            found[label] = path
    return found


def test_instructor_guide_counts_the_chapters_exercises():
    import re

    chapters = _chapter_of_label()
    rows = _guide_rows("| chapter | exercises | auto-checked |")
    assert len(rows) == len(chapters), "one syllabus row per chapter"
    for row in rows:
        label = re.search(r"<(chap-[\w-]+)>", row[0]).group(1)
        source = chapters[label].read_text()
        exercises = len(re.findall(r"^\s*(?:`{3,}|:{3,})\{exercise(?:-start)?\}", source, flags=re.MULTILINE))
        assert int(row[1]) == exercises, f"{label}: the guide says {row[1]} exercises, the chapter has {exercises}"
        for exercise in re.findall(r"\{ref\}`(ex-[\w-]+)`", row[2]):  # the auto-checked ones exist
            assert f":label: {exercise}" in source, f"{label}: no exercise {exercise}"


def test_instructor_guide_lists_the_student_notebooks():
    import re

    guide = (ROOT / "book" / "instructor_guide.md").read_text()
    paragraph = guide[guide.index("It writes one notebook per page") : guide.index("In these notebooks")]
    listed = re.findall(r"`(\w+)\.ipynb`", paragraph)
    assert listed == [path.stem for path in chapter_sources(ROOT / "_toc.yml")]


def test_instructor_guide_names_the_results_each_chapter_loads():
    import re

    chapters = _chapter_of_label()
    saved = {path.name for path in (ROOT / "gcbook" / "data" / "benchmarks").glob("*.json")}
    for row in _guide_rows("| chapter | exercises | auto-checked |"):
        label = re.search(r"<(chap-[\w-]+)>", row[0]).group(1)
        source = chapters[label].read_text()
        loaded = {f"{name}.json" for name in re.findall(r"load_benchmark\(\"(\w+)\"\)", source)}
        assert loaded <= saved, f"{label}: loads results that are not saved: {sorted(loaded - saved)}"
        listed = set(re.findall(r"`(\w+\.json)`", row[-1]))
        assert listed == loaded, f"{label}: the guide lists {sorted(listed)}, the chapter opens {sorted(loaded)}"


# --- plain Markdown: the student edition runs anywhere a notebook runs ------------------------------------------

TOY_BOOK_CHAPTER = textwrap.dedent(
    """\
    ---
    jupytext:
      text_representation:
        format_name: myst
    kernelspec:
      display_name: Python 3
      name: python3
    ---

    ```{code-cell} ipython3
    # a comment in a code cell, not the chapter's title
    ```

    (chap-toy)=
    # Toy book chapter

    (sec-toy-model)=
    ## The model

    As {cite:t}`granger1969` and others {cite:p}`granger1969,sims1980` say, $x \\in \\R^p$ and

    $$
    y = a x
    $$ (eq-toy-line)

    Equation {eq}`eq-toy-line` is a line; see {ref}`sec-toy-model`, {ref}`the other part <sec-toy-other>`,
    {numref}`fig-toy-plot`, {prf:ref}`def-toy-cause`, {doc}`other` and the value {glue:text}`toy_value:.2f`,
    computed by {py:func}`gcbook.granger.granger_test` ({py:func}`~gcbook.granger.fit_var`, {py:mod}`the module <gcbook.granger>`),
    whose role wraps {ref}`onto
    the next line <sec-toy-other>`.

    ```{admonition} Take care
    :class: warning

    A warning with {cite:p}`sims1980`.
    ```

    ```{prf:definition} Cause
    :label: def-toy-cause

    $x$ causes $y$.
    ```

    ```{literalinclude} ../toy_module.py
    :language: python
    :pyobject: Model.fit
    ```

    ```{code-cell} ipython3
    from myst_nb import glue
    import numpy as np
    from gcbook.granger import granger_test

    glue("toy_value", 3.14159, display=False)
    ```

    ```{code-cell} ipython3
    ---
    mystnb:
      figure:
        caption: A plot of {glue:text}`toy_value:.1f`.
        name: fig-toy-plot
    ---
    print("figure")
    ```

    (sec-toy-other)=
    ## The other part

    ```{exercise} Add
    :label: ex-toy-add

    Write `add`, as in {ref}`sec-toy-model`.
    ```
    """
)

TOY_BIB = textwrap.dedent(
    """\
    @article{granger1969,
      author = {Granger, C. W. J.},
      title = {Investigating Causal Relations by Econometric Models},
      journal = {Econometrica},
      year = {1969}
    }
    @article{sims1980,
      author = {Sims, Christopher A. and L{\\"u}tkepohl, A. and Third, B.},
      title = {Macroeconomics and Reality},
      journal = {Econometrica},
      year = {1980}
    }
    """
)


@pytest.fixture
def toy_book(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "toy.md").write_text(TOY_BOOK_CHAPTER)
    (tmp_path / "book" / "other.md").write_text("# Another page\n\nText.\n")
    (tmp_path / "references.bib").write_text(TOY_BIB)
    (tmp_path / "book" / "reference").mkdir()  # a page with the same file name in another folder
    (tmp_path / "book" / "reference" / "toy.md").write_text("# gcbook.toy: the reference page\n\nText.\n")
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/toy\nchapters:\n  - file: book/other\n  - file: book/reference/toy\n"
    )
    (tmp_path / "_config.yml").write_text(
        'sphinx:\n  config:\n    mathjax3_config:\n      tex:\n        macros:\n          R: "\\\\mathbb{R}"\n'
    )
    (tmp_path / "requirements.txt").write_text("numpy==1.2.3\n")
    (tmp_path / "toy_module.py").write_text(
        "class Model:\n    def other(self):\n        pass\n\n    def fit(self, X):\n        return X  # FIT-BODY\n"
    )
    return tmp_path


def _markdown(nb):
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


def test_myst_becomes_plain_markdown(toy_book):
    nb = student_notebook(toy_book / "book" / "toy.md", toc=toy_book / "_toc.yml")
    md = _markdown(nb)
    assert "Granger (1969) and others (Granger, 1969; Sims et al., 1980) say" in md
    assert r"$x \in \mathbb{R}^p$" in md and "\\R" not in md
    assert "\\tag{1}\n$$" in md and "(eq-toy-line)" not in md
    assert "Equation (1) is a line" in md
    assert "see the section “The model”, the other part," in md
    assert "Figure 1, Definition (Cause), the chapter “Another page” and the value `[toy_value]`" in md
    assert "whose role wraps onto\nthe next line." in md
    assert "computed by `gcbook.granger.granger_test` (`fit_var`, the module)," in md
    assert "> **Take care**" in md and "> A warning with (Sims et al., 1980)." in md
    assert "> **Definition (Cause).**" in md and "> $x$ causes $y$." in md
    assert "```python\ndef fit(self, X):\n    return X  # FIT-BODY\n```" in md and "def other" not in md
    assert "**Figure 1.** A plot of `[toy_value]`." in md
    assert "### Exercise: Add" in md and "Write `add`, as in the section “The model”." in md
    assert "- Sims, Lütkepohl, Third (1980). Macroeconomics and Reality. *Econometrica*." in md
    assert (
        "## References" in md
        and "- Granger (1969). Investigating Causal Relations by Econometric Models. *Econometrica*." in md
    )
    leftover = re.findall(r"\{[\w:-]+\}`|```\{|^\([\w-]+\)=$|^:\w+:", md, flags=re.MULTILINE)
    assert not leftover, leftover
    code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    assert "from gcbook.glue import glue" in code[2] and "myst_nb" not in "\n".join(code)
    assert "NEEDED" in code[0] and "'numpy': 'numpy==1.2.3'" in code[0]
    assert "Numbers that the online book prints" in nb.cells[0].source
    assert "the chapter “Toy book chapter”" in nb.cells[0].source  # not the code comment, not the other page


def test_glued_values_come_from_an_executed_build(toy_book):
    executed = toy_book / "_build" / "jupyter_execute" / "book"
    executed.mkdir(parents=True)
    record = {
        "output_type": "display_data",
        "metadata": {"scrapbook": {"name": "toy_value"}},
        "data": {"text/plain": "3.14159"},
    }
    (executed / "toy.glue.json").write_text(json.dumps({"toy_value": record}))
    nb = student_notebook(toy_book / "book" / "toy.md", toc=toy_book / "_toc.yml", executed=executed.parent)
    md = _markdown(nb)
    assert "the value 3.14," in md and "A plot of 3.1." in md and "`[toy_value]`" not in md
    assert "Numbers that the online book prints" not in nb.cells[0].source


@pytest.mark.parametrize(
    "bad, message",
    [
        ("{unknownrole}`x`", "has no plain-Markdown form"),
        ("{ref}`sec-nowhere`", "names no label"),
        ("{cite:p}`nobody2020`", "no reference"),
        ("```{figure} x.png\n```", "has no plain-Markdown form"),
    ],
)
def test_unconvertible_myst_is_a_value_error(toy_book, bad, message):
    path = toy_book / "book" / "toy.md"
    path.write_text(TOY_BOOK_CHAPTER.replace("Closing", "") + f"\n{bad}\n")
    with pytest.raises(ValueError, match=message):
        student_notebook(path, toc=toy_book / "_toc.yml")


def _run_install_cell(source, present):
    """Execute an install cell with ``find_spec`` and ``subprocess.check_call`` replaced."""
    import importlib.util
    import subprocess
    from unittest import mock

    calls = []
    real = importlib.util.find_spec
    with (
        mock.patch.object(importlib.util, "find_spec", lambda name, *a: real("json") if name in present else None),
        mock.patch.object(subprocess, "check_call", lambda args: calls.append(args)),
        mock.patch("sys.platform", "linux"),
    ):
        exec(compile(source, "<install cell>", "exec"), {})
    return calls


def test_install_cell_installs_only_what_is_missing():
    from gcbook.student import install_cell_source

    source = install_cell_source(
        ["numpy", "torch"], ["sklearn", "not_installed_anywhere"], requirements=ROOT / "requirements.txt"
    )
    assert "not_installed_anywhere" not in source  # an optional module missing here is left out
    assert _run_install_cell(source, present={"gcbook", "numpy", "torch", "sklearn"}) == []
    call, own = _run_install_cell(source, present={"numpy"})
    assert call[1:4] == own[1:4] == ["-m", "pip", "install"]
    pins = dict(
        line.split("==")
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith(("#", "-"))
    )
    assert f"torch=={pins['torch']}+cpu" in call and "https://download.pytorch.org/whl/cpu" in call
    assert f"scikit-learn=={pins['scikit-learn']}" in call and not any(arg.startswith("numpy") for arg in call)
    # gcbook comes last and without dependencies, so an installed torch (Colab's) is not replaced
    assert own[-2:] == ["--no-deps", "gcbook @ git+https://github.com/gcbook/gcbook"]
    assert not any("gcbook" in arg for arg in call)
    (only_gcbook,) = _run_install_cell(source, present={"numpy", "torch", "sklearn"})
    assert only_gcbook == own
    with pytest.raises(ValueError, match="no_such_module"):
        install_cell_source(["no_such_module"])


def test_every_chapter_is_plain_markdown_with_an_install_cell(tmp_path):
    import ast

    written = build_student_edition(tmp_path, ROOT / "_toc.yml")
    for path in written:
        nb = nbformat.read(path, as_version=4)
        md = _markdown(nb)
        leftover = re.findall(r"\{[\w:-]+\}`|```\{|^:::|^\([\w:.-]+\)=\s*$|^:\w[\w-]*:", md, flags=re.MULTILINE)
        assert not leftover, f"{path.name}: MyST left in the student notebook: {leftover[:3]}"
        assert nb.cells[1].metadata["tags"] == ["install"] and "NEEDED" in nb.cells[1].source
        code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
        for source in code:
            ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))
        assert not any("myst_nb" in source for source in code), path.name
        assert "benchmarks/results" not in "\n".join(code) and "../" not in "\n".join(code), path.name


def test_glue_stand_in_shows_the_value_unless_told_not_to(capsys):
    from gcbook.glue import glue

    glue("x", 41.5)
    glue("y", "hidden text", display=False)
    out = capsys.readouterr().out
    assert "41.5" in out and "hidden text" not in out
    with pytest.raises(ValueError, match="non-empty name"):
        glue("", 1)


def test_how_to_use_links_every_student_notebook_where_it_is_written():
    """The download links point where `make book` writes the notebooks, the Binder links where postBuild does."""
    page = (ROOT / "book" / "how_to_use.md").read_text()
    stems = [path.stem for path in chapter_sources(ROOT / "_toc.yml")]
    assert re.findall(r'href="\.\./student/(\w+)\.ipynb"', page) == stems
    assert re.findall(r"urlpath=lab/tree/student_edition/(\w+)\.ipynb", page) == stems
    assert "-m gcbook.student --out student_edition" in (ROOT / "binder" / "postBuild").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "-m gcbook.student --out _build/html/student --executed _build/jupyter_execute" in makefile
