"""Checker of the chapter "Causal discovery on brains and genes" (``book/brains_genes.md``).

:func:`check_pooled_lag_matrix` (the lagged design of several recordings, no window across a
seam), built on :mod:`gcbook.exercises._common`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from gcbook.exercises._common import CheckReport, Forbidden, answer_array, run_cases
from gcbook.granger import pooled_lag_matrix

__all__ = [
    "check_pooled_lag_matrix",
]

_HINT_POOLED_CONCATENATED = (
    "you seem to have concatenated the recordings into one series first: "
    "windows then reach across the seams between recordings."
)
_HINT_POOLED_REVERSED = "the lag axis is reversed: lags[t, i, 0] is the most recent value, x_i one step back."
_HINT_POOLED_TRANSPOSED = "the last two axes are swapped: lags has shape (rows, p, lag), variables before lags."
_HINT_POOLED_TARGETS = "the targets differ: the rows of recording r are its x(t) for t = lag, ..., T_r - 1."


_POOLED_FORBIDDEN = Forbidden(
    modules=("gcbook.granger", "statsmodels"),
    names=("gcbook.granger.pooled_lag_matrix", "gcbook.granger.lag_matrix", "statsmodels.tsa.tsatools.lagmat"),
)


def _pooled_cases(seed=None):
    """Hidden cases: equal and unequal lengths, a recording with a single window, several lags; drawn at each call.

    From ``np.random.default_rng(seed)`` (``seed=None``: fresh entropy); recording ``r`` is N(0, 1)
    noise plus ``10 r`` (so a row taken from the wrong recording shows):

    1. two recordings of equal length T uniform in 20..40, p in 2..4 variables, lag 1;
    2. three recordings of lengths in 4..6, 10..15 and 30..50 (in random order), p in 2..4, lag 2;
    3. a recording of length 4 (a single window) and one of length in 15..25, in random order,
       p in 3..5, lag 3;
    4. five recordings of lengths in 6..14, p in 2..4, lag 2.
    """
    rng = np.random.default_rng(seed)

    def p():
        return int(rng.integers(2, 5))

    T = int(rng.integers(20, 41))
    settings = [
        ("two recordings of equal length, lag 1", (T, T), p(), 1),
        (
            "three recordings of different lengths, lag 2",
            tuple(rng.permutation([int(rng.integers(4, 7)), int(rng.integers(10, 16)), int(rng.integers(30, 51))])),
            p(),
            2,
        ),
        (
            "a recording with a single window, lag 3",
            tuple(rng.permutation([4, int(rng.integers(15, 26))])),
            int(rng.integers(3, 6)),
            3,
        ),
        ("five short recordings with shifted means, lag 2", tuple(int(t) for t in rng.integers(6, 15, 5)), p(), 2),
    ]
    for name, lengths, p, lag in settings:
        recordings = [rng.normal(size=(int(T), p)) + 10.0 * r for r, T in enumerate(lengths)]
        expected = pooled_lag_matrix(recordings, lag)
        concatenated = pooled_lag_matrix([np.concatenate(recordings)], lag)
        yield name, ([X.copy() for X in recordings], lag), expected, concatenated


def _judge_pooled(got, expected, concatenated):
    wanted = "return the pair (Y, lags)"
    if got is None:
        return False, f"your function returned None: {wanted} (did you forget the return statement?)."
    try:
        Y, lags = got
        Y, lags = answer_array(Y), answer_array(lags)
    except (TypeError, ValueError):
        return False, f"{wanted}: two arrays, the targets and the lagged predictors."
    Y_ref, lags_ref = expected
    if Y.shape != Y_ref.shape or lags.shape != lags_ref.shape:
        message = f"expected shapes {Y_ref.shape} and {lags_ref.shape}, got {Y.shape} and {lags.shape}"
        if Y.shape == concatenated[0].shape:
            return False, f"{message}: {_HINT_POOLED_CONCATENATED}"
        if lags.shape == lags_ref.shape[:1] + lags_ref.shape[:0:-1] and lags_ref.shape[1] != lags_ref.shape[2]:
            return False, f"{message}: {_HINT_POOLED_TRANSPOSED}"
        return False, message + "."
    if not np.allclose(Y, Y_ref):
        return False, _HINT_POOLED_TARGETS
    if not np.allclose(lags, lags_ref):
        if np.allclose(lags[:, :, ::-1], lags_ref):
            return False, f"the lagged predictors differ: {_HINT_POOLED_REVERSED}"
        if np.allclose(lags.transpose(0, 2, 1), lags_ref):
            return False, f"the lagged predictors differ: {_HINT_POOLED_TRANSPOSED}"
        return False, "the lagged predictors differ: lags[t, i, k-1] is x_i k steps before target row t."
    return True, "ok"


def check_pooled_lag_matrix(func: Callable, verbose: bool = True, seed=None) -> CheckReport:
    """Check a student's lagged design of several recordings against hidden cases drawn at check time.

    Parameters
    ----------
    func : callable
        ``func(recordings, lag) -> (Y, lags)`` where ``recordings`` is a list of arrays of shape
        ``(T_r, p)``; ``Y`` has shape ``(sum_r (T_r - lag), p)`` and ``lags`` shape
        ``(sum_r (T_r - lag), p, lag)`` with ``lags[t, i, k-1]`` the value of variable ``i``
        ``k`` steps before target row ``t``, recording after recording, no window across a seam.
        Compared with :func:`gcbook.granger.pooled_lag_matrix` (exact up to rounding). The
        exercise asks for NumPy only: a case whose call reaches :mod:`gcbook.granger` (its
        ``pooled_lag_matrix``, ``lag_matrix``) or statsmodels, however imported, fails with a
        message that names the call.
    verbose : bool
        Print the report.
    seed : None, int or numpy.random.Generator
        Where the four cases are drawn from (their distributions: ``_pooled_cases``): equal and
        unequal lengths, a recording with a single window, five short recordings, lags 1 to 3.
        ``None`` (the default) draws fresh cases at every call; a seed repeats them.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> def my_pooled(recordings, lag):
    ...     rows = [(X[t], X[t - np.arange(1, lag + 1)].T) for X in recordings for t in range(lag, len(X))]
    ...     return np.array([y for y, _ in rows]), np.array([lags for _, lags in rows])
    >>> check_pooled_lag_matrix(my_pooled, verbose=False).passed
    True
    >>> report = check_pooled_lag_matrix(lambda recordings, lag: my_pooled([np.concatenate(recordings)], lag),
    ...                                  verbose=False)
    >>> report.n_passed, "seams" in report.cases[0].message
    (0, True)
    >>> print(check_pooled_lag_matrix(pooled_lag_matrix, verbose=False).cases[0].message)  # doctest: +ELLIPSIS
    your function calls gcbook.granger.pooled_lag_matrix, which this exercise forbids: write it with NumPy (its ...
    """
    return run_cases(
        "Exercise: pooling recordings without crossing a seam",
        func,
        _pooled_cases(seed),
        _judge_pooled,
        verbose,
        forbidden=_POOLED_FORBIDDEN,
    )
