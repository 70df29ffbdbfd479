"""Autograded assignments for otter-grader, built from the chapters' auto-checked exercises.

Described in the :ref:`instructor-guide` (``book/instructor_guide.md``), section "Grading with
otter-grader".

An auto-checked exercise of a chapter is written as (see :mod:`gcbook.student`)

- an ``{exercise}`` directive with a ``:label:``,
- a code cell tagged ``student-stub`` that defines the student's function ``NAME``,
- right after it, the checker cell ``from gcbook.exercises import check_X`` / ``check_X(NAME);``,
- a gated solution (``{solution-start}`` ... ``{solution-end}``) whose code defines ``NAME_solution``
  (never ``NAME`` itself, so running the notebook top to bottom keeps the student's function).

For every chapter with such exercises, :func:`build_assignment` writes an otter-grader master
notebook (the student notebook of :func:`gcbook.student.student_notebook`, each auto-checked
exercise turned into an otter question: the stub as the prompt, the chapter's solution renamed to
``NAME`` as the solution, and tests that call the same checker) and runs ``otter assign`` on it.
The result, in ``OUT/<chapter>/``:

- ``student/<chapter>.ipynb`` (with ``student/tests/``): the notebook to hand out, the points of
  each exercise written above its answer cell, ``grader.check("...")`` cells that run the public
  tests;
- ``autograder/<chapter>-autograder_<timestamp>.zip``: what ``otter run`` (locally, no Docker) or
  ``otter grade`` (Docker) grades a submission with; ``autograder/<chapter>.ipynb`` is the solved
  notebook.

Each question has a public test (0 points: it only tells the student whether the checker passes)
and a hidden test that carries the points. Both call the checker with a fixed ``seed=`` (the
hidden one with the assignment's seed, the public one with the next integer), so grading the same
notebook twice gives the same score.

Run it as ``python -m gcbook.assignments --out assignments`` (``make assignments``).
"""

from __future__ import annotations

import argparse
import ast
import re
import shutil
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import nbformat

from gcbook.student import STUB_TAG, chapter_sources, student_notebook

__all__ = [
    "AutoCheckedExercise",
    "auto_checked_exercises",
    "master_notebook",
    "build_assignment",
    "build_assignments",
    "default_seed",
    "main",
]

SOLUTION_SUFFIX = "_solution"

_DIRECTIVE = re.compile(r"^(?:`{3,}|:{3,})\{(exercise|solution-start|solution-end)\}[ \t]*(.*)$", re.MULTILINE)
_CHECKER_CALL = re.compile(r"^(check_\w+)\((\w+)\);?\s*$", re.MULTILINE)


@dataclass(frozen=True)
class AutoCheckedExercise:
    """One exercise of a chapter with a stub, a checker cell and a solution.

    Attributes
    ----------
    label : str
        The exercise's label (``ex-granger-ftest``).
    name : str
        The function the student writes (``my_granger_f``).
    checker : str
        The checker of :mod:`gcbook.exercises` that the chapter calls on it (``check_granger_f``).
    stub : str
        The source of the stub cell.
    checker_cell : str
        The source of the checker cell that follows the stub.
    solution : str
        The source of the solution's code cell that defines ``NAME_solution``, renamed to ``NAME``:
        what a student who solved the exercise would have in the stub cell.
    """

    label: str
    name: str
    checker: str
    stub: str
    checker_cell: str
    solution: str

    @property
    def question(self) -> str:
        """The otter question name, the label without ``ex-``, with underscores (``granger_ftest``)."""
        return re.sub(r"^ex-", "", self.label).replace("-", "_")


def _defined_functions(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _chapter_cells(source: str | Path):
    """The chapter's cells as ``(cell, exercise label, inside a gated solution)``, in order.

    For a Markdown cell, the label and the flag are those in force at its end; for a code cell, those
    in force where it sits.
    """
    import jupytext

    notebook = jupytext.read(source, fmt="md:myst")
    label, inside = None, False
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for match in _DIRECTIVE.finditer(cell.source):
                kind = match[1]
                if kind == "exercise":
                    rest = cell.source[match.end() :]
                    found = re.match(r"\s*(?::[\w-]+:.*\n\s*)*?:label:\s*(\S+)", rest)
                    label = found[1] if found else None
                elif kind == "solution-start":
                    inside, label = True, (match[2].strip() or label)
                else:
                    inside = False
        yield cell, label, inside


def auto_checked_exercises(source: str | Path) -> list[AutoCheckedExercise]:
    """The chapter's exercises whose stub is followed by a checker cell, in chapter order.

    Raises
    ------
    ValueError
        When a checker cell does not follow its stub, or no solution code defines ``NAME_solution``.
    """
    cells = list(_chapter_cells(source))
    found = []
    for index, (cell, label, _inside) in enumerate(cells):
        if cell.cell_type != "code" or STUB_TAG not in cell.metadata.get("tags", []):
            continue
        names = _defined_functions(cell.source)
        following = next((c for c in cells[index + 1 :] if c[0].cell_type == "code"), None)
        calls = _CHECKER_CALL.findall(following[0].source) if following else []
        calls = [(checker, name) for checker, name in calls if name in names]
        if not calls:
            continue  # an exercise without a checker (e.g. Toda-Yamamoto)
        checker, name = calls[0]
        if following[2]:
            raise ValueError(f"{source}: the checker cell of {name} sits inside a solution.")
        solutions = [
            c.source
            for c, lab, ins in cells
            if ins
            and lab == label
            and c.cell_type == "code"
            and f"{name}{SOLUTION_SUFFIX}" in _defined_functions(c.source)
        ]
        if not solutions:
            raise ValueError(f"{source}: no solution cell of {label} defines {name}{SOLUTION_SUFFIX}.")
        pasted = re.sub(rf"\b{name}{SOLUTION_SUFFIX}\b", name, solutions[0])
        found.append(AutoCheckedExercise(label, name, checker, cell.source, following[0].source, pasted))
    return found


def default_seed(chapter: str) -> int:
    """The seed of a chapter's assignment: a fixed function of its name (CRC-32), so rebuilding keeps it."""
    return zlib.crc32(f"gcbook-assignment-{chapter}".encode()) % 1_000_000


def _raw(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_raw_cell(text)


def _test_cell(exercise: AutoCheckedExercise, seed: int, hidden: bool, points: float) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(
        '""" # BEGIN TEST CONFIG\n'
        f"hidden: {'true' if hidden else 'false'}\n"
        f"points: {points}\n"
        '""" # END TEST CONFIG\n'
        f"from gcbook.exercises import {exercise.checker} as _check\n"
        f"_report = _check({exercise.name}, verbose=False, seed={seed})\n"
        "assert _report.passed, _report.summary()"
    )


def _question_cells(exercise: AutoCheckedExercise, points: float, seed: int) -> list:
    plural = "" if points == 1 else "s"
    answer = (
        '""" # BEGIN PROMPT\n'
        f"{exercise.stub.rstrip()}\n"
        '"""  # END PROMPT\n'
        "# BEGIN SOLUTION NO PROMPT\n"
        f"{exercise.solution.rstrip()}\n"
        "# END SOLUTION"
    )
    if '"""' in exercise.stub:
        raise ValueError(f"The stub of {exercise.name} holds triple quotes, which otter's prompt block cannot.")
    answer_cell = nbformat.v4.new_code_cell(answer)
    answer_cell.metadata["tags"] = [STUB_TAG]  # still the student's starter cell
    return [
        _raw(f"# BEGIN QUESTION\nname: {exercise.question}\nmanual: false"),
        nbformat.v4.new_markdown_cell(
            f"**Autograded: {points:g} point{plural}** (question `{exercise.question}`). Write `{exercise.name}` "
            "in the next cell; the checker after it runs it on hidden cases, and "
            f'`grader.check("{exercise.question}")` runs the public test.'
        ),
        _raw("# BEGIN SOLUTION"),
        answer_cell,
        _raw("# END SOLUTION"),
        nbformat.v4.new_code_cell(exercise.checker_cell),
        _raw("# BEGIN TESTS"),
        _test_cell(exercise, seed + 1, hidden=False, points=0),
        _test_cell(exercise, seed, hidden=True, points=points),
        _raw("# END TESTS"),
        _raw("# END QUESTION"),
    ]


def master_notebook(
    source: str | Path, seed: int | None = None, points: dict | None = None, run_tests: bool = True
) -> nbformat.NotebookNode:
    """The otter master notebook of one chapter.

    Parameters
    ----------
    source : str or pathlib.Path
        The chapter (MyST Markdown).
    seed : int, optional
        The seed of the hidden tests (the public ones use ``seed + 1``); default
        :func:`default_seed` of the chapter's name.
    points : dict, optional
        Points per exercise label (default 1 each).
    run_tests : bool
        Whether ``otter assign`` runs the tests on the solved notebook (it executes the chapter).

    Returns
    -------
    nbformat.NotebookNode
        The student notebook of the chapter with an assignment configuration cell first and each
        auto-checked exercise's stub and checker cells replaced by an otter question.
    """

    source = Path(source)
    seed = default_seed(source.stem) if seed is None else int(seed)
    points = points or {}
    exercises = {exercise.stub.strip(): exercise for exercise in auto_checked_exercises(source)}
    if not exercises:
        raise ValueError(f"{source}: no auto-checked exercise.")
    student = student_notebook(source)
    config = (
        "# ASSIGNMENT CONFIG\n"
        f"name: {source.stem}\n"
        "init_cell: true\n"
        "check_all_cell: false\n"
        "export_cell: false\n"
        f"run_tests: {'true' if run_tests else 'false'}\n"
        "generate: true\n"
        "tests:\n"
        "  files: true\n"
    )
    cells, used, index = [_raw(config)], [], 0
    while index < len(student.cells):
        cell = student.cells[index]
        exercise = exercises.get(cell.source.strip()) if cell.cell_type == "code" else None
        if exercise is None:
            cells.append(cell)
            index += 1
            continue
        after = index + 1  # the checker cell, past any Markdown between them
        while after < len(student.cells) and student.cells[after].cell_type == "markdown":
            after += 1
        if after == len(student.cells) or student.cells[after].source.strip() != exercise.checker_cell.strip():
            raise ValueError(
                f"{source}: in the student notebook the checker cell does not follow the stub of {exercise.name}."
            )
        question = _question_cells(exercise, points.get(exercise.label, 1), seed)
        checker_at = next(i for i, c in enumerate(question) if c.source == exercise.checker_cell)
        cells.extend(question[:checker_at] + student.cells[index + 1 : after] + question[checker_at:])
        used.append(exercise.label)
        index = after + 1
    missing = sorted(set(e.label for e in exercises.values()) - set(used))
    if missing:
        raise ValueError(f"{source}: the student notebook lacks the stubs of {missing}.")
    master = nbformat.v4.new_notebook(cells=cells, metadata=student.metadata)
    return master


def build_assignment(
    source: str | Path, out_dir: str | Path, seed: int | None = None, points: dict | None = None, run_tests: bool = True
) -> Path:
    """Write the otter assignment of one chapter into ``out_dir/<chapter>/`` (replacing it).

    Returns
    -------
    pathlib.Path
        The assignment folder, holding ``student/`` and ``autograder/`` (see the module's text).
    """
    from otter.assign import main as otter_assign

    source = Path(source)
    target = Path(out_dir).resolve() / source.stem
    if target.exists():
        shutil.rmtree(target)
    with tempfile.TemporaryDirectory() as work:
        master = Path(work) / f"{source.stem}.ipynb"
        nbformat.write(master_notebook(source, seed, points, run_tests), master)
        otter_assign(str(master), str(target), no_pdfs=True, no_run_tests=not run_tests)
    return target


def build_assignments(
    out_dir: str | Path, toc: str | Path = "_toc.yml", points: dict | None = None, run_tests: bool = True
) -> list[Path]:
    """Write the assignment of every chapter (in the table of contents) that has auto-checked exercises."""

    return [
        build_assignment(source, out_dir, points=points, run_tests=run_tests)
        for source in chapter_sources(toc)
        if auto_checked_exercises(source)
    ]


def main(argv=None) -> int:
    """Command-line entry point: ``python -m gcbook.assignments --out assignments``."""
    parser = argparse.ArgumentParser(
        description="Build an otter-grader assignment per chapter with auto-checked exercises."
    )
    parser.add_argument("--out", default="assignments", help="output folder (default: assignments)")
    parser.add_argument("--toc", default="_toc.yml", help="the book's table of contents (default: _toc.yml)")
    parser.add_argument("--chapter", action="append", help="only this chapter (book/CHAPTER.md); repeatable")
    parser.add_argument(
        "--points",
        action="append",
        default=[],
        metavar="LABEL=N",
        help="points of one exercise, e.g. ex-granger-ftest=2 (default 1 each); repeatable",
    )
    parser.add_argument(
        "--no-run-tests", action="store_true", help="do not execute the solved notebooks to check that they pass"
    )
    args = parser.parse_args(argv)
    points = {}
    for item in args.points:
        label, _, value = item.partition("=")
        points[label.strip()] = float(value) if "." in value else int(value)
    if args.chapter:
        root = Path(args.toc).parent
        sources = [root / "book" / f"{name}.md" for name in args.chapter]
    else:
        sources = [source for source in chapter_sources(args.toc) if auto_checked_exercises(source)]
    paths = [build_assignment(source, args.out, points=points, run_tests=not args.no_run_tests) for source in sources]
    for path in paths:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
