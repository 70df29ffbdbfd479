"""Loaders of gcbook.datasets on small files written here in the original formats."""

import subprocess
import sys

import numpy as np
import pytest
from scipy.io import savemat

from gcbook.datasets import SACHS_NAMES, load_dream3, load_netsim, sachs
from gcbook.granger import granger_test


# --------------------------------------------------------------------------------------
# DREAM3: trajectories TSV + gold standard
# --------------------------------------------------------------------------------------
def _write_dream(tmp_path, trajectories, genes, *, blank_lines=True, times=None):
    times = np.arange(trajectories[0].shape[0]) * 10.0 if times is None else times
    lines = ["Time\t" + "\t".join(genes)]
    for k, traj in enumerate(trajectories):
        if k and blank_lines:
            lines.append("")
        for t, row in zip(times, traj):
            lines.append("\t".join([f"{t:g}"] + [repr(float(v)) for v in row]))
    path = tmp_path / "InSilicoSize4-Ecoli1-trajectories.tsv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _write_gold(tmp_path, graph, genes, name="DREAM3GoldStandard_InSilicoSize4_Ecoli1.txt"):
    lines = []
    p = len(genes)
    # the challenge lists every ordered pair of distinct genes, edges first
    pairs = sorted(((i, j) for i in range(p) for j in range(p) if i != j), key=lambda ij: -graph[ij])
    for i, j in pairs:
        lines.append(f"{genes[i]}\t{genes[j]}\t{int(graph[i, j])}")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def dream_files(tmp_path):
    rng = np.random.default_rng(0)
    genes = ["G1", "G2", "G3", "G4"]
    trajectories = [rng.uniform(0, 1, size=(21, 4)) for _ in range(3)]
    graph = np.zeros((4, 4), dtype=int)
    graph[0, 1] = graph[0, 2] = graph[3, 1] = 1  # asymmetric: a transposing loader fails
    return _write_dream(tmp_path, trajectories, genes), _write_gold(tmp_path, graph, genes), trajectories, graph, genes


def test_dream3_returns_what_was_written(dream_files):
    traj_path, gold_path, trajectories, graph, genes = dream_files
    data = load_dream3(traj_path, gold_path)
    assert data.genes == genes
    assert data.n_trajectories == 3 and data.n_genes == 4
    np.testing.assert_array_equal(data.times, np.arange(21) * 10.0)
    for got, written in zip(data.recordings, trajectories):
        np.testing.assert_array_equal(got, written)
    np.testing.assert_array_equal(data.graph, graph)
    assert data.graph[0, 1] == 1 and data.graph[1, 0] == 0  # G1 regulates G2, not the reverse
    assert data.edges() == [("G1", "G2"), ("G1", "G3"), ("G4", "G2")]
    assert "3 trajectories x 21 time points" in repr(data)


def test_dream3_without_blank_lines_splits_where_time_restarts(tmp_path):
    rng = np.random.default_rng(1)
    trajectories = [rng.uniform(size=(5, 3)) for _ in range(2)]
    path = _write_dream(tmp_path, trajectories, ["G1", "G2", "G3"], blank_lines=False)
    data = load_dream3(path)
    assert data.graph is None and data.edges() == []
    assert len(data.recordings) == 2
    np.testing.assert_array_equal(data.recordings[1], trajectories[1])


def test_dream3_recordings_feed_granger_test_without_crossing_seams(dream_files):
    traj_path, _, trajectories, _, _ = dream_files
    data = load_dream3(traj_path)
    from_file = granger_test(data.recordings, 1)
    direct = granger_test(trajectories, 1)
    np.testing.assert_allclose(from_file.f_stat, direct.f_stat, rtol=1e-12, equal_nan=True)
    # pooling the rows as one series would use windows across the seams: a different test
    stacked = granger_test(np.vstack(trajectories), 1)
    assert from_file.df_den != stacked.df_den


def test_dream3_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not download"):
        load_dream3(tmp_path / "nope.tsv")


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("G1\tG2\tG3\n0\t1\t2\n", "header"),
        ("Time\tG1\tG2\n0\t1\n", "fields"),
        ("Time\tG1\tG2\n0\t1\tabc\n10\t1\t2\n", "numbers"),
        ("Time\tG1\tG2\n0\t1\tNaN\n10\t1\t2\n", "NaN"),
        ("Time\tG1\tG2\n0\t1\t2\n10\t1\t2\n\n0\t1\t2\n20\t3\t3\n", "time grid"),
        ("Time\tG1\tG2\n", "no data"),
    ],
)
def test_dream3_malformed_trajectories(tmp_path, text, message):
    path = tmp_path / "bad-trajectories.tsv"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        load_dream3(path)


@pytest.mark.parametrize(
    "text, message",
    [
        ("G1\tG2\n", "REGULATOR"),
        ("G1\tG9\t1\n", "not in the trajectory header"),
        ("G1\tG2\t2\n", "0 or 1"),
        ("G1\tG2\t1\nG1\tG2\t0\n", "twice"),
        ("\n", "no 'REGULATOR"),
    ],
)
def test_dream3_malformed_gold_standard(dream_files, tmp_path, text, message):
    traj_path = dream_files[0]
    gold = tmp_path / "bad_gold.txt"
    gold.write_text(text)
    with pytest.raises(ValueError, match=message):
        load_dream3(traj_path, gold)


# --------------------------------------------------------------------------------------
# NetSim: .mat with ts, net, Nsubjects, Ntimepoints, Nnodes
# --------------------------------------------------------------------------------------
def _netsim_nets(n_subjects):
    base = -np.eye(5)
    for i, j, w in [(0, 1, 0.4), (1, 2, 0.5), (2, 3, 0.3), (3, 4, 0.6), (0, 4, 0.45)]:
        base[i, j] = w  # NetSim layout as read here: row = source
    nets = np.repeat(base[None], n_subjects, axis=0)
    nets[1, 0, 1] = 0.8  # subject-specific strength
    return nets


@pytest.fixture
def netsim_file(tmp_path):
    n_subjects, n_time, n_nodes = 3, 40, 5
    ts = np.random.default_rng(2).normal(size=(n_subjects * n_time, n_nodes))
    nets = _netsim_nets(n_subjects)
    path = tmp_path / "sim_toy.mat"
    savemat(path, {"ts": ts, "net": nets, "Nsubjects": n_subjects, "Ntimepoints": n_time, "Nnodes": n_nodes})
    return path, ts, nets


def test_netsim_returns_what_was_written(netsim_file):
    path, ts, nets = netsim_file
    data = load_netsim(path)
    assert data.n_subjects == 3 and data.n_nodes == 5
    for s in range(3):
        np.testing.assert_array_equal(data.recordings[s], ts[s * 40 : (s + 1) * 40])
    expected = np.zeros((5, 5), dtype=int)
    for i, j in [(0, 1), (1, 2), (2, 3), (3, 4), (0, 4)]:
        expected[i, j] = 1
    np.testing.assert_array_equal(data.graph, expected)  # a transposing loader fails here
    assert np.all(np.diag(data.graph) == 0)
    assert data.weights.shape == (3, 5, 5)
    assert data.weights[1, 0, 1] == 0.8 and data.weights[0, 0, 1] == 0.4
    np.testing.assert_array_equal(data.self_decay, -np.ones((3, 5)))
    np.testing.assert_array_equal(data.subjects, [0, 1, 2])
    assert not data.graph_varies


def test_netsim_subjects_and_orientation_switch(netsim_file):
    path, ts, nets = netsim_file
    data = load_netsim(path, subjects=[2, 1])
    np.testing.assert_array_equal(data.recordings[0], ts[80:120])
    assert data.weights[1, 0, 1] == 0.8  # subject 1 comes second
    transposed = load_netsim(path, orientation="column_to_row")
    np.testing.assert_array_equal(transposed.graph, load_netsim(path).graph.T)


def test_netsim_union_graph_when_subjects_differ(tmp_path):
    nets = _netsim_nets(2)
    nets[1, 2, 0] = 0.3  # an extra edge in subject 1 only
    path = tmp_path / "vary.mat"
    savemat(
        path,
        {
            "ts": np.random.default_rng(3).normal(size=(20, 5)),
            "net": nets,
            "Nsubjects": 2,
            "Ntimepoints": 10,
            "Nnodes": 5,
        },
    )
    data = load_netsim(path)
    assert data.graph_varies and data.graph[2, 0] == 1
    assert data.graphs[0, 2, 0] == 0 and data.graphs[1, 2, 0] == 1


def test_netsim_recordings_feed_granger_test(netsim_file):
    path, ts, _ = netsim_file
    data = load_netsim(path)
    result = granger_test(data.recordings, 1)
    assert result.f_stat.shape == (5, 5)


def test_netsim_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_netsim(tmp_path / "sim1.mat")


def _save(tmp_path, **kwargs):
    path = tmp_path / "bad.mat"
    savemat(path, kwargs)
    return path


def test_netsim_bad_files(tmp_path):
    ts = np.zeros((20, 5)) + np.arange(5)
    nets = _netsim_nets(2)
    not_mat = tmp_path / "not.mat"
    not_mat.write_text("hello")
    with pytest.raises(ValueError, match="MATLAB"):
        load_netsim(not_mat)
    with pytest.raises(ValueError, match="lacks"):
        load_netsim(_save(tmp_path, ts=ts, net=nets, Nsubjects=2, Ntimepoints=10))
    with pytest.raises(ValueError, match="ts has shape"):
        load_netsim(_save(tmp_path, ts=ts, net=nets, Nsubjects=2, Ntimepoints=11, Nnodes=5))
    with pytest.raises(ValueError, match="net has shape"):
        load_netsim(_save(tmp_path, ts=ts, net=nets[:, :4, :4], Nsubjects=2, Ntimepoints=10, Nnodes=5))
    with pytest.raises(ValueError, match="single number"):
        load_netsim(_save(tmp_path, ts=ts, net=nets, Nsubjects=[2, 2], Ntimepoints=10, Nnodes=5))
    bad_ts = ts.copy()
    bad_ts[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        load_netsim(_save(tmp_path, ts=bad_ts, net=nets, Nsubjects=2, Ntimepoints=10, Nnodes=5))
    good = _save(tmp_path, ts=ts, net=nets, Nsubjects=2, Ntimepoints=10, Nnodes=5)
    with pytest.raises(ValueError, match="out of range"):
        load_netsim(good, subjects=[2])
    with pytest.raises(ValueError, match="orientation"):
        load_netsim(good, orientation="rows")


# --------------------------------------------------------------------------------------
# Sachs et al. (2005), from the file cdt ships
# --------------------------------------------------------------------------------------
def test_sachs_shape_names_graph():
    data = sachs()
    assert data.X.shape == (7466, 11) and data.n == 7466
    assert data.names == list(SACHS_NAMES)
    assert np.all(np.isfinite(data.to_numpy()))
    assert data.graph.shape == (11, 11) and int(data.graph.sum()) == 18
    assert np.all(np.diag(data.graph) == 0)
    idx = {name: k for k, name in enumerate(data.names)}
    # the file lists "praf","pmek" (Raf -> Mek) and "PKC","praf" (PKC -> Raf)
    assert data.graph[idx["praf"], idx["pmek"]] == 1 and data.graph[idx["pmek"], idx["praf"]] == 0
    assert data.graph[idx["PKC"], idx["praf"]] == 1 and data.graph[idx["praf"], idx["PKC"]] == 0
    assert data.graph[idx["pmek"], idx["p44/42"]] == 1
    # the docstring says the shipped graph holds one cycle, plcg -> PIP2 -> PIP3 -> plcg
    import networkx as nx

    cycles = list(nx.simple_cycles(nx.from_numpy_array(data.graph, create_using=nx.DiGraph)))
    assert len(cycles) == 1 and {data.names[k] for k in cycles[0]} == {"plcg", "PIP2", "PIP3"}


def test_sachs_graph_matches_the_file_row_by_row():
    import pandas as pd

    from gcbook.datasets import _cdt_resources

    edges = pd.read_csv(f"{_cdt_resources()}/cyto_full_target.csv")
    data = sachs()
    assert sorted(data.edges()) == sorted(zip(edges["Cause"], edges["Effect"]))


def test_sachs_observational_only_is_refused():
    with pytest.raises(ValueError, match="pools"):
        sachs(observational_only=True)


def test_sachs_does_not_import_cdt():
    code = "import sys; from gcbook.datasets import sachs; d = sachs(); print('cdt' in sys.modules, d.n)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "7466"]


def test_sachs_without_cdt_says_what_to_install(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "cdt" else real(name, *a))
    with pytest.raises(ValueError, match=r"pip install cdt==0\.6\.0"):
        sachs()
