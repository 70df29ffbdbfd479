"""The Binder environment (binder/) stays in step with the root requirements.txt."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "binder" / "check_requirements.py"


def _checker():
    spec = importlib.util.spec_from_file_location("check_requirements", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_binder_requirements_pin_the_root_versions():
    result = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


ROOT = "numpy==2.4.6\ntorch==2.13.0\n"
GOOD = "--extra-index-url https://download.pytorch.org/whl/cpu\nnumpy==2.4.6\ntorch==2.13.0+cpu\nnotebook==7.6.5\n"


@pytest.mark.parametrize(
    "binder, problem",
    [
        (GOOD.replace("numpy==2.4.6", "numpy==2.4.5"), "numpy: requirements.txt pins 2.4.6"),
        (GOOD.replace("numpy==2.4.6\n", ""), "missing from binder/requirements.txt"),
        (GOOD.replace("torch==2.13.0+cpu", "torch==2.13.0"), "must pin the CPU build"),
        (GOOD.replace("torch==2.13.0+cpu", "torch==2.12.0+cpu"), "expected 2.13.0+cpu"),
        (GOOD.replace("--extra-index-url https://download.pytorch.org/whl/cpu\n", ""), "must name PyTorch's CPU index"),
        (GOOD.replace("numpy==2.4.6", "numpy>=2.4"), "numpy"),
    ],
)
def test_the_checker_finds_each_kind_of_drift(binder, problem):
    checker = _checker()
    assert checker.compare(ROOT, GOOD) == ([], ["notebook==7.6.5"])
    problems, _ = checker.compare(ROOT, binder)
    assert any(problem in p for p in problems), problems


def test_binder_has_runtime_and_an_executable_postbuild():
    assert (REPO / "binder" / "runtime.txt").read_text().strip() == (REPO / "runtime.txt").read_text().strip()
    post = REPO / "binder" / "postBuild"
    assert post.stat().st_mode & 0o111, "binder/postBuild must be executable"
    assert subprocess.run(["bash", "-n", str(post)]).returncode == 0
