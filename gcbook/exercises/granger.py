"""Checkers of the chapter "Granger causality" (``book/granger.md``).

:func:`check_granger_f` (the pairwise Granger F statistic and its p-value) and
:func:`check_benjamini_hochberg` (the Benjamini-Hochberg step-up procedure), built on
:mod:`gcbook.exercises._common`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import stats

from gcbook.exercises._common import CheckReport, _run_cases
from gcbook.granger import granger_test

__all__ = [
    "check_granger_f",
    "check_benjamini_hochberg",
]


def _granger_pair_cases():
    """Hidden cases for the F-statistic exercise: short and long series, coupled and not."""
    settings = [
        ("T=40, lag=1, no coupling", 40, 1, 0.0, 11),
        ("T=120, lag=2, strong coupling", 120, 2, 0.8, 12),
        ("T=60, lag=4, weak coupling", 60, 4, 0.3, 13),
        ("T=500, lag=3, no coupling, large mean", 500, 3, 0.0, 14),
        ("T=35, lag=5, coupling at lag 5 only", 35, 5, 0.9, 15),
    ]
    for name, T, lag, coupling, seed in settings:
        rng = np.random.default_rng(seed)
        cause = rng.standard_normal(T) + (100.0 if "large mean" in name else 0.0)
        effect = rng.standard_normal(T)
        delay = 5 if "lag 5" in name else 1
        effect[delay:] += coupling * cause[:-delay]
        result = granger_test(np.column_stack([cause, effect]), lag)
        f_true, p_true = result.f_stat[0, 1], result.p_value[0, 1]
        n = T - lag
        # Common mistakes, recognised by recomputing F with the wrong degrees of freedom.
        hints = [
            (f_true * (n - 2 * lag) / result.df_den,
             "your F looks right except for the denominator degrees of freedom: did you forget the intercept "
             "(k_u = 2L + 1)?"),
            (f_true * (T - 2 * lag - 1) / result.df_den,
             "your F uses T instead of n = T - L usable rows in the degrees of freedom."),
            (f_true * lag, "you did not divide the numerator by its degrees of freedom L."),
        ]
        yield name, (cause.copy(), effect.copy(), lag), (f_true, p_true), hints


def _judge_f(got, expected, hints):
    try:
        f_got, p_got = (float(v) for v in got)
    except (TypeError, ValueError):
        return False, f"return a pair (F, p_value) of numbers, got {got!r}."
    f_true, p_true = expected
    f_ok = np.isclose(f_got, f_true, rtol=1e-6, atol=1e-10)
    p_ok = np.isclose(p_got, p_true, rtol=1e-6, atol=1e-12)
    if f_ok and p_ok:
        return True, "ok"
    matching = [hint for wrong_f, hint in hints if np.isclose(f_got, wrong_f, rtol=1e-6)]
    if matching:
        return False, f"expected F={f_true:.6g}, got {f_got:.6g}: " + " Or: ".join(matching)
    if f_ok:
        return False, (f"F is right ({f_got:.6g}) but expected p={p_true:.6g}, got {p_got:.6g}: the p-value is the "
                       "upper tail of F(L, n - 2L - 1), scipy.stats.f.sf(F, dfn, dfd).")
    if p_ok:
        return False, f"p-value is right but expected F={f_true:.6g}, got {f_got:.6g}."
    return False, f"expected F={f_true:.6g} and p={p_true:.6g}, got F={f_got:.6g} and p={p_got:.6g}."


def check_granger_f(func: Callable, verbose: bool = True) -> CheckReport:
    """Check a student's pairwise Granger F-test against hidden cases.

    Parameters
    ----------
    func : callable
        ``func(cause, effect, lag) -> (F, p_value)`` where ``cause`` and ``effect`` are arrays of
        shape (T,) and the test is whether ``cause`` Granger-causes ``effect`` with ``lag`` lags and
        an intercept in both regressions.
    verbose : bool
        Print the report.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> def my_test(cause, effect, lag):
    ...     res = granger_test(np.column_stack([cause, effect]), lag)
    ...     return res.f_stat[0, 1], res.p_value[0, 1]
    >>> check_granger_f(my_test, verbose=False).passed
    True
    """
    return _run_cases("Exercise: the Granger F statistic", func, _granger_pair_cases(), _judge_f, verbose)


def _bh_cases():
    """Hidden cases for Benjamini-Hochberg: signals among nulls, ties, and nothing significant."""
    rng = np.random.default_rng(2024)
    mixed = np.concatenate([rng.uniform(0, 1, 40), rng.uniform(0, 1e-3, 10)])
    rng.shuffle(mixed)
    settings = [
        ("50 p-values, 10 strong signals, q=0.05", mixed, 0.05),
        ("only nulls, q=0.1", rng.uniform(0, 1, 30), 0.1),
        ("ties at the threshold, q=0.05", np.array([0.01, 0.02, 0.02, 0.03, 0.5, 0.04]), 0.05),
        ("step-up beats step-down, q=0.05", np.array([0.049, 0.049, 0.049, 0.049]), 0.05),
        ("a single test, q=0.05", np.array([0.03]), 0.05),
    ]
    for name, p_values, q in settings:
        adjusted = stats.false_discovery_control(p_values, method="bh")
        expected = adjusted <= q
        naive = p_values <= q
        bonferroni = p_values * p_values.size <= q
        step_down = _step_down(p_values, q)
        hints = {}
        for mistake, hint in [
            (naive, "you rejected every p-value below q: that is no correction at all."),
            (bonferroni, "that is Bonferroni (p * m <= q), which controls the FWER, not BH."),
            (step_down, "you stopped at the first p_(k) > kq/m; BH is a step-UP rule: find the "
                        "LARGEST k with p_(k) <= kq/m and reject all p-values up to it."),
        ]:
            if not np.array_equal(mistake, expected):
                hints.setdefault(mistake.tobytes(), []).append(hint)
        yield name, (p_values.copy(), q), expected, hints


def _step_down(p_values, q):
    order = np.argsort(p_values)
    m = p_values.size
    below = p_values[order] <= q * np.arange(1, m + 1) / m
    k = m if below.all() else int(np.argmin(below))
    rejected = np.zeros(m, dtype=bool)
    rejected[order[:k]] = True
    return rejected


def _judge_bh(got, expected, hints):
    got = np.asarray(got)
    if got.shape != expected.shape:
        return False, f"return a boolean array of shape {expected.shape}, got shape {got.shape}."
    got = got.astype(bool)
    if np.array_equal(got, expected):
        return True, "ok"
    hint = " Or: ".join(hints.get(got.tobytes(), []))
    hint = hint[:1].upper() + hint[1:]
    return False, (f"expected {int(expected.sum())} rejections, got {int(got.sum())} "
                   f"({int((got & ~expected).sum())} too many, {int((~got & expected).sum())} missed). {hint}").strip()


def check_benjamini_hochberg(func: Callable, verbose: bool = True) -> CheckReport:
    """Check a student's Benjamini-Hochberg procedure against hidden cases.

    Parameters
    ----------
    func : callable
        ``func(p_values, q) -> rejected`` with ``p_values`` of shape (m,) and ``rejected`` a
        boolean array of shape (m,), True where the hypothesis is rejected at FDR level ``q``.
    verbose : bool
        Print the report.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> report = check_benjamini_hochberg(lambda p_values, q: p_values <= q, verbose=False)
    >>> report.passed
    False
    >>> print(report.cases[1].message)
    expected 0 rejections, got 2 (2 too many, 0 missed). You rejected every p-value below q: that is no correction at all.
    """
    return _run_cases("Exercise: Benjamini-Hochberg", func, _bh_cases(), _judge_bh, verbose)
