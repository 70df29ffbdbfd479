"""The instructor guide's "Rubrics and time estimates" covers every exercise of the book once, gives every
hand-graded one criteria that add up to its points, names the checker of every auto-checked one, and its week
table adds up the times of the homework that the syllabus lists (the guide is not executed, so this checks it)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "book" / "instructor_guide.md"


def _section():
    text = GUIDE.read_text()
    return text[text.index("## Rubrics and time estimates\n") : text.index("## Suggested projects\n")]


def _entries():
    """{label: (head, body)} for each exercise entry of the section."""
    found = {}
    for block in re.split(r"\n- \*\*", _section())[1:]:
        label = re.match(r"\{ref\}`[^`<]*<(ex-[\w-]+)>`", block).group(1)
        head, _, body = block.partition("\n  - ")
        assert label not in found, f"{label} twice"
        found[label] = (head.replace("\n", " "), "  - " + body if body else "")
    return found


def _chapter_exercises():
    labels, checked = set(), set()
    for path in (ROOT / "book").glob("*.md"):
        if path.stem == "instructor_guide":
            continue
        source = path.read_text()
        labels |= set(re.findall(r"^\s*(?:`{3,}|:{3,})\{exercise(?:-start)?\}.*\n:label: (ex-[\w-]+)", source, re.M))
        for label, body in re.findall(r":label: (ex-[\w-]+)\n(.*?)(?=:label: ex-|\Z)", source, re.S):
            if "from gcbook.exercises import check_" in body:
                checked.add(label)
    return labels, checked


def test_every_exercise_has_one_entry():
    labels, checked = _chapter_exercises()
    entries = _entries()
    assert set(entries) == labels
    for label, (head, body) in entries.items():
        minutes = re.search(r"(\d+) minutes", head)
        assert minutes, f"{label}: no time"
        if label in checked:
            assert re.search(r"graded by\s+`check_\w+`", head), f"{label}: auto-checked, name its checker"
        else:
            total = int(re.search(r"(\d+) points", head).group(1))
            criteria = [int(n) for n in re.findall(r"^  - (\d+) points", body, re.M)]
            assert 2 <= len(criteria) <= 4 and sum(criteria) == total, f"{label}: criteria {criteria}"
            assert "Mistakes:" in body, f"{label}: no mistakes listed"


def _minutes(text):
    hours = re.search(r"(\d+) h", text)
    mins = re.search(r"(\d+) min", text)
    return (int(hours.group(1)) * 60 if hours else 0) + (int(mins.group(1)) if mins else 0)


def test_week_table_adds_up_the_syllabus_homework():
    lines = GUIDE.read_text().splitlines()
    syllabus = {}
    for i, line in enumerate(lines):
        if line.startswith("| week | chapter and sections |"):
            for row in lines[i + 2 :]:
                if not row.startswith("|"):
                    break
                cells = [c.strip() for c in row.strip().strip("|").split(" | ")]
                required, _, optional = cells[3].partition("optional:")
                syllabus[cells[0]] = (
                    re.findall(r"\{ref\}`(ex-[\w-]+)`", required),
                    re.findall(r"\{ref\}`(ex-[\w-]+)`", optional),
                )
    minutes = {label: int(re.search(r"(\d+) minutes", head).group(1)) for label, (head, _) in _entries().items()}
    section = _section().splitlines()
    start = next(i for i, line in enumerate(section) if line.startswith("| week | page | homework |"))
    rows = [
        [c.strip() for c in row.strip().strip("|").split(" | ")] for row in section[start + 2 :] if row.startswith("|")
    ]
    assert [row[0] for row in rows] == list(syllabus)
    for week, _page, required, optional in rows:
        assert _minutes(required) == sum(minutes[label] for label in syllabus[week][0]), week
        assert _minutes(optional) == sum(minutes[label] for label in syllabus[week][1]), week
