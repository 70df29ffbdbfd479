"""Checker of the chapter "Dynamic window-level Granger causality" (``book/dwgc.md``).

:func:`check_window_f` (the classical F statistic of one window), built on
:mod:`gcbook.exercises._common`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from gcbook.exercises._common import CheckReport, Forbidden, real_scalar, run_cases

__all__ = [
    "check_window_f",
]


def _window_f_by_lstsq(X, cause, effect, start, window, lag, *, intercept=True, df_den=None):
    """Classical F of one window by two :func:`numpy.linalg.lstsq` fits: the mistakes' calculator.

    Targets ``t = start..start+window-1``, regressors ``t-1..t-lag`` of the effect (restricted)
    and of the effect and the cause (full); ``df_den`` defaults to ``window - 2 lag - 1``.
    Returns ``(F, RSS_r, RSS_u)``.
    """
    t = np.arange(start, start + window)
    own = np.column_stack([X[t - k, effect] for k in range(1, lag + 1)])
    other = np.column_stack([X[t - k, cause] for k in range(1, lag + 1)])
    y = X[t, effect]
    if intercept:
        own = np.column_stack([np.ones(window), own])

    def rss(design):
        beta = np.linalg.lstsq(design, y, rcond=None)[0]
        return float(np.sum((y - design @ beta) ** 2))

    rss_r, rss_u = rss(own), rss(np.column_stack([own, other]))
    df_den = window - 2 * lag - 1 if df_den is None else df_den
    return (rss_r - rss_u) / lag / (rss_u / df_den), rss_r, rss_u


_HINT_MSE_RATIO = (
    "that is the paper's ratio L1 / L2 = RSS_r / RSS_u, not the F statistic: "
    "F = ((RSS_r - RSS_u) / L) / (RSS_u / (window - 2L - 1))."
)
_HINT_DF = (
    "your F is right except for the denominator degrees of freedom: the full model has 2L + 1 coefficients "
    "(intercept, L effect lags, L cause lags) fitted on the window's {window} targets, so df_den = "
    "window - 2L - 1 = {df}, not {wrong}."
)
_HINT_NO_INTERCEPT = "you left out the intercept: both regressions need a column of ones."
_HINT_INSIDE = (
    "you took the lags only from inside the window (targets from start + L on). The window's targets are "
    "t = start, ..., start + window - 1, all {window} of them; their lags t - 1, ..., t - L may reach before start."
)
_HINT_SWAPPED = "you swapped cause and effect: regress X[:, effect] on its own lags, then add the lags of X[:, cause]."
_HINT_P_VALUE = "that is the p-value of the test; return the F statistic itself."


_WINDOW_FORBIDDEN = Forbidden(
    modules=("gcbook.window", "gcbook.window_metrics", "gcbook.granger", "statsmodels"),
    names=(
        "gcbook.window.window_granger",
        "gcbook.granger.granger_test",
        "gcbook.granger.lag_matrix",
        "statsmodels.tsa.stattools.grangercausalitytests",
        "statsmodels.regression.linear_model.OLS",
    ),
    advice="write it with numpy.linalg.lstsq",
)


def _window_f_cases(seed=None):
    """Hidden cases for the window F exercise, from the DWGC simulations, drawn at each call, with known mistakes' values.

    From ``np.random.default_rng(seed)`` (``seed=None``: fresh entropy): each series is simulated
    with a seed drawn from it, and each window's start is uniform over the starts whose window,
    shifted by ``lag``, still fits in the series:

    1. a switching linear pair (``switching_ar_pair``, T = 300), lag 1, window uniform in 15..22;
    2. a switching linear pair, T = 300, lag 2, window in 28..36, starting 5 to 15 steps before the
       first causal event after t = 40 (the window holds it);
    3. a nonlinear pair (``nonlinear_ar_pair``, T = 300), lag 3, window in 38..48;
    4. a switching linear pair with its columns swapped (cause in column 0), lag 2, window in 23..27;
    5. a nonlinear pair, T = 200, with a white-noise column put between its two (not part of the
       test), lag 1, window in 10..14;
    6. a switching linear pair, T = 250, lag 3, window in 14..20, the first window (start = lag).

    Yields ``(name, (X, cause, effect, start, window, lag), F, hints)`` where ``hints`` is a list of
    ``(wrong F, hint)``.
    """
    from gcbook.simulate import nonlinear_ar_pair, switching_ar_pair
    from gcbook.window import window_granger

    rng = np.random.default_rng(seed)

    def series_seed():
        return int(rng.integers(2**31))

    def start_for(T, window, lag):
        return int(rng.integers(lag, T - window - lag + 1))

    linear1 = switching_ar_pair(300, seed=series_seed(), lag=1)
    linear2 = switching_ar_pair(300, seed=series_seed(), lag=2)
    while not linear2.event[40:250].any():  # a causal event to hold (almost always there)
        linear2 = switching_ar_pair(300, seed=series_seed(), lag=2)
    nonlinear3 = nonlinear_ar_pair(300, seed=series_seed(), lag=3)
    nonlinear1 = nonlinear_ar_pair(200, seed=series_seed(), lag=1)
    linear3 = switching_ar_pair(250, seed=series_seed(), lag=3)
    linear2b = switching_ar_pair(300, seed=series_seed(), lag=2)
    first_event = int(np.flatnonzero(linear2.event[40:])[0]) + 40
    w = [int(rng.integers(low, high + 1)) for low, high in [(15, 22), (28, 36), (38, 48), (23, 27), (10, 14), (14, 20)]]
    settings = [
        # name, X, cause, effect, start, window, lag
        (f"switching linear pair, lag=1, window={w[0]}", linear1.X, 1, 0, start_for(300, w[0], 1), w[0], 1),
        (
            f"switching linear pair, lag=2, window={w[1]} holding a causal event",
            linear2.X,
            1,
            0,
            first_event - int(rng.integers(5, 16)),
            w[1],
            2,
        ),
        (f"nonlinear pair, lag=3, window={w[2]}", nonlinear3.X, 1, 0, start_for(300, w[2], 3), w[2], 3),
        (
            f"cause in column 0, effect in column 1, lag=2, window={w[3]}",
            linear2b.X[:, ::-1],
            0,
            1,
            start_for(300, w[3], 2),
            w[3],
            2,
        ),
        (
            f"3 columns (the middle one is not part of the test), lag=1, window={w[4]}",
            np.column_stack([nonlinear1.X[:, 0], rng.standard_normal(200), nonlinear1.X[:, 1]]),
            2,
            0,
            start_for(200, w[4], 1),
            w[4],
            1,
        ),
        (f"the first window of the series (start = lag), lag=3, window={w[5]}", linear3.X, 1, 0, 3, w[5], 3),
    ]
    for name, X, cause, effect, start, window, lag in settings:
        res = window_granger(X, cause, effect, window, step=1, lag=lag)
        (index,) = np.flatnonzero(res.starts == start)
        f_true = float(res.f_stat[index])
        df = window - 2 * lag - 1
        hints = [(float(res.mse_ratio[index]), _HINT_MSE_RATIO), (float(res.p_value[index]), _HINT_P_VALUE)]
        for wrong in sorted({window - 2 * lag, window - lag - 1, window - 2 * lag - 2, window - 1}):
            if wrong != df and wrong > 0:
                hints.append((f_true * wrong / df, _HINT_DF.format(window=window, df=df, wrong=wrong)))
        for df_den in (df, window - 2 * lag):
            hints.append(
                (
                    _window_f_by_lstsq(X, cause, effect, start, window, lag, intercept=False, df_den=df_den)[0],
                    _HINT_NO_INTERCEPT,
                )
            )
        inside = window - lag  # targets start + lag .. start + window - 1, lags from inside the window
        for df_den in sorted({inside - 2 * lag - 1, df}):
            if df_den > 0:
                hints.append(
                    (
                        _window_f_by_lstsq(X, cause, effect, start + lag, inside, lag, df_den=df_den)[0],
                        _HINT_INSIDE.format(window=window),
                    )
                )
        if start + lag + window <= X.shape[0]:  # the whole window shifted by lag
            (shifted,) = np.flatnonzero(res.starts == start + lag)
            hints.append((float(res.f_stat[shifted]), _HINT_INSIDE.format(window=window)))
        swapped = window_granger(X, effect, cause, window, step=1, lag=lag)
        hints.append((float(swapped.f_stat[index]), _HINT_SWAPPED))
        yield name, (X.copy(), cause, effect, start, window, lag), f_true, hints


def _judge_window_f(got, expected, hints):
    if got is None:
        return False, (
            "your function returned None: return the F statistic, a float (did you forget the return statement?)."
        )
    wanted = "return a single number, the F statistic of the window"
    f_got, problem = real_scalar(got, wanted, wanted, "F")
    if problem:
        return False, problem
    if not np.isfinite(f_got):
        return False, f"expected F={expected:.6g}, got {f_got}: is the full model's RSS zero, or a 0 / 0 somewhere?"
    if np.isclose(f_got, expected, rtol=1e-6, atol=1e-10):
        return True, "ok"
    matching = []
    for wrong_f, hint in hints:
        if np.isclose(f_got, wrong_f, rtol=1e-6, atol=1e-10) and hint not in matching:
            matching.append(hint)
    message = f"expected F={expected:.6g}, got {f_got:.6g}"
    if matching:
        return False, message + ": " + " Or: ".join(matching)
    return False, message + "."


def check_window_f(func: Callable, verbose: bool = True, seed=None) -> CheckReport:
    """Check a student's F statistic of one window against hidden cases drawn at check time.

    Parameters
    ----------
    func : callable
        ``func(X, cause, effect, start, window, lag) -> F`` with ``X`` an array of shape (T, p),
        ``cause`` and ``effect`` column indices, and ``F`` (a float) the classical F statistic of
        the window whose forecast targets are ``t = start, ..., start + window - 1``: the effect
        regressed on an intercept and its own lags ``t-1, ..., t-lag`` (restricted) and also on
        the cause's lags (full), each lag possibly before ``start`` (``start >= lag``); with ``L = lag``,

        .. math:: F = \\frac{(\\mathrm{RSS}_r - \\mathrm{RSS}_u)/L}{\\mathrm{RSS}_u/(\\text{window} - 2L - 1)}.

        Other columns of ``X`` are ignored. Compared with
        ``window_granger(X, cause, effect, window, step=1, lag=lag)`` from :mod:`gcbook.window`,
        relative tolerance ``1e-6``.
        The exercise forbids :mod:`gcbook.window` (and :mod:`gcbook.granger`, statsmodels): a case
        whose call reaches any of them, however imported, fails with a message that names the call.
    verbose : bool
        Print the report.
    seed : None, int or numpy.random.Generator
        Where the six cases are drawn from (their distributions: ``_window_f_cases``): linear and
        nonlinear pairs, lags 1 to 3, windows of 10 to 48 steps, one holding a causal event, the
        cause in column 0, an extra column, the first window. ``None`` (the default) draws fresh
        cases at every call; a seed repeats them.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> def window_f(X, cause, effect, start, window, lag, ratio=False):
    ...     t = np.arange(start, start + window)      # the targets; their lags may reach before start
    ...     own = np.column_stack([np.ones(window)] + [X[t - k, effect] for k in range(1, lag + 1)])
    ...     full = np.column_stack([own] + [X[t - k, cause] for k in range(1, lag + 1)])
    ...     rss_r, rss_u = (np.sum((X[t, effect] - Z @ np.linalg.lstsq(Z, X[t, effect], rcond=None)[0]) ** 2)
    ...                     for Z in (own, full))
    ...     return rss_r / rss_u if ratio else (rss_r - rss_u) / lag / (rss_u / (window - 2 * lag - 1))
    >>> check_window_f(window_f, verbose=False).passed
    True
    >>> report = check_window_f(lambda *args: window_f(*args, ratio=True), verbose=False)
    >>> report.n_passed, "L1 / L2" in report.cases[0].message
    (0, True)
    >>> from gcbook.window import window_granger
    >>> def shortcut(X, cause, effect, start, window, lag):
    ...     return window_granger(X, cause, effect, window, step=1, lag=lag).f_stat[start - lag]
    >>> print(check_window_f(shortcut, verbose=False).cases[0].message)  # doctest: +ELLIPSIS
    your function calls gcbook.window.window_granger, which this exercise forbids: write it with numpy.linalg.lstsq (its answer ...
    """
    return run_cases(
        "Exercise: the F statistic of one window",
        func,
        _window_f_cases(seed),
        _judge_window_f,
        verbose,
        forbidden=_WINDOW_FORBIDDEN,
    )
