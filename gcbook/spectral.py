"""Granger causality in the frequency domain: Geweke's spectral decomposition.

Taught in the chapter :ref:`chap-granger-practice` (``book/granger_practice.md``).

Orientation: ``values[i, j, k]`` is the causality ``x_i -> x_j`` at frequency ``freqs[k]`` (the
cause is the row). Frequencies are in cycles per sample, in ``[0, 0.5]`` (0.5 is the Nyquist
frequency); multiply by the sampling rate for Hz.

The VAR(L) ``x(t) = sum_k A_k x(t-k) + e(t)``, ``Cov(e) = Sigma``, has the transfer function
``H(f) = A(f)^{-1}`` with ``A(f) = I - sum_k A_k exp(-2 pi i f k)`` and the spectral density
``S(f) = H(f) Sigma H(f)^*`` (without the factor ``1/(2 pi)``, which cancels in every ratio below).
In the package's orientation ``A_k = coef[k-1].T``.

*Pairwise* (Geweke 1982). For two variables, cause ``i`` and effect ``j``, normalise the
innovations so that the effect's own innovation ``e_j`` is uncorrelated with the other one
(``e_i' = e_i - (Sigma_ij / Sigma_jj) e_j``). The effect's spectrum then splits into an
intrinsic part ``|H~_jj|^2 Sigma_jj``, with ``H~_jj = H_jj + (Sigma_ij / Sigma_jj) H_ji``, and a
part ``(Sigma_ii - Sigma_ij^2 / Sigma_jj) |H_ji|^2`` carried by the cause's innovation, and

.. math::

    f_{i \\to j}(f) = \\ln \\frac{S_{jj}(f)}{S_{jj}(f) - (\\Sigma_{ii} - \\Sigma_{ij}^2/\\Sigma_{jj}) |H_{ji}(f)|^2}
                   = \\ln \\frac{S_{jj}(f) \\Sigma_{jj}}{|(H(f) \\Sigma)_{jj}|^2}.

*Conditional* (Geweke 1984; Ding, Chen and Bressler 2006). To condition on the other variables
``z``, fit also the *reduced* VAR of ``(x_j, z)`` without ``x_i``, with ``A_R(f)`` and innovation
variance ``Sigma_R``. Its innovation of ``x_j`` is ``u_j = [A_R(f) H(f)_{-i, :}]_{j} e``, white with
variance ``Sigma_R,jj``; after the same normalisation of ``e`` its intrinsic part is
``|[A_R(f) (H(f) Sigma)_{-i, j}]_j|^2 / Sigma_jj``, so

.. math::

    f_{i \\to j | z}(f) = \\ln \\frac{\\Sigma_{R,jj}\\, \\Sigma_{jj}}{|[A_R(f) (H(f)\\Sigma)_{-i,j}]_j|^2}.

With no ``z`` and the exact reduced model (the spectral factor of ``S_jj``) this is the pairwise
formula.

*Frequency average.* For a pairwise measure from one bivariate VAR,
``(1/2pi) int_{-pi}^{pi} f_{i->j} = F_{i->j} - (1/2pi) int ln |H~_jj|^2``, where
``F_{i->j} = ln(sigma2_r / Sigma_jj)`` is the time-domain measure of the same process with the
whole past in the restricted model (``sigma2_r`` is the innovation variance of ``x_j`` alone).
Since ``H~_jj = [adj(A) Sigma]_jj / (Sigma_jj det A)`` and ``det A`` has no zeros in the unit disk
(stability), Jensen's formula makes the last integral ``sum ln(1/|z_k|^2) >= 0`` over the zeros
``z_k`` of the numerator inside the disk. So the average equals ``F`` exactly when the intrinsic
filter ``H~_jj`` is minimum phase, and is smaller otherwise (Geweke 1982). This is not automatic:
for a VAR(1), ``[adj(A(z)) Sigma]_jj / Sigma_jj = 1 - z (a_ii - a_ji Sigma_ij / Sigma_jj)`` with
the cause's own coefficient ``a_ii = coef[0, i, i]`` and ``a_ji = coef[0, i, j]``, which has a zero
inside the disk when ``|a_ii - a_ji Sigma_ij / Sigma_jj| > 1``, possible in a stable VAR; the
average then falls short of ``F`` by ``ln (a_ii - a_ji Sigma_ij / Sigma_jj)^2`` (both cases are
tested).

In the conditional case the identity needs, besides, the reduced model to be the exact one implied
by the full model; with a separately fitted finite-order reduced VAR (as here, and in Ding et al.
2006) it holds only approximately, and the estimate can be negative at some frequencies (Barnett
and Seth 2014 derive the reduced model from the full one by state-space spectral factorisation to
avoid this). :func:`var_spectral_granger` computes the reduced models of a known VAR from its
exact autocovariances.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import linalg

from gcbook._utils import EXACT_FIT, batches, standardized_lag_matrix
from gcbook._validation import as_float_array, check_bool, check_int, recordings_and_lag

__all__ = [
    "SpectralGrangerResult",
    "spectral_granger",
    "var_spectral_granger",
    "var_granger_strength",
    "var_autocovariance",
    "autocovariance_to_var",
    "var_transfer_function",
    "var_spectral_density",
]

#: Default frequency grid: 257 equispaced points on [0, 0.5] (the trapezoid average over it is the
#: average over the whole circle, exact to exponential accuracy for a smooth periodic integrand).
DEFAULT_N_FREQS = 257


# ------------------------------------------------------------------------------------------------
# Validation
# ------------------------------------------------------------------------------------------------


def _check_var(coef, sigma, *, stable: bool = True):
    coef = np.asarray(coef, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    if coef.ndim != 3 or coef.shape[1] != coef.shape[2] or coef.shape[0] < 1:
        raise ValueError(f"coef must have shape (lag, p, p) (coef[k-1, i, j]: x_i(t-k) -> x_j(t)), got {coef.shape}.")
    p = coef.shape[1]
    if sigma.shape != (p, p):
        raise ValueError(f"sigma must have shape ({p}, {p}) to match coef, got {sigma.shape}.")
    if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(sigma))):
        raise ValueError("coef and sigma must be finite (no NaN or inf).")
    if not np.allclose(sigma, sigma.T, rtol=1e-10, atol=1e-12 * np.max(np.abs(sigma))):
        raise ValueError("sigma must be symmetric.")
    if np.linalg.eigvalsh(sigma).min() <= 0:
        raise ValueError("sigma must be positive definite (an innovation covariance).")
    if stable:
        radius = np.max(np.abs(np.linalg.eigvals(_companion(coef))))
        if radius >= 1:
            raise ValueError(
                f"The VAR is not stable (spectral radius of the companion matrix {radius:.4g} >= 1): "
                "it has no stationary autocovariance or spectrum. Difference the data or shrink coef."
            )
    return coef, sigma


def _check_freqs(freqs) -> np.ndarray:
    if freqs is None:
        return np.linspace(0.0, 0.5, DEFAULT_N_FREQS)
    freqs = as_float_array(freqs, "freqs", what="a 1-D array of frequencies in [0, 0.5]")
    if freqs.ndim != 1 or freqs.size == 0:
        raise ValueError(f"freqs must be a non-empty 1-D array, got shape {freqs.shape}.")
    if not np.all(np.isfinite(freqs)) or freqs.min() < 0 or freqs.max() > 0.5:
        raise ValueError("freqs must be finite and in [0, 0.5] (cycles per sample; 0.5 is the Nyquist frequency).")
    return freqs


def _companion(coef: np.ndarray) -> np.ndarray:
    lag, p, _ = coef.shape
    top = np.concatenate([coef[k].T for k in range(lag)], axis=1)
    return np.vstack([top, np.eye(p * (lag - 1), p * lag)]) if lag > 1 else top


# ------------------------------------------------------------------------------------------------
# Population quantities of a VAR
# ------------------------------------------------------------------------------------------------


def var_autocovariance(coef, sigma, max_lag: int) -> np.ndarray:
    """Autocovariances of a stable VAR(L), from its companion form.

    Parameters
    ----------
    coef : array_like, shape (L, p, p)
        ``coef[k-1, i, j]`` is the effect of ``x_i(t-k)`` on ``x_j(t)``.
    sigma : array_like, shape (p, p)
        Innovation covariance.
    max_lag : int >= 0

    Returns
    -------
    numpy.ndarray, shape (max_lag + 1, p, p)
        ``gamma[k] = E[x(t) x(t-k)ᵀ]``, so ``gamma[k][a, b] = Cov(x_a(t), x_b(t-k))``
        (statsmodels' ``var_acf`` convention).

    Examples
    --------
    >>> g = var_autocovariance([[[0.5]]], [[1.0]], 2)   # AR(1): gamma_k = 0.5**k / (1 - 0.25)
    >>> g[:, 0, 0].round(4)
    array([1.3333, 0.6667, 0.3333])
    """
    coef, sigma = _check_var(coef, sigma)
    max_lag = check_int(max_lag, "max_lag", 0)
    lag, p, _ = coef.shape
    F = _companion(coef)
    Q = np.zeros((p * lag, p * lag))
    Q[:p, :p] = sigma
    big = linalg.solve_discrete_lyapunov(F, Q)
    gamma = np.empty((max(max_lag, lag - 1) + 1, p, p))
    for k in range(lag):
        gamma[k] = big[:p, k * p : (k + 1) * p]
    for k in range(lag, gamma.shape[0]):
        gamma[k] = sum(coef[m].T @ gamma[k - m - 1] for m in range(lag))
    return gamma[: max_lag + 1]


def autocovariance_to_var(gamma, lag: int) -> tuple[np.ndarray, np.ndarray]:
    """The VAR(L) of a stationary process with given autocovariances (Yule-Walker equations).

    This is the population least-squares projection of ``x(t)`` on ``x(t-1), ..., x(t-L)``: for a
    VAR of order at most ``L`` it returns its coefficients exactly; for any other process the best
    linear predictor with ``L`` lags, whose error covariance falls to the innovation covariance
    as ``L`` grows.

    Parameters
    ----------
    gamma : array_like, shape (K, p, p) with K > lag
        ``gamma[k] = E[x(t) x(t-k)ᵀ]`` (as returned by :func:`var_autocovariance`).
    lag : int >= 1

    Returns
    -------
    coef : numpy.ndarray, shape (lag, p, p)
        ``coef[k-1, i, j]``: effect of ``x_i(t-k)`` on ``x_j(t)``.
    sigma : numpy.ndarray, shape (p, p)
        Prediction-error covariance.

    Examples
    --------
    >>> g = var_autocovariance([[[0.5, 0.3], [0.0, 0.2]]], np.eye(2), 3)
    >>> coef, sigma = autocovariance_to_var(g, 2)
    >>> coef.round(10) + 0.0
    array([[[0.5, 0.3],
            [0. , 0.2]],
    <BLANKLINE>
           [[0. , 0. ],
            [0. , 0. ]]])
    """
    gamma = np.asarray(gamma, dtype=float)
    lag = check_int(lag, "lag", 1)
    if gamma.ndim != 3 or gamma.shape[1] != gamma.shape[2] or gamma.shape[0] <= lag:
        raise ValueError(f"gamma must have shape (K, p, p) with K > lag = {lag}, got {gamma.shape}.")
    p = gamma.shape[1]

    # [A_1 ... A_L] R = [gamma_1 ... gamma_L],  R block (m, k) = gamma(k - m), gamma(-d) = gamma(d)ᵀ
    two_sided = np.concatenate([gamma[lag - 1 : 0 : -1].transpose(0, 2, 1), gamma[:lag]])  # d = -(L-1)..L-1
    d = np.subtract.outer(np.arange(lag), np.arange(lag)).T + lag - 1  # d[m, k] = k - m, shifted
    R = two_sided[d].transpose(0, 2, 1, 3).reshape(lag * p, lag * p)
    rhs = np.concatenate([gamma[k] for k in range(1, lag + 1)], axis=1)
    A = np.linalg.solve(R.T, rhs.T).T  # (p, p*lag): [A_1 ... A_L]
    blocks = A.reshape(p, lag, p).transpose(1, 0, 2)  # blocks[m] = A_{m+1}
    sigma = gamma[0] - sum(blocks[m] @ gamma[m + 1].T for m in range(lag))
    return blocks.transpose(0, 2, 1).copy(), (sigma + sigma.T) / 2


def var_transfer_function(coef, freqs=None) -> np.ndarray:
    """Transfer function ``H(f) = A(f)^{-1}``, ``A(f) = I - sum_k A_k exp(-2 pi i f k)``.

    Parameters
    ----------
    coef : array_like, shape (..., L, p, p)
        VAR coefficients in the package orientation (``A_k = coef[k-1].T``); leading axes batch.
    freqs : array_like, shape (n_freqs,), optional
        Cycles per sample in [0, 0.5]; default 257 equispaced points.

    Returns
    -------
    numpy.ndarray of complex, shape (..., n_freqs, p, p)
        ``H[..., k, a, b]`` is the response of ``x_a`` to the innovation of ``x_b`` at ``freqs[k]``.

    Examples
    --------
    >>> H = var_transfer_function([[[0.5]]], [0.0, 0.5])   # 1 / (1 - 0.5 z), z = 1 and -1
    >>> H[:, 0, 0].real.round(4)
    array([2.    , 0.6667])
    """
    coef = np.asarray(coef, dtype=float)
    freqs = _check_freqs(freqs)
    lag, p = coef.shape[-3], coef.shape[-1]
    phase = np.exp(-2j * np.pi * np.outer(freqs, np.arange(1, lag + 1)))  # (n_f, L)
    A_f = np.eye(p) - np.einsum("fk,...kij->...fji", phase, coef)
    return np.linalg.inv(A_f)


def var_spectral_density(coef, sigma, freqs=None) -> np.ndarray:
    """Spectral density matrix ``S(f) = H(f) Sigma H(f)^*`` of a VAR (no ``1/(2 pi)`` factor).

    Parameters
    ----------
    coef : array_like, shape (L, p, p)
    sigma : array_like, shape (p, p)
    freqs : array_like, shape (n_freqs,), optional

    Returns
    -------
    numpy.ndarray of complex, shape (n_freqs, p, p)
        Hermitian for each frequency; ``S[k, a, a]`` is the power of ``x_a`` at ``freqs[k]``,
        normalised so that ``2 * trapezoid(S[:, a, a].real, freqs) = Var(x_a)`` on a grid over [0, 0.5].

    Examples
    --------
    >>> S = var_spectral_density([[[0.5]]], [[1.0]], [0.0])   # 1 / |1 - 0.5|^2
    >>> float(S[0, 0, 0].real)
    4.0
    """
    coef, sigma = _check_var(coef, sigma, stable=False)
    H = var_transfer_function(coef, freqs)
    return H @ sigma @ np.conj(np.swapaxes(H, -1, -2))


# ------------------------------------------------------------------------------------------------
# The measures, batched over models
# ------------------------------------------------------------------------------------------------


def _bivariate_spectral(coef: np.ndarray, sigma: np.ndarray, freqs: np.ndarray) -> np.ndarray:
    """Geweke's pairwise measure for a batch of bivariate VARs.

    coef (b, L, 2, 2), sigma (b, 2, 2) -> (b, 2, 2, n_f) with [.., i, j, :] = x_i -> x_j, diagonal NaN.
    """
    H = var_transfer_function(coef, freqs)  # (b, n_f, 2, 2)
    S = H @ sigma[:, None] @ np.conj(np.swapaxes(H, -1, -2))
    HS = H @ sigma[:, None]
    out = np.full((coef.shape[0], 2, 2, freqs.size), np.nan)
    for j in (0, 1):  # the effect; two fixed indices, not a loop over pairs
        i = 1 - j
        s_jj = S[:, :, j, j].real
        out[:, i, j] = np.log(s_jj * sigma[:, None, j, j] / np.abs(HS[:, :, j, j]) ** 2)
    return out


def _conditional_spectral(coef, sigma, coef_r, sigma_r, freqs) -> np.ndarray:
    """Geweke's conditional measure from the full VAR and the p reduced VARs.

    coef (L, p, p), sigma (p, p); coef_r (p, L_r, p-1, p-1), sigma_r (p, p-1, p-1), where reduced
    model ``i`` leaves out variable ``i``. Returns (p, p, n_f), [i, j, :] = x_i -> x_j | rest.
    """
    p = sigma.shape[0]
    H = var_transfer_function(coef, freqs)  # (n_f, p, p)
    HS = H @ sigma  # (n_f, p, p)
    lag_r = coef_r.shape[1]
    phase = np.exp(-2j * np.pi * np.outer(freqs, np.arange(1, lag_r + 1)))
    A_r = np.eye(p - 1) - np.einsum("fk,ikab->ifba", phase, coef_r)  # (p, n_f, p-1, p-1)
    keep = np.array([np.delete(np.arange(p), i) for i in range(p)])  # (p, p-1) variables of model i
    HS_kept = HS[:, keep, :].transpose(1, 0, 2, 3)  # (p cause, n_f, p-1 rows, p cols)
    # intrinsic[i, f, r, c] = sum_m A_r[i, f, r, m] HS[f, keep[i, m], c]
    intrinsic = A_r @ HS_kept  # (p, n_f, p-1, p)
    out = np.full((p, p, freqs.size), np.nan)
    cause = np.repeat(np.arange(p), p - 1)
    row = np.tile(np.arange(p - 1), p)
    effect = keep[cause, row]
    num = sigma_r[cause, row, row][:, None] * sigma[effect, effect][:, None]
    den = np.abs(intrinsic[cause, :, row, effect]) ** 2
    out[cause, effect] = np.log(num / den)
    return out


def _pair_indices(p: int):
    a, b = np.triu_indices(p, 1)
    return a, b


def _reduced_population(coef, sigma, keep_sets, lag_r):
    """Population VAR(lag_r) of the sub-processes ``x[keep]`` by Yule-Walker; batched over sets."""
    gamma = var_autocovariance(coef, sigma, lag_r)
    out = [autocovariance_to_var(gamma[:, k][:, :, k], lag_r) for k in keep_sets]
    return np.stack([c for c, _ in out]), np.stack([s for _, s in out])


# ------------------------------------------------------------------------------------------------
# Result
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class SpectralGrangerResult:
    """Spectral Granger causality for every ordered pair.

    Attributes
    ----------
    freqs : numpy.ndarray, shape (n_freqs,)
        Cycles per sample in [0, 0.5].
    values : numpy.ndarray, shape (p, p, n_freqs)
        ``values[i, j, k]``: causality ``x_i -> x_j`` at ``freqs[k]`` (nats); diagonal NaN.
    lag : int
        Order of the (full) VAR.
    conditional : bool
    labels : tuple of str
    n : int or None
        Number of regression rows for an estimate; None for a population VAR.
    """

    freqs: np.ndarray
    values: np.ndarray
    lag: int
    conditional: bool
    labels: tuple = field(default=())
    n: int | None = None

    def band(self, fmin: float = 0.0, fmax: float = 0.5) -> np.ndarray:
        """Average of the measure over ``[fmin, fmax]`` by the trapezoid rule on the grid, shape (p, p).

        Over the whole of ``[0, 0.5]`` on an equispaced grid this is the average over
        ``[-pi, pi]`` in angular frequency (the measure is even in ``f``), to be compared with
        the time-domain measure.
        """
        fmin, fmax = float(fmin), float(fmax)
        inside = (self.freqs >= fmin) & (self.freqs <= fmax)
        if not 0 <= fmin < fmax <= 0.5 or inside.sum() < 2:
            raise ValueError(
                f"Need 0 <= fmin < fmax <= 0.5 with at least two grid frequencies inside, got [{fmin}, {fmax}]."
            )
        f = self.freqs[inside]
        return np.trapezoid(self.values[:, :, inside], f, axis=-1) / (f[-1] - f[0])

    def average(self) -> np.ndarray:
        """:meth:`band` over the whole grid: the frequency average, shape (p, p)."""
        return self.band(float(self.freqs.min()), float(self.freqs.max()))

    def plot(self, ax=None, pairs=None):
        """Each ordered pair's measure against frequency, one line per pair; returns the Axes.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
        pairs : list of (i, j), optional
            Default: every ordered pair (readable up to p = 3 or 4).
        """
        import matplotlib.pyplot as plt

        from gcbook.plotting import METHOD_COLORS

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        p = self.values.shape[0]
        if pairs is None:
            pairs = list(zip(*np.nonzero(~np.eye(p, dtype=bool))))
        for k, (i, j) in enumerate(pairs):
            ax.plot(
                self.freqs,
                self.values[i, j],
                color=METHOD_COLORS[k % len(METHOD_COLORS)],
                label=f"{self.labels[i]} → {self.labels[j]}",
            )
        kind = "conditional" if self.conditional else "pairwise"
        ax.set_xlabel("frequency (cycles per sample)")
        ax.set_ylabel("spectral Granger causality (nats)")
        ax.set_title(f"{kind} spectral Granger causality, VAR({self.lag})")
        ax.legend(frameon=False, fontsize=8)
        return ax

    def __repr__(self) -> str:
        kind = "conditional" if self.conditional else "pairwise"
        p = self.values.shape[0]
        peak = np.nanmax(self.values) if p > 1 else np.nan
        return (
            f"SpectralGrangerResult({kind}, p={p}, lag={self.lag}, {self.freqs.size} frequencies in "
            f"[{self.freqs.min():.3g}, {self.freqs.max():.3g}], peak {peak:.3g} nats)"
        )


# ------------------------------------------------------------------------------------------------
# Public entry points
# ------------------------------------------------------------------------------------------------


def var_spectral_granger(
    coef, sigma, freqs=None, conditional: bool = False, reduced_lag: int = 100, labels=None
) -> SpectralGrangerResult:
    """Geweke's spectral Granger causality of a known (population) VAR.

    Parameters
    ----------
    coef : array_like, shape (L, p, p)
        ``coef[k-1, i, j]``: effect of ``x_i(t-k)`` on ``x_j(t)``. The VAR must be stable.
    sigma : array_like, shape (p, p)
        Innovation covariance, positive definite.
    freqs : array_like, shape (n_freqs,), optional
        Cycles per sample in [0, 0.5]; default 257 equispaced points.
    conditional : bool, default False
        ``False``: pairwise, from the bivariate process of each pair. For ``p = 2`` this uses
        ``coef`` and ``sigma`` exactly; for ``p > 2`` a pair of a VAR is a VARMA, approximated by
        its Yule-Walker VAR(``reduced_lag``). ``True``: conditional on the other variables, with
        each reduced model (the VAR without the cause) the Yule-Walker VAR(``reduced_lag``) of the
        sub-process, computed from the exact autocovariances.
    reduced_lag : int, default 100
        Order of the approximating VARs (their error falls geometrically with the order for a
        stable VAR).
    labels : sequence of str, optional

    Returns
    -------
    SpectralGrangerResult
        ``values[i, j, k]``: ``x_i -> x_j`` at ``freqs[k]``; ``n`` is None.

    Examples
    --------
    >>> coef = [[[0.5, 0.4], [0.0, 0.3]]]        # x0 -> x1 only
    >>> res = var_spectral_granger(coef, np.eye(2), freqs=[0.0, 0.25, 0.5])
    >>> res.values.shape, bool(np.all(np.abs(res.values[1, 0]) < 1e-12))
    ((2, 2, 3), True)
    """
    conditional = check_bool(conditional, "conditional")
    coef, sigma = _check_var(coef, sigma)
    freqs = _check_freqs(freqs)
    reduced_lag = check_int(reduced_lag, "reduced_lag", 1)
    lag, p, _ = coef.shape
    labels = tuple(labels) if labels is not None else tuple(f"x{i}" for i in range(p))
    if len(labels) != p:
        raise ValueError(f"labels must have {p} entries, got {len(labels)}.")
    if conditional and p > 2:
        keep = [np.delete(np.arange(p), i) for i in range(p)]
        coef_r, sigma_r = _reduced_population(coef, sigma, keep, reduced_lag)
        values = _conditional_spectral(coef, sigma, coef_r, sigma_r, freqs)
    elif p == 2:
        values = _bivariate_spectral(coef[None], sigma[None], freqs)[0]
    else:
        a, b = _pair_indices(p)
        coef2, sigma2 = _reduced_population(coef, sigma, [np.array([i, j]) for i, j in zip(a, b)], reduced_lag)
        pair_values = _bivariate_spectral(coef2, sigma2, freqs)
        values = np.full((p, p, freqs.size), np.nan)
        values[a, b] = pair_values[:, 0, 1]
        values[b, a] = pair_values[:, 1, 0]
    return SpectralGrangerResult(
        freqs=freqs, values=values, lag=lag, conditional=bool(conditional), labels=labels, n=None
    )


def var_granger_strength(coef, sigma, lag: int | None = None, conditional: bool = False) -> np.ndarray:
    """Population value of Geweke's time-domain measure for a known VAR, shape (p, p).

    ``F[i, j] = ln(sigma2_r / sigma2_u)``, where ``sigma2_u`` and ``sigma2_r`` are the population
    one-step prediction-error variances of ``x_j`` with ``lag`` lags of the unrestricted and
    restricted predictors, computed from the exact autocovariances (Yule-Walker). With the
    ``lag`` of :func:`gcbook.granger.granger_strength` this is exactly the quantity that function
    estimates; a large ``lag`` (default 100) gives the measure with the whole past, the one the
    frequency average of :func:`var_spectral_granger` equals.

    Parameters
    ----------
    coef : array_like, shape (L, p, p)
    sigma : array_like, shape (p, p)
    lag : int, optional
        Lags of both predictors; default ``max(L, 100)``.
    conditional : bool, default False
        ``False``: predictors are the past of ``x_j`` (restricted) and of ``x_j, x_i``
        (unrestricted). ``True``: the past of every variable but ``x_i``, and of all of them.

    Returns
    -------
    numpy.ndarray, shape (p, p)
        Cause on the row, diagonal NaN.

    Examples
    --------
    >>> # x0 white noise driving x1: F = ln(1 + 0.5**2 * Var(x0) / Var(e1)) exactly
    >>> F = var_granger_strength([[[0.0, 0.5], [0.0, 0.3]]], np.eye(2), lag=1)
    >>> bool(np.isclose(F[0, 1], np.log(1.25)))
    True
    """
    conditional = check_bool(conditional, "conditional")
    coef, sigma = _check_var(coef, sigma)
    L, p, _ = coef.shape
    lag = max(L, 100) if lag is None else check_int(lag, "lag", 1)
    gamma = var_autocovariance(coef, sigma, lag)
    F = np.full((p, p), np.nan)

    def err(variables, target):
        variables = np.asarray(variables)
        _, s = autocovariance_to_var(gamma[:, variables][:, :, variables], lag)
        return s[list(variables).index(target), list(variables).index(target)]

    for i in range(p):  # population helper: p² small Yule-Walker solves, not a data path
        for j in range(p):
            if i == j:
                continue
            if conditional:
                full = np.arange(p)
                restricted = np.delete(full, i)
            else:
                full = np.array([j, i])
                restricted = np.array([j])
            F[i, j] = np.log(err(restricted, j) / err(full, j))
    return F


def _ols_batch(designs: np.ndarray, targets: np.ndarray):
    """Least squares for a batch: designs (b, n, k), targets (b, n, m) -> beta (b, k, m), residuals."""
    q, r = np.linalg.qr(designs)
    diag = np.abs(np.diagonal(r, axis1=-2, axis2=-1))
    if np.any(diag < 1e-10 * np.maximum(np.linalg.norm(designs, axis=-2), 1e-300)):
        raise ValueError(
            "The lagged design matrix is rank deficient: some series (or their lags) are exact linear "
            "combinations of others. Drop duplicated or collinear columns, or use a smaller lag."
        )
    proj = np.swapaxes(q, -1, -2) @ targets
    beta = np.linalg.solve(r, proj)
    return beta, targets - q @ proj


def _fit_sub_vars(Y: np.ndarray, lags: np.ndarray, subsets: np.ndarray):
    """OLS VAR(L) with an intercept of the sub-processes ``x[subset]``, batched over subsets.

    Y (n, p), lags (n, p, L), subsets (b, m) -> coef (b, L, m, m), sigma (b, m, m) (ML, /n).
    """
    n, p, lag = lags.shape
    b, m = subsets.shape
    coef = np.empty((b, lag, m, m))
    sigma = np.empty((b, m, m))
    for batch in batches(b, n * (m * lag + 1 + m) * 8 * 3):
        sub = subsets[batch]
        blk = lags[:, sub, :]  # (n, bb, m, L)
        designs = np.concatenate(
            [np.ones((sub.shape[0], n, 1)), blk.transpose(1, 0, 3, 2).reshape(sub.shape[0], n, lag * m)], axis=2
        )
        targets = Y[:, sub].transpose(1, 0, 2)  # (bb, n, m)
        beta, resid = _ols_batch(designs, targets)
        coef[batch] = beta[:, 1:].reshape(sub.shape[0], lag, m, m)
        sigma[batch] = np.swapaxes(resid, -1, -2) @ resid / n
        variances = np.diagonal(sigma[batch], axis1=-2, axis2=-1)
        if np.any(variances <= EXACT_FIT * targets.var(axis=1)):
            raise ValueError(
                "A series is forecast exactly by a fitted VAR (innovation variance 0 up to rounding): a "
                "deterministic relation, for which the spectral measure is infinite. Add observation noise "
                "or drop the column."
            )
        sd = np.sqrt(variances)
        if m > 1 and np.any(np.linalg.eigvalsh(sigma[batch] / (sd[:, :, None] * sd[:, None, :]))[:, 0] <= 1e-12):
            raise ValueError(
                "The innovations of a fitted VAR are exactly collinear (a singular residual covariance), so "
                "the spectral measure is undefined: some series are exact linear combinations of others "
                "within a time step. Drop the redundant columns."
            )
    return coef, sigma


def spectral_granger(X, lag: int, freqs=None, conditional: bool = False) -> SpectralGrangerResult:
    """Geweke's spectral Granger causality from VARs fitted by least squares.

    Parameters
    ----------
    X : array_like or pandas.DataFrame, shape (T, p), or a list of them
        Rows are time, ``p >= 2``. A list holds several recordings of the same variables: the
        VARs are fitted to the windows of all of them (no window crosses a seam), as in
        :func:`gcbook.granger.fit_var`.
    lag : int
        Order ``L`` of every VAR fitted (full, bivariate and reduced).
    freqs : array_like, shape (n_freqs,), optional
        Cycles per sample in [0, 0.5]; default 257 equispaced points (which make
        :meth:`SpectralGrangerResult.average` the average over the whole circle).
    conditional : bool, default False
        ``False``: pairwise; a bivariate VAR(L) is fitted to each unordered pair (batched) and
        gives both directions. ``True``: conditional on all other variables, from the full VAR(L)
        and, for each cause ``i``, the reduced VAR(L) without ``x_i`` (Geweke 1984; Ding, Chen and
        Bressler 2006). The conditional estimate can dip below 0 at some frequencies, because the
        reduced model is fitted separately rather than derived from the full one.

    Returns
    -------
    SpectralGrangerResult
        ``values[i, j, k]``: ``x_i -> x_j`` at ``freqs[k]`` (nats); diagonal NaN.

    Raises
    ------
    ValueError
        On the input errors of :func:`gcbook.granger.granger_test`, frequencies outside [0, 0.5],
        or a rank-deficient design.

    Notes
    -----
    The frequency average of the pairwise estimate equals the time-domain measure of the *fitted
    bivariate VAR taken as the true process* (whole past in the restricted model, see
    :func:`~gcbook.spectral.var_granger_strength`), not the finite-lag regression measure of
    :func:`gcbook.granger.granger_strength`; the two agree as the sample grows when the VAR(L)
    is right.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(3000)
    >>> y = np.r_[0.0, 0.8 * x[:-1]] + rng.standard_normal(3000)
    >>> res = spectral_granger(np.column_stack([x, y]), lag=2, freqs=np.linspace(0, 0.5, 5))
    >>> res.values.shape
    (2, 2, 5)
    >>> bool(res.values[0, 1].min() > 0.2 > res.values[1, 0].max())
    True
    """
    conditional = check_bool(conditional, "conditional")
    recordings, labels, lag = recordings_and_lag(X, lag)
    freqs = _check_freqs(freqs)
    p = recordings[0].shape[1]
    n = sum(rec.shape[0] - lag for rec in recordings)
    m = p if conditional else 2
    k = m * lag + 1
    if n < k + m:  # fewer residual degrees of freedom than series: a singular residual covariance
        raise ValueError(
            f"Too few time points for a VAR({lag}) in {m} variables: T - lag = {n} must be at least "
            f"{k + m} ({k} coefficients per equation plus {m} residual degrees of freedom, so that the "
            "residual covariance is not singular). Use a smaller lag or a longer series."
        )

    Y, lags = standardized_lag_matrix(recordings, lag)
    if conditional and p > 2:
        coef, sigma = _fit_sub_vars(Y, lags, np.arange(p)[None])
        keep = np.array([np.delete(np.arange(p), i) for i in range(p)])
        coef_r, sigma_r = _fit_sub_vars(Y, lags, keep)
        values = _conditional_spectral(coef[0], sigma[0], coef_r, sigma_r, freqs)
    elif conditional:  # p = 2: the reduced models are univariate AR(L) fits of each effect
        coef, sigma = _fit_sub_vars(Y, lags, np.arange(2)[None])
        coef_r, sigma_r = _fit_sub_vars(Y, lags, np.array([[1], [0]]))
        values = _conditional_spectral(coef[0], sigma[0], coef_r, sigma_r, freqs)
    else:
        a, b = _pair_indices(p)
        coef2, sigma2 = _fit_sub_vars(Y, lags, np.column_stack([a, b]))
        pair_values = _bivariate_spectral(coef2, sigma2, freqs)
        values = np.full((p, p, freqs.size), np.nan)
        values[a, b] = pair_values[:, 0, 1]
        values[b, a] = pair_values[:, 1, 0]
    return SpectralGrangerResult(
        freqs=freqs, values=values, lag=lag, conditional=bool(conditional), labels=tuple(labels), n=n
    )
