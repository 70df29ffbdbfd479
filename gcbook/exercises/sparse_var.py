"""Checker of the chapter "Sparse VAR inside a neural network" (``book/sparse_var.md``).

:func:`check_lasso` (the lasso by coordinate descent), built on :mod:`gcbook.exercises._common`.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from gcbook.exercises._common import CheckReport, Forbidden, answer_array, run_cases

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
_HINT_LASSO_INTERCEPT = "you fitted an intercept (centred Z and y): this exercise has none, so use Z and y as given."
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
        (np.asarray(wrong, dtype=float), hint)
        for wrong, hint in candidates
        if wrong is not None and np.all(np.isfinite(wrong)) and not _lasso_close(wrong, expected)
    ]


_LASSO_FORBIDDEN = Forbidden(
    modules=("gcbook.sparse_var", "sklearn"),
    names=(
        "gcbook.sparse_var.lasso",
        "gcbook.sparse_var.lasso_var",
        "gcbook.sparse_var.soft_threshold",
        "gcbook.sparse_var.lasso_torch",
        "gcbook.sparse_var.unrolled_ista",
        "gcbook.sparse_var.lasso_var_torch",
        "sklearn.linear_model.Lasso",
        "sklearn.linear_model.ElasticNet",
        "sklearn.linear_model.LassoCV",
        "sklearn.linear_model.ElasticNetCV",
        "sklearn.linear_model.LassoLars",
        "sklearn.linear_model.lasso_path",
        "sklearn.linear_model.enet_path",
        "sklearn.linear_model.LinearRegression",
        "sklearn.linear_model.Ridge",
    ),
)


def _signed(rng, low, high, size):
    """``size`` values uniform in ``[low, high]`` in absolute value, each with a random sign."""
    return rng.uniform(low, high, size) * rng.choice([-1.0, 1.0], size)


def _sparse_truth(rng, m, k):
    """A coefficient vector of length ``m`` with ``k`` non-zeros (uniform in +-[0.5, 2]) at random places."""
    b = np.zeros(m)
    b[rng.choice(m, size=k, replace=False)] = _signed(rng, 0.5, 2.0, k)
    return b


def _lasso_cases(seed=None):
    """Hidden cases for the lasso exercise, drawn afresh at each call, with the answers of known mistakes.

    Seven kinds of case, each drawn from ``np.random.default_rng(seed)`` (``seed=None``: fresh
    entropy, so no two checks see the same data):

    1. Gaussian design, n uniform in 80..150, m in 6..8, 3 non-zero coefficients (+-[0.5, 2]), noise
       sd 0.5, a mean of +-[1, 2] added to y (fitting an intercept changes b), alpha in [0.05, 0.2];
    2. columns on very different scales: n in 60..120, m in 5..8, one column times 10 and another
       times 0.1, alpha in [0.02, 0.1];
    3. correlated columns (equicorrelation 0.9): n in 100..160, m in 4..6, alpha in [0.02, 0.1];
    4. alpha exactly at max|Z^T y| / n (every coefficient zero): n in 40..80, m in 4..8, y with a mean;
    5. alpha = 0 (least squares): n in 50..100, m in 3..6, y with a mean of +-[0.5, 2];
    6. the lagged design of a VAR: p in 2..3 variables, lag in 1..2, T in 150..300, means
       +-[0.5, 2] added, one target variable at random, alpha in [0.02, 0.1];
    7. more predictors than samples: n in 25..40, m in 50..80, 4 non-zero coefficients, noise sd
       0.2, alpha in [0.15, 0.3].

    Yields ``(name, (Z, y, alpha), b, hints)`` with ``b`` the reference
    ``gcbook.sparse_var.lasso(Z, y, alpha, fit_intercept=False)[0]`` and ``hints`` a list of
    ``(wrong b, hint)``.
    """
    from gcbook.granger import lag_matrix
    from gcbook.simulate import var
    from gcbook.sparse_var import lasso

    rng = np.random.default_rng(seed)
    settings = []

    n, m = int(rng.integers(80, 151)), int(rng.integers(6, 9))
    Z = rng.standard_normal((n, m))
    y = Z @ _sparse_truth(rng, m, 3) + 0.5 * rng.standard_normal(n) + _signed(rng, 1.0, 2.0, 1)[0]
    settings.append((f"Gaussian design, n={n}, m={m}, a sparse truth", Z, y, float(rng.uniform(0.05, 0.2))))

    n, m = int(rng.integers(60, 121)), int(rng.integers(5, 9))
    Z = rng.standard_normal((n, m))
    big, small = rng.choice(m, size=2, replace=False)
    Z[:, big] *= 10.0
    Z[:, small] *= 0.1
    truth = _sparse_truth(rng, m, min(4, m - 1))
    truth[big] /= 10.0
    truth[small] *= 10.0
    y = Z @ truth + 0.5 * rng.standard_normal(n)
    settings.append((f"columns on very different scales, n={n}, m={m}", Z, y, float(rng.uniform(0.02, 0.1))))

    n, m = int(rng.integers(100, 161)), int(rng.integers(4, 7))
    corr = np.full((m, m), 0.9) + 0.1 * np.eye(m)
    Z = rng.standard_normal((n, m)) @ np.linalg.cholesky(corr).T
    y = Z @ _sparse_truth(rng, m, 3) + 0.3 * rng.standard_normal(n)
    settings.append(
        (f"strongly correlated columns (correlation 0.9), n={n}, m={m}", Z, y, float(rng.uniform(0.02, 0.1)))
    )

    n, m = int(rng.integers(40, 81)), int(rng.integers(4, 9))
    Z = rng.standard_normal((n, m))
    y = Z @ _sparse_truth(rng, m, 2) + rng.standard_normal(n) + _signed(rng, 1.0, 2.0, 1)[0]
    settings.append((f"alpha exactly at max|Z^T y| / n, n={n}, m={m}", Z, y, float(np.max(np.abs(Z.T @ y))) / n))

    n, m = int(rng.integers(50, 101)), int(rng.integers(3, 7))
    Z = rng.standard_normal((n, m))
    y = Z @ rng.standard_normal(m) + rng.standard_normal(n) + _signed(rng, 0.5, 2.0, 1)[0]
    settings.append((f"alpha = 0 (least squares), n={n}, m={m}", Z, y, 0.0))

    p, lag, T = int(rng.integers(2, 4)), int(rng.integers(1, 3)), int(rng.integers(150, 301))
    X = var(p=p, T=T + lag, lag=lag, sparsity=0.4, seed=rng)[0] + _signed(rng, 0.5, 2.0, p)
    targets, lags = lag_matrix(X, lag)
    design = lags.transpose(0, 2, 1).reshape(len(targets), lag * p)  # column (k-1)*p + i holds x_i(t-k)
    target = int(rng.integers(p))
    settings.append(
        (
            f"the lagged design of a {p}-variable VAR({lag}), n={T}, m={lag * p}",
            design,
            targets[:, target].copy(),
            float(rng.uniform(0.02, 0.1)),
        )
    )

    n, m = int(rng.integers(25, 41)), int(rng.integers(50, 81))
    Z = rng.standard_normal((n, m))
    y = Z @ _sparse_truth(rng, m, 4) + 0.2 * rng.standard_normal(n)
    settings.append((f"more predictors than samples, n={n}, m={m}", Z, y, float(rng.uniform(0.15, 0.3))))

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
            right = _lasso_close(answer_array(got[0]).ravel(), expected)
        except (TypeError, ValueError, RuntimeError):
            right = False
        return False, (
            f"return only the coefficient vector b of shape ({m},), not a pair (coef, intercept): "
            "this lasso has no intercept" + (" (your coefficients are right)." if right else ".")
        )
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
        return False, (
            f"your b contains NaN or inf (first at coefficient {bad[0]}): a division by zero, or an "
            "iteration that diverged (does each update divide by ||z_k||^2 / n?)."
        )
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


def check_lasso(func: Callable, verbose: bool = True, seed=None) -> CheckReport:
    """Check a student's lasso solver (no intercept) against hidden cases drawn at check time.

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
        when ``max|b - b_ref| <= 1e-6 * max(1, max|b_ref|)``. The exercise forbids
        :mod:`gcbook.sparse_var` and scikit-learn: a case whose call reaches any function of either
        (however imported: at the top of the notebook, inside the function, through a helper)
        fails with a message that names the call.
    verbose : bool
        Print the report.
    seed : None, int or numpy.random.Generator
        Where the seven cases are drawn from (their distributions: ``_lasso_cases``): a correlated
        design, badly scaled columns, more predictors than samples, alpha at alpha_max, least
        squares, a lagged VAR design, a Gaussian design with a non-zero mean. ``None`` (the default)
        draws fresh cases at every call; a seed repeats them.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> import numpy as np
    >>> def one_step(Z, y, alpha):
    ...     x = Z.T @ y / len(y)
    ...     return np.sign(x) * np.maximum(np.abs(x) - alpha, 0.0)
    >>> report = check_lasso(one_step, verbose=False, seed=0)
    >>> [case.passed for case in report.cases]
    [False, False, False, True, False, False, False]
    >>> "until the coefficients stop changing" in report.cases[2].message
    True
    >>> from gcbook.sparse_var import lasso
    >>> def shortcut(Z, y, alpha):
    ...     return lasso(Z, y, alpha, fit_intercept=False)[0]
    >>> report = check_lasso(shortcut, verbose=False)
    >>> report.passed, report.cases[0].message
    (False, 'your function calls gcbook.sparse_var.lasso, which this exercise forbids: write it with NumPy (its answer matches the reference, but the exercise is to write it yourself).')
    """
    return run_cases(
        "Exercise: the lasso by coordinate descent",
        func,
        _lasso_cases(seed),
        _judge_lasso,
        verbose,
        forbidden=_LASSO_FORBIDDEN,
    )
