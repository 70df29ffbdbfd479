"""Checker of the chapter "Which method when?" (``book/capstone.md``).

:func:`check_auprc` (average precision of edge scores), built on :mod:`gcbook.exercises._common`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import stats

from gcbook.exercises._common import CheckReport, Forbidden, real_scalar, run_cases

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
        for order in (
            np.argsort(-scores, kind="stable"),
            np.argsort(-scores),
            np.argsort(scores, kind="stable")[::-1],
            np.argsort(scores)[::-1],
        ):
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


_AUPRC_FORBIDDEN = Forbidden(
    modules=("gcbook.metrics", "sklearn"),
    names=(
        "gcbook.metrics.auprc",
        "gcbook.metrics.auroc",
        "sklearn.metrics.average_precision_score",
        "sklearn.metrics.precision_recall_curve",
        "sklearn.metrics.auc",
        "sklearn.metrics.roc_auc_score",
        "sklearn.metrics.roc_curve",
        "sklearn.metrics.precision_score",
        "sklearn.metrics.PrecisionRecallDisplay",
    ),
)


def _has_edge_and_non_edge(A):
    y = A[~np.eye(len(A), dtype=bool)]
    return bool(y.any()) and not bool(y.all())


def _tied_classes(A, S):
    """Some tied off-diagonal score is shared by a true edge and a non-edge."""
    off = ~np.eye(len(A), dtype=bool)
    y, s = A[off].astype(bool), S[off]
    return any(y[s == level].any() and not y[s == level].all() for level in np.unique(s))


def _draw_auprc_case(rng, kind):
    """One case of ``kind`` (0..6), ``(name, A, S)``; see :func:`_auprc_cases` for the distributions."""
    from gcbook.metrics import auprc

    while True:  # redraw until the case has the property that makes it a case of its kind
        if kind == 0:
            p = int(rng.integers(8, 13))
            A = (rng.random((p, p)) < rng.uniform(0.15, 0.3)).astype(int)
            np.fill_diagonal(A, 1)  # self-loops, as simulators put them, with high scores
            S = np.abs(rng.standard_normal((p, p))) + rng.uniform(1.0, 2.0) * A * rng.random((p, p))
            name, ok = f"a random sparse graph with self-loops, continuous scores, p={p}", True
        elif kind == 1:
            p = int(rng.integers(7, 12))
            A = (rng.random((p, p)) < rng.uniform(0.2, 0.3)).astype(int)
            np.fill_diagonal(A, 1)
            kept = rng.random((p, p)) < np.where(A == 1, rng.uniform(0.6, 0.8), rng.uniform(0.08, 0.15))
            S = np.where(kept, rng.uniform(0.02, 1.0, (p, p)), 0.0)  # what a lasso keeps; the rest is exactly 0
            np.fill_diagonal(S, rng.uniform(0.3, 0.9, p))
            zeros = np.mean(S[~np.eye(p, dtype=bool)] == 0)
            name, ok = f"|lasso coefficients|: many exact zeros (tied), p={p}", _tied_classes(A, S) and zeros > 0.5
        elif kind == 2:
            p = int(rng.integers(6, 10))
            order = rng.permutation(p)
            A = np.triu((rng.random((p, p)) < rng.uniform(0.3, 0.5)).astype(int), k=1)[np.ix_(order, order)]  # a DAG
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
            name = f"a CPDAG read as scores (1 directed, 0.5 undirected, 0 absent), p={p}"
            ok = set(np.unique(S)) == {0.0, 0.5, 1.0} and _tied_classes(A, S)
        elif kind == 3:
            p = int(rng.integers(5, 9))
            A = (rng.random((p, p)) < rng.uniform(0.2, 0.35)).astype(int)
            A[np.diag_indices(p)] = rng.random(p) < 0.6
            S = rng.random((p, p)) + 0.4 * A
            S[np.diag_indices(p)] = rng.uniform(3.0, 5.0, p)  # the largest scores are all self-loops
            name = f"true self-loops, with the largest scores on the diagonal, p={p}"
            ok = (
                _has_edge_and_non_edge(A)
                and np.diag(A).any()
                and abs(auprc(A, S, include_diagonal=True) - auprc(A, S)) > 0.01
            )
        elif kind == 4:
            p = int(rng.integers(6, 13))
            A = (rng.random((p, p)) < rng.uniform(0.15, 0.3)).astype(int)
            np.fill_diagonal(A, 0)
            S = np.where(A == 1, rng.uniform(1.5, 3.0, (p, p)), rng.uniform(0.0, 1.4, (p, p)))
            np.fill_diagonal(S, 0.0)
            name, ok = f"a perfect ranking, p={p}", True
        elif kind == 5:
            p = int(rng.integers(6, 11))
            A = (rng.random((p, p)) < rng.uniform(0.2, 0.3)).astype(int)
            np.fill_diagonal(A, 0)
            S = np.where(
                A == 1, rng.normal(rng.uniform(0.3, 0.7), 0.8, (p, p)), rng.normal(rng.uniform(-2.0, -1.0), 1.0, (p, p))
            )  # signed, e.g. a t-statistic
            name = f"negative scores (higher = more confident), p={p}"
            ok = _has_edge_and_non_edge(A) and abs(auprc(A, np.abs(S)) - auprc(A, S)) > 0.1
        else:
            p = int(rng.integers(8, 13))
            A = np.zeros((p, p), dtype=int)
            i, j = rng.choice(p, size=2, replace=False)
            A[i, j] = 1
            S = rng.random((p, p))
            ranked = np.sort(S[~np.eye(p, dtype=bool)])[::-1]
            rank = int(rng.integers(2, 5))  # the true edge gets the rank-th highest off-diagonal score: AP = 1/rank
            S[i, j] = (ranked[rank - 2] + ranked[rank - 1]) / 2.0
            name, ok = f"a single true edge, p={p}", True
        if ok and _has_edge_and_non_edge(A):
            return name, A, S


def _auprc_cases(seed=None):
    """Hidden cases for the average-precision exercise, drawn afresh at each call, with the answers of known mistakes.

    Seven kinds of case, drawn from ``np.random.default_rng(seed)`` (``seed=None``: fresh entropy),
    each redrawn until it has at least one true off-diagonal edge and one non-edge, and the
    property in brackets:

    1. a random sparse graph with self-loops: p in 8..12, edge probability in [0.15, 0.3], the
       diagonal true, scores |N(0, 1)| plus U[1, 2] times U[0, 1] on the true edges;
    2. |lasso coefficients|: p in 7..11, edge probability in [0.2, 0.3], self-loops, a true edge kept
       with probability in [0.6, 0.8] and a non-edge in [0.08, 0.15] (score U[0.02, 1]), the rest
       exactly 0 [a tie shared by a true edge and a non-edge; more than half the scores 0];
    3. a CPDAG read as scores: a random DAG on p in 6..9 nodes (edge probability in [0.3, 0.5]),
       each edge oriented right (0.45), left undirected (0.3), reversed (0.15) or missed, false
       adjacencies with probability 0.15 [the scores are 0, 0.5 and 1, with a tie across the classes];
    4. true self-loops with the largest scores on the diagonal: p in 5..8, each self-loop true with
       probability 0.6, diagonal scores U[3, 5], the rest U[0, 1] + 0.4 on true edges [including
       the diagonal changes the AP by more than 0.01];
    5. a perfect ranking: p in 6..12, true edges scored U[1.5, 3], the rest U[0, 1.4] (AP = 1);
    6. negative scores: p in 6..10, true edges N(U[0.3, 0.7], 0.8), non-edges N(U[-2, -1], 1)
       [|scores| changes the AP by more than 0.1];
    7. a single true edge at a random place, p in 8..12, U[0, 1] scores, its score the 2nd, 3rd or
       4th highest off the diagonal (AP = 1/2, 1/3 or 1/4).

    Yields ``(name, (A_true, scores), AP, hints)`` with ``AP`` the reference
    ``gcbook.metrics.auprc(A_true, scores, include_diagonal=False)`` and ``hints`` a list of
    ``(wrong AP, hints)``.
    """
    from gcbook.metrics import auprc

    rng = np.random.default_rng(seed)
    for kind in range(7):
        name, A, S = _draw_auprc_case(rng, kind)
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
        return False, (
            f"that looks like the curve itself (precision, recall, ...): {wanted}, the area "
            "AP = sum_k (R_k - R_{k-1}) P_k."
        )
    ap, problem = real_scalar(got, f"{wanted} for all the off-diagonal entries together", wanted, "the AUPRC")
    if problem:
        return False, problem
    if not np.isfinite(ap):
        return False, (
            f"expected AP={expected:.6g}, got {ap}: a 0 / 0 somewhere? The precision of a threshold that "
            "predicts no edge is undefined: start at the largest score, so every threshold predicts one."
        )
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
        return False, message + (
            ": close, but not within 1e-9; compute in float64 (float32 keeps only about 7 digits)."
        )
    if not 0.0 <= ap <= 1.0:
        return False, message + ": AP is a weighted average of precisions, so it lies between 0 and 1."
    return False, message + "."


def check_auprc(func: Callable, verbose: bool = True, seed=None) -> CheckReport:
    """Check a student's area under the precision-recall curve (average precision) against hidden cases drawn at check time.

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
    seed : None, int or numpy.random.Generator
        Where the seven cases are drawn from (their distributions: ``_auprc_cases``): a sparse
        graph with self-loops, lasso scores with many exact zeros, a CPDAG's 0 / 0.5 / 1, the
        largest scores on true self-loops, a perfect ranking, negative scores, a single true edge.
        ``None`` (the default) draws fresh cases at every call; a seed repeats them.

    Returns
    -------
    CheckReport

    Notes
    -----
    The exercise forbids :mod:`gcbook.metrics` and scikit-learn: a case whose call reaches any
    function of either (however imported) fails with a message that names the call.

    Examples
    --------
    >>> import numpy as np
    >>> def my_auprc(A_true, scores, diagonal=False):
    ...     keep = np.ones(A_true.shape, bool) if diagonal else ~np.eye(len(A_true), dtype=bool)
    ...     y, s = A_true[keep].astype(bool), scores[keep]
    ...     ap, before = 0.0, 0.0
    ...     for level in np.unique(s)[::-1]:  # one threshold per distinct score, highest first
    ...         hits, chosen = np.sum(y & (s >= level)), np.sum(s >= level)
    ...         ap += (hits / y.sum() - before) * hits / chosen
    ...         before = hits / y.sum()
    ...     return ap
    >>> check_auprc(my_auprc, verbose=False).passed
    True
    >>> report = check_auprc(lambda A_true, scores: my_auprc(A_true, scores, diagonal=True), verbose=False, seed=0)
    >>> [case.passed for case in report.cases]
    [False, False, False, False, True, True, True]
    >>> "you included the diagonal" in report.cases[3].message
    True
    >>> from gcbook.metrics import auprc
    >>> def shortcut(A_true, scores):
    ...     return auprc(A_true, scores)
    >>> print(check_auprc(shortcut, verbose=False).cases[0].message)
    your function calls gcbook.metrics.auprc, which this exercise forbids: write it with NumPy (its answer matches the reference, but the exercise is to write it yourself).
    """
    return run_cases(
        "Exercise: average precision of edge scores",
        func,
        _auprc_cases(seed),
        _judge_auprc,
        verbose,
        forbidden=_AUPRC_FORBIDDEN,
    )
