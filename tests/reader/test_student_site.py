"""The built site carries the student edition that "How to use this book" links to.

`make book` writes it into ``_build/html/student/`` from the build's executed notebooks, so the
numbers the text quotes are this build's.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import nbformat

from gcbook.student import chapter_sources


def test_every_download_link_of_the_site_has_its_notebook(build_dir: Path) -> None:
    book_dir = Path(os.environ.get("GCBOOK_BOOK_DIR", Path(__file__).resolve().parents[2]))
    page = (build_dir / "book" / "how_to_use.html").read_text()
    linked = re.findall(r'href="\.\./student/(\w+)\.ipynb"', page)
    assert linked == [path.stem for path in chapter_sources(book_dir / "_toc.yml")]
    for stem in linked:
        notebook = nbformat.read(build_dir / "student" / f"{stem}.ipynb", as_version=4)
        nbformat.validate(notebook)
        text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
        glued = build_dir.parent / "jupyter_execute" / "book" / f"{stem}.glue.json"
        if glued.exists():  # the build's numbers are written in, none left as [name]
            names = set(json.loads(glued.read_text()))
            left = [name for name in re.findall(r"`\[(\w+)\]`", text) if name in names]
            assert not left, f"{stem}: glued values not written into the student notebook: {left[:3]}"
