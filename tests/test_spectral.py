"""Geweke's spectral Granger causality (issue 17, item 2).

Independent references: statsmodels' ``var_acf``; a closed form for a one-way bivariate VAR(1)
(derived in ``test_closed_form_one_way_var1``); the time-domain measure of the same process from
Yule-Walker regressions on exact autocovariances (no spectra involved); Jensen's formula for the
case where the frequency average falls short of the time-domain measure.
"""

import dataclasses

import numpy as np
import pytest
from var_helpers import simulate_var  # tests/var_helpers.py

from gcbook.granger import fit_var, granger_strength
from gcbook.spectral import (
    _bivariate_spectral,
    _conditional_spectral,
    _reduced_population,
    autocovariance_to_var,
    spectral_granger,
    var_autocovariance,
    var_granger_strength,
    var_spectral_density,
    var_spectral_granger,
    var_transfer_function,
)

# A bivariate VAR(2) with feedback and correlated innovations (package orientation).
COEF2 = np.array([[[0.5, 0.3], [-0.2, 0.4]], [[-0.3, 0.1], [0.0, -0.2]]])
SIGMA2 = np.array([[1.0, 0.4], [0.4, 0.8]])

# A chain x0 -> x1 -> x2 with correlated innovations.
CHAIN = np.array([[[0.5, 0.4, 0.0], [0.0, 0.3, 0.5], [0.0, 0.0, 0.2]]])
CHAIN_SIGMA = np.array([[1.0, 0.2, 0.0], [0.2, 1.0, 0.1], [0.0, 0.1, 1.0]])


def test_autocovariance_matches_statsmodels():
    from statsmodels.tsa.vector_ar.var_model import var_acf

    ours = var_autocovariance(COEF2, SIGMA2, 6)
    theirs = var_acf(COEF2.transpose(0, 2, 1), SIGMA2, nlags=6)  # statsmodels: coefs[k][effect, cause]
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_yule_walker_recovers_the_var_and_its_innovations():
    gamma = var_autocovariance(COEF2, SIGMA2, 5)
    coef, sigma = autocovariance_to_var(gamma, 4)
    np.testing.assert_allclose(coef[:2], COEF2, atol=1e-10)
    np.testing.assert_allclose(coef[2:], 0, atol=1e-10)
    np.testing.assert_allclose(sigma, SIGMA2, atol=1e-10)


def test_transfer_function_and_spectral_density():
    freqs = np.linspace(0, 0.5, 33)
    H = var_transfer_function(COEF2, freqs)
    z = np.exp(-2j * np.pi * freqs)[:, None, None]
    A_f = np.eye(2) - COEF2[0].T * z - COEF2[1].T * z**2  # standard orientation A_k = coef[k-1].T
    np.testing.assert_allclose(H @ A_f, np.broadcast_to(np.eye(2), H.shape), atol=1e-12)
    # the spectrum integrates to the variance: int_{-1/2}^{1/2} S(f) df = gamma(0)
    fine = np.linspace(0, 0.5, 513)
    S = var_spectral_density(COEF2, SIGMA2, fine)
    np.testing.assert_allclose(S, np.conj(np.swapaxes(S, 1, 2)), atol=1e-12)
    np.testing.assert_allclose(
        2 * np.trapezoid(S.real, fine, axis=0), var_autocovariance(COEF2, SIGMA2, 0)[0], rtol=1e-9
    )


def test_closed_form_one_way_var1():
    """x0(t) = a x0(t-1) + e0, x1(t) = c x1(t-1) + b x0(t-1) + e1, Var e = diag(s0, s1).

    With z = exp(-i w): X0 = E0 / (1 - a z), X1 = (b z X0 + E1) / (1 - c z), so
    S_11 = (b² s0 / |1 - a z|² + s1) / |1 - c z|². The innovations are uncorrelated, so the
    intrinsic part is s1 / |1 - c z|² and

        f_{0->1}(w) = ln(1 + b² s0 / (s1 |1 - a z|²)),   |1 - a z|² = 1 - 2 a cos w + a²,

    and f_{1->0} = 0 (x0 does not depend on x1). Time domain: the numerator of S_11 is
    s1 (1 + a²) + b² s0 - 2 a s1 cos w = sigma² |1 - m z|² (an MA(1) spectrum) with
    sigma² (1 + m²) = s1 (1 + a²) + b² s0 =: P, sigma² m = a s1 =: Q, |m| < 1; so x1 alone has
    innovation variance sigma² = Q / m, m = (P - sqrt(P² - 4 Q²)) / (2 Q), and F = ln(sigma² / s1),
    which the frequency average must equal (the filters are minimum phase).
    """
    a, b, c, s0, s1 = 0.7, 0.9, -0.4, 1.5, 0.6
    coef = np.array([[[a, b], [0.0, c]]])
    res = var_spectral_granger(coef, np.diag([s0, s1]))
    w = 2 * np.pi * res.freqs
    closed = np.log1p(b**2 * s0 / (s1 * (1 - 2 * a * np.cos(w) + a**2)))
    np.testing.assert_allclose(res.values[0, 1], closed, rtol=1e-12)
    np.testing.assert_allclose(res.values[1, 0], 0.0, atol=1e-13)
    P, Q = s1 * (1 + a**2) + b**2 * s0, a * s1
    m = (P - np.sqrt(P**2 - 4 * Q**2)) / (2 * Q)
    F_closed = np.log(Q / m / s1)
    np.testing.assert_allclose(res.average()[0, 1], F_closed, rtol=1e-10)
    np.testing.assert_allclose(var_granger_strength(coef, np.diag([s0, s1]), lag=150)[0, 1], F_closed, rtol=1e-9)


def test_frequency_average_equals_time_domain_pairwise():
    """Bivariate VAR(2) with feedback and correlated innovations: the average of the spectral
    measure over [0, 0.5] equals ln(sigma2_r / Sigma_jj), sigma2_r from Yule-Walker AR(200) of x_j."""
    res = var_spectral_granger(COEF2, SIGMA2)
    F = var_granger_strength(COEF2, SIGMA2, lag=200)
    assert np.all(np.nan_to_num(F) >= 0) and F[0, 1] > 0.05 and F[1, 0] > 0.01
    np.testing.assert_allclose(res.average(), F, rtol=1e-9, atol=1e-12)


def test_frequency_average_falls_short_when_not_minimum_phase():
    """VAR(1) x0 -> x1 with the cause's own coefficient a_00 = 0.5, a_10 = -2 (standard orientation,
    effect on the row) and Sigma_01 / Sigma_11 = 0.5. The intrinsic filter of x1 is
    [adj(A) Sigma]_11 / (Sigma_11 det A) with numerator a_10 z Sigma_01 / Sigma_11 + (1 - a_00 z)
    = 1 - 1.5 z, whose zero 2/3 lies inside the unit disk; by Jensen's formula its log-modulus
    averages ln(1.5²), and the spectral average is F - ln(1.5²) exactly."""
    coef = np.array([[[0.5, -2.0], [0.0, 0.0]]])  # x0(t) = 0.5 x0(t-1) + e0; x1(t) = -2 x0(t-1) + e1
    sigma = np.array([[1.0, 0.5], [0.5, 1.0]])
    res = var_spectral_granger(coef, sigma)
    F = var_granger_strength(coef, sigma, lag=200)
    np.testing.assert_allclose(res.average()[0, 1], F[0, 1] - np.log(1.5**2), rtol=1e-9)
    np.testing.assert_allclose(res.average()[1, 0], F[1, 0], atol=1e-10)


def test_conditional_population_identity_and_reduction_to_pairwise():
    """Conditional measure with exact (high-order Yule-Walker) reduced models: its average equals the
    conditional time-domain measure; with nothing to condition on it is the pairwise formula."""
    res = var_spectral_granger(CHAIN, CHAIN_SIGMA, conditional=True, reduced_lag=60)
    F = var_granger_strength(CHAIN, CHAIN_SIGMA, lag=60, conditional=True)
    np.testing.assert_allclose(res.average(), F, atol=1e-9)
    np.testing.assert_allclose(res.values[0, 2], 0.0, atol=1e-9)  # x0 acts on x2 only through x1
    pair = var_spectral_granger(CHAIN, CHAIN_SIGMA, reduced_lag=60)
    assert pair.average()[0, 2] > 0.01  # ... which the pairwise measure mistakes for a link
    freqs = np.linspace(0, 0.5, 17)
    coef_r, sigma_r = _reduced_population(COEF2, SIGMA2, [np.array([1]), np.array([0])], 200)
    np.testing.assert_allclose(
        _conditional_spectral(COEF2, SIGMA2, coef_r, sigma_r, freqs),
        _bivariate_spectral(COEF2[None], SIGMA2[None], freqs)[0],
        atol=1e-12,
    )


def test_orientation_one_way_system():
    coef = np.array([[[0.5, 0.6], [0.0, 0.3]]])  # x0 -> x1 only
    pop = var_spectral_granger(coef, np.eye(2))
    np.testing.assert_allclose(pop.values[1, 0], 0.0, atol=1e-13)
    assert pop.values[0, 1].min() > 0.1
    X = simulate_var(coef, np.eye(2), 4000, seed=0)
    est = spectral_granger(X, 2)
    assert est.values.shape == (2, 2, 257) and np.all(np.isnan(est.values[[0, 1], [0, 1]]))
    assert est.values[1, 0].max() < 0.02 < 0.1 < est.values[0, 1].min()


def test_estimate_is_the_fitted_var_taken_as_true():
    """Pairwise estimate = the population formula applied to each pair's least-squares VAR(L)
    (fit_var), so its frequency average is that VAR's time-domain measure (whole past)."""
    X = simulate_var(CHAIN, CHAIN_SIGMA, 800, seed=2)
    lag = 2
    est = spectral_granger(X, lag, conditional=False)
    for i, j in [(0, 1), (0, 2), (1, 2)]:
        fit = fit_var(X[:, [i, j]], lag)
        pop = var_spectral_granger(fit.coef, fit.sigma, freqs=est.freqs)
        np.testing.assert_allclose(est.values[i, j], pop.values[0, 1], rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(est.values[j, i], pop.values[1, 0], rtol=1e-8, atol=1e-12)
        F = var_granger_strength(fit.coef, fit.sigma, lag=200)
        np.testing.assert_allclose(est.average()[i, j], F[0, 1], rtol=1e-7, atol=1e-10)


def test_conditional_estimate_uses_the_full_and_reduced_least_squares_fits():
    X = simulate_var(CHAIN, CHAIN_SIGMA, 800, seed=4)
    lag = 2
    est = spectral_granger(X, lag, conditional=True)
    full = fit_var(X, lag)
    reduced = [fit_var(np.delete(X, i, axis=1), lag) for i in range(3)]
    expected = _conditional_spectral(
        full.coef, full.sigma, np.stack([r.coef for r in reduced]), np.stack([r.sigma for r in reduced]), est.freqs
    )
    np.testing.assert_allclose(est.values, expected, rtol=1e-8, atol=1e-12)
    # the indirect link x0 -> x2 vanishes once x1 is conditioned on (averaged: near the tiny sampling value)
    avg = est.average()
    assert abs(avg[0, 2]) < 0.02 < 0.1 < avg[0, 1]
    time_domain = granger_strength(X, lag, conditional=True).strength
    np.testing.assert_allclose(avg, time_domain, atol=0.02)


def test_batching_the_reduced_fits_changes_no_number(monkeypatch):
    """The reduced VARs are fitted in memory-bounded batches: one subset per batch gives the same values."""
    import gcbook._utils

    X = simulate_var(CHAIN, CHAIN_SIGMA, 400, seed=5)
    whole = spectral_granger(X, 2, conditional=True).values
    monkeypatch.setattr(gcbook._utils, "BATCH_BYTES", 1)
    np.testing.assert_allclose(spectral_granger(X, 2, conditional=True).values, whole, rtol=1e-10, atol=1e-14)


def test_band_limited_oscillator():
    """x0 is an AR(2) oscillator (poles at radius 0.95, frequency 0.1) driving x1 at lag 1: the
    causality is concentrated near 0.1, in the population and in the estimate."""
    f0, r, b = 0.1, 0.95, 0.5
    coef = np.zeros((2, 2, 2))
    coef[0, 0, 0], coef[1, 0, 0] = 2 * r * np.cos(2 * np.pi * f0), -(r**2)
    coef[0, 0, 1], coef[0, 1, 1] = b, 0.2
    pop = var_spectral_granger(coef, np.eye(2))
    assert abs(pop.freqs[np.argmax(pop.values[0, 1])] - f0) < 0.01
    inside, outside = pop.band(0.07, 0.13)[0, 1], pop.band(0.25, 0.5)[0, 1]
    assert inside > 10 * outside
    X = simulate_var(coef, np.eye(2), 3000, seed=6)
    est = spectral_granger(X, 3)
    assert abs(est.freqs[np.argmax(est.values[0, 1])] - f0) < 0.02
    assert est.band(0.07, 0.13)[0, 1] > 5 * est.band(0.25, 0.5)[0, 1]
    assert est.values[1, 0].max() < 0.05


def test_list_of_recordings_pools_the_windows():
    rng = np.random.default_rng(8)
    recs = [
        simulate_var(CHAIN, CHAIN_SIGMA, T, seed=s, burn=50) for s, T in zip(rng.integers(0, 1000, 3), (200, 300, 250))
    ]
    est = spectral_granger(recs, 1, freqs=np.linspace(0, 0.5, 9))
    fit = fit_var([r[:, [0, 1]] for r in recs], 1)
    pop = var_spectral_granger(fit.coef, fit.sigma, freqs=est.freqs)
    np.testing.assert_allclose(est.values[0, 1], pop.values[0, 1], rtol=1e-8)
    assert est.n == sum(len(r) - 1 for r in recs)


def test_result_repr_plot_and_frozen():
    import matplotlib

    matplotlib.use("Agg")
    res = var_spectral_granger(COEF2, SIGMA2, labels=["a", "b"])
    assert repr(res).startswith("SpectralGrangerResult(pairwise, p=2, lag=2, 257 frequencies")
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.lag = 3
    ax = res.plot()
    assert ax.get_xlabel().startswith("frequency") and len(ax.get_lines()) == 2
    assert ax.get_legend_handles_labels()[1] == ["a → b", "b → a"]


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda X: spectral_granger(X, 1, freqs=[0.1, 0.7]), "freqs"),
        (lambda X: spectral_granger(X, 1, freqs=[[0.1]]), "freqs"),
        (lambda X: spectral_granger(X, 0), "lag"),
        (lambda X: spectral_granger(X[:, :1], 1), "at least 2"),
        (lambda X: spectral_granger(X[:5], 2, conditional=True), "Too few"),
        (lambda X: var_spectral_granger([[[1.1, 0.0], [0.0, 0.2]]], np.eye(2)), "not stable"),
        (lambda X: var_spectral_granger([[[0.1, 0.0], [0.0, 0.2]]], -np.eye(2)), "positive definite"),
        (lambda X: var_spectral_granger([[[0.1, 0.0], [0.0, 0.2]]], np.eye(3)), "sigma"),
        (lambda X: var_spectral_granger(np.zeros((2, 2)), np.eye(2)), "coef"),
        (lambda X: var_spectral_granger(COEF2, SIGMA2).band(0.3, 0.2), "fmin"),
        (lambda X: autocovariance_to_var(np.zeros((2, 2, 2)), 2), "gamma"),
    ],
)
def test_bad_input_raises(call, match):
    X = np.random.default_rng(0).normal(size=(50, 3))
    with pytest.raises(ValueError, match=match):
        call(X)
