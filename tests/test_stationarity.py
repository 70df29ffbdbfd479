"""Unit-root pretests and the cointegration simulation (issue 17, item 4).

References: statsmodels' ``adfuller``/``kpss`` called directly, statsmodels' OLS F-test for the
Toda-Yamamoto restriction, and the stated decision rule.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from gcbook.granger import lag_matrix
from gcbook.stationarity import cointegration_simulation, toda_yamamoto_pvalues, unit_root_tests


@pytest.fixture(scope="module")
def series():
    rng = np.random.default_rng(0)
    T = 600
    ar = np.zeros(T)
    e = rng.standard_normal(T)
    for t in range(1, T):
        ar[t] = 0.97 * ar[t - 1] + e[t]
    return pd.DataFrame(
        {
            "walk": rng.standard_normal(T).cumsum(),
            "noise": rng.standard_normal(T),
            "near_unit": ar,
            "trend": 0.05 * np.arange(T) + rng.standard_normal(T),
        }
    )


@pytest.mark.parametrize("regression", ["c", "ct"])
def test_wrappers_equal_statsmodels(series, regression):
    from statsmodels.tsa.stattools import adfuller, kpss

    table = unit_root_tests(series, regression=regression)
    assert list(table.index) == list(series.columns)
    assert table.attrs == {"alpha": 0.05, "regression": regression}
    for name in series.columns:
        adf = adfuller(series[name].to_numpy(), regression=regression, autolag="AIC", result_object=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kp = kpss(series[name].to_numpy(), regression=regression, nlags="auto")
        row = table.loc[name]
        np.testing.assert_allclose(
            [row.adf_stat, row.adf_p, row.kpss_stat, row.kpss_p], [adf[0], adf[1], kp[0], kp[1]], rtol=1e-12
        )
        assert (row.adf_lags, row.kpss_lags) == (adf[2], kp[2])


def test_decision_rule(series):
    """The decision column follows the stated rule; a random walk is a unit root, white noise and a
    trend-stationary series (with regression="ct") are stationary."""
    for regression in ("c", "ct"):
        table = unit_root_tests(series, regression=regression)
        adf_rej, kpss_rej = table.adf_p < 0.05, table.kpss_p < 0.05
        expected = np.where(
            kpss_rej & ~adf_rej, "unit root", np.where(adf_rej & ~kpss_rej, "stationary", "inconclusive")
        )
        assert list(table.decision) == list(expected)
    assert unit_root_tests(series).loc["walk", "decision"] == "unit root"
    assert unit_root_tests(series).loc["noise", "decision"] == "stationary"
    assert unit_root_tests(series, regression="ct").loc["trend", "decision"] == "stationary"
    assert unit_root_tests(series, regression="c").loc["trend", "decision"] != "stationary"


def test_list_of_recordings_is_tested_one_by_one(series):
    recs = [series.to_numpy()[:300], series.to_numpy()[300:]]
    table = unit_root_tests(recs)
    assert table.index.names == ["recording", "series"] and len(table) == 8
    alone = unit_root_tests(recs[1])
    np.testing.assert_allclose(table.loc[1].adf_stat.to_numpy(), alone.adf_stat.to_numpy())


@pytest.mark.parametrize(
    "kwargs, match",
    [({"alpha": 0.2}, "alpha"), ({"alpha": 0.001}, "alpha"), ({"regression": "n"}, "regression")],
)
def test_unit_root_bad_arguments(series, kwargs, match):
    with pytest.raises(ValueError, match=match):
        unit_root_tests(series, **kwargs)


def test_unit_root_bad_data():
    with pytest.raises(ValueError, match="at least 10"):
        unit_root_tests(np.random.default_rng(0).normal(size=(8, 2)))
    bad = np.random.default_rng(0).normal(size=(50, 2))
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        unit_root_tests(bad)


def test_toda_yamamoto_equals_an_ols_f_test():
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    X = rng.standard_normal((250, 2)).cumsum(axis=0)
    X[1:, 1] += 0.3 * X[:-1, 0]
    lag, d_max = 2, 1
    P = toda_yamamoto_pvalues(X, lag, d_max)
    assert np.all(np.isnan(np.diag(P)))
    Y, lags = lag_matrix(X, lag + d_max)
    for i, j in [(0, 1), (1, 0)]:
        design = sm.add_constant(np.column_stack([lags[:, j], lags[:, i]]))
        fit = sm.OLS(Y[:, j], design).fit()
        R = np.zeros((lag, design.shape[1]))
        for k in range(lag):  # the first `lag` lags of the cause: columns 1 + (lag + d_max) + k
            R[k, 1 + lag + d_max + k] = 1
        np.testing.assert_allclose(P[i, j], float(fit.f_test(R).pvalue), rtol=1e-8)
    with pytest.raises(ValueError, match="list"):
        toda_yamamoto_pvalues([X, X], 1)
    with pytest.raises(ValueError, match="d_max"):
        toda_yamamoto_pvalues(X, 1, d_max=0)


def test_simulation_shape_and_reproducibility():
    a = cointegration_simulation(n_sims=4, T=60, seed=7)
    b = cointegration_simulation(n_sims=4, T=60, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert a.shape == (20, 6)
    assert list(a.columns) == ["design", "direction", "causal", "method", "rejection_rate", "mc_se"]
    assert a.attrs == {"n_sims": 4, "T": 60, "lag": 2, "loading": -0.2, "alpha": 0.05}
    assert a.rejection_rate.between(0, 1).all()
    np.testing.assert_allclose(a.mc_se, np.sqrt(a.rejection_rate * (1 - a.rejection_rate) / 4))
    assert a[a.causal].shape[0] == 5 and set(a[a.causal].direction) == {"x -> y"}
    assert set(a[a.causal].design) == {"cointegrated"}


def test_simulation_orientation_strong_error_correction():
    """With fast error correction, x -> y is found and y -> x is not, by every valid method
    (catches a swapped direction label)."""
    table = cointegration_simulation(n_sims=15, T=200, loading=-0.5, seed=1).set_index(
        ["design", "direction", "method"]
    )
    for method in ("levels VAR", "Toda-Yamamoto", "VECM", "differenced VAR"):
        assert table.loc[("cointegrated", "x -> y", method), "rejection_rate"] >= 0.8
        assert table.loc[("cointegrated", "y -> x", method), "rejection_rate"] <= 0.4


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"loading": 0.5}, "loading"),
        ({"loading": 0.0}, "loading"),
        ({"alpha": 0.5}, "alpha"),
        ({"n_sims": 0}, "n_sims"),
        ({"T": 10}, "T"),
        ({"lag": 0}, "lag"),
        ({"seed": -1}, "seed"),
    ],
)
def test_simulation_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        cointegration_simulation(**{"n_sims": 2, "T": 40, **kwargs})
