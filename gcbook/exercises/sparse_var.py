"""Checker of the chapter "Sparse VAR inside a neural network" (``book/sparse_var.md``).

:func:`check_lasso` (the lasso by coordinate descent), built on :mod:`gcbook.exercises._common`.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from gcbook.exercises._common import CheckReport, _as_float_array, _run_cases

__all__ = [
    "check_lasso",
]


_HINT_LASSO_N_STRONG = (
    "your penalty is n times too strong (you solved the lasso for n * alpha): the factor n belongs in the "
    "update once, b_k = S(z_k^T r_k, n alpha) / ||z_k||^2 or equally S(z_k^T r_k / n, alpha) / (||z_k||^2 / n), "
    "with r_k the residual without coordinate k."
)
_HINT_LASSO_N_WEAK = (
    "your penalty is n times too weak: you minimised 1/2 ||y - Zb||^2 + alpha ||b||_1, without the 1/n. "
    "Threshold z_k^T r_k at n alpha (or z_k^T r_k / n at alpha)."
)
_HINT_LASSO_TWICE = (
    "your penalty is twice too strong: the 1/2 in (1/(2n)) ||y - Zb||^2 cancels the 2 of its derivative, "
    "so threshold z_k^T r_k at n alpha, not 2 n alpha."
)
_HINT_LASSO_HALF = (
    "your penalty is half as strong as it should be: you minimised (1/n) ||y - Zb||^2 + alpha ||b||_1. "
    "The squared error carries 1/(2n), so threshold z_k^T r_k at n alpha, not n alpha / 2."
)
_HINT_LASSO_ONE_STEP = (
    "that is a single soft-thresholding step, right only for orthogonal columns of Z. Iterate coordinate "
    "descent until the coefficients stop changing: update each b_k in turn from the current partial residual "
    "r_k = y - sum_{j != k} z_j b_j."
)
_HINT_LASSO_INTERCEPT = (
    "you fitted an intercept (centred Z and y): this exercise has none, so use Z and y as given."
)
_HINT_LASSO_HARD = (
    "you used hard thresholding (keep a value if it is large, else 0). The lasso's update is soft "
    "thresholding, S(x, t) = sign(x) * max(|x| - t, 0), which also shrinks the values it keeps."
)
_HINT_LASSO_UNIT_NORM = (
    "your update b_k = S(z_k^T r_k / n, alpha) assumes every column has ||z_k||^2 / n = 1; divide by it: "
    "b_k = S(z_k^T r_k / n, alpha) / (||z_k||^2 / n)."
)


def _lasso_close(got, reference):
    """The exercise's tolerance: ``max|got - reference| <= 1e-6 * max(1, max|reference|)``."""
    return bool(np.max(np.abs(got - reference)) <= 1e-6 * max(1.0, float(np.max(np.abs(reference)))))


def _mistaken_coordinate_descent(Z, y, alpha, update, max_sweeps=1000):
    """Cyclic coordinate descent from zero with a mistaken ``update(rho_k, ||z_k||^2, n, alpha)``.

    ``rho_k = z_k^T r_k`` with ``r_k`` the residual without coordinate ``k``. Returns the fixed point a
    student's loop would reach, or None when the iteration diverges or does not settle.
    """
    n, m = Z.shape
    G = Z.T @ Z
    c = Z.T @ y
    b = np.zeros(m)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging iteration is an expected outcome
        for _ in range(max_sweeps):
            change = 0.0
            for k in range(m):
                new = update(c[k] - G[k] @ b + G[k, k] * b[k], G[k, k], n, alpha)
                change = max(change, abs(new - b[k]))
                b[k] = new
            if not np.all(np.isfinite(b)) or np.max(np.abs(b)) > 1e12:
                return None
            if change <= 1e-13 * max(1.0, float(np.max(np.abs(b)))):
                return b
    return None


def _hard_update(rho, col_sq, n, alpha):
    """Hard instead of soft thresholding: keep ``rho / ||z_k||^2`` when ``|rho| > n alpha``."""
    return rho / col_sq if abs(rho) > n * alpha else 0.0


def _unit_norm_update(rho, col_sq, n, alpha):
    """The update for unit-norm columns, ``S(rho / n, alpha)``, that forgets to divide by ``||z_k||^2 / n``."""
    return math.copysign(max(abs(rho) / n - alpha, 0.0), rho)


def _lasso_mistakes(Z, y, alpha, expected):
    """What typical wrong lasso solvers return on ``(Z, y, alpha)``, each with its hint.

    Returns a list of ``(wrong b, hint)``, leaving out the answers that equal ``expected`` (a right
    answer must never get a hint) and the ones that are not finite.
    """
    from gcbook.sparse_var import lasso, soft_threshold

    n, m = Z.shape
    col_sq = np.sum(Z * Z, axis=0)
    candidates = [
        (lasso(Z, y, alpha * n, fit_intercept=False)[0], _HINT_LASSO_N_STRONG),
        # with m > n, alpha / n is all but interpolation, slow to solve: that mistake is recognised elsewhere
        (lasso(Z, y, alpha / n, fit_intercept=False)[0] if n > m else None, _HINT_LASSO_N_WEAK),
        (lasso(Z, y, 2 * alpha, fit_intercept=False)[0], _HINT_LASSO_TWICE),
        (lasso(Z, y, alpha / 2, fit_intercept=False)[0], _HINT_LASSO_HALF),
        (lasso(Z, y, alpha, fit_intercept=True)[0], _HINT_LASSO_INTERCEPT),
        (soft_threshold(Z.T @ y / n, alpha), _HINT_LASSO_ONE_STEP),
        (soft_threshold(Z.T @ y, n * alpha) / col_sq, _HINT_LASSO_ONE_STEP),
        (_mistaken_coordinate_descent(Z, y, alpha, _hard_update), _HINT_LASSO_HARD),
        (_mistaken_coordinate_descent(Z, y, alpha, _unit_norm_update), _HINT_LASSO_UNIT_NORM),
    ]
    if n > m and np.linalg.matrix_rank(Z) == m:  # a unique least-squares solution
        ols = np.linalg.lstsq(Z, y, rcond=None)[0]
        candidates += [
            (soft_threshold(ols, alpha), _HINT_LASSO_ONE_STEP),
            (np.where(np.abs(ols) > alpha, ols, 0.0), _HINT_LASSO_HARD),
        ]
    return [
        (np.asarray(wrong, dtype=float), hint) for wrong, hint in candidates
        if wrong is not None and np.all(np.isfinite(wrong)) and not _lasso_close(wrong, expected)
    ]


def _lasso_cases():
    """Hidden cases for the lasso exercise, with the answers of known mistakes.

    Yields ``(name, (Z, y, alpha), b, hints)`` with ``b`` the reference
    ``gcbook.sparse_var.lasso(Z, y, alpha, fit_intercept=False)[0]`` and ``hints`` a list of
    ``(wrong b, hint)``.
    """
    from gcbook.granger import lag_matrix
    from gcbook.simulate import var
    from gcbook.sparse_var import lasso

    rng = np.random.default_rng(4242)
    settings = []

    Z = rng.standard_normal((100, 8))
    b = np.zeros(8)
    b[[1, 4, 6]] = [1.5, -2.0, 0.8]
    y = Z @ b + 0.5 * rng.standard_normal(100) + 1.0  # a non-zero mean: fitting an intercept changes b
    settings.append(("Gaussian design, n=100, m=8, a sparse truth", Z, y, 0.1))

    Z = rng.standard_normal((80, 6))
    Z[:, 1] *= 10.0
    Z[:, 4] *= 0.1
    y = Z @ np.array([0.7, 0.15, 0.0, -1.0, 6.0, 0.0]) + 0.5 * rng.standard_normal(80)
    settings.append(("columns on very different scales, n=80, m=6", Z, y, 0.05))

    corr = np.full((5, 5), 0.9) + 0.1 * np.eye(5)
    Z = rng.standard_normal((120, 5)) @ np.linalg.cholesky(corr).T
    y = Z @ np.array([1.0, 0.0, -0.5, 0.0, 0.8]) + 0.3 * rng.standard_normal(120)
    settings.append(("strongly correlated columns (correlation 0.9), n=120, m=5", Z, y, 0.05))

    Z = rng.standard_normal((50, 6))
    y = Z[:, 2] - 0.5 * Z[:, 0] + rng.standard_normal(50) + 2.0
    settings.append(("alpha exactly at max|Z^T y| / n, n=50, m=6", Z, y, float(np.max(np.abs(Z.T @ y))) / 50))

    Z = rng.standard_normal((60, 5))
    y = Z @ rng.standard_normal(5) + rng.standard_normal(60) - 1.5
    settings.append(("alpha = 0 (least squares), n=60, m=5", Z, y, 0.0))

    X = var(p=3, T=203, lag=2, sparsity=0.4, seed=4243)[0] + np.array([1.0, -2.0, 0.5])
    targets, lags = lag_matrix(X, 2)
    design = lags.transpose(0, 2, 1).reshape(len(targets), 6)  # column (k-1)*p + i holds x_i(t-k)
    settings.append(("the lagged design of a 3-variable VAR(2), n=201, m=6", design, targets[:, 1].copy(), 0.05))

    Z = rng.standard_normal((30, 60))
    b = np.zeros(60)
    b[[3, 17, 42, 55]] = [2.0, -1.5, 1.0, 0.7]
    y = Z @ b + 0.2 * rng.standard_normal(30)
    settings.append(("more predictors than samples, n=30, m=60", Z, y, 0.2))

    for name, Z, y, alpha in settings:
        expected = lasso(Z, y, alpha, fit_intercept=False)[0]
        yield name, (Z.copy(), y.copy(), alpha), expected, _lasso_mistakes(Z, y, alpha, expected)


def _format_vector(v):
    return "[" + ", ".join(f"{x + 0.0:.4g}" for x in v) + "]"  # + 0.0 prints -0.0 as 0


def _shape_or_none(x):
    try:
        return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)
    except (TypeError, ValueError):  # a ragged list
        return None


def _judge_lasso(got, expected, hints):
    m = expected.size
    wanted = f"return the coefficient vector b, an array of shape ({m},)"
    if got is None:
        return False, f"your function returned None: {wanted} (did you forget the return statement?)."
    if isinstance(got, tuple) and len(got) == 2 and _shape_or_none(got[0]) in ((m,), (m, 1)):
        try:
            right = _lasso_close(_as_float_array(got[0]).ravel(), expected)
        except (TypeError, ValueError, RuntimeError):
            right = False
        return False, (f"return only the coefficient vector b of shape ({m},), not a pair (coef, intercept): "
                       "this lasso has no intercept" + (" (your coefficients are right)." if right else "."))
    try:
        values = np.asarray(got.detach().cpu().numpy() if hasattr(got, "detach") else got)  # torch: to numpy
        if values.dtype.kind == "c":
            if np.any(values.imag != 0):
                return False, f"{wanted} of real numbers, got complex numbers."
            values = values.real
        values = values.astype(float)
    except (TypeError, ValueError, RuntimeError):
        return False, f"{wanted}, got {type(got).__name__}."
    if values.shape != expected.shape:
        if values.shape in ((m, 1), (1, m)):
            right = " (the values are right)" if _lasso_close(values.ravel(), expected) else ""
            return False, f"{wanted}, got shape {values.shape}: flatten it, b.ravel(){right}."
        return False, f"{wanted}, one coefficient per column of Z, got shape {values.shape}."
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        return False, (f"your b contains NaN or inf (first at coefficient {bad[0]}): a division by zero, or an "
                       "iteration that diverged (does each update divide by ||z_k||^2 / n?).")
    if _lasso_close(values, expected):
        return True, "ok"
    worst = int(np.argmax(np.abs(values - expected)))
    message = f"b differs most at coefficient {worst}: expected {expected[worst]:.6g}, got {values[worst]:.6g}"
    if m <= 8:
        message += f"; expected b = {_format_vector(expected)}, got {_format_vector(values)}"
    matching = []
    for wrong, hint in hints:
        if _lasso_close(values, wrong) and hint not in matching:
            matching.append(hint)
    if matching:
        return False, message + ". " + " Or: ".join(hint[:1].upper() + hint[1:] for hint in matching)
    return False, message + "."


def check_lasso(func: Callable, verbose: bool = True) -> CheckReport:
    """Check a student's lasso solver (no intercept) against hidden cases.

    Parameters
    ----------
    func : callable
        ``func(Z, y, alpha) -> b`` with ``Z`` an array of shape (n, m), ``y`` of shape (n,) and
        ``alpha >= 0`` a float, returning the coefficient vector ``b`` of shape (m,) (a NumPy array,
        a list or a torch tensor) that minimises

        .. math:: \\frac{1}{2n} \\lVert y - Z b \\rVert_2^2 + \\alpha \\lVert b \\rVert_1

        with no intercept (scikit-learn's scale of ``alpha``), typically by cyclic coordinate
        descent with soft-thresholding, ``b_k = S(z_k^T r_k, n alpha) / ||z_k||^2``. Compared with
        ``lasso(Z, y, alpha, fit_intercept=False)[0]`` from :mod:`gcbook.sparse_var`: a case passes
        when ``max|b - b_ref| <= 1e-6 * max(1, max|b_ref|)``.
    verbose : bool
        Print the report.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> from gcbook.sparse_var import lasso, soft_threshold
    >>> def my_lasso(Z, y, alpha):
    ...     return lasso(Z, y, alpha, fit_intercept=False)[0]
    >>> check_lasso(my_lasso, verbose=False).passed
    True
    >>> def one_step(Z, y, alpha):
    ...     return soft_threshold(Z.T @ y / len(y), alpha)
    >>> report = check_lasso(one_step, verbose=False)
    >>> [case.passed for case in report.cases]
    [False, False, False, True, False, False, False]
    >>> "until the coefficients stop changing" in report.cases[2].message
    True
    """
    return _run_cases("Exercise: the lasso by coordinate descent", func, _lasso_cases(), _judge_lasso, verbose)
