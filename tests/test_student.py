"""The student edition: same sources, solutions removed, stubs kept, every chapter covered."""

import json
import textwrap
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from gcbook.student import build_student_edition, chapter_sources, main, solution_text, student_notebook

ROOT = Path(__file__).resolve().parents[1]

TOY = textwrap.dedent(
    '''\
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
    '''
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
    for line in lines[start + 2:]:
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
    paragraph = guide[guide.index("It writes one notebook per page"):guide.index("In these notebooks")]
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
