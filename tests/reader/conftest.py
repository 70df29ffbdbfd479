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
GCBOOK_BOOK_DIR
    The Jupyter Book project whose ``_toc.yml``, ``_config.yml`` and sources are read (default:
    the repository); lets the test run on a small throwaway book.
GCBOOK_BUILD_DIR
    The built HTML book (default: ``<book project>/_build/html``).
GCBOOK_SCREENSHOT_DIR
    Where the PNG screenshots go (default: ``screenshots/`` next to the build directory, i.e.
    ``_build/screenshots``).
GCBOOK_SCREENSHOT_MAX_HEIGHT
    Cap on each screenshot's height in CSS pixels (default 16000; the pages are 1280 wide).
GCBOOK_CHROMIUM
    The Chromium executable (default: ``chromium`` or ``chromium-browser`` on ``PATH``).
GCBOOK_MATHJAX_PACKAGE
    A copy of the npm package ``mathjax`` (version 3, the folder holding
    ``es5/tex-mml-chtml.js``) to serve to the pages. By default the set-up runs
    ``.ci/install_mathjax``, which installs it with npm into a cache folder once and then only
    reports where it is (``GCBOOK_MATHJAX_DIR`` and ``MATHJAX_VERSION`` are passed on to it).
"""

from __future__ import annotations

import os
import subprocess
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
    book = Path(os.environ.get("GCBOOK_BOOK_DIR", REPOSITORY)).resolve()
    path = Path(configured).resolve() if configured else book / "_build" / "html"
    if not (path / "index.html").is_file():
        pytest.exit(
            f"No built book at {path} (no index.html). The reader test checks the built book: "
            "run `make book` (which builds it and then runs this test), or build it with "
            "`jupyter-book build .` and point GCBOOK_BUILD_DIR at its _build/html.",
            returncode=1,
        )
    return path


@pytest.fixture(scope="session")
def screenshot_dir(build_dir: Path) -> Path:
    """Directory for the page screenshots (CI uploads it as an artifact)."""
    configured = os.environ.get("GCBOOK_SCREENSHOT_DIR")
    path = Path(configured).resolve() if configured else build_dir.parent / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def mathjax_package() -> Path:
    """The local MathJax 3 the pages get instead of the CDN's; stops the run without one."""
    configured = os.environ.get("GCBOOK_MATHJAX_PACKAGE")
    if configured:
        path = Path(configured).resolve()
        where = f"GCBOOK_MATHJAX_PACKAGE={configured!r}"
    else:
        script = REPOSITORY / ".ci" / "install_mathjax"
        installed = subprocess.run(["bash", str(script)], capture_output=True, text=True)
        lines = installed.stdout.strip().splitlines()
        if installed.returncode != 0 or not lines:
            pytest.exit(
                f"MathJax is needed to typeset the formulas, but {script} failed "
                f"(exit status {installed.returncode}):\n{installed.stderr.strip()}",
                returncode=1,
            )
        path = Path(lines[-1]).resolve()
        where = f"the folder {script} reported"
    if not (path / "es5" / "tex-mml-chtml.js").is_file():
        pytest.exit(
            f"{where} ({path}) holds no es5/tex-mml-chtml.js: it is not the npm package mathjax, version 3.",
            returncode=1,
        )
    return path


@pytest.fixture(scope="session")
def chromium(mathjax_package: Path):
    """One headless Chromium for the whole session; stops the run (exit status 1) without one.

    Its pages get MathJax from ``mathjax_package`` in place of the CDN."""
    from reader_browser import Chromium, ChromiumError, find_chromium

    executable = find_chromium()
    if executable is None:
        configured = os.environ.get("GCBOOK_CHROMIUM")
        where = (
            f"GCBOOK_CHROMIUM={configured!r} is not an executable"
            if configured
            else "neither `chromium` nor `chromium-browser` is on PATH"
        )
        pytest.exit(
            f"Chromium is needed to open the built book, but {where}. Run .ci/install_chromium "
            "(or install Debian's `chromium` package).",
            returncode=1,
        )
    browser = Chromium(executable, mathjax_dir=mathjax_package)
    try:
        browser.start()
    except ChromiumError as error:
        browser.close()
        pytest.exit(f"Chromium ({executable}) could not be started: {error}", returncode=1)
    yield browser
    browser.close()
