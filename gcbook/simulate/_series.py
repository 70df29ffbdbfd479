"""The return value of the time-series simulators: ``(X, A)``, with what was drawn as attributes.

:func:`gcbook.simulate.var`, :func:`gcbook.simulate.confounded_var` and
:func:`gcbook.simulate.lorenz96` return a :class:`SimulatedSeries`. It unpacks as
``X, A = simulate.var(...)``, exactly as the bare pair they used to return, and carries
what the simulator drew (the VAR coefficients, the hidden driver) as attributes instead of
behind ``return_*`` flags.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SimulatedSeries"]


class SimulatedSeries(tuple):
    """A simulated series and its true graph, with what the simulator drew.

    A tuple of two, so ``X, A = sim`` (and ``sim[0]``, ``sim[1]``) work as for the bare
    pair the simulators used to return; everything else is an attribute. Read-only.

    Parameters
    ----------
    X : numpy.ndarray, shape (T, p)
    A : numpy.ndarray of int, shape (p, p)
    coef : numpy.ndarray, shape (lag, p, p), optional
    driver : numpy.ndarray, shape (T,), optional

    Attributes
    ----------
    X : numpy.ndarray of float64, shape (T, p)
        The simulated series; rows are time.
    A : numpy.ndarray of int64, shape (p, p)
        Ground truth, ``A[i, j] = 1`` means ``i -> j`` (the cause is the row); the diagonal
        marks a variable's dependence on its own past.
    coef : numpy.ndarray of float64, shape (lag, p, p), or None
        The VAR coefficients drawn by :func:`~gcbook.simulate.var`, ``coef[k-1, i, j]`` the
        effect of ``x_i(t-k)`` on ``x_j(t)``. This is the layout of statsmodels' ``coefs``,
        which :func:`~gcbook.simulate.var_from_coef` and :mod:`gcbook.spectral` take as
        input. None for simulators that draw no coefficients.
    coef_by_lag : numpy.ndarray of float64, shape (p, p, lag), or None
        The same coefficients with the lag axis last, ``coef_by_lag[i, j, k-1] =
        coef[k-1, i, j]``: the layout of every array indexed by (cause, effect, lag), such as
        an estimator's ``scores_by_lag``. A view of ``coef``.
    driver : numpy.ndarray of float64, shape (T,), or None
        The hidden common driver ``z`` of :func:`~gcbook.simulate.confounded_var`, aligned in
        time with ``X``; None elsewhere.

    Examples
    --------
    >>> from gcbook.simulate import var
    >>> sim = var(p=3, T=100, lag=2, sparsity=0.5, seed=0)
    >>> X, A = sim                       # the pair, as before
    >>> X is sim.X, sim.coef.shape, sim.coef_by_lag.shape, sim.driver is None
    (True, (2, 3, 3), (3, 3, 2), True)
    >>> bool((sim.coef_by_lag[:, :, 1] == sim.coef[1]).all())
    True
    """

    def __new__(cls, X, A, coef=None, driver=None):
        self = super().__new__(cls, (X, A))
        vars(self).update(coef=coef, driver=driver)
        return self

    @property
    def X(self) -> np.ndarray:
        """The simulated series, shape (T, p)."""
        return self[0]

    @property
    def A(self) -> np.ndarray:
        """The true graph, shape (p, p), ``A[i, j] = 1`` for ``i -> j``."""
        return self[1]

    @property
    def coef(self) -> np.ndarray | None:
        """The VAR coefficients, shape (lag, p, p) (statsmodels' layout), or None."""
        return vars(self)["coef"]

    @property
    def coef_by_lag(self) -> np.ndarray | None:
        """``coef`` with the lag axis last, shape (p, p, lag), or None."""
        coef = self.coef
        return None if coef is None else np.moveaxis(coef, 0, -1)

    @property
    def driver(self) -> np.ndarray | None:
        """The hidden driver, shape (T,), or None."""
        return vars(self)["driver"]

    def __setattr__(self, name, value):
        raise AttributeError(f"SimulatedSeries is read-only; cannot set {name!r}.")

    def __delattr__(self, name):
        raise AttributeError(f"SimulatedSeries is read-only; cannot delete {name!r}.")

    def __reduce__(self):
        return (type(self), (self.X, self.A, self.coef, self.driver))

    def __repr__(self) -> str:
        X, A = self
        T, p = np.shape(X)
        A = np.asarray(A)
        cross = int(np.count_nonzero(A[~np.eye(p, dtype=bool)]))
        parts = [f"T={T}", f"p={p}", f"cross edges={cross}", f"self-loops={int(np.count_nonzero(np.diag(A)))}"]
        if self.coef is not None:
            parts.append(f"coef lag={np.shape(self.coef)[0]}")
        if self.driver is not None:
            parts.append("hidden driver")
        return f"SimulatedSeries({', '.join(parts)})"
