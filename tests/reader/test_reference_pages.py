"""The built package reference has an entry for every public name (autodoc drops some silently).

Runs with the reader test, on the book `make book` has just built (see conftest.py).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import gcbook

MODULES = list(gcbook.__all__)


@pytest.mark.parametrize("name", MODULES)
def test_built_reference_page_lists_every_name(name: str, build_dir: Path) -> None:
    html = build_dir / "book" / "reference" / f"{name}.html"
    assert html.exists(), f"{html} missing from the built book"
    ids = set(re.findall(r'<dt class="sig sig-object py" id="([^"]+)"', html.read_text()))
    module = importlib.import_module(f"gcbook.{name}")
    missing = [attr for attr in module.__all__ if f"gcbook.{name}.{attr}" not in ids]
    assert not missing, f"built page of gcbook.{name} lacks {missing}"
