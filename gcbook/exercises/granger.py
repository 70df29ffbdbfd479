"""Checkers of the chapter "Granger causality" (``book/granger.md``).

:func:`check_granger_f` (the pairwise Granger F statistic and its p-value) and
:func:`check_benjamini_hochberg` (the Benjamini-Hochberg step-up procedure), built on
:mod:`gcbook.exercises._common`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import stats

from gcbook.exercises._common import CheckReport, Forbidden, run_cases
from gcbook.granger import granger_test

__all__ = [
    "check_granger_f",
    "check_benjamini_hochberg",
]


_GRANGER_FORBIDDEN = Forbidden(
    modules=("gcbook.granger", "gcbook.window", "gcbook.spectral", "gcbook.suite", "statsmodels"),
    names=(
        "gcbook.granger.granger_test",
        "gcbook.granger.granger_strength",
        "gcbook.granger.fit_var",
        "gcbook.granger.lag_matrix",
        "gcbook.window.window_granger",
        "statsmodels.tsa.stattools.grangercausalitytests",
        "statsmodels.tsa.api.VAR",
        "statsmodels.regression.linear_model.OLS",
    ),
    advice="write it with NumPy and SciPy",
)


def _granger_pair_cases(seed=None):
    """Hidden cases for the F-statistic exercise: short and long series, coupled and not, drawn at each call.

    ``cause`` and ``effect`` are white noise, N(0, 1), from ``np.random.default_rng(seed)``
    (``seed=None``: fresh entropy), with ``effect[t] += coupling * cause[t - delay]``:

    1. T uniform in 30..60, lag 1, no coupling;
    2. T in 80..200, lag 2, strong coupling, uniform in [0.6, 0.9] (delay 1);
    3. T in 50..100, lag 3 or 4, weak coupling in [0.2, 0.4] (delay 1);
    4. T in 300..600, lag 2 or 3, no coupling, a mean of +-[50, 150] added to the cause;
    5. T in 30..45, lag 5, coupling in [0.7, 0.95] at delay 5 only.
    """
    rng = np.random.default_rng(seed)
    draws = [
        (int(rng.integers(30, 61)), 1, 0.0, 1, 0.0),
        (int(rng.integers(80, 201)), 2, float(rng.uniform(0.6, 0.9)), 1, 0.0),
        (int(rng.integers(50, 101)), int(rng.integers(3, 5)), float(rng.uniform(0.2, 0.4)), 1, 0.0),
        (
            int(rng.integers(300, 601)),
            int(rng.integers(2, 4)),
            0.0,
            1,
            float(rng.uniform(50, 150) * rng.choice([-1, 1])),
        ),
        (int(rng.integers(30, 46)), 5, float(rng.uniform(0.7, 0.95)), 5, 0.0),
    ]
    kinds = ["no coupling", "strong coupling", "weak coupling", "no coupling, large mean", "coupling at lag 5 only"]
    for kind, (T, lag, coupling, delay, mean) in zip(kinds, draws):
        name = f"T={T}, lag={lag}, {kind}"
        cause = rng.standard_normal(T) + mean
        effect = rng.standard_normal(T)
        effect[delay:] += coupling * cause[:-delay]
        result = granger_test(np.column_stack([cause, effect]), lag)
        f_true, p_true = result.f_stat[0, 1], result.p_value[0, 1]
        n = T - lag
        # Common mistakes, recognised by recomputing F with the wrong degrees of freedom.
        hints = [
            (
                f_true * (n - 2 * lag) / result.df_den,
                "your F looks right except for the denominator degrees of freedom: did you forget the intercept "
                "(k_u = 2L + 1)?",
            ),
            (
                f_true * (T - 2 * lag - 1) / result.df_den,
                "your F uses T instead of n = T - L usable rows in the degrees of freedom.",
            ),
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
        return False, (
            f"F is right ({f_got:.6g}) but expected p={p_true:.6g}, got {p_got:.6g}: the p-value is the "
            "upper tail of F(L, n - 2L - 1), scipy.stats.f.sf(F, dfn, dfd)."
        )
    if p_ok:
        return False, f"p-value is right but expected F={f_true:.6g}, got {f_got:.6g}."
    return False, f"expected F={f_true:.6g} and p={p_true:.6g}, got F={f_got:.6g} and p={p_got:.6g}."


def check_granger_f(func: Callable, verbose: bool = True, seed=None) -> CheckReport:
    """Check a student's pairwise Granger F-test against hidden cases drawn at check time.

    Parameters
    ----------
    func : callable
        ``func(cause, effect, lag) -> (F, p_value)`` where ``cause`` and ``effect`` are arrays of
        shape (T,) and the test is whether ``cause`` Granger-causes ``effect`` with ``lag`` lags and
        an intercept in both regressions. Compared with :func:`gcbook.granger.granger_test`. The
        exercise asks for NumPy and SciPy only: a case whose call reaches :mod:`gcbook.granger`
        (or :mod:`gcbook.window`, :mod:`gcbook.spectral`, :ref:`ref-result-shape`) or statsmodels,
        however imported, fails with a message that names the call.
    verbose : bool
        Print the report.
    seed : None, int or numpy.random.Generator
        Where the five cases are drawn from (their distributions: ``_granger_pair_cases``): short
        and long series, no, weak and strong coupling, a large mean, coupling at lag 5 only.
        ``None`` (the default) draws fresh cases at every call; a seed repeats them.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> from scipy import stats
    >>> def my_test(cause, effect, lag):
    ...     T = len(effect)
    ...     own = np.column_stack([np.ones(T - lag)] + [effect[lag - k:T - k] for k in range(1, lag + 1)])
    ...     both = np.column_stack([own] + [cause[lag - k:T - k] for k in range(1, lag + 1)])
    ...     rss = [np.sum((effect[lag:] - Z @ np.linalg.lstsq(Z, effect[lag:], rcond=None)[0]) ** 2)
    ...            for Z in (own, both)]
    ...     df = T - lag - 2 * lag - 1
    ...     F = (rss[0] - rss[1]) / lag / (rss[1] / df)
    ...     return F, stats.f.sf(F, lag, df)
    >>> check_granger_f(my_test, verbose=False).passed
    True
    >>> def shortcut(cause, effect, lag):
    ...     res = granger_test(np.column_stack([cause, effect]), lag)
    ...     return res.f_stat[0, 1], res.p_value[0, 1]
    >>> print(check_granger_f(shortcut, verbose=False).cases[0].message)  # doctest: +ELLIPSIS
    your function calls gcbook.granger.granger_test, which this exercise forbids: write it with NumPy and SciPy (its answer ...
    """
    return run_cases(
        "Exercise: the Granger F statistic",
        func,
        _granger_pair_cases(seed),
        _judge_f,
        verbose,
        forbidden=_GRANGER_FORBIDDEN,
    )


_BH_FORBIDDEN = Forbidden(
    modules=("gcbook.granger", "statsmodels", "scipy.stats._morestats"),
    names=(
        "gcbook.granger.adjust_p_values",
        "statsmodels.stats.multitest.multipletests",
        "statsmodels.stats.multitest.fdrcorrection",
        "scipy.stats.false_discovery_control",
    ),
)


def _bh_clear_of_thresholds(p_values, q):
    """No p-value within 1e-9 (relative) of a threshold k q / m: a rounding error cannot flip a decision."""
    m = p_values.size
    thresholds = q * np.arange(1, m + 1) / m
    return bool(np.all(np.abs(p_values[:, None] - thresholds[None, :]) > 1e-9 * thresholds[None, :]))


def _draw_bh_case(rng, kind):
    """One case ``(name, p_values, q)`` of ``kind`` (0..4); see :func:`_bh_cases` for the distributions."""
    while True:  # redraw until the case has the property that makes it a case of its kind
        if kind == 0:
            m, k = int(rng.integers(30, 81)), int(rng.integers(5, 16))
            p_values = rng.permutation(np.concatenate([rng.uniform(0, 1, m - k), rng.uniform(0, 1e-3, k)]))
            q, name = 0.05, f"{m} p-values, {k} strong signals, q=0.05"
            ok = True
        elif kind == 1:
            m = int(rng.integers(20, 51))
            p_values, q, name = rng.uniform(0, 1, m), 0.1, "only nulls, q=0.1"
            ok = _bh_reference(p_values, q).sum() == 0 and (p_values <= q).any()
        elif kind == 2:
            m = int(rng.integers(5, 11))
            p_values = np.round(rng.uniform(0.0, 0.06, m), 3)  # on a grid of 0.001: ties
            p_values[rng.integers(m)] = rng.uniform(0.3, 1.0)
            q, name = 0.05, "ties at the threshold, q=0.05"
            expected = _bh_reference(p_values, q)
            tied = any(np.sum(p_values == value) > 1 for value in p_values[expected])
            ok = tied and expected.sum() >= 2 and not np.array_equal(_step_down(p_values, q), expected)
        elif kind == 3:
            m = int(rng.integers(3, 9))
            p_values = np.full(m, rng.uniform((m - 1) / m * 0.05 * 1.01, 0.05 * 0.99))
            q, name = 0.05, "step-up beats step-down, q=0.05"
            ok = True
        else:
            p_values, q, name = rng.uniform(0.0, 0.1, 1), 0.05, "a single test, q=0.05"
            ok = True
        if ok and _bh_clear_of_thresholds(p_values, q):
            return name, p_values, q


def _bh_reference(p_values, q):
    return stats.false_discovery_control(p_values, method="bh") <= q


def _bh_cases(seed=None):
    """Hidden cases for Benjamini-Hochberg: signals among nulls, ties, and nothing significant, drawn at each call.

    From ``np.random.default_rng(seed)`` (``seed=None``: fresh entropy), each case redrawn until
    no p-value lies within 1e-9 of a threshold k q / m and it has the property in brackets:

    1. m uniform in 30..80 p-values, k in 5..15 of them strong signals U[0, 1e-3], the rest U[0, 1], q = 0.05;
    2. only nulls: m in 20..50 p-values U[0, 1], q = 0.1 [BH rejects none, some p <= q];
    3. ties: m in 5..10 p-values U[0, 0.06] rounded to 0.001, one U[0.3, 1], q = 0.05 [a tied
       p-value among at least two rejections, and the step-down rule rejects fewer];
    4. step-up beats step-down: m in 3..8 equal p-values, U[1.01 (m-1)/m q, 0.99 q], q = 0.05;
    5. a single p-value U[0, 0.1], q = 0.05.
    """
    rng = np.random.default_rng(seed)
    for kind in range(5):
        name, p_values, q = _draw_bh_case(rng, kind)
        expected = _bh_reference(p_values, q)
        naive = p_values <= q
        bonferroni = p_values * p_values.size <= q
        step_down = _step_down(p_values, q)
        hints = {}
        for mistake, hint in [
            (naive, "you rejected every p-value below q: that is no correction at all."),
            (bonferroni, "that is Bonferroni (p * m <= q), which controls the FWER, not BH."),
            (
                step_down,
                "you stopped at the first p_(k) > kq/m; BH is a step-UP rule: find the "
                "LARGEST k with p_(k) <= kq/m and reject all p-values up to it.",
            ),
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
    return False, (
        f"expected {int(expected.sum())} rejections, got {int(got.sum())} "
        f"({int((got & ~expected).sum())} too many, {int((~got & expected).sum())} missed). {hint}"
    ).strip()


def check_benjamini_hochberg(func: Callable, verbose: bool = True, seed=None) -> CheckReport:
    """Check a student's Benjamini-Hochberg procedure against hidden cases drawn at check time.

    Parameters
    ----------
    func : callable
        ``func(p_values, q) -> rejected`` with ``p_values`` of shape (m,) and ``rejected`` a
        boolean array of shape (m,), True where the hypothesis is rejected at FDR level ``q``.
        The exercise asks for NumPy only: a case whose call reaches
        :func:`gcbook.granger.adjust_p_values` (any of :mod:`gcbook.granger`), statsmodels'
        ``multipletests`` (any of statsmodels) or :func:`scipy.stats.false_discovery_control`,
        however imported, fails with a message that names the call.
    verbose : bool
        Print the report.
    seed : None, int or numpy.random.Generator
        Where the five cases are drawn from (their distributions: ``_bh_cases``): signals among
        nulls, only nulls, ties, equal p-values where step-up and step-down differ, a single test.
        ``None`` (the default) draws fresh cases at every call; a seed repeats them.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> report = check_benjamini_hochberg(lambda p_values, q: p_values <= q, verbose=False)
    >>> report.passed
    False
    >>> print(report.cases[1].message)  # doctest: +ELLIPSIS
    expected 0 rejections, got ... You rejected every p-value below q: that is no correction at all.
    >>> from scipy.stats import false_discovery_control
    >>> report = check_benjamini_hochberg(lambda p_values, q: false_discovery_control(p_values) <= q, verbose=False)
    >>> print(report.cases[0].message)  # doctest: +ELLIPSIS
    your function calls scipy.stats.false_discovery_control, which this exercise forbids: write it with NumPy (its ...
    """
    return run_cases("Exercise: Benjamini-Hochberg", func, _bh_cases(seed), _judge_bh, verbose, forbidden=_BH_FORBIDDEN)
