"""Checker of the chapter "Which method when?" (``book/capstone.md``).

:func:`check_auprc` (average precision of edge scores), built on :mod:`gcbook.exercises._common`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import stats

from gcbook.exercises._common import CheckReport, _real_scalar, _run_cases

__all__ = [
    "check_auprc",
]


_AUPRC_TOL = 1e-9
_HINT_AUPRC_DIAGONAL = (
    "you included the diagonal: the self-loops i -> i are not edges between variables. Evaluate the "
    "off-diagonal entries only, e.g. keep = ~np.eye(p, dtype=bool), then A_true[keep] and scores[keep]."
)
_HINT_AUPRC_TRAPEZOID = (
    "you interpolated the precision-recall curve linearly (trapezoids, as sklearn.metrics.auc(recall, precision) "
    "does). Average precision is the step sum AP = sum_k (R_k - R_{k-1}) P_k: each threshold's precision "
    "times the recall it adds, with no interpolation between the points of the curve."
)
_HINT_AUPRC_TIES = (
    "you ranked tied scores one at a time (in some order, e.g. by index); entries with the same score cross "
    "the threshold together. Take each distinct score t once, in decreasing order, predict every entry with "
    "score >= t, and add one step (R_k - R_{k-1}) P_k per distinct score."
)
_HINT_AUPRC_AUROC = (
    "that is the AUROC (true against false positive rate). The AUPRC uses precision and recall: "
    "AP = sum_k (R_k - R_{k-1}) P_k, whose chance level is the edge density, not 0.5."
)
_HINT_AUPRC_ABS = (
    "you took |scores|: use the scores as given, higher = more confident; a large negative score is a "
    "confident 'no edge'."
)
_HINT_AUPRC_TRANSPOSED = (
    "you compared the score of i -> j with A_true[j, i]: both matrices have the cause on the rows "
    "(A_true[i, j] = 1 means i -> j), so compare scores[i, j] with A_true[i, j], without a transpose."
)
_HINT_AUPRC_FIXED = (
    "that is the precision at a single threshold, not the area under the curve: AP adds up the precision P_k "
    "at every distinct score threshold, each weighted by the recall it adds, R_k - R_{k-1}."
)
_HINT_AUPRC_MEAN_PRECISION = (
    "you averaged the precisions of the thresholds with equal weights; weight each P_k by the recall it adds, "
    "R_k - R_{k-1}, so thresholds that add no true edge count for nothing."
)
_HINT_AUPRC_REVERSED = (
    "you ranked the scores in increasing order: a higher score means more confident, so the first threshold "
    "is the largest score."
)


def _pr_steps(y, s):
    """Precision and recall at each distinct score of 1-D labels ``y`` and scores ``s``, highest score first."""
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order].astype(float)
    last = np.r_[np.flatnonzero(np.diff(s)), s.size - 1]  # the last entry of each run of tied scores
    tps = np.cumsum(y)[last]
    return tps / (last + 1.0), tps / tps[-1]


def _ap_one_at_a_time(y, order):
    """Average precision with every entry its own threshold, in the given ``order`` (ties broken by it)."""
    y = y[order].astype(float)
    precision = np.cumsum(y) / np.arange(1.0, y.size + 1.0)
    return float(np.sum(precision * y) / y.sum())


def _trapezoids(recall, precision):
    """The trapezoidal area under the points ``(recall[k], precision[k])``, recall non-decreasing."""
    return float(np.sum(np.diff(recall) * (precision[1:] + precision[:-1]) / 2.0))


def _auprc_methods(y, s, y_columns, s_columns):
    """What typical (right or wrong) AUPRC computations return on 1-D labels and scores, as ``(value, hint)``.

    ``hint`` is None for the right method, average precision. ``y_columns``, ``s_columns`` are the
    same entries in column-major order, for ties broken by that order.
    """
    precision, recall = _pr_steps(y, s)
    values = [(float(np.sum(np.diff(np.r_[0.0, recall]) * precision)), None)]
    trapezoid = _trapezoids(np.r_[0.0, recall], np.r_[1.0, precision])
    values += [
        (trapezoid, _HINT_AUPRC_TRAPEZOID),
        (-trapezoid, _HINT_AUPRC_TRAPEZOID),  # np.trapz(precision, recall) on scikit-learn's decreasing recall
        (_trapezoids(recall, precision), _HINT_AUPRC_TRAPEZOID),  # without the point (0, 1)
        (_trapezoids(np.r_[0.0, recall], np.r_[precision[0], precision]), _HINT_AUPRC_TRAPEZOID),  # from (0, P_1)
    ]
    for labels, scores in ((y, s), (y_columns, s_columns)):
        for order in (np.argsort(-scores, kind="stable"), np.argsort(-scores),
                      np.argsort(scores, kind="stable")[::-1], np.argsort(scores)[::-1]):
            values.append((_ap_one_at_a_time(labels, order), _HINT_AUPRC_TIES))
    values += [
        (_ap_one_at_a_time(y, np.lexsort((-y.astype(float), -s))), _HINT_AUPRC_TIES),  # true edges first in a tie
        (_ap_one_at_a_time(y, np.lexsort((y.astype(float), -s))), _HINT_AUPRC_TIES),  # true edges last in a tie
    ]
    ranks = stats.rankdata(s)
    n_pos = int(y.sum())
    values.append(((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * (y.size - n_pos)), _HINT_AUPRC_AUROC))
    predictions = [s > 0, s >= 0, s > 0.5, s >= 0.5, s >= s.max(), s >= np.sort(s)[::-1][n_pos - 1]]
    for ranking in (np.argsort(-s, kind="stable"), np.argsort(-s), np.argsort(s)[::-1]):  # the top n_pos entries
        predictions.append(np.isin(np.arange(s.size), ranking[:n_pos]))
    values += [(float(np.mean(y[chosen])), _HINT_AUPRC_FIXED) for chosen in predictions if chosen.any()]
    values.append((float(np.mean(precision)), _HINT_AUPRC_MEAN_PRECISION))
    return values


def _auprc_mistakes(A, S, expected):
    """What typical wrong AUPRC functions return on the truth ``A`` and scores ``S``, each with its hints.

    Every wrong input (the diagonal, |scores|, the truth transposed, the ranking reversed) is combined
    with every method of :func:`_auprc_methods`. Returns a list of ``(wrong value, hints)`` with
    ``hints`` a tuple of one or two hint texts, leaving out the values within the tolerance of
    ``expected`` (a right answer must never get a hint).
    """
    p = A.shape[0]
    off = ~np.eye(p, dtype=bool)
    everything = np.ones((p, p), dtype=bool)
    inputs = [
        (A, S, off, None),
        (A, S, everything, _HINT_AUPRC_DIAGONAL),
        (A, np.abs(S), off, _HINT_AUPRC_ABS),
        (A.T, S, off, _HINT_AUPRC_TRANSPOSED),
        (A, -S, off, _HINT_AUPRC_REVERSED),
    ]
    mistakes = []
    for truth, scores, keep, input_hint in inputs:
        truth = truth.astype(bool)
        for value, method_hint in _auprc_methods(truth[keep], scores[keep], truth.T[keep], scores.T[keep]):
            hints = tuple(hint for hint in (input_hint, method_hint) if hint is not None)
            if hints and np.isfinite(value) and abs(value - expected) > _AUPRC_TOL:
                mistakes.append((float(value), hints))
    return mistakes


def _auprc_cases():
    """Hidden cases for the average-precision exercise, with the answers of known mistakes.

    Yields ``(name, (A_true, scores), AP, hints)`` with ``AP`` the reference
    ``gcbook.metrics.auprc(A_true, scores, include_diagonal=False)`` and ``hints`` a list of
    ``(wrong AP, hints)``.
    """
    from gcbook.metrics import auprc

    rng = np.random.default_rng(8128)
    settings = []

    p = 10
    A = (rng.random((p, p)) < 0.2).astype(int)
    np.fill_diagonal(A, 1)  # self-loops, as simulators put them, with high scores
    S = np.abs(rng.standard_normal((p, p))) + 1.5 * A * rng.random((p, p))
    settings.append(("a random sparse graph with self-loops, continuous scores, p=10", A, S))

    p = 9
    A = (rng.random((p, p)) < 0.25).astype(int)
    np.fill_diagonal(A, 1)
    found = rng.random((p, p)) < np.where(A == 1, 0.7, 0.12)  # what a lasso keeps; the rest is exactly 0
    S = np.where(found, rng.uniform(0.02, 1.0, (p, p)), 0.0)
    np.fill_diagonal(S, rng.uniform(0.3, 0.9, p))
    settings.append(("|lasso coefficients|: many exact zeros (tied), p=9", A, S))

    p = 7
    order = rng.permutation(p)
    A = np.triu((rng.random((p, p)) < 0.4).astype(int), k=1)[np.ix_(order, order)]  # a DAG
    S = np.zeros((p, p))
    for i, j in zip(*np.nonzero(A)):
        u = rng.random()
        if u < 0.45:
            S[i, j] = 1.0  # oriented right
        elif u < 0.75:
            S[i, j] = S[j, i] = 0.5  # left undirected
        elif u < 0.9:
            S[j, i] = 1.0  # oriented the wrong way
    for i, j in zip(*np.nonzero(np.triu(A + A.T == 0, k=1))):
        if rng.random() < 0.15:  # a false adjacency
            S[i, j] = S[j, i] = 0.5
    settings.append(("a CPDAG read as scores (1 directed, 0.5 undirected, 0 absent), p=7", A, S))

    p = 6
    A = (rng.random((p, p)) < 0.3).astype(int)
    A[np.diag_indices(p)] = [1, 1, 0, 1, 1, 0]
    S = rng.random((p, p)) + 0.4 * A
    S[np.diag_indices(p)] = rng.uniform(3.0, 5.0, p)  # the largest scores are all self-loops
    settings.append(("true self-loops, with the largest scores on the diagonal, p=6", A, S))

    p = 9
    A = (rng.random((p, p)) < 0.2).astype(int)
    np.fill_diagonal(A, 0)
    S = np.where(A == 1, rng.uniform(1.5, 3.0, (p, p)), rng.uniform(0.0, 1.4, (p, p)))
    np.fill_diagonal(S, 0.0)
    settings.append(("a perfect ranking, p=9", A, S))

    p = 8
    A = (rng.random((p, p)) < 0.25).astype(int)
    np.fill_diagonal(A, 0)
    S = np.where(A == 1, rng.normal(0.5, 0.8, (p, p)), rng.normal(-1.5, 1.0, (p, p)))  # signed, e.g. a t-statistic
    settings.append(("negative scores (higher = more confident), p=8", A, S))

    p = 12
    A = np.zeros((p, p), dtype=int)
    A[7, 2] = 1
    S = rng.random((p, p))
    ranked = np.sort(S[~np.eye(p, dtype=bool)])[::-1]
    S[7, 2] = (ranked[1] + ranked[2]) / 2.0  # the third highest off-diagonal score: AP = 1/3
    settings.append(("a single true edge, p=12", A, S))

    for name, A, S in settings:
        expected = auprc(A, S, include_diagonal=False)
        yield name, (A.copy(), S.copy()), expected, _auprc_mistakes(A, S, expected)


def _format_two(expected, got):
    """``expected`` and ``got`` with enough digits to tell them apart."""
    for digits in (6, 9, 12, 17):
        a, b = f"{expected:.{digits}g}", f"{got:.{digits}g}"
        if a != b:
            break
    return a, b


def _judge_auprc(got, expected, hints):
    wanted = "return the AUPRC, a single number"
    if got is None:
        return False, f"your function returned None: {wanted} (did you forget the return statement?)."
    if isinstance(got, (bool, np.bool_)):
        return False, f"{wanted} between 0 and 1, got the boolean {got}."
    if hasattr(got, "detach"):  # a torch scalar
        got = got.detach().cpu().numpy()
    if isinstance(got, (tuple, list)) and len(got) in (2, 3) and all(np.ndim(part) == 1 for part in got):
        return False, (f"that looks like the curve itself (precision, recall, ...): {wanted}, the area "
                       "AP = sum_k (R_k - R_{k-1}) P_k.")
    ap, problem = _real_scalar(got, f"{wanted} for all the off-diagonal entries together", wanted, "the AUPRC")
    if problem:
        return False, problem
    if not np.isfinite(ap):
        return False, (f"expected AP={expected:.6g}, got {ap}: a 0 / 0 somewhere? The precision of a threshold that "
                       "predicts no edge is undefined: start at the largest score, so every threshold predicts one.")
    if abs(ap - expected) <= _AUPRC_TOL:
        return True, "ok"
    shown_expected, shown_got = _format_two(expected, ap)
    message = f"expected AP={shown_expected}, got {shown_got}"
    matching = [found for value, found in hints if abs(ap - value) <= _AUPRC_TOL]
    if matching:
        fewest = min(len(found) for found in matching)
        texts = []
        for found in matching:
            text = " And: ".join(found)
            if len(found) == fewest and text not in texts:
                texts.append(text)
        return False, message + ": " + " Or: ".join(texts)
    if abs(ap - expected) <= 1e-6:
        return False, message + (": close, but not within 1e-9; compute in float64 (float32 keeps only about "
                                 "7 digits).")
    if not 0.0 <= ap <= 1.0:
        return False, message + ": AP is a weighted average of precisions, so it lies between 0 and 1."
    return False, message + "."


def check_auprc(func: Callable, verbose: bool = True) -> CheckReport:
    """Check a student's area under the precision-recall curve (average precision) against hidden cases.

    Parameters
    ----------
    func : callable
        ``func(A_true, scores) -> AP`` with ``A_true`` a binary array of shape (p, p)
        (``A_true[i, j] = 1`` means ``i -> j``; the diagonal may hold self-loops) and ``scores`` a
        float array of the same shape (higher = more confident, used as given, possibly negative),
        returning a float: the average precision of the **off-diagonal** entries,

        .. math:: \\mathrm{AP} = \\sum_k (R_k - R_{k-1}) P_k,

        where ``k`` runs over the distinct scores in decreasing order (tied scores form one
        threshold), ``P_k`` and ``R_k`` are the precision and recall of predicting every entry
        with ``score >= t_k``, and ``R_0 = 0``: the step-wise definition of
        :func:`sklearn.metrics.average_precision_score`, with no interpolation. Compared with
        ``auprc(A_true, scores, include_diagonal=False)`` from :mod:`gcbook.metrics`: a case passes
        when ``|AP - AP_ref| <= 1e-9``.
    verbose : bool
        Print the report.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> from gcbook.metrics import auprc
    >>> def my_auprc(A_true, scores):
    ...     return auprc(A_true, scores)
    >>> check_auprc(my_auprc, verbose=False).passed
    True
    >>> def with_diagonal(A_true, scores):
    ...     return auprc(A_true, scores, include_diagonal=True)
    >>> report = check_auprc(with_diagonal, verbose=False)
    >>> [case.passed for case in report.cases]
    [False, False, False, False, True, True, False]
    >>> print(report.cases[3].message)
    expected AP=0.837361, got 0.780551: you included the diagonal: the self-loops i -> i are not edges
    between variables. Evaluate the off-diagonal entries only, e.g. keep = ~np.eye(p, dtype=bool), then
    A_true[keep] and scores[keep].
    """
    return _run_cases("Exercise: average precision of edge scores", func, _auprc_cases(), _judge_auprc, verbose)
