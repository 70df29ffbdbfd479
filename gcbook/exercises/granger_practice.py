"""Checker of the chapter "Granger causality in practice" (``book/granger_practice.md``).

:func:`check_geweke_strength` (Geweke's measure of Granger causality), built on
:mod:`gcbook.exercises._common`.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from gcbook.exercises._common import CheckReport, Forbidden, real_scalar, run_cases
from gcbook.granger import granger_strength, granger_test

__all__ = [
    "check_geweke_strength",
]


_GEWEKE_TOL = dict(rtol=1e-6, atol=1e-10)


_GEWEKE_FORBIDDEN = Forbidden(
    modules=("gcbook.granger", "gcbook.spectral", "gcbook.window", "gcbook.suite", "statsmodels"),
    names=(
        "gcbook.granger.granger_strength",
        "gcbook.granger.granger_test",
        "gcbook.granger.fit_var",
        "gcbook.granger.lag_matrix",
        "statsmodels.tsa.stattools.grangercausalitytests",
        "statsmodels.tsa.api.VAR",
        "statsmodels.regression.linear_model.OLS",
    ),
)


def _geweke_cases(seed=None):
    """Hidden cases for Geweke's measure: short and long series, coupled and not, a large mean; drawn at each call.

    ``cause`` and ``effect`` are N(0, 1) white noise from ``np.random.default_rng(seed)``
    (``seed=None``: fresh entropy), with ``effect[t] += coupling * cause[t - delay]``:

    1. T uniform in 40..80, lag 1, no coupling;
    2. T in 100..200, lag 2, strong coupling, uniform in [0.6, 0.9] (delay 1);
    3. T in 60..120, lag 3, weak coupling in [0.2, 0.4], and feedback
       ``cause[t] += b * effect[t - 1]`` with b in [0.3, 0.5];
    4. T in 300..500, lag 2, coupling in [0.3, 0.7], means of +-[30, 70] (cause) and +-[10, 30]
       (effect) added;
    5. T in 40..60, lag 4, coupling in [0.7, 0.95] at delay 4 only.
    """
    rng = np.random.default_rng(seed)

    def signed(low, high):
        return float(rng.uniform(low, high) * rng.choice([-1.0, 1.0]))

    # name, T, lag, coupling, delay, feedback, (mean of cause, mean of effect)
    draws = [
        ("no coupling", int(rng.integers(40, 81)), 1, 0.0, 1, 0.0, (0.0, 0.0)),
        ("strong coupling", int(rng.integers(100, 201)), 2, float(rng.uniform(0.6, 0.9)), 1, 0.0, (0.0, 0.0)),
        (
            "weak coupling and feedback",
            int(rng.integers(60, 121)),
            3,
            float(rng.uniform(0.2, 0.4)),
            1,
            float(rng.uniform(0.3, 0.5)),
            (0.0, 0.0),
        ),
        (
            "coupling, large mean",
            int(rng.integers(300, 501)),
            2,
            float(rng.uniform(0.3, 0.7)),
            1,
            0.0,
            (signed(30, 70), signed(10, 30)),
        ),
        ("coupling at lag 4 only", int(rng.integers(40, 61)), 4, float(rng.uniform(0.7, 0.95)), 4, 0.0, (0.0, 0.0)),
    ]
    settings = []
    for kind, T, lag, coupling, delay, feedback, means in draws:
        cause = rng.standard_normal(T)
        effect = rng.standard_normal(T)
        effect[delay:] += coupling * cause[:-delay]
        cause[1:] += feedback * effect[:-1]
        settings.append((f"T={T}, lag={lag}, {kind}", cause + means[0], effect + means[1], lag))
    for name, cause, effect, lag in settings:
        X = np.column_stack([cause, effect])
        res = granger_strength(X, lag)
        F, F_back, n = float(res.strength[0, 1]), float(res.strength[1, 0]), res.n
        f_test = granger_test(X, lag)
        rss_ratio = math.exp(F)
        df_r, df_u = n - lag - 1, n - 2 * lag - 1
        # Common mistakes, as (wrong value, hint) pairs.
        hints = [
            (rss_ratio, "that is the ratio RSS_r / RSS_u itself: Geweke's measure is its natural logarithm."),
            (-F, "you took ln(RSS_u / RSS_r): the restricted model (without the cause) goes on top, so F >= 0."),
            (F / 2, "that is F / 2, the Gaussian transfer entropy: Geweke's measure is twice that."),
            (F / math.log(10), "you used log10: the measure is in nats, with the natural logarithm (np.log)."),
            (
                math.log(rss_ratio * df_u / df_r),
                "you divided each RSS by its degrees of freedom: use the maximum-likelihood variances RSS / n, "
                "whose common 1/n cancels, so F = ln(RSS_r / RSS_u).",
            ),
            (n * F, "that is n F, the likelihood-ratio statistic: divide by the n = T - L rows."),
            (F_back, "you swapped cause and effect: the target of both regressions is the effect."),
            (float(f_test.f_stat[0, 1]), "that is the F statistic of the F-test, not Geweke's measure."),
        ]
        yield name, (cause.copy(), effect.copy(), lag), F, hints


def _judge_geweke(got, expected, hints):
    wanted = "return Geweke's measure, a single number (nats)"
    if got is None:
        return False, f"your function returned None: {wanted} (did you forget the return statement?)."
    value, problem = real_scalar(got, wanted, wanted, "the measure")
    if problem:
        return False, problem
    if np.isclose(value, expected, **_GEWEKE_TOL):
        return True, "ok"
    message = f"expected F={expected:.6g}, got {value:.6g}"
    matching = [hint for wrong, hint in hints if np.isclose(value, wrong, **_GEWEKE_TOL)]
    if matching:
        return False, message + ": " + " Or: ".join(matching)
    return False, message + (": check that both regressions have an intercept, L lags and the same n = T - L rows.")


def check_geweke_strength(func: Callable, verbose: bool = True, seed=None) -> CheckReport:
    """Check a student's Geweke measure of Granger causality against hidden cases drawn at check time.

    Parameters
    ----------
    func : callable
        ``func(cause, effect, lag) -> F`` where ``cause`` and ``effect`` are arrays of shape (T,),
        returning ``F = ln(RSS_r / RSS_u)`` (nats): the restricted regression of ``effect(t)`` on an
        intercept and its own ``lag`` lags, the unrestricted one adding ``lag`` lags of ``cause``,
        both on the same ``n = T - lag`` rows. Compared with
        :func:`gcbook.granger.granger_strength`: a case passes within a relative tolerance of 1e-6.
        The exercise asks for NumPy only: a case whose call reaches :mod:`gcbook.granger` (its
        ``granger_strength``, ``granger_test``, ...), :mod:`gcbook.spectral` or statsmodels, however
        imported, fails with a message that names the call.
    verbose : bool
        Print the report.
    seed : None, int or numpy.random.Generator
        Where the five cases are drawn from (their distributions: ``_geweke_cases``): short and
        long series, no, weak and strong coupling, feedback, a large mean, coupling at lag 4 only.
        ``None`` (the default) draws fresh cases at every call; a seed repeats them.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> def my_strength(cause, effect, lag):
    ...     T = len(effect)
    ...     own = np.column_stack([np.ones(T - lag)] + [effect[lag - k:T - k] for k in range(1, lag + 1)])
    ...     both = np.column_stack([own] + [cause[lag - k:T - k] for k in range(1, lag + 1)])
    ...     rss_r, rss_u = (np.sum((effect[lag:] - Z @ np.linalg.lstsq(Z, effect[lag:], rcond=None)[0]) ** 2)
    ...                     for Z in (own, both))
    ...     return np.log(rss_r / rss_u)
    >>> check_geweke_strength(my_strength, verbose=False).passed
    True
    >>> def half(cause, effect, lag):
    ...     return my_strength(cause, effect, lag) / 2
    >>> report = check_geweke_strength(half, verbose=False)
    >>> report.n_passed
    0
    >>> "transfer entropy" in report.cases[1].message
    True
    >>> def shortcut(cause, effect, lag):
    ...     return granger_strength(np.column_stack([cause, effect]), lag).strength[0, 1]
    >>> print(check_geweke_strength(shortcut, verbose=False).cases[0].message)  # doctest: +ELLIPSIS
    your function calls gcbook.granger.granger_strength, which this exercise forbids: write it with NumPy (its answer ...
    """
    return run_cases(
        "Exercise: Geweke's measure of Granger causality",
        func,
        _geweke_cases(seed),
        _judge_geweke,
        verbose,
        forbidden=_GEWEKE_FORBIDDEN,
    )
