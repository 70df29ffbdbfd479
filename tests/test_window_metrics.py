"""Tests for the window-level metrics (gcbook.window_metrics)."""

from __future__ import annotations

import numpy as np
import pytest

from gcbook.simulate import switching_ar_pair, window_events
from gcbook.window_metrics import (
    window_accuracy,
    window_auroc,
    window_confusion,
    window_precision,
    window_recall,
    window_roc,
)

# windows:      0     1     2      3      4
F = np.array([2.0, 0.5, 3.0, 1.0, 1.5])
TRUTH = np.array([True, True, False, False, True])


# ----------------------------------------------------------------------------- hand-computed cases
def test_hand_computed_at_epsilon_one():
    # detected (F > 1): windows 0, 2, 4 -> TP = {0, 4}, FP = {2}, FN = {1}, TN = {3}
    # (window 3 has F == epsilon and is not detected: the rule is strict)
    assert window_confusion(F, TRUTH, 1.0) == {"tp": 2, "fp": 1, "fn": 1, "tn": 1}
    assert window_recall(F, TRUTH, 1.0) == pytest.approx(2 / 3)
    assert window_accuracy(F, TRUTH, 1.0) == pytest.approx(3 / 5)
    assert window_precision(F, TRUTH, 1.0) == pytest.approx(2 / 3)


def test_hand_computed_at_other_epsilons():
    # epsilon = 0.4: everything detected
    assert window_recall(F, TRUTH, 0.4) == 1.0
    assert window_accuracy(F, TRUTH, 0.4) == pytest.approx(3 / 5)
    assert window_precision(F, TRUTH, 0.4) == pytest.approx(3 / 5)
    # epsilon = 2.5: only window 2 (no event) detected
    assert window_recall(F, TRUTH, 2.5) == 0.0
    assert window_accuracy(F, TRUTH, 2.5) == pytest.approx(1 / 5)
    assert window_precision(F, TRUTH, 2.5) == 0.0
    # epsilon = 5: nothing detected, precision undefined
    assert np.isnan(window_precision(F, TRUTH, 5.0))
    assert window_accuracy(F, TRUTH, 5.0) == pytest.approx(2 / 5)


def test_default_epsilon_is_the_papers_one():
    assert window_recall(F, TRUTH) == window_recall(F, TRUTH, 1.0)


def test_zero_one_truth_equals_boolean_truth():
    as_int = TRUTH.astype(int)
    for fn in (window_recall, window_accuracy, window_precision):
        assert fn(F, as_int, 1.0) == fn(F, TRUTH, 1.0)
    assert window_auroc(F, as_int.tolist()) == window_auroc(F, TRUTH)


def test_recall_without_causal_windows_raises():
    with pytest.raises(ValueError, match="no window holds a causal event"):
        window_recall(F, np.zeros(5, bool), 1.0)


# ----------------------------------------------------------------------------- ROC and AUROC
def test_roc_endpoints_and_monotone():
    rng = np.random.default_rng(0)
    truth = rng.random(300) < 0.3
    scores = rng.normal(size=300) + truth
    fpr, tpr, thr = window_roc(scores, truth)
    assert (fpr[0], tpr[0]) == (0.0, 0.0) and (fpr[-1], tpr[-1]) == (1.0, 1.0)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)
    assert thr[0] == np.inf and np.all(np.diff(thr) < 0)
    # each point is the recall / false-alarm rate of the rule F > epsilon, epsilon just below it
    for f_, t_, th in zip(fpr[1:], tpr[1:], thr[1:]):
        eps = np.nextafter(th, -np.inf)
        if eps > 0:
            assert window_recall(scores, truth, eps) == pytest.approx(t_)
            c = window_confusion(scores, truth, eps)
            assert c["fp"] / (c["fp"] + c["tn"]) == pytest.approx(f_)


def test_auroc_perfect_reversed_and_tied():
    truth = np.array([True, True, False, False, False])
    good = np.array([5.0, 4.0, 3.0, 2.0, 1.0])
    assert window_auroc(good, truth) == 1.0
    assert window_auroc(-good, truth) == 0.0
    assert window_auroc(np.ones(5), truth) == 0.5
    fpr, tpr, _ = window_roc(good, truth)
    np.testing.assert_array_equal(tpr[fpr == 0][-1], 1.0)  # all causal windows before the first false alarm


def test_auroc_is_the_area_under_the_roc():
    rng = np.random.default_rng(1)
    truth = rng.random(400) < 0.2
    scores = np.round(rng.normal(size=400) + 0.8 * truth, 1)  # rounding makes ties
    fpr, tpr, _ = window_roc(scores, truth, drop_intermediate=False)
    assert window_auroc(scores, truth) == pytest.approx(np.trapezoid(tpr, fpr), abs=1e-12)


def test_against_sklearn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(2)
    truth = rng.random(500) < 0.25
    scores = np.round(rng.normal(size=500) + truth, 1)
    assert window_auroc(scores, truth) == pytest.approx(metrics.roc_auc_score(truth, scores), abs=1e-12)
    for ours, theirs in zip(window_roc(scores, truth), metrics.roc_curve(truth, scores)):
        np.testing.assert_allclose(ours[1:], theirs[1:])  # thresholds[0]: inf here, max + 1 in old sklearn
    det = scores > 0.5
    assert window_recall(scores, truth, 0.5) == pytest.approx(metrics.recall_score(truth, det))
    assert window_precision(scores, truth, 0.5) == pytest.approx(metrics.precision_score(truth, det))
    assert window_accuracy(scores, truth, 0.5) == pytest.approx(metrics.accuracy_score(truth, det))


def test_end_to_end_on_the_switching_pair():
    """The peak |effect| of a window already separates windows with a strong coupling."""
    sim = switching_ar_pair(5000, seed=3)
    window = 10
    truth = window_events(sim.event, window, step=window)
    peaks = np.abs(sim.X[: truth.size * window, 0]).reshape(-1, window).max(axis=1)
    assert window_auroc(peaks, truth) > 0.8


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("fn", [window_recall, window_accuracy, window_precision, window_confusion])
def test_threshold_metrics_reject_bad_input(fn):
    with pytest.raises(ValueError, match="same length"):
        fn(F, TRUTH[:4], 1.0)
    with pytest.raises(ValueError, match="boolean"):
        fn(F, np.array([0, 2, 1, 0, 1]), 1.0)
    with pytest.raises(ValueError, match="boolean"):
        fn(F, np.array([0.5, 1, 0, 0, 1]), 1.0)
    with pytest.raises(ValueError, match="boolean"):
        fn(F, np.array(["a", "b", "c", "d", "e"]), 1.0)
    with pytest.raises(ValueError, match="NaN or inf"):
        fn(np.r_[F[:4], np.nan], TRUTH, 1.0)
    with pytest.raises(ValueError, match="NaN or inf"):
        fn(np.r_[F[:4], np.inf], TRUTH, 1.0)
    for eps in (0.0, -1.0):
        with pytest.raises(ValueError, match="epsilon must be >"):
            fn(F, TRUTH, eps)
    with pytest.raises(ValueError, match="epsilon must be finite"):
        fn(F, TRUTH, np.nan)
    with pytest.raises(ValueError, match="1-D"):
        fn(F.reshape(5, 1), TRUTH, 1.0)
    with pytest.raises(ValueError, match="empty"):
        fn([], [], 1.0)


@pytest.mark.parametrize("fn", [window_roc, window_auroc])
def test_ranking_metrics_reject_bad_input(fn):
    with pytest.raises(ValueError, match="same length"):
        fn(F, TRUTH[:4])
    with pytest.raises(ValueError, match="boolean"):
        fn(F, np.array([0, 2, 1, 0, 1]))
    with pytest.raises(ValueError, match="NaN or inf"):
        fn(np.r_[np.nan, F[1:]], TRUTH)
    with pytest.raises(ValueError, match="no causal windows"):
        fn(F, np.zeros(5, bool))
    with pytest.raises(ValueError, match="only causal windows"):
        fn(F, np.ones(5, bool))
