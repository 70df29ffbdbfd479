"""Tests for :mod:`gcbook.simulate`: shapes, seeding, ground truth and the statistics of the output."""

from __future__ import annotations

import copy
import pickle
import random

import numpy as np
import pytest
from scipy import stats
from scipy.integrate import solve_ivp

from gcbook.simulate import (
    SimulatedSeries,
    companion_matrix,
    confounded_var,
    dag_weights,
    is_dag,
    linear_sem,
    lorenz96,
    lorenz96_graph,
    lorenz96_rhs,
    random_dag,
    spectral_radius,
    var,
    var_from_coef,
)

# --------------------------------------------------------------------------- helpers


def _lagged_design(X: np.ndarray, lag: int) -> tuple[np.ndarray, np.ndarray]:
    """Targets X[lag:] and regressors [x(t-1), ..., x(t-lag)] (block k-1 holds lag k)."""
    T = X.shape[0]
    Z = np.hstack([X[lag - k : T - k] for k in range(1, lag + 1)])
    return X[lag:], Z


def _fit_var(X: np.ndarray, lag: int) -> np.ndarray:
    """Least-squares VAR fit (with intercept), returned as coef (lag, p, p) in the book's orientation."""
    Y, Z = _lagged_design(X, lag)
    Z1 = np.hstack([np.ones((Z.shape[0], 1)), Z])
    beta, *_ = np.linalg.lstsq(Z1, Y, rcond=None)  # beta[1 + (k-1)*p + i, j] = effect of x_i(t-k) on x_j(t)
    p = X.shape[1]
    return beta[1:].reshape(lag, p, p)


def _granger_pvalue(cause: np.ndarray, effect: np.ndarray, lag: int) -> float:
    """Pairwise Granger F-test of ``cause -> effect`` by ordinary least squares."""
    Y, Zown = _lagged_design(effect[:, None], lag)
    _, Zcause = _lagged_design(cause[:, None], lag)
    ones = np.ones((Y.shape[0], 1))
    restricted = np.hstack([ones, Zown])
    full = np.hstack([ones, Zown, Zcause])
    rss = [np.sum((Y - M @ np.linalg.lstsq(M, Y, rcond=None)[0]) ** 2) for M in (restricted, full)]
    df_den = Y.shape[0] - full.shape[1]
    F = (rss[0] - rss[1]) / lag / (rss[1] / df_den)
    return float(stats.f.sf(F, lag, df_den))


def _rk4(x0: np.ndarray, F: float, t_end: float, h: float, times: np.ndarray) -> np.ndarray:
    """Classical fixed-step RK4 for Lorenz-96, read off at ``times`` (multiples of h)."""
    steps = np.rint(times / h).astype(int)
    out = np.empty((len(times), len(x0)))
    x = x0.copy()
    k = 0
    for s in range(steps[-1] + 1):
        while k < len(steps) and steps[k] == s:
            out[k] = x
            k += 1
        a = lorenz96_rhs(x, F)
        b = lorenz96_rhs(x + h / 2 * a, F)
        c = lorenz96_rhs(x + h / 2 * b, F)
        d = lorenz96_rhs(x + h * c, F)
        x = x + h / 6 * (a + 2 * b + 2 * c + d)
    return out


def _drawn(sim: SimulatedSeries) -> tuple:
    """X, A and what the simulator drew, as a plain tuple."""
    return (sim.X, sim.A) + tuple(extra for extra in (sim.coef, sim.driver) if extra is not None)


# Each entry: name -> function of seed returning a tuple/array of outputs.
SIMULATORS = {
    "var": lambda seed: _drawn(var(p=4, T=50, lag=2, seed=seed)),
    "var_from_coef": lambda seed: var_from_coef(np.array([[[0.5, 0.3], [0.0, 0.4]]]), T=50, seed=seed),
    "confounded_var": lambda seed: _drawn(confounded_var(T=50, seed=seed)),
    "lorenz96": lambda seed: lorenz96(p=5, T=30, seed=seed, burn_in=20),
    "random_dag_er": lambda seed: random_dag(8, 10, kind="ER", seed=seed),
    "random_dag_sf": lambda seed: random_dag(8, 10, kind="SF", seed=seed),
    "dag_weights": lambda seed: dag_weights(np.triu(np.ones((5, 5)), 1), seed=seed),
    "linear_sem": lambda seed: linear_sem(np.triu(np.full((4, 4), 0.5), 1), n=50, seed=seed),
    "linear_sem_exp": lambda seed: linear_sem(np.triu(np.full((4, 4), 0.5), 1), n=50, noise="exp", seed=seed),
}


def _as_tuple(out):
    return out if isinstance(out, tuple) else (out,)


def _identical(a, b) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(_as_tuple(a), _as_tuple(b), strict=True))


# --------------------------------------------------------------------------- seeding (all simulators)


@pytest.mark.parametrize("name", sorted(SIMULATORS))
def test_same_seed_is_bit_identical(name):
    sim = SIMULATORS[name]
    assert _identical(sim(123), sim(123))


@pytest.mark.parametrize("name", sorted(SIMULATORS))
def test_different_seeds_differ(name):
    sim = SIMULATORS[name]
    assert not _identical(sim(1), sim(2))


@pytest.mark.parametrize("name", sorted(SIMULATORS))
def test_generator_is_accepted_and_matches_int_seed(name):
    sim = SIMULATORS[name]
    assert _identical(sim(np.random.default_rng(7)), sim(7))


@pytest.mark.parametrize("name", sorted(SIMULATORS))
def test_global_random_state_untouched(name):
    np_before = np.random.get_state()
    py_before = random.getstate()
    SIMULATORS[name](None)
    SIMULATORS[name](5)
    np_after = np.random.get_state()
    assert np_before[0] == np_after[0]
    assert np.array_equal(np_before[1], np_after[1])
    assert np_before[2:] == np_after[2:]
    assert random.getstate() == py_before


@pytest.mark.parametrize("bad_seed", [-1, 1.5, "0", True])
def test_bad_seed_raises(bad_seed):
    with pytest.raises(ValueError, match="seed"):
        var(3, 10, seed=bad_seed)


# --------------------------------------------------------------------------- var


def test_var_shapes_and_dtypes():
    sim = var(p=5, T=120, lag=3, seed=0)
    X, A, coef = sim.X, sim.A, sim.coef
    assert X.shape == (120, 5) and X.dtype == np.float64
    assert A.shape == (5, 5) and A.dtype == np.int64
    assert coef.shape == (3, 5, 5) and coef.dtype == np.float64
    assert set(np.unique(A)) <= {0, 1}
    assert np.all(np.isfinite(X))
    assert len(var(p=5, T=120, seed=0)) == 2


@pytest.mark.parametrize("p, lag, sparsity", [(3, 1, 0.5), (6, 3, 0.2), (10, 2, 0.4), (8, 5, 1.0)])
def test_var_is_stable_and_support_matches_truth(p, lag, sparsity):
    _, A = sim = var(p=p, T=10, lag=lag, sparsity=sparsity, seed=p + lag)
    coef = sim.coef
    assert spectral_radius(coef) == pytest.approx(0.9, abs=1e-8)
    assert np.all(np.diag(A) == 1)
    # every lag is nonzero exactly on the true edges
    assert np.array_equal(coef != 0, np.broadcast_to(A == 1, coef.shape))
    # coefficients share one scale, so no edge is negligibly small
    nonzero = np.abs(coef[coef != 0])
    assert nonzero.min() >= 0.5 * nonzero.max() - 1e-12


def test_var_radius_argument():
    coef = var(p=4, T=10, seed=0, radius=0.5).coef
    assert spectral_radius(coef) == pytest.approx(0.5, abs=1e-8)


def test_var_sparsity_extremes_and_rate():
    _, A0 = var(p=6, T=10, sparsity=0.0, seed=0)
    assert np.array_equal(A0, np.eye(6, dtype=int))
    _, A1 = var(p=6, T=10, sparsity=1.0, seed=0)
    assert np.all(A1 == 1)
    _, A = var(p=40, T=10, lag=1, sparsity=0.3, seed=0)
    off = A[~np.eye(40, dtype=bool)]
    # 1560 Bernoulli(0.3) draws: mean within 4 standard errors
    assert abs(off.mean() - 0.3) < 4 * np.sqrt(0.3 * 0.7 / off.size)


def test_var_least_squares_recovers_coefficients():
    sim = var(p=4, T=20000, lag=2, sparsity=0.4, seed=3)
    X, coef = sim.X, sim.coef
    est = _fit_var(X, lag=2)
    assert np.max(np.abs(est - coef)) < 0.05
    # coef_by_lag[i, j, k-1] is the regression coefficient of x_i(t-k) in the equation of x_j(t)
    assert np.max(np.abs(est.transpose(1, 2, 0) - sim.coef_by_lag)) < 0.05
    # residual variance matches the innovation variance
    Y, Z = _lagged_design(X, 2)
    resid = Y - Z @ coef.reshape(-1, 4)
    assert np.allclose(resid.var(axis=0), 1.0, atol=0.05)


def test_var_noise_std_scales_series():
    X1, _ = var(p=3, T=500, seed=4, noise_std=1.0)
    X3, _ = var(p=3, T=500, seed=4, noise_std=3.0)
    np.testing.assert_allclose(X3, 3.0 * X1, rtol=1e-10, atol=1e-10)


def test_var_returns_a_pair_with_the_draw_as_attributes():
    """The result unpacks as the old pair (X, A) and carries the coefficients, in both layouts."""
    sim = var(p=5, T=80, lag=3, sparsity=0.3, seed=2)
    assert isinstance(sim, SimulatedSeries) and isinstance(sim, tuple) and len(sim) == 2
    X, A = sim
    assert X is sim.X is sim[0] and A is sim.A is sim[1]
    assert sim.driver is None
    assert sim.coef.shape == (3, 5, 5) and sim.coef_by_lag.shape == (5, 5, 3)
    for k in range(1, 4):
        np.testing.assert_array_equal(sim.coef_by_lag[:, :, k - 1], sim.coef[k - 1])
    np.testing.assert_array_equal(sim.coef_by_lag, sim.coef.transpose(1, 2, 0))
    # the attributes are read-only, and the result survives copying and pickling
    with pytest.raises(AttributeError, match="read-only"):
        sim.coef = None
    for twin in (copy.deepcopy(sim), pickle.loads(pickle.dumps(sim))):
        assert type(twin) is SimulatedSeries
        assert all(np.array_equal(a, b) for a, b in zip(_drawn(twin), _drawn(sim), strict=True))
    assert repr(sim).startswith("SimulatedSeries(T=80, p=5,") and "coef lag=3" in repr(sim)


def test_coef_by_lag_orientation_on_a_planted_var():
    """A planted VAR(2) with its only cross edge 0 -> 2 at lag 2: the coefficient that var_from_coef
    simulates from coef[1, 0, 2] is coef_by_lag[0, 2, 1], found by regressing x2(t) on x0(t-2)."""
    coef = np.zeros((2, 3, 3))
    coef[0] = np.diag([0.3, 0.3, 0.3])
    coef[1, 0, 2] = 0.6  # x0(t-2) -> x2(t)
    X = var_from_coef(coef, T=20000, seed=0)
    planted = SimulatedSeries(X, (np.abs(coef).sum(axis=0) > 0).astype(np.int64), coef=coef)
    assert planted.coef_by_lag[0, 2, 1] == 0.6 and planted.coef_by_lag[2, 0, 1] == 0.0
    assert planted.A[0, 2] == 1 and planted.A[2, 0] == 0
    est = _fit_var(X, lag=2).transpose(1, 2, 0)  # (cause, effect, lag), from an explicit design
    assert est[0, 2, 1] == pytest.approx(0.6, abs=0.03)
    assert np.max(np.abs(est - planted.coef_by_lag)) < 0.03


def test_var_return_coef_is_deprecated_and_gives_the_old_tuple():
    """The old call form warns and returns the plain 3-tuple, equal bit for bit to the attributes."""
    with pytest.warns(DeprecationWarning, match=r"return_coef=True\) is deprecated.*sim\.coef"):
        old = var(p=4, T=60, lag=2, seed=11, return_coef=True)
    sim = var(p=4, T=60, lag=2, seed=11)
    assert type(old) is tuple and len(old) == 3
    X, A, coef = old
    np.testing.assert_array_equal(X, sim.X)
    np.testing.assert_array_equal(A, sim.A)
    np.testing.assert_array_equal(coef, sim.coef)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"p": 1, "T": 10}, "p must be >= 2"),
        ({"p": 2.5, "T": 10}, "p must be an int"),
        ({"p": 3, "T": 0}, "T must be >= 1"),
        ({"p": 3, "T": 10, "lag": 0}, "lag must be >= 1"),
        ({"p": 3, "T": 10, "sparsity": 1.5}, "sparsity must be <= 1"),
        ({"p": 3, "T": 10, "sparsity": -0.1}, "sparsity must be >= 0"),
        ({"p": 3, "T": 10, "sparsity": float("nan")}, "sparsity must be finite"),
        ({"p": 3, "T": 10, "noise_std": 0.0}, "noise_std must be > 0"),
        ({"p": 3, "T": 10, "burn_in": -1}, "burn_in must be >= 0"),
        ({"p": 3, "T": 10, "radius": 1.0}, "radius must be < 1"),
        ({"p": 3, "T": 10, "return_coef": "yes"}, "return_coef"),
    ],
)
def test_var_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        var(**kwargs)


# --------------------------------------------------------------------------- companion, spectral radius, var_from_coef


def test_companion_matrix_layout():
    coef = np.arange(1, 9, dtype=float).reshape(2, 2, 2) / 10  # coef[k-1, i, j]
    M = companion_matrix(coef)
    assert M.shape == (4, 4)
    # x_j(t) = sum_{k,i} coef[k-1, i, j] x_i(t-k)  -> row j of the top block holds coef[:, :, j]
    np.testing.assert_array_equal(M[:2, :2], coef[0].T)
    np.testing.assert_array_equal(M[:2, 2:], coef[1].T)
    np.testing.assert_array_equal(M[2:], np.hstack([np.eye(2), np.zeros((2, 2))]))


def test_spectral_radius_of_ar2_matches_polynomial_roots():
    a1, a2 = 0.6, 0.3  # x(t) = a1 x(t-1) + a2 x(t-2): roots of z^2 - a1 z - a2
    expected = np.max(np.abs(np.roots([1.0, -a1, -a2])))
    assert spectral_radius(np.array([[[a1]], [[a2]]])) == pytest.approx(expected, rel=1e-12)


def test_var_from_coef_raises_on_unstable():
    coef = np.array([[[0.9, 0.5], [0.0, 0.6]], [[0.3, 0.0], [0.0, 0.0]]])
    assert spectral_radius(coef) >= 1
    with pytest.raises(ValueError, match="not stable"):
        var_from_coef(coef, T=100, seed=0)
    with pytest.raises(ValueError, match="not stable"):
        var_from_coef(np.eye(3)[None], T=100, seed=0)  # unit root (random walk)


@pytest.mark.parametrize(
    "coef, kwargs, match",
    [
        (np.full((1, 2, 2), np.nan), {}, "NaN"),
        (np.zeros((2, 2)), {}, "coef must be 3-D"),
        (np.zeros((1, 2, 3)), {}, "shape \\(lag, p, p\\)"),
        (np.zeros((1, 2, 2)), {"T": 0}, "T must be >= 1"),
        (np.zeros((1, 2, 2)), {"noise_std": -1.0}, "noise_std must be > 0"),
        (np.zeros((1, 2, 2)), {"noise_std": [1.0, 1.0, 1.0]}, "array of shape \\(2,\\)"),
        (np.zeros((1, 2, 2)), {"intercept": [1.0]}, "intercept"),
        (np.zeros((1, 2, 2)), {"burn_in": 1.5}, "burn_in must be an int"),
    ],
)
def test_var_from_coef_validation(coef, kwargs, match):
    kwargs = {"T": 10, **kwargs}
    with pytest.raises(ValueError, match=match):
        var_from_coef(coef, **kwargs)


def test_var_from_coef_intercept_gives_stationary_mean_and_noise_per_variable():
    coef = np.array([[[0.5, 0.2], [0.0, 0.3]]])
    c = np.array([1.0, -2.0])
    X = var_from_coef(coef, T=20000, intercept=c, noise_std=[0.5, 2.0], seed=1)
    mu = np.linalg.solve((np.eye(2) - coef[0]).T, c)  # mu = c + mu @ coef[0]
    np.testing.assert_allclose(X.mean(axis=0), mu, atol=0.1)
    resid = X[1:] - c - X[:-1] @ coef[0]
    np.testing.assert_allclose(resid.std(axis=0), [0.5, 2.0], rtol=0.03)


def test_var_from_coef_follows_the_orientation():
    # x0 -> x1 only: the past of x0 predicts x1, not the other way round
    coef = np.array([[[0.3, 0.6], [0.0, 0.3]]])
    X = var_from_coef(coef, T=3000, seed=2)
    assert _granger_pvalue(X[:, 0], X[:, 1], lag=1) < 1e-10
    assert _granger_pvalue(X[:, 1], X[:, 0], lag=1) > 1e-3


# --------------------------------------------------------------------------- confounded_var


def test_confounded_var_shapes_and_truth():
    X, A = confounded_var(T=200, seed=0)
    assert X.shape == (200, 2) and X.dtype == np.float64
    assert np.array_equal(A, np.eye(2, dtype=int)) and A.dtype == np.int64
    sim = confounded_var(T=200, seed=0)
    assert sim.driver.shape == (200,) and sim.driver.dtype == np.float64
    assert sim.coef is None and sim.coef_by_lag is None
    np.testing.assert_array_equal(X, sim.X)


def test_confounded_var_return_driver_is_deprecated_and_gives_the_old_tuple():
    with pytest.warns(DeprecationWarning, match=r"return_driver=True\) is deprecated.*sim\.driver"):
        old = confounded_var(T=80, delays=(2, 4), seed=3, return_driver=True)
    sim = confounded_var(T=80, delays=(2, 4), seed=3)
    assert type(old) is tuple and len(old) == 3
    X, A, z = old
    np.testing.assert_array_equal(X, sim.X)
    np.testing.assert_array_equal(A, sim.A)
    np.testing.assert_array_equal(z, sim.driver)
    with pytest.raises(ValueError, match="return_driver"):
        confounded_var(T=10, return_driver="yes")


@pytest.mark.parametrize("delays", [(1, 3), (2, 5)])
def test_confounded_var_depends_on_driver_at_the_stated_delays(delays):
    strength = 0.8
    sim = confounded_var(T=20000, strength=strength, delays=delays, seed=5)
    X, z = sim.X, sim.driver
    max_k = 6
    for col, delay in enumerate(delays):
        x = X[:, col]
        # regress x(t) on x(t-1) and z(t-1), ..., z(t-max_k): only z(t-delay) should matter
        y = x[max_k:]
        Z = np.column_stack([x[max_k - 1 : -1]] + [z[max_k - k : len(z) - k] for k in range(1, max_k + 1)])
        beta, *_ = np.linalg.lstsq(Z, y, rcond=None)
        assert beta[0] == pytest.approx(0.5, abs=0.03)
        z_coef = beta[1:]
        assert z_coef[delay - 1] == pytest.approx(strength, abs=0.05)
        assert np.max(np.abs(np.delete(z_coef, delay - 1))) < 0.05
    # the driver itself is AR(1) with coefficient 0.8
    assert np.corrcoef(z[1:], z[:-1])[0, 1] == pytest.approx(0.8, abs=0.03)


def test_confounded_var_fools_pairwise_granger():
    X, A = confounded_var(T=3000, seed=1)
    assert A[0, 1] == 0  # no true edge x0 -> x1 ...
    assert _granger_pvalue(X[:, 0], X[:, 1], lag=3) < 1e-6  # ... but pairwise Granger finds one


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"T": 0}, "T must be >= 1"),
        ({"T": 10, "delays": (0, 3)}, "delays\\[0\\] must be >= 1"),
        ({"T": 10, "delays": (1,)}, "delays must be a pair"),
        ({"T": 10, "delays": 3}, "delays must be a pair"),
        ({"T": 10, "strength": float("inf")}, "strength must be finite"),
        ({"T": 10, "noise_std": 0}, "noise_std must be > 0"),
    ],
)
def test_confounded_var_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        confounded_var(**kwargs)


# --------------------------------------------------------------------------- lorenz96


def test_lorenz96_shapes_dtypes_and_graph():
    X, A = lorenz96(p=7, T=50, seed=0, burn_in=50)
    assert X.shape == (50, 7) and X.dtype == np.float64
    assert A.shape == (7, 7) and A.dtype == np.int64
    assert np.array_equal(A, lorenz96_graph(7))
    assert np.all(A.sum(axis=0) == 4) and np.all(np.diag(A) == 1)
    sim = lorenz96(p=7, T=50, seed=0, burn_in=50)
    assert isinstance(sim, SimulatedSeries) and sim.coef is None and sim.coef_by_lag is None and sim.driver is None
    np.testing.assert_array_equal(sim.X, X)


@pytest.mark.parametrize("p", [4, 5, 8, 12])
def test_lorenz96_truth_is_jacobian_sparsity(p):
    rng = np.random.default_rng(p)
    x = rng.normal(size=p) * 3.0
    eps = 1e-6
    # J[i, j] = d f_j / d x_i (central differences), i.e. row = cause, as in A
    steps = eps * np.eye(p)
    J = (lorenz96_rhs(x + steps, 10.0) - lorenz96_rhs(x - steps, 10.0)) / (2 * eps)
    pattern = (np.abs(J) > 1e-6).astype(int)
    _, A = lorenz96(p=p, T=1, seed=0, burn_in=0)
    np.testing.assert_array_equal(A, pattern)


def test_lorenz96_rhs_matches_the_equation_and_is_batched():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 6))
    F = 8.0
    out = lorenz96_rhs(x, F)
    assert out.shape == (3, 6)
    p = 6
    for i in range(p):
        expected = (x[:, (i + 1) % p] - x[:, (i - 2) % p]) * x[:, (i - 1) % p] - x[:, i] + F
        np.testing.assert_allclose(out[:, i], expected, rtol=1e-14)
    np.testing.assert_allclose(lorenz96_rhs(x[1], F), out[1], rtol=1e-14)
    np.testing.assert_array_equal(lorenz96_rhs(np.full(6, F), F), np.zeros(6))


def test_lorenz96_integration_is_accurate():
    dt, horizon = 0.1, 20  # 2 time units on the attractor
    X, _ = lorenz96(p=6, T=horizon + 1, seed=3, burn_in=100, noise_std=0.0, dt=dt)
    times = dt * np.arange(horizon + 1)
    ref_rk4 = _rk4(X[0], 10.0, times[-1], 5e-4, times)
    ref_ivp = solve_ivp(
        lambda t, x: lorenz96_rhs(x, 10.0), (0, times[-1]), X[0], method="DOP853", t_eval=times, rtol=1e-12, atol=1e-12
    ).y.T
    np.testing.assert_allclose(ref_rk4, ref_ivp, atol=1e-6)  # the two references agree
    np.testing.assert_allclose(X, ref_ivp, atol=1e-5)


def test_lorenz96_starts_at_perturbed_fixed_point():
    X, _ = lorenz96(p=5, T=3, F=8.0, seed=11, burn_in=0, noise_std=0.0)
    x0 = 8.0 + 0.01 * np.random.default_rng(11).standard_normal(5)
    np.testing.assert_array_equal(X[0], x0)


def test_lorenz96_bounded_and_not_constant():
    X, _ = lorenz96(p=10, T=500, seed=0, burn_in=200)
    assert np.all(np.isfinite(X))
    assert np.max(np.abs(X)) < 30.0
    assert np.all(X.std(axis=0) > 1.0)  # chaotic, not at the fixed point x = F
    # small forcing: decays to the fixed point x = F
    Xs, _ = lorenz96(p=6, T=50, F=0.5, seed=0, burn_in=500, noise_std=0.0)
    np.testing.assert_allclose(Xs, 0.5, atol=1e-4)


def test_lorenz96_observation_noise():
    clean, _ = lorenz96(p=6, T=300, seed=9, burn_in=10, noise_std=0.0)
    noisy, _ = lorenz96(p=6, T=300, seed=9, burn_in=10, noise_std=0.5)
    diff = noisy - clean
    assert diff.std() == pytest.approx(0.5, rel=0.1)
    assert abs(diff.mean()) < 0.05
    # the noise is i.i.d. over time, unlike the smooth signal
    assert abs(np.corrcoef(diff[1:].ravel(), diff[:-1].ravel())[0, 1]) < 0.1


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"p": 3, "T": 10}, "p must be >= 4"),
        ({"p": 5, "T": 0}, "T must be >= 1"),
        ({"p": 5, "T": 10, "dt": 0.0}, "dt must be > 0"),
        ({"p": 5, "T": 10, "F": float("nan")}, "F must be finite"),
        ({"p": 5, "T": 10, "noise_std": -0.1}, "noise_std must be >= 0"),
        ({"p": 5, "T": 10, "burn_in": -5}, "burn_in must be >= 0"),
    ],
)
def test_lorenz96_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        lorenz96(**kwargs)


def test_lorenz96_rhs_validation():
    with pytest.raises(ValueError, match="p >= 4"):
        lorenz96_rhs(np.zeros(3))
    with pytest.raises(ValueError, match="shape"):
        lorenz96_rhs(np.zeros((2, 2, 5)))


# --------------------------------------------------------------------------- random_dag / is_dag


@pytest.mark.parametrize("d, n_edges", [(2, 0), (2, 1), (5, 4), (10, 20), (30, 60), (6, 15)])
@pytest.mark.parametrize("seed", [0, 1])
def test_random_dag_er_exact_edges_and_acyclic(d, n_edges, seed):
    B = random_dag(d, n_edges, kind="ER", seed=seed)
    assert B.shape == (d, d) and B.dtype == np.int64
    assert set(np.unique(B)) <= {0, 1}
    assert int(B.sum()) == n_edges
    assert np.all(np.diag(B) == 0)
    assert not np.any(B & B.T)  # no pair in both directions
    assert is_dag(B)


def test_random_dag_er_uses_a_random_order():
    B = random_dag(20, 60, kind="ER", seed=0)
    assert np.any(np.triu(B)) and np.any(np.tril(B))  # not simply upper triangular in label order


@pytest.mark.parametrize("hubs", ["in", "out"])
def test_random_dag_sf_edge_count_hub_and_direction(hubs):
    d, n_edges = 60, 120
    m = 2
    B = random_dag(d, n_edges, kind="SF", seed=4, hubs=hubs)
    assert is_dag(B) and not np.any(B & B.T)
    assert int(B.sum()) == m * (d - m)
    indeg, outdeg = B.sum(axis=0), B.sum(axis=1)
    degree = indeg + outdeg
    assert degree.max() > 2.5 * degree.mean()  # a hub
    hub = np.argmax(degree)
    # each node gets at most m edges when it arrives; all later ones point into it ("in") or out of it ("out")
    if hubs == "in":
        assert outdeg[hub] <= m and indeg[hub] >= degree[hub] - m
    else:
        assert indeg[hub] <= m and outdeg[hub] >= degree[hub] - m


def test_random_dag_sf_hub_is_heavier_than_er():
    sf = [random_dag(50, 100, kind="SF", seed=s) for s in range(5)]
    er = [random_dag(50, 96, kind="ER", seed=s) for s in range(5)]
    max_deg = [np.mean([(B.sum(0) + B.sum(1)).max() for B in graphs]) for graphs in (sf, er)]
    assert max_deg[0] > 1.5 * max_deg[1]


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((1, 0), {}, "d must be >= 2"),
        ((4, 7), {}, "at most d\\(d-1\\)/2 = 6"),
        ((4, -1), {}, "n_edges must be >= 0"),
        ((4, 2.0), {}, "n_edges must be an int"),
        ((4, 2), {"kind": "BA"}, "kind must be 'ER'"),
        ((4, 2), {"kind": "SF", "hubs": "up"}, "hubs must be"),
    ],
)
def test_random_dag_validation(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        random_dag(*args, **kwargs)


def test_is_dag():
    assert is_dag(np.zeros((3, 3)))
    assert is_dag(np.array([[0, 0.5, 0], [0, 0, -2.0], [0, 0, 0]]))
    assert not is_dag(np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]]))  # 3-cycle
    assert not is_dag(np.diag([0, 1, 0]))  # self-loop
    with pytest.raises(ValueError, match="square"):
        is_dag(np.zeros((2, 3)))


# --------------------------------------------------------------------------- dag_weights


def test_dag_weights_ranges_and_support():
    B = random_dag(15, 40, seed=0)
    W = dag_weights(B, seed=1)
    assert W.shape == B.shape and W.dtype == np.float64
    assert np.all(W[B == 0] == 0)
    w = W[B == 1]
    in_range = ((w >= -2.0) & (w <= -0.5)) | ((w >= 0.5) & (w <= 2.0))
    assert np.all(in_range)
    assert np.any(w < 0) and np.any(w > 0)  # both ranges are used


def test_dag_weights_custom_range_and_validation():
    B = np.triu(np.ones((6, 6), dtype=int), 1)
    W = dag_weights(B, seed=0, w_ranges=((1.0, 1.5),))
    assert np.all((W[B == 1] >= 1.0) & (W[B == 1] <= 1.5))
    with pytest.raises(ValueError, match="binary"):
        dag_weights(0.7 * B)
    with pytest.raises(ValueError, match="low < high"):
        dag_weights(B, w_ranges=((2.0, 1.0),))
    with pytest.raises(ValueError, match="pairs"):
        dag_weights(B, w_ranges=(1.0, 2.0))
    with pytest.raises(ValueError, match="square"):
        dag_weights(np.ones((2, 3)))


# --------------------------------------------------------------------------- linear_sem

NOISE_VARIANCE = {"gauss": 1.0, "exp": 1.0, "gumbel": np.pi**2 / 6, "uniform": 1.0 / 3}
NOISE_MEAN = {"gauss": 0.0, "exp": 1.0, "gumbel": np.euler_gamma, "uniform": 0.0}


def _closed_form_cov(W: np.ndarray, variances: np.ndarray) -> np.ndarray:
    inv = np.linalg.inv(np.eye(W.shape[0]) - W)
    return inv.T @ np.diag(variances) @ inv  # X = E (I - W)^{-1}


@pytest.mark.parametrize("noise", ["gauss", "exp", "gumbel", "uniform"])
def test_linear_sem_covariance_matches_closed_form(noise):
    W = dag_weights(random_dag(5, 6, seed=2), seed=3, w_ranges=((-1.0, -0.5), (0.5, 1.0)))
    scale = np.array([1.0, 0.5, 2.0, 1.0, 1.5])
    X = linear_sem(W, n=100000, noise=noise, seed=4, noise_scale=scale)
    assert X.shape == (100000, 5) and X.dtype == np.float64
    expected = _closed_form_cov(W, NOISE_VARIANCE[noise] * scale**2)
    emp = np.cov(X, rowvar=False)
    assert np.max(np.abs(emp - expected)) < 0.03 * np.max(np.abs(expected))
    # means propagate the same way: E[x] = E[e] (I - W)^{-1}
    mean = NOISE_MEAN[noise] * scale @ np.linalg.inv(np.eye(5) - W)
    np.testing.assert_allclose(X.mean(axis=0), mean, atol=0.05 * np.sqrt(np.max(np.diag(expected))))


def test_linear_sem_respects_topological_order_against_label_order():
    # 2 -> 0 -> 1: the label order is not a topological order
    W = np.zeros((3, 3))
    W[2, 0], W[0, 1] = 1.5, -1.0
    X = linear_sem(W, n=50000, seed=0)
    np.testing.assert_allclose(np.cov(X, rowvar=False), _closed_form_cov(W, np.ones(3)), atol=0.06)
    resid = X - X @ W  # the noise: independent, unit variance
    np.testing.assert_allclose(np.cov(resid, rowvar=False), np.eye(3), atol=0.03)


def test_linear_sem_uniform_noise_is_bounded():
    X = linear_sem(np.zeros((3, 3)), n=1000, noise="uniform", seed=0, noise_scale=0.5)
    assert np.all(np.abs(X) <= 0.5)


@pytest.mark.parametrize(
    "W, kwargs, match",
    [
        (np.array([[0, 1.0], [1.0, 0]]), {}, "not a DAG"),
        (np.array([[0, 1.0, 0], [0, 0, 1.0], [0.5, 0, 0]]), {}, "cycle"),
        (np.diag([0.5, 0.0]), {}, "not a DAG"),
        (np.array([[0, np.nan], [0, 0]]), {}, "NaN"),
        (np.zeros((2, 3)), {}, "square"),
        (np.zeros((2, 2)), {"n": 0}, "n must be >= 1"),
        (np.zeros((2, 2)), {"noise": "laplace"}, "noise must be one of"),
        (np.zeros((2, 2)), {"noise_scale": 0.0}, "noise_scale must be > 0"),
        (np.zeros((2, 2)), {"noise_scale": [1.0, 1.0, 1.0]}, "noise_scale"),
    ],
)
def test_linear_sem_validation(W, kwargs, match):
    kwargs = {"n": 10, **kwargs}
    with pytest.raises(ValueError, match=match):
        linear_sem(W, **kwargs)
