"""One result shape for every structure-learning method (issue 18, item 2).

Each method is run once on a small DataFrame with one planted link, named columns and a
known lag; every result must then answer the same questions the same way: ``scores``
(p, p), ``scores_by_lag`` (p, p, lag) with the lag axis last (or None), ``labels`` from
the DataFrame, ``method``, ``adjacency(...)``, ``to_frame()``, ``plot()``; it is frozen
and it is not an array.
"""

from __future__ import annotations

import dataclasses

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

NAMES = ["a", "b", "c"]
LAG = 2


def _lagged_frame(seed=0, T=400):
    """a(t-2) -> b(t), strongly; c is noise. The planted link is (cause a, effect b, lag 2)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((T, 3))
    X[2:, 1] += 0.9 * X[:-2, 0]
    return pd.DataFrame(X, columns=NAMES)


def _dag_frame(seed=0, n=500):
    """a -> b with weight 2 (b has the larger variance, so sortnregress orients it too); c independent."""
    rng = np.random.default_rng(seed)
    a, c = rng.standard_normal(n), rng.standard_normal(n)
    return pd.DataFrame({"a": a, "b": 2.0 * a + rng.standard_normal(n), "c": c})


def _granger(conditional):
    from gcbook.granger import granger_test

    return granger_test(_lagged_frame(), LAG, conditional=conditional)


def _geweke():
    from gcbook.granger import granger_strength

    return granger_strength(_lagged_frame(), LAG)


def _lasso_var():
    from gcbook.sparse_var import lasso_var

    return lasso_var(_lagged_frame(), LAG, 0.05)


def _pcmci():
    pytest.importorskip("tigramite")
    from gcbook.baselines import run_pcmci

    return run_pcmci(_lagged_frame(), LAG)


def _neural(name):
    from gcbook.neural import CMLP, GRNGC

    est = CMLP(lag=LAG, epochs=150, hidden=10, seed=0) if name == "cmlp" else GRNGC(lag=LAG, epochs=60, seed=0)
    return est.fit(_lagged_frame()).result_


def _notears():
    from gcbook.notears import notears_linear

    return notears_linear(_dag_frame())


def _sortnregress():
    from gcbook.notears import sortnregress

    return sortnregress(_dag_frame())


def _cpdag(name):
    pytest.importorskip("causallearn")
    from gcbook import baselines

    return getattr(baselines, f"run_{name}")(_dag_frame())


# method -> (make the result, has lags)
METHODS = {
    "granger_pairwise": (lambda: _granger(False), False),
    "granger_conditional": (lambda: _granger(True), False),
    "geweke_pairwise": (_geweke, False),
    "lasso_var": (_lasso_var, True),
    "pcmci": (_pcmci, True),
    "cmlp": (lambda: _neural("cmlp"), True),
    "grngc_mlp": (lambda: _neural("grngc_mlp"), True),
    "notears": (_notears, False),
    "sortnregress": (_sortnregress, False),
    "pc": (lambda: _cpdag("pc"), False),
    "ges": (lambda: _cpdag("ges"), False),
}


@pytest.fixture(scope="module")
def results(torch_one_thread):
    """The results made so far, by method (each method runs once per module)."""
    return {}


def _result(name, cache):
    if name not in cache:
        cache[name] = METHODS[name][0]()
    return cache[name]


@pytest.mark.parametrize("name", list(METHODS))
def test_every_result_has_the_shared_shape(name, results):
    res = _result(name, results)
    has_lags = METHODS[name][1]
    p = len(NAMES)
    assert res.method == name
    assert res.labels == tuple(NAMES)  # the DataFrame's columns, everywhere
    scores = np.asarray(res.scores)
    assert scores.shape == (p, p) and scores.dtype.kind == "f" and np.all(np.isfinite(scores))
    if has_lags:
        assert np.shape(res.scores_by_lag) == (p, p, LAG)  # the lag axis last
    else:
        assert res.scores_by_lag is None
    frame = res.to_frame()
    assert len(frame) == p * (p - 1) and list(frame.columns[:2]) == ["cause", "effect"]
    assert res.score_name in frame.columns
    if res.has_default_adjacency:
        A = res.adjacency()
        assert A.shape == (p, p) and A.dtype.kind == "i" and set(np.unique(A)) <= {-1, 0, 1}
        off = ~np.eye(p, dtype=bool)
        np.testing.assert_array_equal(frame["edge"].to_numpy(), A[off])
    else:
        assert "edge" not in frame.columns
        with pytest.raises(ValueError, match="threshold"):
            res.adjacency()
    if has_lags:
        by_lag = res.to_frame(by_lag=True)
        assert len(by_lag) == p * (p - 1) * LAG and list(by_lag.columns) == ["cause", "effect", "lag", "score"]
    else:
        with pytest.raises(ValueError, match="no lags"):
            res.to_frame(by_lag=True)
    ax = res.plot()
    assert isinstance(ax, matplotlib.axes.Axes)
    matplotlib.pyplot.close(ax.figure)
    assert repr(res).startswith(type(res).__name__ + "(")


@pytest.mark.parametrize("name", list(METHODS))
def test_a_result_is_frozen_and_not_an_array(name, results):
    res = _result(name, results)
    field = dataclasses.fields(res)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(res, field, None)
    for misuse in (np.asarray, lambda r: r[0, 1], lambda r: tuple(r)):
        with pytest.raises(TypeError, match="result object, not an array"):
            misuse(res)


@pytest.mark.parametrize("name", [n for n in METHODS if n not in ("pc", "ges")])
def test_the_planted_link_tops_the_table_in_the_books_orientation(name, results):
    """The largest score of to_frame() is the planted a -> b, not b -> a: scores and labels agree in orientation.

    PC and GES cannot orient a single edge a - b (Markov equivalence); the suite's
    collider test checks their orientation.
    """
    res = _result(name, results)
    frame = res.to_frame()
    top = frame.loc[frame[res.score_name].idxmax()]
    assert (top["cause"], top["effect"]) == ("a", "b")
    if METHODS[name][1]:
        by_lag = res.to_frame(by_lag=True)
        top = by_lag.loc[by_lag["score"].idxmax()]
        assert (top["cause"], top["effect"], top["lag"]) == ("a", "b", LAG)
        np.testing.assert_array_equal(res.scores_by_lag[0, 1, LAG - 1], top["score"])


def test_default_labels_for_an_array():
    from gcbook.granger import granger_test

    res = granger_test(_lagged_frame().to_numpy(), LAG)
    assert res.labels == ("x0", "x1", "x2") and res.to_frame()["cause"].iloc[0] == "x0"
