"""Set-up of the reader test: when it runs, where the built book is, and the shared browser.

The reader test opens the *built* book, so it cannot run in ``make test`` (which runs ``pytest``
over ``testpaths`` before any build). This directory is therefore left out of collection unless it
is named on the command line::

    pytest tests/reader                      # what `make book` runs after the build
    pytest tests/reader/test_reader.py -k granger

A plain ``pytest`` (or ``pytest tests``) does not collect anything under ``tests/reader``. When the
reader test *is* requested it never skips: a missing build directory or a missing Chromium stops
the run with exit status 1 and a message that says what to do.

Environment variables
---------------------
GCBOOK_BUILD_DIR
    The built HTML book (default: ``<repository>/_build/html``).
GCBOOK_SCREENSHOT_DIR
    Where the PNG screenshots go (default: ``screenshots/`` next to the build directory, i.e.
    ``_build/screenshots``).
GCBOOK_SCREENSHOT_MAX_HEIGHT
    Cap on each screenshot's height in CSS pixels (default 16000; the pages are 1280 wide).
GCBOOK_CHROMIUM
    The Chromium executable (default: ``chromium`` or ``chromium-browser`` on ``PATH``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

READER_DIR = Path(__file__).resolve().parent
REPOSITORY = READER_DIR.parents[1]


def reader_test_requested(config: pytest.Config) -> bool:
    """Whether the command line names ``tests/reader`` or something inside it.

    Parameters
    ----------
    config : pytest.Config
        The session's configuration; ``config.args`` holds the paths given on the command line
        (or ``testpaths`` when none were given).

    Returns
    -------
    bool
        True for ``pytest tests/reader``, ``pytest tests/reader/test_reader.py::test_x`` and the
        like; False for a plain ``pytest`` or ``pytest tests``.
    """
    for argument in config.args:
        path = Path(argument.split("::", 1)[0])
        if not path.is_absolute():
            path = config.invocation_params.dir / path
        path = path.resolve()
        if path == READER_DIR or READER_DIR in path.parents:
            return True
    return False


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave ``tests/reader`` out of every run that does not name it (see the module docstring)."""
    path = collection_path.resolve()
    if READER_DIR in path.parents and not reader_test_requested(config):
        return True
    return None


@pytest.fixture(scope="session")
def build_dir() -> Path:
    """The built HTML book; stops the run (exit status 1, never a skip) when it is not built."""
    configured = os.environ.get("GCBOOK_BUILD_DIR")
    path = Path(configured).resolve() if configured else REPOSITORY / "_build" / "html"
    if not (path / "index.html").is_file():
        pytest.exit(
            f"No built book at {path} (no index.html). The reader test checks the built book: "
            "run `make book` (which builds it and then runs this test), or build it with "
            "`jupyter-book build .` and point GCBOOK_BUILD_DIR at its _build/html.",
            returncode=1)
    return path


@pytest.fixture(scope="session")
def screenshot_dir(build_dir: Path) -> Path:
    """Directory for the page screenshots (CI uploads it as an artifact)."""
    configured = os.environ.get("GCBOOK_SCREENSHOT_DIR")
    path = Path(configured).resolve() if configured else build_dir.parent / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole session; stops the run (exit status 1) without one."""
    from reader_browser import Chromium, ChromiumError, find_chromium

    executable = find_chromium()
    if executable is None:
        configured = os.environ.get("GCBOOK_CHROMIUM")
        where = (f"GCBOOK_CHROMIUM={configured!r} is not an executable" if configured
                 else "neither `chromium` nor `chromium-browser` is on PATH")
        pytest.exit(
            f"Chromium is needed to open the built book, but {where}. Run .ci/install_chromium "
            "(or install Debian's `chromium` package).", returncode=1)
    browser = Chromium(executable)
    try:
        browser.start()
    except ChromiumError as error:
        browser.close()
        pytest.exit(f"Chromium ({executable}) could not be started: {error}", returncode=1)
    yield browser
    browser.close()
