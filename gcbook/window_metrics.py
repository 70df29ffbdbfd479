"""Window-level scores: how well per-window statistics find the windows that hold a causal event.

Taught in the chapter :ref:`chap-dwgc` (``book/dwgc.md``).

Window-level Granger causality (DWGC, Zhang, Hu, Tian and Zhu, section 5.1)
computes one statistic ``F`` per sliding window and calls the window causal when
``F > epsilon`` (the paper uses ``F = L1 / L2``, the ratio of the restricted to
the full model's mean squared error, and ``epsilon = 1``). The ground truth of a
window is whether it holds a causal event (see
:func:`gcbook.simulate.window_events`).

With ``detected = F > epsilon`` and ``truth`` the per-window ground truth, the
four counts are

* ``TP``: detected and holding an event (the paper's "successful" window),
* ``FP``: detected, no event,
* ``FN``: not detected, holding an event,
* ``TN``: not detected, no event.

How the paper defines its scores, and the reading taken here
------------------------------------------------------------
The paper says: on each window, if ``F > 1`` is detected *and* the window holds at
least one causality pair, the extraction on that window is successful; it then
reports "the accuracy/recall ... on the data points with causalities" (Tables
1 and 2) without formulas.

* **Recall** (:func:`window_recall`) is unambiguous: successful windows over
  windows holding an event, ``TP / (TP + FN)``.
* **Accuracy** (:func:`window_accuracy`) is not: computed only "on the data
  points with causalities" it would equal recall, which Table 2 contradicts.
  We take the standard reading, the fraction of all windows whose verdict
  agrees with the truth, ``(TP + TN) / n``. Table 2's numbers, which climb
  towards 1 as the window grows and nearly every window holds an event, fit
  this reading and also the fraction of detected windows that hold an event,
  so that second reading is :func:`window_precision`, ``TP / (TP + FP)``.

A single ``epsilon`` hides the trade-off between these numbers;
:func:`window_roc` and :func:`window_auroc` sweep it.

Input rules, shared by every function: ``F`` is a 1-D array of finite window
statistics (NaN or inf raise a :class:`ValueError`; drop such windows first
with ``keep = np.isfinite(F)``), ``truth`` a boolean (or 0/1) array of the same
length, ``epsilon`` a finite number ``> 0``.
"""

from __future__ import annotations

import numpy as np

from gcbook._utils import rank_auroc, roc_points
from gcbook._validation import check_bool, check_real

__all__ = [
    "window_accuracy",
    "window_auroc",
    "window_confusion",
    "window_precision",
    "window_recall",
    "window_roc",
]


# ----------------------------------------------------------------------------- checks
def _check_scores(F, truth) -> tuple[np.ndarray, np.ndarray]:
    """Return ``F`` as a finite float (n,) array and ``truth`` as a bool (n,) array."""
    try:
        f = np.asarray(F, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"F must be a 1-D numeric array of window statistics; could not convert it: {exc}") from exc
    if f.ndim != 1:
        raise ValueError(f"F must be 1-D with one statistic per window, got shape {f.shape}.")
    if f.size == 0:
        raise ValueError("F is empty; there must be at least one window.")
    if not np.all(np.isfinite(f)):
        bad = int(np.flatnonzero(~np.isfinite(f))[0])
        raise ValueError(
            f"F contains NaN or inf (first at window {bad}); drop those windows first, "
            "e.g. keep = np.isfinite(F); F, truth = F[keep], truth[keep]."
        )
    y = np.asarray(truth)
    if y.ndim != 1:
        raise ValueError(f"truth must be 1-D with one entry per window, got shape {y.shape}.")
    if y.shape != f.shape:
        raise ValueError(f"F and truth must have the same length, got {f.size} and {y.size}.")
    if y.dtype != bool:
        if not np.issubdtype(y.dtype, np.number) or not np.all((y == 0) | (y == 1)):
            raise ValueError(
                "truth must be boolean (or 0/1): True where the window holds a causal event; "
                "build it with gcbook.simulate.window_events."
            )
        y = y.astype(bool)
    return f, y


def _check_epsilon(epsilon) -> float:
    return check_real(epsilon, "epsilon", low=0.0, low_open=True)


def _check_both_classes(y: np.ndarray, what: str) -> None:
    n_pos = int(y.sum())
    if n_pos == 0 or n_pos == y.size:
        kind = "no" if n_pos == 0 else "only"
        raise ValueError(
            f"{what} is undefined when truth has {kind} causal windows (all {y.size} are {n_pos > 0}); "
            "use a longer series or a different window so that both kinds occur."
        )


# ----------------------------------------------------------------------------- counts
def window_confusion(F, truth, epsilon=1.0) -> dict:
    """Confusion counts of the rule "window is causal when ``F > epsilon``".

    Parameters
    ----------
    F : array_like, shape (n_windows,)
        Finite window statistics; larger means more causal.
    truth : array_like of bool, shape (n_windows,)
        True where the window holds a causal event.
    epsilon : float, default 1.0
        Detection threshold, ``> 0``; a window is detected when ``F > epsilon`` (strictly).

    Returns
    -------
    dict
        ``{"tp": int, "fp": int, "fn": int, "tn": int}``.

    Examples
    --------
    >>> from gcbook.window_metrics import window_confusion
    >>> window_confusion([2.0, 0.5, 3.0, 1.0], [True, True, False, False], epsilon=1.0)
    {'tp': 1, 'fp': 1, 'fn': 1, 'tn': 1}
    """
    f, y = _check_scores(F, truth)
    detected = f > _check_epsilon(epsilon)
    tp = int(np.sum(detected & y))
    fp = int(np.sum(detected & ~y))
    fn = int(np.sum(~detected & y))
    return {"tp": tp, "fp": fp, "fn": fn, "tn": int(y.size - tp - fp - fn)}


def window_recall(F, truth, epsilon=1.0) -> float:
    """Window recall: the fraction of causal windows that are detected, ``TP / (TP + FN)``.

    This is the paper's recall (Table 1): a window is a success when
    ``F > epsilon`` and it holds at least one causal event; recall is the number
    of successes over the number of windows holding an event.

    Parameters
    ----------
    F : array_like, shape (n_windows,)
        Finite window statistics; larger means more causal.
    truth : array_like of bool, shape (n_windows,)
        True where the window holds a causal event.
    epsilon : float, default 1.0
        Detection threshold ``> 0`` (the paper's ``epsilon = 1``); detected means ``F > epsilon``.

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    ValueError
        On malformed input (see the module docstring), or if no window holds an
        event (recall is then undefined).

    Examples
    --------
    >>> from gcbook.window_metrics import window_recall
    >>> F = [2.0, 0.5, 3.0, 1.0, 1.5]
    >>> truth = [True, True, False, False, True]
    >>> window_recall(F, truth, epsilon=1.0)  # windows 0 and 4 of the 3 causal ones
    0.6666666666666666
    """
    c = window_confusion(F, truth, epsilon)
    if c["tp"] + c["fn"] == 0:
        raise ValueError(
            "Recall is undefined: no window holds a causal event. "
            "Use a longer series or longer windows so that some do."
        )
    return c["tp"] / (c["tp"] + c["fn"])


def window_accuracy(F, truth, epsilon=1.0) -> float:
    """Window accuracy: the fraction of windows whose verdict is right, ``(TP + TN) / n``.

    The paper reports an accuracy (Table 2) without a formula; computed only on
    the windows with causal events, as its text suggests, it would equal the
    recall. We use the standard definition; :func:`window_precision` gives the
    other plausible reading (the fraction of detected windows that hold an event).

    Parameters
    ----------
    F : array_like, shape (n_windows,)
        Finite window statistics; larger means more causal.
    truth : array_like of bool, shape (n_windows,)
        True where the window holds a causal event.
    epsilon : float, default 1.0
        Detection threshold ``> 0``; detected means ``F > epsilon``.

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    >>> from gcbook.window_metrics import window_accuracy
    >>> F = [2.0, 0.5, 3.0, 1.0, 1.5]
    >>> truth = [True, True, False, False, True]
    >>> window_accuracy(F, truth, epsilon=1.0)  # right on windows 0, 3 and 4
    0.6
    """
    c = window_confusion(F, truth, epsilon)
    return (c["tp"] + c["tn"]) / sum(c.values())


def window_precision(F, truth, epsilon=1.0) -> float:
    """Window precision: the fraction of detected windows that hold an event, ``TP / (TP + FP)``.

    Parameters
    ----------
    F : array_like, shape (n_windows,)
        Finite window statistics; larger means more causal.
    truth : array_like of bool, shape (n_windows,)
        True where the window holds a causal event.
    epsilon : float, default 1.0
        Detection threshold ``> 0``; detected means ``F > epsilon``.

    Returns
    -------
    float
        In [0, 1], or ``nan`` when no window is detected (precision is then
        undefined; this is an outcome of a high ``epsilon``, not bad input).

    Examples
    --------
    >>> from gcbook.window_metrics import window_precision
    >>> F = [2.0, 0.5, 3.0, 1.0, 1.5]
    >>> truth = [True, True, False, False, True]
    >>> window_precision(F, truth, epsilon=1.0)  # 3 detected, 2 of them causal
    0.6666666666666666
    >>> window_precision(F, truth, epsilon=5.0)
    nan
    """
    c = window_confusion(F, truth, epsilon)
    if c["tp"] + c["fp"] == 0:
        return float("nan")
    return c["tp"] / (c["tp"] + c["fp"])


# ----------------------------------------------------------------------------- sweeps over epsilon
def window_roc(F, truth, drop_intermediate=True):
    """ROC curve of the window statistics over all thresholds.

    Each distinct value of ``F`` is a threshold ``t``; windows with ``F >= t``
    are detected (the same set as ``F > epsilon`` for any ``epsilon`` just below
    ``t``). The curve runs from (0, 0), nothing detected, to (1, 1), everything
    detected; it is the one :func:`sklearn.metrics.roc_curve` returns.

    Parameters
    ----------
    F : array_like, shape (n_windows,)
        Finite window statistics; larger means more causal.
    truth : array_like of bool, shape (n_windows,)
        True where the window holds a causal event; both kinds must occur.
    drop_intermediate : bool, default True
        Drop thresholds whose point lies on a straight segment between its neighbours.

    Returns
    -------
    fpr : numpy.ndarray, shape (n_points,)
        False positive rates ``FP / (FP + TN)``, increasing from 0 to 1.
    tpr : numpy.ndarray, shape (n_points,)
        True positive rates (window recall), increasing from 0 to 1.
    thresholds : numpy.ndarray, shape (n_points,)
        Decreasing; ``thresholds[0] = inf``.

    Raises
    ------
    ValueError
        On malformed input, or if ``truth`` is all True or all False.

    Examples
    --------
    >>> from gcbook.window_metrics import window_roc
    >>> fpr, tpr, thresholds = window_roc([2.0, 0.5, 3.0, 1.0], [True, True, False, False])
    >>> fpr
    array([0. , 0.5, 0.5, 1. , 1. ])
    >>> tpr
    array([0. , 0. , 0.5, 0.5, 1. ])
    >>> thresholds
    array([inf, 3. , 2. , 1. , 0.5])
    """
    f, y = _check_scores(F, truth)
    _check_both_classes(y, "The ROC curve")
    return roc_points(y, f, check_bool(drop_intermediate, "drop_intermediate"))


def window_auroc(F, truth) -> float:
    """Area under :func:`window_roc`: how well ``F`` ranks causal windows above the others.

    The probability that a random causal window has a larger ``F`` than a random
    non-causal one, ties counting one half (the Mann-Whitney U statistic over
    ``n_+ n_-``); it does not depend on ``epsilon``.

    Parameters
    ----------
    F : array_like, shape (n_windows,)
        Finite window statistics; larger means more causal.
    truth : array_like of bool, shape (n_windows,)
        True where the window holds a causal event; both kinds must occur.

    Returns
    -------
    float
        In [0, 1]; 0.5 is chance, 1 a perfect ranking, 0 a perfectly reversed one.

    Raises
    ------
    ValueError
        On malformed input, or if ``truth`` is all True or all False.

    Examples
    --------
    >>> from gcbook.window_metrics import window_auroc
    >>> window_auroc([2.0, 0.5, 3.0, 1.0], [True, True, False, False])  # only 2.0 > 1.0 of 4 pairs
    0.25
    >>> window_auroc([4.0, 3.0, 2.0, 1.0], [True, True, False, False])
    1.0
    """
    f, y = _check_scores(F, truth)
    _check_both_classes(y, "AUROC")
    return rank_auroc(y, f)
