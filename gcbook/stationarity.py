"""Non-stationary data before a Granger test: unit-root pretests and what cointegration does to the tests.

Taught in the chapter :ref:`chap-granger-practice` (``book/granger_practice.md``).

Two tests with opposite null hypotheses, run on every series at once:

- the augmented Dickey-Fuller test (Dickey and Fuller 1979; :func:`statsmodels.tsa.stattools.adfuller`),
  whose null hypothesis is a unit root;
- the KPSS test (Kwiatkowski, Phillips, Schmidt and Shin 1992; :func:`statsmodels.tsa.stattools.kpss`),
  whose null hypothesis is (level or trend) stationarity.

Decision rule, at level ``alpha``: **"unit root"** when ADF does not reject and KPSS rejects;
**"stationary"** when ADF rejects and KPSS does not; **"inconclusive"** otherwise (both reject:
often a break, a near unit root or long memory; neither rejects: too little information).

:func:`cointegration_simulation` measures, by simulation, the size and power of four ways to test
Granger causality between integrated series: the F-test on the levels VAR, the F-test on the
differenced VAR, Toda and Yamamoto's (1995) augmented levels test, and the test inside a vector
error-correction model (Engle and Granger 1987; Johansen 1991; statsmodels' ``VECM``).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

from gcbook._utils import EXACT_FIT
from gcbook._validation import as_recordings, check_int, check_random_state, check_real

__all__ = ["unit_root_tests", "toda_yamamoto_pvalues", "cointegration_simulation"]

_REGRESSIONS = ("c", "ct")


def unit_root_tests(X, alpha: float = 0.05, regression: str = "c", adf_autolag: str | None = "AIC", kpss_nlags="auto"):
    """ADF and KPSS tests for every series, with a decision per series.

    Parameters
    ----------
    X : array_like or pandas.DataFrame, shape (T, p), or a list of them
        Rows are time. ``p = 1`` is allowed. A list of recordings is tested recording by recording
        (unit-root tests do not pool across recordings).
    alpha : float in [0.01, 0.1], default 0.05
        Level of both tests. KPSS p-values are interpolated in statsmodels' table, which spans
        0.01 to 0.1 (values outside are clipped to its ends), so the decision is exact only for
        ``alpha`` in that range.
    regression : {"c", "ct"}, default "c"
        Deterministic terms of both tests: a constant (level stationarity) or a constant and a
        linear trend (trend stationarity).
    adf_autolag : {"AIC", "BIC", "t-stat", None}, default "AIC"
        Passed to ``adfuller(autolag=...)``: how the number of lagged differences is chosen.
    kpss_nlags : "auto", "legacy" or int, default "auto"
        Passed to ``kpss(nlags=...)``: the bandwidth of the long-run variance.

    Returns
    -------
    pandas.DataFrame
        One row per series (index: the labels; for a list, a MultiIndex ``(recording, series)``),
        columns ``adf_stat``, ``adf_p``, ``adf_lags``, ``kpss_stat``, ``kpss_p``, ``kpss_lags``,
        ``decision``. ``attrs`` records ``alpha`` and ``regression``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.column_stack([rng.standard_normal(1000).cumsum(), rng.standard_normal(1000)])
    >>> unit_root_tests(X)["decision"].tolist()
    ['unit root', 'stationary']
    """
    import pandas as pd
    from statsmodels.tsa.stattools import adfuller, kpss

    alpha = check_real(alpha, "alpha", low=0.01, high=0.1)
    if regression not in _REGRESSIONS:
        raise ValueError(f"regression must be one of {_REGRESSIONS}, got {regression!r}.")
    recordings, labels = as_recordings(X, min_vars=1)
    rows, index = [], []
    for r, rec in enumerate(recordings):
        if rec.shape[0] < 10:
            raise ValueError(f"Recording {r} has T={rec.shape[0]}; the unit-root tests need at least 10 time points.")
        for c, label in enumerate(labels):
            x = rec[:, c]
            adf = adfuller(x, regression=regression, autolag=adf_autolag, result_object=False)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # InterpolationWarning: p-value outside the table's range
                kp = kpss(x, regression=regression, nlags=kpss_nlags)
            adf_rejects, kpss_rejects = adf[1] < alpha, kp[1] < alpha
            if kpss_rejects and not adf_rejects:
                decision = "unit root"
            elif adf_rejects and not kpss_rejects:
                decision = "stationary"
            else:
                decision = "inconclusive"
            rows.append(
                {
                    "adf_stat": float(adf[0]),
                    "adf_p": float(adf[1]),
                    "adf_lags": int(adf[2]),
                    "kpss_stat": float(kp[0]),
                    "kpss_p": float(kp[1]),
                    "kpss_lags": int(kp[2]),
                    "decision": decision,
                }
            )
            index.append((r, label) if len(recordings) > 1 else label)
    if len(recordings) > 1:
        index = pd.MultiIndex.from_tuples(index, names=["recording", "series"])
    else:
        index = pd.Index(index, name="series")
    table = pd.DataFrame(rows, index=index)
    table.attrs.update(alpha=alpha, regression=regression)
    return table


def toda_yamamoto_pvalues(X, lag: int, d_max: int = 1) -> np.ndarray:
    """Toda-Yamamoto tests of ``x_i -> x_j`` for every ordered pair of a (possibly integrated) series.

    Fits the pairwise levels regression of ``x_j(t)`` on an intercept and ``lag + d_max`` lags of
    ``x_j`` and ``x_i``, and F-tests only the first ``lag`` lags of ``x_i``; the ``d_max`` extra lags
    absorb the unit roots, so the Wald statistic keeps its chi-square limit whatever the order
    of integration (up to ``d_max``) or cointegration (Toda and Yamamoto 1995).

    Parameters
    ----------
    X : array_like, shape (T, p)
    lag : int >= 1
        The VAR order chosen for the levels (the lags tested).
    d_max : int >= 1, default 1
        The largest order of integration expected.

    Returns
    -------
    numpy.ndarray, shape (p, p)
        p-values of ``F(lag, n - 2 (lag + d_max) - 1)``; the cause is the row, diagonal NaN.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> toda_yamamoto_pvalues(rng.standard_normal((300, 2)).cumsum(axis=0), lag=2).shape
    (2, 2)
    """
    from gcbook.granger import lag_matrix

    recordings, _ = as_recordings(X)
    if len(recordings) != 1:
        raise ValueError("toda_yamamoto_pvalues takes one series of shape (T, p), not a list of recordings.")
    arr = recordings[0]
    lag = check_int(lag, "lag", 1)
    d_max = check_int(d_max, "d_max", 1)
    total = lag + d_max
    T, p = arr.shape
    n = T - total
    df_den = n - 2 * total - 1
    if df_den < 1:
        raise ValueError(f"Too few time points for Toda-Yamamoto with lag={lag}, d_max={d_max}: T={T}.")
    Y, lags = lag_matrix((arr - arr.mean(0)) / arr.std(0), total)
    pvalues = np.full((p, p), np.nan)
    ones = np.ones((n, 1))
    for i in range(p):  # p(p-1) small regressions of a pretest helper
        for j in range(p):
            if i == j:
                continue
            restricted = np.column_stack([ones, lags[:, j], lags[:, i, lag:]])
            full = np.column_stack([restricted, lags[:, i, :lag]])
            rss_r = np.sum((Y[:, j] - restricted @ np.linalg.lstsq(restricted, Y[:, j], rcond=None)[0]) ** 2)
            beta, _, rank, _ = np.linalg.lstsq(full, Y[:, j], rcond=None)  # columns standardised: rank is fair
            if rank < full.shape[1]:
                raise ValueError(
                    f"The lagged design of x{i} -> x{j} is rank deficient: some series (or their lags) are exact "
                    "linear combinations of others. Drop duplicated or collinear columns, or use a smaller lag."
                )
            rss_u = np.sum((Y[:, j] - full @ beta) ** 2)
            if rss_u <= EXACT_FIT * np.sum((Y[:, j] - Y[:, j].mean()) ** 2):
                raise ValueError(
                    f"x{j} is forecast exactly (residual variance 0 up to rounding) by the model of x{i} -> x{j}: a "
                    "deterministic relation, for which the F statistic is infinite. Add observation noise or drop "
                    "the column."
                )
            pvalues[i, j] = stats.f.sf(((rss_r - rss_u) / lag) / (rss_u / df_den), lag, df_den)
    return pvalues


_METHODS = ("levels VAR", "differenced VAR", "Toda-Yamamoto", "VECM", "pretest")


def _simulate_pair(T: int, loading: float, n_sims: int, rng: np.random.Generator, burn: int = 50):
    """(n_sims, T, 2) bivariate series: x a random walk; y error-corrects towards x when loading != 0."""
    u = rng.standard_normal((n_sims, T + burn))
    e = rng.standard_normal((n_sims, T + burn))
    x = np.cumsum(u, axis=1)
    y = np.zeros_like(x)
    if loading == 0:
        y = np.cumsum(e, axis=1)
    else:
        for t in range(1, T + burn):
            y[:, t] = y[:, t - 1] + loading * (y[:, t - 1] - x[:, t - 1]) + e[:, t]
    return np.stack([x, y], axis=-1)[:, burn:]


def _method_pvalues(X: np.ndarray, lag: int, alpha: float) -> dict:
    """p-values of x0 -> x1 and x1 -> x0 for each method on one bivariate series."""
    from statsmodels.tsa.vector_ar.vecm import VECM, select_coint_rank

    from gcbook.granger import granger_test

    out = {}
    out["levels VAR"] = granger_test(X, lag).p_value
    out["differenced VAR"] = granger_test(np.diff(X, axis=0), lag).p_value
    out["Toda-Yamamoto"] = toda_yamamoto_pvalues(X, lag, d_max=1)

    def vecm_pvalues(rank):
        res = VECM(X, k_ar_diff=lag - 1, coint_rank=rank, deterministic="ci").fit()
        P = np.full((2, 2), np.nan)
        P[0, 1] = res.test_granger_causality(caused=1, causing=0).pvalue
        P[1, 0] = res.test_granger_causality(caused=0, causing=1).pvalue
        return P

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out["VECM"] = vecm_pvalues(1)
        rank = select_coint_rank(X, det_order=0, k_ar_diff=lag - 1, method="trace", signif=alpha).rank
    # the workflow: Johansen's trace test picks the rank, then the model that rank calls for
    if rank == 0:
        out["pretest"] = out["differenced VAR"]
    elif rank == 1:
        out["pretest"] = out["VECM"]
    else:
        out["pretest"] = out["levels VAR"]
    return out


def cointegration_simulation(
    n_sims: int = 200, T: int = 200, lag: int = 2, loading: float = -0.2, alpha: float = 0.05, seed=None
):
    """Size and power of Granger tests on integrated series, by simulation.

    Two designs, each with ``n_sims`` series of length ``T``:

    - **independent random walks**: ``x`` and ``y`` are independent random walks (no cointegration,
      no causality either way);
    - **cointegrated**: ``x`` is a random walk and ``y`` error-corrects towards it,
      ``Δy(t) = loading (y(t-1) - x(t-1)) + e(t)``: ``x -> y`` is true, ``y -> x`` is false, and
      ``y - x`` is stationary (one cointegrating vector, ``x`` weakly exogenous).

    Methods (all at level ``alpha``, VAR order ``lag`` in levels):

    - ``"levels VAR"``: :func:`gcbook.granger.granger_test` on the levels;
    - ``"differenced VAR"``: the same on the first differences (``lag`` lags); it leaves out the
      error-correction term, so it is misspecified under cointegration;
    - ``"Toda-Yamamoto"``: :func:`toda_yamamoto_pvalues` with ``d_max = 1``;
    - ``"VECM"``: statsmodels' ``VECM(k_ar_diff=lag-1, coint_rank=1, deterministic="ci")`` and its
      ``test_granger_causality``, with the cointegration rank 1 imposed (correct only in the
      cointegrated design; on independent random walks it shows what a wrongly imposed rank does);
    - ``"pretest"``: the workflow: Johansen's trace test (``select_coint_rank``) picks the rank,
      then rank 0 uses the differenced VAR, rank 1 the VECM, rank 2 the levels VAR.

    Parameters
    ----------
    n_sims : int >= 1, default 200
    T : int >= 30, default 200
    lag : int >= 1, default 2
    loading : float in (-2, 0), default -0.2
        Speed of error correction of ``y`` in the cointegrated design.
    alpha : float in [0.01, 0.1], default 0.05
    seed : None, int or numpy.random.Generator

    Returns
    -------
    pandas.DataFrame
        Tidy, one row per (design, direction, method): columns ``design``, ``direction``
        (``"x -> y"`` or ``"y -> x"``), ``causal`` (whether the link exists, so the rate is power
        when True and size when False), ``method``, ``rejection_rate``, ``mc_se``
        (``sqrt(rate (1 - rate) / n_sims)``). ``attrs`` holds the settings.

    Examples
    --------
    >>> table = cointegration_simulation(n_sims=5, T=100, seed=0)
    >>> table.shape
    (20, 6)
    >>> sorted(table["method"].unique())
    ['Toda-Yamamoto', 'VECM', 'differenced VAR', 'levels VAR', 'pretest']
    """
    import pandas as pd

    n_sims = check_int(n_sims, "n_sims", 1)
    T = check_int(T, "T", 30)
    lag = check_int(lag, "lag", 1)
    loading = check_real(loading, "loading", low=-2.0, high=0.0, low_open=True, high_open=True)
    alpha = check_real(alpha, "alpha", low=0.01, high=0.1)
    rng = check_random_state(seed)
    designs = {"independent random walks": 0.0, "cointegrated": loading}
    rows = []
    for design, load in designs.items():
        series = _simulate_pair(T, load, n_sims, rng)
        rejected = {m: np.zeros((2, 2)) for m in _METHODS}
        for X in series:  # one simulated data set after another: each is its own fit
            for method, P in _method_pvalues(X, lag, alpha).items():
                rejected[method] += np.nan_to_num(P, nan=1.0) < alpha
        for method in _METHODS:
            for direction, (i, j) in (("x -> y", (0, 1)), ("y -> x", (1, 0))):
                rate = rejected[method][i, j] / n_sims
                rows.append(
                    {
                        "design": design,
                        "direction": direction,
                        "causal": bool(design == "cointegrated" and direction == "x -> y"),
                        "method": method,
                        "rejection_rate": float(rate),
                        "mc_se": float(np.sqrt(rate * (1 - rate) / n_sims)),
                    }
                )
    table = pd.DataFrame(rows)
    table.attrs.update(n_sims=n_sims, T=T, lag=lag, loading=loading, alpha=alpha)
    return table
