"""Vector autoregressions (VAR) with a known causal graph.

A VAR of order ``lag`` in the book's orientation reads

.. math::

    x_j(t) = c_j + \\sum_{k=1}^{L} \\sum_{i=1}^{p} C[k-1, i, j]\\, x_i(t-k) + \\varepsilon_j(t),

so ``coef[k-1, i, j]`` is the effect of ``x_i(t-k)`` on ``x_j(t)`` (the cause is
the row, as everywhere in :mod:`gcbook`). In matrix form, with ``x(t)`` a row
vector, ``x(t) = c + sum_k x(t-k) @ coef[k-1] + e(t)``.

Public functions
----------------
:func:`var`
    Random sparse stable VAR and its ground-truth graph (a :class:`SimulatedSeries`
    that unpacks as ``X, A`` and carries the coefficients as ``coef``).
:func:`var_from_coef`
    Simulate a VAR from given coefficients (the one simulation loop of this module).
:func:`confounded_var`
    Two observed series driven by a hidden common cause, at different delays.
:func:`companion_matrix`, :func:`spectral_radius`
    Stability of a VAR.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from gcbook._utils import warn_deprecated
from gcbook._validation import check_int, check_lag, check_per_variable, check_random_state, check_real
from gcbook.simulate._series import SimulatedSeries

__all__ = ["companion_matrix", "confounded_var", "spectral_radius", "var", "var_from_coef"]


# ----------------------------------------------------------------------------- checks
def _check_coef(coef) -> np.ndarray:
    """Return ``coef`` as a finite float array of shape (lag, p, p) or raise a ValueError."""
    try:
        arr = np.array(coef, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"coef must be a numeric array of shape (lag, p, p); could not convert it: {exc}") from exc
    if arr.ndim == 2:
        raise ValueError(
            f"coef must be 3-D with shape (lag, p, p), got 2-D shape {arr.shape}; "
            "for a VAR(1) pass coef[None] (shape (1, p, p))."
        )
    if arr.ndim != 3 or arr.shape[1] != arr.shape[2]:
        raise ValueError(
            "coef must have shape (lag, p, p) with coef[k-1, i, j] the effect of x_i(t-k) on x_j(t), "
            f"got shape {arr.shape}."
        )
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"coef must have at least one lag and one variable, got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError("coef contains NaN or inf; every coefficient must be a finite number.")
    return arr


# ----------------------------------------------------------------------------- stability
def companion_matrix(coef) -> np.ndarray:
    """Companion matrix of a VAR, whose eigenvalues decide its stability.

    Writes the VAR(L) ``x(t) = sum_k x(t-k) @ coef[k-1] + e(t)`` as a VAR(1) in the
    stacked state ``s(t) = [x(t), x(t-1), ..., x(t-L+1)]`` (a column vector of
    length ``p * L``): ``s(t) = M s(t-1) + [e(t), 0, ..., 0]``.

    Parameters
    ----------
    coef : array_like, shape (lag, p, p)
        ``coef[k-1, i, j]`` is the effect of ``x_i(t-k)`` on ``x_j(t)`` (cause is the row).

    Returns
    -------
    M : numpy.ndarray, shape (p * lag, p * lag)
        Top block row ``[coef[0].T, coef[1].T, ..., coef[lag-1].T]`` (the transposes
        turn our row-cause orientation into the usual column-vector form), identity
        blocks on the first block sub-diagonal, zeros elsewhere.

    Examples
    --------
    >>> import numpy as np
    >>> coef = np.array([[[0.5, 0.2], [0.0, 0.3]], [[0.1, 0.0], [0.0, 0.0]]])
    >>> companion_matrix(coef)
    array([[0.5, 0. , 0.1, 0. ],
           [0.2, 0.3, 0. , 0. ],
           [1. , 0. , 0. , 0. ],
           [0. , 1. , 0. , 0. ]])
    """
    coef = _check_coef(coef)
    lag, p, _ = coef.shape
    M = np.zeros((p * lag, p * lag))
    M[:p, :] = np.transpose(coef, (2, 0, 1)).reshape(p, lag * p)  # [coef[0].T, ..., coef[L-1].T]
    M[p:, : p * (lag - 1)] = np.eye(p * (lag - 1))
    return M


def spectral_radius(coef) -> float:
    """Largest eigenvalue modulus of the VAR's companion matrix.

    The VAR is stable (stationary) if and only if this is ``< 1``.

    Parameters
    ----------
    coef : array_like, shape (lag, p, p)
        ``coef[k-1, i, j]`` is the effect of ``x_i(t-k)`` on ``x_j(t)``.

    Returns
    -------
    float
        ``max |eig(companion_matrix(coef))|``.

    Examples
    --------
    >>> import numpy as np
    >>> print(round(spectral_radius(np.array([[[0.5, 0.0], [0.0, 0.25]]])), 4))
    0.5
    >>> print(round(spectral_radius(np.array([[[1.0]], [[0.5]]])), 4))  # x(t) = x(t-1) + 0.5 x(t-2)
    1.366
    """
    return float(np.max(np.abs(np.linalg.eigvals(companion_matrix(coef)))))


# ----------------------------------------------------------------------------- simulation
def var_from_coef(coef, T, noise_std=1.0, intercept=None, burn_in=500, seed=None) -> np.ndarray:
    """Simulate a stable VAR from given coefficients.

    ``x(t) = intercept + sum_{k=1}^{lag} x(t-k) @ coef[k-1] + e(t)`` with
    ``e(t) ~ N(0, diag(noise_std**2))`` independent over time. The recursion starts at
    the stationary mean ``mu = intercept @ inv(I - sum_k coef[k-1])``; the first
    ``burn_in`` steps are discarded so that the returned series is (close to)
    stationary. With spectral radius ``r`` the start is forgotten like ``r**burn_in``.

    Parameters
    ----------
    coef : array_like, shape (lag, p, p)
        ``coef[k-1, i, j]`` is the effect of ``x_i(t-k)`` on ``x_j(t)`` (cause is the row).
    T : int
        Number of time points returned, ``T >= 1``.
    noise_std : float or array_like of shape (p,), default 1.0
        Standard deviation of the Gaussian innovations, one value for all variables or
        one per variable; must be > 0.
    intercept : None or array_like of shape (p,), default None
        Constant ``c`` in each equation (``None`` means zero).
    burn_in : int, default 500
        Number of initial steps simulated and discarded, ``>= 0``.
    seed : None, int or numpy.random.Generator
        Source of randomness; the global NumPy state is never used.

    Returns
    -------
    X : numpy.ndarray of float64, shape (T, p)
        Rows are time, columns are variables.

    Raises
    ------
    ValueError
        If ``coef`` is not a finite (lag, p, p) array, if the VAR is not stable
        (spectral radius of the companion matrix ``>= 1``), or if any other argument
        is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> coef = np.array([[[0.5, 0.4], [0.0, 0.5]]])  # x0 -> x1 at lag 1, plus self-loops
    >>> X = var_from_coef(coef, T=1000, seed=0)
    >>> X.shape
    (1000, 2)
    >>> try:
    ...     var_from_coef(2 * coef, T=10)
    ... except ValueError as error:
    ...     print(error)
    The VAR is not stable: the spectral radius of its companion matrix is 1 >= 1...
    """
    coef = _check_coef(coef)
    lag, p, _ = coef.shape
    T = check_int(T, "T", 1)
    burn_in = check_int(burn_in, "burn_in", 0)
    sd = check_per_variable(noise_std, p, "noise_std", positive=True)
    c = np.zeros(p) if intercept is None else check_per_variable(intercept, p, "intercept", positive=False)
    rho = spectral_radius(coef)
    if not rho < 1.0:
        raise ValueError(
            f"The VAR is not stable: the spectral radius of its companion matrix is {rho:.6g} >= 1, "
            "so the series would explode. Shrink the coefficients (e.g. multiply coef by a factor < 1)."
        )
    rng = check_random_state(seed)

    n = burn_in + T
    mu = np.linalg.solve((np.eye(p) - coef.sum(axis=0)).T, c)  # stationary mean (row form: mu = c + mu @ sum_k C_k)
    # Stacked coefficients: row (k-1)*p + i of `stacked` is coef[k-1, i, :], so that
    # [x(t-1), ..., x(t-lag)] (flattened) @ stacked = sum_k x(t-k) @ coef[k-1].
    stacked = coef.reshape(lag * p, p)
    drive = c + rng.standard_normal((n, p)) * sd  # intercept + innovations for every step
    x = np.empty((lag + n, p))
    x[:lag] = mu
    for t in range(lag, lag + n):  # the recursion is sequential in time; everything else is vectorized
        x[t] = x[t - lag : t][::-1].reshape(-1) @ stacked + drive[t - lag]
    return x[lag + burn_in :].copy()


def _draw_coefficients(A: np.ndarray, lag: int, rng: np.random.Generator) -> np.ndarray:
    """Random signs and magnitudes in [0.5, 1] on the support of ``A``, for every lag."""
    p = A.shape[0]
    signs = rng.choice(np.array([-1.0, 1.0]), size=(lag, p, p))
    magnitudes = rng.uniform(0.5, 1.0, size=(lag, p, p))
    return signs * magnitudes * A[None, :, :]


def _rescale_to_radius(coef: np.ndarray, radius: float) -> np.ndarray:
    """Multiply all coefficients by one factor so that the companion's spectral radius is ``radius``."""

    def gap(scale):
        return spectral_radius(scale * coef) - radius

    high = 1.0
    for _ in range(64):
        if gap(high) > 0:
            break
        high *= 2.0
    else:  # pragma: no cover - would need an all-zero or nilpotent draw
        raise RuntimeError("Could not rescale the VAR coefficients: their spectral radius stays at 0.")
    scale = brentq(gap, 0.0, high, xtol=1e-14, rtol=1e-14)
    return scale * coef


def var(p, T, lag=3, sparsity=0.2, seed=None, noise_std=1.0, burn_in=500, return_coef=False, radius=0.9):
    """Simulate a random sparse, stable VAR with a known Granger-causal graph.

    Off-diagonal edges ``i -> j`` are drawn independently with probability
    ``sparsity``; every variable also depends on its own past (self-loops). On every
    true edge and for every lag ``k = 1..lag`` the coefficient is a random sign times
    a magnitude uniform in [0.5, 1]; then *all* coefficients are multiplied by one
    common factor so that the spectral radius of the companion matrix is exactly
    ``radius`` (default 0.9). The factor depends on the draw: for ``p=10, lag=3,
    sparsity=0.2`` typical magnitudes end up around 0.1 to 0.3. The series is then
    simulated by :func:`var_from_coef`.

    Parameters
    ----------
    p : int
        Number of variables, ``p >= 2``.
    T : int
        Number of time points returned, ``T >= 1``.
    lag : int, default 3
        Order of the VAR (maximum delay), ``lag >= 1``.
    sparsity : float in [0, 1], default 0.2
        Probability of each off-diagonal edge (despite the name, larger means denser).
    seed : None, int or numpy.random.Generator
        Source of randomness; the global NumPy state is never used.
    noise_std : float, default 1.0
        Standard deviation of the Gaussian innovations, > 0.
    burn_in : int, default 500
        Number of initial steps discarded, ``>= 0``.
    return_coef : bool, default False
        Deprecated (removed in gcbook 0.3): ``True`` returns the plain tuple
        ``(X, A, coef)``, with a :class:`DeprecationWarning`. Use the ``coef`` attribute.
    radius : float in (0, 1), default 0.9
        Spectral radius of the companion matrix after rescaling (closer to 1 means
        more persistent series).

    Returns
    -------
    SimulatedSeries
        Unpacks as ``X, A = var(...)``; its attributes:

        ``X`` : numpy.ndarray of float64, shape (T, p)
            The simulated series; rows are time.
        ``A`` : numpy.ndarray of int64, shape (p, p)
            Ground truth, ``A[i, j] = 1`` iff ``x_i(t-k)`` enters ``x_j(t)`` for some
            ``k`` (``i -> j``). The diagonal is 1.
        ``coef`` : numpy.ndarray of float64, shape (lag, p, p)
            ``coef[k-1, i, j]`` is the effect of ``x_i(t-k)`` on ``x_j(t)``; it is
            nonzero for every lag exactly where ``A == 1``. The layout of statsmodels'
            ``coefs``, which :func:`var_from_coef` and :mod:`gcbook.spectral` take as input.
        ``coef_by_lag`` : numpy.ndarray of float64, shape (p, p, lag)
            The same with the lag axis last, ``coef_by_lag[i, j, k-1] = coef[k-1, i, j]``,
            the layout of every array indexed by (cause, effect, lag).
        ``driver`` : None
            No hidden variable here (see :func:`confounded_var`).

    Raises
    ------
    ValueError
        If an argument is out of range.
    RuntimeError
        If the rescaled VAR is not stable (should never happen).

    Examples
    --------
    >>> X, A = var(p=4, T=200, lag=2, sparsity=0.3, seed=1)
    >>> X.shape, A.shape
    ((200, 4), (4, 4))
    >>> sim = var(p=4, T=200, lag=2, sparsity=0.3, seed=1)
    >>> sim.coef.shape, sim.coef_by_lag.shape
    ((2, 4, 4), (4, 4, 2))
    >>> print(round(spectral_radius(sim.coef), 6))
    0.9
    >>> bool(((sim.coef != 0).any(axis=0) == (sim.A == 1)).all())
    True
    """
    p = check_int(p, "p", 2)
    T = check_int(T, "T", 1)
    lag = check_lag(lag)
    sparsity = check_real(sparsity, "sparsity", low=0.0, high=1.0)
    noise_std = check_real(noise_std, "noise_std", low=0.0, low_open=True)
    burn_in = check_int(burn_in, "burn_in", 0)
    radius = check_real(radius, "radius", low=0.0, high=1.0, low_open=True, high_open=True)
    if not isinstance(return_coef, (bool, np.bool_)):
        raise ValueError(f"return_coef must be True or False, got {return_coef!r}.")
    rng = check_random_state(seed)

    A = (rng.random((p, p)) < sparsity).astype(np.int64)
    np.fill_diagonal(A, 1)
    coef = _rescale_to_radius(_draw_coefficients(A, lag, rng), radius)
    rho = spectral_radius(coef)
    if not (rho < 1.0 and abs(rho - radius) < 1e-8):
        raise RuntimeError(f"Rescaling failed: spectral radius {rho} instead of {radius}; please report this bug.")
    X = var_from_coef(coef, T, noise_std=noise_std, burn_in=burn_in, seed=rng)
    if return_coef:
        warn_deprecated(
            "var(..., return_coef=True)", "use sim = var(...) and sim.coef (lag, p, p) or sim.coef_by_lag (p, p, lag)"
        )
        return X, A, coef
    return SimulatedSeries(X, A, coef=coef)


def confounded_var(T, strength=0.8, delays=(1, 3), seed=None, noise_std=1.0, return_driver=False):
    """Two observed series driven by a hidden common cause at different delays.

    The hidden driver is ``z(t) = 0.8 z(t-1) + e_z(t)`` and the observed series are

    .. code-block:: text

        x0(t) = 0.5 x0(t-1) + strength * z(t - delays[0]) + e_0(t)
        x1(t) = 0.5 x1(t-1) + strength * z(t - delays[1]) + e_1(t)

    with independent Gaussian innovations of standard deviation ``noise_std``.
    Neither observed series causes the other, yet when ``delays[0] < delays[1]`` the
    past of ``x0`` carries news about ``z`` that reaches ``x1`` only later, so a
    pairwise Granger test (which cannot see ``z``) finds a spurious ``x0 -> x1`` once the
    series are long enough for its power.
    The three-variable system ``(x0, x1, z)`` is simulated with :func:`var_from_coef`;
    it is always stable (its companion eigenvalues are 0.5, 0.5, 0.8 and zeros).

    Parameters
    ----------
    T : int
        Number of time points returned, ``T >= 1``.
    strength : float, default 0.8
        Effect of the driver on each observed series.
    delays : tuple of two ints >= 1, default (1, 3)
        Delays with which ``z`` reaches ``x0`` and ``x1``. Equal delays give no
        spurious lagged link (only contemporaneous correlation).
    seed : None, int or numpy.random.Generator
        Source of randomness; the global NumPy state is never used.
    noise_std : float, default 1.0
        Standard deviation of all three innovations, > 0.
    return_driver : bool, default False
        Deprecated (removed in gcbook 0.3): ``True`` returns the plain tuple
        ``(X, A, z)``, with a :class:`DeprecationWarning`. Use the ``driver`` attribute.

    Returns
    -------
    SimulatedSeries
        Unpacks as ``X, A = confounded_var(...)``; its attributes:

        ``X`` : numpy.ndarray of float64, shape (T, 2)
            Columns ``x0`` and ``x1``.
        ``A`` : numpy.ndarray of int64, shape (2, 2)
            Truth among the observed variables: the identity (self-loops only, no
            cross edges).
        ``driver`` : numpy.ndarray of float64, shape (T,)
            The hidden driver ``z``, aligned in time with ``X``.
        ``coef``, ``coef_by_lag`` : None
            (The coefficients are fixed, not drawn; they are those of the equations above.)

    Examples
    --------
    >>> sim = confounded_var(T=500, seed=0)
    >>> sim.X.shape, sim.driver.shape
    ((500, 2), (500,))
    >>> X, A = sim
    >>> A
    array([[1, 0],
           [0, 1]])
    """
    T = check_int(T, "T", 1)
    strength = check_real(strength, "strength")
    noise_std = check_real(noise_std, "noise_std", low=0.0, low_open=True)
    try:
        d0, d1 = delays
    except (TypeError, ValueError) as exc:
        raise ValueError(f"delays must be a pair of ints (delay to x0, delay to x1), got {delays!r}.") from exc
    d0 = check_int(d0, "delays[0]", 1)
    d1 = check_int(d1, "delays[1]", 1)
    if not isinstance(return_driver, (bool, np.bool_)):
        raise ValueError(f"return_driver must be True or False, got {return_driver!r}.")

    lag = max(d0, d1)
    coef = np.zeros((lag, 3, 3))  # variables: 0 = x0, 1 = x1, 2 = z (hidden)
    coef[0, 0, 0] = 0.5
    coef[0, 1, 1] = 0.5
    coef[0, 2, 2] = 0.8
    coef[d0 - 1, 2, 0] = strength
    coef[d1 - 1, 2, 1] = strength
    full = var_from_coef(coef, T, noise_std=noise_std, seed=seed)
    X = np.ascontiguousarray(full[:, :2])
    A = np.eye(2, dtype=np.int64)
    driver = full[:, 2].copy()
    if return_driver:
        warn_deprecated("confounded_var(..., return_driver=True)", "use sim = confounded_var(...) and sim.driver")
        return X, A, driver
    return SimulatedSeries(X, A, driver=driver)
