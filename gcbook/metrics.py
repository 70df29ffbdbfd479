"""Scores that compare an estimated causal graph with the true one.

Taught in the chapter :ref:`chap-notears` (``book/notears.md``) and used in every
later chapter.

Orientation, everywhere: ``A[i, j] = 1`` means ``i -> j`` (the cause is the row).

Two families of metrics live here.

* **Ranking metrics** for continuous edge scores (an F statistic, ``-log10`` of a
  p-value, the norm of a learned weight): :func:`auroc`, :func:`auprc`,
  :func:`roc_curve` and :func:`precision_recall_curve`. They need no threshold.
  Larger scores must mean "more likely an edge"; turn p-values around first
  (``1 - p`` or ``-np.log10(p)``).
* **Graph metrics** for a binary estimate: :func:`shd` (structural Hamming
  distance) and :func:`count_accuracy` (the dictionary of rates reported in the
  NOTEARS paper).

Every function evaluates the off-diagonal entries only unless
``include_diagonal=True`` (:func:`count_accuracy` always ignores the diagonal):
cross-causation is what the book is about, while simulators put self-loops on
the diagonal of the truth whenever a variable depends on its own past.

The ranking metrics are written with NumPy and SciPy only; the tests check them
against :mod:`sklearn.metrics` to 1e-12.
"""

from __future__ import annotations

import numpy as np

from gcbook._utils import binary_clf_curve, rank_auroc, roc_points
from gcbook._validation import as_float_array, check_binary, check_bool, check_square_matrix

__all__ = [
    "auroc",
    "auprc",
    "roc_curve",
    "precision_recall_curve",
    "shd",
    "count_accuracy",
    "skeleton_shd",
    "edge_f1",
]


# ---------------------------------------------------------------------------
# input checks
# ---------------------------------------------------------------------------


def _as_matrix(M, name: str, *, min_p: int = 2) -> np.ndarray:
    """``M`` as a finite float (p, p) array with ``p >= min_p``; DataFrames are accepted."""
    arr = as_float_array(M, name, what="a numeric (p, p) matrix")
    if arr.ndim == 3 and arr.shape[0] == arr.shape[1]:
        raise ValueError(
            f"{name} has shape {arr.shape}, which looks like lagged scores (p, p, lag); "
            f"reduce over the lags first, e.g. {name}.max(axis=2)."
        )
    arr = check_square_matrix(arr, name=name)
    if arr.shape[0] < min_p:
        raise ValueError(f"{name} must describe at least {min_p} variables, got shape {arr.shape}.")
    return arr


def _check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{name_a} and {name_b} must have the same shape, got {a.shape} and {b.shape}.")


def _flatten_pairs(A_true, scores, include_diagonal: bool, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """Validate a (truth, scores) pair and return the evaluated entries as 1-D arrays.

    Returns ``y_true`` (bool) and ``y_score`` (float), in row-major order, of the
    off-diagonal entries (all entries if ``include_diagonal``).
    """
    include_diagonal = check_bool(include_diagonal, "include_diagonal")
    truth = check_binary(_as_matrix(A_true, "A_true"), "A_true")
    score = _as_matrix(scores, "scores")
    _check_same_shape(truth, score, "A_true", "scores")
    mask = np.ones(truth.shape, dtype=bool)
    if not include_diagonal:
        np.fill_diagonal(mask, False)
    y_true, y_score = truth[mask], score[mask]
    n_pos = int(y_true.sum())
    where = "entries" if include_diagonal else "off-diagonal entries"
    if n_pos == 0:
        raise ValueError(
            f"{metric} is undefined when the truth has no edges: all {y_true.size} evaluated {where} "
            "of A_true are 0. Use a ground truth with at least one edge."
        )
    if n_pos == y_true.size:
        raise ValueError(
            f"{metric} is undefined when the truth has only edges: all {y_true.size} evaluated {where} "
            "of A_true are 1, so there is nothing to rank them against."
        )
    return y_true, y_score


# ---------------------------------------------------------------------------
# ranking metrics
# ---------------------------------------------------------------------------


def auroc(A_true, scores, include_diagonal: bool = False) -> float:
    """Area under the ROC curve of edge scores against the true graph.

    AUROC is the probability that a randomly chosen true edge gets a higher
    score than a randomly chosen non-edge, ties counting one half. It is
    computed from the rank-sum (Mann-Whitney U) statistic with average ranks
    for ties,

    .. math:: \\mathrm{AUROC} = \\frac{R_+ - n_+(n_+ + 1)/2}{n_+ n_-},

    where :math:`R_+` is the sum of the ranks of the true edges among all
    evaluated entries and :math:`n_+`, :math:`n_-` count edges and non-edges.
    This equals the trapezoidal area under :func:`roc_curve`.

    Parameters
    ----------
    A_true : array_like, shape (p, p)
        Binary ground truth, ``A_true[i, j] = 1`` means ``i -> j``.
    scores : array_like, shape (p, p)
        Finite edge scores in the same orientation; larger means more likely
        an edge. For p-values pass ``1 - p`` or ``-np.log10(p)``.
    include_diagonal : bool, default False
        Also evaluate the self-loops ``i -> i``.

    Returns
    -------
    float
        In [0, 1]; 0.5 is chance, 1 a perfect ranking.

    Raises
    ------
    ValueError
        If the shapes differ or are not square with ``p >= 2``, if ``A_true``
        is not binary, if ``scores`` holds NaN or inf, or if the evaluated
        entries of ``A_true`` are all 0 or all 1 (AUROC is then undefined).

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.metrics import auroc
    >>> A = np.array([[0, 1, 0],
    ...               [0, 0, 1],
    ...               [0, 0, 0]])
    >>> S = np.array([[0.0, 0.9, 0.2],
    ...               [0.1, 0.0, 0.3],
    ...               [0.4, 0.1, 0.0]])
    >>> auroc(A, S)  # the edge 1 -> 2 (0.3) is out-ranked by 2 -> 0 (0.4)
    0.875
    """
    y_true, y_score = _flatten_pairs(A_true, scores, include_diagonal, "AUROC")
    return rank_auroc(y_true, y_score)


def roc_curve(A_true, scores, include_diagonal: bool = False, drop_intermediate: bool = True):
    """Points of the ROC curve of edge scores, as :func:`sklearn.metrics.roc_curve` returns them.

    Each distinct score is a threshold; entries with ``score >= threshold`` are
    predicted edges. Tied scores enter together.

    Parameters
    ----------
    A_true : array_like, shape (p, p)
        Binary ground truth, ``A_true[i, j] = 1`` means ``i -> j``.
    scores : array_like, shape (p, p)
        Finite edge scores in the same orientation; larger means more likely an edge.
    include_diagonal : bool, default False
        Also evaluate the self-loops ``i -> i``.
    drop_intermediate : bool, default True
        Drop thresholds whose point lies on a straight segment between its
        neighbours (it changes neither the plot nor the area), as scikit-learn does.

    Returns
    -------
    fpr : numpy.ndarray, shape (n_thresholds + 1,)
        False positive rates, increasing, starting at 0 and ending at 1.
    tpr : numpy.ndarray, shape (n_thresholds + 1,)
        True positive rates, increasing, starting at 0 and ending at 1.
    thresholds : numpy.ndarray, shape (n_thresholds + 1,)
        Decreasing; ``thresholds[0] = inf`` is the point where nothing is predicted.

    Raises
    ------
    ValueError
        As :func:`auroc`.

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.metrics import roc_curve
    >>> A = np.array([[0, 1], [0, 0]])
    >>> S = np.array([[0.0, 0.8], [0.3, 0.0]])
    >>> fpr, tpr, thresholds = roc_curve(A, S)
    >>> fpr, tpr
    (array([0., 0., 1.]), array([0., 1., 1.]))
    >>> thresholds
    array([inf, 0.8, 0.3])
    """
    drop_intermediate = check_bool(drop_intermediate, "drop_intermediate")
    y_true, y_score = _flatten_pairs(A_true, scores, include_diagonal, "The ROC curve")
    return roc_points(y_true, y_score, drop_intermediate)


def precision_recall_curve(A_true, scores, include_diagonal: bool = False, drop_intermediate: bool = False):
    """Points of the precision-recall curve, as :func:`sklearn.metrics.precision_recall_curve` returns them.

    Parameters
    ----------
    A_true : array_like, shape (p, p)
        Binary ground truth, ``A_true[i, j] = 1`` means ``i -> j``.
    scores : array_like, shape (p, p)
        Finite edge scores in the same orientation; larger means more likely an edge.
    include_diagonal : bool, default False
        Also evaluate the self-loops ``i -> i``.
    drop_intermediate : bool, default False
        Keep only the first and last threshold of each run with the same
        recall, as scikit-learn's option of the same name.

    Returns
    -------
    precision : numpy.ndarray, shape (n_thresholds + 1,)
        ``precision[k]`` is the precision of predicting ``score >= thresholds[k]``;
        the last element is 1 by convention.
    recall : numpy.ndarray, shape (n_thresholds + 1,)
        Decreasing; the last element is 0.
    thresholds : numpy.ndarray, shape (n_thresholds,)
        The distinct scores, increasing.

    Raises
    ------
    ValueError
        As :func:`auroc`.

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.metrics import precision_recall_curve
    >>> A = np.array([[0, 1], [0, 0]])
    >>> S = np.array([[0.0, 0.3], [0.8, 0.0]])
    >>> precision, recall, thresholds = precision_recall_curve(A, S)
    >>> precision, recall
    (array([0.5, 0. , 1. ]), array([1., 0., 0.]))
    >>> thresholds
    array([0.3, 0.8])
    """
    drop_intermediate = check_bool(drop_intermediate, "drop_intermediate")
    y_true, y_score = _flatten_pairs(A_true, scores, include_diagonal, "The precision-recall curve")
    fps, tps, thresholds = binary_clf_curve(y_true, y_score)
    if drop_intermediate and fps.size > 2:
        keep = np.r_[True, np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:])), True]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    precision = tps / (tps + fps)  # tps + fps >= 1 at every threshold
    recall = tps / tps[-1]
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]


def auprc(A_true, scores, include_diagonal: bool = False) -> float:
    """Area under the precision-recall curve, as average precision.

    The step-wise sum over the distinct thresholds (tied scores grouped),

    .. math:: \\mathrm{AP} = \\sum_n (R_n - R_{n-1}) P_n,

    exactly as :func:`sklearn.metrics.average_precision_score` defines it (no
    trapezoidal interpolation, which would be optimistic). A random ranking
    scores about the edge density, so compare AUPRC with that baseline rather
    than with 0.5.

    Parameters
    ----------
    A_true : array_like, shape (p, p)
        Binary ground truth, ``A_true[i, j] = 1`` means ``i -> j``.
    scores : array_like, shape (p, p)
        Finite edge scores in the same orientation; larger means more likely an edge.
    include_diagonal : bool, default False
        Also evaluate the self-loops ``i -> i``.

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    ValueError
        As :func:`auroc` (AUPRC is undefined without both edges and non-edges).

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.metrics import auprc
    >>> A = np.array([[0, 1, 0],
    ...               [0, 0, 1],
    ...               [0, 0, 0]])
    >>> S = np.array([[0.0, 0.9, 0.2],
    ...               [0.1, 0.0, 0.3],
    ...               [0.4, 0.1, 0.0]])
    >>> round(auprc(A, S), 4)  # (1/2)(1/1) + (1/2)(2/3)
    0.8333
    """
    y_true, y_score = _flatten_pairs(A_true, scores, include_diagonal, "AUPRC")
    fps, tps, _ = binary_clf_curve(y_true, y_score)
    precision = tps / (tps + fps)
    recall = tps / tps[-1]
    # same summation order as scikit-learn: over the reversed curve
    precision = np.r_[precision[::-1], 1.0]
    recall = np.r_[recall[::-1], 0.0]
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


# ---------------------------------------------------------------------------
# graph metrics
# ---------------------------------------------------------------------------


def shd(B_true, B_est, include_diagonal: bool = False) -> int:
    """Structural Hamming distance between two directed graphs.

    The number of unordered pairs ``{i, j}``, ``i != j``, whose edge
    configuration differs between truth and estimate, where a pair is in one
    of four configurations: no edge, ``i -> j``, ``j -> i``, or both (a
    2-cycle, which Granger graphs may have). So an extra edge, a missing edge
    and a reversed edge each cost 1, and a reversal is not counted twice.
    With ``include_diagonal=True`` each mismatched self-loop ``i -> i`` adds 1.

    On DAGs this equals the SHD of NOTEARS's ``count_accuracy`` (extra +
    missing + reversed edges). On graphs with 2-cycles the two can differ:
    NOTEARS scores an estimate ``i -> j`` against the truth ``i <-> j`` as 0,
    here it costs 1.

    Parameters
    ----------
    B_true : array_like, shape (p, p)
        Binary true graph, ``B_true[i, j] = 1`` means ``i -> j``.
    B_est : array_like, shape (p, p)
        Binary estimated graph, same orientation. Threshold a weighted
        estimate first, e.g. ``W != 0``.
    include_diagonal : bool, default False
        Also count mismatched self-loops.

    Returns
    -------
    int
        Between 0 and ``p (p - 1) / 2`` (plus ``p`` with the diagonal).

    Raises
    ------
    ValueError
        If the shapes differ or are not square with ``p >= 2``, or if a matrix
        is not binary or holds NaN or inf.

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.metrics import shd
    >>> B_true = np.array([[0, 1, 0],
    ...                    [0, 0, 1],
    ...                    [0, 0, 0]])   # 0 -> 1 -> 2
    >>> B_est = np.array([[0, 0, 1],
    ...                   [1, 0, 1],
    ...                   [0, 0, 0]])    # 1 -> 0 reversed, 1 -> 2 right, 0 -> 2 extra
    >>> shd(B_true, B_est)
    2
    """
    include_diagonal = check_bool(include_diagonal, "include_diagonal")
    truth = check_binary(_as_matrix(B_true, "B_true"), "B_true")
    est = check_binary(_as_matrix(B_est, "B_est"), "B_est")
    _check_same_shape(truth, est, "B_true", "B_est")
    differs = truth != est
    pair_differs = differs | differs.T  # symmetric: does the configuration of {i, j} differ?
    distance = int(np.triu(pair_differs, k=1).sum())
    if include_diagonal:
        distance += int(np.diag(differs).sum())
    return distance


def count_accuracy(B_true, B_est) -> dict:
    """Accuracy of an estimated graph, following NOTEARS's ``utils.count_accuracy``.

    ``B_est`` may be a DAG or a CPDAG: ``B_est[i, j] = 1`` is the directed edge
    ``i -> j``, ``B_est[i, j] = -1`` the undirected edge ``i - j`` (mark it
    once, leaving ``B_est[j, i] = 0``), which counts as correct if either
    direction is true. With ``d`` variables, ``T`` true edges and ``P``
    predicted edges (directed plus undirected), an estimated directed edge is
    *reversed* if only its opposite is true, and a *false positive* if neither
    direction is true (undirected edges are never reversed):

    * ``fdr = (reversed + false positives) / max(P, 1)``
    * ``tpr = true positives / max(T, 1)``
    * ``fpr = (reversed + false positives) / max(d (d - 1) / 2 - T, 1)``
    * ``shd = extra + missing + reversed``, where *extra* and *missing* count
      unordered pairs adjacent in only the estimate or only the truth
    * ``nnz = P``

    The diagonal is ignored (self-loops in either matrix are dropped first),
    because NOTEARS's definitions assume a DAG truth. The ``fpr`` denominator
    counts unordered non-adjacent pairs, as in NOTEARS, so ``fpr`` can exceed 1
    for dense estimates. When both graphs are free of 2-cycles, ``shd`` here
    equals :func:`shd`.

    Parameters
    ----------
    B_true : array_like, shape (d, d)
        Binary true graph (a DAG for NOTEARS's reading), ``B_true[i, j] = 1``
        means ``i -> j``.
    B_est : array_like, shape (d, d)
        Estimate with entries in {-1, 0, 1}, same orientation.

    Returns
    -------
    dict
        ``{"fdr": float, "tpr": float, "fpr": float, "shd": int, "nnz": int}``.

    Raises
    ------
    ValueError
        If the shapes differ or are not square with ``d >= 2``, if ``B_true``
        is not binary, if ``B_est`` has values outside {-1, 0, 1}, or if a pair
        is marked undirected twice or both undirected and directed.

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.metrics import count_accuracy
    >>> B_true = np.array([[0, 1, 0],
    ...                    [0, 0, 1],
    ...                    [0, 0, 0]])   # 0 -> 1 -> 2
    >>> B_est = np.array([[0, 0, 0],
    ...                   [1, 0, -1],
    ...                   [0, 0, 0]])    # 1 -> 0 reversed, 1 - 2 undirected (counts as right)
    >>> count_accuracy(B_true, B_est)
    {'fdr': 0.5, 'tpr': 0.5, 'fpr': 1.0, 'shd': 1, 'nnz': 2}
    """
    truth = check_binary(_as_matrix(B_true, "B_true"), "B_true")
    est = _as_matrix(B_est, "B_est")
    _check_same_shape(truth, est, "B_true", "B_est")
    if not np.all((est == -1) | (est == 0) | (est == 1)):
        bad = np.unique(est[(est != -1) & (est != 0) & (est != 1)])[:5]
        raise ValueError(
            f"B_est must take values in {{-1, 0, 1}} (1 directed, -1 undirected edge), found values such as "
            f"{bad.tolist()}; threshold a weighted matrix first, e.g. B_est = (W != 0).astype(int)."
        )
    d = truth.shape[0]
    off = ~np.eye(d, dtype=bool)
    truth = truth & off
    directed = (est == 1) & off
    undirected = (est == -1) & off
    if np.any(undirected & undirected.T):
        i, j = np.argwhere(undirected & undirected.T)[0]
        raise ValueError(
            f"The undirected edge {i} - {j} is marked twice in B_est; mark it once "
            f"(B_est[{i}, {j}] = -1 and B_est[{j}, {i}] = 0)."
        )
    if np.any(undirected & directed.T):
        i, j = np.argwhere(undirected & directed.T)[0]
        raise ValueError(
            f"B_est marks the pair {{{i}, {j}}} both undirected (B_est[{i}, {j}] = -1) and directed "
            f"(B_est[{j}, {i}] = 1); keep one of the two."
        )
    skeleton = truth | truth.T
    n_true = int(truth.sum())
    n_pred = int(directed.sum() + undirected.sum())
    true_pos = int((directed & truth).sum() + (undirected & skeleton).sum())
    false_pos = int((directed & ~skeleton).sum() + (undirected & ~skeleton).sum())
    reversed_ = int((directed & ~truth & truth.T).sum())
    cond_neg = 0.5 * d * (d - 1) - n_true
    pred_pairs = np.triu((directed | undirected) | (directed | undirected).T, k=1)
    true_pairs = np.triu(skeleton, k=1)
    extra = int((pred_pairs & ~true_pairs).sum())
    missing = int((true_pairs & ~pred_pairs).sum())
    return {
        "fdr": float(reversed_ + false_pos) / max(n_pred, 1),
        "tpr": float(true_pos) / max(n_true, 1),
        "fpr": float(reversed_ + false_pos) / max(cond_neg, 1),
        "shd": extra + missing + reversed_,
        "nnz": n_pred,
    }


def _skeletons(B_true, B_est) -> tuple[np.ndarray, np.ndarray]:
    """Validated upper-triangular adjacency (skeleton) masks of a DAG truth and a DAG/CPDAG estimate."""
    count_accuracy(B_true, B_est)  # the same input checks and the same {-1, 0, 1} reading of B_est
    truth = np.asarray(B_true) != 0
    est = np.asarray(B_est) != 0
    off_upper = np.triu(np.ones(truth.shape, dtype=bool), k=1)
    return (truth | truth.T) & off_upper, (est | est.T) & off_upper


def skeleton_shd(B_true, B_est) -> int:
    """Structural Hamming distance between the skeletons (directions ignored).

    The number of unordered pairs ``{i, j}``, ``i != j``, that are adjacent in
    exactly one of the two graphs. A reversed or an undirected edge between
    truly adjacent variables costs nothing; only missing and extra adjacencies
    count. It is :func:`count_accuracy`'s ``shd`` without the reversals.

    Parameters
    ----------
    B_true : array_like, shape (d, d)
        Binary true graph, ``B_true[i, j] = 1`` means ``i -> j``.
    B_est : array_like, shape (d, d)
        Estimate with entries in {-1, 0, 1}: ``1`` directed, ``-1`` undirected
        (marked once), as for :func:`count_accuracy`.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        For the invalid inputs :func:`count_accuracy` rejects.

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.metrics import skeleton_shd
    >>> B_true = np.array([[0, 1, 0],
    ...                    [0, 0, 1],
    ...                    [0, 0, 0]])   # 0 -> 1 -> 2
    >>> B_est = np.array([[0, 0, 1],
    ...                   [1, 0, 0],
    ...                   [0, 0, 0]])    # 1 -> 0 reversed (free), 0 -> 2 extra, 1 - 2 missing
    >>> skeleton_shd(B_true, B_est)
    2
    """
    truth, est = _skeletons(B_true, B_est)
    return int(np.sum(truth != est))


def edge_f1(B_true, B_est, skeleton: bool = False) -> float:
    """F1 score (harmonic mean of precision and recall) of the estimated edges.

    With ``skeleton=False`` the edges are scored as in :func:`count_accuracy`:
    a directed estimate ``i -> j`` is a true positive only if ``i -> j`` is
    true, an undirected CPDAG edge ``i - j`` (``B_est[i, j] = -1``) is a true
    positive if either direction is true; precision is ``1 - fdr`` and recall
    is ``tpr``. With ``skeleton=True`` only adjacencies are compared. An empty
    estimate of an empty truth scores 1; otherwise no true positive scores 0.

    Parameters
    ----------
    B_true : array_like, shape (d, d)
        Binary true graph, ``B_true[i, j] = 1`` means ``i -> j``.
    B_est : array_like, shape (d, d)
        Estimate with entries in {-1, 0, 1}, as for :func:`count_accuracy`.
    skeleton : bool, default False
        Ignore directions.

    Returns
    -------
    float
        Between 0 and 1.

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.metrics import edge_f1
    >>> B_true = np.array([[0, 1, 0],
    ...                    [0, 0, 1],
    ...                    [0, 0, 0]])   # 0 -> 1 -> 2
    >>> B_est = np.array([[0, 0, 0],
    ...                   [1, 0, 1],
    ...                   [0, 0, 0]])    # 1 -> 0 reversed, 1 -> 2 right
    >>> edge_f1(B_true, B_est), edge_f1(B_true, B_est, skeleton=True)
    (0.5, 1.0)
    """
    skeleton = check_bool(skeleton, "skeleton")
    acc = count_accuracy(B_true, B_est)
    if skeleton:
        truth, est = _skeletons(B_true, B_est)
        n_true, n_pred, true_pos = int(truth.sum()), int(est.sum()), int((truth & est).sum())
    else:
        n_true = int(np.sum((np.asarray(B_true) != 0) & ~np.eye(len(B_true), dtype=bool)))
        n_pred = acc["nnz"]
        true_pos = round(acc["tpr"] * max(n_true, 1))
    if n_true == 0 and n_pred == 0:
        return 1.0
    if true_pos == 0:
        return 0.0
    return 2.0 * true_pos / (n_true + n_pred)
