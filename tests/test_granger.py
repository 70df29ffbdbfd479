"""gcbook.granger against statsmodels (an independent implementation) and closed forms."""

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.tsa.api import VAR
from statsmodels.tsa.stattools import grangercausalitytests

from gcbook.granger import (
    adjust_p_values,
    fit_var,
    granger_test,
    information_criteria,
    lag_matrix,
    select_lag,
)


def _statsmodels_pairwise(X, lag):
    """Loop over pairs with statsmodels' grangercausalitytests (ssr_ftest)."""
    p = X.shape[1]
    F = np.full((p, p), np.nan)
    P = np.full((p, p), np.nan)
    dfs = set()
    for i in range(p):
        for j in range(p):
            if i != j:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    out = grangercausalitytests(X[:, [j, i]], [lag])
                F[i, j], P[i, j], df_den, df_num = out[lag][0]["ssr_ftest"]
                dfs.add((int(df_num), int(df_den)))
    return F, P, dfs


def _coupled_series(T, p, seed, random_walk=False):
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((T, p))
    X = np.zeros((T, p))
    for t in range(1, T):
        X[t] = 0.4 * X[t - 1] + noise[t]
        X[t, 1:] += 0.5 * X[t - 1, :-1]  # a chain x0 -> x1 -> x2 ...
    if random_walk:
        X = X + np.cumsum(rng.standard_normal((T, p)), axis=0)
    return X * rng.uniform(0.1, 100, p) + rng.normal(0, 50, p)  # scales and offsets must not matter


@pytest.mark.parametrize(
    "T, p, lag, seed, random_walk",
    [
        (60, 3, 1, 0, False),
        (200, 4, 2, 1, False),
        (500, 5, 5, 2, False),
        (1000, 3, 3, 3, True),
        (45, 2, 4, 4, False),
        (300, 6, 1, 5, True),
        (30, 12, 3, 6, False),  # more lagged columns than rows: the per-pair fallback path
    ],
)
def test_pairwise_equals_statsmodels(T, p, lag, seed, random_walk):
    X = _coupled_series(T, p, seed, random_walk)
    result = granger_test(X, lag)
    F, P, dfs = _statsmodels_pairwise(X, lag)
    off = ~np.eye(p, dtype=bool)
    np.testing.assert_allclose(result.f_stat[off], F[off], rtol=1e-8, atol=0)
    # Tiny p-values are compared relative to themselves, so they must agree to 1e-8 too.
    np.testing.assert_allclose(result.p_value[off], P[off], rtol=1e-8, atol=1e-300)
    assert dfs == {(result.df_num, result.df_den)}
    assert np.all(np.isnan(np.diag(result.f_stat))) and np.all(np.isnan(np.diag(result.p_value)))


@pytest.mark.parametrize("T, p, lag, seed", [(200, 3, 2, 0), (400, 5, 3, 1), (80, 4, 1, 2)])
def test_conditional_equals_nested_ols_f_test(T, p, lag, seed):
    X = _coupled_series(T, p, seed)
    result = granger_test(X, lag, conditional=True)
    Y, lags = lag_matrix(X, lag)
    n = Y.shape[0]
    full = sm.add_constant(lags.reshape(n, -1))
    for i in range(p):
        restricted = sm.add_constant(np.delete(lags, i, axis=1).reshape(n, -1))
        for j in range(p):
            if i == j:
                continue
            F, pval, df_num = sm.OLS(Y[:, j], full).fit().compare_f_test(sm.OLS(Y[:, j], restricted).fit())
            assert result.f_stat[i, j] == pytest.approx(F, rel=1e-8)
            assert result.p_value[i, j] == pytest.approx(pval, rel=1e-8)
            assert df_num == result.df_num == lag
    assert result.df_den == T - lag - (p * lag + 1)


def test_orientation_cause_is_row():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(400)
    y = np.r_[0.0, 0.9 * x[:-1]] + 0.5 * rng.standard_normal(400)
    z = rng.standard_normal(400)
    result = granger_test(np.column_stack([x, y, z]), lag=1)
    A = result.adjacency(alpha=0.001)
    assert A[0, 1] == 1 and A[1, 0] == 0
    assert A.sum() == 1


def test_dataframe_labels_and_frame():
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.standard_normal((100, 3)), columns=["gdp", "cons", "inv"])
    result = granger_test(df, lag=2)
    assert result.labels == ("gdp", "cons", "inv")
    frame = result.to_frame()
    assert len(frame) == 6 and set(frame["cause"]) == {"gdp", "cons", "inv"}
    row = frame[(frame.cause == "cons") & (frame.effect == "inv")].iloc[0]
    assert row.F == result.f_stat[1, 2]
    assert "pairwise" in repr(result) and "lag=2" in repr(result)


def test_null_p_values_are_uniform():
    """Under H0 the p-values are Uniform(0, 1): a closed-form check of the F reference distribution."""
    rng = np.random.default_rng(7)
    p_values = []
    for _ in range(300):
        X = rng.standard_normal((80, 2))
        p_values.append(granger_test(X, lag=3).p_value[0, 1])
    assert stats.kstest(p_values, "uniform").pvalue > 0.01


def test_adjacency_corrections():
    P = np.array([[np.nan, 0.001, 0.02], [0.04, np.nan, 0.5], [0.011, 0.2, np.nan]])
    result = granger_test(np.random.default_rng(0).standard_normal((50, 3)), 1)
    result = type(result)(**{**result.__dict__, "p_value": P})
    assert result.adjacency(0.05).tolist() == [[0, 1, 1], [1, 0, 0], [1, 0, 0]]
    # Bonferroni with m = 6 tests: only p * 6 < 0.05, i.e. p < 0.00833.
    assert result.adjacency(0.05, "bonferroni").tolist() == [[0, 1, 0], [0, 0, 0], [0, 0, 0]]
    # BH by hand: sorted 0.001, 0.011, 0.02, 0.04, 0.2, 0.5 against k * 0.05 / 6 =
    # 0.0083, 0.0167, 0.025, 0.0333, 0.0417, 0.05: the largest k with p_(k) <= kq/m is 3.
    assert result.adjacency(0.05, "fdr_bh").tolist() == [[0, 1, 1], [0, 0, 0], [1, 0, 0]]
    assert np.isnan(np.diag(adjust_p_values(P, "fdr_bh"))).all()


def test_bh_matches_statsmodels_multipletests():
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(3)
    P = rng.uniform(0, 0.1, (6, 6))
    np.fill_diagonal(P, np.nan)
    off = ~np.eye(6, dtype=bool)
    for ours, theirs in [("fdr_bh", "fdr_bh"), ("bonferroni", "bonferroni")]:
        expected = multipletests(P[off], method=theirs)[1]
        np.testing.assert_allclose(adjust_p_values(P, ours)[off], expected, rtol=1e-12)


def test_fit_var_equals_statsmodels_var():
    X = _coupled_series(300, 3, 11)
    ours = fit_var(X, 2)
    theirs = VAR(X).fit(2, trend="c")
    # statsmodels stacks coefficients as (lag, effect, cause); ours is (lag, cause, effect).
    np.testing.assert_allclose(ours.coef, theirs.coefs.transpose(0, 2, 1), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours.intercept, theirs.intercept, rtol=1e-8)
    np.testing.assert_allclose(ours.residuals, theirs.resid, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(ours.predict(X), X[2:] - ours.residuals, rtol=1e-10, atol=1e-8)


def test_information_criteria_pick_statsmodels_order():
    rng = np.random.default_rng(5)
    for seed in range(3):
        X = _coupled_series(400, 3, seed)
        X[3:, 2] += 0.6 * X[:-3, 0]  # a lag-3 effect
        ic = information_criteria(X, max_lag=6)
        orders = VAR(X).select_order(6, trend="c")
        for name in ("aic", "bic", "hqic"):
            theirs = np.asarray(orders.ics[name][1:])  # statsmodels also scores lag 0
            assert np.argmin(ic[name]) == np.argmin(theirs)
            # Same criteria up to a constant shift (statsmodels counts the intercept too).
            np.testing.assert_allclose(np.diff(ic[name]), np.diff(theirs), rtol=1e-6, atol=1e-10)
        assert select_lag(X, 6, "bic") == int(ic["lag"][np.argmin(ic["bic"])])
    assert rng is not None


def test_select_lag_finds_true_order():
    rng = np.random.default_rng(0)
    X = np.zeros((3000, 2))
    e = rng.standard_normal((3000, 2))
    for t in range(3, 3000):
        X[t] = 0.3 * X[t - 1] - 0.4 * X[t - 3, ::-1] + e[t]
    assert select_lag(X, 8, "bic") == 3
    assert select_lag(X, 8, "hqic") == 3


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.ones(50), "2-D"),
        (np.ones((50, 2, 1)), "2-D"),
        (np.random.default_rng(0).standard_normal((50, 1)), "at least 2 variables"),
        (np.c_[np.random.default_rng(0).standard_normal(50), np.full(50, 3.0)], "constant"),
        (np.r_[np.random.default_rng(0).standard_normal((49, 2)), [[np.nan, 1.0]]], "NaN"),
        (np.r_[np.random.default_rng(0).standard_normal((49, 2)), [[np.inf, 1.0]]], "NaN or inf"),
        ([["a", "b"], ["c", "d"], ["e", "f"]], "numeric"),
    ],
)
def test_bad_input_raises(bad, message):
    with pytest.raises(ValueError, match=message):
        granger_test(bad, lag=1)


def test_bad_lag_and_short_series():
    X = np.random.default_rng(0).standard_normal((20, 3))
    for lag in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="lag"):
            granger_test(X, lag)
    with pytest.raises(ValueError, match="lag \\+ 1"):
        granger_test(X[:3], 2)
    with pytest.raises(ValueError, match="Too few time points"):
        granger_test(X, 7)  # n = 13 < 2*7 + 1 = 15 coefficients
    with pytest.raises(ValueError, match="conditional"):
        granger_test(X, 5, conditional=True)  # n = 15 < 3*5 + 1 = 16
    with pytest.raises(ValueError, match="correction"):
        granger_test(X, 1).adjacency(0.05, correction="holm")
    with pytest.raises(ValueError, match="alpha"):
        granger_test(X, 1).adjacency(1.5)
    with pytest.raises(ValueError, match="criterion"):
        select_lag(X, 2, criterion="fpe")
    with pytest.raises(ValueError, match="Too few"):
        select_lag(X, 6)


def test_collinear_series_raise():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(100)
    X = np.column_stack([x, 2 * x + 1, rng.standard_normal(100)])
    with pytest.raises(ValueError, match="rank deficient"):
        granger_test(X, 2, conditional=True)


def test_large_p_runs_in_batches(monkeypatch):
    """Batching over pairs (to bound memory) must not change any number."""
    import gcbook._utils as utils

    X = _coupled_series(150, 6, 9)
    whole = granger_test(X, 2)
    whole_c = granger_test(X, 2, conditional=True)
    monkeypatch.setattr(utils, "BATCH_BYTES", 1)  # one design per batch
    np.testing.assert_array_equal(granger_test(X, 2).f_stat, whole.f_stat)
    np.testing.assert_allclose(granger_test(X, 2, conditional=True).f_stat, whole_c.f_stat, rtol=1e-12)


def test_pairwise_ignores_other_series():
    """A pairwise test of x_i -> x_j uses only x_i and x_j: extra columns leave its F and p unchanged
    (the chapter's confounder example relies on this), while the conditional test does change."""
    X = _coupled_series(300, 4, 5)
    sub = granger_test(X[:, :2], 2)
    full = granger_test(X, 2)
    np.testing.assert_allclose(
        full.f_stat[:2, :2][~np.eye(2, dtype=bool)], sub.f_stat[~np.eye(2, dtype=bool)], rtol=1e-10
    )
    np.testing.assert_allclose(
        full.p_value[:2, :2][~np.eye(2, dtype=bool)], sub.p_value[~np.eye(2, dtype=bool)], rtol=1e-8
    )
    cond = granger_test(X, 2, conditional=True)
    assert not np.allclose(cond.f_stat[0, 1], sub.f_stat[0, 1], rtol=1e-6)


def test_plot_returns_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result = granger_test(_coupled_series(200, 4, 0), 1)
    ax = result.plot()
    assert ax.get_title().startswith("pairwise Granger")
    plt.close("all")
