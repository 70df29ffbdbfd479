"""gcbook.notears: the objective and its gradients, h(W) on large weights, the algorithm, sortnregress.

Ground truths come from gcbook.simulate with seeds fixed in advance; NOTEARS runs with the
paper's defaults (lambda1=0.1, w_threshold=0.3).
"""

import math
import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
import scipy.linalg
import scipy.optimize

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from notears_reference import notears_reference  # noqa: E402

import gcbook.notears as notears_module
from gcbook.metrics import count_accuracy
from gcbook.notears import (
    DAGResult,
    NotearsHistory,
    _acyclicity_large,
    _expm_kernels,
    _lbfgsb_direct,
    _lbfgsb_minimize,
    _Objective,
    acyclicity,
    make_acyclic,
    notears_linear,
    notears_loss,
    notears_objective,
    sortnregress,
)
from gcbook.simulate import dag_weights, is_dag, linear_sem, random_dag


def _sem(d, n_edges, n, seed, kind="ER"):
    rng = np.random.default_rng(seed)
    B = random_dag(d, n_edges, kind=kind, seed=rng)
    W = dag_weights(B, seed=rng)
    return B, W, linear_sem(W, n, seed=rng)


def _central_diff(f, x, eps=1e-6):
    """Central finite differences of a scalar function of an array (any shape)."""
    grad = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[k] = eps
        grad[k] = (f(x + e) - f(x - e)) / (2 * eps)
    return grad


def _reference_notears(X, **kwargs):
    """The authors' notears/linear.py, written out once in benchmarks/notears_reference.py."""
    return notears_reference(X, **kwargs)[0]


def test_acyclicity_zero_exactly_on_dags_positive_on_cycles():
    B = random_dag(6, 9, seed=0)
    W = dag_weights(B, seed=1)
    h, G = acyclicity(W)
    assert abs(h) < 1e-12
    assert np.allclose(G, 0.0, atol=1e-12)
    W_cyc = W.copy()
    i, j = np.argwhere(B == 1)[0]
    W_cyc[j, i] = 0.7  # close a 2-cycle
    assert acyclicity(W_cyc)[0] > 0.1


@pytest.mark.parametrize("a, b", [(1.0, 1.0), (0.5, -2.0), (3.0, 1.5)])
def test_acyclicity_two_cycle_closed_form(a, b):
    # A = W o W = [[0, a^2], [b^2, 0]] has eigenvalues +-|ab|, so h = 2 cosh(ab) - 2,
    # and d/da 2 cosh(|ab|) = 2 sinh(|ab|) |b| sign(a).
    W = np.array([[0.0, a], [b, 0.0]])
    h, G = acyclicity(W)
    assert h == pytest.approx(2 * math.cosh(a * b) - 2, rel=1e-12)
    assert G[0, 1] == pytest.approx(2 * math.sinh(abs(a * b)) * abs(b) * math.copysign(1, a), rel=1e-10)
    assert G[1, 0] == pytest.approx(2 * math.sinh(abs(a * b)) * abs(a) * math.copysign(1, b), rel=1e-10)


def test_acyclicity_matches_power_series_and_finite_differences():
    rng = np.random.default_rng(3)
    W = rng.normal(scale=0.4, size=(5, 5))
    np.fill_diagonal(W, 0.0)
    A = W * W
    series, term = 0.0, np.eye(5)
    for k in range(1, 40):
        term = term @ A / k
        series += np.trace(term)
    h, G = acyclicity(W)
    assert h == pytest.approx(series, rel=1e-12)
    assert np.allclose(G, _central_diff(lambda V: acyclicity(V)[0], W), rtol=1e-6, atol=1e-8)


def test_acyclicity_large_weight_path_agrees_with_expm_on_moderate_weights():
    rng = np.random.default_rng(4)
    W = rng.normal(scale=1.0, size=(6, 6))
    h_fast, G_fast = acyclicity(W)
    h_safe, G_safe = _acyclicity_large(W, W * W)
    assert h_safe == pytest.approx(h_fast, rel=1e-11)
    assert np.allclose(G_safe, G_fast, rtol=1e-11, atol=0)


def test_acyclicity_large_weights_on_a_dag_is_exactly_zero_and_finite():
    B = random_dag(30, 60, seed=5)
    W = dag_weights(B, seed=6) * 1e3  # |W| in [500, 2000]: exp(W o W) would overflow entrywise for long paths
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h, G = acyclicity(W)
    assert h == 0.0
    assert np.all(np.isfinite(G)) and np.all(G == 0.0)


def test_acyclicity_large_cycle_finite_when_representable():
    W = np.array([[0.0, 25.0], [25.0, 0.0]])  # ||W o W||_1 = 625 > 600: the log-scaled path; h = 2 cosh(625) - 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h, G = acyclicity(W)
    assert math.isfinite(h) and np.all(np.isfinite(G))
    assert math.log(h) == pytest.approx(625.0, rel=1e-12)  # 2 cosh(625) - 2 = e^625 (1 + tiny)
    assert math.log(G[0, 1]) == pytest.approx(625 + math.log(25.0), rel=1e-12)  # 2 * 25 * sinh(625)


def test_acyclicity_huge_cycle_raises_clear_error():
    W = np.array([[0.0, 1e3, 0.0], [0.0, 0.0, 1e3], [1e3, 0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="beyond the float64 range"):
            acyclicity(W)


@pytest.mark.parametrize("bad", [np.ones((2, 3)), np.array([[0.0, np.nan], [0.0, 0.0]]), np.ones(3)])
def test_acyclicity_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        acyclicity(bad)


# ---------------------------------------------------------------------------
# loss, objective, gradients
# ---------------------------------------------------------------------------


def test_l2_loss_gradient_matches_finite_differences():
    _, _, X = _sem(4, 4, 200, seed=7)
    W = np.random.default_rng(8).normal(scale=0.5, size=(4, 4))
    value, grad = notears_loss(W, X)
    assert np.allclose(grad, _central_diff(lambda V: notears_loss(V, X)[0], W), rtol=1e-6, atol=1e-8)
    Xc = X - X.mean(axis=0)
    assert value == pytest.approx(0.5 / X.shape[0] * np.sum((Xc - Xc @ W) ** 2), rel=1e-13)


def test_logistic_loss_gradient_matches_finite_differences():
    X = (np.random.default_rng(9).random((300, 4)) < 0.4).astype(float)
    W = np.random.default_rng(10).normal(scale=0.5, size=(4, 4))
    _, grad = notears_loss(W, X, loss="logistic")
    assert np.allclose(grad, _central_diff(lambda V: notears_loss(V, X, loss="logistic")[0], W), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("loss", ["l2", "logistic"])
def test_objective_gradient_check_grad(loss):
    rng = np.random.default_rng(11)
    d = 4
    X = rng.normal(size=(200, d)) if loss == "l2" else (rng.random((200, d)) < 0.5).astype(float)
    w = rng.uniform(0.0, 0.6, size=2 * d * d)
    for rho, alpha in [(1.0, 0.0), (1e3, 2.5)]:

        def f(v, rho=rho, alpha=alpha):
            return notears_objective(v, X, rho=rho, alpha=alpha, lambda1=0.1, loss=loss)[0]

        def g(v, rho=rho, alpha=alpha):
            return notears_objective(v, X, rho=rho, alpha=alpha, lambda1=0.1, loss=loss)[1]

        err = scipy.optimize.check_grad(f, g, w, epsilon=1e-7)
        assert err / np.linalg.norm(g(w)) < 1e-5


def test_sufficient_statistics_objective_equals_the_data_formula():
    # notears_linear evaluates the l2 loss from S = X^T X / n; it must equal the formula on X.
    _, _, X = _sem(5, 6, 300, seed=12)
    rng = np.random.default_rng(13)
    w = rng.uniform(0.0, 0.8, size=50)
    rho, alpha, lambda1 = 10.0, 0.3, 0.1
    value, grad = _Objective(X, "l2", lambda1)(w, rho, alpha)
    W = (w[:25] - w[25:]).reshape(5, 5)
    loss, G_loss = notears_loss(W, X)
    h, G_h = acyclicity(W)
    G = G_loss + (rho * h + alpha) * G_h
    assert value == pytest.approx(loss + 0.5 * rho * h * h + alpha * h + lambda1 * w.sum(), rel=1e-12)
    assert np.allclose(grad, np.concatenate([G.ravel() + lambda1, -G.ravel() + lambda1]), rtol=1e-10, atol=1e-12)


def test_objective_rejects_bad_w():
    X = np.random.default_rng(0).normal(size=(50, 3))
    with pytest.raises(ValueError, match="length 2 d"):
        notears_objective(np.zeros(9), X)


# ---------------------------------------------------------------------------
# notears_linear: quality on known graphs
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [100, 101])
def test_recovers_er_graph(seed):
    B, _, X = _sem(10, 10, 1000, seed=seed)
    res = notears_linear(X)
    W = res.W
    acc = count_accuracy(B, res.adjacency())
    assert acc["shd"] <= 3 and acc["tpr"] >= 0.8, acc
    assert is_dag(W) and np.all(np.diag(W) == 0)


def test_two_variables_both_directions():
    rng = np.random.default_rng(14)
    a = rng.normal(size=1000)
    b = -1.5 * a + rng.normal(size=1000)
    W = notears_linear(np.c_[a, b]).W  # 0 -> 1
    assert W[0, 1] == pytest.approx(-1.5, abs=0.1) and W[1, 0] == 0
    W = notears_linear(np.c_[b, a]).W  # 1 -> 0
    assert W[1, 0] == pytest.approx(-1.5, abs=0.1) and W[0, 1] == 0


def test_empty_graph_gives_empty_estimate():
    X = np.random.default_rng(15).normal(size=(1000, 6)) * np.array([1.0, 2.0, 0.5, 3.0, 1.0, 1.5])
    assert np.count_nonzero(notears_linear(X).W) == 0


def test_fewer_samples_than_variables_runs():
    _, _, X = _sem(8, 8, 5, seed=16)
    W = notears_linear(X).W
    assert W.shape == (8, 8) and np.all(np.isfinite(W)) and is_dag(W)


def test_collinear_columns_give_a_dag_with_the_edge():
    rng = np.random.default_rng(17)
    x0 = rng.normal(size=500)
    X = np.c_[x0, 2.0 * x0, rng.normal(size=500)]  # x1 = 2 x0 exactly
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        W = notears_linear(X).W
    assert is_dag(W) and np.all(np.isfinite(W))
    # the higher-variance copy is explained by the other; L1 shrinks 2 by about lambda1 / var(x0)
    assert W[0, 1] == pytest.approx(2.0 - 0.1 / np.var(x0), abs=0.02) and W[1, 0] == 0
    assert np.count_nonzero(W[:, 2]) == 0 and np.count_nonzero(W[2]) == 0


def test_weights_of_order_1e3_no_overflow():
    # x1 = 1000 x0: the fit needs W[0, 1] = 1000, so h(W) is evaluated on W o W of norm ~1e6
    rng = np.random.default_rng(32)
    x0 = rng.normal(size=1000)
    X = np.c_[x0, 1000.0 * x0 + rng.normal(size=1000), rng.normal(size=1000)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or invalid-value warnings anywhere
        res = notears_linear(X)
    W, hist = res.W, res.history
    assert np.all(np.isfinite(W)) and hist.converged and res.converged
    assert W[0, 1] == pytest.approx(1000.0, rel=1e-3) and np.count_nonzero(W) == 1


def test_deterministic():
    _, _, X = _sem(6, 8, 300, seed=18)
    res1, res2 = notears_linear(X), notears_linear(X)
    assert np.array_equal(res1.W, res2.W)
    assert np.array_equal(res1.history.h, res2.history.h)


def test_dataframe_input():
    _, _, X = _sem(4, 3, 300, seed=19)
    df = pd.DataFrame(X, columns=list("abcd"))
    res = notears_linear(df)
    assert np.array_equal(res.W, notears_linear(X).W)
    assert res.labels == ("a", "b", "c", "d") and notears_linear(X).labels == ("x0", "x1", "x2", "x3")


def test_unpreconditioned_path_is_the_reference_code():
    B, _, X = _sem(5, 5, 500, seed=20)
    W_ref = _reference_notears(X)
    W = notears_linear(X, precondition=False).W
    assert np.array_equal(W != 0, W_ref != 0)
    assert np.allclose(W, W_ref, atol=1e-4)
    # the preconditioned default reaches the same graph on this easy problem
    assert np.array_equal(notears_linear(X).W != 0, W_ref != 0)


@pytest.mark.parametrize("scaled", [False, True])
def test_direct_lbfgsb_driver_is_bitwise_scipy_minimize(scaled):
    # notears_linear drives SciPy's compiled L-BFGS-B itself; it must take exactly minimize's steps.
    _, _, X = _sem(6, 8, 400, seed=28)
    fun = _Objective(X, "l2", 0.1)
    w0 = np.abs(np.random.default_rng(29).normal(scale=0.3, size=72)) * (fun.bounds.ub > 0)
    rho, alpha = 1e4, 3.0
    if scaled:
        scale = 1.0 / np.sqrt(fun.curvature(w0, rho, alpha))
        f, x0, args = fun.scaled, w0 / scale, (rho, alpha, scale)
    else:
        f, x0, args = fun, w0, (rho, alpha)
    direct = _lbfgsb_direct(f, x0, args, fun.bounds.lb, fun.bounds.ub)
    assert np.array_equal(direct, _lbfgsb_minimize(f, x0, args, fun.bounds))
    assert notears_module._direct_lbfgsb_ok()


def test_fallback_to_scipy_minimize_gives_the_same_result(monkeypatch):
    _, _, X = _sem(5, 6, 300, seed=30)
    W_direct = notears_linear(X).W
    monkeypatch.setattr(notears_module, "_DIRECT_LBFGSB_OK", False)
    assert np.array_equal(notears_linear(X).W, W_direct)
    monkeypatch.setattr(notears_module, "_EXPM_KERNELS_OK", False)  # public scipy.linalg.expm as well
    assert np.allclose(notears_linear(X).W, W_direct, atol=1e-6)


def test_expm_kernels_are_scipy_expm():
    rng = np.random.default_rng(31)
    for d, scale in [(2, 0.01), (4, 0.5), (10, 1.0), (20, 3.0), (7, 40.0)]:
        A = rng.uniform(0, scale, (d, d))
        assert np.array_equal(_expm_kernels(A), scipy.linalg.expm(A))
    assert np.array_equal(_expm_kernels(np.zeros((3, 3))), np.eye(3))
    U = np.triu(rng.uniform(0, 2.0, (6, 6)), 1)  # scipy special-cases triangular input; same numbers to rounding
    assert np.allclose(_expm_kernels(U), scipy.linalg.expm(U), rtol=1e-13, atol=1e-13)


def test_history_records_the_outer_iterations():
    _, _, X = _sem(5, 6, 500, seed=21)
    res = notears_linear(X)
    W, hist = res.W, res.history
    assert isinstance(hist, NotearsHistory)
    T = hist.h.size
    assert T >= 2 and hist.W.shape == (T, 5, 5)
    for field in (hist.rho, hist.alpha, hist.loss, hist.l1, hist.n_evals):
        assert field.shape == (T,)
    assert np.all(np.diff(hist.rho) >= 0) and np.all(np.diff(hist.alpha) >= 0)
    assert np.all(hist.n_evals > 0)
    assert hist.converged and hist.h[-1] <= 1e-8
    W_last = hist.W[-1].copy()
    W_last[np.abs(W_last) < 0.3] = 0
    assert np.array_equal(W_last, W)
    assert "converged" in repr(hist)
    axes = hist.plot()
    assert len(axes) == 3
    matplotlib.pyplot.close("all")


def test_logistic_loss_on_binary_data():
    rng = np.random.default_rng(22)
    n = 2000
    x0 = (rng.random(n) < 0.5).astype(float)
    x1 = (rng.random(n) < np.where(x0 == 1, 0.9, 0.1)).astype(float)  # strongly driven by x0
    x2 = (rng.random(n) < 0.5).astype(float)
    W = notears_linear(np.c_[x0, x1, x2], loss="logistic").W
    assert is_dag(W)
    assert W[0, 1] != 0 or W[1, 0] != 0  # the dependent pair is adjacent
    assert np.count_nonzero(W[:, 2]) == 0 and np.count_nonzero(W[2]) == 0


# ---------------------------------------------------------------------------
# notears_linear: the DAG guarantee after thresholding
# ---------------------------------------------------------------------------


def test_cycle_after_threshold_is_removed_with_a_warning():
    _, _, X = _sem(6, 10, 300, seed=23)
    # one outer iteration (h far from h_tol) and no threshold leave cycles in W
    with pytest.warns(UserWarning, match="removed the weakest edge"):
        W = notears_linear(X, max_iter=1, w_threshold=0.0).W
    assert is_dag(W)
    with pytest.warns(UserWarning, match="not a DAG"):
        W_raw = notears_linear(X, max_iter=1, w_threshold=0.0, enforce_dag=False).W
    assert not is_dag(W_raw)
    # only edges on cycles were removed: whatever was dropped was nonzero in the raw estimate
    dropped = (W_raw != 0) & (W == 0)
    assert dropped.any() and np.array_equal(W[W != 0], W_raw[W != 0])


def test_make_acyclic():
    W = np.array(
        [
            [0.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 2.0, 0.0],
            [0.5, 0.0, 0.0, 0.9],
            [0.0, 0.0, 0.3, 0.0],  # 2 <-> 3, a 2-cycle; 0 -> 1 -> 2 -> 0 a 3-cycle
        ]
    )
    W_dag, removed = make_acyclic(W)
    assert is_dag(W_dag)
    assert sorted(removed) == [(2, 0), (3, 2)]
    dag = np.triu(W, 1)
    assert make_acyclic(dag)[1] == [] and np.array_equal(make_acyclic(dag)[0], dag)
    assert make_acyclic(np.diag([0.0, 1.0]))[1] == [(1, 1)]  # a self-loop is a cycle


# ---------------------------------------------------------------------------
# notears_linear: invalid input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([[1.0, np.nan], [2.0, 1.0], [0.0, 3.0]]), "NaN or inf"),
        (np.array([[1.0, np.inf], [2.0, 1.0], [0.0, 3.0]]), "NaN or inf"),
        (np.arange(10.0), "2-D"),
        (np.arange(10.0).reshape(-1, 1), "at least 2 variables"),
        (np.c_[np.arange(10.0), np.ones(10)], "constant column"),
    ],
)
def test_bad_data_raises(X, match):
    with pytest.raises(ValueError, match=match):
        notears_linear(X)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"lambda1": -0.1}, "lambda1"),
        ({"lambda1": "a"}, "lambda1"),
        ({"lambda1": np.nan}, "lambda1"),
        ({"w_threshold": -0.3}, "w_threshold"),
        ({"w_threshold": np.inf}, "w_threshold"),
        ({"loss": "l1"}, "loss"),
        ({"loss": "logistic"}, "binary"),
        ({"max_iter": 0}, "max_iter"),
        ({"max_iter": 2.5}, "max_iter"),
        ({"h_tol": 0.0}, "h_tol"),
        ({"rho_max": 1.0}, "rho_max"),
    ],
)
def test_bad_parameters_raise(kwargs, match):
    X = np.random.default_rng(0).normal(size=(50, 3))
    with pytest.raises(ValueError, match=match):
        notears_linear(X, **kwargs)


# ---------------------------------------------------------------------------
# sortnregress
# ---------------------------------------------------------------------------


def test_sortnregress_on_varsortable_data():
    B, _, X = _sem(8, 10, 2000, seed=24)
    res = sortnregress(X)
    W = res.W
    assert is_dag(W) and res.method == "sortnregress" and res.history is None and res.converged is None
    order = np.argsort(np.var(X, axis=0))
    rank = np.empty(8, int)
    rank[order] = np.arange(8)
    i, j = np.nonzero(W)
    assert np.all(rank[i] < rank[j])  # every edge points from lower to higher variance
    assert count_accuracy(B, res.adjacency())["tpr"] >= 0.7


def test_sortnregress_ties_keep_the_column_order():
    # standardized columns have variance 1 up to rounding: the order must not depend on the last bits
    _, _, X = _sem(6, 8, 500, seed=33)
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    W = sortnregress(Z).W
    assert is_dag(W) and np.all(np.tril(W) == 0)  # ties: regress on earlier columns only
    Z_bumped = Z * (1 + 1e-12 * np.random.default_rng(34).standard_normal(Z.shape))
    assert np.array_equal(sortnregress(Z_bumped).W != 0, W != 0)
    # distinct variances still decide: reversing the scale of the columns reverses the order
    W_scaled = sortnregress(Z * np.arange(6, 0, -1)).W
    assert np.all(np.triu(W_scaled) == 0)


def test_sortnregress_errors():
    with pytest.raises(ValueError, match="n > d"):
        sortnregress(np.random.default_rng(0).normal(size=(4, 4)))
    x = np.random.default_rng(1).normal(size=(100, 2))
    with pytest.raises(ValueError, match="collinear"):
        sortnregress(np.c_[x, x[:, 0] - 3 * x[:, 1]])


# ---------------------------------------------------------------------------
# the result object (DAGResult) and the deprecated forms
# ---------------------------------------------------------------------------


def test_dag_result_shape_and_decision_rule():
    _, _, X = _sem(5, 6, 500, seed=21)
    res = notears_linear(pd.DataFrame(X, columns=list("abcde")))
    W = res.W
    assert isinstance(res, DAGResult) and res.method == "notears" and res.scores_by_lag is None
    assert res.converged is res.history.converged is True
    np.testing.assert_array_equal(res.scores, np.abs(W))
    np.testing.assert_array_equal(res.adjacency(), (W != 0).astype(int))  # the method's own graph
    cut = np.abs(W[W != 0]).min() + 1e-9  # a stricter threshold drops exactly the weakest edge
    np.testing.assert_array_equal(res.adjacency(threshold=cut), (np.abs(W) >= cut).astype(int))
    assert res.adjacency(threshold=cut).sum() == res.adjacency().sum() - 1
    np.testing.assert_array_equal(res.adjacency(threshold=0.0), res.adjacency())  # never adds an edge
    with pytest.raises(ValueError, match="threshold"):
        res.adjacency(threshold=-0.1)
    i, j = np.argwhere(W != 0)[0]
    frame = res.to_frame().set_index(["cause", "effect"])
    row = frame.loc[("abcde"[i], "abcde"[j])]  # the cause is the row of W
    assert row["weight"] == W[i, j] and row["score"] == abs(W[i, j]) and row["edge"] == 1
    assert frame.loc[("abcde"[j], "abcde"[i]), "edge"] == 0
    assert repr(res) == f"DAGResult(notears, p=5, {np.count_nonzero(W)} edges, converged)"
    assert res.plot() is not None
    matplotlib.pyplot.close("all")
    for misuse in (np.asarray, lambda r: r[0, 1], lambda r: list(r), lambda r: np.count_nonzero(r)):
        with pytest.raises(TypeError, match="result.W"):
            misuse(res)


def test_dag_result_reports_a_fit_that_did_not_converge():
    _, _, X = _sem(6, 10, 300, seed=23)
    with pytest.warns(UserWarning):
        res = notears_linear(X, max_iter=1, w_threshold=0.0)
    assert res.converged is False and res.history.h[-1] > 1e-8
    assert "not converged" in repr(res)


def test_return_history_is_deprecated_and_returns_the_old_pair():
    _, _, X = _sem(5, 6, 500, seed=21)
    res = notears_linear(X)
    with pytest.warns(DeprecationWarning, match=r"return_history=True\) is deprecated.*res.W, res.history"):
        W, hist = notears_linear(X, return_history=True)
    assert isinstance(W, np.ndarray) and np.array_equal(W, res.W)
    assert isinstance(hist, NotearsHistory) and np.array_equal(hist.h, res.history.h)
    assert np.array_equal(hist.W, res.history.W)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        notears_linear(X, return_history=False)  # the default form is silent


def _chain(n=2000, seed=26):
    rng = np.random.default_rng(seed)
    x0 = rng.normal(size=n)
    x1 = 0.8 * x0 + rng.normal(size=n)
    return np.c_[x0, x1, 0.8 * x1 + rng.normal(size=n)]


@pytest.mark.parametrize("name", ["run_pc", "run_ges"])
def test_pc_and_ges_moved_to_baselines_keep_their_old_return(name):
    from gcbook import baselines

    X = _chain()
    with pytest.warns(DeprecationWarning, match=f"gcbook.notears.{name} is deprecated.*gcbook.baselines.{name}"):
        old = getattr(notears_module, name)
    B = old(X)
    assert isinstance(B, np.ndarray) and B.dtype == np.int64
    np.testing.assert_array_equal(B, getattr(baselines, name)(X).cpdag)
    np.testing.assert_array_equal(B, [[0, -1, 0], [0, 0, -1], [0, 0, 0]])  # the old array: 0 - 1 - 2
    assert old.__name__ == name and "Deprecated" in old.__doc__
    assert name not in notears_module.__all__


def test_old_import_lines_still_work():
    from gcbook import baselines

    with pytest.warns(DeprecationWarning, match="notears.run_pc is deprecated"):
        from gcbook.notears import run_pc
    with pytest.warns(DeprecationWarning, match="notears.run_ges is deprecated"):
        from gcbook.notears import run_ges
    with pytest.warns(DeprecationWarning, match="notears.causallearn_to_adjacency is deprecated"):
        from gcbook.notears import causallearn_to_adjacency
    assert (run_pc.__name__, run_ges.__name__) == ("run_pc", "run_ges")
    assert causallearn_to_adjacency is baselines.causallearn_to_adjacency


def test_causallearn_to_adjacency_moved_to_baselines():
    from gcbook.baselines import causallearn_to_adjacency

    with pytest.warns(DeprecationWarning, match="causallearn_to_adjacency is deprecated"):
        old = notears_module.causallearn_to_adjacency
    G = np.array([[0, -1], [1, 0]])  # causal-learn: 0 -> 1
    np.testing.assert_array_equal(old(G), causallearn_to_adjacency(G))
    np.testing.assert_array_equal(old(G), [[0, 1], [0, 0]])
    with pytest.raises(AttributeError, match="no attribute 'run_lingam'"):
        notears_module.run_lingam  # noqa: B018 - an unknown name is still an AttributeError


# ---------------------------------------------------------------------------
# package rules
# ---------------------------------------------------------------------------


def test_import_has_no_side_effects_and_heavy_imports_are_lazy():
    import subprocess
    import sys

    code = (
        "import numpy as np, sys\n"
        "state = np.random.get_state()[1].copy()\n"
        "import gcbook.notears\n"
        "assert (np.random.get_state()[1] == state).all()\n"
        "lazy = [m for m in ('causallearn', 'sklearn', 'matplotlib', 'threadpoolctl') if m in sys.modules]\n"
        "assert not lazy, lazy\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout == ""
