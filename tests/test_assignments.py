"""Autograded assignments (gcbook.assignments, `make assignments`): otter builds them, and grading works.

The grading test builds the Granger chapter's assignment (two auto-checked exercises, worth 2 and 1
points here) and grades three submissions locally, without Docker, with the command the instructor
guide gives (`otter run -a AUTOGRADER.zip NOTEBOOK.ipynb`): the student notebook with the solutions
pasted into its answer cells (full marks), the student notebook as handed out (zero), and the
solved notebook with a wrong Benjamini-Hochberg (exactly that exercise's point lost). Each grading
executes the whole chapter (about 30 s of CPU), so the three run side by side.
"""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from gcbook.assignments import auto_checked_exercises, build_assignment, default_seed, master_notebook
from gcbook.student import chapter_sources

ROOT = Path(__file__).resolve().parents[1]
GRANGER = ROOT / "book" / "granger.md"
OTTER = Path(sys.executable).with_name("otter")


def test_every_chapter_with_a_checker_has_an_assignment():
    """Each checker cell of the book becomes one otter question, with its stub as the prompt."""
    checkers = {}
    for source in chapter_sources(ROOT / "_toc.yml"):
        text = source.read_text()
        checkers[source.stem] = text.count("from gcbook.exercises import check_")
        exercises = auto_checked_exercises(source)
        assert len(exercises) == checkers[source.stem], source.name
        if not exercises:
            continue
        master = master_notebook(source, run_tests=False)
        raw = [cell.source for cell in master.cells if cell.cell_type == "raw"]
        assert raw[0].startswith("# ASSIGNMENT CONFIG")
        assert sum(r.startswith("# BEGIN QUESTION") for r in raw) == len(exercises)
        seed = default_seed(source.stem)
        for exercise in exercises:
            tests = [cell.source for cell in master.cells if f"_check({exercise.name}, " in cell.source]
            assert [f"seed={seed + 1})" in t for t in tests] == [True, False]  # public, then hidden
            assert f"seed={seed})" in tests[1] and "hidden: true" in tests[1]
            assert f"def {exercise.name}(" in exercise.solution and "_solution" not in exercise.solution
    assert sum(checkers.values()) == 9  # the nine auto-checked exercises of the book


def _paste(notebook: nbformat.NotebookNode, answers: dict) -> nbformat.NotebookNode:
    """The notebook with the answer cell of each function in ``answers`` replaced by its code."""
    notebook = nbformat.from_dict(json.loads(json.dumps(notebook)))
    pasted = set()
    for cell in notebook.cells:
        if "otter_answer_cell" not in cell.metadata.get("tags", []):
            continue
        for name, code in answers.items():
            if f"def {name}(" in cell.source:
                cell.source = code
                pasted.add(name)
    assert pasted == set(answers)
    return notebook


WRONG_BH = '''\
def my_bh(p_values, q):
    """Bonferroni, not Benjamini-Hochberg: a wrong answer the checker must fail."""
    p_values = np.asarray(p_values, dtype=float)
    return p_values <= q / p_values.size
'''


@pytest.fixture(scope="module")
def granger_assignment(tmp_path_factory):
    out = tmp_path_factory.mktemp("assignments")
    folder = build_assignment(GRANGER, out, points={"ex-granger-ftest": 2, "ex-granger-bh": 1}, run_tests=False)
    return folder


def test_the_assignment_has_a_student_notebook_with_points_and_an_autograder(granger_assignment):
    student = nbformat.read(granger_assignment / "student" / "granger.ipynb", as_version=4)
    text = "\n".join(cell.source for cell in student.cells)
    assert "**Autograded: 2 points** (question `granger_ftest`)" in text
    assert "**Autograded: 1 point** (question `granger_bh`)" in text
    assert 'grader.check("granger_ftest")' in text and 'grader.check("granger_bh")' in text
    assert "my_granger_f_solution" not in text and "def my_bh(p_values, q: float)" not in text
    assert "Exercise: return the boolean array of rejections" in text  # the stub is the prompt
    answers = [cell for cell in student.cells if "otter_answer_cell" in cell.metadata.get("tags", [])]
    assert len(answers) == 2 and all("student-stub" in cell.metadata["tags"] for cell in answers)
    assert all("NotImplementedError" in cell.source for cell in answers)
    public = (granger_assignment / "student" / "tests" / "granger_bh.py").read_text()
    assert "'hidden': False" in public and "'hidden': True" not in public
    assert len(list((granger_assignment / "autograder").glob("granger-autograder_*.zip"))) == 1


def test_grading_a_solved_an_unsolved_and_a_half_wrong_notebook(granger_assignment, tmp_path):
    exercises = {exercise.name: exercise for exercise in auto_checked_exercises(GRANGER)}
    student = nbformat.read(granger_assignment / "student" / "granger.ipynb", as_version=4)
    solutions = {name: exercise.solution for name, exercise in exercises.items()}
    submissions = {
        "solved": _paste(student, solutions),
        "unsolved": student,
        "wrong_bh": _paste(student, {**solutions, "my_bh": WRONG_BH}),
    }
    autograder = next((granger_assignment / "autograder").glob("granger-autograder_*.zip"))
    runs = {}
    for name, notebook in submissions.items():
        folder = tmp_path / name
        folder.mkdir()
        nbformat.write(notebook, folder / "granger.ipynb")
        runs[name] = subprocess.Popen(
            [str(OTTER), "run", "-a", str(autograder), "-o", str(folder), str(folder / "granger.ipynb")],
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    scores = {}
    for name, process in runs.items():
        output, _ = process.communicate(timeout=900)
        assert process.returncode == 0, output[-3000:]
        results = json.loads((tmp_path / name / "results.json").read_text())
        scores[name] = {
            test["name"]: (test["score"], test["max_score"]) for test in results["tests"] if "score" in test
        }
    assert scores["solved"] == {"granger_ftest": (2, 2), "granger_bh": (1, 1)}
    assert scores["unsolved"] == {"granger_ftest": (0, 2), "granger_bh": (0, 1)}
    assert scores["wrong_bh"] == {"granger_ftest": (2, 2), "granger_bh": (0, 1)}


def test_make_assignments_command_builds_every_chapter(tmp_path):
    """What `make assignments` runs, for every chapter with checkers (without re-running the solved
    notebooks, whose checkers tests/test_solutions.py runs): each gets a student notebook and an autograder zip."""
    out = tmp_path / "assignments"
    done = subprocess.run(
        [sys.executable, "-m", "gcbook.assignments", "--out", str(out), "--no-run-tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    expected = sorted(source.stem for source in chapter_sources(ROOT / "_toc.yml") if auto_checked_exercises(source))
    assert sorted(path.name for path in out.iterdir()) == expected
    for chapter in expected:
        assert list((out / chapter).rglob("*autograder*.zip")), chapter
        assert list((out / chapter / "student").glob("*.ipynb")), chapter
