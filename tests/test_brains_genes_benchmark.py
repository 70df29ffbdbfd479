"""benchmarks/brains_genes.py: its datasets, its plan and one quick run on a tiny setting."""

import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pytest

from gcbook.simulate.fmri import netsim_graph

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("brains_genes_bench", ROOT / "benchmarks" / "brains_genes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fmri_dataset_is_a_list_of_scans(bench):
    data = bench.fmri_dataset(5, seed=0, n_scans=3, n_timepoints=40)
    assert data.kind == "timeseries" and isinstance(data.X, list) and len(data.X) == 3
    assert all(x.shape == (40, 5) for x in data.X)
    assert data.lag == bench.LAG and data.settings["regime"] == "fmri" and data.settings["n_recordings"] == 3
    assert np.array_equal(data.truth, netsim_graph(5))


def test_gene_dataset_has_the_dream3_layout(bench):
    data = bench.gene_dataset(10, seed=0)
    assert len(data.X) == 4 and all(x.shape == (21, 10) for x in data.X)  # DREAM3: 4 trajectories at 10 genes
    assert np.all(np.diag(data.truth) == 0) and data.truth.sum() > 0
    assert data.settings["topology"] == "modular"


def test_plan_respects_skips_and_method_seeds(bench):
    cases = bench.plan()
    for case in cases:
        for method in case["methods"]:
            assert (method, case["regime"], case["p"]) not in bench.SKIP
            allowed = bench.METHOD_SEEDS.get((method, case["regime"], case["p"]))
            assert allowed is None or case["seed"] in allowed
    sizes = {(c["regime"], c["p"]) for c in cases}
    assert sizes == {("fmri", p) for p in bench.FMRI_SIZES} | {("genes", p) for p in bench.GENE_SIZES}
    # every method runs at least once in each regime
    for regime in ("fmri", "genes"):
        ran = {m for c in cases if c["regime"] == regime for m in c["methods"]}
        assert ran == set(bench.METHODS)


def test_quick_run_writes_every_row(bench, tmp_path):
    path = tmp_path / "quick.json"
    results = bench.run(quick=True, path=path, log=None)
    saved = json.loads(path.read_text())
    assert saved["complete"] and len(saved["rows"]) == len(results["rows"])
    expected = sum(len(c["methods"]) for c in bench.plan(quick=True))
    assert len(saved["rows"]) == expected == 2 * len(bench.METHODS)
    for row in saved["rows"]:
        assert 0.0 <= row["auroc"] <= 1.0 and 0.0 < row["auprc"] <= 1.0
        assert row["fit_seconds"] >= 0 and row["pooled_rows"] == row["n_recordings"] * row["rows_per_recording"]
    assert saved["settings"]["neural_epochs"] == {m: bench.QUICK["neural_epochs"] for m in bench.NEURAL}
    summary = {(r["regime"], r["p"], r["method"]) for r in saved["summary"]}
    assert len(summary) == expected
    assert all(not (isinstance(v, float) and math.isnan(v)) for r in saved["rows"] for v in r.values())


def test_direction_accuracy(bench):
    truth = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    assert bench.direction_accuracy(truth, truth.astype(float)) == 1.0
    assert bench.direction_accuracy(truth, truth.T.astype(float)) == 0.0
    assert bench.direction_accuracy(truth, np.ones((3, 3))) == 0.5  # ties count one half
    assert math.isnan(bench.direction_accuracy(np.zeros((3, 3), dtype=int), np.ones((3, 3))))


def test_single_topology_at_ten_genes_is_a_real_duplicate(bench):
    from gcbook.simulate import gene_expression

    for p in bench.SINGLE_TOPOLOGY:
        a = gene_expression(p, n_trajectories=2, topology="modular", seed=0)
        b = gene_expression(p, n_trajectories=2, topology="scale_free", seed=0)
        assert np.array_equal(a.graph, b.graph) and np.allclose(a.trajectories[0], b.trajectories[0])
