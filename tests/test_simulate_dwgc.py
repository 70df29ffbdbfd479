"""Tests for the DWGC paper's synthetic pairs (gcbook.simulate.dwgc)."""

from __future__ import annotations

import numpy as np
import pytest

from gcbook.simulate import PairSimulation, nonlinear_ar_pair, switching_ar_pair, window_events
from gcbook.simulate.dwgc import _real_sqrt

SIMULATORS = [switching_ar_pair, nonlinear_ar_pair]
TRANSFORM = {"linear": lambda x: x, "nonlinear": _real_sqrt}


# ----------------------------------------------------------------------------- shapes and API
@pytest.mark.parametrize("sim", SIMULATORS)
def test_shapes_dtypes_and_unpacking(sim):
    out = sim(500, seed=0)
    assert isinstance(out, PairSimulation)
    X, event = out
    assert X.shape == (500, 2) and X.dtype == np.float64
    assert event.shape == (500,) and event.dtype == bool
    assert out.lag.shape == (500,) and np.issubdtype(out.lag.dtype, np.integer)
    assert out.coupling.shape == (500,)
    assert np.all(np.isfinite(X))
    # cause is column 1, effect column 0, in the book's orientation A[cause, effect] = 1
    assert out.graph[1, 0] == 1 and out.graph[0, 1] == 0
    assert "effect T1, cause T2" in repr(out)


@pytest.mark.parametrize("sim", SIMULATORS)
def test_events_are_the_strong_couplings(sim):
    out = sim(3000, seed=1)
    assert set(np.unique(out.coupling)) <= {0.9, 10.0}
    np.testing.assert_array_equal(out.event, out.coupling == 10.0)
    out = sim(3000, seed=1, strong=5.0, weak=0.5)
    np.testing.assert_array_equal(out.event, out.coupling == 5.0)


@pytest.mark.parametrize("sim", SIMULATORS)
def test_lag_choices(sim):
    one = sim(1000, seed=2)
    assert np.unique(one.lag).size == 1 and 1 <= one.lag[0] <= 9  # one lag per series (default)
    lags = {int(sim(50, seed=s).lag[0]) for s in range(60)}
    # uniform on 1..9: a given value is missed in 60 draws with probability (8/9)**60 < 1e-3
    assert lags == set(range(1, 10))
    per = sim(2000, seed=3, per_step_lag=True)
    assert set(np.unique(per.lag)) == set(range(1, 10))
    fixed = sim(200, seed=4, lag=4)
    assert np.all(fixed.lag == 4)
    small = sim(200, seed=4, max_lag=2, per_step_lag=True)
    assert set(np.unique(small.lag)) == {1, 2}


# ----------------------------------------------------------------------------- seeding
@pytest.mark.parametrize("sim", SIMULATORS)
def test_same_seed_same_numbers(sim):
    a, b = sim(400, seed=7), sim(400, seed=7)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.event, b.event)
    np.testing.assert_array_equal(a.lag, b.lag)
    c = sim(400, seed=np.random.default_rng(7))
    np.testing.assert_array_equal(a.X, c.X)


@pytest.mark.parametrize("sim", SIMULATORS)
def test_different_seed_different_numbers(sim):
    assert not np.allclose(sim(400, seed=1).X, sim(400, seed=2).X)


@pytest.mark.parametrize("sim", SIMULATORS)
def test_global_random_state_untouched(sim):
    before = np.random.get_state()
    sim(300, seed=0)
    sim(300, seed=None, per_step_lag=True)
    after = np.random.get_state()
    assert before[0] == after[0] and np.array_equal(before[1], after[1]) and before[2:] == after[2:]


# ----------------------------------------------------------------------------- generating mechanism
@pytest.mark.parametrize("sim", SIMULATORS)
@pytest.mark.parametrize("per_step_lag", [False, True])
def test_effect_regenerates_from_cause_lag_and_coupling(sim, per_step_lag):
    out = sim(20_000, seed=5, per_step_lag=per_step_lag)
    X, lag, m, sigma = out.X, out.lag, out.coupling, out.noise
    t = np.arange(20_000)
    t = t[t - lag >= 0]  # earlier causes lie in the discarded burn-in
    resid = X[t, 0] - m[t] * TRANSFORM[out.kind](X[t - lag[t], 1])
    # the residual is sigma * N(0, 1): its sd is within 3 % (about 6 standard errors
    # of a sample sd of 20 000 normals, sigma / sqrt(2n) = 0.5 %) and no value passes 6 sigma
    assert abs(resid.std() / sigma - 1) < 0.03
    assert abs(resid.mean()) < 5 * sigma / np.sqrt(t.size)
    assert np.max(np.abs(resid)) < 6 * sigma


@pytest.mark.parametrize("sim", SIMULATORS)
def test_driver_is_its_own_stable_recursion(sim):
    out = sim(20_000, seed=6, driver_coef=0.5)
    cause = out.X[:, 1]
    resid = cause[1:] - 0.5 * TRANSFORM[out.kind](cause[:-1])
    assert abs(resid.std() / out.noise - 1) < 0.03


def test_switching_strong_coupling_frequency():
    n = 40_000
    out = switching_ar_pair(n, seed=8)
    # binomial(n, 0.05): 5 standard deviations is a false-alarm rate below 1e-6
    assert abs(out.event.mean() - 0.05) < 5 * np.sqrt(0.05 * 0.95 / n)
    out = switching_ar_pair(n, seed=8, p_strong=0.2)
    assert abs(out.event.mean() - 0.2) < 5 * np.sqrt(0.2 * 0.8 / n)


def test_nonlinear_events_follow_the_sine_clock():
    T = 20_000
    t = np.arange(T)
    out = nonlinear_ar_pair(T, seed=9)
    np.testing.assert_array_equal(out.event, np.sin(0.1 * t) > 0.9)
    # share of time with sin > 0.9; a partial cycle (63 steps) moves it by at most 9 / T
    assert abs(out.event.mean() - (np.pi - 2 * np.arcsin(0.9)) / (2 * np.pi)) < 10 / T
    shifted = nonlinear_ar_pair(T, seed=9, phase=1.0, threshold=0.5, frequency=0.2)
    np.testing.assert_array_equal(shifted.event, np.sin(0.2 * t + 1.0) > 0.5)
    a, b = nonlinear_ar_pair(500, seed=1, phase=None), nonlinear_ar_pair(500, seed=2, phase=None)
    assert not np.array_equal(a.event, b.event)  # random phase
    np.testing.assert_array_equal(a.event, nonlinear_ar_pair(500, seed=1, phase=None).event)


# ----------------------------------------------------------------------------- stationarity
def _halves_z(x, n_blocks=50):
    """z-scores of the difference between the two halves' mean and variance.

    Each half is cut into ``n_blocks`` blocks (thousands of steps, far longer than
    the series' memory: for the linear driver 0.9**k falls below 1e-3 after 66 steps; the
    nonlinear driver is geometrically ergodic, and a run of it inside (-1, 1) erases its past;
    the sine clock's period is 63), so block statistics are nearly independent and their spread
    gives an honest standard error (batch means) even for dependent, heavy-tailed data.
    """
    halves = np.array_split(x, 2)
    stats = []
    for h in halves:
        blocks = np.array_split(h, n_blocks)
        means = np.array([b.mean() for b in blocks])
        variances = np.array([b.var() for b in blocks])
        stats.append([(s.mean(), s.std(ddof=1) / np.sqrt(n_blocks)) for s in (means, variances)])
    return [abs(a[0] - b[0]) / np.hypot(a[1], b[1]) for a, b in zip(*stats)]


@pytest.mark.parametrize("sim", SIMULATORS)
def test_halves_agree_in_mean_and_variance(sim):
    X = sim(200_000, seed=10).X
    for col in range(2):
        z_mean, z_var = _halves_z(X[:, col])
        # |z| < 5: a false alarm has probability ~1e-5 (t with 98 degrees of freedom)
        assert z_mean < 5 and z_var < 5, (col, z_mean, z_var)


def test_halves_check_has_power():
    """The check above rejects a drift of half a standard deviation over the series."""
    x = switching_ar_pair(200_000, seed=10).X[:, 0]
    drifting = x + np.linspace(0, 0.5 * x.std(), x.size)
    assert _halves_z(drifting)[0] > 5


def test_switching_pair_matches_its_stationary_moments():
    out = switching_ar_pair(200_000, seed=11)
    sigma2, c = 0.02**2, 0.9
    var_cause = sigma2 / (1 - c**2)
    var_effect = (0.95 * 0.9**2 + 0.05 * 10.0**2) * var_cause + sigma2
    for col, theory in ((1, var_cause), (0, var_effect)):
        x = out.X[:, col]
        # the mean is 0, so block means of x**2 estimate the variance without bias;
        # over 60 seeds |z| stayed below 3.5 (the effect's x**2 is skewed by the rare 10**2)
        blocks = np.array([np.mean(b**2) for b in np.array_split(x, 100)])
        se = blocks.std(ddof=1) / 10
        assert abs(blocks.mean() - theory) < 5 * se, (col, blocks.mean(), theory, se)


# ----------------------------------------------------------------------------- window_events
def _loop_window_events(events, window, step, lag=None):
    T = events.size
    out = []
    for s in range(0, T - window + 1, step):
        ts = [t for t in range(s, s + window) if events[t]]
        if lag is not None:
            ts = [t for t in ts if t - lag[t] >= s]
        out.append(bool(ts))
    return np.array(out, dtype=bool)


@pytest.mark.parametrize("window,step", [(1, 1), (5, 1), (10, 10), (7, 3), (50, 50), (200, 1), (200, 7)])
def test_window_events_matches_a_loop(window, step):
    rng = np.random.default_rng(window * 100 + step)
    events = rng.random(200) < 0.05
    lag = rng.integers(1, 10, size=200)
    got = window_events(events, window, step)
    assert got.shape == ((200 - window) // step + 1,)
    np.testing.assert_array_equal(got, _loop_window_events(events, window, step))
    np.testing.assert_array_equal(
        window_events(events, window, step, lag=lag), _loop_window_events(events, window, step, lag=lag)
    )
    np.testing.assert_array_equal(
        window_events(events, window, step, lag=3), _loop_window_events(events, window, step, lag=np.full(200, 3))
    )


def test_window_events_explicit_starts_and_int_events():
    rng = np.random.default_rng(0)
    events = rng.random(100) < 0.1
    starts = np.array([0, 13, 40, 90])
    full = window_events(events, 10, 1)
    np.testing.assert_array_equal(window_events(events, 10, starts=starts), full[starts])
    np.testing.assert_array_equal(window_events(events.astype(int), 10, 1), full)


def test_window_events_on_a_simulation():
    sim = switching_ar_pair(1000, seed=3)
    truth = window_events(sim.event, 20, step=20, lag=sim.lag)
    assert truth.shape == (50,)
    assert truth.sum() <= window_events(sim.event, 20, step=20).sum()


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("sim", SIMULATORS)
@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(T=5), "T must be >= 10"),
        (dict(T=1.5), "T must be an int"),
        (dict(T=100, noise=-0.1), "noise must be >"),
        (dict(T=100, noise=0.0), "noise must be >"),
        (dict(T=100, driver_coef=1.0), "driver_coef"),
        (dict(T=100, lag=0), "lag must be >= 1"),
        (dict(T=100, lag=12), "lag must be <="),
        (dict(T=100, lag=3, per_step_lag=True), "not both"),
        (dict(T=100, max_lag=11), "max_lag must be <="),
        (dict(T=100, burn_in=-1), "burn_in"),
        (dict(T=100, seed=-1), "seed"),
    ],
)
def test_simulators_reject_bad_input(sim, kwargs, match):
    with pytest.raises(ValueError, match=match):
        sim(**kwargs)


def test_simulator_specific_bad_input():
    with pytest.raises(ValueError, match="p_strong"):
        switching_ar_pair(100, p_strong=1.5)
    with pytest.raises(ValueError, match="frequency"):
        nonlinear_ar_pair(100, frequency=0.0)


@pytest.mark.parametrize(
    "args,kwargs,match",
    [
        ((np.zeros(10, bool), 11), {}, "longer than the series"),
        ((np.zeros(10, bool), 0), {}, "window must be >= 1"),
        ((np.zeros(10, bool), 3, 0), {}, "step must be >= 1"),
        ((np.zeros((10, 2), bool), 3), {}, "1-D"),
        ((np.full(10, 0.5), 3), {}, "boolean"),
        ((np.zeros(10, bool), 3), {"lag": np.ones(9, int)}, "lag must be"),
        ((np.zeros(10, bool), 3), {"starts": np.array([8])}, "starts must lie"),
    ],
)
def test_window_events_rejects_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        window_events(*args, **kwargs)
