"""A sparse l1-VAR inside a convolutional autoencoder, for imaging data.

Taught in the chapter :ref:`chap-sparse-var` (``book/sparse_var.md``).

A movie ``(T, H, W)`` (for example two-photon calcium imaging) is compressed frame by
frame into ``K`` latent time series, and the latents are modelled by a sparse vector
autoregression. The sparse VAR coefficients say which latent factor drives which.

Architecture of :class:`SparseVARAutoencoder` (``C = channels``, ``K = n_factors``)::

    frame (H, W) --(minus S)--> conv 2x2 s2 (C, H/2, W/2) -> SiLU
                              -> conv 2x2 s2 (C, H/4, W/4) -> SiLU -> linear -> h (K)
    h (K) -> linear (C, H/4, W/4) -> SiLU -> convT 2x2 s2 (C, H/2, W/2) -> SiLU
          -> convT 2x2 s2 (1, H, W) --(plus S)--> reconstructed frame

The 2x2 stride-2 convolutions see non-overlapping patches; they are computed as
space-to-depth plus a linear map over channels (the same operation, faster on a CPU).

* **Skip connection for static content.** ``S`` is a learnable static image, initialised
  to the temporal mean of the movie. The encoder sees ``frame - S`` and the decoder's
  output is added to ``S``, so the bottleneck only has to carry what changes in time.
* **Standardised latents.** Before the VAR each latent series is standardised over time,
  ``z = (h - mean_t h) / std_t h`` (differentiably). Without this the VAR forecast error
  could be made small by shrinking the latents.
* **Training objective.** ``mode="end_to_end"`` minimises, by full-batch Adam,

  .. math:: \\frac{1}{THW}\\sum_t \\lVert x_t - \\hat x_t\\rVert^2
            + \\lambda_{\\mathrm{VAR}}\\, \\frac{1}{(T-L)K}\\sum_{t>L}
              \\lVert z_t - c - \\textstyle\\sum_{k=1}^L z_{t-k} B_k\\rVert^2,

  where ``B`` and ``c`` are the **lasso** VAR fit of the current latents,
  :func:`gcbook.sparse_var.lasso_var_torch` (exact solution, differentiated in closed
  form on its active set), so the gradient of the forecast error flows through the sparse
  regression into the encoder. ``mode="two_stage"`` trains with the reconstruction loss
  only and fits :func:`gcbook.sparse_var.lasso_var` to the latents afterwards.
* Pixel values are divided by one number (the standard deviation of the movie around its
  temporal mean) inside the network, so the reconstruction loss is scale free; every
  image attribute is reported in the movie's own units.

Orientation, as everywhere in :mod:`gcbook`: ``coef_[k-1, i, j]`` is the effect of latent
``i`` at ``t-k`` on latent ``j`` at ``t`` (the cause is the row). Like every VAR coefficient
array named ``coef`` in the package, ``coef_`` has the lag axis first, the ``(lag, K, K)``
layout of statsmodels' ``coefs``; the ``coef_by_lag`` of :func:`gcbook.sparse_var.lasso_var`'s
result is the same array with the lag axis last.

The latents of an autoencoder are identified only up to an invertible transformation, so
latent ``k`` need not correspond to true factor ``k``. :func:`match_factors` pairs them
with known footprints (on simulated data), :func:`aligned_coef` reorders the
coefficients, and :func:`driver_auroc` scores the recovered driver graph.
:func:`two_recording_test` compares the VAR dynamics of two recordings of one unit.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import torch
from scipy import stats
from scipy.optimize import linear_sum_assignment
from torch import nn

from gcbook._base import BaseEstimator, check_is_fitted
from gcbook._utils import resolve_device, seed_int
from gcbook._validation import as_time_series, check_int, check_lag, check_random_state, check_real
from gcbook.granger import lag_matrix
from gcbook.sparse_var import lasso_var, lasso_var_torch

__all__ = [
    "SparseVARAutoencoder",
    "AutoencoderHistory",
    "TwoRecordingResult",
    "TestResult",
    "match_factors",
    "footprint_correlation",
    "aligned_coef",
    "driver_auroc",
    "two_recording_test",
]

MODES = ("end_to_end", "two_stage")
_EPS = 1e-8


def _check_movie(movie, name="movie"):
    """Return ``movie`` as a float64 (T, H, W) array, or raise a ValueError."""
    try:
        arr = np.array(movie, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array of shape (T, H, W); could not convert it: {exc}") from exc
    if arr.ndim != 3:
        raise ValueError(f"{name} must be 3-D with shape (T, H, W) (frames first), got {arr.ndim}-D shape {arr.shape}.")
    T, H, W = arr.shape
    if H % 4 or W % 4 or H < 4 or W < 4:
        raise ValueError(
            f"{name} frames must have height and width that are positive multiples of 4 (two stride-2 "
            f"layers), got {H}x{W}; crop or pad the frames, e.g. to 32x32."
        )
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{name} contains NaN or inf (first at frame {bad[0]}, pixel {tuple(bad[1:])}); impute them first."
        )
    return arr


@dataclasses.dataclass(frozen=True)
class AutoencoderHistory:
    """Per-epoch losses of a :class:`SparseVARAutoencoder` fit.

    Attributes
    ----------
    recon : numpy.ndarray, shape (epochs,)
        Reconstruction mean squared error, in units of the movie's scale squared
        (the movie is divided by its standard deviation around the temporal mean).
    var : numpy.ndarray, shape (epochs,)
        Mean squared one-step forecast error of the standardised latents under the lasso
        VAR fitted to them at that epoch (for ``mode="two_stage"`` it is computed without
        gradient, for monitoring only).
    total : numpy.ndarray, shape (epochs,)
        The objective that was minimised: ``recon + var_weight * var`` for end-to-end,
        ``recon`` for two-stage.
    """

    recon: np.ndarray
    var: np.ndarray
    total: np.ndarray

    def __repr__(self):
        return (
            f"AutoencoderHistory({len(self.total)} epochs; final recon {self.recon[-1]:.4g}, "
            f"var {self.var[-1]:.4g}, total {self.total[-1]:.4g})"
        )


def _space_to_depth(x):
    """(T, H, W, C) -> (T, H/2, W/2, 4C): every 2x2 patch becomes one vector."""
    T, H, W, C = x.shape
    return x.reshape(T, H // 2, 2, W // 2, 2, C).permute(0, 1, 3, 2, 4, 5).reshape(T, H // 2, W // 2, 4 * C)


def _depth_to_space(x):
    """(T, h, w, 4C) -> (T, 2h, 2w, C), the inverse of :func:`_space_to_depth`."""
    T, h, w, C4 = x.shape
    C = C4 // 4
    return x.reshape(T, h, w, 2, 2, C).permute(0, 1, 3, 2, 4, 5).reshape(T, 2 * h, 2 * w, C)


class _ConvAutoencoder(nn.Module):
    """Two stride-2 convolutions + linear to ``K`` latents, and the mirror image back.

    The convolutions have kernel 2 and stride 2 (non-overlapping 2x2 patches). They are
    written as space-to-depth followed by a linear map over channels, which is the same
    operation as ``nn.Conv2d(c_in, c_out, 2, stride=2)`` (and its transpose in the
    decoder) but several times faster on a CPU for images this small.
    """

    def __init__(self, H, W, K, C, static):
        super().__init__()
        self.H, self.W, self.C = H, W, C
        self.static = nn.Parameter(static.clone())
        n_hidden = C * (H // 4) * (W // 4)
        self.act = nn.SiLU()
        self.enc1 = nn.Linear(4, C)
        self.enc2 = nn.Linear(4 * C, C)
        self.enc3 = nn.Linear(n_hidden, K)
        self.dec1 = nn.Linear(K, n_hidden)
        self.dec2 = nn.Linear(C, 4 * C)
        self.dec3 = nn.Linear(C, 4)

    def encode(self, frames):
        """frames (T, H, W) -> raw latents (T, K)."""
        x = (frames - self.static).unsqueeze(-1)
        x = self.act(self.enc1(_space_to_depth(x)))
        x = self.act(self.enc2(_space_to_depth(x)))
        return self.enc3(x.reshape(x.shape[0], -1))

    def decode_dynamic(self, h):
        """raw latents (T, K) -> the time-varying part of the frames (T, H, W), without S."""
        x = self.act(self.dec1(h).reshape(-1, self.H // 4, self.W // 4, self.C))
        x = self.act(_depth_to_space(self.dec2(x)))
        return _depth_to_space(self.dec3(x)).squeeze(-1)

    def forward(self, frames):
        h = self.encode(frames)
        return h, self.static + self.decode_dynamic(h)


class SparseVARAutoencoder(BaseEstimator):
    """Convolutional autoencoder whose standardised latents follow a sparse (lasso) VAR.

    See the module docstring for the architecture and the objective.

    Parameters
    ----------
    n_factors : int, default 4
        Number of latent factors ``K >= 2``.
    lag : int, default 1
        Order of the latent VAR.
    alpha : float, default 0.05
        Lasso penalty of the latent VAR, on scikit-learn's scale
        ``1/(2n)||y - Zb||^2 + alpha ||b||_1`` per target; the latents are standardised,
        so ``alpha`` is in standard-deviation units. ``alpha >= 0``.
    var_weight : float, default 1.0
        Weight of the VAR forecast error in the end-to-end objective, ``>= 0``.
    channels : int, default 8
        Channels of the convolutional layers.
    epochs : int, default 300
        Full-batch Adam steps.
    lr : float, default 1e-2
        Adam learning rate.
    mode : {"end_to_end", "two_stage"}, default "end_to_end"
        Train through the lasso VAR, or train the autoencoder alone and fit the VAR after.
    seed : None, int or numpy.random.Generator
        Seeds torch inside :meth:`fit` only; the global torch random state is restored
        afterwards. The same seed gives the same numbers on the same machine.
    device : str or torch.device, default "cpu"
        ``"cpu"`` or ``"cuda"``.

    Attributes
    ----------
    coef_ : numpy.ndarray, shape (lag, K, K)
        Lasso VAR coefficients of the standardised latents; ``coef_[k-1, i, j]`` is the
        effect of latent ``i`` at ``t-k`` on latent ``j`` at ``t``.
    intercept_ : numpy.ndarray, shape (K,)
    factors_ : numpy.ndarray, shape (T, K)
        Standardised latents of the training movie (the series the VAR is fitted to).
    static_ : numpy.ndarray, shape (H, W)
        The learned static image ``S`` in the movie's units.
    footprints_ : numpy.ndarray, shape (K, H, W)
        Decoder response to a unit change of each standardised latent (one standard
        deviation of the raw latent) around the mean latent:
        ``decode(m + sd_k e_k) - decode(m)``, in the movie's units. The decoder is
        nonlinear, so this is a local summary.
    latent_mean_, latent_std_ : numpy.ndarray, shape (K,)
        Mean and standard deviation of the raw latents over the training frames.
    pixel_scale_ : float
        Standard deviation of the training movie around its temporal mean; the network
        works on ``movie / pixel_scale_``.
    loss_history_ : AutoencoderHistory
    fit_seconds_ : float

    Examples
    --------
    >>> from gcbook.simulate import calcium_movie
    >>> sim = calcium_movie(T=200, K=3, size=16, n_drivers=1, seed=0, footprint_width=2.0)
    >>> model = SparseVARAutoencoder(n_factors=3, epochs=5, seed=0).fit(sim.movie)
    >>> model.coef_.shape, model.factors_.shape, model.footprints_.shape
    ((1, 3, 3), (200, 3), (3, 16, 16))
    >>> model.transform(sim.movie[:50]).shape
    (50, 3)
    """

    def __init__(
        self,
        *,
        n_factors=4,
        lag=1,
        alpha=0.05,
        var_weight=1.0,
        channels=8,
        epochs=300,
        lr=1e-2,
        mode="end_to_end",
        seed=None,
        device="cpu",
    ):
        self.n_factors = n_factors
        self.lag = lag
        self.alpha = alpha
        self.var_weight = var_weight
        self.channels = channels
        self.epochs = epochs
        self.lr = lr
        self.mode = mode
        self.seed = seed
        self.device = device
        self._check_params()

    # ------------------------------------------------------------------ parameters
    def _params_changed(self):
        self._check_params()

    def _check_params(self):
        check_int(self.n_factors, "n_factors", 2)
        check_lag(self.lag)
        check_real(self.alpha, "alpha", low=0)
        check_real(self.var_weight, "var_weight", low=0)
        check_int(self.channels, "channels", 1)
        check_int(self.epochs, "epochs", 1)
        check_real(self.lr, "lr", low=0, low_open=True)
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}.")
        return resolve_device(self.device)

    # ------------------------------------------------------------------ internals
    def _tensor(self, arr):
        return torch.as_tensor(np.asarray(arr), dtype=torch.float32, device=self._device)

    def _standardise(self, h):
        """Standardise raw latents (T, K) over time, differentiably."""
        mean = h.mean(0)
        std = h.std(0, unbiased=False) + _EPS
        return (h - mean) / std

    def _var_term(self, z, detach_coef=False):
        """Mean squared one-step forecast error of ``z`` (T, K) under its own lasso VAR fit.

        Returns ``(loss, coef, intercept)``. With ``detach_coef`` the lasso solution is
        treated as a constant (used by the tests to isolate the gradient through the lasso).
        """
        coef, intercept = lasso_var_torch(z.double(), self.lag, float(self.alpha), method="active_set")
        coef, intercept = coef.to(z.dtype), intercept.to(z.dtype)
        if detach_coef:
            coef, intercept = coef.detach(), intercept.detach()
        T = z.shape[0]
        pred = intercept + sum(z[self.lag - k : T - k] @ coef[k - 1] for k in range(1, self.lag + 1))
        return ((z[self.lag :] - pred) ** 2).mean(), coef, intercept

    def _losses(self, frames, detach_coef=False):
        """Reconstruction loss, VAR loss, raw latents for normalised ``frames`` (T, H, W)."""
        h, recon = self.model_(frames)
        recon_loss = ((recon - frames) ** 2).mean()
        var_loss, _, _ = self._var_term(self._standardise(h), detach_coef=detach_coef)
        return recon_loss, var_loss, h

    def _check_fitted(self):
        check_is_fitted(self, "model_", "fit(movie)")

    def _frames(self, movie):
        """Validate a movie against the fitted shape and return it normalised as a tensor."""
        self._check_fitted()
        arr = _check_movie(movie)
        if arr.shape[1:] != self.frame_shape_:
            raise ValueError(f"movie frames are {arr.shape[1:]} but the model was fitted on {self.frame_shape_}.")
        return self._tensor(arr / self.pixel_scale_)

    # ------------------------------------------------------------------ fit
    def fit(self, movie):
        """Train the autoencoder (and the latent VAR) on a movie.

        Parameters
        ----------
        movie : array_like, shape (T, H, W)
            Frames in time order; ``H`` and ``W`` multiples of 4, no NaN or inf, and
            ``T`` larger than ``max(10, 2 * lag + 2)``.

        Returns
        -------
        self
        """
        self._device = self._check_params()
        arr = _check_movie(movie)
        T, H, W = arr.shape
        if T <= max(10, 2 * self.lag + 2):
            raise ValueError(
                f"movie has T={T} frames; at least {max(10, 2 * self.lag + 2) + 1} are needed for lag={self.lag}."
            )
        mean_img = arr.mean(0)
        scale = float(np.sqrt(np.mean((arr - mean_img) ** 2)))
        if scale == 0:
            raise ValueError("movie is constant in time; there are no dynamics to model.")
        self.pixel_scale_ = scale
        self.frame_shape_ = (H, W)
        devices = [self._device] if self._device.type == "cuda" else []
        start = time.perf_counter()
        with torch.random.fork_rng(devices=devices):
            torch.random.default_generator.manual_seed(seed_int(self.seed))
            self._fit(self._tensor(arr / scale))
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def _fit(self, frames):
        T, H, W = frames.shape
        self.model_ = _ConvAutoencoder(H, W, self.n_factors, self.channels, frames.mean(0)).to(self._device)
        opt = torch.optim.Adam(self.model_.parameters(), lr=self.lr)
        end_to_end = self.mode == "end_to_end"
        hist = np.zeros((3, self.epochs))
        for epoch in range(self.epochs):
            opt.zero_grad()
            if end_to_end:
                recon_loss, var_loss, _ = self._losses(frames)
                total = recon_loss + self.var_weight * var_loss
            else:
                h, recon = self.model_(frames)
                recon_loss = ((recon - frames) ** 2).mean()
                with torch.no_grad():
                    var_loss, _, _ = self._var_term(self._standardise(h.detach()))
                total = recon_loss
            total.backward()
            opt.step()
            hist[:, epoch] = recon_loss.item(), var_loss.item(), total.item()
        self.loss_history_ = AutoencoderHistory(recon=hist[0], var=hist[1], total=hist[2])

        self.model_.eval()
        with torch.no_grad():
            h = self.model_.encode(frames)
            mean, std = h.mean(0), h.std(0, unbiased=False) + _EPS
            z = (h - mean) / std
            self.latent_mean_ = mean.cpu().numpy().astype(np.float64)
            self.latent_std_ = std.cpu().numpy().astype(np.float64)
            self.factors_ = z.cpu().numpy().astype(np.float64)
            if end_to_end:
                _, coef, intercept = self._var_term(z)
                self.coef_ = coef.cpu().numpy().astype(np.float64)
                self.intercept_ = intercept.cpu().numpy().astype(np.float64)
            else:
                fit = lasso_var(self.factors_, self.lag, float(self.alpha))
                self.coef_ = np.ascontiguousarray(fit.coef_by_lag.transpose(2, 0, 1))  # back to (lag, K, K)
                Zs = [self.factors_[self.lag - k : T - k] for k in range(1, self.lag + 1)]
                pred = sum(Zk @ self.coef_[k] for k, Zk in enumerate(Zs))
                self.intercept_ = (self.factors_[self.lag :] - pred).mean(0)
            base = mean.unsqueeze(0)
            shifted = base + torch.diag(std)
            resp = self.model_.decode_dynamic(shifted) - self.model_.decode_dynamic(base)
            self.footprints_ = resp.cpu().numpy().astype(np.float64) * self.pixel_scale_
            self.static_ = self.model_.static.cpu().numpy().astype(np.float64) * self.pixel_scale_

    # ------------------------------------------------------------------ use
    def transform(self, movie):
        """Standardised latents of a movie, with the training mean and std.

        Parameters
        ----------
        movie : array_like, shape (T, H, W)

        Returns
        -------
        numpy.ndarray, shape (T, K)
        """
        frames = self._frames(movie)
        with torch.no_grad():
            h = self.model_.encode(frames).cpu().numpy().astype(np.float64)
        return (h - self.latent_mean_) / self.latent_std_

    def reconstruct(self, movie):
        """Autoencoder reconstruction ``S + decode(encode(frame - S))`` of every frame.

        Parameters
        ----------
        movie : array_like, shape (T, H, W)

        Returns
        -------
        numpy.ndarray, shape (T, H, W)
            In the movie's units.
        """
        frames = self._frames(movie)
        with torch.no_grad():
            _, recon = self.model_(frames)
        return recon.cpu().numpy().astype(np.float64) * self.pixel_scale_

    def contribution_maps(self, movie):
        """Which pixels drive each latent: mean absolute input gradient over frames.

        ``maps[k, y, x]`` is the mean over frames of ``|d z_k / d movie[t, y, x]|``, where
        ``z_k`` is the standardised latent ``k`` and the movie is in its own units. The
        Jacobian of the encoder is computed per frame with :func:`torch.func.jacrev`,
        vectorised over frames with :func:`torch.func.vmap`.

        Parameters
        ----------
        movie : array_like, shape (T, H, W)

        Returns
        -------
        numpy.ndarray, shape (K, H, W)
        """
        from torch.func import jacrev, vmap

        frames = self._frames(movie)
        model = self.model_

        def encode_one(frame):
            return model.encode(frame.unsqueeze(0)).squeeze(0)

        maps = torch.zeros((self.n_factors,) + self.frame_shape_, device=self._device)
        for chunk in torch.split(frames, 256):
            maps += vmap(jacrev(encode_one))(chunk).detach().abs().sum(0)
        maps = maps.cpu().numpy().astype(np.float64) / frames.shape[0]
        return maps / (self.latent_std_[:, None, None] * self.pixel_scale_)


# ---------------------------------------------------------------------- evaluation helpers
def _check_footprints(F, name):
    arr = np.asarray(F, dtype=np.float64)
    if arr.ndim < 2:
        raise ValueError(f"{name} must have shape (K, H, W) or (K, n_pixels), got shape {arr.shape}.")
    arr = arr.reshape(arr.shape[0], -1)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf.")
    if np.any(np.ptp(arr, axis=1) == 0):
        raise ValueError(f"{name} has a constant footprint; its correlation is undefined.")
    return arr


def footprint_correlation(true_footprints, est_footprints):
    """Absolute Pearson correlation between every true and every estimated footprint.

    Parameters
    ----------
    true_footprints : array_like, shape (K, H, W)
    est_footprints : array_like, shape (K_est, H, W)

    Returns
    -------
    numpy.ndarray, shape (K, K_est)
        ``R[k, l] = |corr(true_k, est_l)|`` over pixels.

    Examples
    --------
    >>> F = np.eye(3).reshape(3, 3, 1) + 0.1
    >>> footprint_correlation(F, F[::-1]).round(2)
    array([[0.5, 0.5, 1. ],
           [0.5, 1. , 0.5],
           [1. , 0.5, 0.5]])
    """
    A = _check_footprints(true_footprints, "true_footprints")
    B = _check_footprints(est_footprints, "est_footprints")
    if A.shape[1] != B.shape[1]:
        raise ValueError(f"footprints have {A.shape[1]} and {B.shape[1]} pixels; they must be the same size.")
    A = A - A.mean(1, keepdims=True)
    B = B - B.mean(1, keepdims=True)
    A /= np.linalg.norm(A, axis=1, keepdims=True)
    B /= np.linalg.norm(B, axis=1, keepdims=True)
    return np.abs(A @ B.T)


def match_factors(true_footprints, est_footprints):
    """Pair estimated factors with true ones by their footprints (Hungarian matching).

    Maximises the total absolute correlation of the flattened footprints with
    :func:`scipy.optimize.linear_sum_assignment`. The sign of a latent is not identified,
    hence the absolute value.

    Parameters
    ----------
    true_footprints : array_like, shape (K, H, W)
    est_footprints : array_like, shape (K_est, H, W), ``K_est >= K``

    Returns
    -------
    perm : numpy.ndarray of int, shape (K,)
        ``perm[k]`` is the estimated factor matched to true factor ``k``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> F = rng.random((4, 8, 8))
    >>> match_factors(F, -2.0 * F[[2, 0, 3, 1]])
    array([1, 3, 0, 2])
    """
    R = footprint_correlation(true_footprints, est_footprints)
    if R.shape[1] < R.shape[0]:
        raise ValueError(f"Need at least as many estimated factors as true ones, got {R.shape[1]} < {R.shape[0]}.")
    rows, cols = linear_sum_assignment(-R)
    perm = np.empty(R.shape[0], dtype=np.int64)
    perm[rows] = cols
    return perm


def aligned_coef(coef_est, perm):
    """Reorder estimated VAR coefficients into the true factors' order.

    Parameters
    ----------
    coef_est : array_like, shape (lag, K_est, K_est)
        ``coef_est[k-1, i, j]`` is the effect of estimated latent ``i`` at ``t-k`` on
        estimated latent ``j`` at ``t``.
    perm : array_like of int, shape (K,)
        From :func:`match_factors`: ``perm[a]`` is the estimated latent matched to true
        factor ``a``.

    Returns
    -------
    numpy.ndarray, shape (lag, K, K)
        ``out[k-1, a, b] = coef_est[k-1, perm[a], perm[b]]``: the effect of (the latent
        matched to) true factor ``a`` on true factor ``b``; the cause is still the row.

    Examples
    --------
    >>> C = np.zeros((1, 3, 3)); C[0, 2, 0] = 0.5   # latent 2 -> latent 0
    >>> aligned_coef(C, [2, 1, 0])[0]                # true 0 is latent 2, true 2 is latent 0
    array([[0. , 0. , 0.5],
           [0. , 0. , 0. ],
           [0. , 0. , 0. ]])
    """
    C = np.asarray(coef_est, dtype=np.float64)
    if C.ndim != 3 or C.shape[1] != C.shape[2]:
        raise ValueError(f"coef_est must have shape (lag, K, K), got {C.shape}.")
    perm = np.asarray(perm)
    if perm.ndim != 1 or not np.issubdtype(perm.dtype, np.integer):
        raise ValueError(f"perm must be a 1-D array of ints, got {perm!r}.")
    if len(np.unique(perm)) != len(perm) or perm.min(initial=0) < 0 or perm.max(initial=0) >= C.shape[1]:
        raise ValueError(f"perm must hold distinct indices in [0, {C.shape[1]}), got {perm.tolist()}.")
    return C[:, perm][:, :, perm]


def driver_auroc(true_graph, coef_est_aligned):
    """AUROC of the off-diagonal driver edges scored by ``max_k |coef[k-1, i, j]|``.

    Parameters
    ----------
    true_graph : array_like, shape (K, K)
        ``true_graph[i, j] = 1`` means factor ``i`` drives factor ``j``.
    coef_est_aligned : array_like, shape (lag, K, K)
        Estimated coefficients in the true factors' order (:func:`aligned_coef`).

    Returns
    -------
    float
        From :func:`gcbook.metrics.auroc` with the diagonal excluded.

    Examples
    --------
    >>> G = np.array([[0, 1, 0], [0, 0, 0], [0, 0, 0]])
    >>> C = np.zeros((1, 3, 3)); C[0, 0, 1] = -0.4; C[0, 2, 1] = 0.1
    >>> driver_auroc(G, C)
    1.0
    """
    from gcbook.metrics import auroc

    C = np.asarray(coef_est_aligned, dtype=np.float64)
    if C.ndim != 3:
        raise ValueError(f"coef_est_aligned must have shape (lag, K, K), got {C.shape}.")
    return auroc(true_graph, np.abs(C).max(axis=0), include_diagonal=False)


# ---------------------------------------------------------------------- two recordings
TEST_METHODS = ("permutation", "chi2")


@dataclasses.dataclass(frozen=True)
class TwoRecordingResult:
    """Likelihood-ratio test of equal VAR coefficients in two recordings.

    Attributes
    ----------
    statistic : float
        The (Sims-corrected) likelihood-ratio statistic.
    df : int
        Degrees of freedom of its asymptotic chi-square distribution, ``K * (K * lag + 1)``
        (reported for both methods; only ``method="chi2"`` uses it for the p-value).
    p_value : float
    method : {"permutation", "chi2"}
    n_permutations : int
        Random block permutations drawn (0 for ``"chi2"``).
    block_length : int
        Frames per block (0 for ``"chi2"``).
    """

    __test__ = False  # not a pytest test class

    statistic: float
    df: int
    p_value: float
    method: str = "chi2"
    n_permutations: int = 0
    block_length: int = 0

    def __repr__(self):
        extra = (
            f", n_permutations={self.n_permutations}, block_length={self.block_length}" if self.n_permutations else ""
        )
        return (
            f"TwoRecordingResult(statistic={self.statistic:.4g}, df={self.df}, p_value={self.p_value:.3g}, "
            f"method={self.method!r}{extra})"
        )


TestResult = TwoRecordingResult
"""Alias of :class:`TwoRecordingResult`."""


def _lagged_design(X, lag):
    """Targets (n, K) and the design ``[1, lags]`` (n, K lag + 1) of a VAR(lag), ``n = T - lag``."""
    Y, lags = lag_matrix(X, lag)
    return np.column_stack([np.ones(Y.shape[0]), lags.reshape(Y.shape[0], -1)]), Y


def _moments(X, lag):
    """Cross-products ``(ZᵀZ, ZᵀY, YᵀY, n)`` of the VAR(lag) design of one stretch ``X`` (T, K)."""
    Z, Y = _lagged_design(X, lag)
    return Z.T @ Z, Z.T @ Y, Y.T @ Y, Y.shape[0]


def _residual_ssp(G, H, S):
    """Residual sum of squares and products ``S - Hᵀ G⁻¹ H`` of least squares; batched over leading axes."""
    return S - np.swapaxes(H, -1, -2) @ np.linalg.solve(G, H)


def _lr_statistic(ssp_unrestricted, ssp_restricted, n, m):
    """Sims-corrected LR ``(n - m)(log|Σ_R| - log|Σ_U|)``; batched over the leading axes of the unrestricted."""
    sign_u, logdet_u = np.linalg.slogdet(ssp_unrestricted / n)
    sign_r, logdet_r = np.linalg.slogdet(ssp_restricted / n)
    if np.any(sign_u <= 0) or sign_r <= 0:
        raise ValueError("The residual covariance is singular; are some latents exact combinations of others?")
    return np.maximum((n - m) * (logdet_r - logdet_u), 0.0)


def _blocks(X, block_length, name):
    """Cut ``X`` (T, K) into ``T // block_length`` consecutive blocks of (nearly) equal length."""
    n_blocks = X.shape[0] // block_length
    if n_blocks < 2:
        raise ValueError(
            f"{name} has T={X.shape[0]} rows: fewer than 2 blocks of block_length={block_length}; "
            "use a shorter block_length or method='chi2'."
        )
    return np.array_split(X, n_blocks)


def two_recording_test(
    latents_a, latents_b, lag=1, method="permutation", *, block_length=50, n_permutations=999, seed=None
):
    """Test whether two recordings follow the same VAR(lag) (Chow-type likelihood ratio).

    Each recording is modelled as ``z(t) = c + sum_k z(t-k) B_k + e(t)`` with errors of one
    covariance ``Sigma`` shared by both recordings in both models. The unrestricted model fits
    ``(c, B)`` to each recording separately, the restricted model fits one ``(c, B)`` to both
    (unpenalised least squares, with intercepts). With ``n`` one-step equations in all,

    .. math:: \\mathrm{LR} = (n - m)\\,\\bigl(\\log|\\hat\\Sigma_R| - \\log|\\hat\\Sigma_U|\\bigr),

    where ``Sigma_R`` and ``Sigma_U`` are the residual covariance matrices (divided by
    ``n``) of the restricted and the unrestricted fit, and ``m = 2 (K lag + 1)`` is the
    number of regressors per equation of the unrestricted model (Sims's small-sample
    correction of the factor ``n``).

    Two ways to get a p-value:

    * ``method="chi2"``: LR is asymptotically chi-square with ``K (K lag + 1)`` degrees of
      freedom when the latents are a Gaussian-like VAR(lag). Latents of calcium movies are
      not: their innovations are sparse spikes (heavy tails), and an encoder's latents are
      only approximately a VAR. On short recordings the chi-square p-values are then too
      small (the benchmark ``benchmarks/sparse_var.py`` measures the size).
    * ``method="permutation"`` (default): each recording is cut into consecutive blocks of
      ``block_length`` frames. The statistic, computed with the design built inside each
      block (``lag`` equations lost per block), is recomputed for ``n_permutations`` random
      reassignments of the blocks to the two recordings (the numbers of blocks kept), and
      ``p = (1 + #{LR_perm >= LR}) / (1 + n_permutations)``. If the blocks were independent
      and identically distributed under the null (both recordings from one stationary
      process), they would be exchangeable, and the p-value exact whatever their
      distribution. They are not quite: adjacent blocks of one recording are dependent
      (activity carries over a block boundary), so the test is only approximately exact, the
      better the longer the blocks are compared with the memory of the latents, and its size
      has to be checked by simulation. ``benchmarks/sparse_var.py`` does so on simulated
      calcium movies (1000 null pairs at each of 300, 600 and 1200 frames, blocks of 50
      frames, latent memory about ``0.9**t``, an encoder fitted to a separate recording):
      there every exact 95% interval of the permutation test's rejection rate at 0.05
      contains 0.05 and lies below 0.08, while the chi-square p-value is liberal at 300
      frames (about 0.10). That shows the permutation test close to its nominal size on such
      data, not exact in general: shorter blocks, slower dynamics, or a different
      stationary process can change it. The null is also "the same process", slightly more
      than "the same coefficients". With few blocks the p-value is coarse: ``a`` and ``b``
      blocks can be split in only ``C(a + b, a)`` ways, and a split and its mirror image
      give the same statistic, so p-values below about ``2 / C(a + b, a)`` cannot occur (3
      blocks each: about 0.1).

    Parameters
    ----------
    latents_a, latents_b : array_like, shape (T_a, K) and (T_b, K)
        The latent series of the two recordings, for example
        ``model.transform(movie_a)`` and ``model.transform(movie_b)`` of one fitted
        :class:`SparseVARAutoencoder`.
    lag : int, default 1
    method : {"permutation", "chi2"}, default "permutation"
    block_length : int, default 50
        Frames per block (``method="permutation"`` only); each recording needs at least two
        blocks, and a block more than ``lag + K lag + 1`` frames.
    n_permutations : int, default 999
        Random block reassignments (``method="permutation"`` only), ``>= 19``.
    seed : None, int or numpy.random.Generator
        Draws the permutations.

    Returns
    -------
    TwoRecordingResult
        ``statistic``, ``df``, ``p_value``, ``method``, ``n_permutations``, ``block_length``.

    Raises
    ------
    ValueError
        On NaN or inf, different numbers of series, recordings too short for the lag (or
        for two blocks), a singular residual covariance, or a bad ``method``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> def simulate(B, T):
    ...     z = np.zeros((T, 2))
    ...     for t in range(1, T):
    ...         z[t] = z[t - 1] @ B + rng.standard_normal(2)
    ...     return z
    >>> B = np.array([[0.5, 0.4], [0.0, 0.5]])
    >>> res = two_recording_test(simulate(B, 400), simulate(B, 400), seed=0)
    >>> res.df, res.n_permutations, res.block_length
    (6, 999, 50)
    >>> two_recording_test(simulate(B, 400), simulate(B.T, 400), seed=0).p_value   # the smallest possible
    0.001
    >>> two_recording_test(simulate(B, 400), simulate(B.T, 400), method="chi2").p_value < 1e-6
    True
    """
    A, _ = as_time_series(latents_a, name="latents_a", min_vars=1)
    Bm, _ = as_time_series(latents_b, name="latents_b", min_vars=1)
    if A.shape[1] != Bm.shape[1]:
        raise ValueError(f"latents_a has {A.shape[1]} series and latents_b {Bm.shape[1]}; they must match.")
    if method not in TEST_METHODS:
        raise ValueError(f"method must be one of {TEST_METHODS}, got {method!r}.")
    K = A.shape[1]
    lag = check_lag(lag)
    n_par = K * lag + 1
    m = 2 * n_par
    df = K * n_par
    for name, X in (("latents_a", A), ("latents_b", Bm)):
        if X.shape[0] - lag <= n_par:
            raise ValueError(
                f"{name} has T={X.shape[0]} rows; at least {lag + n_par + 1} are needed for K={K}, lag={lag}."
            )
    if method == "chi2":
        stretches = [A, Bm]
        labels = np.array([0, 1])
    else:
        block_length = check_int(block_length, "block_length", lag + n_par + 1)
        n_permutations = check_int(n_permutations, "n_permutations", 19)
        blocks_a, blocks_b = _blocks(A, block_length, "latents_a"), _blocks(Bm, block_length, "latents_b")
        stretches = blocks_a + blocks_b
        labels = np.repeat([0, 1], [len(blocks_a), len(blocks_b)])
    grams, cross, squares, counts = zip(*(_moments(X, lag) for X in stretches))
    G, H, S = np.stack(grams), np.stack(cross), np.stack(squares)
    n = int(sum(counts))
    if n - m <= K:
        raise ValueError("Too few time points for the test; use longer recordings.")
    restricted = _residual_ssp(G.sum(0), H.sum(0), S.sum(0))

    def statistic(group_of_b):
        """LR for block labels (..., n_blocks) in {0, 1}: 1 marks the blocks of recording b."""
        w = np.stack([1.0 - group_of_b, group_of_b]).astype(float)  # (2, ..., n_blocks)
        ssp = sum(_residual_ssp(*(np.tensordot(w[g], M, axes=1) for M in (G, H, S))) for g in range(2))
        return _lr_statistic(ssp, restricted, n, m)

    observed = float(statistic(labels))
    if method == "chi2":
        return TwoRecordingResult(statistic=observed, df=int(df), p_value=float(stats.chi2.sf(observed, df)))
    rng = check_random_state(seed)
    shuffled = np.stack([rng.permutation(labels) for _ in range(n_permutations)])
    null = statistic(shuffled)
    p_value = (1 + np.sum(null >= observed * (1 - 1e-12))) / (1 + n_permutations)
    return TwoRecordingResult(
        statistic=observed,
        df=int(df),
        p_value=float(p_value),
        method="permutation",
        n_permutations=n_permutations,
        block_length=block_length,
    )
