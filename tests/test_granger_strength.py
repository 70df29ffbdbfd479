"""Geweke's time-domain measure and the instantaneous-causality test (issue 17, items 1 and 3).

References used here, each independent of the code under test: the two regressions written out
with ``numpy.linalg.lstsq``; Gaussian conditional entropies from log-determinants (transfer
entropy); population autocovariances from the companion form; statsmodels' VAR for the
instantaneous test.
"""

import dataclasses

import numpy as np
import pytest
from scipy import stats
from var_helpers import simulate_var  # tests/var_helpers.py

from gcbook.granger import (
    granger_strength,
    granger_test,
    instantaneous_causality,
    lag_matrix,
)
from gcbook.spectral import var_autocovariance, var_granger_strength


def rss(y, design):
    design = np.column_stack([np.ones(len(y)), design])
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(np.sum((y - design @ beta) ** 2))


def lagged(X, lag, variables):
    _, lags = lag_matrix(X, lag)
    return lags[:, variables, :].reshape(len(lags), -1)


@pytest.fixture(scope="module")
def chain():
    """x0 -> x1 -> x2 (lag 1), correlated innovations."""
    A = np.zeros((1, 3, 3))
    A[0] = [[0.5, 0.4, 0.0], [0.0, 0.3, 0.5], [0.0, 0.0, 0.2]]
    sigma = np.array([[1.0, 0.2, 0.0], [0.2, 1.0, 0.1], [0.0, 0.1, 1.0]])
    return A, sigma, simulate_var(A, sigma, 600, seed=1)


@pytest.mark.parametrize("conditional", [False, True])
def test_strength_is_log_ratio_of_the_two_residual_sums(chain, conditional):
    """F[i, j] = ln(RSS_r / RSS_u) with both regressions fitted by lstsq (catches orientation, a
    missing log, a wrong restricted set)."""
    _, _, X = chain
    lag = 2
    res = granger_strength(X, lag, conditional=conditional)
    Y, _ = lag_matrix(X, lag)
    p = X.shape[1]
    for i in range(p):
        for j in range(p):
            if i == j:
                assert np.isnan(res.strength[i, j])
                continue
            others = [k for k in range(p) if k not in (i, j)] if conditional else []
            r_u = rss(Y[:, j], lagged(X, lag, [j, i] + others))
            r_r = rss(Y[:, j], lagged(X, lag, [j] + others))
            np.testing.assert_allclose(res.strength[i, j], np.log(r_r / r_u), rtol=1e-9)
    assert res.strength[0, 1] > 0.1 and res.p_value[0, 1] < 1e-6
    assert res.p_value[1, 0] > 1e-3  # no x1 -> x0 in the system


@pytest.mark.parametrize("conditional", [False, True])
def test_strength_and_f_statistic_are_one_monotone_map(chain, conditional):
    _, _, X = chain
    res = granger_strength(X, 3, conditional=conditional)
    f = granger_test(X, 3, conditional=conditional)
    np.testing.assert_allclose(res.strength, np.log1p(f.f_stat * f.df_num / f.df_den), rtol=1e-12)
    assert res.n == f.df_den + f.df_num * (3 if conditional else 2) + 1
    np.testing.assert_allclose(res.stat, res.n * res.strength)
    np.testing.assert_allclose(res.p_value, stats.chi2.sf(res.stat, 3))
    np.testing.assert_allclose(res.debiased, res.strength - 3 / res.n)


def gaussian_entropy(cov):
    """Differential entropy of a Gaussian with covariance ``cov`` (nats)."""
    cov = np.atleast_2d(cov)
    return 0.5 * (cov.shape[0] * np.log(2 * np.pi * np.e) + np.linalg.slogdet(cov)[1])


def conditional_entropy(cov, target, given):
    """H(target | given) = H(target, given) - H(given), from a joint covariance."""
    both = [target] + list(given)
    return gaussian_entropy(cov[np.ix_(both, both)]) - gaussian_entropy(cov[np.ix_(given, given)])


@pytest.mark.parametrize("conditional", [False, True])
def test_twice_the_gaussian_plugin_transfer_entropy(chain, conditional):
    """F = 2 TE exactly for the Gaussian plug-in TE: entropies of the ML covariance of the vector
    (x_j(t), lags of x_j, lags of x_i [, lags of the rest]) computed by log-determinants."""
    _, _, X = chain
    lag, p = 2, 3
    res = granger_strength(X, lag, conditional=conditional)
    Y, lags = lag_matrix(X, lag)
    for i in range(p):
        for j in range(p):
            if i == j:
                continue
            others = [k for k in range(p) if k not in (i, j)] if conditional else []
            V = np.column_stack([Y[:, j], lags[:, j], lags[:, i]] + [lags[:, k] for k in others])
            cov = np.cov(V, rowvar=False, bias=True)
            own = list(range(1, 1 + lag))
            cause = list(range(1 + lag, 1 + 2 * lag))
            rest = list(range(1 + 2 * lag, V.shape[1]))
            te = conditional_entropy(cov, 0, own + rest) - conditional_entropy(cov, 0, own + cause + rest)
            np.testing.assert_allclose(res.transfer_entropy[i, j], te, rtol=1e-9, atol=1e-13)


def stacked_covariance(gamma, lag):
    """Covariance of (x(t), x(t-1), ..., x(t-lag)) from autocovariances gamma[k] = E x(t) x(t-k)ᵀ."""
    p = gamma.shape[1]
    blocks = [[gamma[b - a] if b >= a else gamma[a - b].T for b in range(lag + 1)] for a in range(lag + 1)]
    return np.block(blocks), p


def test_population_transfer_entropy_of_a_gaussian_var():
    """Closed form: TE of a bivariate Gaussian VAR(1) with feedback from the conditional entropies
    of its exact stationary covariance; equals var_granger_strength / 2 and the estimate on a long
    simulation (5 standard errors, sd(F_hat) ~ 2 sqrt(F / n))."""
    coef = np.array([[[0.5, 0.3], [-0.2, 0.4]]])
    sigma = np.array([[1.0, 0.3], [0.3, 0.5]])
    lag = 2
    cov, p = stacked_covariance(var_autocovariance(coef, sigma, lag), lag)
    index = lambda var, k: k * p + var  # noqa: E731  (x_var(t-k) in the stacked vector)
    F_pop = var_granger_strength(coef, sigma, lag=lag)
    X = simulate_var(coef, sigma, 40_000, seed=3)
    est = granger_strength(X, lag)
    for i, j in [(0, 1), (1, 0)]:
        own = [index(j, k) for k in range(1, lag + 1)]
        cause = [index(i, k) for k in range(1, lag + 1)]
        te = conditional_entropy(cov, index(j, 0), own) - conditional_entropy(cov, index(j, 0), own + cause)
        np.testing.assert_allclose(2 * te, F_pop[i, j], rtol=1e-10)
        sd = 2 * np.sqrt(F_pop[i, j] / est.n)
        assert abs(est.strength[i, j] - F_pop[i, j]) < 5 * sd, (i, j, est.strength[i, j], F_pop[i, j])
        assert est.ci_low[i, j] < F_pop[i, j] < est.ci_high[i, j] or abs(est.strength[i, j] - F_pop[i, j]) < 3 * sd


def test_white_noise_driver_closed_form():
    """x white noise, y(t) = a y(t-1) + b x(t-1) + e: the own-past model of y is an exact AR(1) with
    innovation variance b² var_x + var_e, so F = ln(1 + b² var_x / var_e) at every lag >= 1."""
    a, b, var_x, var_e = 0.6, 0.7, 2.0, 0.5
    coef = np.array([[[0.0, b], [0.0, a]]])
    sigma = np.diag([var_x, var_e])
    closed = np.log1p(b**2 * var_x / var_e)
    for lag in (1, 3):
        F = var_granger_strength(coef, sigma, lag=lag)
        np.testing.assert_allclose(F[0, 1], closed, rtol=1e-10)
        np.testing.assert_allclose(F[1, 0], 0.0, atol=1e-12)


def test_null_distribution_and_bias():
    """Under H0, n F ~ chi2(lag): the rejection rate at 5% is inside the Monte Carlo band, and the
    mean of n F is near lag (so debiased F has mean near 0)."""
    rng = np.random.default_rng(11)
    lag, reps, T = 2, 300, 400
    p_values, stats_ = [], []
    for _ in range(reps):
        res = granger_strength(rng.standard_normal((T, 2)), lag)
        p_values.append(res.p_value[0, 1])
        stats_.append(res.stat[0, 1])
    rate = np.mean(np.array(p_values) < 0.05)
    assert abs(rate - 0.05) < 3.5 * np.sqrt(0.05 * 0.95 / reps), rate
    assert abs(np.mean(stats_) - lag) < 4 * np.sqrt(2 * lag / reps) + 0.1, np.mean(stats_)


def test_interval_coverage_is_roughly_nominal():
    """The noncentral chi-square interval covers the true F in about 95% of runs (n F_true ~ 20)."""
    b, T, reps = 0.2, 500, 300
    F_true = np.log1p(b**2)  # white-noise driver, unit variances
    rng = np.random.default_rng(5)
    covered = []
    for _ in range(reps):
        x = rng.standard_normal(T)
        y = np.r_[0.0, b * x[:-1]] + rng.standard_normal(T)
        res = granger_strength(np.column_stack([x, y]), 1)
        covered.append(res.ci_low[0, 1] <= F_true <= res.ci_high[0, 1])
        assert res.ci_low[0, 1] <= res.strength[0, 1] <= res.ci_high[0, 1] or res.ci_low[0, 1] == 0
    coverage = np.mean(covered)
    assert 0.90 <= coverage <= 0.99, coverage


def test_interval_limits_invert_the_noncentral_chi2():
    res = granger_strength(simulate_var(np.array([[[0.4, 0.2], [0.0, 0.4]]]), np.eye(2), 300, seed=2), 1, level=0.9)
    s, n = res.stat[0, 1], res.n
    assert res.ci_low[0, 1] > 0
    np.testing.assert_allclose(stats.ncx2.sf(s, 1, res.ci_low[0, 1] * n), 0.05, rtol=1e-6)
    np.testing.assert_allclose(stats.ncx2.cdf(s, 1, res.ci_high[0, 1] * n), 0.05, rtol=1e-6)


def test_list_of_recordings_is_the_hand_pooled_regression():
    rng = np.random.default_rng(4)
    recs = []
    for T in (80, 120, 60):
        x = rng.standard_normal(T)
        y = np.r_[0.0, 0.6 * x[:-1]] + rng.standard_normal(T)
        recs.append(np.column_stack([x, y]) + rng.normal(size=2) * 0)
    lag = 2
    res = granger_strength(recs, lag)
    assert res.n == sum(len(r) - lag for r in recs)
    Y = np.concatenate([lag_matrix(r, lag)[0] for r in recs])
    full = np.concatenate([lagged(r, lag, [1, 0]) for r in recs])
    own = np.concatenate([lagged(r, lag, [1]) for r in recs])
    np.testing.assert_allclose(res.strength[0, 1], np.log(rss(Y[:, 1], own) / rss(Y[:, 1], full)), rtol=1e-9)
    assert not np.isclose(res.strength[0, 1], granger_strength(np.concatenate(recs), lag).strength[0, 1])


def test_result_is_frozen_and_readable(chain):
    _, _, X = chain
    res = granger_strength(X, 1)
    text = repr(res)
    assert text.startswith("GrangerStrength(pairwise, p=3, lag=1") and "nats" in text
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.lag = 2
    frame = res.to_frame()
    assert len(frame) == 6 and {"cause", "effect", "F", "ci_low", "ci_high", "p_value"} <= set(frame.columns)
    row = frame[(frame.cause == "x0") & (frame.effect == "x1")].iloc[0]
    assert row.F == res.strength[0, 1]


@pytest.mark.parametrize(
    "args, match",
    [
        ((np.ones((50, 2)).cumsum(0) * [1, 2] + np.random.default_rng(0).normal(size=(50, 2)), 0), "lag"),
        ((np.random.default_rng(0).normal(size=(50, 2)), 1, False, 1.5), "level"),
        ((np.random.default_rng(0).normal(size=(50, 2)), 1, False, 0.0), "level"),
        ((np.random.default_rng(0).normal(size=50), 1), "2-D"),
        ((np.random.default_rng(0).normal(size=(6, 2)), 2), "Too few"),
        ((np.where(np.eye(50, 2) > 0, np.nan, 1.0) + np.arange(100).reshape(50, 2), 1), "NaN"),
    ],
)
def test_bad_input_raises(args, match):
    with pytest.raises(ValueError, match=match):
        granger_strength(*args)


# ------------------------------------------------------------------------------------------------
# Instantaneous causality
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_instantaneous_matches_statsmodels_bivariate(seed):
    from statsmodels.tsa.api import VAR

    sigma = np.array([[1.0, 0.15 * seed], [0.15 * seed, 1.0]])
    X = simulate_var(np.array([[[0.4, 0.3], [0.0, 0.2]]]), sigma, 300, seed=seed)
    ours = instantaneous_causality(X, 2)
    sm = VAR(X).fit(2).test_inst_causality(causing=0)
    np.testing.assert_allclose(ours.wald[0, 1], sm.test_statistic, rtol=1e-9)
    np.testing.assert_allclose(ours.p_value[0, 1], sm.pvalue, rtol=1e-8, atol=1e-300)
    assert ours.wald[0, 1] == ours.wald[1, 0]


@pytest.mark.parametrize("group", [[0], [2], [0, 1]])
def test_instantaneous_joint_matches_statsmodels(chain, group):
    from statsmodels.tsa.api import VAR

    _, _, X = chain
    ours = instantaneous_causality(X, 1)
    statistic, p_value, df = ours.joint(group)
    sm = VAR(X).fit(1).test_inst_causality(causing=group)
    np.testing.assert_allclose(statistic, sm.test_statistic, rtol=1e-9)
    np.testing.assert_allclose(p_value, sm.pvalue, rtol=1e-8)
    assert df == sm.df


def test_instantaneous_pairs_size_and_detection():
    """Only the (0, 2) innovations are correlated: that pair is found in both orders (the test
    is symmetric); the other pairs reject at about the nominal rate."""
    sigma = np.array([[1.0, 0.0, 0.3], [0.0, 1.0, 0.0], [0.3, 0.0, 1.0]])
    coef = np.array([[[0.5, 0.3, 0.0], [0.0, 0.2, 0.4], [0.0, 0.0, 0.3]]])
    reps, rejections = 60, np.zeros((3, 3))
    for seed in range(reps):
        res = instantaneous_causality(simulate_var(coef, sigma, 300, seed=100 + seed, burn=100), 1)
        rejections += res.adjacency(0.05)
        np.testing.assert_array_equal(res.wald, res.wald.T)
    rates = rejections / reps
    assert rates[0, 2] == rates[2, 0] > 0.9
    assert max(rates[0, 1], rates[1, 2]) < 0.05 + 3.5 * np.sqrt(0.05 * 0.95 / reps)


def test_instantaneous_formula_list_and_errors():
    rng = np.random.default_rng(7)
    recs = [rng.standard_normal((T, 2)) @ np.array([[1.0, 0.5], [0.0, 1.0]]) for T in (100, 150)]
    res = instantaneous_causality(recs, 1)
    assert res.n == 99 + 149
    r = res.correlation[0, 1]
    np.testing.assert_allclose(res.wald[0, 1], res.n * r**2 / (1 + r**2))
    np.testing.assert_allclose(res.joint([0])[0], res.wald[0, 1], rtol=1e-12)
    assert "InstantaneousResult(p=2" in repr(res)
    with pytest.raises(ValueError, match="group"):
        res.joint([0, 1])
    with pytest.raises(ValueError, match="group"):
        res.joint([5])
    with pytest.raises(ValueError, match="alpha"):
        res.adjacency(0)
    with pytest.raises(ValueError, match="lag"):
        instantaneous_causality(recs, 0)
