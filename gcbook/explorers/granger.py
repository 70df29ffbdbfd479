"""The Granger explorer of the chapter "Granger causality" (``book/granger.md``).

A plain function (:func:`granger_explorer`) takes the slider values, simulates a coupled pair
(:func:`coupled_pair`, :func:`simulate_pairs`), runs the Granger F-test of :mod:`gcbook.granger`
and draws; :func:`explorer_grid` draws several settings one row each for the static page, and
:func:`granger_explorer_widget` wires :func:`ipywidgets.interactive` to the plain function.

Orientation, as everywhere in :mod:`gcbook`: ``A[i, j] = 1`` means ``i -> j``; the simulated pair
of the Granger explorer has the single cross edge ``x0 -> x1``.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from scipy import stats

from gcbook._validation import check_int, check_random_state
from gcbook.explorers._common import interactive, show
from gcbook.granger import granger_test

__all__ = [
    "ExplorerResult",
    "simulate_pairs",
    "coupled_pair",
    "granger_explorer",
    "explorer_grid",
    "granger_explorer_widget",
]


#: Own-lag coefficient of both series of :func:`coupled_pair`.
SELF_COEF = 0.5
#: Largest absolute coupling accepted (beyond it the plots only get less readable).
MAX_COUPLING = 5.0
#: Number of time points drawn in the series panel.
SHOWN_POINTS = 200


def _check_coupling(coupling) -> float:
    if isinstance(coupling, (bool, np.bool_)) or not isinstance(coupling, (numbers.Real, np.floating, np.integer)):
        raise ValueError(f"coupling must be a real number, got {coupling!r} ({type(coupling).__name__}).")
    coupling = float(coupling)
    if not np.isfinite(coupling) or abs(coupling) > MAX_COUPLING:
        raise ValueError(f"coupling must be a finite number in [-{MAX_COUPLING}, {MAX_COUPLING}], got {coupling}.")
    return coupling


def simulate_pairs(
    T: int,
    reps: int = 1,
    coupling: float = 0.0,
    delay: int = 1,
    cause_ar: float = SELF_COEF,
    effect_ar=(SELF_COEF,),
    burn_in: int = 500,
    seed=0,
) -> np.ndarray:
    """Many independent copies of a cause-effect pair, simulated at once.

    .. code-block:: text

        x0(t) = cause_ar * x0(t-1)                                   + e0(t)
        x1(t) = sum_k effect_ar[k-1] * x1(t-k) + coupling * x0(t - delay) + e1(t)

    with independent standard normal innovations. The recursions are linear filters, run for
    all copies at once with :func:`scipy.signal.lfilter`, starting from zeros; the first
    ``burn_in`` steps are dropped. ``coupling = 0`` is the null hypothesis of the Granger test
    (two independent autoregressions). Unit roots are allowed on purpose: ``cause_ar=1`` and
    ``effect_ar=(1,)`` give two independent random walks started at 0 (use ``burn_in=0``), and
    ``cause_ar=1, effect_ar=(1 - g,), coupling=g`` a cointegrated pair in which ``x1`` is pulled
    towards ``x0``.

    Parameters
    ----------
    T : int
        Time points per copy, ``T >= 10``.
    reps : int, default 1
        Number of independent copies.
    coupling : float, default 0
        Effect of ``x0(t - delay)`` on ``x1(t)``, in ``[-5, 5]``.
    delay : int, default 1
        Delay of the effect, ``>= 1``.
    cause_ar : float in [-1, 1], default 0.5
        Own-lag coefficient of the cause.
    effect_ar : sequence of float, default (0.5,)
        Own-lag coefficients of the effect, lag 1 first; no root of the autoregression may lie
        inside the unit circle (explosive series are refused).
    burn_in : int, default 500
        Steps simulated and dropped before the returned ones.
    seed : None, int or numpy.random.Generator, default 0

    Returns
    -------
    X : numpy.ndarray, shape (reps, T, 2)
        ``X[r]`` is copy ``r``; columns ``x0`` (cause) and ``x1`` (effect). In the book's
        orientation its true graph has the one cross edge ``x0 -> x1`` when ``coupling != 0``.

    Raises
    ------
    ValueError
        On out-of-range arguments or an explosive autoregression.

    Examples
    --------
    >>> X = simulate_pairs(T=200, reps=3, coupling=0.4, seed=0)
    >>> X.shape
    (3, 200, 2)
    >>> W = simulate_pairs(T=100, reps=2, cause_ar=1.0, effect_ar=(1.0,), burn_in=0, seed=0)  # random walks
    >>> W.shape
    (2, 100, 2)
    """
    from scipy.signal import lfilter

    T = check_int(T, "T", 10)
    reps = check_int(reps, "reps", 1)
    coupling = _check_coupling(coupling)
    delay = check_int(delay, "delay", 1)
    burn_in = check_int(burn_in, "burn_in", 0)
    if (
        isinstance(cause_ar, (bool, np.bool_))
        or not isinstance(cause_ar, (numbers.Real, np.floating, np.integer))
        or not -1.0 <= float(cause_ar) <= 1.0
    ):
        raise ValueError(f"cause_ar must be a number in [-1, 1], got {cause_ar!r}.")
    try:
        phi = np.atleast_1d(np.asarray(effect_ar, dtype=float))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"effect_ar must be a sequence of numbers (lag 1 first), got {effect_ar!r}.") from exc
    if phi.ndim != 1 or phi.size < 1 or not np.all(np.isfinite(phi)):
        raise ValueError(f"effect_ar must be a non-empty 1-D sequence of finite numbers, got {effect_ar!r}.")
    # Companion eigenvalues of the effect's autoregression: modulus > 1 means explosive.
    roots = np.roots(np.r_[1.0, -phi]) if np.any(phi) else np.zeros(1)
    if np.max(np.abs(roots)) > 1.0 + 1e-9:
        raise ValueError(f"effect_ar={tuple(phi)} is explosive (largest root modulus {np.max(np.abs(roots)):.3g} > 1).")
    rng = check_random_state(seed)
    n = burn_in + T
    noise = rng.standard_normal((2, reps, n))
    cause = lfilter([1.0], [1.0, -float(cause_ar)], noise[0], axis=1)
    drive = noise[1].copy()
    if coupling != 0.0:
        drive[:, delay:] += coupling * cause[:, :-delay]
    effect = lfilter([1.0], np.r_[1.0, -phi], drive, axis=1)
    return np.stack([cause[:, burn_in:], effect[:, burn_in:]], axis=-1)


def coupled_pair(coupling: float, T: int, seed=0) -> np.ndarray:
    """The explorer's pair: ``x0`` drives ``x1`` at lag 1 with strength ``coupling``.

    One copy of :func:`simulate_pairs` with its defaults:

    .. code-block:: text

        x0(t) = 0.5 x0(t-1)                       + e0(t)
        x1(t) = 0.5 x1(t-1) + coupling * x0(t-1) + e1(t)

    stationary for every coupling (the system is triangular with eigenvalues 0.5).
    ``coupling = 0`` gives two independent AR(1) series, the null hypothesis of the Granger test.

    Parameters
    ----------
    coupling : float
        Effect of ``x0(t-1)`` on ``x1(t)``, in ``[-5, 5]``.
    T : int
        Number of time points, ``T >= 10``.
    seed : None, int or numpy.random.Generator, default 0

    Returns
    -------
    X : numpy.ndarray, shape (T, 2)
        Columns ``x0`` (the cause) and ``x1`` (the effect).

    Raises
    ------
    ValueError
        If ``coupling`` is not a finite number in ``[-5, 5]`` or ``T < 10``.

    Examples
    --------
    >>> coupled_pair(0.4, T=300, seed=1).shape
    (300, 2)
    """
    return simulate_pairs(T, 1, coupling=coupling, seed=seed)[0]


@dataclass(frozen=True, repr=False)
class ExplorerResult:
    """One state of the Granger explorer.

    Attributes
    ----------
    coupling : float
    T : int
    lag : int
    X : numpy.ndarray, shape (T, 2)
        The simulated pair, columns ``x0`` (cause) and ``x1`` (effect).
    f_stat : float
        The pairwise Granger F statistic of ``x0 -> x1``.
    p_value : float
    df_num : int
        ``lag``.
    df_den : int
        ``T - lag - (2 lag + 1)``.
    critical_value : float
        The upper ``alpha`` quantile of ``F(df_num, df_den)``.
    alpha : float
    figure : matplotlib.figure.Figure
        Left: the series; right: the ``F(df_num, df_den)`` density, its rejection region and the
        observed ``F``.
    """

    coupling: float
    T: int
    lag: int
    X: np.ndarray
    f_stat: float
    p_value: float
    df_num: int
    df_den: int
    critical_value: float
    alpha: float
    figure: object

    @property
    def rejected(self) -> bool:
        """True when ``p_value < alpha``."""
        return bool(self.p_value < self.alpha)

    def __repr__(self) -> str:
        return (
            f"ExplorerResult(coupling={self.coupling:g}, T={self.T}, lag={self.lag}, F={self.f_stat:.3f}, "
            f"df=({self.df_num}, {self.df_den}), p={self.p_value:.3g}, rejected at {self.alpha:g}: {self.rejected})"
        )


def _draw(axes, X, f_stat, p_value, df_num, df_den, critical, alpha, title):
    """Series panel and F-density panel of one explorer state."""
    from gcbook.plotting import METHOD_COLORS, PALETTE

    ax_series, ax_f = axes
    shown = min(X.shape[0], SHOWN_POINTS)
    t = np.arange(shown)
    # The two series on one axes, one above the other, so the cause's wiggles can be seen to lead.
    offset = 3.0 * float(np.max(np.std(X[:shown], axis=0)))
    ax_series.plot(t, X[:shown, 0] + offset / 2, color=METHOD_COLORS[0], linewidth=1.0)
    ax_series.plot(t, X[:shown, 1] - offset / 2, color=METHOD_COLORS[1], linewidth=1.0)
    ax_series.set_yticks([offset / 2, -offset / 2], ["$x_0$\n(cause)", "$x_1$\n(effect)"])
    ax_series.set_xlabel("time $t$" + (f" (first {shown} of {X.shape[0]})" if shown < X.shape[0] else ""))
    ax_series.set_xlim(0, shown - 1)
    if title:
        ax_series.set_title(title)

    dist = stats.f(df_num, df_den)
    right = max(dist.ppf(0.999), 1.6 * critical)
    grid = np.linspace(0.0, right, 600)[1:]
    density = dist.pdf(grid)
    # F(1, .) and F(2, .) densities are infinite or large at 0: scale the y axis to the body.
    top = 1.15 * float(density[grid >= 0.3 * critical].max())
    ax_f.plot(grid, density, color=PALETTE["truth"])
    tail = grid >= critical
    ax_f.fill_between(grid[tail], density[tail], color=PALETTE["fp"], alpha=0.4, linewidth=0)
    ax_f.set_title(f"$F({df_num}, {df_den})$ under $H_0$, shaded: $\\alpha$ = {alpha:g}")
    colour = PALETTE["tp"] if p_value < alpha else PALETTE["edge"]
    box = dict(facecolor="white", edgecolor="none", alpha=0.85, pad=1.5)
    text = f"observed F = {f_stat:.2f}\np = {p_value:.2g}"
    if f_stat <= right:
        ax_f.axvline(f_stat, color=colour, linewidth=2.2)
        left_half = f_stat < 0.55 * right
        ax_f.annotate(
            text,
            xy=(f_stat, 0.8 * top),
            xytext=(6 if left_half else -6, 0),
            textcoords="offset points",
            ha="left" if left_half else "right",
            va="center",
            color=colour,
            bbox=box,
        )
    else:  # off scale: say so at the right edge
        ax_f.annotate(
            text + "\n(off scale) \u2192",
            xy=(0.98 * right, 0.75 * top),
            ha="right",
            va="center",
            color=colour,
            bbox=box,
        )
    ax_f.set_xlim(0.0, right)
    ax_f.set_ylim(0.0, top)
    ax_f.set_xlabel("$F$")
    ax_f.set_ylabel("density")


def granger_explorer(
    coupling: float, T: int, lag: int = 1, seed=0, alpha: float = 0.05, axes=None, title: str | None = None
) -> ExplorerResult:
    """Simulate a coupled pair, run the pairwise Granger F-test ``x0 -> x1`` and draw it.

    This is the update function of :func:`granger_explorer_widget`; call it directly for a static
    figure or in tests.

    Parameters
    ----------
    coupling : float
        Strength of ``x0(t-1) -> x1(t)`` in :func:`coupled_pair`, in ``[-5, 5]``; 0 is the null.
    T : int
        Length of the series, ``T >= 10`` and long enough for the test:
        ``T - lag > 2 lag + 1``.
    lag : int, default 1
        Number of lags ``L`` of the test (the true delay is 1).
    seed : None, int or numpy.random.Generator, default 0
    alpha : float in (0, 1), default 0.05
        Level of the test, shown as the shaded rejection region.
    axes : pair of matplotlib.axes.Axes, optional
        Where to draw (series, F density), e.g. one row of a grid. By default a new
        :class:`matplotlib.figure.Figure` is made without :mod:`matplotlib.pyplot`, so nothing is
        shown or kept open unless the caller displays it.
    title : str, optional
        Title of the series panel; by default the coupling and ``T``.

    Returns
    -------
    ExplorerResult
        ``f_stat`` and ``p_value`` equal ``granger_test(result.X, lag).f_stat[0, 1]`` and
        ``.p_value[0, 1]``.

    Raises
    ------
    ValueError
        For a coupling outside ``[-5, 5]`` or not finite, ``T < 10``, ``lag < 1``, a series too
        short for ``lag``, ``alpha`` outside (0, 1), or ``axes`` that is not a pair.

    Examples
    --------
    >>> res = granger_explorer(coupling=0.3, T=200, lag=2, seed=0)
    >>> res.df_num, res.df_den
    (2, 193)
    >>> bool(res.p_value < 0.05), len(res.figure.axes)
    (True, 2)
    """
    coupling = _check_coupling(coupling)
    T = check_int(T, "T", 10)
    lag = check_int(lag, "lag", 1)
    if T - lag <= 2 * lag + 1:
        raise ValueError(
            f"T={T} is too short for lag={lag}: the test needs T - lag > 2*lag + 1. Use a longer series or fewer lags."
        )
    if isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, (numbers.Real, np.floating)) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a number in (0, 1), got {alpha!r}.")
    if axes is not None:
        axes = list(np.ravel(axes))
        if len(axes) != 2:
            raise ValueError(f"axes must be a pair (series axes, F-density axes), got {len(axes)} axes.")

    X = coupled_pair(coupling, T, seed=seed)
    result = granger_test(X, lag)
    f_stat, p_value = float(result.f_stat[0, 1]), float(result.p_value[0, 1])
    critical = float(stats.f.isf(alpha, result.df_num, result.df_den))

    if axes is None:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(9.0, 3.0), layout="constrained")
        axes = figure.subplots(1, 2, width_ratios=[1.5, 1.0])
    figure = axes[0].figure
    if title is None:
        title = f"coupling {coupling:g}, T = {T}, lag {lag}"
    _draw(axes, X, f_stat, p_value, result.df_num, result.df_den, critical, alpha, title)
    return ExplorerResult(
        coupling=coupling,
        T=T,
        lag=lag,
        X=X,
        f_stat=f_stat,
        p_value=p_value,
        df_num=result.df_num,
        df_den=result.df_den,
        critical_value=critical,
        alpha=float(alpha),
        figure=figure,
    )


def explorer_grid(settings, lag: int = 1, seed=0, alpha: float = 0.05):
    """Several explorer states, one row each: the static companion of the widget.

    Parameters
    ----------
    settings : sequence of (coupling, T) pairs
    lag, seed, alpha
        As in :func:`granger_explorer`, shared by every row.

    Returns
    -------
    figure : matplotlib.figure.Figure
        One row (series, F density) per setting.
    results : list of ExplorerResult

    Examples
    --------
    >>> fig, results = explorer_grid([(0.0, 100), (0.3, 100)], seed=1)
    >>> len(fig.axes), [r.T for r in results]
    (4, [100, 100])
    """
    from matplotlib.figure import Figure

    settings = list(settings)
    if not settings:
        raise ValueError("settings is empty; pass at least one (coupling, T) pair.")
    for item in settings:
        if len(np.atleast_1d(item)) != 2:
            raise ValueError(f"each setting must be a (coupling, T) pair, got {item!r}.")
    figure = Figure(figsize=(9.0, 2.6 * len(settings)), layout="constrained")
    axes = figure.subplots(len(settings), 2, width_ratios=[1.5, 1.0], squeeze=False)
    results = [
        granger_explorer(coupling, T, lag=lag, seed=seed, alpha=alpha, axes=row)
        for (coupling, T), row in zip(settings, axes)
    ]
    return figure, results


def granger_explorer_widget(coupling: float = 0.2, T: int = 200, lag: int = 1, seed: int = 0):
    """An :func:`ipywidgets.interactive` explorer of the Granger F-test (live only with a kernel).

    Sliders for the coupling, the length ``T``, the number of lags and the seed; every change
    calls :func:`granger_explorer` and shows its figure and numbers.

    Parameters
    ----------
    coupling, T, lag, seed
        Starting values of the controls.

    Returns
    -------
    ipywidgets.interactive
        Display it (make it the last expression of a notebook cell).

    Raises
    ------
    ImportError
        If ipywidgets is not installed.
    """
    import ipywidgets as widgets

    def update(coupling, T, lag, seed):
        return show(lambda: granger_explorer(coupling, T, lag=lag, seed=seed), "Cannot run the test")

    controls = dict(
        coupling=widgets.FloatSlider(
            value=float(coupling), min=-1.0, max=1.0, step=0.05, description="coupling", continuous_update=False
        ),
        T=widgets.IntSlider(value=int(T), min=30, max=2000, step=10, description="T", continuous_update=False),
        lag=widgets.IntSlider(value=int(lag), min=1, max=8, step=1, description="lag", continuous_update=False),
        seed=widgets.IntSlider(value=int(seed), min=0, max=50, step=1, description="seed", continuous_update=False),
    )
    return interactive(update, controls)
