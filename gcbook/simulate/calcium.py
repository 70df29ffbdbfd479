"""Synthetic two-photon calcium imaging movies driven by a sparse VAR(1) of latent factors.

A movie of ``T`` frames of ``size x size`` pixels is generated from ``K`` latent
factors ("cells" or "units"), each with a fixed spatial footprint, on top of a
static background:

.. math::

    x_t &= B^\\top x_{t-1} + s_t, \\qquad s_{t,k} \\ge 0 \\text{ sparse spikes}, \\\\
    \\text{movie}_t &= \\text{background} + \\sum_k x_{t,k}\\, \\text{footprint}_k
    + \\sigma\\, \\varepsilon_t, \\qquad \\varepsilon_t \\sim N(0, I).

Latent factors
--------------
Each factor spikes with probability ``spike_rate`` per frame, with an
exponentially distributed amplitude of mean ``spike_scale``. The diagonal of
``B`` (the field ``coef``) is ``decay``, so a spike followed by no input decays
like ``decay ** t``: the calcium-like transient, "spikes convolved with an
exponential kernel", is exactly this AR(1) with positive innovations.
``n_drivers`` off-diagonal entries, drawn with the seed along a random causal
order of the factors (so without cycles, and the VAR is stable with spectral
radius ``decay``), have weight ``coupling > 0``: these are the true
Granger-causal edges between factors.
All weights and innovations are non-negative, so the factors stay ``>= 0``.

Orientation
-----------
The book's orientation: ``coef[i, j]`` is the effect of factor ``i`` at ``t - 1``
on factor ``j`` at ``t``,

.. math:: x_t[j] = \\sum_i \\text{coef}[i, j]\\, x_{t-1}[i] + s_t[j],

and ``graph[i, j] = 1`` means ``i -> j`` (the cause is the row). ``graph``
holds the off-diagonal drivers only (its diagonal is 0); every factor's
dependence on its own past is the diagonal of ``coef``.

Images
------
Footprints are isotropic Gaussian blobs of standard deviation
``footprint_width`` pixels, each normalised to maximum 1. Their centres are
drawn with the seed, at least ``footprint_width`` pixels from the border and at
least ``3 * footprint_width`` apart, so that a blob is below
``exp(-4.5) ~ 0.011`` at any other blob's centre. The default background is a
static, non-sparse image: a level of 1 with a smooth linear gradient (from 1 to
1.5 in a random direction) plus three bright static blobs (amplitude 1 to 2)
that do not vary in time. It is the part of the movie an autoencoder's skip
connection is meant to carry; the sparse, time-varying part lives in the factors.

Public functions
----------------
:func:`calcium_movie`
    One recording with its full ground truth (:class:`CalciumMovie`).
:func:`movie_pair`
    Two recordings of the same unit (same footprints and background) whose VAR
    coefficients are the same or differ in one driver edge (:class:`CalciumPair`).
:func:`rerecord`
    Another recording of the unit of an earlier simulation, optionally with new VAR
    coefficients.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gcbook._validation import check_int, check_random_state, check_real

__all__ = ["CalciumMovie", "CalciumPair", "calcium_movie", "movie_pair", "rerecord"]

#: Footprint centres are at least this many footprint widths apart.
_SEPARATION = 3.0
#: Number of static blobs in the default background.
_N_STATIC_BLOBS = 3


@dataclass(frozen=True, repr=False)
class CalciumMovie:
    """A synthetic calcium imaging movie with the truth that generated it.

    Unpacks as ``movie, factors, graph = sim``.

    Attributes
    ----------
    movie : numpy.ndarray of float64 (or float32 if asked), shape (T, H, W)
        ``movie[t] = background + sum_k factors[t, k] * footprints[k] + noise * N(0, 1)``
        per pixel (``H = W = size``).
    factors : numpy.ndarray of float64, shape (T, K)
        The latent factors ``x_t``, all ``>= 0``.
    spikes : numpy.ndarray of float64, shape (T, K)
        The innovations ``s_t >= 0``: ``factors[t] = factors[t - 1] @ coef + spikes[t]``
        for ``t >= 1`` (row 0 continues from the discarded burn-in).
    footprints : numpy.ndarray of float64, shape (K, H, W)
        Non-negative spatial footprints, each with maximum 1.
    centres : numpy.ndarray of float64, shape (K, 2)
        Footprint centres as (row, column) in pixels.
    coef : numpy.ndarray of float64, shape (K, K)
        VAR(1) weights, ``coef[i, j]`` = effect of factor ``i`` at ``t - 1`` on
        factor ``j`` at ``t``; diagonal ``decay``, drivers ``coupling``, 0 elsewhere.
    graph : numpy.ndarray of int, shape (K, K)
        ``graph[i, j] = 1`` for the driver edges ``i -> j`` (off-diagonal nonzeros
        of ``coef``); the diagonal is 0.
    background : numpy.ndarray of float64, shape (H, W)
        The static background image.
    noise : float
        Standard deviation of the i.i.d. Gaussian pixel noise.
    decay, coupling, spike_rate, spike_scale, footprint_width : float
        The settings used (see :func:`calcium_movie`).
    burn_in : int
        Frames simulated from ``x = 0`` and discarded before the first frame.
    """

    movie: np.ndarray
    factors: np.ndarray
    spikes: np.ndarray
    footprints: np.ndarray
    centres: np.ndarray
    coef: np.ndarray
    graph: np.ndarray
    background: np.ndarray
    noise: float
    decay: float
    coupling: float
    spike_rate: float
    spike_scale: float
    footprint_width: float
    burn_in: int

    def __iter__(self):
        return iter((self.movie, self.factors, self.graph))

    @property
    def edges(self) -> list[tuple[int, int]]:
        """The driver edges ``(i, j)``, meaning ``i -> j``, in row-major order."""
        return [(int(i), int(j)) for i, j in np.argwhere(self.graph)]

    def __repr__(self) -> str:
        T, H, W = self.movie.shape
        drivers = ", ".join(f"{i}->{j}" for i, j in self.edges) or "none"
        return (
            f"CalciumMovie(T={T}, K={self.factors.shape[1]}, size={H}x{W}, drivers=[{drivers}], "
            f"decay={self.decay:g}, coupling={self.coupling:g}, spike_rate={self.spike_rate:g}, "
            f"noise={self.noise:g}, dtype={self.movie.dtype})"
        )


@dataclass(frozen=True, repr=False)
class CalciumPair:
    """Two recordings of the same unit, from :func:`movie_pair`.

    Unpacks as ``first, second = pair``.

    Attributes
    ----------
    first, second : CalciumMovie
        The two recordings. They share footprints, centres and background
        (equal arrays, separate copies); their spikes and pixel noise are independent.
    same : bool
        True if both recordings have the same ``coef``.
    changed_edge : tuple of int or None
        ``(i, j)``: the driver edge ``i -> j`` whose weight differs in ``second``
        (``None`` when ``same``).
    """

    first: CalciumMovie
    second: CalciumMovie
    same: bool
    changed_edge: tuple[int, int] | None

    def __iter__(self):
        return iter((self.first, self.second))

    def __repr__(self) -> str:
        T, H, W = self.first.movie.shape
        if self.changed_edge is None:
            change = "none"
        else:
            i, j = self.changed_edge
            change = f"{i}->{j} ({self.first.coef[i, j]:g} -> {self.second.coef[i, j]:g})"
        return (
            f"CalciumPair(same={self.same}, changed_edge={change}, T={T}, "
            f"K={self.first.factors.shape[1]}, size={H}x{W})"
        )


# ----------------------------------------------------------------------------- checks
def _check_settings(
    T, K, size, n_drivers, decay, coupling, spike_rate, spike_scale, noise, footprint_width, burn_in, dtype
):
    T = check_int(T, "T", 2)
    K = check_int(K, "K", 2)
    size = check_int(size, "size", 1)
    n_drivers = check_int(n_drivers, "n_drivers", 0)
    if n_drivers > K * (K - 1) // 2:
        raise ValueError(
            f"n_drivers={n_drivers} exceeds the K(K-1)/2 = {K * (K - 1) // 2} edges an acyclic graph among K={K} "
            "factors can have."
        )
    decay = check_real(decay, "decay", low=0.0, high=1.0, low_open=True, high_open=True)
    coupling = check_real(coupling, "coupling", low=0.0, low_open=True)
    spike_rate = check_real(spike_rate, "spike_rate", low=0.0, high=1.0, low_open=True)
    spike_scale = check_real(spike_scale, "spike_scale", low=0.0, low_open=True)
    noise = check_real(noise, "noise", low=0.0)
    footprint_width = check_real(footprint_width, "footprint_width", low=0.0, low_open=True)
    burn_in = check_int(burn_in, "burn_in", 0)
    dtype = _check_dtype(dtype)
    return T, K, size, n_drivers, decay, coupling, spike_rate, spike_scale, noise, footprint_width, burn_in, dtype


def _check_dtype(dtype) -> np.dtype:
    """``dtype`` as float32 or float64, or a ValueError."""
    try:
        dtype = np.dtype(dtype)
    except TypeError as exc:
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}.") from exc
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}.")
    return dtype


def _grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    return np.meshgrid(np.arange(size, dtype=np.float64), np.arange(size, dtype=np.float64), indexing="ij")


def _blobs(centres: np.ndarray, widths, size: int) -> np.ndarray:
    """Gaussian blobs, shape (n, size, size), each normalised to maximum 1."""
    rows, cols = _grid(size)
    widths = np.broadcast_to(np.asarray(widths, dtype=np.float64), (centres.shape[0],))
    d2 = (rows[None] - centres[:, 0, None, None]) ** 2 + (cols[None] - centres[:, 1, None, None]) ** 2
    out = np.exp(-d2 / (2.0 * widths[:, None, None] ** 2))
    return out / out.max(axis=(1, 2), keepdims=True)


def _place_centres(rng: np.random.Generator, K: int, size: int, width: float) -> np.ndarray:
    """K centres at least ``width`` from the border and ``3 width`` apart, or a ValueError."""
    lo, hi = width, size - 1 - width
    sep = _SEPARATION * width
    need = int(np.ceil(2 * width + 1 + (np.ceil(np.sqrt(K)) - 1) * sep))
    msg = (
        f"size={size} is too small to place K={K} footprints of width {width:g} at least {sep:g} pixels "
        f"apart and {width:g} from the border; use size >= {need}, a smaller footprint_width or fewer factors."
    )
    if hi < lo:
        raise ValueError(msg)
    # dart throwing: accept random candidates that keep their distance, with restarts
    for _ in range(50):
        cands = rng.uniform(lo, hi, size=(50 * K, 2))
        chosen = [cands[0]]
        for c in cands[1:]:
            if np.min(np.hypot(*(np.asarray(chosen) - c).T)) >= sep:
                chosen.append(c)
                if len(chosen) == K:
                    return np.asarray(chosen)
        if K == 1:
            return np.asarray(chosen)
    # fallback: K random slots of a square lattice with spacing >= sep
    n_axis = int(np.floor((hi - lo) / sep)) + 1
    if n_axis * n_axis < K:
        raise ValueError(msg)
    axis = np.linspace(lo, hi, n_axis) if n_axis > 1 else np.array([(lo + hi) / 2])
    slots = np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2)
    return slots[np.sort(rng.choice(slots.shape[0], size=K, replace=False))]


def _default_background(rng: np.random.Generator, size: int, width: float) -> np.ndarray:
    """Level 1, a linear gradient up to 1.5 in a random direction, and bright static blobs."""
    rows, cols = _grid(size)
    theta = rng.uniform(0.0, 2.0 * np.pi)
    ramp = np.cos(theta) * rows + np.sin(theta) * cols
    span = np.ptp(ramp)
    bg = 1.0 + 0.5 * ((ramp - ramp.min()) / span if span > 0 else 0.0)
    centres = rng.uniform(0.0, size - 1, size=(_N_STATIC_BLOBS, 2))
    widths = width * rng.uniform(1.0, 2.0, size=_N_STATIC_BLOBS)
    amps = rng.uniform(1.0, 2.0, size=_N_STATIC_BLOBS)
    return bg + np.tensordot(amps, _blobs(centres, widths, size), axes=1)


def _background(rng, background, size: int, width: float) -> np.ndarray:
    if background is None:
        return _default_background(rng, size, width)
    arr = np.asarray(background, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full((size, size), float(arr))
    if arr.shape != (size, size):
        raise ValueError(
            f"background must be None, a number or an array of shape ({size}, {size}), got shape {arr.shape}."
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError("background contains NaN or inf.")
    return arr.copy()


# ----------------------------------------------------------------------------- dynamics
def _draw_coef(rng: np.random.Generator, K: int, n_drivers: int, decay: float, coupling: float) -> np.ndarray:
    """Diagonal ``decay`` plus ``n_drivers`` edges that respect a random causal order (no cycles).

    Without cycles the coefficient matrix is triangular up to a permutation, so its spectral
    radius is ``decay`` whatever the edges: every seed gives a stable VAR.
    """
    rank = rng.permutation(K)  # rank[i]: position of factor i in the causal order
    off = np.flatnonzero((rank[:, None] < rank[None, :]).ravel())  # i -> j only from earlier to later
    picked = np.sort(rng.choice(off, size=n_drivers, replace=False))
    coef = np.diag(np.full(K, decay))
    coef.flat[picked] = coupling
    return coef


def _record(rng, coef, T, burn_in, spike_rate, spike_scale, noise, footprints, background, dtype):
    """Simulate factors and spikes from x = 0, drop the burn-in, render the movie."""
    K = coef.shape[0]
    n = burn_in + T
    spikes = (rng.random((n, K)) < spike_rate) * rng.exponential(spike_scale, size=(n, K))
    x = np.empty((n, K))
    prev = np.zeros(K)
    for t in range(n):  # a recursion: one frame at a time
        prev = prev @ coef + spikes[t]
        x[t] = prev
    x, spikes = x[burn_in:], spikes[burn_in:]
    H, W = background.shape
    signal = x @ footprints.reshape(K, H * W)
    movie = background.reshape(1, H * W) + signal + noise * rng.standard_normal((T, H * W))
    return np.ascontiguousarray(x), np.ascontiguousarray(spikes), movie.reshape(T, H, W).astype(dtype, copy=False)


def _unit(rng, K, size, footprint_width, background):
    centres = _place_centres(rng, K, size, footprint_width)
    footprints = _blobs(centres, footprint_width, size)
    return centres, footprints, _background(rng, background, size, footprint_width)


def _package(coef, x, spikes, movie, centres, footprints, bg, settings) -> CalciumMovie:
    graph = ((coef != 0) & ~np.eye(coef.shape[0], dtype=bool)).astype(np.int64)
    return CalciumMovie(
        movie=movie,
        factors=x,
        spikes=spikes,
        footprints=footprints.copy(),
        centres=centres.copy(),
        coef=coef.copy(),
        graph=graph,
        background=bg.copy(),
        **settings,
    )


# ----------------------------------------------------------------------------- public
def calcium_movie(
    T=1000,
    K=4,
    size=32,
    n_drivers=2,
    seed=None,
    *,
    decay=0.9,
    coupling=0.3,
    spike_rate=0.05,
    spike_scale=1.0,
    noise=0.1,
    footprint_width=3.0,
    background=None,
    burn_in=200,
    dtype=np.float64,
) -> CalciumMovie:
    """Synthetic two-photon calcium movie whose latent factors follow a sparse VAR(1).

    The ``K`` factors follow ``x_t[j] = sum_i coef[i, j] x_{t-1}[i] + s_t[j]``
    (``coef[i, i] = decay``, ``n_drivers`` random edges ``i -> j`` with
    ``coef[i, j] = coupling``), with sparse spikes ``s_t[k] = b_{t,k} a_{t,k}``,
    ``b ~ Bernoulli(spike_rate)``, ``a ~ Exponential(mean=spike_scale)``. The
    recursion starts at ``x = 0`` and the first ``burn_in`` frames are discarded.
    Each frame is

    ``movie[t] = background + sum_k factors[t, k] * footprints[k] + noise * N(0, 1)``

    with i.i.d. Gaussian noise per pixel. See the module docstring for the
    footprints and the default background.

    Parameters
    ----------
    T : int, default 1000
        Number of frames returned, ``>= 2``.
    K : int, default 4
        Number of latent factors (cells), ``>= 2``.
    size : int, default 32
        Frames are ``size x size`` pixels; large enough to place ``K`` footprints
        ``3 * footprint_width`` apart.
    n_drivers : int, default 2
        Number of distinct off-diagonal driver edges ``i -> j``, ``0 <= n_drivers <= K(K-1)/2``.
        They are drawn along a random causal order of the factors, so they form no cycle.
    seed : None, int or numpy.random.Generator
        Source of randomness (footprint centres, background, edges, spikes and
        noise); the global NumPy state is never used.
    decay : float, default 0.9
        Diagonal of ``coef``, in (0, 1): a spike decays like ``decay ** t``.
    coupling : float, default 0.3
        Weight of each driver edge, ``> 0`` (positive weights keep the factors ``>= 0``).
    spike_rate : float, default 0.05
        Probability that a factor spikes in a frame, in (0, 1].
    spike_scale : float, default 1.0
        Mean of the exponential spike amplitudes, ``> 0``.
    noise : float, default 0.1
        Standard deviation of the Gaussian pixel noise, ``>= 0``.
    footprint_width : float, default 3.0
        Standard deviation (pixels) of the Gaussian footprints, ``> 0``.
    background : None, float or array_like of shape (size, size), default None
        Static background image; ``None`` draws the default (gradient plus
        bright static blobs), a number gives a constant image.
    burn_in : int, default 200
        Frames simulated from ``x = 0`` and discarded, ``>= 0``.
    dtype : numpy float32 or float64, default float64
        dtype of ``movie`` (the other arrays are float64). The same seed gives
        the same movie up to rounding in either dtype.

    Returns
    -------
    CalciumMovie
        ``movie`` (T, size, size), ``factors`` (T, K), ``spikes`` (T, K),
        ``footprints`` (K, size, size), ``centres`` (K, 2), ``coef`` (K, K),
        ``graph`` (K, K) int, ``background`` (size, size) and the settings.
        Unpacks as ``movie, factors, graph = ...``.

    Raises
    ------
    ValueError
        If ``K < 2``, ``n_drivers > K(K-1)/2``, ``decay`` outside (0, 1),
        ``coupling <= 0``, ``spike_rate`` outside (0, 1], ``noise < 0``, ``size`` is too small for
        ``K`` separated footprints, or ``background`` has the wrong shape.

    Notes
    -----
    The driver edges follow a random causal order of the factors, so they form no
    cycle and the spectral radius of ``coef`` is exactly ``decay``: every seed gives
    a stable VAR. (With a feedback loop ``i -> j -> i`` the defaults would give
    ``0.9 + 0.3 = 1.2``, an explosive VAR.)

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.simulate import calcium_movie
    >>> sim = calcium_movie(T=500, K=4, size=32, n_drivers=2, seed=0)
    >>> sim.movie.shape, sim.factors.shape, sim.footprints.shape
    ((500, 32, 32), (500, 4), (4, 32, 32))
    >>> sim.edges                                    # i -> j, the cause is the row
    [(1, 2), (3, 0)]
    >>> bool(np.all(sim.factors >= 0))
    True
    >>> x = sim.factors                              # the VAR(1) holds exactly
    >>> bool(np.allclose(x[1:], x[:-1] @ sim.coef + sim.spikes[1:]))
    True
    >>> resid = sim.movie - sim.background - np.tensordot(x, sim.footprints, axes=1)
    >>> print(f"{resid.std():.2f}")                  # what is left is the pixel noise
    0.10
    """
    (T, K, size, n_drivers, decay, coupling, spike_rate, spike_scale, noise, footprint_width, burn_in, dtype) = (
        _check_settings(
            T, K, size, n_drivers, decay, coupling, spike_rate, spike_scale, noise, footprint_width, burn_in, dtype
        )
    )
    rng = check_random_state(seed)
    centres, footprints, bg = _unit(rng, K, size, footprint_width, background)
    coef = _draw_coef(rng, K, n_drivers, decay, coupling)
    x, spikes, movie = _record(rng, coef, T, burn_in, spike_rate, spike_scale, noise, footprints, bg, dtype)
    settings = dict(
        noise=noise,
        decay=decay,
        coupling=coupling,
        spike_rate=spike_rate,
        spike_scale=spike_scale,
        footprint_width=footprint_width,
        burn_in=burn_in,
    )
    return _package(coef, x, spikes, movie, centres, footprints, bg, settings)


def movie_pair(
    T=1000,
    K=4,
    size=32,
    n_drivers=2,
    seed=None,
    *,
    same=True,
    changed_weight=0.0,
    decay=0.9,
    coupling=0.3,
    spike_rate=0.05,
    spike_scale=1.0,
    noise=0.1,
    footprint_width=3.0,
    background=None,
    burn_in=200,
    dtype=np.float64,
) -> CalciumPair:
    """Two recordings of the same unit, with the same or a changed driver graph.

    Both recordings share the footprints, their centres and the background
    (the same "unit" imaged twice), and each has its own independent spikes and
    pixel noise, simulated exactly as in :func:`calcium_movie`.

    * ``same=True``: both recordings use the same ``coef``.
    * ``same=False``: one driver edge ``i -> j`` of the first recording, drawn
      uniformly with the seed and returned as ``changed_edge``, has weight
      ``changed_weight`` instead of ``coupling`` in the second. With the default
      ``changed_weight=0`` the edge is **removed** (``second.graph`` loses it);
      with a positive value only its **strength** changes (the graphs are equal).
      Nothing else differs: the diagonal, the other edges, the footprints and the
      background are the same.

    The draws are laid out so that the comparison is controlled: ``first`` is
    bit for bit ``calcium_movie`` with the same arguments and seed, and, for a
    given seed, ``same=True`` and ``same=False`` give the same ``first`` and the
    same spikes (and pixel noise draws) in ``second``; only the changed edge differs.

    Parameters
    ----------
    T, K, size, n_drivers, seed
        As in :func:`calcium_movie`, for both recordings.
    decay, coupling, spike_rate, spike_scale, noise, footprint_width, background, burn_in, dtype
        As in :func:`calcium_movie`, for both recordings.
    same : bool, default True
        Whether the two recordings share their VAR coefficients.
    changed_weight : float, default 0.0
        Weight of the changed edge in ``second`` when ``same=False``; ``>= 0`` and
        different from ``coupling``. Ignored when ``same=True``.

    Returns
    -------
    CalciumPair
        ``first`` and ``second`` (:class:`CalciumMovie`), ``same`` and
        ``changed_edge`` (``(i, j)`` or ``None``). Unpacks as ``first, second = ...``.

    Raises
    ------
    ValueError
        For the bad inputs of :func:`calcium_movie`, if ``same`` is not a bool,
        if ``same=False`` with ``n_drivers=0`` (no edge to change), or if
        ``changed_weight`` is negative or equal to ``coupling``.

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.simulate import movie_pair
    >>> pair = movie_pair(T=300, seed=0, same=False)
    >>> pair
    CalciumPair(same=False, changed_edge=3->0 (0.3 -> 0), T=300, K=4, size=32x32)
    >>> first, second = pair
    >>> bool(np.array_equal(first.footprints, second.footprints))
    True
    >>> np.argwhere(first.graph != second.graph).tolist()
    [[3, 0]]
    """
    (T, K, size, n_drivers, decay, coupling, spike_rate, spike_scale, noise, footprint_width, burn_in, dtype) = (
        _check_settings(
            T, K, size, n_drivers, decay, coupling, spike_rate, spike_scale, noise, footprint_width, burn_in, dtype
        )
    )
    if not isinstance(same, (bool, np.bool_)):
        raise ValueError(f"same must be True or False, got {same!r}.")
    same = bool(same)
    changed_weight = check_real(changed_weight, "changed_weight", low=0.0)
    if not same:
        if n_drivers == 0:
            raise ValueError("same=False needs a driver edge to change; use n_drivers >= 1.")
        if changed_weight == coupling:
            raise ValueError(
                f"changed_weight={changed_weight:g} equals coupling, so nothing would change; "
                "use 0 to remove the edge or another weight."
            )
    rng = check_random_state(seed)
    centres, footprints, bg = _unit(rng, K, size, footprint_width, background)
    coef1 = _draw_coef(rng, K, n_drivers, decay, coupling)
    settings = dict(
        noise=noise,
        decay=decay,
        coupling=coupling,
        spike_rate=spike_rate,
        spike_scale=spike_scale,
        footprint_width=footprint_width,
        burn_in=burn_in,
    )
    x, spikes, movie = _record(rng, coef1, T, burn_in, spike_rate, spike_scale, noise, footprints, bg, dtype)
    first = _package(coef1, x, spikes, movie, centres, footprints, bg, settings)

    # drawn whether or not it is used, so that same=True/False share the second recording's spikes
    edges = np.argwhere(first.graph)
    pick = int(rng.integers(edges.shape[0])) if edges.shape[0] else 0
    coef2 = coef1.copy()
    changed_edge = None
    if not same:
        changed_edge = (int(edges[pick, 0]), int(edges[pick, 1]))
        coef2[changed_edge] = changed_weight
    x, spikes, movie = _record(rng, coef2, T, burn_in, spike_rate, spike_scale, noise, footprints, bg, dtype)
    second = _package(coef2, x, spikes, movie, centres, footprints, bg, settings)
    return CalciumPair(first=first, second=second, same=same, changed_edge=changed_edge)


def rerecord(unit: CalciumMovie, T=None, seed=None, *, coef=None, dtype=None) -> CalciumMovie:
    """A new recording of the unit of an earlier simulation: same cells, new activity.

    The footprints, centres, background and settings (noise, spike rate, ...) are those
    of ``unit``; the spikes and the pixel noise are drawn afresh with ``seed``. The VAR
    coefficients are ``unit.coef`` unless ``coef`` gives new ones, which is how a
    changed driver graph is imaged (for example to check the power of a test that
    compares recordings). Use it to image one unit many times, e.g. to fit a model on
    one recording and test it on others.

    Parameters
    ----------
    unit : CalciumMovie
        From :func:`calcium_movie`, :func:`movie_pair` or :func:`rerecord`.
    T : int, optional
        Number of frames; default ``unit``'s.
    seed : None, int or numpy.random.Generator
        Source of the new spikes and pixel noise.
    coef : array_like of shape (K, K), optional
        VAR(1) weights of the new recording, in the book's orientation (``coef[i, j]``:
        effect of factor ``i`` at ``t-1`` on factor ``j`` at ``t``). They must be
        non-negative (the factors stay ``>= 0``) with spectral radius below 1 (a stable
        VAR). Default ``unit.coef``.
    dtype : numpy float32 or float64, optional
        dtype of the movie; default ``unit.movie.dtype``.

    Returns
    -------
    CalciumMovie

    Raises
    ------
    ValueError
        If ``unit`` is not a :class:`CalciumMovie`, or for a bad ``T``, ``coef`` or ``dtype``.

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.simulate import calcium_movie, rerecord
    >>> sim = calcium_movie(T=300, seed=0)
    >>> again = rerecord(sim, seed=1)
    >>> bool(np.array_equal(again.footprints, sim.footprints)), bool(np.array_equal(again.coef, sim.coef))
    (True, True)
    >>> weaker = sim.coef.copy(); weaker[3, 0] = 0.0              # remove the driver 3 -> 0
    >>> rerecord(sim, T=200, seed=2, coef=weaker).edges
    [(1, 2)]
    """
    if not isinstance(unit, CalciumMovie):
        raise ValueError(f"unit must be a CalciumMovie (from calcium_movie), got {type(unit).__name__}.")
    T = unit.movie.shape[0] if T is None else check_int(T, "T", 2)
    K = unit.coef.shape[0]
    if coef is None:
        coef = unit.coef
    else:
        coef = np.array(coef, dtype=np.float64)
        if coef.shape != (K, K):
            raise ValueError(f"coef must have shape ({K}, {K}) like the unit's, got {coef.shape}.")
        if not np.all(np.isfinite(coef)) or np.any(coef < 0):
            raise ValueError("coef must be finite and non-negative (negative weights would make factors negative).")
        radius = float(np.max(np.abs(np.linalg.eigvals(coef))))
        if radius >= 1:
            raise ValueError(f"coef has spectral radius {radius:.3g} >= 1: the VAR would not be stable.")
    dtype = unit.movie.dtype if dtype is None else _check_dtype(dtype)
    rng = check_random_state(seed)
    x, spikes, movie = _record(
        rng,
        coef,
        T,
        unit.burn_in,
        unit.spike_rate,
        unit.spike_scale,
        unit.noise,
        unit.footprints,
        unit.background,
        dtype,
    )
    settings = dict(
        noise=unit.noise,
        decay=unit.decay,
        coupling=unit.coupling,
        spike_rate=unit.spike_rate,
        spike_scale=unit.spike_scale,
        footprint_width=unit.footprint_width,
        burn_in=unit.burn_in,
    )
    return _package(coef, x, spikes, movie, unit.centres, unit.footprints, unit.background, settings)
