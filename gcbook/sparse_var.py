"""Sparse VAR: the lasso by coordinate descent, lasso-VAR, and a differentiable lasso in torch.

Taught in the chapter :ref:`chap-sparse-var` (``book/sparse_var.md``).

Orientation: :func:`lasso_var` returns a :class:`LassoVARResult` whose ``coef_by_lag[i, j, k-1]``
is the effect of ``x_i(t-k)`` on ``x_j(t)`` (the cause is the row, the lag axis last, as in every
``*_by_lag`` array of the package), so ``coef_by_lag[:, :, k-1] != 0`` read as an adjacency matrix
means ``i -> j`` at lag ``k``. The torch function :func:`lasso_var_torch` returns a tensor in the
``(lag, p, p)`` layout of statsmodels' ``coefs`` instead: ``coef[k-1, i, j]``.

Every target ``y`` (a column of ``Y``) gets its own lasso, on scikit-learn's scale,

.. math::

    \\min_{b_0, b} \\; \\frac{1}{2n} \\lVert y - b_0 - Z b \\rVert_2^2 + \\alpha \\lVert b \\rVert_1 ,

with the intercept ``b_0`` unpenalised (it is removed by centring ``Z`` and ``y``).

What is in here:

* :func:`soft_threshold`, the proximal map of the L1 norm, for NumPy arrays and torch tensors.
* :func:`lasso`, cyclic coordinate descent on the Gram matrix ``G = ZᵀZ``. One sweep visits the
  ``m`` coordinates in order and updates coordinate ``k`` of **all** ``q`` targets at once:
  ``b_k <- S(z_kᵀ r + G_kk b_k, n alpha) / G_kk``. It stops when the largest coefficient change
  of a sweep is small *and* the duality gap of every target is below ``tol * ||y||²``, the same
  rule as :class:`sklearn.linear_model.Lasso`.
* :func:`lasso_var`, the lasso on the lagged design of all ``p`` series, one target per series,
  and its result :class:`LassoVARResult`.
* :func:`lasso_torch`, a lasso whose output is differentiable with respect to ``Z`` and ``Y``:
  the solution is found without gradients by :func:`lasso`, then recomputed with autograd from
  the KKT conditions on its active set ``A`` with signs ``s``,
  ``b_A = (Z_AᵀZ_A)⁻¹ (Z_Aᵀ y - n alpha s_A)``. This is implicit differentiation with the
  active set held fixed, exact wherever the active set does not change locally.
* :func:`unrolled_ista`, the other road to a gradient: run ``n_steps`` of proximal gradient
  (ISTA) in torch and let autograd differentiate through the unrolled iterations.
* :func:`lasso_var_torch`, the torch analogue of :func:`lasso_var` for a series held as a
  tensor (for instance the latents of an autoencoder), differentiable with respect to ``X``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from gcbook._result import GraphResult, default_labels
from gcbook._utils import warn_deprecated
from gcbook._validation import as_float_array, check_bool, check_int, check_lag, check_real, recordings_and_lag
from gcbook.granger import pooled_lag_matrix

__all__ = [
    "soft_threshold",
    "lasso",
    "LassoVARResult",
    "lasso_var",
    "lasso_torch",
    "unrolled_ista",
    "lasso_var_torch",
]

_METHODS = ("active_set", "ista")

#: A duality-gap check is forced at least this often (in sweeps), whatever the coefficient changes.
_GAP_EVERY = 10


# ----------------------------------------------------------------------------------------------
# the proximal map
# ----------------------------------------------------------------------------------------------
def soft_threshold(x, threshold):
    """Soft-thresholding ``sign(x) * max(|x| - threshold, 0)``, the proximal map of ``threshold * |.|``.

    Parameters
    ----------
    x : numpy.ndarray, torch.Tensor or float
        Any shape.
    threshold : float, numpy.ndarray or torch.Tensor
        Non-negative; broadcast against ``x``.

    Returns
    -------
    numpy.ndarray or torch.Tensor
        The same type (and, for a tensor, the same dtype and device) as ``x``; a torch result
        is differentiable with respect to ``x`` (and ``threshold`` when it is a tensor).

    Raises
    ------
    ValueError
        If ``threshold`` is negative or not finite.

    Examples
    --------
    >>> soft_threshold(np.array([-3.0, -0.5, 0.0, 2.0]), 1.0)
    array([-2., -0.,  0.,  1.])
    >>> soft_threshold(torch.tensor([-3.0, 0.5, 2.0]), 1.0)
    tensor([-2.,  0.,  1.])
    """
    if isinstance(x, torch.Tensor):
        t = threshold
        if not isinstance(t, torch.Tensor):
            t = torch.as_tensor(threshold, dtype=x.dtype, device=x.device)
        if not bool(torch.all(torch.isfinite(t))) or bool(torch.any(t < 0)):
            raise ValueError(f"threshold must be finite and >= 0, got {threshold!r}.")
        return torch.sign(x) * torch.relu(x.abs() - t)
    t = np.asarray(threshold.detach().cpu().numpy() if isinstance(threshold, torch.Tensor) else threshold, dtype=float)
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise ValueError(f"threshold must be finite and >= 0, got {threshold!r}.")
    x = np.asarray(x, dtype=float)
    return np.sign(x) * np.maximum(np.abs(x) - t, 0.0)


# ----------------------------------------------------------------------------------------------
# input checks
# ----------------------------------------------------------------------------------------------
def _check_alpha(alpha) -> float:
    if isinstance(alpha, torch.Tensor) and alpha.numel() == 1:
        alpha = alpha.item()
    return check_real(alpha, "alpha", low=0.0)


def _check_design(Z, Y) -> tuple[np.ndarray, np.ndarray, bool]:
    """Return Z (n, m), Y (n, q) as float64 arrays and whether Y was 1-D."""
    Z = as_float_array(Z, "Z")
    Y = as_float_array(Y, "Y")
    if Z.ndim != 2:
        raise ValueError(f"Z must be 2-D with shape (n, m) (rows are samples), got shape {Z.shape}.")
    if Y.ndim not in (1, 2):
        raise ValueError(f"Y must have shape (n,) or (n, q), got shape {Y.shape}.")
    if Y.shape[0] != Z.shape[0]:
        raise ValueError(f"Z and Y must have the same number of rows, got {Z.shape[0]} and {Y.shape[0]}.")
    n = Z.shape[0]
    if n < 2 or Z.shape[1] < 1 or (Y.ndim == 2 and Y.shape[1] < 1):
        raise ValueError(f"Need n >= 2 samples, m >= 1 predictors and q >= 1 targets; got Z {Z.shape}, Y {Y.shape}.")
    for name, arr in (("Z", Z), ("Y", Y)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or inf; impute or drop those rows before calling.")
    vector = Y.ndim == 1
    return Z, (Y[:, None] if vector else Y), vector


def _check_tensors(Z, Y) -> tuple[torch.Tensor, torch.Tensor, bool]:
    """Return Z (n, m), Y (n, q) as tensors of one floating dtype and whether Y was 1-D."""
    for name, t in (("Z", Z), ("Y", Y)):
        if not isinstance(t, torch.Tensor):
            raise ValueError(
                f"{name} must be a torch.Tensor, got {type(t).__name__}; use torch.as_tensor or call lasso()."
            )
    if Z.ndim != 2:
        raise ValueError(f"Z must be 2-D with shape (n, m) (rows are samples), got shape {tuple(Z.shape)}.")
    if Y.ndim not in (1, 2):
        raise ValueError(f"Y must have shape (n,) or (n, q), got shape {tuple(Y.shape)}.")
    if Y.shape[0] != Z.shape[0]:
        raise ValueError(f"Z and Y must have the same number of rows, got {Z.shape[0]} and {Y.shape[0]}.")
    if Z.shape[0] < 2 or Z.shape[1] < 1 or (Y.ndim == 2 and Y.shape[1] < 1):
        raise ValueError(
            f"Need n >= 2 samples, m >= 1 predictors and q >= 1 targets; got Z {tuple(Z.shape)}, Y {tuple(Y.shape)}."
        )
    if Z.device != Y.device:
        raise ValueError(f"Z and Y must be on the same device, got {Z.device} and {Y.device}.")
    if Z.is_complex() or Y.is_complex():
        raise ValueError("Z and Y must be real; pass the real part (.real) or the modulus (.abs()) explicitly.")
    dtype = torch.promote_types(Z.dtype, Y.dtype)
    if not dtype.is_floating_point:
        dtype = torch.get_default_dtype()
    Z, Y = Z.to(dtype), Y.to(dtype)
    for name, t in (("Z", Z), ("Y", Y)):
        if not bool(torch.all(torch.isfinite(t.detach()))):
            raise ValueError(f"{name} contains NaN or inf; impute or drop those rows before calling.")
    vector = Y.ndim == 1
    return Z, (Y.unsqueeze(1) if vector else Y), vector


def _check_series_tensor(X, lag) -> tuple[torch.Tensor, int]:
    if not isinstance(X, torch.Tensor):
        raise ValueError(
            f"X must be a torch.Tensor of shape (T, p), got {type(X).__name__}; use lasso_var() for arrays."
        )
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D with shape (T, p) (rows are time), got shape {tuple(X.shape)}.")
    T, p = X.shape
    if p < 2:
        raise ValueError(f"X must have at least 2 variables (columns), got p={p}.")
    if X.is_complex():
        raise ValueError("X must be real; pass the real part (.real) or the modulus (.abs()) explicitly.")
    if not X.dtype.is_floating_point:
        X = X.to(torch.get_default_dtype())
    if not bool(torch.all(torch.isfinite(X.detach()))):
        raise ValueError("X contains NaN or inf; impute or drop those rows before calling.")
    return X, check_lag(lag, T)


# ----------------------------------------------------------------------------------------------
# coordinate descent
# ----------------------------------------------------------------------------------------------
def _duality_gap(Z, Y, B, l1_reg):
    """Duality gap of ``½||y - Zb||² + l1_reg ||b||₁`` for every column, and ``Zᵀ R`` (m, q)."""
    R = Y - Z @ B
    H = Z.T @ R
    r2 = np.einsum("nq,nq->q", R, R)
    dual_norm = np.abs(H).max(axis=0)
    const = np.ones_like(dual_norm)
    big = dual_norm > l1_reg
    const[big] = l1_reg / dual_norm[big]
    gap = 0.5 * r2 * (1.0 + const**2) + l1_reg * np.abs(B).sum(axis=0) - const * np.einsum("nq,nq->q", R, Y)
    return gap, H


def _sweep(coords, G, diag, H, B, l1_reg):
    """One cyclic coordinate-descent sweep over ``coords``, in place, for all targets at once.

    ``H`` holds ``Zᵀ R`` (m, q) and is kept up to date; ``G`` is the symmetric Gram matrix.
    """
    for k in coords:
        b_old = B[k]
        rho = H[k] + diag[k] * b_old  # z_kᵀ (partial residual without coordinate k)
        b_new = (np.maximum(rho - l1_reg, 0.0) - np.maximum(-rho - l1_reg, 0.0)) / diag[k]  # S(rho, l1) / G_kk
        delta = b_new - b_old
        if delta.any():
            H -= G[k][:, None] * delta
            B[k] = b_new


def lasso(Z, Y, alpha, fit_intercept=True, max_iter=10_000, tol=1e-12, return_n_iter=False):
    """The lasso for every column of ``Y`` at once, by cyclic coordinate descent.

    Minimises, for each target ``y`` (a column of ``Y``),
    ``1/(2n) ||y - b0 - Z b||² + alpha ||b||₁`` with an unpenalised intercept ``b0``: the same
    problem, scale of ``alpha`` and stopping rule as :class:`sklearn.linear_model.Lasso`.

    Parameters
    ----------
    Z : array_like, shape (n, m)
        The design: rows are samples, columns predictors.
    Y : array_like, shape (n,) or (n, q)
        One target or ``q`` targets, each fitted separately (the sweep is vectorised over them).
    alpha : float
        The penalty, ``>= 0``. Every coefficient is zero once
        ``alpha >= max|Zᵀ y| / n`` (with ``Z``, ``y`` centred when ``fit_intercept``).
    fit_intercept : bool
        Centre ``Z`` and ``Y`` and return the intercept ``mean(y) - mean(Z) @ b``; otherwise the
        intercept is zero.
    max_iter : int
        Most sweeps, counting both full sweeps and sweeps over the active coordinates only.
    tol : float
        Stop after a sweep whose largest coefficient change is at most ``tol`` times the largest
        coefficient and whose duality gap is at most ``tol * ||y||²`` for every target (for
        ``alpha = 0``, least squares, the coefficient changes alone decide). No
        warning is raised when ``max_iter`` is reached; ask for ``return_n_iter`` to see it.
    return_n_iter : bool
        Also return the number of sweeps run.

    Returns
    -------
    coef : numpy.ndarray, shape (m,) or (m, q)
        ``coef[k, j]`` is the coefficient of predictor ``k`` for target ``j``.
    intercept : float or numpy.ndarray of shape (q,)
    n_iter : int
        Only with ``return_n_iter=True``.

    Raises
    ------
    ValueError
        On NaN or inf, wrong dimensions, mismatched rows, or ``alpha < 0``.

    Examples
    --------
    >>> Z = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
    >>> y = Z @ np.array([2.0, 0.0]) + 1.0
    >>> coef, b0 = lasso(Z, y, alpha=0.1)
    >>> coef.round(3), round(b0, 3)
    (array([1.8, 0. ]), 1.2)
    """
    Z, Y, vector = _check_design(Z, Y)
    alpha = _check_alpha(alpha)
    if not isinstance(fit_intercept, (bool, np.bool_)):
        raise ValueError(f"fit_intercept must be True or False, got {fit_intercept!r}.")
    max_iter = check_int(max_iter, "max_iter", 1)
    tol = check_real(tol, "tol", low=0.0)
    n, m = Z.shape
    q = Y.shape[1]

    if fit_intercept:
        z_mean, y_mean = Z.mean(axis=0), Y.mean(axis=0)
        Z = Z - z_mean
        Y = Y - y_mean
    l1_reg = n * alpha  # the problem times n: ½||y - Zb||² + n·alpha·||b||₁
    G = Z.T @ Z
    diag = np.diag(G).copy()
    B = np.zeros((m, q))
    H = Z.T @ Y  # Zᵀ R, kept up to date: the residual correlation of every coordinate and target
    gap_tol = tol * np.einsum("nq,nq->q", Y, Y)
    live = np.flatnonzero(diag > 0)  # a zero column keeps a zero coefficient

    def converged(B_before):
        w_max = np.abs(B).max()
        return w_max == 0.0 or np.abs(B - B_before).max() <= tol * w_max

    n_iter = 0
    while n_iter < max_iter:
        # one sweep over every coordinate, then a duality-gap check when the changes are small
        B_before = B.copy()
        _sweep(live, G, diag, H, B, l1_reg)
        n_iter += 1
        small = converged(B_before)
        if small or n_iter % _GAP_EVERY == 0 or n_iter == max_iter:
            gap, H = _duality_gap(Z, Y, B, l1_reg)  # also refreshes Zᵀ R against rounding drift
            # with alpha = 0 (least squares) the dual is degenerate and the gap no measure: changes decide
            if small and (l1_reg == 0.0 or np.all(gap <= gap_tol)):
                break
        # then cycle over the active coordinates only until they settle (glmnet's active-set cycling)
        active = live[np.any(B[live] != 0, axis=1)]
        while not small and active.size and n_iter < max_iter:
            B_before = B.copy()
            _sweep(active, G, diag, H, B, l1_reg)
            n_iter += 1
            small = converged(B_before)

    intercept = (y_mean - z_mean @ B) if fit_intercept else np.zeros(q)
    coef = B[:, 0] if vector else B
    intercept = float(intercept[0]) if vector else intercept
    if return_n_iter:
        return coef, intercept, n_iter
    return coef, intercept


@dataclass(frozen=True, repr=False, eq=False)
class LassoVARResult(GraphResult):
    """A lasso-penalised VAR(L) fitted by :func:`lasso_var`.

    The result shape of every structure-learning method of the package (see
    :ref:`ref-result-shape`): ``scores``, ``scores_by_lag``, ``adjacency(...)``, ``labels``,
    ``method``, ``to_frame()`` and ``plot()``. Like the lasso itself, its graph is the
    support of the coefficients: ``i -> j`` when some ``x_i(t-k)`` has a nonzero
    coefficient in the lasso of ``x_j(t)``.

    Attributes
    ----------
    coef_by_lag : numpy.ndarray, shape (p, p, lag)
        ``coef_by_lag[i, j, k-1]`` is the effect of ``x_i(t-k)`` on ``x_j(t)`` (the cause
        is the row, the lag axis last). ``coef_by_lag.transpose(2, 0, 1)`` is the
        ``(lag, p, p)`` layout of statsmodels' ``coefs`` that
        :func:`gcbook.simulate.var_from_coef` and :mod:`gcbook.spectral` take.
    intercept : numpy.ndarray, shape (p,)
        The unpenalised intercept of each target ``x_j``; zeros with ``fit_intercept=False``.
    alpha : float
        The penalty, on scikit-learn's scale.
    lag : int
        The order ``L``.
    n_iter : int
        Sweeps of coordinate descent run by :func:`lasso` (one count for all the ``p``
        targets, which are updated together); ``n_iter == max_iter`` means the solver
        stopped at its limit.
    labels : tuple of str
        The variable names: a DataFrame's columns, else ``x0, x1, ...``.
    method : str
        ``"lasso_var"``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((500, 2))
    >>> X[1:, 1] += 0.8 * X[:-1, 0]                    # x0 -> x1 at lag 1
    >>> res = lasso_var(X, lag=1, alpha=0.1)
    >>> res.coef_by_lag.shape, res.scores.shape
    ((2, 2, 1), (2, 2))
    >>> round(float(res.coef_by_lag[0, 1, 0]), 1)      # x0(t-1) -> x1(t)
    0.7
    >>> res.adjacency().tolist()
    [[0, 1], [0, 0]]
    >>> res.to_frame().columns.tolist()
    ['cause', 'effect', 'score', 'edge', 'coef']
    """

    coef_by_lag: np.ndarray
    intercept: np.ndarray
    alpha: float
    lag: int
    n_iter: int
    labels: tuple = field(default=())

    method = "lasso_var"

    def __post_init__(self):
        object.__setattr__(self, "labels", default_labels(np.shape(self.coef_by_lag)[0], self.labels))

    @property
    def scores_by_lag(self) -> np.ndarray:
        """``|coef_by_lag|``, shape (p, p, lag): the size of each lagged effect."""
        return np.abs(self.coef_by_lag)

    @property
    def scores(self) -> np.ndarray:
        """``max_k |coef_by_lag[:, :, k]|``, shape (p, p): the largest effect of ``x_i`` on ``x_j`` over the lags."""
        return self.scores_by_lag.max(axis=2)

    def adjacency(self, threshold: float = 0.0) -> np.ndarray:
        """The pairs whose largest absolute coefficient over the lags exceeds ``threshold``.

        Parameters
        ----------
        threshold : float, default 0.0
            ``>= 0``. The default is the lasso's own decision: ``i -> j`` when some
            coefficient of ``x_i(t-k)`` for ``x_j(t)`` is nonzero.

        Returns
        -------
        numpy.ndarray of int, shape (p, p)
            ``1`` for ``i -> j``; the diagonal holds each series' own lags.
        """
        threshold = check_real(threshold, "threshold", low=0.0)
        return (self.scores > threshold).astype(int)

    def _frame_columns(self) -> dict:
        # the signed coefficient of largest magnitude over the lags (the first such lag on a tie)
        k = self.scores_by_lag.argmax(axis=2)
        return {"coef": np.take_along_axis(self.coef_by_lag, k[:, :, None], axis=2)[:, :, 0]}

    def _array_hint(self) -> str:
        return (
            "result.coef_by_lag, shape (p, p, lag): the lag axis is now last "
            "(result.coef_by_lag.transpose(2, 0, 1) is the old (lag, p, p) array), and result.intercept"
        )

    def __repr__(self) -> str:
        p = self.p
        off = ~np.eye(p, dtype=bool)
        n_edges = int(self.adjacency()[off].sum())
        return (
            f"LassoVARResult(p={p}, lag={self.lag}, alpha={self.alpha:g}, n_iter={self.n_iter}, "
            f"{n_edges} of {p * (p - 1)} cross pairs with a nonzero coefficient)"
        )


def lasso_var(X, lag, alpha, fit_intercept=True, return_intercept=False, max_iter=10_000, tol=1e-12):
    """Lasso-penalised VAR(L): one lasso per target on the lagged values of all ``p`` series.

    Each ``x_j(t)`` is regressed on ``x_i(t-k)`` for every ``i`` and ``k = 1..L`` by
    :func:`lasso`, with ``n = T - L`` samples and ``alpha`` on scikit-learn's scale.

    Parameters
    ----------
    X : array_like or pandas.DataFrame, shape (T, p), or a list of them
        Rows are time. A list holds several recordings of the same variables, shapes
        (T_r, p): the lassos then run on the windows of all recordings together (one
        intercept per target), and no window crosses from one recording into the next.
        A DataFrame's columns become the result's labels.
    lag : int
        The order ``L >= 1``; needs ``T > L + 1`` (each recording: ``T_r >= L + 1``).
    alpha : float
        Penalty ``>= 0``.
    fit_intercept : bool
        Fit an unpenalised intercept per target.
    return_intercept : bool
        Deprecated: return the old tuple ``(coef, intercept)``, ``coef`` of shape
        ``(lag, p, p)`` with ``coef[k-1, i, j]`` the effect of ``x_i(t-k)`` on ``x_j(t)``.
        Use the result's ``coef_by_lag`` and ``intercept`` instead.
    max_iter, tol
        Passed to :func:`lasso`.

    Returns
    -------
    LassoVARResult
        ``coef_by_lag[i, j, k-1]`` is the effect of ``x_i(t-k)`` on ``x_j(t)`` (cause is
        the row, lag axis last), with ``intercept``, ``scores``, ``adjacency()`` and the
        rest of the shared result shape.

    Raises
    ------
    ValueError
        On NaN or inf, a series too short for ``lag``, a column that is constant after
        the first ``lag`` points, or ``alpha < 0``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((500, 2))
    >>> for t in range(1, 500):
    ...     X[t, 1] += 0.8 * X[t - 1, 0]
    >>> res = lasso_var(X, lag=1, alpha=0.1)
    >>> res.coef_by_lag[:, :, 0].round(1)              # lag 1: cause on the rows
    array([[0. , 0.7],
           [0. , 0. ]])
    >>> res.adjacency().tolist()
    [[0, 1], [0, 0]]
    """
    return_intercept = check_bool(return_intercept, "return_intercept")
    recordings, labels, lag = recordings_and_lag(X, lag)
    p = recordings[0].shape[1]
    Y, lags = pooled_lag_matrix(recordings, lag)
    n = len(Y)
    design = lags.transpose(0, 2, 1).reshape(n, lag * p)  # column (k-1)*p + i holds x_i(t-k)
    B, b0, n_iter = lasso(design, Y, alpha, fit_intercept=fit_intercept, max_iter=max_iter, tol=tol, return_n_iter=True)
    coef = B.reshape(lag, p, p)  # coef[k-1, i, j]
    if return_intercept:
        warn_deprecated(
            "lasso_var(..., return_intercept=True)",
            "use res = lasso_var(...) and res.coef_by_lag (shape (p, p, lag), the lag axis last) and res.intercept",
        )
        return coef, b0
    return LassoVARResult(
        coef_by_lag=coef.transpose(1, 2, 0).copy(),
        intercept=np.asarray(b0, dtype=np.float64),
        alpha=float(alpha),
        lag=lag,
        n_iter=int(n_iter),
        labels=tuple(labels),
    )


# ----------------------------------------------------------------------------------------------
# differentiable lasso in torch
# ----------------------------------------------------------------------------------------------
def _centre(Z, Y, fit_intercept):
    if fit_intercept:
        z_mean, y_mean = Z.mean(dim=0), Y.mean(dim=0)
        return Z - z_mean, Y - y_mean, z_mean, y_mean
    return Z, Y, None, None


def _finish(B, z_mean, y_mean, vector):
    if z_mean is None:
        intercept = torch.zeros(B.shape[1], dtype=B.dtype, device=B.device)
    else:
        intercept = y_mean - z_mean @ B
    if vector:
        return B[:, 0], intercept[0]
    return B, intercept


def lasso_torch(Z, Y, alpha, fit_intercept=True, max_iter=10_000, tol=1e-12):
    """A lasso whose solution is differentiable with respect to ``Z`` and ``Y``.

    The solution is found without gradients by :func:`lasso`; then, for each target ``j``, its
    active set ``A_j`` (the nonzero coefficients) and their signs ``s_j`` are held fixed and the
    KKT conditions ``Z_Aᵀ (y - Z_A b_A) = n alpha s_A`` are solved again in torch, with autograd:

    ``b_A = (Z_AᵀZ_A)⁻¹ (Z_Aᵀ y - n alpha s_A)``, the other coefficients zero.

    All targets are solved in one batched call to :func:`torch.linalg.solve`, each with its masked
    Gram matrix ``G_j = M_j ZᵀZ M_j + (I - M_j)`` and right-hand side
    ``r_j = M_j (Zᵀ y_j - n alpha s_j)`` where ``M_j`` is the diagonal 0/1 mask of ``A_j``.
    With ``fit_intercept`` the centring of ``Z`` and ``Y`` is done in torch too, so it is
    differentiated as well. The gradient is the implicit derivative of the solution map: exact
    wherever the active set is locally constant (almost everywhere), undefined where it changes.

    Parameters
    ----------
    Z : torch.Tensor, shape (n, m)
    Y : torch.Tensor, shape (n,) or (n, q)
    alpha : float
        Penalty ``>= 0`` on scikit-learn's scale (see :func:`lasso`).
    fit_intercept : bool
    max_iter, tol
        Passed to :func:`lasso` for the no-gradient solve.

    Returns
    -------
    coef : torch.Tensor, shape (m,) or (m, q)
    intercept : torch.Tensor, shape () or (q,)
        In the floating dtype common to ``Z`` and ``Y``; differentiable with respect to both.

    Raises
    ------
    ValueError
        If ``Z`` or ``Y`` is not a tensor, on wrong shapes, NaN or inf, or ``alpha < 0``.

    Examples
    --------
    >>> Z = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0]], dtype=torch.float64, requires_grad=True)
    >>> y = torch.tensor([3.0, 1.0, 3.0, 5.0], dtype=torch.float64)
    >>> coef, b0 = lasso_torch(Z, y, alpha=0.1)
    >>> coef.detach().numpy().round(3)
    array([1.8, 0. ])
    >>> coef[0].backward()
    >>> Z.grad.shape
    torch.Size([4, 2])
    """
    Z, Y, vector = _check_tensors(Z, Y)
    alpha = _check_alpha(alpha)
    n = Z.shape[0]
    B_np, _ = lasso(
        Z.detach().cpu().double().numpy(),
        Y.detach().cpu().double().numpy(),
        alpha,
        fit_intercept=fit_intercept,
        max_iter=max_iter,
        tol=tol,
    )
    mask = torch.as_tensor(B_np != 0, dtype=Z.dtype, device=Z.device).T  # (q, m)
    sign = torch.as_tensor(np.sign(B_np), dtype=Z.dtype, device=Z.device).T  # (q, m)

    Zc, Yc, z_mean, y_mean = _centre(Z, Y, fit_intercept)
    G = Zc.T @ Zc  # (m, m)
    ZtY = (Zc.T @ Yc).T  # (q, m)
    G_masked = G.unsqueeze(0) * (mask.unsqueeze(2) * mask.unsqueeze(1)) + torch.diag_embed(1.0 - mask)
    rhs = mask * (ZtY - n * alpha * sign)
    B = torch.linalg.solve(G_masked, rhs.unsqueeze(-1)).squeeze(-1)
    B = torch.where(mask.bool(), B, torch.zeros((), dtype=B.dtype, device=B.device)).T  # (m, q), exact zeros off A
    return _finish(B, z_mean, y_mean, vector)


def unrolled_ista(Z, Y, alpha, n_steps=100, step=None, fit_intercept=True):
    """The lasso by ``n_steps`` of ISTA in torch, differentiable by unrolling the iterations.

    Starting from ``b = 0``, each step is a gradient step on the least-squares part followed by
    soft-thresholding, for all targets at once:

    ``b <- S(b - step * Zᵀ(Z b - y) / n, step * alpha)``.

    The gradient of the result with respect to ``Z`` and ``Y`` is that of the unrolled
    computation; as ``n_steps`` grows it approaches the implicit gradient of
    :func:`lasso_torch`. ISTA converges linearly at a rate set by the conditioning of
    ``ZᵀZ / n`` on the active set, so ill-conditioned designs need many steps.

    Parameters
    ----------
    Z : torch.Tensor, shape (n, m)
    Y : torch.Tensor, shape (n,) or (n, q)
    alpha : float
        Penalty ``>= 0`` on scikit-learn's scale (see :func:`lasso`).
    n_steps : int
        Number of ISTA steps, ``>= 1``.
    step : float, optional
        Step size; by default ``1 / L`` with ``L`` the largest eigenvalue of ``ZᵀZ / n``
        (after centring). The default step is treated as a constant (not differentiated).
    fit_intercept : bool
        Centre ``Z`` and ``Y`` in torch and return the intercept.

    Returns
    -------
    coef : torch.Tensor, shape (m,) or (m, q)
    intercept : torch.Tensor, shape () or (q,)

    Examples
    --------
    >>> Z = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0]], dtype=torch.float64)
    >>> y = torch.tensor([3.0, 1.0, 3.0, 5.0], dtype=torch.float64)
    >>> coef, b0 = unrolled_ista(Z, y, alpha=0.1, n_steps=500)
    >>> coef.numpy().round(3), round(b0.item(), 3)
    (array([1.8, 0. ]), 1.2)
    """
    Z, Y, vector = _check_tensors(Z, Y)
    alpha = _check_alpha(alpha)
    n_steps = check_int(n_steps, "n_steps", 1)
    n = Z.shape[0]
    Zc, Yc, z_mean, y_mean = _centre(Z, Y, fit_intercept)
    G = Zc.T @ Zc / n
    c = Zc.T @ Yc / n
    if step is None:
        L = float(torch.linalg.eigvalsh(G.detach()).max())
        step = 1.0 / L if L > 0 else 1.0
    else:
        step = check_real(step, "step", low=0.0, low_open=True)
    B = torch.zeros(Z.shape[1], Y.shape[1], dtype=Z.dtype, device=Z.device)
    for _ in range(n_steps):
        B = soft_threshold(B - step * (G @ B - c), step * alpha)
    return _finish(B, z_mean, y_mean, vector)


def lasso_var_torch(
    X, lag, alpha, method="active_set", fit_intercept=True, n_steps=100, step=None, max_iter=10_000, tol=1e-12
):
    """Lasso-VAR(L) of a series held as a tensor, differentiable with respect to ``X``.

    The torch analogue of :func:`lasso_var`: the lagged design is built in torch, and every
    target is solved by :func:`lasso_torch` (``method="active_set"``, the implicit gradient) or
    :func:`unrolled_ista` (``method="ista"``, the unrolled gradient). Use it to put a sparse-VAR
    loss on, for instance, the latent series of an autoencoder.

    Parameters
    ----------
    X : torch.Tensor, shape (T, p)
        Rows are time, ``p >= 2``. Unlike :func:`lasso_var`, a constant column is accepted (its
        coefficients are zero), since a learned latent may collapse during training.
    lag : int
        The order ``L >= 1``; needs ``T > L + 1``.
    alpha : float
        Penalty ``>= 0`` on scikit-learn's scale.
    method : {"active_set", "ista"}
    fit_intercept : bool
    n_steps, step
        Passed to :func:`unrolled_ista` (``method="ista"`` only).
    max_iter, tol
        Passed to :func:`lasso` (``method="active_set"`` only).

    Returns
    -------
    coef : torch.Tensor, shape (lag, p, p)
        ``coef[k-1, i, j]`` is the effect of ``x_i(t-k)`` on ``x_j(t)`` (cause is the row), in
        the ``(lag, p, p)`` layout of statsmodels' ``coefs``: the lag axis comes first, unlike the
        ``coef_by_lag`` of :func:`lasso_var`'s result, which equals ``coef.permute(1, 2, 0)``.
    intercept : torch.Tensor, shape (p,)
        Equal to the ``intercept`` of :func:`lasso_var`'s result.

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> X = torch.randn(500, 2, generator=g, dtype=torch.float64)
    >>> X[1:, 1] += 0.8 * X[:-1, 0]
    >>> coef, b0 = lasso_var_torch(X, lag=1, alpha=0.1)
    >>> coef.shape, b0.shape
    (torch.Size([1, 2, 2]), torch.Size([2]))
    >>> coef[0].numpy().round(1)
    array([[0. , 0.7],
           [0. , 0. ]])
    """
    X, lag = _check_series_tensor(X, lag)
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}.")
    T, p = X.shape
    Y = X[lag:]
    design = torch.cat([X[lag - k : T - k] for k in range(1, lag + 1)], dim=1)  # (n, lag*p), column (k-1)*p + i
    if method == "active_set":
        B, b0 = lasso_torch(design, Y, alpha, fit_intercept=fit_intercept, max_iter=max_iter, tol=tol)
    else:
        B, b0 = unrolled_ista(design, Y, alpha, n_steps=n_steps, step=step, fit_intercept=fit_intercept)
    return B.reshape(lag, p, p), b0
