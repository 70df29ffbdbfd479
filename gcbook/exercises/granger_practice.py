"""Checker of the chapter "Granger causality in practice" (``book/granger_practice.md``).

:func:`check_geweke_strength` (Geweke's measure of Granger causality), built on
:mod:`gcbook.exercises._common`.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from gcbook.exercises._common import CheckReport, _real_scalar, _run_cases
from gcbook.granger import granger_strength, granger_test

__all__ = [
    "check_geweke_strength",
]


_GEWEKE_TOL = dict(rtol=1e-6, atol=1e-10)


def _geweke_cases():
    """Hidden cases for Geweke's measure: short and long series, coupled and not, a large mean."""
    settings = [
        ("T=60, lag=1, no coupling", 60, 1, 0.0, 21),
        ("T=150, lag=2, strong coupling", 150, 2, 0.8, 22),
        ("T=80, lag=3, weak coupling and feedback", 80, 3, 0.3, 23),
        ("T=400, lag=2, coupling, large mean", 400, 2, 0.5, 24),
        ("T=50, lag=4, coupling at lag 4 only", 50, 4, 0.9, 25),
    ]
    for name, T, lag, coupling, seed in settings:
        rng = np.random.default_rng(seed)
        cause = rng.standard_normal(T)
        effect = rng.standard_normal(T)
        delay = 4 if "lag 4" in name else 1
        effect[delay:] += coupling * cause[:-delay]
        if "feedback" in name:
            cause[1:] += 0.4 * effect[:-1]
        if "large mean" in name:
            cause, effect = cause + 50.0, effect - 20.0
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
            (math.log(rss_ratio * df_u / df_r),
             "you divided each RSS by its degrees of freedom: use the maximum-likelihood variances RSS / n, "
             "whose common 1/n cancels, so F = ln(RSS_r / RSS_u)."),
            (n * F, "that is n F, the likelihood-ratio statistic: divide by the n = T - L rows."),
            (F_back, "you swapped cause and effect: the target of both regressions is the effect."),
            (float(f_test.f_stat[0, 1]), "that is the F statistic of the F-test, not Geweke's measure."),
        ]
        yield name, (cause.copy(), effect.copy(), lag), F, hints


def _judge_geweke(got, expected, hints):
    wanted = "return Geweke's measure, a single number (nats)"
    if got is None:
        return False, f"your function returned None: {wanted} (did you forget the return statement?)."
    value, problem = _real_scalar(got, wanted, wanted, "the measure")
    if problem:
        return False, problem
    if np.isclose(value, expected, **_GEWEKE_TOL):
        return True, "ok"
    message = f"expected F={expected:.6g}, got {value:.6g}"
    matching = [hint for wrong, hint in hints if np.isclose(value, wrong, **_GEWEKE_TOL)]
    if matching:
        return False, message + ": " + " Or: ".join(matching)
    return False, message + (": check that both regressions have an intercept, L lags and the same "
                             "n = T - L rows.")


def check_geweke_strength(func: Callable, verbose: bool = True) -> CheckReport:
    """Check a student's Geweke measure of Granger causality against hidden cases.

    Parameters
    ----------
    func : callable
        ``func(cause, effect, lag) -> F`` where ``cause`` and ``effect`` are arrays of shape (T,),
        returning ``F = ln(RSS_r / RSS_u)`` (nats): the restricted regression of ``effect(t)`` on an
        intercept and its own ``lag`` lags, the unrestricted one adding ``lag`` lags of ``cause``,
        both on the same ``n = T - lag`` rows. Compared with
        :func:`gcbook.granger.granger_strength`: a case passes within a relative tolerance of 1e-6.
    verbose : bool
        Print the report.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> def my_strength(cause, effect, lag):
    ...     return granger_strength(np.column_stack([cause, effect]), lag).strength[0, 1]
    >>> check_geweke_strength(my_strength, verbose=False).passed
    True
    >>> def half(cause, effect, lag):
    ...     return my_strength(cause, effect, lag) / 2
    >>> report = check_geweke_strength(half, verbose=False)
    >>> report.n_passed
    0
    >>> "transfer entropy" in report.cases[1].message
    True
    """
    return _run_cases("Exercise: Geweke's measure of Granger causality", func, _geweke_cases(), _judge_geweke,
                      verbose)
