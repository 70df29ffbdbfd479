"""gcbook.window against direct per-window computations, statsmodels, closed forms and the DWGC simulators."""

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import statsmodels.api as sm  # noqa: E402
import torch  # noqa: E402
from scipy import stats  # noqa: E402

import gcbook._utils  # noqa: E402
import gcbook.granger  # noqa: E402
from gcbook.simulate import nonlinear_ar_pair, switching_ar_pair, window_events  # noqa: E402
from gcbook.window import (  # noqa: E402
    PairNAR,
    WindowResult,
    _train_nar,
    fit_causality_index,
    localize_events,
    window_granger,
    window_mse,
    window_starts,
)
from gcbook.window_metrics import window_auroc  # noqa: E402

# Small NAR settings shared by the neural tests (fast on 2 CPU cores).
NAR = dict(model="nar", hidden=8, epochs=60, lr=0.03)


pytestmark = pytest.mark.usefixtures("torch_one_thread")  # tests/conftest.py


# ----------------------------------------------------------------------------- helpers
def _coupled(T, seed, p=3, lag=2):
    """Column 2 drives column 0 with ``lag`` delays; unequal scales and offsets on purpose."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((T, p))
    for t in range(lag, T):
        X[t, 0] = 0.3 * X[t - 1, 0] + 0.5 * X[t - lag, 2] + 0.7 * rng.standard_normal()
    return X * np.array([40.0, 0.02, 3.0])[:p] + np.array([-7.0, 100.0, 2.5])[:p]


def _design(X, cause, effect, lag, targets):
    """Rows ``[1, effect(t-1..t-lag)]`` and ``[1, effect lags, cause(t-1..t-lag)]`` for the given targets."""
    e, c = X[:, effect], X[:, cause]
    own = np.column_stack([e[targets - k] for k in range(1, lag + 1)])
    other = np.column_stack([c[targets - k] for k in range(1, lag + 1)])
    ones = np.ones((targets.size, 1))
    return np.hstack([ones, own]), np.hstack([ones, own, other])


def _direct_windows(X, cause, effect, lag, window, step):
    """Plain loop over windows with np.linalg.lstsq on the raw data: starts, RSS_r, RSS_u, F, p, ratio."""
    T = X.shape[0]
    starts = []
    s = lag
    while s + window <= T:
        starts.append(s)
        s += step
    rss_r, rss_u = [], []
    for s in starts:
        t = np.arange(s, s + window)
        y = X[t, effect]
        Zr, Zu = _design(X, cause, effect, lag, t)
        rss_r.append(np.sum((y - Zr @ np.linalg.lstsq(Zr, y, rcond=None)[0]) ** 2))
        rss_u.append(np.sum((y - Zu @ np.linalg.lstsq(Zu, y, rcond=None)[0]) ** 2))
    rss_r, rss_u = np.array(rss_r), np.array(rss_u)
    df_den = window - 2 * lag - 1
    with np.errstate(invalid="ignore", divide="ignore"):  # windows with an exact fit: 0 / 0
        F = ((rss_r - rss_u) / lag) / (rss_u / df_den)
        return np.array(starts), F, stats.f.sf(F, lag, df_den), rss_r / rss_u


# ----------------------------------------------------------------------------- 1. linear statistics
@pytest.mark.parametrize(
    "lag, window, step, seed",
    [
        (1, 10, None, 0),  # the paper's non-overlapping windows
        (2, 12, 1, 1),  # every start
        (3, 25, 7, 2),  # overlapping windows, step not dividing the window
        (1, 4, 2, 3),  # the shortest window with an F test: df_den = 1
        (2, 40, 13, 4),
        (4, 30, 30, 5),
    ],
)
def test_linear_equals_direct_loop(lag, window, step, seed):
    X = _coupled(300, seed, lag=min(lag, 2))
    res = window_granger(X, cause=2, effect=0, window=window, step=step, lag=lag)
    starts, F, P, ratio = _direct_windows(X, 2, 0, lag, window, window if step is None else step)
    np.testing.assert_array_equal(res.starts, starts)
    assert res.starts[0] == lag and res.starts[-1] + window <= 300 < res.starts[-1] + res.step + window
    np.testing.assert_allclose(res.f_stat, F, rtol=1e-8, atol=0)
    np.testing.assert_allclose(res.p_value, P, rtol=1e-8, atol=1e-300)
    np.testing.assert_allclose(res.mse_ratio, ratio, rtol=1e-8, atol=0)
    assert (res.df_num, res.df_den) == (lag, window - 2 * lag - 1)
    assert res.step == (window if step is None else step) and res.window == window and res.lag == lag
    np.testing.assert_array_equal(res.centers, starts + (window - 1) / 2)
    assert (res.cause, res.effect, res.model, res.indexing) == (2, 0, "linear", False)
    assert res.phi is None and res.cause_time is None and res.effect_time is None
    assert np.all(res.mse_ratio >= 1.0)  # nested models fitted on the same points


def test_linear_dataframe_with_names():
    X = _coupled(200, 6, lag=1)
    df = pd.DataFrame(X, columns=["temp", "rain", "wind"])
    res = window_granger(df, cause="wind", effect="temp", window=15, step=5)
    starts, F, P, ratio = _direct_windows(X, 2, 0, 1, 15, 5)
    np.testing.assert_array_equal(res.starts, starts)
    np.testing.assert_allclose(res.f_stat, F, rtol=1e-8)
    np.testing.assert_allclose(res.p_value, P, rtol=1e-8, atol=1e-300)
    np.testing.assert_allclose(res.mse_ratio, ratio, rtol=1e-8)
    assert res.labels == ("wind", "temp") and (res.cause, res.effect) == (2, 0)
    # names and integer indices are the same test; the reverse direction is a different one
    same = window_granger(df, cause=2, effect=np.int64(0), window=15, step=5)
    np.testing.assert_array_equal(same.f_stat, res.f_stat)
    reverse = window_granger(df, cause="temp", effect="wind", window=15, step=5)
    assert not np.allclose(reverse.f_stat, res.f_stat)


def test_linear_one_window_equals_statsmodels():
    X = _coupled(400, 7, lag=2)
    lag, window, step = 2, 35, 20
    res = window_granger(X, cause=2, effect=0, window=window, step=step, lag=lag)
    for w in (0, 5, res.starts.size - 1):
        t = np.arange(res.starts[w], res.starts[w] + window)
        Zr, Zu = _design(X, 2, 0, lag, t)
        restricted = sm.OLS(X[t, 0], Zr).fit()
        full = sm.OLS(X[t, 0], Zu).fit()
        F, pval, df_diff = full.compare_f_test(restricted)
        assert res.f_stat[w] == pytest.approx(F, rel=1e-8)
        assert res.p_value[w] == pytest.approx(pval, rel=1e-8)
        assert res.mse_ratio[w] == pytest.approx(restricted.ssr / full.ssr, rel=1e-8)
        assert df_diff == res.df_num and full.df_resid == res.df_den


def test_linear_batches_agree(monkeypatch):
    """Many tiny batches give the same numbers as one batch."""
    X = _coupled(500, 8, lag=2)
    one = window_granger(X, cause=2, effect=0, window=20, step=3, lag=2)
    monkeypatch.setattr(gcbook._utils, "BATCH_BYTES", 2000)  # a handful of windows per batch
    many = window_granger(X, cause=2, effect=0, window=20, step=3, lag=2)
    np.testing.assert_allclose(many.f_stat, one.f_stat, rtol=1e-12)
    np.testing.assert_allclose(many.p_value, one.p_value, rtol=1e-10)


def test_window_starts_boundary():
    np.testing.assert_array_equal(window_starts(T=12, window=4, lag=2, step=3), [2, 5, 8])
    # window = T - lag is the longest allowed: exactly one window, ending at the last time point
    X = _coupled(60, 9, lag=1)
    res = window_granger(X, cause=2, effect=0, window=59, lag=1)
    np.testing.assert_array_equal(res.starts, [1])
    # ... which is the whole-series pairwise Granger test (gcbook.granger, checked against statsmodels)
    whole = gcbook.granger.granger_test(X, lag=1)
    assert res.f_stat[0] == pytest.approx(whole.f_stat[2, 0], rel=1e-8)
    assert res.p_value[0] == pytest.approx(whole.p_value[2, 0], rel=1e-8)
    assert res.df_den == whole.df_den
    with pytest.raises(ValueError, match="too long for the series"):
        window_granger(X, cause=2, effect=0, window=60, lag=1)


# ----------------------------------------------------------------------------- 2. null calibration and power
def test_null_p_values_uniform():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20000, 2))
    res = window_granger(X, cause=1, effect=0, window=20, lag=1)
    assert res.starts.size == 999 and np.all(np.isfinite(res.p_value))
    assert stats.kstest(res.p_value, "uniform").pvalue > 0.001
    # binomial sd of the rejection rate over 999 windows is 0.007
    assert abs(np.mean(res.significant(0.05)) - 0.05) < 0.02
    assert abs(np.mean(res.significant(0.2)) - 0.2) < 0.04
    # the mean of F(1, 17) is 17 / 15
    assert np.mean(res.f_stat) == pytest.approx(17 / 15, rel=0.15)


def test_strong_link_significant_everywhere():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(4000)
    y = np.r_[0.0, 0.9 * x[:-1]] + 0.3 * rng.standard_normal(4000)
    res = window_granger(np.column_stack([y, x]), cause=1, effect=0, window=20, lag=1)
    assert np.mean(res.significant(0.05)) > 0.99
    assert np.all(res.causal(1.0))
    # the reverse direction is a null
    reverse = window_granger(np.column_stack([y, x]), cause=0, effect=1, window=20, lag=1)
    assert np.mean(reverse.significant(0.05)) < 0.12


# ----------------------------------------------------------------------------- 3. invariances
def test_scale_shift_invariance_and_extra_columns():
    X = _coupled(300, 10, lag=2)
    res = window_granger(X, cause=2, effect=0, window=25, step=4, lag=2)
    Y = X * np.array([1e3, -4.0, 1e-2]) + np.array([50.0, -3.0, 1e3])
    moved = window_granger(Y, cause=2, effect=0, window=25, step=4, lag=2)
    np.testing.assert_allclose(moved.f_stat, res.f_stat, rtol=1e-10)
    np.testing.assert_allclose(moved.p_value, res.p_value, rtol=1e-10)
    np.testing.assert_allclose(moved.mse_ratio, res.mse_ratio, rtol=1e-10)
    # the test is pairwise: other columns are ignored (here a strongly related one)
    pair = window_granger(X[:, [0, 2]], cause=1, effect=0, window=25, step=4, lag=2)
    np.testing.assert_array_equal(pair.f_stat, res.f_stat)
    extra = np.column_stack([X, np.roll(X[:, 0], -1) + 0.01 * X[:, 1], X[:, 2] ** 2])
    more = window_granger(extra, cause=2, effect=0, window=25, step=4, lag=2)
    np.testing.assert_array_equal(more.f_stat, res.f_stat)


# ----------------------------------------------------------------------------- 4. rank-deficient windows
@pytest.mark.parametrize("flat_column", [0, 1])
def test_flat_stretch_gives_nan_without_warnings(flat_column):
    rng = np.random.default_rng(11)
    X = rng.standard_normal((300, 2))  # column 0 effect, column 1 cause
    X[150:180, flat_column] = 0.37
    window = 10
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        res = window_granger(X, cause=1, effect=0, window=window, step=1, lag=1)
        text = repr(res)
    # targets all flat (exact fit) or lag-1 values all flat (a constant regressor): F undefined
    flat = np.zeros(300, dtype=bool)
    flat[150:180] = True
    targets_flat = np.array([flat[s : s + window].all() for s in res.starts])
    lags_flat = np.array([flat[s - 1 : s - 1 + window].all() for s in res.starts])
    expected_nan = lags_flat if flat_column == 1 else (targets_flat | lags_flat)
    assert expected_nan.sum() >= 20
    np.testing.assert_array_equal(np.isnan(res.f_stat), expected_nan)
    np.testing.assert_array_equal(np.isnan(res.p_value), expected_nan)
    np.testing.assert_array_equal(np.isnan(res.mse_ratio), expected_nan)
    # the defined windows still match the direct computation
    _, F, P, _ = _direct_windows(X, 1, 0, 1, window, 1)
    ok = ~expected_nan
    np.testing.assert_allclose(res.f_stat[ok], F[ok], rtol=1e-7)
    # NaN is never causal nor significant, even at permissive thresholds
    assert not res.causal(0.0)[expected_nan].any() and not res.significant(0.999)[expected_nan].any()
    assert res.causal(0.0)[ok].all()
    assert f"undefined in {expected_nan.sum()}" in text


# ----------------------------------------------------------------------------- 5. simulators' ground truth
def test_switching_pair_direction():
    """The weak coupling 0.9 is itself a strong link (noise 0.02): 1 -> 0 is detected, 0 -> 1 is a null."""
    sim = switching_ar_pair(6000, seed=0, lag=2)
    forward = window_granger(sim.X, cause=1, effect=0, window=30, lag=2)
    reverse = window_granger(sim.X, cause=0, effect=1, window=30, lag=2)
    assert np.mean(forward.significant(0.05)) > 0.6
    assert abs(np.mean(reverse.significant(0.05)) - 0.05) < 0.04
    assert stats.kstest(reverse.p_value, "uniform").pvalue > 0.001


def test_switching_pair_events_lower_linear_F():
    """Characterisation: a strong-coupling event is one outlier that a window's single linear
    coefficient cannot fit, so it inflates RSS_u and lowers F; event windows rank *below* the others.

    (Read with test_switching_pair_direction: the linear window F does not localise these
    i.i.d. single-point events; the reverse direction carries no information about them.)
    """
    sim = switching_ar_pair(9000, seed=0, lag=2)
    forward = window_granger(sim.X, cause=1, effect=0, window=30, lag=2)
    reverse = window_granger(sim.X, cause=0, effect=1, window=30, lag=2)
    truth = window_events(sim.event, 30, starts=forward.starts)
    assert 0.2 < truth.mean() < 0.95
    assert window_auroc(forward.f_stat, truth) < 0.3
    assert abs(window_auroc(reverse.f_stat, truth) - 0.5) < 0.15


def test_linear_localises_block_coupling():
    """Coupling switched on in blocks: windows overlapping a block have larger F."""
    rng = np.random.default_rng(12)
    T, lag = 8000, 2
    x = rng.standard_normal(T)
    on = (np.arange(T) % 160) < 40
    y = 0.5 * rng.standard_normal(T)
    y[lag:] += np.where(on[lag:], 0.8, 0.0) * x[:-lag]
    X = np.column_stack([y, x])
    forward = window_granger(X, cause=1, effect=0, window=20, lag=lag)
    reverse = window_granger(X, cause=0, effect=1, window=20, lag=lag)
    truth = window_events(on, 20, starts=forward.starts)
    assert window_auroc(forward.f_stat, truth) > 0.75
    assert abs(window_auroc(reverse.f_stat, truth) - 0.5) < 0.15
    # windows entirely inside a block are (nearly) all significant, windows outside rarely
    inside = np.array([on[s : s + 20].all() for s in forward.starts])
    outside = ~truth
    assert forward.significant(0.01)[inside].mean() > 0.95
    assert forward.significant(0.01)[outside].mean() < 0.05


def test_nar_localises_nonlinear_pair_events():
    sim = nonlinear_ar_pair(1500, seed=0, lag=2)
    kw = dict(window=20, model="nar", lag=2, hidden=8, epochs=150, lr=0.03, seed=0)
    forward = window_granger(sim.X, cause=1, effect=0, **kw)
    reverse = window_granger(sim.X, cause=0, effect=1, **kw)
    truth = window_events(sim.event, 20, starts=forward.starts)
    assert 0.3 < truth.mean() < 0.7
    auc = window_auroc(forward.f_stat, truth)
    assert auc > 0.65  # 0.83 here; 0.70-0.86 over seeds 0-5 (reverse 0.50-0.63)
    assert auc > window_auroc(reverse.f_stat, truth) + 0.1


# ----------------------------------------------------------------------------- 6. NAR model
def test_nar_seeding_and_rng_state():
    sim = nonlinear_ar_pair(300, seed=1, lag=1)
    state = torch.random.get_rng_state().clone()
    a = window_granger(sim.X, cause=1, effect=0, window=20, seed=3, **NAR)
    assert torch.equal(torch.random.get_rng_state(), state)
    torch.manual_seed(12345)  # the global state must not matter
    b = window_granger(sim.X, cause=1, effect=0, window=20, seed=3, **NAR)
    c = window_granger(sim.X, cause=1, effect=0, window=20, seed=4, **NAR)
    np.testing.assert_array_equal(a.f_stat, b.f_stat)
    assert not np.allclose(a.f_stat, c.f_stat)
    g = window_granger(sim.X, cause=1, effect=0, window=20, seed=np.random.default_rng(5), **NAR)
    assert g.f_stat.shape == a.f_stat.shape
    # the NAR result: ratio only, no p-values
    assert a.model == "nar" and a.df_num is None and a.df_den is None
    np.testing.assert_array_equal(a.f_stat, a.mse_ratio)
    assert np.all(np.isnan(a.p_value)) and np.all(np.isfinite(a.f_stat)) and np.all(a.f_stat > 0)
    np.testing.assert_array_equal(a.causal(1.0), a.f_stat > 1.0)
    with pytest.raises(ValueError, match="p-values exist only"):
        a.significant()
    assert a.phi is None and a.cause_time is None and a.effect_time is None
    # pairwise for NAR too: an extra column changes nothing
    extra = np.column_stack([sim.X, np.random.default_rng(0).standard_normal(300)])
    d = window_granger(extra, cause=1, effect=0, window=20, seed=3, **NAR)
    np.testing.assert_array_equal(d.f_stat, a.f_stat)


def test_nar_scale_shift_invariance():
    """The networks see the standardized pair: units and offsets of the columns do not matter."""
    sim = nonlinear_ar_pair(300, seed=5, lag=1)
    a = window_granger(sim.X, cause=1, effect=0, window=20, seed=0, **NAR)
    b = window_granger(
        sim.X * np.array([1e3, 0.01]) + np.array([-50.0, 7.0]), cause=1, effect=0, window=20, seed=0, **NAR
    )
    np.testing.assert_allclose(b.f_stat, a.f_stat, rtol=1e-6)


def test_window_mse_equals_loop():
    rng = np.random.default_rng(13)
    errors = rng.standard_normal((3, 50))
    starts = np.array([0, 3, 7, 20, 38])
    got = window_mse(errors, window=12, starts=starts)
    expected = np.array([[np.mean(e[s : s + 12] ** 2) for s in starts] for e in errors])
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    np.testing.assert_allclose(window_mse(errors[1], 12, starts), expected[1], rtol=1e-12)


def test_pair_nar_masks_hold_after_training():
    lag, n = 3, 200
    torch.manual_seed(0)
    net = PairNAR(lag, hidden=6).double()
    inputs = torch.randn(n, 2 * lag, dtype=torch.float64)
    targets = torch.stack([inputs[:, 0] * inputs[:, lag], inputs[:, lag] + inputs[:, 1], inputs[:, lag + 1] ** 2])
    _train_nar(net, inputs, targets, epochs=30, lr=0.05)
    with torch.no_grad():
        net.w1.add_(torch.randn_like(net.w1))  # masked entries too: the mask must act in forward
        base = net(inputs)
        new_cause = inputs.clone()
        new_cause[:, lag:] = torch.randn(n, lag, dtype=torch.float64)
        new_effect = inputs.clone()
        new_effect[:, :lag] = torch.randn(n, lag, dtype=torch.float64)
        out_c, out_e = net(new_cause), net(new_effect)
    assert base.shape == (3, n)
    torch.testing.assert_close(out_c[0], base[0], rtol=0, atol=0)  # restricted: effect's past only
    torch.testing.assert_close(out_e[2], base[2], rtol=0, atol=0)  # cause AR: cause's past only
    # ... while the networks that do see those inputs react to them
    assert not torch.allclose(out_c[1], base[1]) and not torch.allclose(out_c[2], base[2])
    assert not torch.allclose(out_e[0], base[0]) and not torch.allclose(out_e[1], base[1])


# ----------------------------------------------------------------------------- 7. causality indexing
def _loss9_optimum(sq, window_index, alpha):
    """The minimiser of loss (9) on one window and channel, with the window's mean of log Phi at 0.

    KL(P || Q) >= 0 with equality iff P = Q, so Phi is proportional to h = alpha - tanh(e**2).
    """
    log_h = np.log(alpha - np.tanh(sq[window_index]))
    return log_h - log_h.mean()


def _spike_case(T=60, spike=15, big=50.0, small=0.01):
    sq = np.full((T, 2), small)
    sq[spike, :] = big
    sq[45, 1] = big  # a second spike, cause channel only, in another window
    return sq


def test_fit_phi_one_window():
    alpha, spike = 1.2, 15
    sq = _spike_case(spike=spike)
    idx = np.arange(10, 30)
    log_phi = fit_causality_index(
        torch.zeros(60, 2, dtype=torch.float64), torch.as_tensor(sq), torch.as_tensor(idx[None]), alpha, 300
    ).numpy()
    phi = np.exp(log_phi)
    for ch in (0, 1):
        assert idx[np.argmin(phi[idx, ch])] == spike  # the badly forecast point is scaled down most
        assert np.all(phi[idx, ch][idx != spike] > 1.0)
        # the fit is the minimiser of loss (9)
        np.testing.assert_allclose(log_phi[idx, ch], _loss9_optimum(sq[:, ch], idx, alpha), atol=2e-3)
        assert np.mean(log_phi[idx, ch]) == pytest.approx(0.0, abs=1e-3)  # geometric mean 1
    # points outside every detected window keep Phi = 1
    outside = np.setdiff1d(np.arange(60), idx)
    np.testing.assert_allclose(phi[outside], 1.0, atol=1e-6)


def test_fit_phi_non_overlapping_windows_geometric_mean_one():
    sq = _spike_case()
    rng = np.random.default_rng(14)
    sq[:40] += rng.uniform(0, 0.5, (40, 2))
    index = np.arange(60).reshape(3, 20)
    start = torch.as_tensor(rng.normal(0, 0.3, (60, 2)))  # from a non-trivial starting point
    log_phi = fit_causality_index(start, torch.as_tensor(sq), torch.as_tensor(index[[0, 2]]), 1.2, 400).numpy()
    for w in (0, 2):
        np.testing.assert_allclose(log_phi[index[w]].mean(axis=0), 0.0, atol=1e-3)
        for ch in (0, 1):
            np.testing.assert_allclose(log_phi[index[w], ch], _loss9_optimum(sq[:, ch], index[w], 1.2), atol=2e-3)
    assert np.argmin(log_phi[index[2], 1]) == 5 and np.argmin(log_phi[index[0], 0]) == 15


def test_fit_phi_matches_loss_9_optimum():
    alpha, big, small = 1.2, 50.0, 0.01
    sq = _spike_case(big=big, small=small)
    idx = np.arange(10, 30)
    phi = np.exp(
        fit_causality_index(
            torch.zeros(60, 2, dtype=torch.float64), torch.as_tensor(sq), torch.as_tensor(idx[None]), alpha, 1000
        ).numpy()
    )
    expected = (alpha - np.tanh(big)) / (alpha - np.tanh(small))
    assert phi[15, 0] / phi[16, 0] == pytest.approx(expected, rel=0.03)


def test_indexing_end_to_end():
    T, window, lag = 400, 20, 1
    sim = nonlinear_ar_pair(T, seed=2, lag=lag)
    res = window_granger(
        sim.X,
        cause=1,
        effect=0,
        window=window,
        indexing=True,
        seed=0,
        lag=lag,
        n_rounds=2,
        phi_steps=400,
        epsilon=1.0,
        alpha=1.2,
        **NAR,
    )
    assert res.indexing and res.phi.shape == (T, 2)
    assert np.all(np.isfinite(res.phi)) and np.all(res.phi > 0)
    assert not np.allclose(res.phi, 1.0)  # some window was detected and reweighted
    # time points outside every window are never reweighted; with the Phi fit run to convergence
    # (phi_steps=400) each window keeps geometric mean 1
    np.testing.assert_array_equal(res.phi[:lag], 1.0)
    np.testing.assert_array_equal(res.phi[res.starts[-1] + window :], 1.0)
    log_means = np.array([np.log(res.phi[s : s + window]).mean(axis=0) for s in res.starts])
    assert np.max(np.abs(log_means)) < 0.01
    # eq. 14 localisation: inside the window, cause strictly before effect
    assert res.cause_time.shape == res.effect_time.shape == res.starts.shape
    assert np.all(res.cause_time < res.effect_time)
    assert np.all(res.starts <= res.cause_time) and np.all(res.effect_time < res.starts + window)
    ct, et = localize_events(res.phi[:, 1], res.phi[:, 0], window, res.starts)  # phi columns: effect, cause
    np.testing.assert_array_equal(ct, res.cause_time)
    np.testing.assert_array_equal(et, res.effect_time)
    frame = res.to_frame()
    assert list(frame.columns) == ["f_stat", "p_value", "mse_ratio", "cause_time", "effect_time"]
    assert "indexing=True" in repr(res)


def test_indexing_epsilon_selects_windows():
    """One Phi update: exactly the windows whose naive ratio exceeds epsilon are reweighted."""
    sim = nonlinear_ar_pair(300, seed=3, lag=1)
    kw = dict(cause=1, effect=0, window=15, seed=1, **NAR)
    naive = window_granger(sim.X, **kw)
    epsilon = float(np.median(naive.f_stat))
    res = window_granger(sim.X, indexing=True, n_rounds=1, epsilon=epsilon, phi_steps=50, **kw)
    detected = naive.f_stat > epsilon
    assert 0 < detected.sum() < detected.size
    changed = np.array([np.any(res.phi[s : s + 15] != 1.0) for s in res.starts])
    np.testing.assert_array_equal(changed, detected)
    assert not np.allclose(res.f_stat, naive.f_stat)  # the refit on A = Phi * Y changes the ratios
    # no window above epsilon: no update, Phi = 1, the naive ratios, and eq. 14 on a flat Phi
    none = window_granger(sim.X, indexing=True, epsilon=1e6, **kw)
    np.testing.assert_array_equal(none.phi, 1.0)
    np.testing.assert_array_equal(none.f_stat, naive.f_stat)
    np.testing.assert_array_equal(none.cause_time, none.starts)
    np.testing.assert_array_equal(none.effect_time, none.starts + 1)


def test_indexing_refits_on_reweighted_series():
    """Algorithm 1 with one round, rebuilt from its parts: the final ratios are those of the networks
    refitted on A = Phi * Y (eq. 10), with the returned Phi."""
    from gcbook.window import _nar_inputs

    sim = nonlinear_ar_pair(250, seed=6, lag=2)
    lag, window, seed = 2, 12, 7
    res = window_granger(
        sim.X,
        cause=1,
        effect=0,
        window=window,
        lag=lag,
        indexing=True,
        n_rounds=1,
        epsilon=1e-12,
        phi_steps=50,
        seed=seed,
        **NAR,
    )
    assert not np.allclose(res.phi, 1.0)
    pair = sim.X[:, [0, 1]]
    pair = (pair - pair.mean(axis=0)) / pair.std(axis=0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = PairNAR(lag, NAR["hidden"]).double()
    for A in (pair, res.phi * pair):
        inputs, targets = _nar_inputs(A[:, 0], A[:, 1], lag)
        errors = _train_nar(net, torch.as_tensor(inputs), torch.as_tensor(targets), NAR["epochs"], NAR["lr"])
    L1, L2 = window_mse(errors[:2], window, res.starts - lag)
    np.testing.assert_allclose(res.f_stat, L1 / L2, rtol=1e-9)


def test_phi_of_each_channel_comes_from_its_own_past():
    """Phi_effect is built from the effect's own-past errors, Phi_cause from the cause's: with every
    window detected (tiny epsilon), changing one series leaves the other channel's Phi unchanged."""
    sim = nonlinear_ar_pair(300, seed=4, lag=2)
    X = sim.X
    rng = np.random.default_rng(0)
    new_effect = X.copy()
    new_effect[:, 0] = X[:, 0] + rng.standard_normal(300)
    new_cause = X.copy()
    new_cause[:, 1] = rng.permutation(X[:, 1])
    kw = dict(
        cause=1, effect=0, window=15, lag=2, indexing=True, epsilon=1e-12, n_rounds=2, phi_steps=50, seed=2, **NAR
    )
    base, other_effect, other_cause = (window_granger(Z, **kw) for Z in (X, new_effect, new_cause))
    np.testing.assert_allclose(other_effect.phi[:, 1], base.phi[:, 1], rtol=1e-12)
    np.testing.assert_allclose(other_cause.phi[:, 0], base.phi[:, 0], rtol=1e-12)
    assert not np.allclose(other_effect.phi[:, 0], base.phi[:, 0], rtol=1e-3)
    assert not np.allclose(other_cause.phi[:, 1], base.phi[:, 1], rtol=1e-3)
    assert not np.allclose(base.phi[:, 0], base.phi[:, 1], rtol=1e-3)


# ----------------------------------------------------------------------------- 8. localisation (eq. 14)
def _brute_localize(a, b, window, starts):
    out = []
    for s in starts:
        best, arg = -np.inf, None
        for t1 in range(s, s + window):
            for t2 in range(t1 + 1, s + window):
                if a[t1] + b[t2] > best:
                    best, arg = a[t1] + b[t2], (t1, t2)
        out.append(arg)
    return np.array(out).T


@pytest.mark.parametrize("window, seed", [(2, 0), (3, 1), (7, 2), (25, 3)])
def test_localize_events_brute_force(window, seed):
    rng = np.random.default_rng(seed)
    T = 120
    a, b = rng.standard_normal(T), rng.standard_normal(T)
    starts = np.sort(rng.choice(T - window + 1, size=15, replace=False))  # overlapping too
    ct, et = localize_events(a, b, window, starts)
    bt1, bt2 = _brute_localize(a, b, window, starts)
    np.testing.assert_array_equal(ct, bt1)
    np.testing.assert_array_equal(et, bt2)


def test_localize_events_doctest_case():
    a = np.array([0.0, 5.0, 0.0, 0.0, 9.0, 0.0])
    b = np.array([0.0, 0.0, 0.0, 4.0, 0.0, 0.0])
    ct, et = localize_events(a, b, window=6, starts=[0])
    assert (ct.tolist(), et.tolist()) == ([1], [3])
    assert [x.tolist() for x in _brute_localize(a, b, 6, [0])] == [[1], [3]]
    # the largest cause value is at the last slot: it cannot be a cause
    ct, et = localize_events([0.0, 1.0, 9.0], [0.0, 0.5, 0.2], window=3, starts=[0])
    assert (ct.tolist(), et.tolist()) == ([1], [2])


# ----------------------------------------------------------------------------- 9. bad input
def _X(T=80, seed=0):
    return np.random.default_rng(seed).standard_normal((T, 3))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(window=80), "too long for the series"),
        (dict(window=2, lag=2, model="nar"), "must be longer than lag"),
        (dict(window=5, lag=2), "too short for the linear F test"),
        (dict(cause=0, effect=0), "must be different columns"),
        (dict(cause=3), "is not a column index of X"),
        (dict(effect=-1), "is not a column index of X"),
        (dict(cause="nope"), "is not a column of X"),
        (dict(cause=1.0), "must be a column index"),
        (dict(cause=True), "must be a column index"),
        (dict(model="lstm"), "model must be one of"),
        (dict(indexing=True), "model='nar' with indexing=True"),
        (dict(indexing=1, model="nar"), "indexing must be True or False"),
        (dict(step=0), "step must be >= 1"),
        (dict(lag=0), "lag must be >= 1"),
        (dict(window=10.0), "window must be an int"),
        (dict(model="nar", alpha=1.0), "alpha must be > 1"),
        (dict(model="nar", epsilon=0.0), "epsilon must be > 0"),
        (dict(model="nar", epsilon=-1.0), "epsilon must be > 0"),
        (dict(model="nar", epochs=0), "epochs must be >= 1"),
        (dict(model="nar", device="tpu"), "device must be"),
    ],
)
def test_bad_arguments(kwargs, match):
    args = dict(X=_X(), cause=1, effect=0, window=10)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        window_granger(**args)


def test_bad_data():
    X = _X()
    X[5, 2] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        window_granger(X, cause=1, effect=0, window=10)
    X = _X()
    X[:, 1] = 2.0
    with pytest.raises(ValueError, match="constant column"):
        window_granger(X, cause=1, effect=0, window=10)
    with pytest.raises(ValueError, match="must be 2-D"):
        window_granger(_X()[:, 0], cause=1, effect=0, window=10)


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is present")
def test_cuda_without_gpu():
    with pytest.raises(ValueError, match="no CUDA GPU"):
        window_granger(_X(), cause=1, effect=0, window=10, model="nar", device="cuda")


# ----------------------------------------------------------------------------- 10. result object
def test_result_repr_frame_and_plot():
    X = _coupled(200, 15, lag=1)
    res = window_granger(X, cause=2, effect=0, window=20, lag=1)
    assert isinstance(res, WindowResult)
    text = repr(res)
    for part in (
        "x2 -> x0",
        "model='linear'",
        "window=20",
        "step=20",
        "lag=1",
        f"n_windows={res.starts.size}",
        f"F > 1 in {int(np.sum(res.f_stat > 1))}",
        f"p < 0.05 in {int(np.sum(res.p_value < 0.05))}",
        "df=(1, 17)",
    ):
        assert part in text, (part, text)
    assert "undefined" not in text
    frame = res.to_frame()
    assert list(frame.columns) == ["f_stat", "p_value", "mse_ratio"]
    assert frame.index.name == "start"
    np.testing.assert_array_equal(frame.index.to_numpy(), res.starts)
    np.testing.assert_array_equal(frame["f_stat"].to_numpy(), res.f_stat)
    try:
        ax = res.plot(threshold=3.0)
        assert isinstance(ax, matplotlib.axes.Axes)
        np.testing.assert_allclose(ax.lines[0].get_xdata(), res.centers)
        truth = res.f_stat > 3.0
        fig, ax2 = plt.subplots()
        assert res.plot(ax=ax2, truth=truth) is ax2
        assert res.plot(time=pd.date_range("2020-01-01", periods=200)) is not None
        with pytest.raises(ValueError, match="one entry per window"):
            res.plot(truth=truth[:-1])
    finally:
        plt.close("all")
    nar = window_granger(X, cause=2, effect=0, window=20, seed=0, **NAR)
    assert "model='nar'" in repr(nar) and "p < 0.05" not in repr(nar) and "df=" not in repr(nar)
    assert list(nar.to_frame().columns) == ["f_stat", "p_value", "mse_ratio"]


def test_nar_in_sample_ratio_biased_up_without_link():
    """The NAR errors are in-sample (documented): without any link the full network, which has the
    cause's lags as extra inputs, fits the training noise better, so most windows have L1/L2 > 1
    (held-out forecasters would give about one half or less)."""
    fractions = []
    for seed in (0, 1):
        sim = nonlinear_ar_pair(1500, seed=seed, lag=3, strong=0.0, weak=0.0)  # the effect ignores the cause
        res = window_granger(sim.X, cause=1, effect=0, window=20, model="nar", lag=3, seed=0)
        fractions.append(np.mean(res.f_stat > 1.0))
    assert np.mean(fractions) > 0.55
