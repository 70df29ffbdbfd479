"""Checker of the chapter "Dynamic window-level Granger causality" (``book/dwgc.md``).

:func:`check_window_f` (the classical F statistic of one window), built on
:mod:`gcbook.exercises._common`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from gcbook.exercises._common import CheckReport, _real_scalar, _run_cases

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


def _window_f_cases():
    """Hidden cases for the window F exercise, from the DWGC simulations, with known mistakes' values.

    Yields ``(name, (X, cause, effect, start, window, lag), F, hints)`` where ``hints`` is a list of
    ``(wrong F, hint)``.
    """
    from gcbook.simulate import nonlinear_ar_pair, switching_ar_pair
    from gcbook.window import window_granger

    rng = np.random.default_rng(77)
    linear1 = switching_ar_pair(300, seed=101, lag=1)
    linear2 = switching_ar_pair(300, seed=102, lag=2)
    nonlinear3 = nonlinear_ar_pair(300, seed=103, lag=3)
    nonlinear1 = nonlinear_ar_pair(200, seed=104, lag=1)
    linear3 = switching_ar_pair(250, seed=105, lag=3)
    first_event = int(np.flatnonzero(linear2.event[40:])[0]) + 40
    settings = [
        # name, X, cause, effect, start, window, lag
        ("switching linear pair, lag=1, window=20", linear1.X, 1, 0, 57, 20, 1),
        ("switching linear pair, lag=2, window=30 holding a causal event", linear2.X, 1, 0, first_event - 10, 30, 2),
        ("nonlinear pair, lag=3, window=40", nonlinear3.X, 1, 0, 120, 40, 3),
        ("cause in column 0, effect in column 1, lag=2, window=25", linear2.X[:, ::-1], 0, 1, 150, 25, 2),
        ("3 columns (the middle one is not part of the test), lag=1, window=12",
         np.column_stack([nonlinear1.X[:, 0], rng.standard_normal(200), nonlinear1.X[:, 1]]), 2, 0, 80, 12, 1),
        ("the first window of the series (start = lag), lag=3, window=16", linear3.X, 1, 0, 3, 16, 3),
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
            hints.append((_window_f_by_lstsq(X, cause, effect, start, window, lag, intercept=False,
                                             df_den=df_den)[0], _HINT_NO_INTERCEPT))
        inside = window - lag  # targets start + lag .. start + window - 1, lags from inside the window
        for df_den in sorted({inside - 2 * lag - 1, df}):
            if df_den > 0:
                hints.append((_window_f_by_lstsq(X, cause, effect, start + lag, inside, lag, df_den=df_den)[0],
                              _HINT_INSIDE.format(window=window)))
        if start + lag + window <= X.shape[0]:  # the whole window shifted by lag
            (shifted,) = np.flatnonzero(res.starts == start + lag)
            hints.append((float(res.f_stat[shifted]), _HINT_INSIDE.format(window=window)))
        swapped = window_granger(X, effect, cause, window, step=1, lag=lag)
        hints.append((float(swapped.f_stat[index]), _HINT_SWAPPED))
        yield name, (X.copy(), cause, effect, start, window, lag), f_true, hints


def _judge_window_f(got, expected, hints):
    if got is None:
        return False, ("your function returned None: return the F statistic, a float "
                       "(did you forget the return statement?).")
    wanted = "return a single number, the F statistic of the window"
    f_got, problem = _real_scalar(got, wanted, wanted, "F")
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


def check_window_f(func: Callable, verbose: bool = True) -> CheckReport:
    """Check a student's F statistic of one window against hidden cases.

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
    verbose : bool
        Print the report.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> from gcbook.window import window_granger
    >>> def window_f(X, cause, effect, start, window, lag):
    ...     res = window_granger(X, cause, effect, window, step=1, lag=lag)
    ...     return res.f_stat[start - lag]                # windows start at lag, lag + 1, ...
    >>> check_window_f(window_f, verbose=False).passed
    True
    >>> def mse_ratio(X, cause, effect, start, window, lag):
    ...     return window_granger(X, cause, effect, window, step=1, lag=lag).mse_ratio[start - lag]
    >>> report = check_window_f(mse_ratio, verbose=False)
    >>> report.n_passed, "L1 / L2" in report.cases[0].message
    (0, True)
    """
    return _run_cases("Exercise: the F statistic of one window", func, _window_f_cases(), _judge_window_f, verbose)
