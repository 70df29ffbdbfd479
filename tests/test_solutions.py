"""Solutions stay put: running a chapter top to bottom never replaces the student's function.

In every chapter an auto-checked exercise is a stub cell (tagged ``student-stub``, executed in the
public book too), the checker cell right after it (it runs on the student's function), and a gated
solution whose code never binds a name the stub binds (the solution function is ``NAME_solution``).

* The static tests read every chapter's cells (``ast``): no name bound in a stub cell is bound in a
  solution's code, every checker cell follows its stub before the solution, and no cell outside the
  solutions uses a name that only a solution defines (the student edition would fail on it).
* The execution test runs each chapter's student notebook once, top to bottom, in a fresh kernel
  whose working directory is a temporary folder outside the repository. After each checker cell it
  injects cells that (i) define the chapter's solution under the stub's name (what a student who
  pasted a correct solution into the stub cell has) and run a copy of the checker cell, which must
  report every case passed; (ii) the checker cell itself, run on the stub, must report the exercise
  as not implemented yet; (iii) a shortcut (a wrapper around the function the exercise forbids) and
  the checker cell again, which must say that the exercise forbids it. The stub is then restored.
"""

from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path

import nbformat
import pytest

from gcbook.assignments import _chapter_cells, auto_checked_exercises
from gcbook.student import chapter_sources, student_notebook

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = chapter_sources(ROOT / "_toc.yml")
CELL_TIMEOUT = 240  # seconds per cell: the slowest cells of the chapters take well under a minute

_CHECKER_CALL = re.compile(r"\b(check_\w+)\(")


# --------------------------------------------------------------------------------------------- static checks
class _Bindings(ast.NodeVisitor):
    """The names a cell binds at module level, and every name it reads."""

    def __init__(self):
        self.bound, self.loaded = set(), set()

    def _free(self, node, params=()):
        """Add the names an inner scope reads but does not bind itself (its free names)."""
        inner = _Bindings()
        for child in ast.iter_child_nodes(node):
            inner.visit(child)
        self.loaded |= inner.loaded - inner.bound - set(params)

    def _scope(self, node):  # a def or class binds its name; its body is its own scope
        self.bound.add(node.name)
        arguments = getattr(node, "args", None)
        params = [a.arg for a in ast.walk(arguments) if isinstance(a, ast.arg)] if arguments else []
        self._free(node, params)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scope

    def visit_Lambda(self, node):
        self._free(node, [a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)])

    def _comprehension(self, node):  # its loop variables do not leak
        self._free(node)

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def visit_Import(self, node):
        for alias in node.names:
            self.bound.add(alias.asname or alias.name.split(".")[0])

    visit_ImportFrom = visit_Import

    def visit_Name(self, node):
        (self.bound if isinstance(node.ctx, (ast.Store, ast.Del)) else self.loaded).add(node.id)

    def visit_ExceptHandler(self, node):
        if node.name:
            self.bound.add(node.name)
        self.generic_visit(node)


def _bindings(source: str) -> _Bindings:
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    visitor = _Bindings()
    visitor.visit(ast.parse(code))
    return visitor


def _code_cells(source: Path):
    """``(index, cell, exercise label, inside a solution, tags)`` of every code cell of a chapter."""
    for index, (cell, label, inside) in enumerate(_chapter_cells(source)):
        if cell.cell_type == "code":
            yield index, cell, label, inside, cell.metadata.get("tags", [])


@pytest.mark.parametrize("source", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_no_solution_binds_a_name_of_a_stub(source):
    cells = list(_code_cells(source))
    stub_names = set().union(*[_bindings(c.source).bound for _, c, _, _, tags in cells if "student-stub" in tags])
    solution_names = set().union(*[_bindings(c.source).bound for _, c, _, inside, _ in cells if inside])
    assert not stub_names & solution_names, f"{source.name}: a solution rebinds {sorted(stub_names & solution_names)}"


@pytest.mark.parametrize("source", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_every_checker_follows_its_stub_before_the_solution(source):
    all_cells = list(_chapter_cells(source))
    code = list(_code_cells(source))
    stubs = {
        name: index
        for index, cell, _, _, tags in code
        if "student-stub" in tags
        for name in _bindings(cell.source).bound
    }
    for index, cell, _label, inside, _tags in code:
        if inside or not _CHECKER_CALL.search(cell.source):
            continue
        call = re.search(r"^(check_\w+)\((\w+)\);?\s*$", cell.source, flags=re.MULTILINE)
        assert call and call[2] in stubs, (
            f"{source.name}: a checker cell outside a solution that checks no stub:\n{cell.source}"
        )
        between = all_cells[stubs[call[2]] + 1 : index]
        assert all(c.cell_type == "markdown" and "{solution-start}" not in c.source for c, _, _ in between), (
            f"{source.name}: the checker of {call[2]} does not come right after its stub, before the solution"
        )
        assert cell.source.startswith(f"from gcbook.exercises import {call[1]}"), source.name


@pytest.mark.parametrize("source", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_no_cell_outside_the_solutions_needs_a_solution(source):
    """The student edition drops the solutions: a later cell that used a solution's name would fail there."""
    cells = list(_code_cells(source))
    outside = set(dir(builtins)).union(*[_bindings(c.source).bound for _, c, _, inside, _ in cells if not inside])
    only_in_solutions = set().union(*[_bindings(c.source).bound for _, c, _, inside, _ in cells if inside]) - outside
    for _, cell, _, inside, _ in cells:
        if not inside:
            used = _bindings(cell.source).loaded & only_in_solutions
            assert not used, f"{source.name}: a cell outside the solutions uses {sorted(used)}:\n{cell.source[:300]}"


def test_the_checked_exercises_are_found():
    found = {source.stem: [e.checker for e in auto_checked_exercises(source)] for source in CHAPTERS}
    assert sum(map(len, found.values())) == 9, found
    assert found["granger"] == ["check_granger_f", "check_benjamini_hochberg"]


# ------------------------------------------------------------------------------------------- execution test
# A shortcut per checker: the function the exercise forbids, wrapped under the stub's name.
SHORTCUTS = {
    "check_granger_f": """\
def my_granger_f(cause, effect, lag):
    from gcbook.granger import granger_test
    result = granger_test(np.column_stack([cause, effect]), lag)
    return result.f_stat[0, 1], result.p_value[0, 1]
""",
    "check_benjamini_hochberg": """\
def my_bh(p_values, q):
    from scipy.stats import false_discovery_control
    return false_discovery_control(p_values) <= q
""",
    "check_geweke_strength": """\
def my_geweke(cause, effect, lag):
    from gcbook.granger import granger_strength
    return granger_strength(np.column_stack([cause, effect]), lag).strength[0, 1]
""",
    "check_window_f": """\
def my_window_f(X, cause, effect, start, window, lag):
    from gcbook.window import window_granger
    return window_granger(X, cause, effect, window, step=1, lag=lag).f_stat[start - lag]
""",
    "check_acyclicity": """\
def my_acyclicity(W):
    from gcbook.notears import acyclicity
    return acyclicity(W)
""",
    "check_jacobian_readout": """\
def my_jacobian_readout(model, inputs):
    from gcbook.neural import input_jacobian, jacobian_scores
    return jacobian_scores(input_jacobian(model, inputs))
""",
    "check_lasso": """\
def my_lasso(Z, y, alpha):
    import warnings
    from sklearn.linear_model import Lasso
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Lasso(alpha=alpha, fit_intercept=False, tol=1e-12, max_iter=100_000).fit(Z, y).coef_
""",
    "check_pooled_lag_matrix": """\
def my_pooled_lag_matrix(recordings, lag):
    from gcbook.granger import pooled_lag_matrix
    return pooled_lag_matrix(recordings, lag)
""",
    "check_auprc": """\
def my_auprc(A_true, scores):
    from sklearn.metrics import average_precision_score
    keep = ~np.eye(len(A_true), dtype=bool)
    return average_precision_score(np.asarray(A_true)[keep], np.asarray(scores)[keep])
""",
}

EXPECT = "gcbook-test-expect"  # cell metadata: what the injected cell's output must say


def _with_probes(source: Path) -> nbformat.NotebookNode:
    notebook = student_notebook(source)
    exercises = auto_checked_exercises(source)
    for exercise in exercises:
        stub = [
            i
            for i, c in enumerate(notebook.cells)
            if c.cell_type == "code" and c.source.strip() == exercise.stub.strip()
        ]
        assert len(stub) == 1, f"{source.name}: the stub of {exercise.name} is not in the student notebook"
        checker = next(i for i in range(stub[0] + 1, len(notebook.cells)) if notebook.cells[i].cell_type == "code")
        assert notebook.cells[checker].source.strip() == exercise.checker_cell.strip(), (
            f"{source.name}: the cell after the stub of {exercise.name} is not its checker"
        )
        notebook.cells[checker].metadata[EXPECT] = ["not implemented yet", exercise.name]

        def cell(code, expect=None):
            new = nbformat.v4.new_code_cell(code)
            if expect:
                new.metadata[EXPECT] = expect
            return new

        probes = [
            cell(
                f"_report = {exercise.checker}({exercise.name}, verbose=False)\n"
                "assert not _report.passed and 'not implemented yet' in _report.summary(), _report.summary()"
            ),
            cell(exercise.solution),  # (i) a correct solution pasted in
            cell(exercise.checker_cell, ["Well done: every case matches the reference.", exercise.name]),
            cell(SHORTCUTS[exercise.checker]),  # (iii) the forbidden shortcut
            cell(exercise.checker_cell, ["which this exercise forbids", exercise.name]),
            cell(exercise.stub),  # the student's stub again
        ]
        notebook.cells[checker + 1 : checker + 1] = probes
    return notebook


def _stdout(cell) -> str:
    return "".join(out.get("text", "") for out in cell.get("outputs", []) if out.get("output_type") == "stream")


CHECKED = [source for source in CHAPTERS if auto_checked_exercises(source)]


@pytest.mark.parametrize("source", CHECKED, ids=[path.stem for path in CHECKED])
def test_student_notebook_runs_with_the_stub_a_solution_and_a_shortcut(source, tmp_path):
    from nbclient import NotebookClient

    notebook = _with_probes(source)
    NotebookClient(
        notebook, timeout=CELL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    checked = 0
    for cell in notebook.cells:
        expect = cell.metadata.get(EXPECT)
        if expect:
            text, name = _stdout(cell), expect[1]
            assert expect[0] in text, f"{source.name}, {name}: expected {expect[0]!r} in the checker's report:\n{text}"
            if expect[0].startswith("Well done"):
                assert "FAIL" not in text, text
            else:
                assert "Well done" not in text and "[FAIL]" in text, text
            checked += 1
    assert checked == 3 * len(auto_checked_exercises(source))
