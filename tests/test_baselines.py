"""Tests for gcbook.baselines: PC and GES from causal-learn, PCMCI from tigramite, in the book's orientation."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from gcbook.baselines import (
    CPDAGResult,
    PCMCIResult,
    causallearn_to_adjacency,
    run_ges,
    run_pc,
    run_pcmci,
)
from gcbook.metrics import count_accuracy

# ---------------------------------------------------------------------------
# PC and GES from causal-learn
# ---------------------------------------------------------------------------


def test_causallearn_conversion_hand_made():
    # causal-learn: G[j, i] = 1 and G[i, j] = -1 is i -> j; both -1 undirected; both 1 bidirected.
    G = np.zeros((4, 4), dtype=int)
    G[0, 1], G[1, 0] = -1, 1  # 0 -> 1
    G[3, 2], G[2, 3] = -1, 1  # 3 -> 2
    G[1, 2] = G[2, 1] = -1  # 1 - 2
    G[0, 3] = G[3, 0] = 1  # 0 <-> 3
    B = causallearn_to_adjacency(G)
    expected = np.zeros((4, 4), dtype=int)
    expected[0, 1] = 1
    expected[3, 2] = 1
    expected[1, 2] = -1
    expected[0, 3] = -1
    assert isinstance(B, np.ndarray) and np.array_equal(B, expected)
    truth = np.zeros((4, 4), dtype=int)
    truth[0, 1] = truth[2, 3] = truth[1, 2] = 1
    acc = count_accuracy(truth, B)  # usable as it is
    assert acc["nnz"] == 4 and acc["shd"] == 2  # 3 -> 2 reversed, 0 - 3 extra


def test_causallearn_conversion_rejects_a_non_square_matrix():
    with pytest.raises(ValueError, match="square"):
        causallearn_to_adjacency(np.zeros((2, 3)))


def _v_structure(n=2000, seed=25):
    rng = np.random.default_rng(seed)
    x0, x1 = rng.normal(size=(2, n))
    return np.c_[x0, x1, 0.8 * x0 - 0.8 * x1 + rng.normal(size=n)]


def _chain(n=2000, seed=26):
    rng = np.random.default_rng(seed)
    x0 = rng.normal(size=n)
    x1 = 0.8 * x0 + rng.normal(size=n)
    return np.c_[x0, x1, 0.8 * x1 + rng.normal(size=n)]


@pytest.mark.parametrize("method", [run_pc, run_ges])
def test_pc_ges_orient_a_v_structure(method):
    res = method(_v_structure())
    assert isinstance(res, CPDAGResult) and res.method == method.__name__.removeprefix("run_")
    truth = np.array([[0, 0, 1], [0, 0, 1], [0, 0, 0]])
    assert np.array_equal(res.cpdag, truth)
    assert np.array_equal(res.adjacency(), res.cpdag)
    assert count_accuracy(truth, res.adjacency())["shd"] == 0
    np.testing.assert_array_equal(res.scores, truth.astype(float))  # directed edges score 1, in their direction
    assert res.scores_by_lag is None


@pytest.mark.parametrize("method", [run_pc, run_ges])
def test_pc_ges_leave_a_chain_undirected(method):
    res = method(_chain())
    assert np.array_equal(res.cpdag, np.array([[0, -1, 0], [0, 0, -1], [0, 0, 0]]))
    truth = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    assert count_accuracy(truth, res.adjacency()) == {"fdr": 0.0, "tpr": 1.0, "fpr": 0.0, "shd": 0, "nnz": 2}
    np.testing.assert_array_equal(res.scores, [[0, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0]])


def test_pc_ges_collinear_errors():
    x = np.random.default_rng(27).normal(size=(200, 2))
    X = np.c_[x, x[:, 0] + x[:, 1]]
    with pytest.raises(ValueError, match="collinear"):
        run_pc(X)
    with pytest.raises(ValueError, match="collinear"):
        run_ges(X)
    with pytest.raises(ValueError, match="alpha"):
        run_pc(_chain(), alpha=1.5)


@pytest.mark.parametrize("method", [run_pc, run_ges])
def test_pc_ges_bad_data(method):
    X = _chain(n=50)
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        method(X)
    with pytest.raises(ValueError, match="constant"):
        method(np.c_[_chain(n=50), np.ones(50)])


def test_cpdag_scores_rule():
    # 1 on a directed edge, 0.5 on both directions of an undirected one (the suite's rule)
    res = CPDAGResult(np.array([[0, 1, -1], [0, 0, 0], [0, 0, 0]]), "pc")
    np.testing.assert_array_equal(res.scores, [[0, 1, 0.5], [0, 0, 0], [0.5, 0, 0]])
    assert res.labels == ("x0", "x1", "x2")
    assert repr(res) == "CPDAGResult(pc, p=3, 1 directed and 1 undirected edges)"


@pytest.mark.parametrize(
    "cpdag",
    [np.array([[0, 2], [0, 0]]), np.array([[0, 0], [-1, 0]]), np.array([[0, -1], [1, 0]]), np.zeros((2, 3))],
)
def test_cpdag_result_refuses_a_malformed_cpdag(cpdag):
    with pytest.raises(ValueError, match="cpdag|undirected"):
        CPDAGResult(cpdag, "pc")


def test_pc_labels_frame_plot_and_not_an_array():
    X = pd.DataFrame(_v_structure(n=1000), columns=["a", "b", "c"])
    res = run_pc(X)
    assert res.labels == ("a", "b", "c")
    frame = res.to_frame().set_index(["cause", "effect"])
    assert frame.loc[("a", "c"), "edge"] == 1 and frame.loc[("c", "a"), "edge"] == 0  # cause is the row
    assert frame.loc[("a", "c"), "score"] == 1.0
    with pytest.raises(ValueError, match="no lags"):
        res.to_frame(by_lag=True)
    assert res.plot() is not None
    for misuse in (np.asarray, lambda r: r[0, 1], lambda r: list(r)):
        with pytest.raises(TypeError, match="result.cpdag"):
            misuse(res)


# ---------------------------------------------------------------------------
# PCMCI from tigramite
# ---------------------------------------------------------------------------


def _lagged(T=400, seed=3):
    """x0 -> x2 at lag 2 and x1 -> x0 at lag 1, nothing else (white noise otherwise)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((T, 3))
    for t in range(2, T):
        X[t, 0] += 0.7 * X[t - 1, 1]
        X[t, 2] += 0.7 * X[t - 2, 0]
    return X


def _tigramite(dataframe, lag):
    from tigramite.independence_tests.parcorr import ParCorr
    from tigramite.pcmci import PCMCI

    return PCMCI(dataframe=dataframe, cond_ind_test=ParCorr(), verbosity=0).run_pcmci(tau_max=lag, pc_alpha=None)


def test_pcmci_is_tigramite_on_the_same_data():
    import tigramite.data_processing as pp

    X = _lagged()
    res = run_pcmci(X, lag=2)
    direct = _tigramite(pp.DataFrame(X.copy()), 2)
    np.testing.assert_array_equal(res.val_matrix, direct["val_matrix"])
    np.testing.assert_array_equal(res.p_matrix, direct["p_matrix"])
    assert isinstance(res, PCMCIResult) and res.method == "pcmci" and res.lag == 2
    np.testing.assert_array_equal(res.scores_by_lag, np.abs(direct["val_matrix"][:, :, 1:]))
    np.testing.assert_array_equal(res.scores, np.abs(direct["val_matrix"][:, :, 1:]).max(axis=2))
    for alpha in (0.05, 0.001):
        np.testing.assert_array_equal(
            res.adjacency(alpha), (direct["p_matrix"][:, :, 1:].min(axis=2) < alpha).astype(int)
        )


def test_pcmci_recordings_are_tigramite_multiple_mode():
    import tigramite.data_processing as pp

    X = _lagged(T=600, seed=4)
    recordings = [X[:250], X[250:420], X[420:]]
    res = run_pcmci(recordings, lag=2)
    direct = _tigramite(pp.DataFrame({k: R.copy() for k, R in enumerate(recordings)}, analysis_mode="multiple"), 2)
    np.testing.assert_array_equal(res.val_matrix, direct["val_matrix"])
    np.testing.assert_array_equal(res.p_matrix, direct["p_matrix"])
    # pooled within each recording: not the same as the recordings written end to end
    stacked = run_pcmci(X, lag=2)
    assert not np.allclose(res.val_matrix, stacked.val_matrix)
    one = run_pcmci([X], lag=2)  # a list of one recording is that recording
    np.testing.assert_array_equal(one.val_matrix, stacked.val_matrix)


def test_pcmci_orientation_and_lag_of_a_planted_link():
    res = run_pcmci(_lagged(), lag=3)
    A = res.adjacency()
    off = ~np.eye(3, dtype=bool)
    expected = np.zeros((3, 3), dtype=int)
    expected[0, 2] = expected[1, 0] = 1  # the cause is the row
    np.testing.assert_array_equal(A[off], expected[off])
    assert res.scores_by_lag.shape == (3, 3, 3)
    assert int(np.argmax(res.scores_by_lag[0, 2])) == 1  # x0 -> x2 at lag 2 (the lag axis is last)
    assert int(np.argmax(res.scores_by_lag[1, 0])) == 0  # x1 -> x0 at lag 1
    assert res.scores[0, 2] > 0.4 and res.scores[2, 0] < 0.2
    np.testing.assert_array_equal(res.p_value, res.p_matrix[:, :, 1:].min(axis=2))


def test_pcmci_ignores_contemporaneous_links():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((400, 2))
    X[:, 1] += 0.9 * X[:, 0]  # x0 -> x1 at lag 0 only
    res = run_pcmci(X, lag=1)
    assert res.p_matrix[0, 1, 0] < 1e-10  # tigramite sees it at tau = 0 ...
    assert res.adjacency()[0, 1] == 0  # ... which the scores and the graph leave out
    assert res.scores[0, 1] == np.abs(res.val_matrix[0, 1, 1])


def test_pcmci_labels_frame_plot_repr_and_not_an_array():
    X = pd.DataFrame(_lagged(), columns=["u", "v", "w"])
    res = run_pcmci(X, lag=2, alpha=0.01)
    assert res.labels == ("u", "v", "w") and res.alpha == 0.01
    np.testing.assert_array_equal(res.adjacency(), res.adjacency(0.01))
    frame = res.to_frame().set_index(["cause", "effect"])
    assert frame.loc[("u", "w"), "edge"] == 1 and frame.loc[("w", "u"), "edge"] == 0
    assert frame.loc[("u", "w"), "p_value"] == res.p_value[0, 2]
    by_lag = res.to_frame(by_lag=True).set_index(["cause", "effect", "lag"])
    assert by_lag.loc[("u", "w", 2), "score"] == abs(res.val_matrix[0, 2, 2])
    assert res.plot() is not None
    assert repr(res).startswith("PCMCIResult(p=3, lag=2, ")
    for misuse in (np.asarray, lambda r: r[0], lambda r: tuple(r)):
        with pytest.raises(TypeError, match="result.val_matrix"):
            misuse(res)


@pytest.mark.parametrize(
    "X, kwargs, match",
    [
        (np.ones((50, 2)).cumsum(0)[:, :1], {}, "at least 2 variables"),
        (np.c_[np.arange(50.0), np.full(50, np.nan)], {}, "NaN"),
        (None, {"lag": 0}, "lag"),
        (None, {"alpha": 1.0}, "alpha"),
        (None, {"pc_alpha": -0.1}, "pc_alpha"),
        ("short", {}, "2 lag \\+ 1"),
        ("mismatch", {}, "same variables"),
    ],
)
def test_pcmci_bad_input(X, kwargs, match):
    good = _lagged(T=100)
    if X is None:
        X = good
    elif isinstance(X, str) and X == "short":
        X = [good[:60], good[60:64]]  # the second recording has 4 < 2 * 2 + 1 points
    elif isinstance(X, str):
        X = [good, good[:, :2]]
    kwargs = {"lag": 2, **kwargs}
    with pytest.raises(ValueError, match=match):
        run_pcmci(X, **kwargs)


def test_pcmci_adjacency_checks_alpha():
    res = run_pcmci(_lagged(T=100), lag=1)
    with pytest.raises(ValueError, match="alpha"):
        res.adjacency(alpha=2.0)


# ---------------------------------------------------------------------------
# package rules
# ---------------------------------------------------------------------------


def test_import_is_lazy():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import gcbook.baselines\n"
        "lazy = [m for m in ('causallearn', 'tigramite', 'matplotlib') if m in sys.modules]\n"
        "assert not lazy, lazy\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout == ""
