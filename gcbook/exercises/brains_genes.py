"""Checker of the chapter "Causal discovery on brains and genes" (``book/brains_genes.md``).

:func:`check_pooled_lag_matrix` (the lagged design of several recordings, no window across a
seam), built on :mod:`gcbook.exercises._common`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from gcbook.exercises._common import CheckReport, _as_float_array, _run_cases
from gcbook.granger import pooled_lag_matrix

__all__ = [
    "check_pooled_lag_matrix",
]

_HINT_POOLED_CONCATENATED = ("you seem to have concatenated the recordings into one series first: "
                             "windows then reach across the seams between recordings.")
_HINT_POOLED_REVERSED = "the lag axis is reversed: lags[t, i, 0] is the most recent value, x_i one step back."
_HINT_POOLED_TRANSPOSED = "the last two axes are swapped: lags has shape (rows, p, lag), variables before lags."
_HINT_POOLED_TARGETS = "the targets differ: the rows of recording r are its x(t) for t = lag, ..., T_r - 1."


def _pooled_cases():
    """Hidden cases: equal and unequal lengths, a recording with a single window, several lags."""
    settings = [
        ("two recordings of equal length, lag 1", (30, 30), 3, 1, 31),
        ("three recordings of different lengths, lag 2", (5, 12, 40), 2, 2, 32),
        ("a recording with a single window, lag 3", (4, 20), 4, 3, 33),
        ("five short recordings with shifted means, lag 2", (8, 9, 10, 11, 12), 3, 2, 34),
    ]
    for name, lengths, p, lag, seed in settings:
        rng = np.random.default_rng(seed)
        recordings = [rng.normal(size=(T, p)) + 10.0 * r for r, T in enumerate(lengths)]
        expected = pooled_lag_matrix(recordings, lag)
        concatenated = pooled_lag_matrix([np.concatenate(recordings)], lag)
        yield name, ([X.copy() for X in recordings], lag), expected, concatenated


def _judge_pooled(got, expected, concatenated):
    wanted = "return the pair (Y, lags)"
    if got is None:
        return False, f"your function returned None: {wanted} (did you forget the return statement?)."
    try:
        Y, lags = got
        Y, lags = _as_float_array(Y), _as_float_array(lags)
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


def check_pooled_lag_matrix(func: Callable, verbose: bool = True) -> CheckReport:
    """Check a student's lagged design of several recordings against hidden cases.

    Parameters
    ----------
    func : callable
        ``func(recordings, lag) -> (Y, lags)`` where ``recordings`` is a list of arrays of shape
        ``(T_r, p)``; ``Y`` has shape ``(sum_r (T_r - lag), p)`` and ``lags`` shape
        ``(sum_r (T_r - lag), p, lag)`` with ``lags[t, i, k-1]`` the value of variable ``i``
        ``k`` steps before target row ``t``, recording after recording, no window across a seam.
        Compared with :func:`gcbook.granger.pooled_lag_matrix` (exact up to rounding).
    verbose : bool
        Print the report.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> check_pooled_lag_matrix(pooled_lag_matrix, verbose=False).passed
    True
    >>> def concatenated(recordings, lag):
    ...     return pooled_lag_matrix([np.concatenate(recordings)], lag)
    >>> report = check_pooled_lag_matrix(concatenated, verbose=False)
    >>> report.n_passed, "seams" in report.cases[0].message
    (0, True)
    """
    return _run_cases("Exercise: pooling recordings without crossing a seam", func, _pooled_cases(),
                      _judge_pooled, verbose)
