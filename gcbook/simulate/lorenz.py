"""The Lorenz-96 system: a chaotic nonlinear benchmark with a known causal graph.

.. math::

    \\frac{dx_i}{dt} = (x_{i+1} - x_{i-2})\\, x_{i-1} - x_i + F, \\qquad i = 0, \\dots, p-1 \\pmod p.

Variable ``x_i`` therefore enters the equations of ``x_{i-1}``, ``x_i``, ``x_{i+1}``
and ``x_{i+2}``; for ``F`` around 8 or more the dynamics are chaotic.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from gcbook._validation import check_int, check_random_state, check_real
from gcbook.simulate._series import SimulatedSeries

__all__ = ["lorenz96", "lorenz96_rhs", "lorenz96_graph"]

#: Tolerances of the integrator used by :func:`lorenz96` (DOP853, an 8th-order Runge-Kutta).
RTOL = 1e-8
ATOL = 1e-8


def _neighbours(p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Index arrays ``(i+1, i-2, i-1) mod p``, built once with :func:`numpy.roll`."""
    j = np.arange(p)
    return np.roll(j, -1), np.roll(j, 2), np.roll(j, 1)


def _rhs(x: np.ndarray, F: float, neighbours) -> np.ndarray:
    """Lorenz-96 vector field along the last axis, without input checks.

    With ``xt = x.T`` (variables on the first axis), ``xt[plus1][i] = x_{i+1}`` and so
    on; indexing with precomputed rolled indices gives the same numbers as
    ``np.roll(x, -1, axis=-1)`` at a fraction of the cost, which matters because the
    integrator calls this ~10^5 times.
    """
    plus1, minus2, minus1 = neighbours
    xt = x.T
    return ((xt[plus1] - xt[minus2]) * xt[minus1] - xt + F).T


def lorenz96_rhs(x, F=10.0) -> np.ndarray:
    """Right-hand side of the Lorenz-96 equations, vectorized with :func:`numpy.roll`.

    ``dx_i/dt = (x_{i+1} - x_{i-2}) x_{i-1} - x_i + F`` with indices taken mod ``p``.

    Parameters
    ----------
    x : array_like, shape (p,) or (n, p)
        One state, or ``n`` states stacked in rows; ``p >= 4``.
    F : float, default 10.0
        Constant forcing.

    Returns
    -------
    numpy.ndarray of float64, same shape as ``x``
        The time derivative of each state.

    Examples
    --------
    >>> import numpy as np
    >>> lorenz96_rhs(np.full(5, 10.0), F=10.0)  # x = F is a fixed point
    array([0., 0., 0., 0., 0.])
    >>> lorenz96_rhs(np.arange(4.0), F=0.0)
    array([-3., -1.,  1., -5.])
    """
    F = check_real(F, "F")
    try:
        x = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"x must be a numeric array of shape (p,) or (n, p); could not convert it: {exc}") from exc
    if x.ndim not in (1, 2):
        raise ValueError(f"x must have shape (p,) or (n, p), got {x.ndim}-D shape {x.shape}.")
    if x.shape[-1] < 4:
        raise ValueError(
            f"Lorenz-96 needs p >= 4 variables (so that the four parents are distinct), got p={x.shape[-1]}."
        )
    return _rhs(x, F, _neighbours(x.shape[-1]))


def lorenz96_graph(p) -> np.ndarray:
    """Ground-truth graph of Lorenz-96 with ``p`` variables.

    Parameters
    ----------
    p : int
        Number of variables, ``p >= 4``.

    Returns
    -------
    A : numpy.ndarray of int64, shape (p, p)
        ``A[i, j] = 1`` iff ``x_i`` appears in ``dx_j/dt``, i.e. ``i`` is one of
        ``j-2, j-1, j, j+1`` (mod ``p``). The diagonal is 1; every column has four ones.

    Examples
    --------
    >>> lorenz96_graph(5)  # column j holds the parents of x_j
    array([[1, 1, 1, 0, 1],
           [1, 1, 1, 1, 0],
           [0, 1, 1, 1, 1],
           [1, 0, 1, 1, 1],
           [1, 1, 0, 1, 1]])
    """
    p = check_int(p, "p", 4)
    j = np.arange(p)
    A = np.zeros((p, p), dtype=np.int64)
    for offset in (-2, -1, 0, 1):  # four parents per column, vectorized over columns
        A[(j + offset) % p, j] = 1
    return A


def lorenz96(p, T, F=10.0, seed=None, dt=0.1, burn_in=1000, noise_std=0.1):
    """Simulate the Lorenz-96 system, sampled every ``dt``, with observation noise.

    The ODE is integrated with :func:`scipy.integrate.solve_ivp` (method ``"DOP853"``,
    ``rtol = atol = 1e-8``) and read off on the grid ``0, dt, 2 dt, ...`` from
    ``x(0) = F + 0.01 * N(0, I)``. The first ``burn_in`` samples (the transient away
    from the unstable fixed point ``x = F``) are discarded and Gaussian noise of
    standard deviation ``noise_std`` is added to the rest. With the defaults,
    ``p = 10, T = 1000`` takes about half a second.

    Parameters
    ----------
    p : int
        Number of variables, ``p >= 4`` (so that the four parents of a variable are distinct).
    T : int
        Number of time points returned, ``T >= 1``.
    F : float, default 10.0
        Forcing constant; ``F >= 8`` or so gives chaos, small ``F`` decays to ``x = F``.
    seed : None, int or numpy.random.Generator
        Source of randomness (initial perturbation and observation noise); the
        global NumPy state is never used.
    dt : float, default 0.1
        Sampling interval, > 0.
    burn_in : int, default 1000
        Number of initial samples discarded, ``>= 0``.
    noise_std : float, default 0.1
        Standard deviation of the additive observation noise, ``>= 0``.

    Returns
    -------
    SimulatedSeries
        Unpacks as ``X, A = lorenz96(...)`` (the shape of every time-series simulator);
        it has no ``coef`` or ``driver`` (both None).

        ``X`` : numpy.ndarray of float64, shape (T, p)
            Rows are time (spacing ``dt``), columns are variables.
        ``A`` : numpy.ndarray of int64, shape (p, p)
            Ground truth from :func:`lorenz96_graph`: ``A[i, j] = 1`` iff ``x_i``
            appears in ``dx_j/dt`` (``i -> j``); the diagonal is 1.

    Raises
    ------
    ValueError
        If ``p < 4`` or another argument is out of range.
    RuntimeError
        If the integrator fails.

    Notes
    -----
    The noise is *observation* noise, added after the integration: it does not enter the
    dynamics. It makes the observed series non-Markov (the noisy past of ``x_j`` no longer
    summarises the state), and measurement noise is a classic source of spurious Granger
    edges: the past of a non-parent correlated with the true state can then improve the
    forecast of ``x_j``. Sampling every ``dt`` also lets indirect influences act within one
    step. ``A`` is the graph of the ODE, so it is the answer key of the dynamics, not
    necessarily the Granger graph of the returned ``X``; ``noise_std=0`` removes the first
    effect, not the second.

    Examples
    --------
    >>> X, A = lorenz96(p=6, T=100, seed=0, burn_in=100)
    >>> X.shape, A.shape
    ((100, 6), (6, 6))
    >>> A.sum(axis=0)  # four parents per variable
    array([4, 4, 4, 4, 4, 4])
    """
    p = check_int(p, "p", 4)
    T = check_int(T, "T", 1)
    F = check_real(F, "F")
    dt = check_real(dt, "dt", low=0.0, low_open=True)
    burn_in = check_int(burn_in, "burn_in", 0)
    noise_std = check_real(noise_std, "noise_std", low=0.0)
    rng = check_random_state(seed)

    x0 = F + 0.01 * rng.standard_normal(p)
    n = burn_in + T
    t_eval = dt * np.arange(n)
    if n == 1:  # nothing to integrate (solve_ivp needs a time span of positive length)
        X = x0[None, :]
    else:
        neighbours = _neighbours(p)
        sol = solve_ivp(
            lambda t, x: _rhs(x, F, neighbours),
            (0.0, float(t_eval[-1])),
            x0,
            method="DOP853",
            t_eval=t_eval,
            rtol=RTOL,
            atol=ATOL,
        )
        if not sol.success or np.shape(sol.y) != (p, n) or not np.all(np.isfinite(sol.y)):
            raise RuntimeError(f"Integrating Lorenz-96 failed: {sol.message}")
        X = sol.y.T[burn_in:]
    X = X + noise_std * rng.standard_normal(X.shape)
    return SimulatedSeries(np.ascontiguousarray(X), lorenz96_graph(p))
