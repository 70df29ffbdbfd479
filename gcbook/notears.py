"""NOTEARS: learning a linear DAG by continuous optimization, and the variance-sorting baseline.

Taught in the chapter :ref:`chap-notears` (``book/notears.md``).

Orientation, everywhere: ``W[i, j] != 0`` (or ``B[i, j] = 1``) means ``i -> j``
(the cause is the row), the convention of NOTEARS and of networkx.

NOTEARS (Zheng, Aragam, Ravikumar and Xing, 2018) solves

.. math::

    \\min_W \\; \\ell(W; X) + \\lambda_1 \\|W\\|_1
    \\quad \\text{subject to} \\quad h(W) = \\operatorname{tr}\\, e^{W \\circ W} - d = 0,

where :math:`h(W) = 0` exactly when ``W`` is the weighted adjacency matrix of a
DAG. The constraint is handled by the augmented Lagrangian

.. math::

    L_\\rho(W, \\alpha) = \\ell(W; X) + \\lambda_1 \\|W\\|_1
    + \\alpha\\, h(W) + \\tfrac{\\rho}{2} h(W)^2 ,

minimized over ``W`` with SciPy's L-BFGS-B for a fixed multiplier ``alpha``
and penalty ``rho``, after which ``alpha += rho * h``. The L1 term is made smooth
by splitting ``W = W_pos - W_neg`` with ``W_pos, W_neg >= 0`` (bounds), so
``||W||_1 = sum(W_pos + W_neg)`` at the optimum; the diagonal is fixed at 0 by
the bounds ``(0, 0)``.

The public names:

- :func:`notears_linear` -- the algorithm; it returns a :class:`DAGResult` (the weighted
  adjacency matrix ``W`` in the package's result shape), whose ``history``, a
  :class:`NotearsHistory`, records the outer iterations.
- :func:`acyclicity` -- ``h(W)`` and its gradient, safe for large weights.
- :func:`notears_loss` -- the data term (``"l2"`` least squares or ``"logistic"``) and its gradient.
- :func:`notears_objective` -- the augmented Lagrangian in the split variables,
  exactly as the optimizer sees it.
- :func:`make_acyclic` -- remove the weakest edge of each cycle until the graph is a DAG.
- :func:`sortnregress` -- the variance-sorting baseline of Reisach et al. (2021), also a
  :class:`DAGResult`.

PC and GES, the other baselines of the chapter, are in :mod:`gcbook.baselines`.

Examples
--------
>>> from gcbook.simulate import random_dag, dag_weights, linear_sem
>>> from gcbook.metrics import count_accuracy
>>> from gcbook.notears import notears_linear
>>> B = random_dag(5, 5, seed=0)
>>> X = linear_sem(dag_weights(B, seed=1), n=500, seed=2)
>>> res = notears_linear(X)
>>> res
DAGResult(notears, p=5, 5 edges, converged)
>>> count_accuracy(B, res.adjacency())["shd"]
0
"""

from __future__ import annotations

import contextlib
import math
import warnings
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import scipy.linalg
import scipy.optimize
from scipy.special import expit

from gcbook._result import GraphResult, default_labels
from gcbook._utils import warn_deprecated
from gcbook._validation import as_time_series, check_bool, check_int, check_real, check_square_matrix

__all__ = [
    "DAGResult",
    "NotearsHistory",
    "acyclicity",
    "make_acyclic",
    "notears_linear",
    "notears_loss",
    "notears_objective",
    "sortnregress",
]

_LOSSES = ("l2", "logistic")

# ||exp(A)||_1 <= exp(||A||_1) for every matrix A, so scipy's expm cannot overflow
# float64 (max about exp(709.78)) while the 1-norm of W o W stays below this.
_SAFE_NORM = 600.0
# Above this value of h the penalty rho/2 h^2 (rho <= 1e16 in practice) would overflow,
# and the point is hopelessly far from a DAG anyway: the optimizer sees a huge objective.
_H_LARGE = 1e100
_F_LARGE = 1e300
_LOG_FLOAT_MAX = math.log(np.finfo(np.float64).max)


# ---------------------------------------------------------------------------
# small input checks
# ---------------------------------------------------------------------------


def _check_loss(loss) -> str:
    if loss not in _LOSSES:
        raise ValueError(f"loss must be one of {', '.join(map(repr, _LOSSES))}, got {loss!r}.")
    return loss


def _check_data(X, loss: str = "l2") -> tuple[np.ndarray, list[str]]:
    """Data matrix (n, d) as float: 2-D, d >= 2, n >= 3, finite, no constant column; binary for logistic.

    Returns it with its labels (a DataFrame's columns, else ``x0, x1, ...``).
    """
    X, labels = as_time_series(X, name="X", min_vars=2)
    if loss == "logistic" and not np.all((X == 0) | (X == 1)):
        raise ValueError("loss='logistic' needs binary data (every entry 0 or 1); use loss='l2' for continuous data.")
    return X, labels


def _check_weights(W) -> np.ndarray:
    W = check_square_matrix(W, name="W")
    if W.shape[0] < 1:
        raise ValueError("W must have at least one row and column.")
    return W


# ---------------------------------------------------------------------------
# the acyclicity function h(W) = tr(exp(W o W)) - d
# ---------------------------------------------------------------------------


def _expm_minus_identity_scaled(A: np.ndarray, degree: int = 16) -> tuple[np.ndarray, float]:
    """``exp(A) - I`` of a nonnegative matrix as ``exp(log_scale) * M``, without overflow.

    Scaling and squaring with a Taylor polynomial: ``B = A / 2**s`` with
    ``||B||_1 <= 1/2``, ``N = sum_{k=1}^{degree} B^k / k!`` (truncation below
    1e-19 relative), then ``s`` times ``N <- N @ N + 2 N`` (which maps
    ``exp(B) - I`` to ``exp(2B) - I``). Every term is nonnegative, so there is no
    cancellation, and an entry that is exactly zero (no walk between two nodes)
    stays exactly zero: for a DAG the diagonal of ``M`` is exactly 0. ``M`` is
    rescaled whenever its largest entry passes 1e100 and the factor is kept in
    ``log_scale``, so no intermediate overflows.
    """
    norm = float(A.sum(axis=0).max())
    s = max(0, math.ceil(math.log2(norm / 0.5))) if norm > 0.5 else 0
    B = np.ldexp(A, -s)
    N = B / degree
    for k in range(degree - 1, 0, -1):
        N = (B + B @ N) / k  # B/k (I + N): Horner's rule for sum_k B^k / k!
    M, log_scale = N, 0.0
    for _ in range(s):
        # exp(log_scale) M is exp(B) - I; its square plus twice itself is exp(2B) - I.
        M = M @ M + (2.0 * math.exp(-log_scale)) * M
        log_scale *= 2.0
        peak = float(M.max())
        if peak > 1e100:
            M = M / peak
            log_scale += math.log(peak)
    return M, log_scale


def _acyclicity_large(W: np.ndarray, A: np.ndarray) -> tuple[float, np.ndarray]:
    """h and its gradient for ``||W o W||_1 > _SAFE_NORM``, in log scale; raises if not representable."""
    d = W.shape[0]
    M, log_scale = _expm_minus_identity_scaled(A)
    trace = float(np.trace(M))
    if trace > 0 and log_scale + math.log(trace) > _LOG_FLOAT_MAX:
        log10_h = (log_scale + math.log(trace)) / math.log(10)
        raise ValueError(
            f"h(W) = tr(exp(W o W)) - d is about 10^{log10_h:.0f}, beyond the float64 range: W has a "
            f"directed cycle with huge weights (max |W| = {np.abs(W).max():.3g}). h grows like "
            "exp(spectral radius of W o W); rescale the data (or the weights) so that cycles carry "
            "weights of order 1."
        )
    h = math.exp(log_scale) * trace if trace > 0 else 0.0
    # gradient 2 W o exp(W o W)^T = 2 W o (I + exp(log_scale) M^T), evaluated in log scale
    K = 2.0 * W * M.T
    nonzero = K != 0
    log_mag = np.full(K.shape, -np.inf)
    log_mag[nonzero] = np.log(np.abs(K[nonzero])) + log_scale
    if np.any(log_mag > _LOG_FLOAT_MAX):
        i, j = np.unravel_index(np.argmax(log_mag), K.shape)
        raise ValueError(
            f"The gradient of h(W) overflows float64 at entry ({i}, {j}) "
            f"(about 10^{log_mag[i, j] / math.log(10):.0f}): W has a directed cycle with huge weights "
            f"(max |W| = {np.abs(W).max():.3g}); rescale the data."
        )
    G = np.zeros_like(W)
    G[nonzero] = np.sign(K[nonzero]) * np.exp(log_mag[nonzero])
    G[np.diag_indices(d)] += 2.0 * np.diag(W)
    return h, G


def _expm_kernels(A: np.ndarray) -> np.ndarray:
    """``exp(A)`` with the compiled kernels of :func:`scipy.linalg.expm`, without its wrapper.

    The generic path of ``scipy.linalg.expm`` (SciPy >= 1.9): choose the Pade degree ``m``
    and scaling ``s`` (Al-Mohy and Higham, 2009), evaluate the Pade approximant of
    ``A / 2**s``, square ``s`` times. The wrapper's input checks, batching and
    special cases (diagonal and triangular input) cost more than the kernels at
    ``d <= 30``. :func:`_expm` checks once per process that this reproduces
    ``scipy.linalg.expm`` bit for bit on general matrices, and uses
    ``scipy.linalg.expm`` otherwise.
    """
    from scipy.linalg._matfuncs_expm import pade_UV_calc, pick_pade_structure

    Am = np.empty((5,) + A.shape)
    Am[0] = A
    m, s = pick_pade_structure(Am)
    if m < 0 or pade_UV_calc(Am, m) != 0:
        return scipy.linalg.expm(A)  # let SciPy raise its own error
    E = Am[0]
    for _ in range(s):
        E = E @ E
    return E


_EXPM_KERNELS_OK = None


def _expm(A: np.ndarray) -> np.ndarray:
    """``scipy.linalg.expm(A)`` for a general square matrix, through its kernels when they reproduce it."""
    global _EXPM_KERNELS_OK
    if _EXPM_KERNELS_OK is None:
        rng = np.random.default_rng(0)
        try:
            _EXPM_KERNELS_OK = all(
                np.array_equal(_expm_kernels(T), scipy.linalg.expm(T))
                for T in (rng.uniform(0, scale, (k, k)) for k, scale in ((2, 0.1), (5, 1.0), (12, 2.0), (20, 30.0)))
            )
        except Exception:  # noqa: BLE001 - any change in SciPy's private kernels: use the public function
            _EXPM_KERNELS_OK = False
    return _expm_kernels(A) if _EXPM_KERNELS_OK else scipy.linalg.expm(A)


def _acyclicity(W: np.ndarray) -> tuple[float, np.ndarray]:
    """Unchecked core of :func:`acyclicity`; the exponential is computed once for h and its gradient."""
    A = W * W
    if A.sum(axis=0).max() > _SAFE_NORM:
        return _acyclicity_large(W, A)
    E = _expm(A)
    return float(E.trace()) - W.shape[0], 2.0 * W * E.T


def acyclicity(W) -> tuple[float, np.ndarray]:
    """The NOTEARS acyclicity function ``h(W) = tr(exp(W o W)) - d`` and its gradient.

    ``h(W) >= 0``, with equality exactly when ``W`` is the weighted adjacency
    matrix of a DAG: ``tr((W o W)^k)`` sums the weights of the closed walks of
    length ``k``, and ``tr(exp(A)) - d = sum_{k>=1} tr(A^k) / k!``. The gradient
    is ``grad h(W) = 2 W o exp(W o W)^T``.

    Numerics: while ``||W o W||_1 <= 600`` (then no entry of the exponential can
    exceed ``e^600``), the exponential is SciPy's :func:`scipy.linalg.expm`
    (Pade scaling and squaring; its compiled kernels are called directly when
    they give the same numbers), computed once and shared by ``h`` and the
    gradient.
    Beyond that, a scaling-and-squaring Taylor series of the *nonnegative*
    matrix ``W o W`` is used, with a running scale factor kept as a logarithm,
    so that no intermediate overflows: a DAG with huge weights (``|W| ~ 1e3``)
    gets exactly ``h = 0`` and a zero gradient, and a cycle with huge weights
    gets its true value when that fits in float64. When ``h`` itself (about
    ``exp`` of the spectral radius of ``W o W``) or its gradient exceeds the
    float64 range, a ValueError says so; nothing here returns inf or NaN.

    Parameters
    ----------
    W : array_like, shape (d, d)
        Weighted adjacency matrix, ``W[i, j] != 0`` means ``i -> j``; finite.

    Returns
    -------
    h : float
        ``tr(exp(W o W)) - d``, zero (up to rounding, about 1e-15) for a DAG.
    grad : numpy.ndarray, shape (d, d)
        ``2 W o exp(W o W)^T``, same orientation as ``W``.

    Raises
    ------
    ValueError
        If ``W`` is not square or holds NaN/inf, or if ``h`` or its gradient is
        too large for float64.

    Examples
    --------
    >>> import math
    >>> import numpy as np
    >>> from gcbook.notears import acyclicity
    >>> h, G = acyclicity(np.array([[0.0, 1.5], [0.0, 0.0]]))   # 0 -> 1: a DAG
    >>> round(h, 12), bool(np.all(G == 0))
    (0.0, True)
    >>> h, G = acyclicity(np.array([[0.0, 1.0], [1.0, 0.0]]))   # a 2-cycle
    >>> round(h, 6), round(2 * math.cosh(1.0) - 2, 6)            # tr(exp(A)) - 2 for A = [[0, 1], [1, 0]]
    (1.086161, 1.086161)
    >>> h, G = acyclicity(np.array([[0.0, 1e3], [0.0, 0.0]]))   # huge weights, still a DAG
    >>> h, bool(np.all(np.isfinite(G)))
    (0.0, True)
    """
    return _acyclicity(_check_weights(W))


# ---------------------------------------------------------------------------
# the data term and the augmented Lagrangian
# ---------------------------------------------------------------------------


def notears_loss(W, X, loss: str = "l2") -> tuple[float, np.ndarray]:
    """The NOTEARS data term ``loss(W; X)`` and its gradient, computed from the data matrix.

    * ``"l2"``: ``1/(2n) ||X - X W||_F^2`` with ``X`` centred column by column
      first (as :func:`notears_linear` does), gradient ``-1/n X^T (X - X W)``.
      :func:`notears_linear` computes the same numbers from the ``(d, d)``
      matrix ``S = X^T X / n`` instead, ``1/2 tr((I - W)^T S (I - W))`` with
      gradient ``-S (I - W)``, which is exact and does not grow with ``n``.
    * ``"logistic"`` (binary ``X``, not centred): ``1/n sum(log(1 + exp(X W)) - X o (X W))``,
      gradient ``1/n X^T (sigmoid(X W) - X)``.

    Parameters
    ----------
    W : array_like, shape (d, d)
        ``W[i, j]`` is the effect of ``x_i`` on ``x_j``.
    X : array_like, shape (n, d)
        Samples in rows.
    loss : {"l2", "logistic"}

    Returns
    -------
    value : float
    grad : numpy.ndarray, shape (d, d)

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.notears import notears_loss
    >>> X = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])   # x1 = 2 x0 exactly
    >>> value, grad = notears_loss(np.array([[0.0, 2.0], [0.0, 0.0]]), X)
    >>> round(value, 12)                                        # only x0's own variance, 1/2 * 2/3, is left
    0.333333333333
    """
    loss = _check_loss(loss)
    X, _ = _check_data(X, loss)
    W = _check_weights(W)
    if W.shape[0] != X.shape[1]:
        raise ValueError(f"W must be ({X.shape[1]}, {X.shape[1]}) for X with {X.shape[1]} columns, got {W.shape}.")
    n = X.shape[0]
    if loss == "l2":
        X = X - X.mean(axis=0)
        R = X - X @ W
        return float(0.5 / n * np.sum(R**2)), -(X.T @ R) / n
    M = X @ W
    return float(np.sum(np.logaddexp(0.0, M) - X * M) / n), X.T @ (expit(M) - X) / n


class _Objective:
    """The augmented Lagrangian as L-BFGS-B sees it: a function of ``w = [vec(W_pos), vec(W_neg)]``.

    For the l2 loss only the sufficient statistic ``S = X^T X / n`` (of the
    centred data) is kept, so an evaluation costs a few ``(d, d)`` products and
    one matrix exponential, whatever ``n``.
    """

    def __init__(self, X: np.ndarray, loss: str, lambda1: float):
        n, d = X.shape
        self.d, self.dd, self.loss, self.lambda1 = d, d * d, loss, lambda1
        self.n_evals = 0
        if loss == "l2":
            Xc = X - X.mean(axis=0)
            self.S = Xc.T @ Xc / n
            self.I = np.eye(d)
        else:
            self.X, self.n = X, n
        bound_hi = np.full((2, d, d), np.inf)
        bound_hi[:, np.arange(d), np.arange(d)] = 0.0  # no self-loops: the diagonal is fixed at 0
        self.bounds = scipy.optimize.Bounds(np.zeros(2 * d * d), bound_hi.ravel())

    def adj(self, w: np.ndarray) -> np.ndarray:
        """``W = W_pos - W_neg`` from the stacked vector, shape (d, d)."""
        return (w[: self.dd] - w[self.dd :]).reshape(self.d, self.d)

    def data_loss(self, W: np.ndarray) -> tuple[float, np.ndarray]:
        if self.loss == "l2":
            R = self.I - W
            SR = self.S @ R
            return 0.5 * float(np.vdot(R, SR)), -SR
        M = self.X @ W
        return float(np.sum(np.logaddexp(0.0, M) - self.X * M) / self.n), self.X.T @ (expit(M) - self.X) / self.n

    def curvature(self, w: np.ndarray, rho: float, alpha: float) -> np.ndarray:
        """A positive estimate of the diagonal of the Hessian at ``w``, shape (2 d^2,).

        For the entry ``W[i, j]``: ``d2 loss / dW_ij^2`` (``S[i, i]`` for l2)
        ``+ (rho h + alpha) * 2 exp(W o W)[j, i] + rho * (dh / dW_ij)^2``, the
        last two from ``alpha h + rho/2 h^2`` (the term of ``d2 h / dW_ij^2`` that
        is quadratic in ``W_ij`` is left out). ``W_pos`` and ``W_neg`` share it.
        """
        W = self.adj(w)
        A = W * W
        with np.errstate(over="ignore", invalid="ignore"):
            if A.sum(axis=0).max() <= _SAFE_NORM:
                E = _expm(A)
                h = float(E.trace()) - self.d
            else:  # only a scaling is needed here: cap what does not fit
                M, log_scale = _expm_minus_identity_scaled(A)
                E = np.eye(self.d) + math.exp(min(log_scale, 650.0)) * M
                h = min(math.exp(min(log_scale, 650.0)) * float(np.trace(M)), _H_LARGE)
            if self.loss == "l2":
                H_loss = np.broadcast_to(np.diag(self.S)[:, None], (self.d, self.d))
            else:
                P = expit(self.X @ W)
                H_loss = (self.X**2).T @ (P * (1.0 - P)) / self.n
            H = H_loss + (rho * h + alpha) * 2.0 * E.T + rho * (2.0 * W * E.T) ** 2
            H = np.nan_to_num(H, nan=1.0, posinf=1e300)
        H = np.maximum(H, 1e-12)
        return np.tile(H.ravel(), 2)

    def scaled(self, u: np.ndarray, rho: float, alpha: float, scale: np.ndarray) -> tuple[float, np.ndarray]:
        """The objective in the variables ``u = w / scale``: ``F(scale * u)`` and ``scale * grad F``."""
        value, grad = self(scale * u, rho, alpha)
        return value, grad * scale

    def __call__(self, w: np.ndarray, rho: float, alpha: float) -> tuple[float, np.ndarray]:
        self.n_evals += 1
        W = self.adj(w)
        value, G = self.data_loss(W)
        try:
            h, G_h = _acyclicity(W)
        except ValueError:  # a trial point with an astronomically large cycle: reject it
            h = math.inf
        if not h < _H_LARGE:
            # Far outside any sensible region (h > 1e100): a huge finite value makes the
            # line search of L-BFGS-B step back, without inf/NaN arithmetic.
            return _F_LARGE, np.zeros_like(w)
        value += 0.5 * rho * h * h + alpha * h + self.lambda1 * float(w.sum())
        G += (rho * h + alpha) * G_h
        G = G.ravel()
        return value, np.concatenate((G + self.lambda1, self.lambda1 - G))


def notears_objective(w, X, rho: float = 1.0, alpha: float = 0.0, lambda1: float = 0.1, loss: str = "l2"):
    """The augmented Lagrangian of NOTEARS in the split variables, with its gradient.

    ``w = [vec(W_pos), vec(W_neg)]`` (row-major, length ``2 d^2``, all entries
    ``>= 0``), ``W = W_pos - W_neg``, and

    ``F(w) = loss(W; X) + rho/2 h(W)^2 + alpha h(W) + lambda1 * sum(w)``,

    whose gradient is ``[G + lambda1, -G + lambda1]`` with
    ``G = grad loss(W) + (rho h(W) + alpha) grad h(W)``. This is exactly the
    function :func:`notears_linear` hands to L-BFGS-B (``sum(w)`` equals
    ``||W||_1`` at the optimum, where ``W_pos o W_neg = 0``).

    Parameters
    ----------
    w : array_like, shape (2 d^2,)
    X : array_like, shape (n, d)
    rho : float, default 1.0
        Penalty parameter, ``> 0``.
    alpha : float, default 0.0
        Lagrange multiplier.
    lambda1 : float, default 0.1
        L1 weight, ``>= 0``.
    loss : {"l2", "logistic"}

    Returns
    -------
    value : float
    grad : numpy.ndarray, shape (2 d^2,)

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.notears import notears_objective
    >>> X = np.random.default_rng(0).normal(size=(100, 3))
    >>> value, grad = notears_objective(np.zeros(18), X)
    >>> grad.shape, bool(value > 0)
    ((18,), True)
    """
    loss = _check_loss(loss)
    X, _ = _check_data(X, loss)
    rho = check_real(rho, "rho", low=0.0, low_open=True)
    alpha = check_real(alpha, "alpha", low=-math.inf)
    lambda1 = check_real(lambda1, "lambda1", low=0.0)
    d = X.shape[1]
    w = np.asarray(w, dtype=np.float64)
    if w.shape != (2 * d * d,) or not np.all(np.isfinite(w)):
        raise ValueError(f"w must be a finite vector of length 2 d^2 = {2 * d * d}, got shape {w.shape}.")
    return _Objective(X, loss, lambda1)(w, rho, alpha)


# ---------------------------------------------------------------------------
# notears_linear
# ---------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class NotearsHistory:
    """One record per outer (dual ascent) iteration of :func:`notears_linear` (its ``history``).

    Attributes
    ----------
    h : numpy.ndarray, shape (T,)
        ``h(W)`` at the accepted solution of each outer iteration.
    rho : numpy.ndarray, shape (T,)
        The penalty at the end of the iteration, the one that found the solution
        (and updates ``alpha``); it is 10 times larger only when the iteration
        ended because ``rho`` reached ``rho_max``.
    alpha : numpy.ndarray, shape (T,)
        The multiplier after its update ``alpha += rho * h`` (the one the next iteration uses).
    loss : numpy.ndarray, shape (T,)
        The data term ``loss(W; X)`` at that solution.
    l1 : numpy.ndarray, shape (T,)
        ``lambda1 * ||W||_1`` at that solution.
    n_evals : numpy.ndarray of int, shape (T,)
        Objective evaluations spent in that iteration, rejected solves (``rho`` too small) included.
    W : numpy.ndarray, shape (T, d, d)
        The solutions before thresholding.
    h_tol : float
        The tolerance the run aimed at; ``converged`` is ``h[-1] <= h_tol``.

    Examples
    --------
    >>> from gcbook.simulate import random_dag, dag_weights, linear_sem
    >>> from gcbook.notears import notears_linear
    >>> X = linear_sem(dag_weights(random_dag(4, 4, seed=0), seed=1), n=300, seed=2)
    >>> history = notears_linear(X).history
    >>> bool(history.converged), bool(history.h[-1] <= 1e-8), history.W.shape[1:]
    (True, True, (4, 4))
    >>> axes = history.plot()    # h, rho and the loss against the outer iteration
    """

    h: np.ndarray
    rho: np.ndarray
    alpha: np.ndarray
    loss: np.ndarray
    l1: np.ndarray
    n_evals: np.ndarray
    W: np.ndarray
    h_tol: float

    @property
    def converged(self) -> bool:
        """Whether the last ``h`` reached ``h_tol``."""
        return bool(self.h[-1] <= self.h_tol)

    def plot(self, axes=None):
        """Three panels over the outer iterations: ``h`` (log), ``rho`` (log) and the loss; returns the axes."""
        import matplotlib.pyplot as plt

        from gcbook.plotting import METHOD_COLORS, PALETTE

        if axes is None:
            _, axes = plt.subplots(1, 3, figsize=(10, 3), layout="constrained")
        it = np.arange(1, self.h.size + 1)
        axes[0].semilogy(it, np.maximum(self.h, 1e-300), marker="o", color=METHOD_COLORS[0])
        axes[0].axhline(self.h_tol, color=PALETTE["neutral"], linestyle="--", label="h_tol")
        axes[0].set(xlabel="outer iteration", ylabel="h(W)", title="acyclicity h(W)")
        axes[0].legend(frameon=False)
        axes[1].semilogy(it, self.rho, marker="o", color=METHOD_COLORS[0])
        axes[1].set(xlabel="outer iteration", ylabel=r"$\rho$", title=r"penalty $\rho$")
        axes[2].plot(it, self.loss, marker="o", color=METHOD_COLORS[0], label="loss")
        axes[2].plot(it, self.loss + self.l1, marker="s", color=METHOD_COLORS[1], label=r"loss + $\lambda_1\|W\|_1$")
        axes[2].set(xlabel="outer iteration", ylabel="value", title="data fit")
        axes[2].legend(frameon=False)
        return axes

    def __repr__(self) -> str:
        return (
            f"NotearsHistory({self.h.size} outer iterations, final h={self.h[-1]:.2e} "
            f"({'converged' if self.converged else 'not converged'}, h_tol={self.h_tol:g}), "
            f"rho={self.rho[-1]:.0e}, {int(self.n_evals.sum())} objective evaluations)"
        )


@dataclass(frozen=True, repr=False, eq=False)
class DAGResult(GraphResult):
    """A weighted DAG learned from i.i.d. samples: what :func:`notears_linear` and :func:`sortnregress` return.

    The result shape of every structure-learning method of the package (see
    :ref:`ref-result-shape`): ``scores``, ``adjacency(...)``, ``labels``, ``method``,
    ``to_frame()`` and ``plot()``. There are no lags (``scores_by_lag`` is None).

    Attributes
    ----------
    W : numpy.ndarray of float64, shape (d, d)
        The estimated weighted adjacency matrix, thresholded: ``W[i, j] != 0`` means
        ``i -> j`` (the cause is the row), ``W[i, j]`` is the weight of that edge in the
        linear SEM; the diagonal is 0.
    method : str
        ``"notears"`` or ``"sortnregress"``.
    labels : tuple of str
        The variable names: a DataFrame's columns, else ``x0, x1, ...``.
    history : NotearsHistory or None
        The outer iterations of NOTEARS (:class:`NotearsHistory`); None for
        ``sortnregress``, which does not iterate.

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.notears import notears_linear
    >>> rng = np.random.default_rng(0)
    >>> x0 = rng.normal(size=1000)
    >>> x1 = -2.0 * x0 + rng.normal(size=1000)          # x0 -> x1
    >>> res = notears_linear(np.c_[x0, x1])
    >>> res.adjacency().tolist(), res.converged
    ([[0, 1], [0, 0]], True)
    >>> print(res.scores.round(1))                        # |W|, shrunk a little by the l1 term
    [[0.  1.8]
     [0.  0. ]]
    >>> res.to_frame().round(1)                           # one row per ordered pair, the signed weight
      cause effect  score  edge  weight
    0    x0     x1    1.8     1    -1.8
    1    x1     x0    0.0     0     0.0
    """

    W: np.ndarray
    method: str
    labels: tuple = field(default=())
    history: NotearsHistory | None = None

    def __post_init__(self):
        object.__setattr__(self, "labels", default_labels(np.shape(self.W)[0], self.labels))

    @property
    def scores(self) -> np.ndarray:
        """``|W|``, shape (d, d): the size of each edge's weight (0 off the graph)."""
        return np.abs(self.W)

    @property
    def scores_by_lag(self) -> None:
        """None: a DAG among i.i.d. variables has no lags."""
        return None

    @property
    def converged(self) -> bool | None:
        """Whether NOTEARS reached ``h(W) <= h_tol`` (:attr:`NotearsHistory.converged`); None for sortnregress."""
        return None if self.history is None else self.history.converged

    def adjacency(self, threshold: float | None = None) -> np.ndarray:
        """The graph, ``A[i, j] = 1`` for ``i -> j``.

        Parameters
        ----------
        threshold : float, optional
            None (default): the method's own graph, ``W != 0`` (for NOTEARS, after its
            ``w_threshold``). A number ``>= 0``: the edges with ``|W| >= threshold``, a
            stricter cut of the same weights (it cannot add edges the method's own
            threshold removed; refit with a lower ``w_threshold`` for that).

        Returns
        -------
        numpy.ndarray of int, shape (d, d)
        """
        if threshold is None:
            return (self.W != 0).astype(int)
        threshold = check_real(threshold, "threshold", low=0.0)
        return ((self.W != 0) & (np.abs(self.W) >= threshold)).astype(int)

    def _frame_columns(self) -> dict:
        return {"weight": self.W}

    def _array_hint(self) -> str:
        return "result.W"

    def __repr__(self) -> str:
        n_edges = int(np.count_nonzero(self.W))
        state = ""
        if self.history is not None:
            state = ", converged" if self.converged else ", not converged"
        return f"DAGResult({self.method}, p={self.p}, {n_edges} edges{state})"


def make_acyclic(W) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Remove the weakest edge of a directed cycle, repeatedly, until the graph is a DAG.

    While a cycle remains (found with :func:`networkx.find_cycle`), the edge of
    smallest ``|W[i, j]|`` on it is set to 0. Only edges that lie on a cycle are
    ever removed; a DAG comes back unchanged.

    Parameters
    ----------
    W : array_like, shape (d, d)
        Weighted adjacency matrix, ``W[i, j] != 0`` means ``i -> j``. A nonzero
        diagonal entry is a self-loop, a cycle of length one.

    Returns
    -------
    W_dag : numpy.ndarray, shape (d, d)
        A copy of ``W`` with the removed edges set to 0.
    removed : list of (int, int)
        The removed edges ``(i, j)``, in the order of removal.

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.notears import make_acyclic
    >>> W = np.array([[0.0, 1.0, 0.0],
    ...               [0.0, 0.0, 2.0],
    ...               [0.4, 0.0, 0.0]])    # 0 -> 1 -> 2 -> 0
    >>> W_dag, removed = make_acyclic(W)
    >>> removed
    [(2, 0)]
    """
    W = check_square_matrix(W, name="W").copy()
    G = nx.from_numpy_array((W != 0).astype(np.int64), create_using=nx.DiGraph)
    removed = []
    while True:
        try:
            cycle = nx.find_cycle(G)
        except nx.NetworkXNoCycle:
            return W, removed
        i, j = min(((u, v) for u, v in cycle), key=lambda e: (abs(W[e]), e))
        W[i, j] = 0.0
        G.remove_edge(i, j)
        removed.append((int(i), int(j)))


def _single_threaded_blas():
    """Limit BLAS to one thread inside a ``with`` block (a no-op without threadpoolctl).

    NOTEARS multiplies ``(d, d)`` matrices tens of thousands of times; for such
    sizes extra BLAS threads never help, and when another process keeps the
    cores busy they make each product many times slower.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


# L-BFGS-B defaults of scipy.optimize.minimize(method="L-BFGS-B"), used unchanged.
_LBFGSB_OPTIONS = {
    "maxcor": 10,
    "ftol": 2.2204460492503131e-09,
    "gtol": 1e-5,
    "maxfun": 15000,
    "maxiter": 15000,
    "maxls": 20,
}


def _lbfgsb_direct(fun, x0, args, lower, upper):
    """SciPy's L-BFGS-B routine driven without the generic ``minimize`` layers; returns ``x``.

    The same loop as ``scipy.optimize._lbfgsb_py._minimize_lbfgsb`` (SciPy >= 1.15) around the
    same compiled ``setulb``, with the same defaults, so the iterates are bit for bit those of
    ``scipy.optimize.minimize(fun, x0, args, method="L-BFGS-B", jac=True, bounds=...)``; only the
    per-evaluation bookkeeping of ``ScalarFunction`` (copies, caches, array-API checks) is left
    out. :func:`_lbfgsb` checks this equality once per process and otherwise calls ``minimize``.
    """
    from scipy.optimize import _lbfgsb

    opts = _LBFGSB_OPTIONS
    m, n = opts["maxcor"], x0.size
    has_lower, has_upper = np.isfinite(lower), np.isfinite(upper)
    nbd = np.where(has_lower & has_upper, 2, np.where(has_lower, 1, np.where(has_upper, 3, 0))).astype(np.int32)
    low_bnd = np.where(has_lower, lower, 0.0)
    upper_bnd = np.where(has_upper, upper, 0.0)
    x = np.array(np.clip(x0, lower, upper), dtype=np.float64)
    last_x = x.copy()
    fx, gx = fun(last_x.copy(), *args)  # minimize evaluates at x0 once, before the loop
    n_evals = 1
    f, g = np.array(0.0), np.zeros(n)
    wa = np.zeros(2 * m * n + 5 * n + 11 * m * m + 8 * m)
    iwa = np.zeros(3 * n, np.int32)
    task, ln_task = np.zeros(2, np.int32), np.zeros(2, np.int32)
    lsave, isave, dsave = np.zeros(4, np.int32), np.zeros(44, np.int32), np.zeros(29)
    factr = opts["ftol"] / np.finfo(float).eps
    n_iter = 0
    while True:
        g = g.astype(np.float64)
        _lbfgsb.setulb(
            m,
            x,
            low_bnd,
            upper_bnd,
            nbd,
            f,
            g,
            factr,
            opts["gtol"],
            wa,
            iwa,
            task,
            lsave,
            isave,
            dsave,
            opts["maxls"],
            ln_task,
        )
        if task[0] == 3:  # f and g wanted at x
            if not np.array_equal(x, last_x):
                last_x = x.copy()
                fx, gx = fun(last_x.copy(), *args)
                n_evals += 1
            f, g = fx, gx
        elif task[0] == 1:  # a new iterate
            n_iter += 1
            if n_iter >= opts["maxiter"]:
                task[0], task[1] = 5, 504
            elif n_evals > opts["maxfun"]:
                task[0], task[1] = 5, 502
        else:
            return x


def _lbfgsb_minimize(fun, x0, args, bounds):
    return scipy.optimize.minimize(
        fun, x0, args=args, method="L-BFGS-B", jac=True, bounds=bounds, options=dict(_LBFGSB_OPTIONS)
    ).x


_DIRECT_LBFGSB_OK = None


def _direct_lbfgsb_ok() -> bool:
    """Whether :func:`_lbfgsb_direct` reproduces ``scipy.optimize.minimize`` here (checked once per process)."""
    global _DIRECT_LBFGSB_OK
    if _DIRECT_LBFGSB_OK is None:
        rng = np.random.default_rng(0)
        X = rng.normal(size=(50, 3)) @ np.triu(rng.uniform(0.5, 1.5, (3, 3)))
        fun = _Objective(X, "l2", 0.1)
        x0 = np.zeros(18)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                direct = _lbfgsb_direct(fun, x0, (10.0, 0.5), fun.bounds.lb, fun.bounds.ub)
            _DIRECT_LBFGSB_OK = bool(np.array_equal(direct, _lbfgsb_minimize(fun, x0, (10.0, 0.5), fun.bounds)))
        except Exception:  # noqa: BLE001 - any change in SciPy's private routine: use the public path
            _DIRECT_LBFGSB_OK = False
    return _DIRECT_LBFGSB_OK


def _lbfgsb(fun, x0, args, bounds) -> np.ndarray:
    """Minimize ``fun(x, *args) -> (value, grad)`` within ``bounds`` with SciPy's L-BFGS-B (default options)."""
    if _direct_lbfgsb_ok():
        return _lbfgsb_direct(fun, x0, args, bounds.lb, bounds.ub)
    return _lbfgsb_minimize(fun, x0, args, bounds)


def _solve_subproblem(fun: _Objective, w0: np.ndarray, rho: float, alpha: float, precondition: bool) -> np.ndarray:
    """Minimize the augmented Lagrangian for fixed ``rho``, ``alpha`` from ``w0`` with L-BFGS-B."""
    if not precondition:
        return _lbfgsb(fun, w0, (rho, alpha), fun.bounds)
    scale = 1.0 / np.sqrt(fun.curvature(w0, rho, alpha))
    return _lbfgsb(fun.scaled, w0 / scale, (rho, alpha, scale), fun.bounds) * scale


def _augmented_lagrangian(fun: _Objective, max_iter: int, h_tol: float, rho_max: float, precondition: bool):
    """The dual ascent loop of NOTEARS.

    Returns the unthresholded ``W``, its ``h`` and one record per outer iteration.
    """
    d = fun.d
    w_est, rho, alpha, h = np.zeros(2 * d * d), 1.0, 0.0, math.inf
    records = []
    for _ in range(max_iter):
        evals_before = fun.n_evals
        while rho < rho_max:
            w_new = _solve_subproblem(fun, w_est, rho, alpha, precondition)
            h_new, _ = _acyclicity(fun.adj(w_new))
            if h_new > 0.25 * h:
                rho *= 10
            else:
                break
        w_est, h = w_new, h_new
        alpha += rho * h
        W_it = fun.adj(w_est).copy()
        records.append(
            (
                h,
                rho,
                alpha,
                fun.data_loss(W_it)[0],
                fun.lambda1 * float(np.abs(W_it).sum()),
                fun.n_evals - evals_before,
                W_it,
            )
        )
        if h <= h_tol or rho >= rho_max:
            break
    return fun.adj(w_est).copy(), h, records


def notears_linear(
    X,
    lambda1=0.1,
    loss="l2",
    w_threshold=0.3,
    max_iter=100,
    h_tol=1e-8,
    rho_max=1e16,
    *,
    return_history=False,
    enforce_dag=True,
    precondition=True,
) -> DAGResult:
    """Learn a linear DAG with NOTEARS (Zheng et al., 2018).

    The published algorithm, step for step as in the authors' ``linear.py``:
    start from ``W = 0``, ``rho = 1``, ``alpha = 0``; in each outer iteration
    minimize the augmented Lagrangian (:func:`notears_objective`) with SciPy's
    L-BFGS-B (default options), starting from the previous solution, and
    multiply ``rho`` by 10 and solve again from that same starting point while
    the new ``h`` exceeds a quarter of the previous one (or until
    ``rho >= rho_max``); then ``alpha += rho * h``. Stop once ``h <= h_tol`` or
    ``rho >= rho_max`` (or after ``max_iter`` outer iterations), and set the
    entries with ``|W| < w_threshold`` to 0.

    What is done differently is *how* the numbers are computed, and by
    default the scaling of each subproblem:

    * the l2 loss and its gradient come from the ``(d, d)`` matrix
      ``X^T X / n`` (exact, see :func:`notears_loss`), so an evaluation costs
      the same for any ``n``;
    * one matrix exponential per evaluation serves both ``h`` and its gradient
      (see :func:`acyclicity`);
    * SciPy's compiled L-BFGS-B routine is driven directly, without the
      per-call bookkeeping of :func:`scipy.optimize.minimize`; the iterates are
      bit for bit those of ``minimize`` (checked once per process, with a fall
      back to ``minimize``);
    * BLAS runs single-threaded during the fit: the matrices are tiny, and
      competing threads only slow them down;
    * ``precondition=True`` (default) rescales each subproblem's variables,
      see below; this changes the optimization path, not the problem.

    Parameters
    ----------
    X : array_like or pandas.DataFrame, shape (n, d)
        Samples in rows, variables in columns; ``d >= 2``, ``n >= 3``, finite, no
        constant column. ``n < d`` is accepted (the L1 term keeps the problem
        well posed), but the estimate is then unreliable. Exactly collinear
        columns are accepted too: the l2 loss is then flat along a direction and
        NOTEARS picks one of the equivalent fits (tested: an edge between the two
        columns, a DAG).
    lambda1 : float, default 0.1
        L1 weight, ``>= 0``.
    loss : {"l2", "logistic"}, default "l2"
        Least squares on centred data, or the logistic loss for binary (0/1) data.
    w_threshold : float, default 0.3
        Entries with ``|W| < w_threshold`` are set to 0 at the end; ``>= 0``.
    max_iter : int, default 100
        Maximum number of outer (dual ascent) iterations.
    h_tol : float, default 1e-8
        Stop when ``h(W) <= h_tol``; ``> 0``.
    rho_max : float, default 1e16
        Stop when the penalty reaches ``rho_max``; ``> 1`` (the starting penalty).
    return_history : bool, default False
        Deprecated (removed in gcbook 0.3): ``True`` returns the old pair
        ``(W, history)`` with a :class:`DeprecationWarning`; the result's ``W`` and
        ``history`` are the same.
    enforce_dag : bool, default True
        The guarantee on the output. If the thresholded matrix still has a
        directed cycle (possible when ``h`` did not reach ``h_tol``, and also
        after convergence when ``w_threshold`` is low: ``h <= h_tol`` still
        allows a cycle of small weights), remove the
        weakest edge of each remaining cycle (:func:`make_acyclic`) and emit a
        :class:`UserWarning` naming the removed edges. With ``False`` the cycle
        is kept and the warning says so.
    precondition : bool, default True
        Hand L-BFGS-B each subproblem in diagonally rescaled variables
        ``u = w / s``, ``s = 1 / sqrt(H)``, where for the entry ``W[i, j]``
        ``H = d2 loss / dW_ij^2 + 2 (rho h + alpha) exp(W o W)[j, i] + rho (dh / dW_ij)^2``
        estimates the Hessian's diagonal at the subproblem's starting point
        (Jacobi preconditioning: the same objective, bounds and minimizers).
        The subproblems with large ``rho`` are badly scaled, and this cuts the
        number of L-BFGS-B evaluations 4-7 fold on ER2 graphs with d = 10-20.
        The problem is not convex, so the path can end in a different local
        minimum, and the SHD can come out higher or lower: on the six graphs of
        ``gcbook/data/benchmarks/notears_speed.json`` (ER2, n = 1000, d = 10 and 20)
        it differed from the unpreconditioned fit's on one graph (3 against 2).
        ``False`` follows the reference code's iteration (``notears/linear.py``);
        its arithmetic differs in the last bits, which the nonconvex path can
        amplify: in the recorded run one of the six graphs ends with an SHD
        differing by 1 from the reference code's, and on another machine the
        reference code's own SHD came out differently on one graph. See
        ``benchmarks/notears_speed.py``.

    Returns
    -------
    DAGResult
        ``W`` (float64, shape (d, d)): the estimated weighted adjacency matrix,
        ``W[i, j] != 0`` means ``i -> j``, the diagonal is 0, a DAG when
        ``enforce_dag`` is True; ``history``: the :class:`NotearsHistory` of the outer
        iterations (``converged`` says whether ``h`` reached ``h_tol``);
        ``adjacency()`` is ``W != 0``, ``scores`` is ``|W|``; ``method`` is ``"notears"``.

    Raises
    ------
    ValueError
        For invalid data (NaN/inf, not 2-D, ``d < 2``, fewer than 3 rows, a
        constant column, non-binary data with ``loss="logistic"``) or invalid
        parameters.

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.notears import notears_linear
    >>> rng = np.random.default_rng(0)
    >>> x0 = rng.normal(size=1000)
    >>> x1 = 2.0 * x0 + rng.normal(size=1000)          # x0 -> x1
    >>> res = notears_linear(np.c_[x0, x1])
    >>> print(np.round(res.W, 1))
    [[0. 2.]
     [0. 0.]]
    >>> res.history.converged
    True
    """
    return_history = check_bool(return_history, "return_history")
    enforce_dag = check_bool(enforce_dag, "enforce_dag")
    precondition = check_bool(precondition, "precondition")
    loss = _check_loss(loss)
    X, labels = _check_data(X, loss)
    lambda1 = check_real(lambda1, "lambda1", low=0.0)
    w_threshold = check_real(w_threshold, "w_threshold", low=0.0)
    max_iter = check_int(max_iter, "max_iter", 1)
    h_tol = check_real(h_tol, "h_tol", low=0.0, low_open=True)
    rho_max = check_real(rho_max, "rho_max", low=1.0, low_open=True)

    objective = _Objective(X, loss, lambda1)
    with _single_threaded_blas():
        W, h, records = _augmented_lagrangian(objective, max_iter, h_tol, rho_max, precondition)
    if not np.any(W):
        # W = 0 solves the first subproblem only if no loss gradient there exceeds lambda1 (h and its
        # gradient vanish at 0); otherwise L-BFGS-B failed to move, as it does on data of a huge scale
        gradient = np.abs(objective.data_loss(np.zeros_like(W))[1])
        np.fill_diagonal(gradient, 0.0)
        if gradient.max() > lambda1 * (1 + 1e-6):
            warnings.warn(
                f"NOTEARS returned W = 0, but W = 0 is not a solution: a loss gradient there is "
                f"{gradient.max():.3g} > lambda1 = {lambda1:g}, so L-BFGS-B did not move (the data's scale, "
                f"max sd {X.std(axis=0).max():.3g}, is likely too large). Standardise or rescale X.",
                UserWarning,
                stacklevel=2,
            )
    W[np.abs(W) < w_threshold] = 0.0
    d = W.shape[0]
    W[np.diag_indices(d)] = 0.0
    if not nx.is_directed_acyclic_graph(nx.from_numpy_array((W != 0).astype(np.int64), create_using=nx.DiGraph)):
        if enforce_dag:
            W, removed = make_acyclic(W)
            warnings.warn(
                f"NOTEARS ended with h(W) = {h:.2e} (h_tol = {h_tol:g}) and the thresholded graph had a "
                f"directed cycle; removed the weakest edge of each cycle: {removed}. Raise w_threshold "
                f"{'or max_iter' if h > h_tol else '(the cycle is made of weights too small for h to see)'}, "
                "or check the data's scale.",
                UserWarning,
                stacklevel=2,
            )
        else:
            warnings.warn(
                f"NOTEARS ended with h(W) = {h:.2e} (h_tol = {h_tol:g}) and the thresholded W has a "
                "directed cycle (enforce_dag=False keeps it): it is not a DAG.",
                UserWarning,
                stacklevel=2,
            )
    cols = list(zip(*records))
    history = NotearsHistory(
        h=np.array(cols[0]),
        rho=np.array(cols[1]),
        alpha=np.array(cols[2]),
        loss=np.array(cols[3]),
        l1=np.array(cols[4]),
        n_evals=np.array(cols[5], dtype=np.int64),
        W=np.array(cols[6]),
        h_tol=h_tol,
    )
    if return_history:
        warn_deprecated(
            "notears_linear(..., return_history=True)", "use res = notears_linear(...) and res.W, res.history"
        )
        return W, history
    return DAGResult(W=W, method="notears", labels=labels, history=history)


# ---------------------------------------------------------------------------
# sortnregress (Reisach, Seiler and Weichwald, 2021)
# ---------------------------------------------------------------------------


def sortnregress(X) -> DAGResult:
    """The "sortnregress" baseline: order by marginal variance, then sparse regression.

    Reisach, Seiler and Weichwald (2021), "Beware of the simulated DAG!": take
    the variables in order of increasing marginal variance and regress each on
    all variables before it with an adaptive lasso, as in their reference code:
    ordinary least squares gives weights ``|b|``, and
    :class:`sklearn.linear_model.LassoLarsIC` (``criterion="bic"``) fits the
    rescaled predictors. On simulated data whose variance grows along the causal
    order ("varsortability"), this trivial method can rival NOTEARS; after
    standardizing the columns it has nothing left to sort by: variances equal
    to about 9 significant digits count as tied and keep the column order.

    Parameters
    ----------
    X : array_like or pandas.DataFrame, shape (n, d)
        ``n > d`` samples in rows (BIC needs a noise-variance estimate from the
        full regression), finite, no constant column, and no column an exact
        linear combination of the others.

    Returns
    -------
    DAGResult
        ``W`` (float64, shape (d, d)): ``W[i, j] != 0`` means ``i -> j``; a DAG (every
        edge points from lower to higher variance, or between tied variances from the
        earlier column). ``adjacency()`` is ``W != 0``, ``scores`` is ``|W|``,
        ``history`` is None; ``method`` is ``"sortnregress"``.

    Raises
    ------
    ValueError
        For invalid data, ``n <= d``, or exactly collinear columns.

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.notears import sortnregress
    >>> rng = np.random.default_rng(0)
    >>> x0 = rng.normal(size=500)
    >>> x1 = 2.0 * x0 + rng.normal(size=500)          # x0 -> x1, var 1 -> var 5
    >>> print(np.round(sortnregress(np.c_[x0, x1]).W, 1))
    [[0. 2.]
     [0. 0.]]
    """
    from sklearn.linear_model import LassoLarsIC, LinearRegression

    X, labels = _check_data(X)
    n, d = X.shape
    if n <= d:
        raise ValueError(
            f"sortnregress needs more samples than variables (n > d) for BIC's noise-variance estimate, "
            f"got n={n}, d={d}."
        )
    Xc = X - X.mean(axis=0)
    if np.linalg.matrix_rank(Xc) < d:
        raise ValueError(
            "X has exactly collinear columns (one is a linear combination of others); the regressions "
            "are not identified. Drop the redundant columns."
        )
    variance = np.var(X, axis=0)
    if not np.all(np.isfinite(variance)):
        raise ValueError("The variances of X overflow float64; divide X by a large constant first.")
    W = np.zeros((d, d))
    # Variances equal to about 9 significant digits (standardized columns: 1 up to rounding) are
    # ties and keep the column order, so that the last bits of the arithmetic do not choose it.
    increasing = np.argsort(np.round(np.log(variance), 9), kind="stable")
    # scikit-learn's LARS stops at absolute tolerances (a penalty below float32's eps), so data in
    # small units (sd below about 1e-3) would lose every edge. One common power-of-two factor brings
    # the largest sd near 1: exact in floating point, it changes neither the variance order nor (in
    # exact arithmetic) any coefficient, since the OLS weights and the BIC are scale-free.
    X = X * 2.0 ** -np.round(np.log2(np.sqrt(variance.max())))
    for k in range(1, d):  # one regression per target: d - 1 different design matrices
        covariates, target = increasing[:k], increasing[k]
        weight = np.abs(LinearRegression().fit(X[:, covariates], X[:, target]).coef_)
        lasso = LassoLarsIC(criterion="bic").fit(X[:, covariates] * weight, X[:, target])
        W[covariates, target] = lasso.coef_ * weight
    return DAGResult(W=W, method="sortnregress", labels=labels)


# ---------------------------------------------------------------------------
# PC and GES moved to gcbook.baselines (deprecated here, removed in gcbook 0.3)
# ---------------------------------------------------------------------------

_MOVED_TO_BASELINES = ("causallearn_to_adjacency", "run_ges", "run_pc")


def _old_cpdag_function(name: str):
    """``gcbook.baselines.<name>`` returning the CPDAG array, as ``gcbook.notears.<name>`` did."""
    from gcbook import baselines

    new = getattr(baselines, name)

    def old(X, *args, **kwargs):
        return new(X, *args, **kwargs).adjacency()

    old.__name__ = old.__qualname__ = name
    old.__module__ = __name__
    old.__doc__ = (
        f"Deprecated: ``gcbook.baselines.{name}(...).adjacency()``, the CPDAG as an int array of shape (d, d). "
        f"Use :func:`gcbook.baselines.{name}`."
    )
    return old


def __getattr__(name: str):
    # run_pc, run_ges and causallearn_to_adjacency lived here until gcbook 0.2.
    if name in _MOVED_TO_BASELINES:
        if name == "causallearn_to_adjacency":
            instead = "use gcbook.baselines.causallearn_to_adjacency (the same function)"
        else:
            instead = (
                f"use gcbook.baselines.{name}, which returns a CPDAGResult: its .cpdag (or .adjacency()) is the "
                "array this one returns"
            )
        warn_deprecated(f"gcbook.notears.{name}", instead)
        if name == "causallearn_to_adjacency":
            from gcbook.baselines import causallearn_to_adjacency

            return causallearn_to_adjacency
        return _old_cpdag_function(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
