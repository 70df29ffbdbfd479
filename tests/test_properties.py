"""Property tests (issue 18, item 5): permutation equivariance, scale invariance, bad input.

1. **Permuting the variables permutes every output.** If ``Xp = X[:, perm]``, column ``k`` of
   ``Xp`` is the original variable ``perm[k]``, so every ``(p, p)`` matrix ``M`` (cause on the
   row) must come back as ``M[perm][:, perm]``, lagged ``(p, p, lag)`` arrays on their first two
   axes (``scores_by_lag``, ``coef_by_lag``) and ``VARFit.coef`` ``(lag, p, p)`` on its last two. Least squares is equivariant to
   rounding (``rtol=1e-9``); the lasso by cyclic coordinate descent visits the coordinates in
   another order, so it agrees only to its convergence tolerance (``atol=1e-9`` at
   ``tol=1e-12``); NOTEARS is a nonconvex L-BFGS-B path whose arithmetic (BLAS sums) runs in
   another order, so it is equivariant up to rounding amplified along the path (measured
   ``2e-11`` with the default preconditioning, ``7e-6`` without; tested with ``atol=1e-6`` and
   ``1e-3``, and the support exactly).
2. **Scale invariance where a method claims it.** Granger F tests, Geweke's measure, the
   spectral measure and the window F test standardise the data and are invariant to
   rescaling (any nonzero factor, sign included) and shifting each variable; ``fit_var``'s
   coefficients transform as ``coef[k, i, j] * s_j / s_i`` (this catches a transposed
   orientation, which plain permutation tests cannot). NOTEARS and the lasso centre the data,
   so they are shift invariant but not scale invariant; ``sortnregress`` is not scale
   invariant by design: every edge points from lower to higher marginal variance, which
   rescaling reorders (the book's "varsortability" point).
3. **Bad input gets a ValueError with a message**, never another exception and never a
   silently returned NaN (hypothesis, derandomized, small example counts).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gcbook import metrics
from gcbook.granger import fit_var, granger_strength, granger_test, instantaneous_causality, select_lag
from gcbook.notears import notears_linear, sortnregress
from gcbook.simulate import dag_weights, linear_sem, lorenz96, random_dag, var
from gcbook.sparse_var import lasso, lasso_var
from gcbook.spectral import spectral_granger
from gcbook.stationarity import toda_yamamoto_pvalues
from gcbook.window import window_granger
from gcbook.window_metrics import window_roc

settings.register_profile(
    "gcbook-properties",
    derandomize=True,
    deadline=None,
    max_examples=30,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
FAST = settings(settings.get_profile("gcbook-properties"))
FEW = settings(settings.get_profile("gcbook-properties"), max_examples=12)

PERM = np.array([2, 0, 3, 1])
INV = np.argsort(PERM)  # original variable v sits at column INV[v] of X[:, PERM]
LS = dict(rtol=1e-9, atol=1e-12)  # least squares: equal to rounding


def pp(M, perm=PERM):
    """Permute the first two axes of a (p, p, ...) array."""
    return M[perm][:, perm]


@pytest.fixture(scope="module")
def series():
    X, _ = var(p=4, T=300, lag=2, seed=0)
    return X


@pytest.fixture(scope="module")
def sem():
    B = random_dag(4, 4, seed=1)
    return B, linear_sem(dag_weights(B, seed=1), 300, seed=1)


# -------------------------------------------------------------------------------------------
# 1. permutation equivariance
# -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("conditional", [False, True])
def test_granger_test_is_permutation_equivariant(series, conditional):
    res, rp = granger_test(series, 2, conditional), granger_test(series[:, PERM], 2, conditional)
    np.testing.assert_allclose(rp.f_stat, pp(res.f_stat), **LS)
    # p-values of strong links are ~1e-50: compare them in log scale, where rounding of F stays small
    np.testing.assert_allclose(np.log(rp.p_value), np.log(pp(res.p_value)), rtol=1e-8, atol=1e-10)
    assert (rp.df_num, rp.df_den) == (res.df_num, res.df_den)
    assert np.array_equal(rp.adjacency(0.01), pp(res.adjacency(0.01)))
    assert np.isnan(np.diag(rp.f_stat)).all()


def test_granger_test_labels_follow_the_columns(series):
    import pandas as pd

    df = pd.DataFrame(series, columns=list("abcd"))
    res = granger_test(df[list("cadb")], 2)
    assert res.labels == tuple("cadb")
    ref = granger_test(df, 2)
    np.testing.assert_allclose(res.f_stat, pp(ref.f_stat), **LS)


def test_fit_var_is_permutation_equivariant(series):
    fit, fp = fit_var(series, 2), fit_var(series[:, PERM], 2)
    np.testing.assert_allclose(fp.coef, fit.coef[:, PERM][:, :, PERM], **LS)
    np.testing.assert_allclose(fp.intercept, fit.intercept[PERM], **LS)
    np.testing.assert_allclose(fp.sigma, pp(fit.sigma), **LS)
    np.testing.assert_allclose(fp.residuals, fit.residuals[:, PERM], **LS)
    np.testing.assert_allclose(fp.predict(series[:, PERM]), fit.predict(series)[:, PERM], **LS)


def test_fit_var_list_of_recordings_is_permutation_equivariant(series):
    recs = [series[:120], series[120:]]
    fit, fp = fit_var(recs, 1), fit_var([r[:, PERM] for r in recs], 1)
    np.testing.assert_allclose(fp.coef, fit.coef[:, PERM][:, :, PERM], **LS)


def test_the_order_of_the_recordings_does_not_matter(series):
    """Pooling sums over windows: reordering the recordings changes no pooled fit or test."""
    recs = [series[:90], series[90:200], series[200:]]
    back = recs[::-1]
    np.testing.assert_allclose(granger_test(back, 2).f_stat, granger_test(recs, 2).f_stat, **LS)
    np.testing.assert_allclose(granger_test(back, 2, True).f_stat, granger_test(recs, 2, True).f_stat, **LS)
    np.testing.assert_allclose(fit_var(back, 2).coef, fit_var(recs, 2).coef, **LS)
    np.testing.assert_allclose(granger_strength(back, 1).strength, granger_strength(recs, 1).strength, **LS)
    np.testing.assert_allclose(
        spectral_granger(back, 2, [0.1, 0.3]).values,
        spectral_granger(recs, 2, [0.1, 0.3]).values,
        rtol=1e-8,
        atol=1e-12,
    )
    np.testing.assert_allclose(
        lasso_var(back, 2, 0.05).coef_by_lag, lasso_var(recs, 2, 0.05).coef_by_lag, rtol=0, atol=1e-9
    )
    # and a list of one recording is that recording
    np.testing.assert_allclose(granger_test([series], 2).f_stat, granger_test(series, 2).f_stat, **LS)


@pytest.mark.parametrize("conditional", [False, True])
def test_granger_strength_is_permutation_equivariant(series, conditional):
    res, rp = granger_strength(series, 2, conditional), granger_strength(series[:, PERM], 2, conditional)
    for name in ("strength", "debiased", "stat", "ci_low", "ci_high"):
        np.testing.assert_allclose(getattr(rp, name), pp(getattr(res, name)), err_msg=name, **LS)
    np.testing.assert_allclose(rp.transfer_entropy, pp(res.transfer_entropy), **LS)
    np.testing.assert_allclose(np.log(rp.p_value), np.log(pp(res.p_value)), rtol=1e-8, atol=1e-10)


def test_instantaneous_causality_is_permutation_equivariant(series):
    res, rp = instantaneous_causality(series, 2), instantaneous_causality(series[:, PERM], 2)
    for name in ("wald", "p_value", "correlation", "sigma"):
        np.testing.assert_allclose(getattr(rp, name), pp(getattr(res, name)), err_msg=name, **LS)
    # a joint test of a group of original variables is the test of their new positions
    for group in ([0], [1, 3], [0, 2, 3]):
        stat, pval, df = res.joint(group)
        stat_p, pval_p, df_p = rp.joint(INV[group])
        assert df == df_p
        np.testing.assert_allclose([stat_p, pval_p], [stat, pval], **LS)


@pytest.mark.parametrize("conditional", [False, True])
def test_spectral_granger_is_permutation_equivariant(series, conditional):
    freqs = np.linspace(0, 0.5, 9)
    res = spectral_granger(series, 2, freqs=freqs, conditional=conditional)
    rp = spectral_granger(series[:, PERM], 2, freqs=freqs, conditional=conditional)
    np.testing.assert_allclose(rp.values, pp(res.values), rtol=1e-8, atol=1e-12)
    assert np.isnan(rp.values[np.arange(4), np.arange(4)]).all()


def test_lasso_var_is_permutation_equivariant_to_its_tolerance(series):
    """Coordinate descent sweeps the coordinates in another order: equal to convergence (tol=1e-12)."""
    for alpha in (0.0, 0.05, 0.2):
        res, rp = lasso_var(series, 2, alpha), lasso_var(series[:, PERM], 2, alpha)
        C, Cp = res.coef_by_lag, rp.coef_by_lag  # (p, p, lag): cause and effect on the first two axes
        np.testing.assert_allclose(Cp, C[PERM][:, PERM], rtol=0, atol=1e-9)
        np.testing.assert_allclose(rp.intercept, res.intercept[PERM], rtol=0, atol=1e-9)
        assert np.array_equal(Cp != 0, (C != 0)[PERM][:, PERM])
        np.testing.assert_allclose(rp.scores, pp(res.scores), rtol=0, atol=1e-9)


def test_window_granger_indices_follow_the_permutation(series):
    cause, effect = 0, 3
    res = window_granger(series, cause, effect, window=30)
    rp = window_granger(series[:, PERM], INV[cause], INV[effect], window=30)
    assert (rp.cause, rp.effect) == (INV[cause], INV[effect])
    np.testing.assert_array_equal(rp.starts, res.starts)
    np.testing.assert_allclose(rp.f_stat, res.f_stat, **LS)
    np.testing.assert_allclose(rp.p_value, res.p_value, **LS)
    # swapping cause and effect is a different test (a check that the indices are not symmetric)
    back = window_granger(series, effect, cause, window=30)
    assert not np.allclose(back.f_stat, res.f_stat)


@pytest.mark.parametrize("precondition, atol", [(True, 1e-6), (False, 1e-3)])
def test_notears_is_permutation_equivariant_up_to_the_path(sem, precondition, atol):
    """Exact in exact arithmetic (objective, preconditioner and L-BFGS-B treat coordinates alike);
    in floating point the sums run in another order and the nonconvex path amplifies it:
    measured 2e-11 (preconditioned) and 7e-6 (not), tested with atol 1e-6 and 1e-3."""
    _, X = sem
    W = notears_linear(X, precondition=precondition).W
    Wp = notears_linear(X[:, PERM], precondition=precondition).W
    np.testing.assert_allclose(Wp, pp(W), rtol=0, atol=atol)
    assert np.array_equal(Wp != 0, pp(W != 0))


def test_sortnregress_is_permutation_equivariant_without_ties(sem):
    _, X = sem
    assert np.unique(np.round(np.log(X.var(axis=0)), 9)).size == X.shape[1]  # no tied variances
    np.testing.assert_allclose(sortnregress(X[:, PERM]).W, pp(sortnregress(X).W), rtol=1e-8, atol=1e-12)


def test_sortnregress_ties_keep_the_column_order(sem):
    """Documented: standardised columns tie, so every edge points from an earlier to a later column,
    whatever the order the columns come in (not permutation equivariant by design)."""
    _, X = sem
    Z = (X - X.mean(0)) / X.std(0)
    for perm in (np.arange(4), PERM):
        W = sortnregress(Z[:, perm]).W
        assert np.all(np.tril(W) == 0)


@st.composite
def truth_and_scores(draw):
    p = draw(st.integers(2, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    A = rng.random((p, p)) < 0.4
    off = ~np.eye(p, dtype=bool)
    A[0, 1], A[1, 0] = True, False  # at least one edge and one non-edge off the diagonal
    S = np.round(rng.random((p, p)), draw(st.integers(1, 3)))  # rounding makes ties
    perm = rng.permutation(p)
    return A.astype(int), S, perm, off


@FAST
@given(truth_and_scores(), st.booleans())
def test_metrics_are_invariant_to_relabelling_the_nodes(case, include_diagonal):
    A, S, perm, _ = case
    if include_diagonal and (np.all(A) or not np.any(A)):
        return
    for metric in (metrics.auroc, metrics.auprc):
        assert metric(pp(A, perm), pp(S, perm), include_diagonal) == pytest.approx(
            metric(A, S, include_diagonal), rel=1e-12, abs=1e-14
        )
    B = S > 0.5
    assert metrics.shd(pp(A, perm), pp(B, perm), include_diagonal) == metrics.shd(A, B, include_diagonal)
    np.fill_diagonal(B, False)
    ca, cap = (
        metrics.count_accuracy(A - np.diag(np.diag(A)), B),
        metrics.count_accuracy(pp(A - np.diag(np.diag(A)), perm), pp(B, perm)),
    )
    assert ca == pytest.approx(cap)


@FAST
@given(truth_and_scores())
def test_ranking_metrics_depend_only_on_the_order_of_the_scores(case):
    """AUROC and AUPRC are rank statistics: any strictly increasing map of the scores leaves them."""
    from scipy.stats import rankdata

    A, S, _, _ = case
    ranks = rankdata(S, method="dense").reshape(S.shape)
    for metric in (metrics.auroc, metrics.auprc):
        assert metric(A, ranks) == pytest.approx(metric(A, S), rel=1e-12)
        assert metric(A, 3.0 * S - 7.0) == pytest.approx(metric(A, S), rel=1e-12)


def test_jacobian_readout_is_permutation_equivariant(torch_one_thread):
    """A fixed MLP forecaster with permuted input columns and output rows is the same model of the
    permuted variables; its Jacobian scores (cause on the row) are the permuted scores."""
    import copy

    import torch

    from gcbook.neural import MLPForecaster, input_jacobian, jacobian_scores, mlp_jacobian

    p, lag = 4, 3
    torch.manual_seed(0)
    model = MLPForecaster(p=p, lag=lag, hidden=(8, 5)).double()
    permuted = copy.deepcopy(model)
    linears = [layer for layer in permuted.net if isinstance(layer, torch.nn.Linear)]
    perm = torch.as_tensor(PERM)
    with torch.no_grad():
        first, last = linears[0], linears[-1]
        # the flattened input holds x_i(t-k) at column (k-1)*p + i
        cols = (torch.arange(lag)[:, None] * p + perm[None, :]).reshape(-1)
        first.weight.copy_(first.weight[:, cols])
        last.weight.copy_(last.weight[perm])
        last.bias.copy_(last.bias[perm])
    x = torch.randn(16, lag, p, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    xp = x[:, :, perm]
    torch.testing.assert_close(permuted(xp), model(x)[:, perm], rtol=1e-12, atol=1e-12)
    S = jacobian_scores(input_jacobian(model, x))
    for jac in (input_jacobian, mlp_jacobian):
        Sp = jacobian_scores(jac(permuted, xp))
        np.testing.assert_allclose(Sp, pp(S), rtol=1e-12, atol=1e-14)


def _permuted_dataset(ds, perm):
    import dataclasses

    X = [x[:, perm] for x in ds.X] if isinstance(ds.X, list) else ds.X[:, perm]
    coef = None if ds.coef is None else (ds.coef[:, perm][:, :, perm] if ds.coef.ndim == 3 else pp(ds.coef, perm))
    return dataclasses.replace(ds, X=X, truth=pp(ds.truth, perm), coef=coef)


@pytest.mark.parametrize(
    "dataset, methods, atol",
    [
        ("sparse_var", ["granger_pairwise", "granger_conditional", "lasso_var", "pcmci"], 1e-9),
        ("sem_raw", ["notears", "sortnregress"], 1e-6),
    ],
)
def test_suite_methods_are_permutation_equivariant(dataset, methods, atol):
    """Through gcbook.suite: scores and graphs permute, and every evaluation figure is unchanged.
    (PC and GES are left out: their orientation phase can depend on the order of the variables,
    Colombo and Maathuis 2014, and the undirected edges of their CPDAG code sit at (min, max).)"""
    from gcbook.suite import evaluate, make_dataset, run_method

    ds = make_dataset(dataset, seed=0, size="small")
    perm = np.random.default_rng(3).permutation(ds.p)
    dp = _permuted_dataset(ds, perm)
    for name in methods:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out, outp = run_method(name, ds), run_method(name, dp)
        np.testing.assert_allclose(outp.scores, pp(out.scores, perm), rtol=1e-8, atol=atol, err_msg=name)
        assert np.array_equal(outp.adjacency, pp(out.adjacency, perm)), name
        ev, evp = evaluate(ds, out), evaluate(dp, outp)
        assert evp.keys() == ev.keys()
        for key, value in ev.items():
            if isinstance(value, (float, np.floating)):
                assert evp[key] == pytest.approx(value, rel=1e-9, nan_ok=True), (name, key)
            else:
                assert evp[key] == value, (name, key)


# -------------------------------------------------------------------------------------------
# 2. scale invariance
# -------------------------------------------------------------------------------------------

scales = st.lists(st.floats(0.05, 50.0).flatmap(lambda v: st.sampled_from([v, -v])), min_size=4, max_size=4).map(
    np.array
)
shifts = st.lists(st.floats(-100.0, 100.0), min_size=4, max_size=4).map(np.array)


@FEW
@given(scales, shifts, st.booleans())
def test_granger_tests_are_invariant_to_affine_rescaling(series, s, c, conditional):
    Y = series * s + c
    res, rs = granger_test(series, 2, conditional), granger_test(Y, 2, conditional)
    np.testing.assert_allclose(rs.f_stat, res.f_stat, rtol=1e-8)
    gs, gy = granger_strength(series, 2, conditional), granger_strength(Y, 2, conditional)
    np.testing.assert_allclose(gy.strength, gs.strength, rtol=1e-8)
    ins, iny = instantaneous_causality(series, 2), instantaneous_causality(Y, 2)
    np.testing.assert_allclose(iny.wald, ins.wald, rtol=1e-8)
    np.testing.assert_allclose(iny.correlation, ins.correlation * np.outer(np.sign(s), np.sign(s)), rtol=1e-8)


@FEW
@given(scales, shifts)
def test_spectral_granger_is_invariant_to_affine_rescaling(series, s, c):
    freqs = np.linspace(0, 0.5, 5)
    for conditional in (False, True):
        a = spectral_granger(series, 2, freqs, conditional).values
        b = spectral_granger(series * s + c, 2, freqs, conditional).values
        np.testing.assert_allclose(b, a, rtol=1e-7, atol=1e-12)


@FEW
@given(scales, shifts)
def test_window_granger_is_invariant_to_affine_rescaling(series, s, c):
    a = window_granger(series, 1, 2, window=40, lag=2)
    b = window_granger(series * s + c, 1, 2, window=40, lag=2)
    np.testing.assert_allclose(b.f_stat, a.f_stat, rtol=1e-8)


@FEW
@given(scales, shifts)
def test_fit_var_coefficients_transform_with_the_scales(series, s, c):
    """``x' = s x + c``: ``coef'[k, i, j] = coef[k, i, j] s_j / s_i`` and
    ``c'_j = s_j c_j + shift_j - sum_{k,i} coef'[k, i, j] shift_i``; a transposed ``coef`` fails."""
    fit, fs = fit_var(series, 2), fit_var(series * s + c, 2)
    expected = fit.coef * s[None, None, :] / s[None, :, None]
    np.testing.assert_allclose(fs.coef, expected, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(
        fs.intercept, s * fit.intercept + c - np.einsum("kij,i->j", expected, c), rtol=1e-7, atol=1e-7 * np.abs(c).max()
    )
    np.testing.assert_allclose(fs.sigma, fit.sigma * np.outer(s, s), rtol=1e-8, atol=1e-12)


@FEW
@given(shifts)
def test_lasso_var_is_shift_invariant(series, c):
    """The unpenalised intercept absorbs a shift of any column (the lasso centres the design)."""
    np.testing.assert_allclose(
        lasso_var(series + c, 2, 0.05).coef_by_lag, lasso_var(series, 2, 0.05).coef_by_lag, rtol=0, atol=1e-8
    )


def test_notears_is_shift_invariant_but_not_scale_invariant(sem):
    """The l2 loss is taken on centred data, so shifts change nothing (to the path's rounding)."""
    B, X = sem
    W = notears_linear(X).W
    np.testing.assert_allclose(notears_linear(X + np.array([5.0, -3.0, 100.0, 0.5])).W, W, rtol=0, atol=1e-6)
    # rescaling one column changes the weights: W'[i, j] = W[i, j] s_j / s_i would hold only if the
    # l1 penalty and the threshold scaled too, which they do not (not claimed, so only checked to differ)
    Ws = notears_linear(X * np.array([1.0, 10.0, 1.0, 1.0])).W
    assert not np.allclose(Ws, W, atol=1e-3)


@FEW
@given(st.integers(-120, 120))
def test_sortnregress_is_invariant_to_a_common_unit(sem, exponent):
    """One factor for every column keeps the variance order, the OLS weights and the BIC, so the
    graph and weights stay (to rounding). scikit-learn's LARS stops at absolute tolerances, which
    lost every edge of data with sd below about 1e-3 until sortnregress rescaled internally."""
    _, X = sem
    W = sortnregress(X).W
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Ws = sortnregress(X * 10.0**exponent).W
    np.testing.assert_allclose(Ws, W, rtol=1e-9, atol=1e-12)


def test_notears_does_not_pass_off_a_failed_fit_as_the_empty_graph(sem):
    """At a huge scale L-BFGS-B does not move from W = 0 and h = 0 counts as converged; W = 0 is not
    a solution there (a loss gradient exceeds lambda1), so a warning must say so. At a tiny scale
    W = 0 is the solution (the l1 term wins) and no warning is due."""
    _, X = sem
    with pytest.warns(UserWarning, match="not a solution"):
        assert not np.any(notears_linear(X * 1e14).W)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not np.any(notears_linear(X * 1e-5).W)


@FEW
@given(st.lists(st.floats(0.01, 100.0), min_size=4, max_size=4).map(np.array))
def test_sortnregress_edges_point_up_the_variances_after_any_rescaling(sem, s):
    """Documented: every edge points from lower to higher marginal variance (so rescaling, which
    reorders the variances, reorients edges: the method is not scale invariant)."""
    _, X = sem
    Y = X * s
    W = sortnregress(Y).W
    v = Y.var(axis=0)
    i, j = np.nonzero(W)
    assert np.all(v[i] <= v[j])


# -------------------------------------------------------------------------------------------
# 3. bad input gets a ValueError with a message
# -------------------------------------------------------------------------------------------


def raises_value_error(fn, *args, **kwargs):
    """Call and require a ValueError with a non-empty message; any other exception propagates."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = fn(*args, **kwargs)
        except ValueError as exc:
            assert str(exc).strip(), f"{fn.__name__} raised a ValueError without a message"
            return
    pytest.fail(f"{fn.__name__} accepted bad input and returned {type(out).__name__}")


@st.composite
def bad_series(draw):
    """A small series made bad in one way, and a description of how."""
    T = draw(st.integers(8, 16))
    p = draw(st.integers(2, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = rng.standard_normal((T, p))
    kind = draw(
        st.sampled_from(
            [
                "nan",
                "inf",
                "ndim1",
                "ndim3",
                "scalar",
                "empty_rows",
                "empty_cols",
                "one_column",
                "constant",
                "string",
                "strings",
                "none",
                "ragged",
                "complex",
                "list_mismatch",
                "list_nan",
                "list_empty_item",
                "two_rows",
                "dict",
            ]
        )
    )
    r, col = draw(st.integers(0, T - 1)), draw(st.integers(0, p - 1))
    if kind == "nan":
        X[r, col] = np.nan
    elif kind == "inf":
        X[r, col] = draw(st.sampled_from([np.inf, -np.inf]))
    elif kind == "ndim1":
        X = X[:, 0]
    elif kind == "ndim3":
        X = X[None]
    elif kind == "scalar":
        X = np.float64(1.0)
    elif kind == "empty_rows":
        X = np.empty((0, p))
    elif kind == "empty_cols":
        X = np.empty((T, 0))
    elif kind == "one_column":
        X = X[:, :1]
    elif kind == "constant":
        X[:, col] = draw(st.sampled_from([0.0, 3.5]))
    elif kind == "string":
        X = "not a series"
    elif kind == "strings":
        X = np.array([["a"] * p] * T)
    elif kind == "none":
        X = None
    elif kind == "ragged":
        X = [list(row) for row in X]
        X[1] = X[1][:-1]
    elif kind == "complex":
        X = X + 1j * rng.standard_normal(X.shape)
    elif kind == "list_mismatch":
        X = [X, np.c_[X, rng.standard_normal(T)]]
    elif kind == "list_nan":
        Y = X.copy()
        Y[r, col] = np.nan
        X = [X, Y]
    elif kind == "list_empty_item":
        X = [X, np.empty((0, p))]
    elif kind == "two_rows":
        X = X[:2]
    elif kind == "dict":
        X = {"a": 1}
    return kind, X


bad_lags = st.one_of(
    st.integers(-3, 0),
    st.sampled_from([1.5, 2.0, "2", None, True, False, np.nan, [1], np.float64(1.0)]),
    st.integers(10**6, 10**7),
)


def good_series(T=40, p=3, seed=0):
    return np.random.default_rng(seed).standard_normal((T, p))


SERIES_FUNCTIONS = {
    "granger_test": lambda X, lag=1: granger_test(X, lag),
    "granger_test_conditional": lambda X, lag=1: granger_test(X, lag, conditional=True),
    "fit_var": lambda X, lag=1: fit_var(X, lag),
    "select_lag": lambda X, lag=1: select_lag(X, lag),
    "granger_strength": lambda X, lag=1: granger_strength(X, lag),
    "instantaneous_causality": lambda X, lag=1: instantaneous_causality(X, lag),
    "spectral_granger": lambda X, lag=1: spectral_granger(X, lag, freqs=[0.0, 0.25]),
    "spectral_granger_conditional": lambda X, lag=1: spectral_granger(X, lag, freqs=[0.1], conditional=True),
    "lasso_var": lambda X, lag=1: lasso_var(X, lag, 0.1),
    "window_granger": lambda X, lag=1: window_granger(X, 0, 1, window=4 if lag == 1 else 5, lag=lag),
    "toda_yamamoto_pvalues": lambda X, lag=1: toda_yamamoto_pvalues(X, lag),
}


@FAST
@given(bad_series(), st.sampled_from(sorted(SERIES_FUNCTIONS)))
def test_bad_series_gets_a_value_error(case, name):
    _, X = case
    raises_value_error(SERIES_FUNCTIONS[name], X)


@FEW
@given(bad_series(), st.sampled_from(["notears", "sortnregress"]))
def test_bad_data_gets_a_value_error_in_the_dag_learners(case, name):
    _, X = case
    fn = (lambda X: notears_linear(X, max_iter=2)) if name == "notears" else sortnregress
    raises_value_error(fn, X)


@FEW
@given(bad_series(), st.sampled_from(["GRNGC", "CMLP"]))
def test_bad_series_gets_a_value_error_in_the_neural_estimators(case, name):
    from gcbook import neural

    _, X = case
    raises_value_error(getattr(neural, name)(lag=1, epochs=1).fit, X)


FLAG_CALLS = {
    "granger_test.conditional": lambda v: granger_test(good_series(), 1, conditional=v),
    "granger_strength.conditional": lambda v: granger_strength(good_series(), 1, conditional=v),
    "spectral_granger.conditional": lambda v: spectral_granger(good_series(), 1, freqs=[0.1], conditional=v),
    "lasso_var.return_intercept": lambda v: lasso_var(good_series(), 1, 0.1, return_intercept=v),
    "lasso_var.fit_intercept": lambda v: lasso_var(good_series(), 1, 0.1, fit_intercept=v),
    "window_granger.indexing": lambda v: window_granger(good_series(T=60), 0, 1, window=10, indexing=v),
    "notears_linear.enforce_dag": lambda v: notears_linear(good_series(), max_iter=1, enforce_dag=v),
    "notears_linear.return_history": lambda v: notears_linear(good_series(), max_iter=1, return_history=v),
    "notears_linear.precondition": lambda v: notears_linear(good_series(), max_iter=1, precondition=v),
    "auroc.include_diagonal": lambda v: metrics.auroc(np.eye(3, k=1), np.arange(9.0).reshape(3, 3), include_diagonal=v),
    "shd.include_diagonal": lambda v: metrics.shd(np.eye(3, k=1), np.eye(3, k=1), include_diagonal=v),
    "window_roc.drop_intermediate": lambda v: window_roc(np.arange(6.0), np.arange(6) % 2 == 0, drop_intermediate=v),
    "edge_f1.skeleton": lambda v: metrics.edge_f1(np.eye(3, k=1), np.eye(3, k=1), skeleton=v),
    "roc_curve.drop_intermediate": lambda v: metrics.roc_curve(
        np.eye(3, k=1), np.arange(9.0).reshape(3, 3), drop_intermediate=v
    ),
}


@FAST
@given(st.sampled_from(["no", "yes", "False", 0, 1, None, 1.0, [True]]), st.sampled_from(sorted(FLAG_CALLS)))
def test_flags_are_true_or_false_never_a_truth_value(value, name):
    """A string or number for a flag is refused, not read by its truth value (``"no"`` is truthy)."""
    raises_value_error(FLAG_CALLS[name], value)


@FAST
@given(bad_lags, st.sampled_from(sorted(SERIES_FUNCTIONS)))
def test_bad_lag_gets_a_value_error(lag, name):
    raises_value_error(SERIES_FUNCTIONS[name], good_series(), lag)


@FAST
@given(st.integers(2, 9), st.integers(2, 4), st.sampled_from(sorted(SERIES_FUNCTIONS)))
def test_too_short_for_the_lag_gets_a_value_error(T, lag, name):
    """Series too short for the model at this lag (or for any model at all)."""
    X = good_series(T=min(T, lag + 1) if name != "window_granger" else T, p=3)
    if name == "window_granger":
        raises_value_error(window_granger, X, 0, 1, window=T, lag=lag)
    else:
        raises_value_error(SERIES_FUNCTIONS[name], X, lag)


@FAST
@given(
    st.sampled_from(
        [
            dict(criterion="aicc"),
            dict(criterion=None),
            dict(max_lag=0),
            dict(max_lag=2.5),
            dict(max_lag=True),
        ]
    )
)
def test_select_lag_bad_arguments(kwargs):
    kwargs = {"max_lag": 2, **kwargs}
    raises_value_error(select_lag, good_series(), **kwargs)


@FAST
@given(st.sampled_from([0.0, 1.0, -0.5, 1.5, np.nan, np.inf, True, "0.9", None]))
def test_granger_strength_bad_level(level):
    raises_value_error(granger_strength, good_series(), 1, level=level)


@FAST
@given(st.sampled_from([[-0.1], [0.6], [np.nan], [np.inf], [[0.1, 0.2]], [], "low", [True], 0.7]))
def test_spectral_granger_bad_freqs(freqs):
    raises_value_error(spectral_granger, good_series(), 1, freqs=freqs)


@FAST
@given(st.sampled_from(["complex_Z", "complex_X", "nan_X", "numpy_X", "lag0"]))
def test_torch_lasso_bad_input(kind):
    import torch

    from gcbook.sparse_var import lasso_torch, lasso_var_torch

    g = torch.Generator().manual_seed(0)
    Z, y = torch.randn(12, 3, generator=g, dtype=torch.float64), torch.randn(12, generator=g, dtype=torch.float64)
    X = torch.randn(30, 3, generator=g, dtype=torch.float64)
    if kind == "complex_Z":
        raises_value_error(lasso_torch, Z.to(torch.complex128), y, 0.1)
    elif kind == "complex_X":
        raises_value_error(lasso_var_torch, X.to(torch.complex128), 1, 0.1)
    elif kind == "nan_X":
        X[3, 1] = float("nan")
        raises_value_error(lasso_var_torch, X, 1, 0.1)
    elif kind == "numpy_X":
        raises_value_error(lasso_var_torch, X.numpy(), 1, 0.1)
    else:
        raises_value_error(lasso_var_torch, X, 0, 0.1)


@FAST
@given(st.sampled_from([0.0, 1.0, -0.1, 2.0, np.nan, "0.05", True, None, [0.05]]))
def test_result_adjacency_bad_alpha(alpha):
    X = good_series()
    raises_value_error(granger_test(X, 1).adjacency, alpha)
    raises_value_error(instantaneous_causality(X, 1).adjacency, alpha)


@FAST
@given(st.sampled_from(["above_one", "negative", "nan_off_diagonal", "not_square", "one_d", "strings"]))
def test_adjust_p_values_bad_input(kind):
    from gcbook.granger import adjust_p_values

    P = {
        "above_one": np.array([[np.nan, 2.0], [0.1, np.nan]]),
        "negative": np.array([[np.nan, -0.1], [0.1, np.nan]]),
        "nan_off_diagonal": np.array([[np.nan, np.nan], [0.1, np.nan]]),
        "not_square": np.full((2, 3), 0.5),
        "one_d": np.full(4, 0.5),
        "strings": np.full((2, 2), "p"),
    }[kind]
    for correction in (None, "bonferroni", "fdr_bh"):
        raises_value_error(adjust_p_values, P, correction)


@FAST
@given(
    st.sampled_from(
        [dict(lag=0), dict(lag=1.5), dict(lag=True), dict(X=np.arange(5.0)), dict(X=np.ones((2, 2, 2))), dict(lag=5)]
    )
)
def test_lag_matrix_bad_input(kwargs):
    from gcbook.granger import lag_matrix

    kwargs = {"X": np.arange(10.0).reshape(5, 2), "lag": 1, **kwargs}
    raises_value_error(lag_matrix, **kwargs)


bad_reals = st.sampled_from([-0.1, -1, np.nan, np.inf, -np.inf, "0.1", None, True, [0.1]])


@FAST
@given(bad_reals)
def test_lasso_bad_alpha(alpha):
    rng = np.random.default_rng(0)
    raises_value_error(lasso, rng.standard_normal((10, 3)), rng.standard_normal(10), alpha)
    raises_value_error(lasso_var, good_series(), 1, alpha)


@FAST
@given(
    st.sampled_from(["nan_Z", "inf_Y", "rows", "Z1d", "Y3d", "strings", "empty", "max_iter", "tol", "fit_intercept"])
)
def test_lasso_bad_design(kind):
    rng = np.random.default_rng(0)
    Z, Y, kw = rng.standard_normal((10, 3)), rng.standard_normal((10, 2)), {}
    if kind == "nan_Z":
        Z[2, 1] = np.nan
    elif kind == "inf_Y":
        Y[0, 0] = np.inf
    elif kind == "rows":
        Y = Y[:-1]
    elif kind == "Z1d":
        Z = Z[:, 0]
    elif kind == "Y3d":
        Y = Y[None]
    elif kind == "strings":
        Z = np.full((10, 3), "z")
    elif kind == "empty":
        Z, Y = np.empty((0, 3)), np.empty((0, 2))
    elif kind == "max_iter":
        kw = dict(max_iter=0)
    elif kind == "tol":
        kw = dict(tol=-1.0)
    elif kind == "fit_intercept":
        kw = dict(fit_intercept="yes")
    raises_value_error(lasso, Z, Y, 0.1, **kw)


@FAST
@given(
    st.sampled_from(
        [
            dict(cause=0, effect=0),
            dict(cause=5),
            dict(cause=-1),
            dict(cause=True),
            dict(cause=1.0),
            dict(cause="zz"),
            dict(window=0),
            dict(window=2.5),
            dict(window=True),
            dict(window=3),
            dict(window=1000),
            dict(step=0),
            dict(step=1.5),
            dict(model="svm"),
            dict(indexing=True),
            dict(indexing="no"),
            dict(lag=0),
            dict(lag=2.0),
        ]
    )
)
def test_window_granger_bad_arguments(kwargs):
    kwargs = {"cause": 0, "effect": 1, "window": 10, **kwargs}
    raises_value_error(window_granger, good_series(T=60), **kwargs)


@FAST
@given(
    st.sampled_from(
        [
            dict(lambda1=-0.1),
            dict(lambda1=np.nan),
            dict(lambda1="0.1"),
            dict(loss="l1"),
            dict(loss="logistic"),
            dict(w_threshold=-1.0),
            dict(w_threshold=np.inf),
            dict(max_iter=0),
            dict(max_iter=2.0),
            dict(max_iter=True),
            dict(h_tol=0.0),
            dict(h_tol=-1e-8),
            dict(rho_max=1.0),
            dict(rho_max=np.nan),
        ]
    )
)
def test_notears_bad_arguments(kwargs):
    raises_value_error(notears_linear, good_series(T=30), **kwargs)


@st.composite
def bad_graph_pair(draw):
    p = draw(st.integers(2, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    A = (rng.random((p, p)) < 0.5).astype(int)
    A[0, 1], A[1, 0] = 1, 0
    S = rng.random((p, p))
    kind = draw(
        st.sampled_from(
            [
                "nan",
                "inf",
                "nonbinary",
                "shape",
                "ndim1",
                "ndim3",
                "one",
                "no_edges",
                "all_edges",
                "strings",
                "none",
                "empty",
            ]
        )
    )
    if kind == "nan":
        S[0, 1] = np.nan
    elif kind == "inf":
        S[1, 0] = -np.inf
    elif kind == "nonbinary":
        A = A * 2
    elif kind == "shape":
        S = np.zeros((p + 1, p + 1))
    elif kind == "ndim1":
        A, S = A.ravel(), S.ravel()
    elif kind == "ndim3":
        A, S = A[None], S[None]
    elif kind == "one":
        A, S = np.ones((1, 1)), np.ones((1, 1))
    elif kind == "no_edges":
        A = np.zeros((p, p), dtype=int)
    elif kind == "all_edges":
        A = 1 - np.eye(p, dtype=int)
    elif kind == "strings":
        S = np.full((p, p), "s")
    elif kind == "none":
        S = None
    elif kind == "empty":
        A, S = np.empty((0, 0)), np.empty((0, 0))
    return kind, A, S


@FAST
@given(bad_graph_pair())
def test_metrics_bad_input(case):
    kind, A, S = case
    for metric in (metrics.auroc, metrics.auprc):
        raises_value_error(metric, A, S)
    if kind not in ("nan", "inf", "no_edges", "all_edges"):  # shd takes any two binary graphs
        B = S if kind in ("shape", "strings", "none", "ndim1", "ndim3", "one", "empty") else (S > 0.5)
        raises_value_error(metrics.shd, A, B)


bad_sizes = st.sampled_from([0, -1, 2.5, "3", None, True, np.nan, [3]])


@FAST
@given(bad_sizes, st.sampled_from(["var_p", "var_T", "var_lag", "lorenz_p", "lorenz_T", "dag_d", "dag_edges", "sem_n"]))
def test_simulators_bad_sizes(size, which):
    if which == "var_p":
        raises_value_error(var, size, 50, seed=0)
    elif which == "var_T":
        raises_value_error(var, 3, size, seed=0)
    elif which == "var_lag":
        raises_value_error(var, 3, 50, lag=size, seed=0)
    elif which == "lorenz_p":
        raises_value_error(lorenz96, size, 20, seed=0, burn_in=10)
    elif which == "lorenz_T":
        raises_value_error(lorenz96, 5, size, seed=0, burn_in=10)
    elif which == "dag_d":
        raises_value_error(random_dag, size, 2, seed=0)
    elif which == "dag_edges":
        if size == 0:  # an empty graph is a valid DAG
            return
        raises_value_error(random_dag, 4, size, seed=0)
    elif which == "sem_n":
        raises_value_error(linear_sem, np.array([[0.0, 1.0], [0.0, 0.0]]), size, seed=0)


@FAST
@given(st.sampled_from(["cycle", "nan", "shape", "ndim1", "strings"]))
def test_linear_sem_bad_weights(kind):
    W = {
        "cycle": np.array([[0.0, 1.0], [1.0, 0.0]]),
        "nan": np.array([[0.0, np.nan], [0.0, 0.0]]),
        "shape": np.zeros((2, 3)),
        "ndim1": np.zeros(4),
        "strings": np.full((2, 2), "w"),
    }[kind]
    raises_value_error(linear_sem, W, 10, seed=0)


# -------------------------------------------------------------------------------------------
# never a silent NaN: degenerate but finite data either raise or give finite numbers
# -------------------------------------------------------------------------------------------


@st.composite
def degenerate_series(draw):
    """Small-integer series: duplicated, collinear, nearly constant or two-valued columns."""
    T = draw(st.integers(6, 14))
    p = draw(st.integers(2, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = rng.integers(-2, 3, size=(T, p)).astype(float)
    kind = draw(
        st.sampled_from(
            [
                "ints",
                "duplicate",
                "collinear",
                "one_spike",
                "binary",
                "tiny",
                "huge",
                "deterministic",
                "window_constant",
            ]
        )
    )
    if kind == "deterministic":  # x1(t) = x0(t - 1) exactly
        X[1:, 1] = X[:-1, 0]
    elif kind == "window_constant":  # the effect is flat over a stretch as long as a window
        X[2:8, 1] = 1.0
    elif kind == "duplicate":
        X[:, -1] = X[:, 0]
    elif kind == "collinear" and p == 3:
        X[:, 2] = X[:, 0] - 2 * X[:, 1]
    elif kind == "one_spike":
        X[:, 0] = 0.0
        X[draw(st.integers(0, T - 1)), 0] = 1.0
    elif kind == "binary":
        X = (X > 0).astype(float)
        X[0, :], X[1, :] = 0.0, 1.0
    elif kind == "tiny":
        X = X * 1e-150 + rng.standard_normal(X.shape) * 1e-160
    elif kind == "huge":
        X = X * 1e150
    return kind, X


def finite_off_diagonal(M):
    """All entries finite, leaving out the diagonal (NaN by design) of a (p, p, ...) array."""
    M = np.asarray(M, dtype=float)
    if M.ndim >= 2 and M.shape[0] == M.shape[1]:
        M = M[~np.eye(M.shape[0], dtype=bool)]
    return bool(np.all(np.isfinite(M)))


@FAST
@given(degenerate_series(), st.integers(1, 2))
def test_degenerate_data_never_gives_a_silent_nan(case, lag):
    _, X = case
    checks = {
        "granger_test": lambda: granger_test(X, lag).p_value,
        "granger_test_conditional": lambda: granger_test(X, lag, conditional=True).f_stat,
        "granger_strength": lambda: granger_strength(X, lag).strength,
        "fit_var": lambda: fit_var(X, lag).coef.transpose(1, 2, 0),
        "instantaneous_causality": lambda: instantaneous_causality(X, lag).wald,
        "spectral_granger": lambda: spectral_granger(X, lag, freqs=[0.0, 0.2]).values,
        "lasso_var": lambda: lasso_var(X, lag, 0.1).coef_by_lag,
        "select_lag": lambda: np.array([[select_lag(X, lag)]], dtype=float),
        "toda_yamamoto_pvalues": lambda: toda_yamamoto_pvalues(X, lag),
        "notears_linear": lambda: notears_linear(X, max_iter=5).W,
        "sortnregress": lambda: sortnregress(X).W,
    }
    for name, call in checks.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out = call()
            except ValueError as exc:
                assert str(exc).strip()
                continue
        assert finite_off_diagonal(out), f"{name} returned NaN or inf off the diagonal for {X!r}"


@FAST
@given(degenerate_series(), st.integers(1, 2))
def test_window_granger_marks_undefined_windows_and_only_those(case, lag):
    """Documented: a window whose design is rank deficient (a flat stretch) or whose full model fits
    exactly gets NaN in f_stat, p_value and mse_ratio together, and the repr counts them; every
    other window is finite."""
    _, X = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = window_granger(X, 0, 1, window=2 * lag + 3, lag=lag)
        except ValueError as exc:
            assert str(exc).strip()
            return
    undefined = np.isnan(res.f_stat)
    np.testing.assert_array_equal(np.isnan(res.p_value), undefined)
    np.testing.assert_array_equal(np.isnan(res.mse_ratio), undefined)
    assert np.all(np.isfinite(res.f_stat[~undefined])) and np.all(res.f_stat[~undefined] >= 0)
    if undefined.any():
        assert f"undefined in {undefined.sum()}" in repr(res)
