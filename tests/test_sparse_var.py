"""gcbook.sparse_var against scikit-learn (Lasso, lars_path), closed forms and finite differences."""

import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.linear_model import Lasso, lars_path

from gcbook.sparse_var import (
    LassoVARResult,
    lasso,
    lasso_torch,
    lasso_var,
    lasso_var_torch,
    soft_threshold,
    unrolled_ista,
)


@pytest.fixture(autouse=True)
def _one_thread(torch_one_thread):
    """Torch on one core (the machine is shared)."""


def _problem(n, m, q=3, rho=0.0, seed=0, offset=2.0):
    """A sparse regression with AR(1)-correlated columns ``corr(z_a, z_b) = rho^|a-b|``."""
    rng = np.random.default_rng(seed)
    cov = rho ** np.abs(np.subtract.outer(np.arange(m), np.arange(m)))
    Z = rng.standard_normal((n, m)) @ np.linalg.cholesky(cov).T + 0.5
    B = np.zeros((m, q))
    for j in range(q):
        B[rng.choice(m, 3, replace=False), j] = rng.choice([-1, 1], 3) * rng.uniform(1, 2, 3)
    Y = Z @ B + 0.5 * rng.standard_normal((n, q)) + offset
    return Z, Y


def _sklearn(Z, Y, alpha, fit_intercept):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a ConvergenceWarning at tol=1e-12 is no concern here
        model = Lasso(alpha=alpha, fit_intercept=fit_intercept, tol=1e-12, max_iter=100_000).fit(Z, Y)
    return model.coef_.T, model.intercept_


def _var_with_lag2_edge(T=600, seed=1):
    """Independent AR(1) noise except ``x1(t) += 0.9 x0(t-2)``: the only cross effect is 0 -> 1 at lag 2."""
    rng = np.random.default_rng(seed)
    E = rng.standard_normal((T, 3))
    X = np.zeros((T, 3))
    for t in range(T):
        X[t] = E[t]
        if t >= 1:
            X[t] += 0.3 * X[t - 1]
        if t >= 2:
            X[t, 1] += 0.9 * X[t - 2, 0]
    return X


# ----------------------------------------------------------------------------------------------
# soft_threshold
# ----------------------------------------------------------------------------------------------
def test_soft_threshold_numpy_and_torch():
    x = np.array([-3.0, -1.0, -0.2, 0.0, 0.7, 2.5])
    expected = np.array([-2.0, 0.0, 0.0, 0.0, 0.0, 1.5])
    out = soft_threshold(x, 1.0)
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, expected)
    xt = torch.tensor(x, requires_grad=True)
    outt = soft_threshold(xt, 1.0)
    assert isinstance(outt, torch.Tensor) and outt.dtype == torch.float64
    np.testing.assert_array_equal(outt.detach().numpy(), expected)
    outt.sum().backward()
    np.testing.assert_array_equal(xt.grad.numpy(), [1, 0, 0, 0, 0, 1])
    # a threshold per entry broadcasts
    np.testing.assert_array_equal(soft_threshold(np.array([2.0, 2.0]), np.array([1.0, 3.0])), [1.0, 0.0])
    assert soft_threshold(np.array([1.0]), 0.0)[0] == 1.0


@pytest.mark.parametrize("threshold", [-0.1, np.nan, np.array([1.0, -1.0])])
def test_soft_threshold_rejects_bad_threshold(threshold):
    with pytest.raises(ValueError, match="threshold"):
        soft_threshold(np.ones(2), threshold)
    with pytest.raises(ValueError, match="threshold"):
        soft_threshold(torch.ones(2), torch.as_tensor(threshold))


# ----------------------------------------------------------------------------------------------
# lasso by coordinate descent
# ----------------------------------------------------------------------------------------------
PROBLEMS = {
    "n>m": dict(n=60, m=8),
    "p>n": dict(n=25, m=40),
    "correlated": dict(n=80, m=12, rho=0.9),
    "p>n correlated": dict(n=30, m=45, rho=0.6),
}


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("name", list(PROBLEMS))
def test_lasso_matches_sklearn(name, fit_intercept):
    Z, Y = _problem(**PROBLEMS[name], seed=len(name))
    Zc, Yc = (Z - Z.mean(0), Y - Y.mean(0)) if fit_intercept else (Z, Y)
    alpha_max = np.abs(Zc.T @ Yc).max() / len(Z)  # the smallest alpha with all coefficients zero
    for frac in (0.05, 0.3):
        alpha = frac * alpha_max
        coef, b0, n_iter = lasso(Z, Y, alpha, fit_intercept=fit_intercept, max_iter=50_000, return_n_iter=True)
        assert n_iter < 50_000
        sk_coef, sk_b0 = _sklearn(Z, Y, alpha, fit_intercept)
        assert coef.shape == sk_coef.shape and b0.shape == (Y.shape[1],)
        np.testing.assert_allclose(coef, sk_coef, rtol=0, atol=1e-6)
        np.testing.assert_allclose(b0, sk_b0, rtol=0, atol=1e-6)
        assert np.array_equal(coef != 0, np.abs(sk_coef) > 1e-10)  # the same support


def test_lasso_one_target_equals_its_column():
    Z, Y = _problem(50, 10, q=3, seed=3)
    coef, b0 = lasso(Z, Y, 0.1)
    for j in range(3):
        c, b = lasso(Z, Y[:, j], 0.1)
        assert c.shape == (10,) and isinstance(b, float)
        np.testing.assert_allclose(c, coef[:, j], atol=1e-10)
        assert b == pytest.approx(b0[j], abs=1e-10)


def test_lasso_matches_lars_path():
    """lars_path(method="lasso") gives the whole path; its alphas are on the same 1/n scale."""
    Z, Y = _problem(60, 10, q=1, rho=0.5, seed=5)
    Z = Z - Z.mean(0)
    y = Y[:, 0] - Y[:, 0].mean()
    alphas, _, path = lars_path(Z, y, method="lasso")
    # the scale: the first knot is where the first variable enters, max|Zᵀy|/n
    assert alphas[0] == pytest.approx(np.abs(Z.T @ y).max() / len(y))
    # at the knots, and between them (the lasso path is linear in alpha between knots)
    knots = [1, 3, len(alphas) // 2]
    mids = [(alphas[k] + alphas[k + 1]) / 2 for k in knots]
    worst = 0.0
    for a in [alphas[k] for k in knots] + mids:
        expected = np.array([np.interp(a, alphas[::-1], path[i, ::-1]) for i in range(Z.shape[1])])
        coef, b0 = lasso(Z, y, a, fit_intercept=False)
        assert b0 == 0.0
        worst = max(worst, np.abs(coef - expected).max())
        coef_c, _ = lasso(Z, y, a)  # Z, y are centred: the intercept changes nothing
        np.testing.assert_allclose(coef_c, coef, atol=1e-9)
    assert worst < 1e-6


def test_lasso_alpha_max_gives_zero_and_alpha_zero_gives_least_squares():
    Z, Y = _problem(40, 5, q=2, seed=6)
    Zc, Yc = Z - Z.mean(0), Y - Y.mean(0)
    alpha_max = np.abs(Zc.T @ Yc).max(axis=0) / len(Z)
    coef, b0 = lasso(Z, Y, alpha_max.max() * 1.0001)
    assert np.all(coef == 0)
    np.testing.assert_allclose(b0, Y.mean(0))
    coef, b0 = lasso(Z, Y, 0.0)
    ols = np.linalg.lstsq(np.column_stack([np.ones(len(Z)), Z]), Y, rcond=None)[0]
    np.testing.assert_allclose(coef, ols[1:], atol=1e-8)
    np.testing.assert_allclose(b0, ols[0], atol=1e-8)


def test_lasso_zero_column_and_no_negative_zero():
    Z, Y = _problem(30, 4, q=2, seed=7)
    Z[:, 2] = 1.0  # constant: zero after centring
    coef, _ = lasso(Z, Y, 0.05)
    assert np.all(coef[2] == 0)
    assert not np.any(np.signbit(coef[coef == 0]))


@pytest.mark.parametrize(
    "Z, Y, alpha, match",
    [
        (np.ones((5, 2)), np.ones(5), -0.1, "alpha"),
        (np.ones((5, 2)), np.ones(5), np.nan, "alpha"),
        (np.ones(5), np.ones(5), 0.1, "Z must be 2-D"),
        (np.ones((5, 2)), np.ones((5, 2, 1)), 0.1, "Y must have shape"),
        (np.ones((5, 2)), np.ones(4), 0.1, "same number of rows"),
        (np.array([[1.0, np.nan], [0.0, 1.0], [1.0, 1.0]]), np.ones(3), 0.1, "Z contains NaN"),
        (np.ones((3, 2)), np.array([1.0, np.inf, 0.0]), 0.1, "Y contains NaN"),
        (np.ones((1, 2)), np.ones(1), 0.1, "n >= 2"),
        ([["a", "b"], ["c", "d"]], np.ones(2), 0.1, "numeric"),
    ],
)
def test_lasso_rejects_bad_input(Z, Y, alpha, match):
    with pytest.raises(ValueError, match=match):
        lasso(Z, Y, alpha)


def test_lasso_rejects_bad_options():
    Z, Y = np.eye(3), np.arange(3.0)
    with pytest.raises(ValueError, match="max_iter"):
        lasso(Z, Y, 0.1, max_iter=0)
    with pytest.raises(ValueError, match="tol"):
        lasso(Z, Y, 0.1, tol=-1.0)
    with pytest.raises(ValueError, match="fit_intercept"):
        lasso(Z, Y, 0.1, fit_intercept="yes")


# ----------------------------------------------------------------------------------------------
# lasso_var
# ----------------------------------------------------------------------------------------------
def test_lasso_var_orientation_on_a_lag2_edge():
    X = _var_with_lag2_edge()
    res = lasso_var(X, lag=3, alpha=0.05)
    C = res.coef_by_lag
    assert isinstance(res, LassoVARResult) and C.shape == (3, 3, 3)
    assert res.method == "lasso_var" and res.lag == 3 and res.alpha == 0.05
    assert res.labels == ("x0", "x1", "x2")
    cross = C.copy()
    for k in range(3):
        np.fill_diagonal(cross[:, :, k], 0.0)
    # the only cross effect: x0(t-2) -> x1(t), i.e. coef_by_lag[i=0, j=1, k-1=1]
    assert np.unravel_index(np.abs(cross).argmax(), cross.shape) == (0, 1, 1)
    assert C[0, 1, 1] == pytest.approx(0.9, abs=0.1)
    cross[0, 1, 1] = 0.0
    assert np.abs(cross).max() < 0.1
    # the own lag-1 effects sit on the diagonal of coef_by_lag[:, :, 0]
    np.testing.assert_allclose(np.diag(C[:, :, 0]), 0.3, atol=0.12)
    # the scores and the graph read the same orientation: the planted edge is scores[0, 1], not scores[1, 0]
    assert res.scores[0, 1] == pytest.approx(abs(C[0, 1, 1]))
    assert res.scores[0, 1] > 0.7 > res.scores[1, 0]


def test_lasso_var_matches_sklearn_per_target():
    X = _var_with_lag2_edge(T=300, seed=2)
    lag, alpha = 2, 0.02
    T, p = X.shape
    res = lasso_var(pd.DataFrame(X, columns=list("abc")), lag, alpha)
    C, b0 = res.coef_by_lag, res.intercept
    assert C.shape == (p, p, lag) and b0.shape == (p,)
    assert res.labels == ("a", "b", "c")
    for j in range(p):  # an independent design, built by hand, one target at a time
        rows = range(lag, T)
        design = np.array([[X[t - k, i] for k in range(1, lag + 1) for i in range(p)] for t in rows])
        sk_coef, sk_b0 = _sklearn(design, X[lag:, j], alpha, True)
        for k in range(1, lag + 1):
            for i in range(p):
                assert C[i, j, k - 1] == pytest.approx(sk_coef[(k - 1) * p + i], abs=1e-6)
        assert b0[j] == pytest.approx(sk_b0, abs=1e-6)


def test_lasso_var_without_intercept():
    X = _var_with_lag2_edge(T=200) + 3.0
    res = lasso_var(X, 1, 0.05, fit_intercept=False)
    design = X[:-1]
    sk_coef, _ = _sklearn(design, X[1:], 0.05, False)
    np.testing.assert_allclose(res.coef_by_lag[:, :, 0], sk_coef, atol=1e-6)
    np.testing.assert_array_equal(res.intercept, np.zeros(3))


def test_lasso_var_result_is_the_lasso_of_the_lagged_design():
    """coef_by_lag[i, j, k-1] is coefficient (k-1)*p + i of target j in lasso() on the design built by hand,
    exactly (the same solver on the same design), and n_iter is that solver's count of sweeps."""
    X = _var_with_lag2_edge(T=150, seed=3)
    lag, p = 2, 3
    design = np.hstack([X[lag - k : len(X) - k] for k in range(1, lag + 1)])  # column (k-1)*p + i: x_i(t-k)
    B, b0, n_iter = lasso(design, X[lag:], 0.03, return_n_iter=True)
    res = lasso_var(X, lag, 0.03)
    for i, j, k in np.ndindex(p, p, lag):
        assert res.coef_by_lag[i, j, k] == B[k * p + i, j]
    np.testing.assert_array_equal(res.intercept, b0)
    assert res.n_iter == n_iter > 0
    assert lasso_var(X, lag, 0.03, max_iter=2).n_iter == 2  # stops at the limit, and says so


def test_lasso_var_deprecated_return_intercept_is_the_old_tuple():
    X = _var_with_lag2_edge(T=300, seed=2)
    res = lasso_var(X, 3, 0.02)
    with pytest.warns(DeprecationWarning, match="return_intercept.*coef_by_lag"):
        old = lasso_var(X, 3, 0.02, return_intercept=True)
    C, b0 = old
    assert C.shape == (3, 3, 3)  # the old (lag, p, p) layout: C[k-1, i, j]
    np.testing.assert_array_equal(C.transpose(1, 2, 0), res.coef_by_lag)
    np.testing.assert_array_equal(b0, res.intercept)
    assert abs(C[1, 0, 1]) > 0.7  # x0(t-2) -> x1(t) in the old layout
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the new form and an explicit False do not warn
        lasso_var(X, 3, 0.02, return_intercept=False)


def _hand_result():
    """A result built by hand: x0 -> x1 largest at lag 2 and negative, x1 -> x0 small at lag 1, x2 -> x0 at lag 2."""
    coef = np.zeros((3, 3, 2))
    coef[0, 1] = [0.2, -0.5]
    coef[1, 0] = [0.1, 0.0]
    coef[2, 0] = [0.0, 0.3]
    coef[1, 1] = [0.4, 0.0]  # an own lag, on the diagonal
    return LassoVARResult(coef_by_lag=coef, intercept=np.zeros(3), alpha=0.1, lag=2, n_iter=7, labels=("a", "b", "c"))


def test_lasso_var_result_scores_and_adjacency():
    res = _hand_result()
    np.testing.assert_array_equal(res.scores_by_lag, np.abs(res.coef_by_lag))
    expected = np.array([[0.0, 0.5, 0.0], [0.1, 0.4, 0.0], [0.3, 0.0, 0.0]])
    np.testing.assert_array_equal(res.scores, expected)
    np.testing.assert_array_equal(res.adjacency(), (expected > 0).astype(int))
    assert res.adjacency().dtype.kind == "i"
    np.testing.assert_array_equal(res.adjacency(threshold=0.25), [[0, 1, 0], [0, 1, 0], [1, 0, 0]])
    np.testing.assert_array_equal(res.adjacency(0.5), np.zeros((3, 3), dtype=int))  # strictly above
    for bad in (-0.1, np.nan, "0.1"):
        with pytest.raises(ValueError, match="threshold"):
            res.adjacency(bad)
    assert "3 of 6 cross pairs" in repr(res) and "n_iter=7" in repr(res)


def test_lasso_var_result_frames():
    res = _hand_result()
    frame = res.to_frame()
    assert len(frame) == 6 and frame.columns.tolist() == ["cause", "effect", "score", "edge", "coef"]
    row = frame.set_index(["cause", "effect"])
    assert row.loc[("a", "b"), "score"] == 0.5 and row.loc[("a", "b"), "edge"] == 1
    assert row.loc[("a", "b"), "coef"] == -0.5  # the signed coefficient of largest magnitude
    assert row.loc[("b", "a"), "coef"] == 0.1 and row.loc[("c", "a"), "coef"] == 0.3
    assert row.loc[("b", "c"), "score"] == 0.0 and row.loc[("b", "c"), "edge"] == 0
    by_lag = res.to_frame(by_lag=True)
    assert len(by_lag) == 12 and by_lag.columns.tolist() == ["cause", "effect", "lag", "score"]
    at = by_lag.set_index(["cause", "effect", "lag"])["score"]
    assert at[("a", "b", 1)] == 0.2 and at[("a", "b", 2)] == 0.5
    assert at[("c", "a", 1)] == 0.0 and at[("c", "a", 2)] == 0.3


def test_lasso_var_result_on_a_fit_frames_and_plot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X = _var_with_lag2_edge(T=300, seed=2)
    res = lasso_var(pd.DataFrame(X, columns=["u", "v", "w"]), 3, 0.05)
    frame = res.to_frame(by_lag=True).set_index(["cause", "effect", "lag"])["score"]
    assert len(frame) == 18
    assert frame[("u", "v", 2)] == abs(res.coef_by_lag[0, 1, 1]) > 0.7
    assert res.to_frame().set_index(["cause", "effect"]).loc[("u", "v"), "coef"] == res.coef_by_lag[0, 1, 1]
    ax = res.plot()
    assert isinstance(ax, matplotlib.axes.Axes)
    plt.close(ax.figure)


def test_lasso_var_result_is_not_an_array():
    res = lasso_var(_var_with_lag2_edge(T=100), 1, 0.05)
    with pytest.raises(TypeError, match="coef_by_lag"):
        np.asarray(res)
    with pytest.raises(TypeError, match="coef_by_lag"):
        res[0]
    with pytest.raises(TypeError, match="coef_by_lag"):
        C, b0 = res
    with pytest.raises(TypeError, match="coef_by_lag"):
        np.abs(res)


def test_lasso_var_rejects_bad_input():
    X = _var_with_lag2_edge(T=50)
    with pytest.raises(ValueError, match="too short"):
        lasso_var(X[:4], lag=3, alpha=0.1)
    with pytest.raises(ValueError, match="lag"):
        lasso_var(X, lag=0, alpha=0.1)
    with pytest.raises(ValueError, match="alpha"):
        lasso_var(X, lag=1, alpha=-1.0)
    bad = X.copy()
    bad[5, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        lasso_var(bad, lag=1, alpha=0.1)
    with pytest.raises(ValueError, match="2-D"):
        lasso_var(X[:, 0], lag=1, alpha=0.1)


# ----------------------------------------------------------------------------------------------
# differentiable lasso: active set + implicit gradient
# ----------------------------------------------------------------------------------------------
def _stable_problem(n, m, q, seed, fit_intercept=True, rho=0.0):
    """A small problem whose active set has a wide margin, so that gradcheck's steps cannot change it."""
    Z, Y = _problem(n, m, q=q, rho=rho, seed=seed)
    Zc, Yc = (Z - Z.mean(0), Y - Y.mean(0)) if fit_intercept else (Z, Y)
    alpha = 0.2 * np.abs(Zc.T @ Yc).max() / n
    coef, _ = lasso(Z, Y, alpha, fit_intercept=fit_intercept)
    corr = np.abs(Zc.T @ (Yc - Zc @ coef)) / n  # |z_kᵀ r| / n, = alpha on the active set
    assert np.abs(coef[coef != 0]).min() > 1e-2
    assert corr[coef == 0].max() < alpha * (1 - 1e-2)
    assert 0 < (coef != 0).sum() < coef.size
    return torch.tensor(Z), torch.tensor(Y), alpha


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_lasso_torch_value_equals_lasso(fit_intercept):
    Z, Y = _problem(40, 30, q=3, seed=11)
    for alpha in (0.05, 0.3):
        coef, b0 = lasso(Z, Y, alpha, fit_intercept=fit_intercept)
        tcoef, tb0 = lasso_torch(torch.tensor(Z), torch.tensor(Y), alpha, fit_intercept=fit_intercept)
        assert tcoef.shape == (30, 3) and tb0.shape == (3,)
        np.testing.assert_allclose(tcoef.numpy(), coef, atol=1e-9)
        np.testing.assert_allclose(tb0.numpy(), b0, atol=1e-9)
        assert np.array_equal(tcoef.numpy() != 0, coef != 0)
    # one target, float32 in, float32 out
    c1, b1 = lasso_torch(torch.tensor(Z, dtype=torch.float32), torch.tensor(Y[:, 0], dtype=torch.float32), 0.05)
    assert c1.shape == (30,) and b1.shape == () and c1.dtype == torch.float32
    np.testing.assert_allclose(c1.numpy(), lasso(Z, Y[:, 0], 0.05)[0], atol=1e-4)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_lasso_torch_gradcheck(fit_intercept):
    Z, Y, alpha = _stable_problem(12, 5, q=2, seed=3, fit_intercept=fit_intercept)
    Z.requires_grad_(True)
    Y.requires_grad_(True)

    def f(Z, Y):
        return lasso_torch(Z, Y, alpha, fit_intercept=fit_intercept)

    assert torch.autograd.gradcheck(f, (Z, Y), eps=1e-6, atol=1e-6, rtol=1e-5)


def test_lasso_torch_finite_difference_of_a_loss():
    """Directional derivative of a scalar loss: autograd against central differences."""
    Z0, Y0, alpha = _stable_problem(30, 8, q=3, seed=21)
    rng = np.random.default_rng(0)
    VZ, VY = torch.tensor(rng.standard_normal(Z0.shape)), torch.tensor(rng.standard_normal(Y0.shape))
    W = torch.tensor(rng.standard_normal((8, 3)))

    def loss(Z, Y):
        coef, b0 = lasso_torch(Z, Y, alpha)
        return (W * coef).sum() + (coef**2).sum() + b0.sum()

    Z, Y = Z0.clone().requires_grad_(True), Y0.clone().requires_grad_(True)
    loss(Z, Y).backward()
    analytic = (Z.grad * VZ).sum() + (Y.grad * VY).sum()
    h = 1e-5
    numeric = (loss(Z0 + h * VZ, Y0 + h * VY) - loss(Z0 - h * VZ, Y0 - h * VY)) / (2 * h)
    assert float(analytic) == pytest.approx(float(numeric), rel=1e-6, abs=1e-8)


def test_lasso_torch_rejects_bad_input():
    Z, Y = torch.randn(10, 3, dtype=torch.float64), torch.randn(10, dtype=torch.float64)
    with pytest.raises(ValueError, match="torch.Tensor"):
        lasso_torch(Z.numpy(), Y, 0.1)
    with pytest.raises(ValueError, match="torch.Tensor"):
        lasso_torch(Z, Y.numpy(), 0.1)
    with pytest.raises(ValueError, match="alpha"):
        lasso_torch(Z, Y, -0.1)
    with pytest.raises(ValueError, match="same number of rows"):
        lasso_torch(Z, Y[:5], 0.1)
    with pytest.raises(ValueError, match="2-D"):
        lasso_torch(Z[:, 0], Y, 0.1)
    bad = Z.clone()
    bad[0, 0] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        lasso_torch(bad, Y, 0.1)
    with pytest.raises(ValueError, match="torch.Tensor"):
        unrolled_ista(Z.numpy(), Y, 0.1)
    with pytest.raises(ValueError, match="n_steps"):
        unrolled_ista(Z, Y, 0.1, n_steps=0)
    with pytest.raises(ValueError, match="step"):
        unrolled_ista(Z, Y, 0.1, step=-1.0)
    with pytest.raises(ValueError, match="alpha"):
        unrolled_ista(Z, Y, float("nan"))


# ----------------------------------------------------------------------------------------------
# unrolled ISTA
# ----------------------------------------------------------------------------------------------
def test_unrolled_ista_converges_to_lasso():
    Z, Y = _problem(60, 10, q=3, rho=0.8, seed=8)  # correlated, so ISTA needs ~1000 steps
    for fit_intercept in (True, False):
        coef, b0 = lasso(Z, Y, 0.1, fit_intercept=fit_intercept)
        errors = []
        for n_steps in (10, 100, 3000):
            tcoef, tb0 = unrolled_ista(
                torch.tensor(Z), torch.tensor(Y), 0.1, n_steps=n_steps, fit_intercept=fit_intercept
            )
            errors.append(np.abs(tcoef.numpy() - coef).max())
        assert errors[0] > errors[1] > errors[2]
        assert errors[2] < 1e-9
        np.testing.assert_allclose(tb0.numpy(), b0, atol=1e-8)
    # a smaller explicit step converges too, only more slowly
    tcoef, _ = unrolled_ista(torch.tensor(Z), torch.tensor(Y[:, 0]), 0.1, n_steps=4000, step=0.05)
    np.testing.assert_allclose(tcoef.numpy(), lasso(Z, Y[:, 0], 0.1)[0], atol=1e-8)


def test_unrolled_ista_gradients_approach_implicit_gradients():
    Z0, Y0, alpha = _stable_problem(30, 8, q=2, seed=21, rho=0.8)
    rng = np.random.default_rng(1)
    W = torch.tensor(rng.standard_normal((8, 2)))

    def grads(solver, **kw):
        Z, Y = Z0.clone().requires_grad_(True), Y0.clone().requires_grad_(True)
        coef, b0 = solver(Z, Y, alpha, **kw)
        ((W * coef).sum() + b0.sum()).backward()
        return Z.grad.numpy(), Y.grad.numpy()

    gZ, gY = grads(lasso_torch)
    diffs = []
    for n_steps in (10, 100, 3000):
        iZ, iY = grads(unrolled_ista, n_steps=n_steps)
        assert np.all(np.isfinite(iZ)) and np.all(np.isfinite(iY))
        diffs.append(max(np.abs(iZ - gZ).max(), np.abs(iY - gY).max()))
    assert diffs[0] > diffs[1] > diffs[2]
    assert diffs[2] < 1e-8


# ----------------------------------------------------------------------------------------------
# lasso_var_torch
# ----------------------------------------------------------------------------------------------
def test_lasso_var_torch_equals_lasso_var_and_is_oriented():
    X = _var_with_lag2_edge(T=400, seed=4)
    res = lasso_var(X, 3, 0.05)
    C, b0 = res.coef_by_lag.transpose(2, 0, 1), res.intercept  # the torch layer keeps (lag, p, p)
    tC, tb0 = lasso_var_torch(torch.tensor(X), 3, 0.05)
    assert tC.shape == (3, 3, 3) and tb0.shape == (3,)
    np.testing.assert_allclose(tC.numpy(), C, atol=1e-9)
    np.testing.assert_allclose(tC.permute(1, 2, 0).numpy(), res.coef_by_lag, atol=1e-9)
    np.testing.assert_allclose(tb0.numpy(), b0, atol=1e-9)
    assert abs(tC[1, 0, 1].item()) > 0.7  # x0(t-2) -> x1(t)
    iC, ib0 = lasso_var_torch(torch.tensor(X), 3, 0.05, method="ista", n_steps=3000)
    np.testing.assert_allclose(iC.numpy(), C, atol=1e-7)
    np.testing.assert_allclose(ib0.numpy(), b0, atol=1e-7)
    nC = lasso_var_torch(torch.tensor(X), 3, 0.05, fit_intercept=False)[0]
    no_intercept = lasso_var(X, 3, 0.05, fit_intercept=False).coef_by_lag
    np.testing.assert_allclose(nC.numpy(), no_intercept.transpose(2, 0, 1), atol=1e-9)


def test_lasso_var_torch_gradient_wrt_series():
    X0 = torch.tensor(_var_with_lag2_edge(T=80, seed=5))
    rng = np.random.default_rng(2)
    V = torch.tensor(rng.standard_normal(X0.shape))
    W = torch.tensor(rng.standard_normal((2, 3, 3)))

    def loss(X):
        C, b0 = lasso_var_torch(X, 2, 0.1)
        return (W * C).sum() + b0.sum()

    X = X0.clone().requires_grad_(True)
    loss(X).backward()
    assert X.grad.shape == X0.shape and torch.all(torch.isfinite(X.grad))
    h = 1e-6
    numeric = (loss(X0 + h * V) - loss(X0 - h * V)) / (2 * h)
    assert float((X.grad * V).sum()) == pytest.approx(float(numeric), rel=1e-5)
    Xi = X0.clone().requires_grad_(True)
    C, _ = lasso_var_torch(Xi, 2, 0.1, method="ista", n_steps=50)
    C.sum().backward()
    assert torch.all(torch.isfinite(Xi.grad)) and Xi.grad.abs().sum() > 0


def test_lasso_var_torch_rejects_bad_input():
    X = torch.tensor(_var_with_lag2_edge(T=30))
    with pytest.raises(ValueError, match="torch.Tensor"):
        lasso_var_torch(X.numpy(), 1, 0.1)
    with pytest.raises(ValueError, match="too short"):
        lasso_var_torch(X[:3], 2, 0.1)
    with pytest.raises(ValueError, match="2-D"):
        lasso_var_torch(X[:, 0], 1, 0.1)
    with pytest.raises(ValueError, match="at least 2"):
        lasso_var_torch(X[:, :1], 1, 0.1)
    with pytest.raises(ValueError, match="method"):
        lasso_var_torch(X, 1, 0.1, method="lars")
    with pytest.raises(ValueError, match="alpha"):
        lasso_var_torch(X, 1, -0.1)
    bad = X.clone()
    bad[3, 1] = float("inf")
    with pytest.raises(ValueError, match="NaN"):
        lasso_var_torch(bad, 1, 0.1)
