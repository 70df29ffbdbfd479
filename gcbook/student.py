"""Generate the student edition: the book's chapters as notebooks with the solutions taken out.

The public book and the student edition come from the same MyST Markdown sources, so a solution
is written once. In a chapter, an exercise is written as

- an ``{exercise}`` directive (the task),
- optionally a code cell tagged ``student-stub`` (and ``skip-execution``, so the public build does
  not run it) with the starting code, e.g. a function that raises
  ``NotImplementedError("Exercise: ...")``,
- a solution, either an ``{solution}`` directive (prose and math) or a gated
  ``{solution-start}`` ... ``{solution-end}`` pair around code cells.

The student edition keeps the tasks and the stubs and removes every solution; each exercise
directive becomes a plain Markdown heading so it reads well in Jupyter.

Run it as ``python -m gcbook.student --out student_edition`` (see ``--help``).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import nbformat

__all__ = ["student_notebook", "solution_text", "build_student_edition", "main"]

STUB_TAG = "student-stub"

_FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)$")


def _directive_blocks(lines: list[str], name: str):
    """Yield ``(start, stop)`` line ranges (stop exclusive) of every ``{name}`` directive."""
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index].strip())
        if match and match["name"] == name:
            fence = match["fence"]
            stop = index + 1
            while stop < len(lines) and lines[stop].strip() != fence:
                stop += 1
            if stop == len(lines):
                raise ValueError(f"The {{{name}}} directive opened at line {index + 1} is never closed with {fence}.")
            yield index, stop + 1
            index = stop + 1
        else:
            index += 1


def _find_directive(lines: list[str], name: str) -> tuple[int, int] | None:
    return next(_directive_blocks(lines, name), None)


def _without_blocks(lines: list[str], name: str) -> list[str]:
    kept, last = [], 0
    for start, stop in _directive_blocks(lines, name):
        kept.extend(lines[last:start])
        last = stop
    kept.extend(lines[last:])
    return kept


def _exercise_as_heading(lines: list[str]) -> list[str]:
    """Rewrite each ``{exercise}`` directive as a Markdown heading and its body."""
    out, last = [], 0
    for start, stop in _directive_blocks(lines, "exercise"):
        out.extend(lines[last:start])
        title = _FENCE.match(lines[start].strip())["arg"].strip()
        out.append(f"### Exercise: {title}" if title else "### Exercise")
        out.extend(line for line in lines[start + 1 : stop - 1] if not re.match(r"^\s*:\w[\w-]*:", line))
        last = stop
    out.extend(lines[last:])
    return out


def _split_gated(cells):
    """Drop everything between ``{solution-start}`` and ``{solution-end}``, across cells."""
    kept, inside = [], False
    for cell in cells:
        if cell.cell_type != "markdown":
            if not inside:
                kept.append(cell)
            continue
        lines, out = cell.source.splitlines(), []
        while lines:
            target = "solution-end" if inside else "solution-start"
            block = _find_directive(lines, target)
            if block is None:
                if not inside:
                    out.extend(lines)
                break
            start, stop = block
            if not inside:
                out.extend(lines[:start])
            lines = lines[stop:]
            inside = not inside
        if "\n".join(out).strip():
            kept.append(nbformat.v4.new_markdown_cell("\n".join(out).strip("\n")))
    if inside:
        raise ValueError("A {solution-start} directive has no matching {solution-end}.")
    return kept


def student_notebook(source: str | Path) -> nbformat.NotebookNode:
    """Turn one MyST Markdown chapter into a student notebook without solutions.

    Parameters
    ----------
    source : str or pathlib.Path
        Path to a MyST Markdown notebook (``.md`` with a jupytext header).

    Returns
    -------
    nbformat.NotebookNode
        Markdown and code cells in order, no outputs, exercise directives rewritten as headings,
        every ``{solution}`` block and gated solution removed, stub cells kept.
    """
    import jupytext

    notebook = jupytext.read(source, fmt="md:myst")
    cells = _split_gated(notebook.cells)
    student_cells = []
    for cell in cells:
        if cell.cell_type == "markdown":
            lines = _exercise_as_heading(_without_blocks(cell.source.splitlines(), "solution"))
            text = "\n".join(lines).strip("\n")
            if text.strip():
                student_cells.append(nbformat.v4.new_markdown_cell(text))
        elif cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(cell.source)
            tags = [tag for tag in cell.metadata.get("tags", []) if tag != "skip-execution"]
            if tags:
                new.metadata["tags"] = tags
            student_cells.append(new)
    student = nbformat.v4.new_notebook(cells=student_cells)
    student.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    student.metadata["language_info"] = {"name": "python"}
    return student


def solution_text(source: str | Path) -> list[str]:
    """Every line of solution text in a chapter (used to test the student edition).

    Returns
    -------
    list of str
        The stripped, non-empty lines inside ``{solution}`` directives and inside gated
        ``{solution-start}``/``{solution-end}`` regions, code cells included.
    """
    text = Path(source).read_text().splitlines()
    found = []
    for start, stop in _directive_blocks(text, "solution"):
        found.extend(text[start + 1 : stop - 1])
    starts = [start for start, _ in _directive_blocks(text, "solution-start")]
    ends = [start for start, _ in _directive_blocks(text, "solution-end")]
    if len(starts) != len(ends):
        raise ValueError(f"{source}: {len(starts)} {{solution-start}} but {len(ends)} {{solution-end}} directives.")
    for start, end in zip(starts, ends):
        found.extend(text[start + 1 : end])
    return [line.strip() for line in found if line.strip() and not re.match(r"^\s*(:\w[\w-]*:|`{3,}|:{3,})", line)]


def chapter_sources(toc: str | Path = "_toc.yml") -> list[Path]:
    """The book's MyST notebooks in table-of-contents order (pages with code cells only)."""
    import yaml

    root = Path(toc).parent

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                yield node["file"]
            if "root" in node:
                yield node["root"]
            for value in node.values():
                if isinstance(value, (list, dict)):
                    yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    paths = []
    for name in walk(yaml.safe_load(Path(toc).read_text())):
        path = root / (name if name.endswith(".md") else f"{name}.md")
        if path.exists() and "```{code-cell}" in path.read_text():
            paths.append(path)
    return paths


def build_student_edition(out_dir: str | Path, toc: str | Path = "_toc.yml") -> list[Path]:
    """Write the student notebooks of every chapter in the table of contents.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Folder for the ``.ipynb`` files (created if needed).
    toc : str or pathlib.Path
        The book's ``_toc.yml``.

    Returns
    -------
    list of pathlib.Path
        The notebooks written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for source in chapter_sources(toc):
        target = out_dir / f"{source.stem}.ipynb"
        nbformat.write(student_notebook(source), target)
        written.append(target)
    if not written:
        raise ValueError(f"No chapters with code cells found through {toc}.")
    return written


def main(argv=None) -> int:
    """Command-line entry point: ``python -m gcbook.student --out student_edition``."""
    parser = argparse.ArgumentParser(description="Generate the student edition (solutions removed) as .ipynb files.")
    parser.add_argument("--out", default="student_edition", help="output folder (default: student_edition)")
    parser.add_argument("--toc", default="_toc.yml", help="the book's table of contents (default: _toc.yml)")
    args = parser.parse_args(argv)
    for path in build_student_edition(args.out, args.toc):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
