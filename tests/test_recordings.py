"""Several recordings: every estimator pools the windows of each recording, never across two."""

import numpy as np
import pytest
import torch
from scipy import stats

from gcbook.granger import fit_var, granger_test, information_criteria, select_lag
from gcbook.simulate import var

LAG = 2


@pytest.fixture(scope="module")
def recordings():
    """Three recordings of one VAR(2) of 4 series, of different lengths and shifted means (subjects)."""
    lengths, offsets = (60, 45, 80), (0.0, 3.0, -2.0)
    return [var(p=4, T=T, lag=LAG, seed=seed)[0] + offset for seed, (T, offset) in enumerate(zip(lengths, offsets))]


def hand_windows(recs, lag):
    """Targets and the flattened lagged regressors of every recording, written out and stacked."""
    Y, Z = [], []
    for X in recs:
        for t in range(lag, len(X)):
            Y.append(X[t])
            Z.append(np.concatenate([X[t - k] for k in range(1, lag + 1)]))  # [x(t-1), ..., x(t-lag)]
    return np.array(Y), np.array(Z)


def rss(design, y):
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(np.sum((y - design @ beta) ** 2))


def hand_f(recs, lag, conditional):
    """F statistic and denominator df of every ordered pair from the stacked windows, by lstsq."""
    Y, Z = hand_windows(recs, lag)
    n, p = Y.shape
    ones = np.ones((n, 1))

    def cols(i):  # columns of x_i's lags in Z
        return [k * p + i for k in range(lag)]

    k_u = (p if conditional else 2) * lag + 1
    F = np.full((p, p), np.nan)
    for i in range(p):
        for j in range(p):
            if i == j:
                continue
            keep = [c for c in range(Z.shape[1]) if c not in cols(i)] if conditional else cols(j)
            restricted = np.hstack([ones, Z[:, keep]])
            unrestricted = np.hstack([ones, Z[:, keep + cols(i)]])
            r_r, r_u = rss(restricted, Y[:, j]), rss(unrestricted, Y[:, j])
            F[i, j] = ((r_r - r_u) / lag) / (r_u / (n - k_u))
    return F, n - k_u


@pytest.mark.parametrize("conditional", [False, True])
def test_granger_test_on_recordings_is_the_hand_pooled_test(recordings, conditional):
    F, df_den = hand_f(recordings, LAG, conditional)
    res = granger_test(recordings, LAG, conditional=conditional)
    assert res.df_den == df_den == sum(len(X) - LAG for X in recordings) - ((4 if conditional else 2) * LAG + 1)
    np.testing.assert_allclose(res.f_stat, F, rtol=1e-8)
    np.testing.assert_allclose(res.p_value, stats.f.sf(F, LAG, df_den), rtol=1e-8)
    # windows crossing the seams (the concatenated series) are a different, wrong test
    crossed = granger_test(np.concatenate(recordings), LAG, conditional=conditional)
    assert crossed.df_den == res.df_den + LAG * (len(recordings) - 1)
    assert not np.allclose(crossed.f_stat, res.f_stat, rtol=1e-3, equal_nan=True)


def test_one_recording_in_a_list_is_the_series(recordings):
    X = recordings[0]
    for conditional in (False, True):
        a, b = granger_test([X], LAG, conditional=conditional), granger_test(X, LAG, conditional=conditional)
        np.testing.assert_array_equal(a.f_stat, b.f_stat)
    np.testing.assert_array_equal(fit_var([X], LAG).coef, fit_var(X, LAG).coef)


def test_fit_var_on_recordings_is_the_stacked_least_squares(recordings):
    Y, Z = hand_windows(recordings, LAG)
    design = np.hstack([np.ones((len(Y), 1)), Z])
    beta, *_ = np.linalg.lstsq(design, Y, rcond=None)
    fit = fit_var(recordings, LAG)
    p = Y.shape[1]
    np.testing.assert_allclose(fit.intercept, beta[0], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(fit.coef, beta[1:].reshape(LAG, p, p), rtol=1e-8, atol=1e-10)  # coef[k-1, i, j]
    assert fit.residuals.shape == Y.shape
    np.testing.assert_allclose(fit.sigma, fit.residuals.T @ fit.residuals / len(Y))


def test_information_criteria_on_recordings_use_the_common_rows(recordings):
    max_lag = 3
    ic = information_criteria(recordings, max_lag)
    n = sum(len(X) - max_lag for X in recordings)
    p = recordings[0].shape[1]
    for lag in (1, 2, 3):
        Y, Z = hand_windows([X[max_lag - lag :] for X in recordings], lag)
        assert len(Y) == n
        design = np.hstack([np.ones((n, 1)), Z])
        beta, *_ = np.linalg.lstsq(design, Y, rcond=None)
        resid = Y - design @ beta
        logdet = np.linalg.slogdet(resid.T @ resid / n)[1]
        assert ic["bic"][lag - 1] == pytest.approx(logdet + np.log(n) * lag * p**2 / n, rel=1e-10)
    assert select_lag(recordings, max_lag) == int(np.argmin(ic["bic"])) + 1


def test_short_recordings_pool_into_a_test_no_single_one_allows():
    """Twenty recordings of 8 points: none alone fits a conditional VAR(2) in 3 series, together they do."""
    rng = np.random.default_rng(0)
    recs = []
    for _ in range(20):
        X = rng.standard_normal((8, 3))
        X[1:, 1] += 0.9 * X[:-1, 0]
        recs.append(X)
    with pytest.raises(ValueError, match="Too few time points"):
        granger_test(recs[0], 2, conditional=True)
    res = granger_test(recs, 2, conditional=True)
    assert res.df_den == 20 * 6 - 7
    assert res.p_value[0, 1] < 1e-6 and res.p_value[1, 0] > 1e-3


@pytest.mark.parametrize(
    "bad, match",
    [
        ([np.zeros((10, 3)) + np.arange(10)[:, None] * [1, 2, 3], np.ones((12, 2)).cumsum(0)], "same variables"),
        ([np.arange(30.0).reshape(10, 3) ** 1.5, np.arange(9.0).reshape(3, 3) ** 1.5], "Recording 1 has T=3"),
        ([np.arange(30.0).reshape(10, 3) ** 1.5, np.full((5, 3), np.nan)], r"X\[1\] contains NaN"),
    ],
)
def test_bad_recordings_are_rejected(bad, match):
    """Differing p, a recording shorter than lag + 1 = 4, a NaN: each named in the message."""
    for call in (lambda: granger_test(bad, 3), lambda: fit_var(bad, 3), lambda: select_lag(bad, 3)):
        with pytest.raises(ValueError, match=match):
            call()


def test_nested_lists_of_rows_are_one_series():
    rows = np.random.default_rng(3).standard_normal((50, 2)).tolist()
    np.testing.assert_array_equal(granger_test(rows, 1).f_stat, granger_test(np.array(rows), 1).f_stat)


def test_lasso_var_on_recordings_is_the_lasso_of_the_stacked_windows(recordings):
    from sklearn.linear_model import Lasso

    from gcbook.sparse_var import lasso_var

    alpha = 0.05
    Y, Z = hand_windows(recordings, LAG)
    coef = lasso_var(recordings, LAG, alpha).coef_by_lag  # coef[i, j, k-1]: x_i(t-k) -> x_j(t)
    p = Y.shape[1]
    for j in range(p):
        ref = Lasso(alpha=alpha, fit_intercept=True, tol=1e-12, max_iter=100_000).fit(Z, Y[:, j])
        np.testing.assert_allclose(coef[:, j, :], ref.coef_.reshape(LAG, p).T, atol=1e-6)
    assert np.count_nonzero(coef) < coef.size  # the penalty acts: a zero pattern is pinned too
    with pytest.raises(ValueError, match="Recording 1 has T=3"):
        lasso_var([recordings[0], recordings[1][:3]], 3, alpha)


def hand_neural_split(recs, lag, val_fraction=0.2):
    """Per recording: its last val_fraction of windows held out; standardised with all training rows."""
    n_val = [max(1, round(val_fraction * (len(X) - lag))) for X in recs]
    train_rows = np.concatenate([X[: len(X) - v] for X, v in zip(recs, n_val)])
    mean, std = train_rows.mean(axis=0), train_rows.std(axis=0)
    x_tr, y_tr, x_val, y_val = [], [], [], []
    for X, v in zip(recs, n_val):
        Z = (X - mean) / std
        for m, t in enumerate(range(lag, len(X))):
            window = np.stack([Z[t - k] for k in range(1, lag + 1)])  # (lag, p): x(t-1) first
            held_out = m >= len(X) - lag - v
            (x_val if held_out else x_tr).append(window)
            (y_val if held_out else y_tr).append(Z[t])
    return [torch.tensor(np.array(a), dtype=torch.float32) for a in (x_tr, y_tr, x_val, y_val)], mean, std


@pytest.mark.parametrize("make", ["grngc", "cmlp"])
def test_neural_fit_on_recordings_optimises_the_hand_pooled_objective(recordings, make):
    """lam = 0, one frozen step: the reported objective and the validation loss are the MSEs on the hand-pooled windows."""
    from gcbook.neural import CMLP, GRNGC

    frozen = dict(lag=LAG, lam=0.0, epochs=1, check_every=1, lr=1e-12, seed=0)
    est = (GRNGC(hidden=(8,), **frozen) if make == "grngc" else CMLP(hidden=6, lam_ridge=0.0, **frozen)).fit(recordings)
    (x_tr, y_tr, x_val, y_val), mean, std = hand_neural_split(recordings, LAG)
    np.testing.assert_allclose(est.mean_, mean, rtol=1e-12)
    np.testing.assert_allclose(est.std_, std, rtol=1e-12)
    with torch.no_grad():
        mse_tr = torch.mean((est.model_(x_tr) - y_tr) ** 2, dim=0)
        mse_val = torch.mean((est.model_(x_val) - y_val) ** 2)
    reported = mse_tr.mean() if make == "grngc" else mse_tr.sum()  # GRNGC: mean over targets; CMLP: sum
    assert est.loss_history_.train_loss[0] == pytest.approx(float(reported), rel=1e-5)
    assert est.val_loss_ == pytest.approx(float(mse_val), rel=1e-5)
    # the read-out covers every window of every recording
    assert est.scores_.shape == (4, 4)


def test_neural_fit_on_one_recording_in_a_list_is_the_series_fit(recordings):
    from gcbook.neural import GRNGC

    kw = dict(lag=LAG, hidden=(6,), lam=0.01, epochs=20, check_every=5, lr=1e-2, seed=0)
    a, b = GRNGC(**kw).fit([recordings[0]]), GRNGC(**kw).fit(recordings[0])
    np.testing.assert_array_equal(a.scores_, b.scores_)


def test_neural_fit_rejects_bad_recordings(recordings):
    from gcbook.neural import GRNGC

    with pytest.raises(ValueError, match="same variables"):
        GRNGC(lag=LAG, epochs=1).fit([recordings[0], recordings[1][:, :3]])
    with pytest.raises(ValueError, match="Recording 1 has T=3"):
        GRNGC(lag=3, epochs=1).fit([recordings[0], recordings[1][:3]])


# ----------------------------------------------------------------------------- the suite (PCMCI, lasso, runner)
def scans_dataset(recs, name="scans"):
    from gcbook.suite import SuiteDataset

    return SuiteDataset(name, "timeseries", recs, np.eye(recs[0].shape[1], dtype=int), LAG, 0, {}, "hand-made")


def test_pcmci_samples_of_recordings_are_pooled_within_each(recordings):
    """With no conditions, MCI's value is the correlation of x_i(t - tau) and x_j(t) over tigramite's samples:
    t from 2 * tau_max to T_r - 1 in each recording (its default cut-off), stacked. Concatenating the
    recordings would add windows across the seams and change it."""
    import tigramite.data_processing as pp
    from tigramite.independence_tests.parcorr import ParCorr
    from tigramite.pcmci import PCMCI

    p = recordings[0].shape[1]
    frame = pp.DataFrame(dict(enumerate(recordings)), analysis_mode="multiple")  # as gcbook.baselines.run_pcmci
    pcmci = PCMCI(dataframe=frame, cond_ind_test=ParCorr(), verbosity=0)
    res = pcmci.run_mci(tau_max=LAG, parents={j: [] for j in range(p)}, max_conds_px=0, max_conds_py=0)
    for i, j, tau in [(0, 1, 1), (2, 3, 2), (3, 0, 1)]:
        pairs = [(X[2 * LAG - tau : len(X) - tau, i], X[2 * LAG :, j]) for X in recordings]
        cause, effect = (np.concatenate(parts) for parts in zip(*pairs))
        np.testing.assert_allclose(res["val_matrix"][i, j, tau], np.corrcoef(cause, effect)[0, 1], rtol=1e-8)
        seamless = np.vstack(recordings)
        crossing = np.corrcoef(seamless[2 * LAG - tau : len(seamless) - tau, i], seamless[2 * LAG :, j])[0, 1]
        assert abs(crossing - res["val_matrix"][i, j, tau]) > 1e-6


def test_suite_methods_on_one_recording_in_a_list_are_the_series(recordings):
    from gcbook.suite import SuiteDataset, run_method

    series = SuiteDataset("one", "timeseries", recordings[0], np.eye(4, dtype=int), LAG, 0, {}, "one series")
    listed = scans_dataset(recordings[:1])
    for method in ("granger_conditional", "lasso_var", "pcmci"):
        np.testing.assert_allclose(
            run_method(method, listed).scores, run_method(method, series).scores, rtol=1e-10, atol=1e-12, err_msg=method
        )


def test_suite_lasso_standardises_with_the_pooled_moments(recordings):
    """The recordings have shifted means: the suite's lasso is lasso_var on every recording scaled by the
    mean and sd of all rows together (not each recording by its own moments, not one stacked series)."""
    from gcbook.sparse_var import lasso_var
    from gcbook.suite import LASSO_ALPHA, run_method

    pooled = np.vstack(recordings)
    scaled = [(X - pooled.mean(0)) / pooled.std(0) for X in recordings]
    expected = lasso_var(scaled, LAG, LASSO_ALPHA).coef_by_lag
    suite_coef = run_method("lasso_var", scans_dataset(recordings)).result.coef_by_lag
    np.testing.assert_allclose(suite_coef, expected, atol=1e-10)
    own = [(X - X.mean(0)) / X.std(0) for X in recordings]
    assert np.abs(lasso_var(own, LAG, LASSO_ALPHA).coef_by_lag - expected).max() > 1e-4


def test_suite_runs_every_time_series_method_on_recordings(recordings):
    from gcbook.suite import applicable_methods, run_row

    dataset = scans_dataset(recordings)
    assert dataset.T == sum(len(X) for X in recordings) and dataset.n_recordings == 3
    for method in applicable_methods("timeseries"):
        options = {"epochs": 4} if method in ("cmlp", "grngc_mlp", "grngc_lstm", "grngc_kan") else {}
        row = run_row(dataset, method, **options)
        assert row["T"] == dataset.T and np.isfinite(row["fit_seconds"])


@pytest.mark.parametrize(
    "kind, recs, lag, match",
    [
        ("dag", [np.random.default_rng(0).normal(size=(20, 3))] * 2, None, "Only a 'timeseries' dataset"),
        (
            "timeseries",
            [np.random.default_rng(0).normal(size=(20, 3)), np.random.default_rng(1).normal(size=(20, 4))],
            LAG,
            "same variables",
        ),
        (
            "timeseries",
            [np.random.default_rng(0).normal(size=(20, 3)), np.random.default_rng(1).normal(size=(3, 3))],
            3,
            "Recording 1 has T=3",
        ),
        (
            "timeseries",
            [np.random.default_rng(0).normal(size=(20, 3)), np.random.default_rng(1).normal(size=(2, 3))],
            1,
            r"X\[1\] must be 2-D with at least 3 rows",
        ),
        (
            "timeseries",
            [np.random.default_rng(0).normal(size=(20, 3)), np.full((20, 3), np.nan)],
            LAG,
            r"X\[1\] contains NaN",
        ),
    ],
)
def test_suite_dataset_rejects_bad_recordings(kind, recs, lag, match):
    from gcbook.suite import SuiteDataset

    with pytest.raises(ValueError, match=match):
        SuiteDataset("bad", kind, recs, np.eye(3, dtype=int), lag, 0, {}, "bad")


# ----------------------------------------------------------------------------- window-level Granger
def window_pairs(recs, cause=1, effect=0):
    """The (effect, cause) columns of every recording, standardised with the moments of all rows pooled."""
    pairs = [X[:, [effect, cause]] for X in recs]
    pooled = np.vstack(pairs)
    return [(P - pooled.mean(0)) / pooled.std(0) for P in pairs]


def test_linear_window_granger_on_recordings_is_each_recording_tested_alone(recordings):
    """Every window is fitted on its own: the list gives the windows of each recording in turn."""
    from gcbook.window import window_granger

    res = window_granger(recordings, cause=1, effect=0, window=12, step=7, lag=LAG)
    alone = [window_granger(X, cause=1, effect=0, window=12, step=7, lag=LAG) for X in recordings]
    np.testing.assert_array_equal(res.recording, np.repeat(np.arange(3), [r.starts.size for r in alone]))
    np.testing.assert_array_equal(res.starts, np.concatenate([r.starts for r in alone]))
    np.testing.assert_allclose(res.f_stat, np.concatenate([r.f_stat for r in alone]), rtol=1e-9)
    # the first window of recording 1 by hand: the targets' pasts stay inside recording 1
    X = recordings[1]
    t = np.arange(LAG, LAG + 12)
    y = X[t, 0]
    own = np.column_stack([np.ones(12)] + [X[t - k, 0] for k in (1, 2)])
    full = np.column_stack([own] + [X[t - k, 1] for k in (1, 2)])
    f_hand = ((rss(own, y) - rss(full, y)) / LAG) / (rss(full, y) / (12 - 2 * LAG - 1))
    first = np.flatnonzero(res.recording == 1)[0]
    np.testing.assert_allclose(res.f_stat[first], f_hand, rtol=1e-9)
    assert res.to_frame().index.names == ["recording", "start"]


def test_nar_window_granger_on_recordings_fits_the_hand_pooled_targets(recordings):
    """The NAR networks train once on the targets of every recording (pasts from their own recording)."""
    from gcbook._utils import seed_int
    from gcbook.window import PairNAR, _train_nar, window_granger

    window, hidden, epochs, lr = 10, 8, 30, 0.01
    res = window_granger(
        recordings, cause=1, effect=0, window=window, model="nar", lag=LAG, hidden=hidden, epochs=epochs, lr=lr, seed=3
    )
    inputs, targets, ratios = [], [], []
    for P in window_pairs(recordings):
        for t in range(LAG, len(P)):
            inputs.append([P[t - 1, 0], P[t - 2, 0], P[t - 1, 1], P[t - 2, 1]])  # effect lags, then cause lags
            targets.append([P[t, 0], P[t, 0], P[t, 1]])
    with torch.random.fork_rng():
        torch.random.default_generator.manual_seed(seed_int(3))
        net = PairNAR(LAG, hidden).to(dtype=torch.float64)
        errors = _train_nar(
            net, torch.tensor(inputs, dtype=torch.float64), torch.tensor(targets, dtype=torch.float64).T, epochs, lr
        )
    first = 0
    for X in recordings:
        n = len(X) - LAG
        for start in range(0, n - window + 1, window):
            mse = np.mean(errors[:2, first + start : first + start + window] ** 2, axis=1)
            ratios.append(mse[0] / mse[1])
        first += n
    np.testing.assert_allclose(res.f_stat, ratios, rtol=1e-9)


def test_window_indexing_on_recordings_keeps_each_window_in_its_recording(recordings):
    from gcbook.window import window_granger

    settings = dict(
        cause=1,
        effect=0,
        window=10,
        model="nar",
        indexing=True,
        lag=LAG,
        hidden=8,
        epochs=20,
        n_rounds=1,
        phi_steps=20,
        seed=0,
    )  # the same small NAR fit, three ways
    res = window_granger(recordings, **settings)
    assert [phi.shape for phi in res.phi] == [(len(X), 2) for X in recordings]
    assert np.all(
        (res.starts <= res.cause_time) & (res.cause_time < res.effect_time) & (res.effect_time < res.starts + 10)
    )
    one = window_granger(recordings[:1], **settings)
    alone = window_granger(recordings[0], **settings)
    np.testing.assert_allclose(one.f_stat, alone.f_stat, rtol=1e-12)
    np.testing.assert_allclose(one.phi[0], alone.phi, rtol=1e-12)
    assert alone.recording is None and np.array_equal(one.recording, np.zeros(alone.starts.size, dtype=int))


def test_window_granger_rejects_a_recording_without_a_window(recordings):
    from gcbook.window import window_granger

    with pytest.raises(ValueError, match="Recording 1: window=30 is too long"):
        window_granger([recordings[0], recordings[1][:20]], cause=1, effect=0, window=30, lag=LAG)
    with pytest.raises(ValueError, match="same variables"):
        window_granger([recordings[0], recordings[1][:, :3]], cause=1, effect=0, window=10, lag=LAG)
