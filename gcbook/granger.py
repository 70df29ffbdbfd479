"""Granger causality: VAR least squares, the Granger F-test and lag selection.

Taught in the chapters :ref:`chap-granger` (``book/granger.md``) and
:ref:`chap-granger-practice` (``book/granger_practice.md``).

Orientation: ``f_stat[i, j]`` and ``p_value[i, j]`` test ``x_i -> x_j`` (the cause is the row).

The F-test compares two least-squares regressions of ``x_j(t)`` on an intercept and lags
``1..L``. The *restricted* model leaves out the lags of the candidate cause ``x_i``; the
*unrestricted* model includes them. With ``n = T - L`` usable time points,

.. math::

    F = \\frac{(\\mathrm{RSS}_r - \\mathrm{RSS}_u) / L}{\\mathrm{RSS}_u / (n - k_u)}
    \\sim F(L, n - k_u) \\text{ under } H_0,

where ``k_u`` is the number of coefficients of the unrestricted model: ``2L + 1`` for the
pairwise test and ``pL + 1`` for the conditional (full-VAR) test.

Every ordered pair is tested in one batched computation, without a Python loop over pairs:

- One QR factorisation of the full lagged design ``Z = [1, lags of all variables] = QR`` turns
  every regression on a subset of its columns into a regression on ``k = pL + 1`` rows instead of
  ``n`` (``Q`` is an isometry), so the ``p(p-1)`` pairwise models cost little more than one.
- Pairwise: a batched QR of each pair's design, with the cause's lags as its last columns, gives
  both residual sums of squares: the restricted model spans the leading columns of ``Q``, so
  ``RSS_r - RSS_u = ||Q_causeᵀ y||²`` is computed directly, without subtracting two large numbers.
- Conditional: every test shares the full model; dropping the cause's block raises the RSS by the
  Wald quadratic form of its coefficients, computed from ``R⁻¹`` with one small QR per cause.

Beyond the test: :func:`granger_strength` reports Geweke's measure ``F = ln(RSS_r / RSS_u)`` from
the same regressions (with a chi-square test and a confidence interval; ``F / 2`` is the Gaussian
transfer entropy), :func:`instantaneous_causality` tests the residual covariance of the full VAR,
and :func:`spectral_granger` (from :mod:`gcbook.spectral`) splits ``F`` over frequencies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import linalg, special, stats

from gcbook._result import GraphResult, default_labels
from gcbook._utils import EXACT_FIT, batches, standardized_lag_matrix
from gcbook._validation import (
    as_float_array,
    as_time_series,
    check_bool,
    check_lag,
    check_real,
    check_recording_lengths,
    recordings_and_lag,
)

__all__ = [
    "GrangerResult",
    "VARFit",
    "lag_matrix",
    "pooled_lag_matrix",
    "fit_var",
    "granger_test",
    "information_criteria",
    "select_lag",
    "adjust_p_values",
    "GrangerStrength",
    "granger_strength",
    "InstantaneousResult",
    "instantaneous_causality",
    "SpectralGrangerResult",
    "spectral_granger",
]

_CORRECTIONS = (None, "bonferroni", "fdr_bh")


def lag_matrix(X: np.ndarray, lag: int) -> tuple[np.ndarray, np.ndarray]:
    """Split a series into targets and their lagged predictors.

    Parameters
    ----------
    X : numpy.ndarray, shape (T, p)
        The series, rows are time.
    lag : int
        Number of lags ``L``.

    Returns
    -------
    Y : numpy.ndarray, shape (n, p)
        The targets ``x(t)`` for ``t = L, ..., T-1``, so ``n = T - L``.
    lags : numpy.ndarray, shape (n, p, L)
        ``lags[t, i, k-1] = x_i(t + L - k)``: the value of variable ``i`` ``k`` steps
        before the target row ``t``.

    Examples
    --------
    >>> X = np.arange(10.0).reshape(5, 2)
    >>> Y, lags = lag_matrix(X, 2)
    >>> Y[0], lags[0, :, 0], lags[0, :, 1]
    (array([4., 5.]), array([2., 3.]), array([0., 1.]))
    """
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D with shape (T, p) (rows are time), got shape {X.shape}.")
    lag = check_lag(lag)
    T = X.shape[0]
    if T <= lag:
        raise ValueError(f"The series is too short for lag={lag}: T={T} leaves no target row.")
    Y = X[lag:]
    lags = np.stack([X[lag - k : T - k] for k in range(1, lag + 1)], axis=-1)
    return Y, lags


def pooled_lag_matrix(recordings: list[np.ndarray], lag: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`lag_matrix` of each recording, stacked: no window crosses from one recording into the next.

    Parameters
    ----------
    recordings : list of numpy.ndarray, shapes (T_r, p)
        Each needs ``T_r >= lag + 1`` (at least one window).
    lag : int

    Returns
    -------
    Y : numpy.ndarray, shape (sum_r (T_r - lag), p)
    lags : numpy.ndarray, shape (sum_r (T_r - lag), p, lag)
        The rows of recording 0, then of recording 1, and so on.

    Examples
    --------
    >>> Y, lags = pooled_lag_matrix([np.arange(6.0).reshape(3, 2), 10 + np.arange(6.0).reshape(3, 2)], 2)
    >>> Y, lags[:, :, 1]
    (array([[ 4.,  5.],
           [14., 15.]]), array([[ 0.,  1.],
           [10., 11.]]))
    """
    check_recording_lengths(recordings, lag)
    parts = [lag_matrix(rec, lag) for rec in recordings]
    return np.concatenate([Y for Y, _ in parts]), np.concatenate([lags for _, lags in parts])


@dataclass(frozen=True, repr=False)
class VARFit:
    """A VAR(L) model fitted by ordinary least squares.

    Attributes
    ----------
    coef : numpy.ndarray, shape (lag, p, p)
        ``coef[k-1, i, j]`` is the effect of ``x_i(t-k)`` on ``x_j(t)``: the layout of
        statsmodels' ``coefs`` and the input of :func:`gcbook.simulate.var_from_coef` and
        :mod:`gcbook.spectral`. :attr:`coef_by_lag` is the same array with the lag axis
        last, the layout of every array indexed by (cause, effect, lag).
    intercept : numpy.ndarray, shape (p,)
    residuals : numpy.ndarray, shape (T - lag, p)
    sigma : numpy.ndarray, shape (p, p)
        Maximum-likelihood residual covariance ``residualsᵀ residuals / (T - lag)``.
    lag : int
    labels : tuple of str
    """

    coef: np.ndarray
    intercept: np.ndarray
    residuals: np.ndarray
    sigma: np.ndarray
    lag: int
    labels: tuple = field(default=())

    @property
    def coef_by_lag(self) -> np.ndarray:
        """``coef`` with the lag axis last, shape (p, p, lag): ``coef_by_lag[i, j, k-1] = coef[k-1, i, j]``."""
        return np.moveaxis(self.coef, 0, -1)

    def predict(self, X) -> np.ndarray:
        """One-step-ahead predictions for ``X`` (T, p); returns shape (T - lag, p)."""
        arr, _ = as_time_series(X)
        if arr.shape[1] != self.coef.shape[1]:
            raise ValueError(f"X has {arr.shape[1]} variables, the model was fitted on {self.coef.shape[1]}.")
        check_lag(self.lag, arr.shape[0])
        _, lags = lag_matrix(arr, self.lag)
        return self.intercept + np.einsum("tik,kij->tj", lags, self.coef)

    def __repr__(self) -> str:
        p = self.coef.shape[1]
        return f"VARFit(p={p}, lag={self.lag}, n={self.residuals.shape[0]}, labels={list(self.labels)})"


def fit_var(X, lag: int) -> VARFit:
    """Fit a VAR(L) model with an intercept by least squares, one equation per variable.

    The model is ``x_j(t) = c_j + sum_k sum_i coef[k-1, i, j] x_i(t-k) + e_j(t)``.

    Parameters
    ----------
    X : array_like or pandas.DataFrame, shape (T, p), or a list of them
        One series, or several recordings of the same variables, shapes (T_r, p): one
        model is fitted to the windows of all recordings together (one intercept), and no
        window crosses from one recording into the next.
    lag : int
        The order ``L >= 1``; needs ``n = sum_r (T_r - L) > pL + 1`` so every equation is
        identified.

    Returns
    -------
    VARFit
        ``residuals`` has one row per window, recording after recording.

    Raises
    ------
    ValueError
        On the input errors of :func:`granger_test`, too few windows for the ``pL + 1``
        coefficients, or a rank-deficient design (duplicated or collinear series), where the
        coefficients are not identified.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.zeros((2000, 2))
    >>> for t in range(1, 2000):
    ...     X[t] = [0.5 * X[t-1, 0], 0.8 * X[t-1, 0] + 0.2 * X[t-1, 1]] + rng.standard_normal(2)
    >>> fit_var(X, 1).coef.round(1)
    array([[[0.5, 0.8],
            [0. , 0.2]]])
    """
    recordings, labels, lag = recordings_and_lag(X, lag)
    p = recordings[0].shape[1]
    Y, lags = pooled_lag_matrix(recordings, lag)
    n = len(Y)
    if n <= p * lag + 1:
        raise ValueError(
            f"Too few time points for a VAR({lag}) in {p} variables: T - lag = {n} must exceed "
            f"p*lag + 1 = {p * lag + 1}. Use a smaller lag or a longer series."
        )
    design = np.column_stack([np.ones(n), lags.transpose(0, 2, 1).reshape(n, lag * p)])
    if _is_rank_deficient(np.linalg.qr(design, mode="r"), design):
        raise ValueError(_RANK_DEFICIENT)  # lstsq would return one of many fits, silently
    beta, *_ = np.linalg.lstsq(design, Y, rcond=None)
    residuals = Y - design @ beta
    coef = beta[1:].reshape(lag, p, p)
    return VARFit(
        coef=coef,
        intercept=beta[0],
        residuals=residuals,
        sigma=residuals.T @ residuals / n,
        lag=lag,
        labels=tuple(labels),
    )


def adjust_p_values(p_value: np.ndarray, correction: str | None) -> np.ndarray:
    """Correct a (p, p) matrix of p-values for the ``p(p-1)`` tests off the diagonal.

    Parameters
    ----------
    p_value : numpy.ndarray, shape (p, p)
        Diagonal entries are ignored (and returned as NaN).
    correction : {None, "bonferroni", "fdr_bh"}
        ``"bonferroni"`` multiplies by the number of tests (capped at 1) and controls the
        family-wise error rate; ``"fdr_bh"`` gives Benjamini-Hochberg adjusted p-values
        (:func:`scipy.stats.false_discovery_control`) and controls the false discovery rate.

    Returns
    -------
    numpy.ndarray, shape (p, p)

    Examples
    --------
    >>> P = np.array([[np.nan, 0.01], [0.04, np.nan]])
    >>> adjust_p_values(P, "bonferroni")
    array([[ nan, 0.02],
           [0.08,  nan]])
    >>> adjust_p_values(P, "fdr_bh")
    array([[ nan, 0.02],
           [0.04,  nan]])
    """
    if correction not in _CORRECTIONS:
        raise ValueError(f"correction must be one of {_CORRECTIONS}, got {correction!r}.")
    p_value = as_float_array(p_value, "p_value", what="a (p, p) matrix of p-values")
    if p_value.ndim != 2 or p_value.shape[0] != p_value.shape[1]:
        raise ValueError(f"p_value must be a square (p, p) matrix, got shape {p_value.shape}.")
    off = ~np.eye(p_value.shape[0], dtype=bool)
    adjusted = np.full_like(p_value, np.nan)
    values = p_value[off]
    if not np.all((values >= 0) & (values <= 1)):  # NaN fails too
        raise ValueError("Every off-diagonal p-value must be a number in [0, 1] (the diagonal is ignored).")
    if correction is None:
        adjusted[off] = values
    elif correction == "bonferroni":
        adjusted[off] = np.minimum(values * values.size, 1.0)
    else:
        adjusted[off] = stats.false_discovery_control(values, method="bh")
    return adjusted


def _significant(p_value: np.ndarray, alpha, correction: str | None) -> np.ndarray:
    """``1`` where the (corrected) p-value is below ``alpha``, ``0`` elsewhere and on the untested (NaN) diagonal."""
    alpha = check_real(alpha, "alpha", low=0.0, high=1.0, low_open=True, high_open=True)
    adjusted = adjust_p_values(p_value, correction)
    return np.where(np.isnan(adjusted), 0, adjusted < alpha).astype(int)


@dataclass(frozen=True, repr=False, eq=False)
class GrangerResult(GraphResult):
    """Granger F-tests for every ordered pair of variables.

    The result shape of every structure-learning method of the package (see
    :ref:`ref-result-shape`): ``scores``, ``adjacency(...)``, ``labels``, ``method``,
    ``to_frame()`` and ``plot()``. The test is joint over the lags, so there is no
    ``scores_by_lag`` (it is None).

    Attributes
    ----------
    f_stat : numpy.ndarray, shape (p, p)
        ``f_stat[i, j]`` tests ``x_i -> x_j``; the diagonal is NaN.
    p_value : numpy.ndarray, shape (p, p)
        Upper-tail probabilities of ``F(df_num, df_den)``; the diagonal is NaN.
    df_num : int
        Numerator degrees of freedom, the number of restrictions (= ``lag``).
    df_den : int
        Denominator degrees of freedom, ``n - k_u``.
    lag : int
    conditional : bool
        ``False`` for pairwise tests, ``True`` for tests inside the full VAR.
    labels : tuple of str
        The variable names: a DataFrame's columns, else ``x0, x1, ...``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((500, 2))
    >>> X[1:, 1] += 0.8 * X[:-1, 0]                    # x0 -> x1 at lag 1
    >>> res = granger_test(X, lag=1)
    >>> res.method, res.scores.shape, res.scores_by_lag is None
    ('granger_pairwise', (2, 2), True)
    >>> res.adjacency(alpha=0.01).tolist()
    [[0, 1], [0, 0]]
    >>> res.to_frame().columns.tolist()
    ['cause', 'effect', 'F', 'edge', 'p_value']
    """

    f_stat: np.ndarray
    p_value: np.ndarray
    df_num: int
    df_den: int
    lag: int
    conditional: bool
    labels: tuple = field(default=())

    score_name = "F"

    def __post_init__(self):
        object.__setattr__(self, "labels", default_labels(np.shape(self.f_stat)[0], self.labels))

    @property
    def method(self) -> str:
        """``"granger_conditional"`` or ``"granger_pairwise"``."""
        return "granger_conditional" if self.conditional else "granger_pairwise"

    @property
    def scores(self) -> np.ndarray:
        """The F statistics, shape (p, p), with the untested diagonal set to 0."""
        return np.nan_to_num(self.f_stat, nan=0.0)

    @property
    def scores_by_lag(self) -> None:
        """None: the F-test is joint over the lags ``1..lag``."""
        return None

    def adjacency(self, alpha: float = 0.05, correction: str | None = None) -> np.ndarray:
        """Binary graph of the tests rejected at level ``alpha``.

        Parameters
        ----------
        alpha : float in (0, 1)
        correction : {None, "bonferroni", "fdr_bh"}
            Multiple-testing correction over the ``p(p-1)`` tests, see :func:`adjust_p_values`.

        Returns
        -------
        numpy.ndarray of int, shape (p, p)
            ``A[i, j] = 1`` when ``x_i -> x_j`` is significant; the diagonal is 0.
        """
        return _significant(self.p_value, alpha, correction)

    def _frame_columns(self) -> dict:
        return {"p_value": self.p_value}

    def _array_hint(self) -> str:
        return "result.f_stat, result.p_value or result.scores"

    def plot(self, ax=None, alpha: float = 0.05, correction: str | None = None):
        """Heatmap of ``-log10(p)`` with the significant pairs marked; returns the Axes."""
        from gcbook.plotting import plot_adjacency

        with np.errstate(divide="ignore"):
            strength = -np.log10(np.clip(self.p_value, 1e-300, 1.0))
        kind = "conditional" if self.conditional else "pairwise"
        ax = plot_adjacency(
            np.nan_to_num(strength),  # the untested diagonal is drawn as 0
            labels=list(self.labels),
            ax=ax,
            title=f"{kind} Granger, lag {self.lag}: $-\\log_{{10}} p$",
            annotate=False,
        )
        significant = self.adjacency(alpha, correction)
        for i, j in zip(*np.nonzero(significant)):
            ax.text(j, i, "*", ha="center", va="center", color="white", fontsize=14, fontweight="bold")
        return ax

    def __repr__(self) -> str:
        kind = "conditional" if self.conditional else "pairwise"
        n_sig = int(self.adjacency(0.05).sum())
        p = self.f_stat.shape[0]
        return (
            f"GrangerResult({kind}, p={p}, lag={self.lag}, df=({self.df_num}, {self.df_den}), "
            f"{n_sig} of {p * (p - 1)} pairs with p < 0.05)"
        )


_RANK_DEFICIENT = (
    "The lagged design matrix is rank deficient: some series (or their lags) are exact linear "
    "combinations of others. Drop duplicated or collinear columns, or use a smaller lag."
)


def _is_rank_deficient(r: np.ndarray, design: np.ndarray) -> bool:
    """True when a diagonal of R is negligible against its column's norm (batched over leading axes)."""
    diag = np.abs(np.diagonal(r, axis1=-2, axis2=-1))
    return bool(np.any(diag < 1e-10 * np.maximum(np.linalg.norm(design, axis=-2), 1e-300)))


def _batched_f_numerator(designs: np.ndarray, y: np.ndarray, n_restricted: int):
    """Residual sums of squares of nested regressions, for a batch of designs.

    Parameters
    ----------
    designs : numpy.ndarray, shape (b, N, k)
        Unrestricted designs; the restricted model uses the first ``n_restricted`` columns.
    y : numpy.ndarray, shape (b, N, m)
        Targets, ``m`` per design.
    n_restricted : int

    Returns
    -------
    extra : numpy.ndarray, shape (b, m)
        ``RSS_r - RSS_u``, the sum of squares explained by the extra columns, computed as
        ``||Q_extraᵀ y||²`` so no two large numbers are subtracted.
    rss_u : numpy.ndarray, shape (b, m)
    """
    q, r = np.linalg.qr(designs)
    if _is_rank_deficient(r, designs):
        raise ValueError(_RANK_DEFICIENT)
    proj = np.einsum("bnk,bnm->bkm", q, y)
    residual = y - np.einsum("bnk,bkm->bnm", q, proj)
    rss_u = np.einsum("bnm,bnm->bm", residual, residual)
    extra = np.einsum("bkm,bkm->bm", proj[:, n_restricted:], proj[:, n_restricted:])
    return extra, rss_u


def _full_design_coordinates(Y: np.ndarray, lags: np.ndarray):
    """Express every regression on a subset of lags in the coordinates of the full design's QR.

    With the full design ``Z = [1, all lags] = Q R`` (``n x k``), a regression of ``y = Q c + e``
    on the columns ``S`` of ``Z`` has ``RSS_S = ||e||² + ||c - R_S b||²`` exactly, because ``Q``
    is an isometry. So the nested regressions of the F-tests can run on ``k``-row matrices
    instead of ``n``-row ones.

    Returns
    -------
    None when the full design has more columns than rows or is rank deficient; otherwise
    ``(r, C, rss_full)``: ``R`` (k, k), ``C = Qᵀ Y`` (k, p), and the full model's RSS per target (p,).
    """
    n, p, lag = lags.shape
    design = np.column_stack([np.ones(n), lags.reshape(n, p * lag)])
    if design.shape[1] >= n:
        return None
    q, r = np.linalg.qr(design)
    if _is_rank_deficient(r, design):
        return None
    C = q.T @ Y
    rss_full = np.sum((Y - q @ C) ** 2, axis=0)
    return r, C, rss_full


def _pairwise_extra_ss(Y: np.ndarray, lags: np.ndarray):
    """``RSS_r - RSS_u`` and ``RSS_u`` of the pairwise tests, for every ordered pair (batched)."""
    n, p, lag = lags.shape
    full = _full_design_coordinates(Y, lags)
    if full is None:  # the pairwise models can still be fine: fit them on the n-row data directly
        intercept, blocks, targets, offset = np.ones((n, 1)), lags, Y, np.zeros(p)
    else:
        r, targets, offset = full
        intercept, blocks = r[:, :1], r[:, 1:].reshape(-1, p, lag)
    rows = intercept.shape[0]
    extra = np.full((p, p), np.nan)
    rss_u = np.full((p, p), np.nan)
    causes, effects = np.nonzero(~np.eye(p, dtype=bool))
    for batch in batches(causes.size, rows * (2 * lag + 1) * 8 * 3):
        i, j = causes[batch], effects[batch]
        designs = np.concatenate(
            [
                np.broadcast_to(intercept, (i.size, rows, 1)),
                blocks[:, j].transpose(1, 0, 2),
                blocks[:, i].transpose(1, 0, 2),
            ],
            axis=2,
        )
        batch_extra, batch_rss = _batched_f_numerator(designs, targets[:, j].T[:, :, None], lag + 1)
        extra[i, j] = batch_extra[:, 0]
        rss_u[i, j] = batch_rss[:, 0] + offset[j]
    return extra, rss_u


def _conditional_extra_ss(Y: np.ndarray, lags: np.ndarray):
    """``RSS_r - RSS_u`` and ``RSS_u`` of the conditional tests, for every ordered pair.

    Dropping the block ``i`` of coefficients ``b_i`` from the full regression raises the RSS by
    ``b_iᵀ [(ZᵀZ)⁻¹]_ii⁻¹ b_i``. With ``Z = QR`` and ``W_i`` the rows of ``R⁻¹`` for block ``i``,
    ``[(ZᵀZ)⁻¹]_ii = W_i W_iᵀ = R_wᵀ R_w`` (QR of ``W_iᵀ``), so the increase is ``||R_w⁻ᵀ b_i||²``.
    """
    n, p, lag = lags.shape
    full = _full_design_coordinates(Y, lags)
    if full is None:
        raise ValueError(_RANK_DEFICIENT)
    r, C, rss_full = full
    r_inv = linalg.solve_triangular(r, np.eye(r.shape[0]))
    coef = r_inv @ C
    block = 1 + np.arange(p)[:, None] * lag + np.arange(lag)  # (p, lag) rows of each cause
    r_w = np.linalg.qr(r_inv[block].transpose(0, 2, 1), mode="r")
    z = np.linalg.solve(r_w.transpose(0, 2, 1), coef[block])  # (cause, lag, effect)
    extra = np.einsum("ikj,ikj->ij", z, z)
    return extra, np.broadcast_to(rss_full, (p, p))


def granger_test(X, lag: int, conditional: bool = False) -> GrangerResult:
    """Granger F-tests of ``x_i -> x_j`` for every ordered pair ``(i, j)``.

    Parameters
    ----------
    X : array_like or pandas.DataFrame, shape (T, p), or a list of them
        Rows are time, columns are variables; ``p >= 2``. DataFrame column names become
        the result's labels. A list holds several recordings of the same variables
        (trials, subjects, experiments), shapes (T_r, p): both regressions then run on the
        windows of all recordings together, with one intercept, and no window crosses from
        one recording into the next (``df_den`` counts ``sum_r (T_r - L)`` windows).
    lag : int
        Number of lags ``L >= 1`` in both models.
    conditional : bool, default False
        ``False``: the pairwise test, regressing ``x_j`` on lags of ``x_j`` alone (restricted)
        or of ``x_j`` and ``x_i`` (unrestricted); equals statsmodels'
        ``grangercausalitytests`` ``ssr_ftest``. ``True``: the conditional test inside the full
        VAR, where both models also hold the lags of every other variable, so a common driver
        among the observed variables is accounted for.

    Returns
    -------
    GrangerResult
        ``f_stat[i, j]`` and ``p_value[i, j]`` test ``x_i -> x_j``; diagonals are NaN.

    Raises
    ------
    ValueError
        On NaN/inf, a constant column, fewer than 2 variables, ``lag < 1``, a series too short
        for the model (``T - L`` must exceed the unrestricted model's coefficient count), or a
        rank-deficient design.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(500)
    >>> y = np.r_[0.0, 0.8 * x[:-1]] + rng.standard_normal(500)
    >>> res = granger_test(np.column_stack([x, y]), lag=2)
    >>> res.adjacency(alpha=0.01)
    array([[0, 1],
           [0, 0]])
    >>> res.df_num, res.df_den
    (2, 493)
    """
    conditional = check_bool(conditional, "conditional")
    labels, lag, _, df_den, extra, rss_u = _nested_rss(X, lag, conditional)
    f_stat = (extra / lag) / (rss_u / df_den)
    np.fill_diagonal(f_stat, np.nan)
    p_value = stats.f.sf(f_stat, lag, df_den)
    return GrangerResult(
        f_stat=f_stat,
        p_value=p_value,
        df_num=lag,
        df_den=df_den,
        lag=lag,
        conditional=conditional,
        labels=tuple(labels),
    )


_CRITERIA = ("aic", "bic", "hqic")


def information_criteria(X, max_lag: int) -> dict[str, np.ndarray]:
    """AIC, BIC and Hannan-Quinn criteria of VAR(L) fits for ``L = 1..max_lag``.

    All fits use the same ``n = T - max_lag`` target rows, so the criteria are comparable
    (for a list of recordings, the rows from ``max_lag`` on of every recording:
    ``n = sum_r (T_r - max_lag)``).
    With ``Sigma_L`` the maximum-likelihood residual covariance of the VAR(L),

    ``aic = log det Sigma_L + 2 L p² / n``, ``bic = log det Sigma_L + log(n) L p² / n``,
    ``hqic = log det Sigma_L + 2 log(log n) L p² / n``.

    Parameters
    ----------
    X : array_like or pandas.DataFrame, shape (T, p), or a list of them
        One series or several recordings of the same variables (see :func:`fit_var`).
    max_lag : int

    Returns
    -------
    dict
        ``"lag"``: array ``[1, ..., max_lag]``; ``"aic"``, ``"bic"``, ``"hqic"``: arrays of shape
        (max_lag,).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> ic = information_criteria(rng.standard_normal((300, 3)), max_lag=4)
    >>> ic["lag"], ic["bic"].shape
    (array([1, 2, 3, 4]), (4,))
    """
    recordings, _, max_lag = recordings_and_lag(X, max_lag, name="max_lag")
    p = recordings[0].shape[1]
    n = sum(rec.shape[0] - max_lag for rec in recordings)
    if n <= p * max_lag + 1:
        raise ValueError(
            f"Too few time points to compare lags up to {max_lag}: T - max_lag = {n} must exceed "
            f"p*max_lag + 1 = {p * max_lag + 1}."
        )
    lags_grid = np.arange(1, max_lag + 1)
    logdet = np.empty(max_lag)
    for idx, lag in enumerate(lags_grid):
        fit = fit_var([rec[max_lag - lag :] for rec in recordings], lag)
        logdet[idx] = np.linalg.slogdet(fit.sigma)[1]
    n_params = lags_grid * p**2
    return {
        "lag": lags_grid,
        "aic": logdet + 2 * n_params / n,
        "bic": logdet + np.log(n) * n_params / n,
        "hqic": logdet + 2 * np.log(np.log(n)) * n_params / n,
    }


def select_lag(X, max_lag: int, criterion: str = "bic") -> int:
    """Choose the VAR order ``L`` in ``1..max_lag`` that minimises an information criterion.

    Parameters
    ----------
    X : array_like or pandas.DataFrame, shape (T, p), or a list of them
        One series or several recordings of the same variables (see :func:`fit_var`).
    max_lag : int
    criterion : {"bic", "aic", "hqic"}
        BIC and HQIC are consistent (they find the true order with probability tending to one
        as T grows); AIC is not (it keeps a positive probability of too large an order) and
        targets the one-step prediction error instead.

    Returns
    -------
    int

    Examples
    --------
    >>> from gcbook.simulate import var
    >>> X, A = var(p=3, T=2000, lag=2, seed=0)
    >>> select_lag(X, max_lag=6)
    2
    """
    if criterion not in _CRITERIA:
        raise ValueError(f"criterion must be one of {_CRITERIA}, got {criterion!r}.")
    ic = information_criteria(X, max_lag)
    return int(ic["lag"][np.argmin(ic[criterion])])


# ---------------------------------------------------------------------------------------------
# Strength: Geweke's time-domain measure (issue 17, item 1)
# ---------------------------------------------------------------------------------------------


def _nested_rss(X, lag: int, conditional: bool):
    """The nested regressions of :func:`granger_test`, as residual sums of squares.

    Returns ``(labels, lag, n, df_den, extra, rss_u)`` with ``extra = RSS_r - RSS_u`` and
    ``rss_u`` of shape (p, p) (cause on the row), on the standardised series.
    """
    conditional = check_bool(conditional, "conditional")
    recordings, labels, lag = recordings_and_lag(X, lag)
    p = recordings[0].shape[1]
    n = sum(rec.shape[0] - lag for rec in recordings)
    k_u = (p if conditional else 2) * lag + 1
    df_den = n - k_u
    if df_den < 1:
        kind = "conditional (full-VAR)" if conditional else "pairwise"
        raise ValueError(
            f"Too few time points for the {kind} model with lag={lag}: T - lag = {n} must exceed the "
            f"{k_u} coefficients of the unrestricted model. Use a smaller lag or a longer series."
        )
    Y, lags = standardized_lag_matrix(recordings, lag)
    extra, rss_u = (_conditional_extra_ss if conditional else _pairwise_extra_ss)(Y, lags)
    extra, rss_u = np.array(extra), np.array(rss_u)
    ss = np.sum((Y - Y.mean(axis=0)) ** 2, axis=0)
    exact = np.argwhere(rss_u <= EXACT_FIT * ss[None, :])  # NaN diagonal compares False
    if exact.size:
        i, j = exact[0]
        raise ValueError(
            f"{labels[j]} is forecast exactly (residual variance 0 up to rounding) by the unrestricted "
            f"model of {labels[i]} -> {labels[j]}: a deterministic relation, for which the F statistic is "
            "infinite and the test says nothing. Add observation noise or drop the column."
        )
    return labels, lag, n, df_den, extra, rss_u


def _ncx2_interval(stat: np.ndarray, df: int, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Equal-tailed confidence interval for the noncentrality ``lam`` of a ``chi2(df, lam)`` draw.

    ``lam_low`` solves ``P(chi2(df, lam) >= stat) = (1 - level) / 2`` and ``lam_high`` solves
    ``P(chi2(df, lam) <= stat) = (1 - level) / 2`` (:func:`scipy.special.chndtrinc`, the inverse of
    the noncentral chi-square CDF in ``lam``); each is 0 where the equation has no non-negative root.
    """
    tail = (1 - level) / 2
    stat = np.asarray(stat, dtype=float)
    finite = np.isfinite(stat)
    s = np.where(finite, stat, 1.0)
    low = np.where(stats.chi2.sf(s, df) < tail, special.chndtrinc(s, df, 1 - tail), 0.0)
    high = np.where(stats.chi2.cdf(s, df) > tail, special.chndtrinc(s, df, tail), 0.0)
    return np.where(finite, low, np.nan), np.where(finite, high, np.nan)


@dataclass(frozen=True, repr=False, eq=False)
class GrangerStrength(GraphResult):
    """Geweke's measure of linear feedback ``F_{i -> j}`` for every ordered pair.

    The result shape of the package's structure-learning methods (:ref:`ref-result-shape`): ``scores`` (the
    measure, diagonal 0), ``adjacency(alpha, correction)`` (the chi-square tests),
    ``labels``, ``method``, ``to_frame()`` and ``plot()``; no ``scores_by_lag``.

    Attributes
    ----------
    strength : numpy.ndarray, shape (p, p)
        ``strength[i, j] = ln(RSS_r / RSS_u)`` for ``x_i -> x_j`` in nats; diagonal NaN.
    debiased : numpy.ndarray, shape (p, p)
        ``strength - lag / n``: the first-order bias correction (``E[n F] ~ lag + n F_true``).
        It can be negative.
    ci_low, ci_high : numpy.ndarray, shape (p, p)
        Confidence interval at ``level`` from the noncentral chi-square approximation
        (see :func:`granger_strength`).
    stat : numpy.ndarray, shape (p, p)
        The likelihood-ratio statistic ``n * strength``.
    p_value : numpy.ndarray, shape (p, p)
        ``P(chi2(lag) > stat)``.
    n : int
        Number of regression rows, ``sum_r (T_r - lag)``.
    lag : int
    conditional : bool
    level : float
    labels : tuple of str
    """

    strength: np.ndarray
    debiased: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    stat: np.ndarray
    p_value: np.ndarray
    n: int
    lag: int
    conditional: bool
    level: float
    labels: tuple = field(default=())

    def __post_init__(self):
        object.__setattr__(self, "labels", default_labels(np.shape(self.strength)[0], self.labels))

    @property
    def method(self) -> str:
        """``"geweke_conditional"`` or ``"geweke_pairwise"``."""
        return "geweke_conditional" if self.conditional else "geweke_pairwise"

    @property
    def scores(self) -> np.ndarray:
        """``strength`` (nats), shape (p, p), with the undefined diagonal set to 0."""
        return np.nan_to_num(self.strength, nan=0.0)

    @property
    def scores_by_lag(self) -> None:
        """None: the measure is joint over the lags ``1..lag``."""
        return None

    def adjacency(self, alpha: float = 0.05, correction: str | None = None) -> np.ndarray:
        """Binary graph of the chi-square tests (``p_value``) rejected at level ``alpha``.

        Parameters
        ----------
        alpha : float in (0, 1)
        correction : {None, "bonferroni", "fdr_bh"}
            Multiple-testing correction over the ``p(p-1)`` tests, see :func:`adjust_p_values`.

        Returns
        -------
        numpy.ndarray of int, shape (p, p)
            ``A[i, j] = 1`` when ``x_i -> x_j`` is significant; the diagonal is 0.
        """
        return _significant(self.p_value, alpha, correction)

    def _array_hint(self) -> str:
        return "result.strength or result.scores"

    @property
    def transfer_entropy(self) -> np.ndarray:
        """``strength / 2``: the transfer entropy in nats, exact for Gaussian processes, shape (p, p)."""
        return self.strength / 2

    score_name = "F"

    def _frame_columns(self) -> dict:
        return {
            "F_debiased": self.debiased,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "stat": self.stat,
            "p_value": self.p_value,
        }

    def plot(self, ax=None, alpha: float = 0.05):
        """Heatmap of ``F`` (cause on the rows) with the pairs of ``p < alpha`` starred; returns the Axes."""
        from gcbook.plotting import plot_adjacency

        kind = "conditional" if self.conditional else "pairwise"
        ax = plot_adjacency(
            np.nan_to_num(self.strength),
            labels=list(self.labels),
            ax=ax,
            title=f"{kind} Geweke $F$, lag {self.lag} (nats)",
            annotate=False,
        )
        for i, j in zip(*np.nonzero(self.adjacency(alpha))):
            ax.text(j, i, "*", ha="center", va="center", color="white", fontsize=14, fontweight="bold")
        return ax

    def __repr__(self) -> str:
        kind = "conditional" if self.conditional else "pairwise"
        p = self.strength.shape[0]
        off = ~np.eye(p, dtype=bool)
        n_sig = int(np.sum(self.p_value[off] < 0.05))
        return (
            f"GrangerStrength({kind}, p={p}, lag={self.lag}, n={self.n}, "
            f"F in [{np.min(self.strength[off]):.3g}, {np.max(self.strength[off]):.3g}] nats, "
            f"{n_sig} of {p * (p - 1)} pairs with p < 0.05)"
        )


def granger_strength(X, lag: int, conditional: bool = False, level: float = 0.95) -> GrangerStrength:
    """Geweke's time-domain measure of Granger causality for every ordered pair, with a test and interval.

    For a target ``x_j`` and candidate cause ``x_i``, Geweke (1982) defines

    .. math::

        F_{i \\to j} = \\ln \\frac{|\\Sigma_r|}{|\\Sigma_u|},

    the log ratio of the residual (co)variance of the restricted model (without the lags of
    ``x_i``) and the unrestricted one. Here, as in :func:`granger_test`, the target is one
    variable, so each determinant is a residual variance and ``F = ln(RSS_r / RSS_u)``
    (the ``1/n`` of the two maximum-likelihood variances cancels). Both regressions are the
    ones of :func:`granger_test` (same batched QR computation), so
    ``F = ln(1 + f_stat * df_num / df_den)``.

    For Gaussian processes ``F / 2`` is the transfer entropy from ``x_i`` to ``x_j`` in nats
    (Barnett, Barrett and Seth 2009): the Gaussian conditional entropy is ``ln(variance) / 2``
    plus a constant, so ``TE = H(x_j | past without x_i) - H(x_j | past) = F / 2``.

    Parameters
    ----------
    X : array_like or pandas.DataFrame, shape (T, p), or a list of them
        As in :func:`granger_test`; a list of recordings pools the windows of every recording.
    lag : int
        Number of lags ``L >= 1``.
    conditional : bool, default False
        ``False``: pairwise (lags of ``x_j`` with or without those of ``x_i``). ``True``: inside
        the full VAR, both models also hold the lags of every other variable.
    level : float in (0, 1), default 0.95
        Coverage of the confidence interval.

    Returns
    -------
    GrangerStrength
        ``strength[i, j]`` is ``F_{i -> j}`` (cause on the row); diagonals are NaN.

    Notes
    -----
    *Test.* ``n F`` is the likelihood-ratio statistic of the ``L`` restrictions for the Gaussian
    likelihood conditional on the first ``L`` values of each recording, so it has ``n`` terms:
    ``n = sum_r (T_r - L)`` rows, not ``T``. Under the null hypothesis ``n F -> chi2(L)``.
    (:func:`granger_test`'s F-test is the exact finite-sample version of the same comparison for
    Gaussian errors; the two p-values agree as ``n`` grows.)

    *Interval.* Under local alternatives ``n F`` is approximately noncentral ``chi2(L, lam)``
    with ``lam = n F_true`` (the approximation behind MVGC's theoretical intervals, Barnett and
    Seth 2014, whose "effective number of observations" is this ``n``). The interval
    inverts it: ``[lam_low, lam_high] / n`` with equal tails, ``lam`` clipped at 0. Its coverage is
    close to ``level`` when ``n F_true`` is of the order of ``L`` to a few tens; for strong causality
    (large ``n F``) the noncentral approximation is poorer. ``debiased = F - L / n`` removes the
    first-order bias ``E[n F] = L + lam``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(2000)
    >>> y = np.r_[0.0, 0.5 * x[:-1]] + rng.standard_normal(2000)
    >>> res = granger_strength(np.column_stack([x, y]), lag=1)
    >>> res.strength.shape, res.n
    ((2, 2), 1999)
    >>> bool(res.ci_low[0, 1] < np.log(1.25) < res.ci_high[0, 1])  # true F = ln(1 + 0.5**2)
    True
    >>> bool(res.p_value[1, 0] > 0.01)
    True
    """
    level = check_real(level, "level", low=0.0, high=1.0, low_open=True, high_open=True)
    conditional = check_bool(conditional, "conditional")
    labels, lag, n, _, extra, rss_u = _nested_rss(X, lag, conditional)
    strength = np.log1p(extra / rss_u)
    np.fill_diagonal(strength, np.nan)
    stat = n * strength
    lam_low, lam_high = _ncx2_interval(stat, lag, level)
    return GrangerStrength(
        strength=strength,
        debiased=strength - lag / n,
        ci_low=lam_low / n,
        ci_high=lam_high / n,
        stat=stat,
        p_value=stats.chi2.sf(stat, lag),
        n=n,
        lag=lag,
        conditional=conditional,
        level=level,
        labels=tuple(labels),
    )


# ---------------------------------------------------------------------------------------------
# Instantaneous causality (issue 17, item 3)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class InstantaneousResult:
    """Wald tests of zero residual covariance between pairs of VAR innovations.

    Attributes
    ----------
    wald : numpy.ndarray, shape (p, p)
        Symmetric: ``wald[i, j] = wald[j, i] = n r_ij² / (1 + r_ij²)``; diagonal NaN.
    p_value : numpy.ndarray, shape (p, p)
        ``P(chi2(1) > wald)``; symmetric, diagonal NaN.
    correlation : numpy.ndarray, shape (p, p)
        Residual correlations ``r_ij`` of the full VAR (diagonal 1).
    sigma : numpy.ndarray, shape (p, p)
        Maximum-likelihood residual covariance of the full VAR.
    n : int
        Number of residual rows.
    lag : int
    labels : tuple of str
    """

    wald: np.ndarray
    p_value: np.ndarray
    correlation: np.ndarray
    sigma: np.ndarray
    n: int
    lag: int
    labels: tuple = field(default=())

    def joint(self, group) -> tuple[float, float, int]:
        """Joint Wald test that every innovation in ``group`` is uncorrelated with every other one.

        The hypothesis of statsmodels' ``VARResults.test_inst_causality(causing=group)``
        (Lütkepohl 2005, section 3.6.3): ``sigma[a, b] = 0`` for ``a`` in ``group`` and ``b`` not.

        Parameters
        ----------
        group : int or sequence of int
            Indices of the variables on one side.

        Returns
        -------
        (statistic, p_value, df)
            ``n s' V^{-1} s`` with ``s`` the covariances tested and
            ``V[(a,b),(c,d)] = sigma_ac sigma_bd + sigma_ad sigma_bc`` their asymptotic covariance;
            ``chi2(df)`` with ``df = |group| (p - |group|)``.
        """
        p = self.sigma.shape[0]
        group = np.atleast_1d(np.asarray(group))
        if group.ndim != 1 or group.size == 0 or not np.issubdtype(group.dtype, np.integer):
            raise ValueError(f"group must be an int or a non-empty sequence of ints, got {group!r}.")
        if np.any((group < 0) | (group >= p)) or np.unique(group).size != group.size or group.size >= p:
            raise ValueError(f"group must hold distinct indices in 0..{p - 1} and leave at least one out, got {group}.")
        rest = np.setdiff1d(np.arange(p), group)
        a, b = (g.ravel() for g in np.meshgrid(group, rest, indexing="ij"))
        s = self.sigma[a, b]
        S = self.sigma
        V = (
            S[a[:, None], a[None, :]] * S[b[:, None], b[None, :]]
            + S[a[:, None], b[None, :]] * S[b[:, None], a[None, :]]
        )
        statistic = float(self.n * s @ np.linalg.solve(V, s))
        return statistic, float(stats.chi2.sf(statistic, s.size)), int(s.size)

    def adjacency(self, alpha: float = 0.05) -> np.ndarray:
        """Symmetric 0/1 matrix of the pairs with ``p_value < alpha`` (an undirected graph)."""
        return _significant(self.p_value, alpha, None)

    def __repr__(self) -> str:
        p = self.wald.shape[0]
        n_sig = int(np.triu(self.adjacency(0.05)).sum())
        return (
            f"InstantaneousResult(p={p}, lag={self.lag}, n={self.n}, "
            f"{n_sig} of {p * (p - 1) // 2} unordered pairs with p < 0.05)"
        )


def instantaneous_causality(X, lag: int) -> InstantaneousResult:
    """Test instantaneous causality between every pair: zero covariance of the VAR innovations.

    Fits the full VAR(L) (:func:`fit_var`) and tests, for each pair ``{i, j}``, the hypothesis
    ``sigma_ij = 0`` on its residual covariance with the Wald statistic

    .. math::

        W_{ij} = n \\frac{\\hat\\sigma_{ij}^2}{\\hat\\sigma_{ii}\\hat\\sigma_{jj} + \\hat\\sigma_{ij}^2}
              = n \\frac{r_{ij}^2}{1 + r_{ij}^2} \\to \\chi^2(1),

    since ``sqrt(n) (sigma_hat_ij - sigma_ij)`` has asymptotic variance
    ``sigma_ii sigma_jj + sigma_ij²`` for Gaussian innovations (Lütkepohl 2005, section 3.6.3;
    for ``p = 2`` it equals statsmodels' ``VARResults.test_inst_causality``).

    The test has no direction. ``sigma`` is symmetric, and the VAR likelihood depends on the
    innovations only through it: ``x_i(t)`` acting on ``x_j(t)`` within the sampling interval,
    ``x_j(t)`` acting on ``x_i(t)``, a shock common to both, or causation faster than the sampling
    (temporal aggregation, Breitung and Swanson 2002) all give the same ``sigma_ij != 0`` and the
    same fit. Time order, which gives Granger causality its direction, is absent within one time
    step, so the data alone cannot orient the link; the result is an undirected graph.

    Parameters
    ----------
    X : array_like or pandas.DataFrame, shape (T, p), or a list of them
        One series or several recordings (pooled as in :func:`fit_var`).
    lag : int
        VAR order ``L >= 1``.

    Returns
    -------
    InstantaneousResult
        Symmetric ``(p, p)`` statistics and p-values (diagonal NaN); ``joint(group)`` tests a
        group against the rest.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> e = rng.standard_normal((1000, 3))
    >>> e[:, 1] += 0.5 * e[:, 0]          # x0 and x1 share an innovation within the time step
    >>> res = instantaneous_causality(e, lag=1)
    >>> res.adjacency(alpha=0.001)
    array([[0, 1, 0],
           [1, 0, 0],
           [0, 0, 0]])
    """
    fit = fit_var(X, lag)
    sigma = fit.sigma
    recordings, _, lag = recordings_and_lag(X, lag)
    target_var = np.concatenate([rec[lag:] for rec in recordings]).var(axis=0)
    exact = np.flatnonzero(np.diag(sigma) <= EXACT_FIT * target_var)
    if exact.size:
        raise ValueError(
            f"{fit.labels[exact[0]]} is forecast exactly by the VAR (innovation variance 0 up to rounding): "
            "a deterministic relation, whose innovation correlations are undefined. Add observation noise "
            "or drop the column."
        )
    sd = np.sqrt(np.diag(sigma))
    corr = sigma / np.outer(sd, sd)
    n = fit.residuals.shape[0]
    if np.linalg.eigvalsh(corr)[0] <= 1e-12:
        raise ValueError(
            f"The residual covariance of the VAR({lag}) is singular, so the innovation correlations are "
            f"forced (to +-1 or by rounding) rather than estimated: {n} windows leave "
            f"{n - fit.coef.shape[0] * sigma.shape[0] - 1} residual degrees of freedom for {sigma.shape[0]} series, or some innovations "
            "are exact linear combinations of others. Use a longer series or a smaller lag."
        )
    wald = n * corr**2 / (1 + corr**2)
    np.fill_diagonal(wald, np.nan)
    return InstantaneousResult(
        wald=wald,
        p_value=stats.chi2.sf(wald, 1),
        correlation=corr,
        sigma=sigma,
        n=n,
        lag=fit.lag,
        labels=fit.labels,
    )


# The frequency-domain measure lives in gcbook.spectral (it needs transfer functions and spectra);
# it is re-exported here so ``from gcbook.granger import spectral_granger`` works as well.
from gcbook.spectral import SpectralGrangerResult, spectral_granger  # noqa: E402
