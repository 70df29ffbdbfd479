"""The saved benchmark results ship inside the package and load from anywhere."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gcbook.results import benchmark_names, load_benchmark

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "gcbook" / "data" / "benchmarks"


def test_names_are_the_saved_files_and_each_has_its_script():
    names = benchmark_names()
    assert names == sorted(path.stem for path in FOLDER.glob("*.json"))
    assert {"capstone", "neural_gc", "notears_speed", "sparse_var", "dwgc_tables"} <= set(names)
    for name in names:  # a result whose script is gone (or renamed) is stale
        assert (ROOT / "benchmarks" / f"{name}.py").exists(), name


def test_load_returns_the_file_parsed():
    for name in benchmark_names():
        assert load_benchmark(name) == json.loads((FOLDER / f"{name}.json").read_text())


@pytest.mark.parametrize("bad", ["nope", "capstone.json", "../capstone", 3, None])
def test_unknown_name_is_a_value_error(bad):
    with pytest.raises(ValueError, match="No saved benchmark result"):
        load_benchmark(bad)


def test_loads_outside_the_repository(tmp_path):
    """A notebook downloaded on its own runs in some other folder: the package still finds its data."""
    code = "from gcbook.results import load_benchmark; print(sorted(load_benchmark('capstone'))[0])"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == sorted(load_benchmark("capstone"))[0]


def test_every_benchmark_script_writes_into_the_package():
    for script in (ROOT / "benchmarks").glob("*.py"):
        text = script.read_text()
        if "write_text" in text or "--out" in text:
            assert '"gcbook" / "data" / "benchmarks"' in text, f"{script.name} writes its results elsewhere"
