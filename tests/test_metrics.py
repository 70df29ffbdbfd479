"""Tests for gcbook.metrics.

scikit-learn is the independent reference for the ranking metrics, and a
verbatim copy of NOTEARS's set-based ``count_accuracy`` (below) is the
reference for the graph metrics.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from gcbook import metrics
from gcbook.metrics import auprc, auroc, count_accuracy, precision_recall_curve, roc_curve, shd

# ---------------------------------------------------------------------------
# references
# ---------------------------------------------------------------------------


def notears_count_accuracy(B_true, B_est):
    """NOTEARS's utils.count_accuracy (Zheng et al., 2018), set-based, without its DAG check on B_est."""
    if (B_est == -1).any():  # cpdag
        if not ((B_est == 0) | (B_est == 1) | (B_est == -1)).all():
            raise ValueError("B_est should take value in {0,1,-1}")
        if ((B_est == -1) & (B_est.T == -1)).any():
            raise ValueError("undirected edge should only appear once")
    elif not ((B_est == 0) | (B_est == 1)).all():
        raise ValueError("B_est should take value in {0,1}")
    d = B_true.shape[0]
    # linear index of nonzeros
    pred_und = np.flatnonzero(B_est == -1)
    pred = np.flatnonzero(B_est == 1)
    cond = np.flatnonzero(B_true)
    cond_reversed = np.flatnonzero(B_true.T)
    cond_skeleton = np.concatenate([cond, cond_reversed])
    # true pos
    true_pos = np.intersect1d(pred, cond, assume_unique=True)
    # treat undirected edge favorably
    true_pos_und = np.intersect1d(pred_und, cond_skeleton, assume_unique=True)
    true_pos = np.concatenate([true_pos, true_pos_und])
    # false pos
    false_pos = np.setdiff1d(pred, cond_skeleton, assume_unique=True)
    false_pos_und = np.setdiff1d(pred_und, cond_skeleton, assume_unique=True)
    false_pos = np.concatenate([false_pos, false_pos_und])
    # reverse
    extra = np.setdiff1d(pred, cond, assume_unique=True)
    reverse = np.intersect1d(extra, cond_reversed, assume_unique=True)
    # compute ratio
    pred_size = len(pred) + len(pred_und)
    cond_neg_size = 0.5 * d * (d - 1) - len(cond)
    fdr = float(len(reverse) + len(false_pos)) / max(pred_size, 1)
    tpr = float(len(true_pos)) / max(len(cond), 1)
    fpr = float(len(reverse) + len(false_pos)) / max(cond_neg_size, 1)
    # structural hamming distance
    pred_lower = np.flatnonzero(np.tril(B_est + B_est.T))
    cond_lower = np.flatnonzero(np.tril(B_true + B_true.T))
    extra_lower = np.setdiff1d(pred_lower, cond_lower, assume_unique=True)
    missing_lower = np.setdiff1d(cond_lower, pred_lower, assume_unique=True)
    shd = len(extra_lower) + len(missing_lower) + len(reverse)
    return {"fdr": fdr, "tpr": tpr, "fpr": fpr, "shd": shd, "nnz": pred_size}


def random_dag(d, p_edge, rng):
    """A random DAG: a strictly upper-triangular Bernoulli matrix under a random permutation."""
    B = np.triu(rng.random((d, d)) < p_edge, k=1).astype(int)
    perm = rng.permutation(d)
    return B[np.ix_(perm, perm)]


def random_cpdag(d, p_edge, p_undirected, rng):
    """A random DAG with some edges turned into undirected ones (-1, marked once)."""
    B = random_dag(d, p_edge, rng)
    B[(B == 1) & (rng.random((d, d)) < p_undirected)] = -1
    return B


def off_diagonal(M):
    return M[~np.eye(M.shape[0], dtype=bool)]


def random_truth_and_scores(rng, p, ties):
    A = (rng.random((p, p)) < rng.uniform(0.1, 0.5)).astype(int)
    A[0, 1], A[1, 0] = 1, 0  # both classes off the diagonal
    if ties:
        S = rng.integers(0, 4, size=(p, p)).astype(float) + 0.5 * A * rng.integers(0, 2, size=(p, p))
    else:
        S = rng.normal(size=(p, p)) + A
    return A, S


# ---------------------------------------------------------------------------
# ranking metrics against scikit-learn
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("include_diagonal", [False, True])
@pytest.mark.parametrize("ties", [False, True])
def test_auroc_auprc_match_sklearn(include_diagonal, ties):
    rng = np.random.default_rng(0)
    for _ in range(40):
        p = int(rng.integers(2, 12))
        A, S = random_truth_and_scores(rng, p, ties)
        y, s = (A.ravel(), S.ravel()) if include_diagonal else (off_diagonal(A), off_diagonal(S))
        assert abs(auroc(A, S, include_diagonal) - skm.roc_auc_score(y, s)) < 1e-12
        assert abs(auprc(A, S, include_diagonal) - skm.average_precision_score(y, s)) < 1e-12


@pytest.mark.parametrize("drop_intermediate", [False, True])
@pytest.mark.parametrize("ties", [False, True])
def test_roc_curve_matches_sklearn(drop_intermediate, ties):
    rng = np.random.default_rng(1)
    for _ in range(30):
        p = int(rng.integers(2, 10))
        A, S = random_truth_and_scores(rng, p, ties)
        ours = roc_curve(A, S, drop_intermediate=drop_intermediate)
        ref = skm.roc_curve(off_diagonal(A), off_diagonal(S), drop_intermediate=drop_intermediate)
        for a, b in zip(ours, ref):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
        fpr, tpr, _ = ours
        assert abs(np.trapezoid(tpr, fpr) - auroc(A, S)) < 1e-12


@pytest.mark.parametrize("drop_intermediate", [False, True])
@pytest.mark.parametrize("ties", [False, True])
def test_precision_recall_curve_matches_sklearn(drop_intermediate, ties):
    rng = np.random.default_rng(2)
    for _ in range(30):
        p = int(rng.integers(2, 10))
        A, S = random_truth_and_scores(rng, p, ties)
        ours = precision_recall_curve(A, S, include_diagonal=True, drop_intermediate=drop_intermediate)
        ref = skm.precision_recall_curve(A.ravel(), S.ravel(), drop_intermediate=drop_intermediate)
        for a, b in zip(ours, ref):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_ranking_hand_worked():
    # off-diagonal entries: edges score 0.9 and 0.3, non-edges 0.2, 0.1, 0.4, 0.1.
    # AUROC: 0.9 beats all 4 non-edges, 0.3 beats 3 of them -> 7/8.
    # AP: thresholds 0.9 (P=1, R=1/2), 0.4 (P=1/2, R=1/2), 0.3 (P=2/3, R=1) -> 1/2 + 1/3.
    A = np.array([[1, 1, 0], [0, 1, 1], [0, 0, 1]])  # the diagonal is ignored by default
    S = np.array([[0.0, 0.9, 0.2], [0.1, 0.0, 0.3], [0.4, 0.1, 0.0]])
    assert auroc(A, S) == 0.875
    assert auprc(A, S) == pytest.approx(5 / 6, abs=1e-15)


def test_ties_count_one_half():
    A = np.array([[0, 1], [0, 0]])
    S = np.array([[0.0, 0.5], [0.5, 0.0]])  # the edge and the non-edge tie
    assert auroc(A, S) == 0.5
    assert auprc(A, S) == 0.5
    assert auroc(A, -S + 1) == 0.5


def test_perfect_and_inverted_rankings():
    rng = np.random.default_rng(3)
    A = random_dag(8, 0.3, rng)
    assert 0 < off_diagonal(A).sum() < 8 * 7
    assert auroc(A, A + 0.1 * rng.random(A.shape)) == 1.0
    assert auprc(A, A.astype(float)) == 1.0
    assert auroc(A, 1 - A) == 0.0


def test_dataframes_and_bools_are_accepted():
    rng = np.random.default_rng(4)
    A, S = random_truth_and_scores(rng, 5, ties=False)
    names = list("abcde")
    A_df, S_df = pd.DataFrame(A, index=names, columns=names), pd.DataFrame(S, index=names, columns=names)
    assert auroc(A_df, S_df) == auroc(A, S)
    assert auprc(A_df, S_df) == auprc(A, S)
    assert auroc(A.astype(bool), S) == auroc(A, S)


def test_orientation_matters():
    # the score matrix is read in the same orientation as the truth: transposing it changes the answer
    A = np.array([[0, 1, 1], [0, 0, 1], [0, 0, 0]])
    S = A.astype(float)
    assert auroc(A, S) == 1.0
    assert auroc(A, S.T) == 0.0


@pytest.mark.parametrize("func", [auroc, auprc, roc_curve, precision_recall_curve])
def test_ranking_validation(func):
    A = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    S = np.arange(9.0).reshape(3, 3)
    with pytest.raises(ValueError, match="same shape"):
        func(A, S[:2, :2])
    with pytest.raises(ValueError, match="square"):
        func(A, S[:2])
    with pytest.raises(ValueError, match="lagged scores"):
        func(A, np.ones((3, 3, 2)))
    with pytest.raises(ValueError, match="binary"):
        func(A * 0.5, S)
    bad = S.copy()
    bad[0, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        func(A, bad)
    bad[0, 1] = np.inf
    with pytest.raises(ValueError, match="NaN or inf"):
        func(A, bad)
    with pytest.raises(ValueError, match="undefined when the truth has no edges"):
        func(np.eye(3), S)  # only self-loops, which are not evaluated by default
    with pytest.raises(ValueError, match="undefined when the truth has only edges"):
        func(1 - np.eye(3), S)
    with pytest.raises(ValueError, match="at least 2 variables"):
        func(np.ones((1, 1)), np.ones((1, 1)))


def test_auroc_error_names_the_metric():
    with pytest.raises(ValueError, match="AUROC is undefined"):
        auroc(np.zeros((3, 3)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="AUPRC is undefined"):
        auprc(np.zeros((3, 3)), np.ones((3, 3)))


def test_include_diagonal_with_self_loops():
    A = np.eye(3, dtype=int)
    A[0, 1] = 1
    S = np.ones((3, 3))
    S[0, 1] = 2.0
    # off-diagonal: the only edge has the top score -> 1; with the diagonal, the self-loops tie with non-edges
    assert auroc(A, S) == 1.0
    assert auroc(A, S, include_diagonal=True) == skm.roc_auc_score(A.ravel(), S.ravel())


# ---------------------------------------------------------------------------
# graph metrics against NOTEARS
# ---------------------------------------------------------------------------


def test_count_accuracy_matches_notears_on_random_dags():
    rng = np.random.default_rng(5)
    for _ in range(300):
        d = int(rng.integers(2, 12))
        B_true = random_dag(d, rng.uniform(0.1, 0.6), rng)
        B_est = random_cpdag(d, rng.uniform(0.1, 0.6), rng.choice([0.0, 0.3]), rng)
        ours = count_accuracy(B_true, B_est)
        ref = notears_count_accuracy(B_true, B_est)
        assert ours.keys() == ref.keys()
        for key in ("fdr", "tpr", "fpr"):
            assert ours[key] == pytest.approx(ref[key], abs=1e-15), key
        assert ours["shd"] == ref["shd"] and ours["nnz"] == ref["nnz"]
        assert isinstance(ours["shd"], int) and isinstance(ours["nnz"], int)


def test_count_accuracy_estimate_derived_from_truth():
    # estimates close to the truth (reversals, deletions, undirected marks) exercise every branch
    rng = np.random.default_rng(6)
    for _ in range(200):
        d = int(rng.integers(3, 10))
        B_true = random_dag(d, 0.4, rng)
        B_est = B_true.copy()
        flip = (B_true == 1) & (rng.random((d, d)) < 0.3)
        B_est[flip] = 0
        B_est[flip.T] = 1  # reversed edges (still no 2-cycles)
        B_est[(B_est == 1) & (rng.random((d, d)) < 0.2)] = 0  # missing
        B_est[(B_est == 1) & (rng.random((d, d)) < 0.2)] = -1  # undirected
        assert count_accuracy(B_true, B_est) == pytest.approx(notears_count_accuracy(B_true, B_est))


def test_count_accuracy_hand_worked_dag():
    # truth: 0 -> 1 -> 2 (d = 3, 2 true edges, 3 - 2 = 1 non-adjacent pair)
    # estimate: 1 -> 0 (reversed), 1 -> 2 (true positive), 0 -> 2 (false positive)
    #   fdr = (1 reversed + 1 FP) / 3 predicted = 2/3
    #   tpr = 1 TP / 2 true edges = 1/2
    #   fpr = (1 + 1) / max(1, 1) = 2        (NOTEARS's fpr can exceed 1)
    #   shd = 1 extra pair {0, 2} + 0 missing + 1 reversed = 2
    B_true = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    B_est = np.array([[0, 0, 1], [1, 0, 1], [0, 0, 0]])
    assert count_accuracy(B_true, B_est) == pytest.approx({"fdr": 2 / 3, "tpr": 0.5, "fpr": 2.0, "shd": 2, "nnz": 3})
    assert shd(B_true, B_est) == 2


def test_count_accuracy_hand_worked_cpdag():
    # truth: 0 -> 1, 2 -> 1 (a collider), d = 3, 1 non-adjacent pair {0, 2}
    # estimate: 0 - 1 undirected (counts as a true positive), 1 -> 2 (reversed), 0 -> 2 (false positive)
    #   fdr = (1 reversed + 1 FP) / 3 = 2/3, tpr = 1/2, fpr = 2/1 = 2
    #   shd = 1 extra pair {0, 2} + 0 missing + 1 reversed = 2
    B_true = np.array([[0, 1, 0], [0, 0, 0], [0, 1, 0]])
    B_est = np.array([[0, -1, 1], [0, 0, 1], [0, 0, 0]])
    expected = {"fdr": 2 / 3, "tpr": 0.5, "fpr": 2.0, "shd": 2, "nnz": 3}
    assert count_accuracy(B_true, B_est) == pytest.approx(expected)
    assert notears_count_accuracy(B_true, B_est) == pytest.approx(expected)


def test_count_accuracy_perfect_and_empty():
    B = np.array([[0, 1, 1], [0, 0, 1], [0, 0, 0]])
    assert count_accuracy(B, B) == {"fdr": 0.0, "tpr": 1.0, "fpr": 0.0, "shd": 0, "nnz": 3}
    assert count_accuracy(B, np.zeros_like(B)) == {"fdr": 0.0, "tpr": 0.0, "fpr": 0.0, "shd": 3, "nnz": 0}


def test_count_accuracy_ignores_diagonal():
    rng = np.random.default_rng(7)
    B_true, B_est = random_dag(6, 0.4, rng), random_dag(6, 0.4, rng)
    loops_true, loops_est = B_true + np.eye(6, dtype=int), B_est.copy()
    np.fill_diagonal(loops_est, 1)
    assert count_accuracy(loops_true, loops_est) == count_accuracy(B_true, B_est)


def test_count_accuracy_validation():
    B = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    with pytest.raises(ValueError, match=r"\{-1, 0, 1\}"):
        count_accuracy(B, 0.5 * B)
    with pytest.raises(ValueError, match="binary"):
        count_accuracy(-B, B)
    with pytest.raises(ValueError, match="marked twice"):
        count_accuracy(B, -(B + B.T))
    with pytest.raises(ValueError, match="both undirected"):
        count_accuracy(B, -B + B.T)
    with pytest.raises(ValueError, match="same shape"):
        count_accuracy(B, B[:2, :2])
    with pytest.raises(ValueError, match="square"):
        count_accuracy(B[:2], B[:2])
    with pytest.raises(ValueError, match="NaN or inf"):
        count_accuracy(B, np.where(B == 1, np.nan, 0))


def test_shd_equals_notears_on_dags():
    rng = np.random.default_rng(8)
    for _ in range(300):
        d = int(rng.integers(2, 12))
        B_true, B_est = random_dag(d, rng.uniform(0.1, 0.6), rng), random_dag(d, rng.uniform(0.1, 0.6), rng)
        assert shd(B_true, B_est) == notears_count_accuracy(B_true, B_est)["shd"]
        assert shd(B_true, B_est) == count_accuracy(B_true, B_est)["shd"]


def test_shd_pair_configurations_with_two_cycles():
    # a brute-force reference over unordered pairs with configurations none / i->j / j->i / both
    def reference(Bt, Be, include_diagonal):
        p = Bt.shape[0]
        n = sum((Bt[i, j], Bt[j, i]) != (Be[i, j], Be[j, i]) for i in range(p) for j in range(i + 1, p))
        return n + (sum(Bt[i, i] != Be[i, i] for i in range(p)) if include_diagonal else 0)

    rng = np.random.default_rng(9)
    for _ in range(200):
        p = int(rng.integers(2, 9))
        Bt, Be = (rng.random((2, p, p)) < 0.4).astype(int)  # any directed graphs, 2-cycles and self-loops included
        for include_diagonal in (False, True):
            assert shd(Bt, Be, include_diagonal) == reference(Bt, Be, include_diagonal)
            assert shd(Be, Bt, include_diagonal) == shd(Bt, Be, include_diagonal)


def test_shd_hand_worked_two_cycle():
    truth = np.array([[0, 1], [1, 0]])  # 0 <-> 1
    assert shd(truth, np.array([[0, 1], [0, 0]])) == 1  # configuration "both" vs "0 -> 1"
    assert shd(truth, truth) == 0
    assert shd(np.array([[0, 1], [0, 0]]), np.array([[0, 0], [1, 0]])) == 1  # a reversal counts once
    assert shd(np.eye(2), np.zeros((2, 2))) == 0
    assert shd(np.eye(2), np.zeros((2, 2)), include_diagonal=True) == 2


def test_shd_returns_int_and_accepts_bool_and_dataframe():
    B = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    value = shd(pd.DataFrame(B), B.T.astype(bool))
    assert value == 2 and isinstance(value, int)


def test_shd_validation():
    B = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    with pytest.raises(ValueError, match="binary"):
        shd(B, 0.7 * B)
    with pytest.raises(ValueError, match="same shape"):
        shd(B, np.zeros((4, 4)))
    with pytest.raises(ValueError, match="square"):
        shd(B, np.zeros(3))
    with pytest.raises(ValueError, match="at least 2 variables"):
        shd(np.zeros((1, 1)), np.zeros((1, 1)))


def test_metrics_module_does_not_import_sklearn():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(metrics))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name and name.split(".")[0] == "sklearn" for name in imported)


# ---------------------------------------------------------------------------
# skeleton SHD and edge F1
# ---------------------------------------------------------------------------


def test_skeleton_shd_ignores_directions_and_counts_adjacencies():
    from gcbook.metrics import skeleton_shd

    B_true = np.array([[0, 1, 1], [0, 0, 1], [0, 0, 0]])
    assert skeleton_shd(B_true, B_true.T) == 0  # all reversed: same skeleton
    assert skeleton_shd(B_true, np.array([[0, -1, 0], [0, 0, 0], [0, 0, 0]])) == 2  # two missing
    assert skeleton_shd(np.zeros((3, 3), int), B_true) == 3  # three extra
    # never more than count_accuracy's SHD, which adds the reversals
    rng = np.random.default_rng(0)
    for _ in range(20):
        truth = np.triu(rng.random((6, 6)) < 0.4, k=1).astype(int)
        est = (rng.random((6, 6)) < 0.2).astype(int)
        np.fill_diagonal(est, 0)
        est[est.T == 1] = 0  # no 2-cycles
        acc = count_accuracy(truth, est)
        assert skeleton_shd(truth, est) <= acc["shd"]
    with pytest.raises(ValueError):
        skeleton_shd(B_true, 0.5 * B_true)


def test_edge_f1_matches_precision_and_recall():
    from gcbook.metrics import edge_f1

    B_true = np.array([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]])
    assert edge_f1(B_true, B_true) == 1.0
    est = np.array([[0, 1, 0, 0], [0, 0, 0, 0], [0, 1, 0, -1], [0, 0, 0, 0]])  # right, reversed, undirected
    acc = count_accuracy(B_true, est)
    precision, recall = 1 - acc["fdr"], acc["tpr"]
    assert edge_f1(B_true, est) == pytest.approx(2 * precision * recall / (precision + recall))
    assert edge_f1(B_true, est, skeleton=True) == 1.0
    assert edge_f1(B_true, B_true.T) == 0.0 and edge_f1(B_true, B_true.T, skeleton=True) == 1.0
    assert edge_f1(np.zeros((3, 3), int), np.zeros((3, 3), int)) == 1.0
    assert edge_f1(B_true, np.zeros((4, 4), int)) == 0.0
