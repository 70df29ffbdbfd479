"""Interactive explorers for the book's chapters, with their logic as plain, tested functions.

Each explorer is two layers:

* a plain function (here :func:`granger_explorer`) that takes the slider values, simulates,
  computes and draws, and returns the numbers and a :class:`matplotlib.figure.Figure`. It needs
  no browser and no kernel, so the tests call it directly and a chapter can use it to draw the
  static figure that stands next to the widget;
* a thin ``*_widget`` function (here :func:`granger_explorer_widget`) that wires
  :func:`ipywidgets.interactive` to the plain function. ``ipywidgets`` is imported only when the
  widget is built, so importing :mod:`gcbook` never needs it.

Orientation, as everywhere in :mod:`gcbook`: ``A[i, j] = 1`` means ``i -> j``; the simulated pair
of the Granger explorer has the single cross edge ``x0 -> x1``.

The window explorer (:func:`window_explorer`, :func:`window_explorer_widget`) follows the same two
layers for the window-level Granger test of :mod:`gcbook.window` on the DWGC paper's simulated
pairs, whose columns are ``[effect, cause]`` (direction ``1 -> 0``).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from scipy import stats

from gcbook._validation import check_int, check_random_state, check_real
from gcbook.granger import granger_test

__all__ = [
    "ExplorerResult",
    "simulate_pairs",
    "coupled_pair",
    "granger_explorer",
    "explorer_grid",
    "granger_explorer_widget",
    "WindowExplorerResult",
    "window_explorer",
    "window_explorer_widget",
]

#: Own-lag coefficient of both series of :func:`coupled_pair`.
SELF_COEF = 0.5
#: Largest absolute coupling accepted (beyond it the plots only get less readable).
MAX_COUPLING = 5.0
#: Number of time points drawn in the series panel.
SHOWN_POINTS = 200
#: Simulated pairs of the window explorer (see :mod:`gcbook.simulate.dwgc`).
WINDOW_KINDS = ("linear", "nonlinear")
#: The window tests the DWGC explorer can run.
WINDOW_MODELS = ("linear", "nar")
#: Range of the window explorer's threshold slider (log scale, base 2).
EPSILON_RANGE = (0.25, 16.0)
#: Range of the window explorer's window slider; 6 = 2 lag + 2 is the shortest linear window at lag 2.
WINDOW_RANGE = (6, 120)


def _check_coupling(coupling) -> float:
    if isinstance(coupling, (bool, np.bool_)) or not isinstance(coupling, (numbers.Real, np.floating, np.integer)):
        raise ValueError(f"coupling must be a real number, got {coupling!r} ({type(coupling).__name__}).")
    coupling = float(coupling)
    if not np.isfinite(coupling) or abs(coupling) > MAX_COUPLING:
        raise ValueError(f"coupling must be a finite number in [-{MAX_COUPLING}, {MAX_COUPLING}], got {coupling}.")
    return coupling


def simulate_pairs(T: int, reps: int = 1, coupling: float = 0.0, delay: int = 1, cause_ar: float = SELF_COEF,
                   effect_ar=(SELF_COEF,), burn_in: int = 500, seed=0) -> np.ndarray:
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
    if isinstance(cause_ar, (bool, np.bool_)) or not isinstance(cause_ar, (numbers.Real, np.floating, np.integer)) \
            or not -1.0 <= float(cause_ar) <= 1.0:
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
        ax_f.annotate(text, xy=(f_stat, 0.8 * top), xytext=(6 if left_half else -6, 0), textcoords="offset points",
                      ha="left" if left_half else "right", va="center", color=colour, bbox=box)
    else:  # off scale: say so at the right edge
        ax_f.annotate(text + "\n(off scale) \u2192", xy=(0.98 * right, 0.75 * top), ha="right", va="center",
                      color=colour, bbox=box)
    ax_f.set_xlim(0.0, right)
    ax_f.set_ylim(0.0, top)
    ax_f.set_xlabel("$F$")
    ax_f.set_ylabel("density")


def granger_explorer(coupling: float, T: int, lag: int = 1, seed=0, alpha: float = 0.05, axes=None,
                     title: str | None = None) -> ExplorerResult:
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
        coupling=coupling, T=T, lag=lag, X=X, f_stat=f_stat, p_value=p_value, df_num=result.df_num,
        df_den=result.df_den, critical_value=critical, alpha=float(alpha), figure=figure,
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
    from IPython.display import display

    def update(coupling, T, lag, seed):
        try:
            result = granger_explorer(coupling, T, lag=lag, seed=seed)
        except ValueError as exc:  # e.g. too many lags for a short series: say so in the output
            print(f"Cannot run the test: {exc}")
            return None
        print(result)
        display(result.figure)
        return None

    controls = dict(
        coupling=widgets.FloatSlider(value=float(coupling), min=-1.0, max=1.0, step=0.05, description="coupling",
                                     continuous_update=False),
        T=widgets.IntSlider(value=int(T), min=30, max=2000, step=10, description="T", continuous_update=False),
        lag=widgets.IntSlider(value=int(lag), min=1, max=8, step=1, description="lag", continuous_update=False),
        seed=widgets.IntSlider(value=int(seed), min=0, max=50, step=1, description="seed", continuous_update=False),
    )
    return widgets.interactive(update, **controls)


# ----------------------------------------------------------------------------- window-level Granger
@dataclass(frozen=True, repr=False)
class WindowExplorerResult:
    """One state of the window explorer.

    Attributes
    ----------
    kind : str
        ``"linear"`` (:func:`gcbook.simulate.switching_ar_pair`) or ``"nonlinear"``
        (:func:`gcbook.simulate.nonlinear_ar_pair`).
    window : int
        Window length (number of forecast targets per window).
    epsilon : float
        Threshold: a window is called causal when its F exceeds it.
    T, lag : int
        Length of the simulated pair; lag of the simulation and of the test.
    X : numpy.ndarray, shape (T, 2)
        The simulated pair, columns ``[effect, cause]``.
    event : numpy.ndarray of bool, shape (T,)
        The causal event time points (strong coupling) of the simulation.
    result : gcbook.window.WindowResult
        ``window_granger(X, 1, 0, window, step=window, lag=lag)``.
    truth : numpy.ndarray of bool, shape (n_windows,)
        Windows that hold an event, ``window_events(event, window, starts=result.starts)``.
    detected : numpy.ndarray of bool, shape (n_windows,)
        Windows with ``F > epsilon`` (NaN F counts as not detected).
    recall, accuracy, precision : float
        :func:`gcbook.window_metrics.window_recall`, ``window_accuracy`` and ``window_precision``
        of ``result.f_stat`` at ``epsilon`` over the windows with a finite F; ``nan`` where the
        score is undefined (recall with no event window, precision with no detected window).
    figure : matplotlib.figure.Figure
        Top: the two series with the events marked; bottom: the window F (log scale), the
        threshold and the windows holding an event.
    """

    kind: str
    window: int
    epsilon: float
    T: int
    lag: int
    X: np.ndarray
    event: np.ndarray
    result: object
    truth: np.ndarray
    detected: np.ndarray
    recall: float
    accuracy: float
    precision: float
    figure: object

    def scores_text(self) -> str:
        """``"recall 0.95, accuracy 0.72, precision 0.64"``, with ``n/a`` for an undefined score."""
        return (f"recall {_format_score(self.recall)}, accuracy {_format_score(self.accuracy)}, "
                f"precision {_format_score(self.precision)}")

    def __repr__(self) -> str:
        return (
            f"WindowExplorerResult(kind={self.kind!r}, T={self.T}, lag={self.lag}, window={self.window}, "
            f"epsilon={self.epsilon:g}, n_windows={self.truth.size}, with an event: {int(self.truth.sum())}, "
            f"detected: {int(self.detected.sum())}; {self.scores_text()})"
        )


def _format_score(value: float) -> str:
    return "n/a" if not np.isfinite(value) else f"{value:.2f}"


def _window_scores(f_stat: np.ndarray, truth: np.ndarray, epsilon: float) -> tuple[float, float, float]:
    """Recall, accuracy and precision over the finite windows; ``nan`` where a score is undefined.

    :func:`~gcbook.window_metrics.window_recall` raises when no window holds an event and every
    score refuses NaN statistics, so those cases are settled here instead of crashing the explorer.
    """
    from gcbook.window_metrics import window_accuracy, window_precision, window_recall

    keep = np.isfinite(f_stat)
    if not keep.any():
        return float("nan"), float("nan"), float("nan")
    F, y = f_stat[keep], truth[keep]
    recall = window_recall(F, y, epsilon) if y.any() else float("nan")
    return float(recall), float(window_accuracy(F, y, epsilon)), float(window_precision(F, y, epsilon))


def _check_window_explorer_args(window, epsilon, kind, T, lag, model="linear") -> tuple[int, float, str, int, int]:
    if not isinstance(kind, str) or kind not in WINDOW_KINDS:
        raise ValueError(f"kind must be one of {WINDOW_KINDS}, got {kind!r}.")
    if not isinstance(model, str) or model not in WINDOW_MODELS:
        raise ValueError(f"model must be one of {WINDOW_MODELS}, got {model!r}.")
    lag = check_int(lag, "lag", 1)
    if lag > 9:
        raise ValueError(f"lag must be <= 9 (the simulators' largest lag), got {lag}.")
    T = check_int(T, "T", 10)
    window = check_int(window, "window", 1)
    if window <= lag:
        raise ValueError(f"window={window} must be longer than lag={lag}.")
    if model == "linear" and window < 2 * lag + 2:
        raise ValueError(
            f"window={window} is too short for the linear F test with lag={lag}: the full model has "
            f"{2 * lag + 1} coefficients, so window must be at least {2 * lag + 2}."
        )
    if window + lag > T:
        raise ValueError(
            f"window={window} is too long for T={T} time points with lag={lag}: there are only T - lag = {T - lag} "
            "forecast targets. Use a shorter window or a longer series."
        )
    epsilon = check_real(epsilon, "epsilon", low=0.0, low_open=True)
    return window, epsilon, kind, T, lag


def _draw_windows(axes, X, event, res, truth, detected, epsilon, title, scores):
    """Series panel (events marked) and window-F panel (threshold, event windows shaded)."""
    from gcbook.plotting import METHOD_COLORS, PALETTE

    ax_series, ax_f = axes
    T = X.shape[0]
    t = np.arange(T)
    # Both series standardised and stacked: the effect above, the cause below.
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    offset = float(np.max(np.abs(Z))) + 0.5
    ax_series.plot(t, Z[:, 0] + offset / 2, color=METHOD_COLORS[1], linewidth=0.8)
    ax_series.plot(t, Z[:, 1] - offset / 2, color=METHOD_COLORS[0], linewidth=0.8)
    hits = np.flatnonzero(event)
    ax_series.scatter(hits, Z[hits, 0] + offset / 2, s=12, color=PALETTE["fp"], zorder=3, label="causal event")
    ax_series.set_yticks([offset / 2, -offset / 2], ["effect\n(column 0)", "cause\n(column 1)"])
    ax_series.set_xlim(0, T - 1)
    if hits.size:
        ax_series.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if title:
        ax_series.set_title(title)

    starts, window = res.starts, res.window
    # One shaded band per window holding an event, drawn as a single collection (cheap to redraw).
    covered = np.zeros(T + 1, dtype=np.int64)
    np.add.at(covered, starts[truth], 1)
    np.add.at(covered, starts[truth] + window, -1)
    covered = np.cumsum(covered)[:-1] > 0
    ax_f.fill_between(t, 0, 1, where=covered, step="mid", transform=ax_f.get_xaxis_transform(),
                      color=PALETTE["fn"], alpha=0.25, linewidth=0)
    centers = res.centers
    F = res.f_stat
    ax_f.plot(centers, F, color=PALETTE["neutral"], linewidth=0.8, zorder=2)
    for mask, colour, label in [
        (detected & truth, PALETTE["tp"], "detected, holds an event"),
        (detected & ~truth, PALETTE["fp"], "detected, no event"),
        (~detected, PALETTE["edge"], "not detected"),
    ]:
        if mask.any():
            ax_f.scatter(centers[mask], F[mask], s=16, color=colour, zorder=3, label=label,
                         facecolors="none" if colour == PALETTE["edge"] else colour)
    ax_f.axhline(epsilon, color="k", linestyle="--", linewidth=1.0, label=f"$\\varepsilon$ = {epsilon:g}")
    ax_f.set_yscale("log")
    ax_f.set_ylabel(f"window $F({res.df_num}, {res.df_den})$" if res.model == "linear" else "window $L_1 / L_2$ (NAR)")
    ax_f.set_xlabel("time $t$ (shaded: windows holding an event)")
    ax_f.set_title(f"window {window}, $\\varepsilon$ = {epsilon:g}: {scores}")
    ax_f.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def window_explorer(window: int, epsilon: float, *, kind: str = "linear", T: int = 600, seed=0, lag: int = 2,
                    model: str = "linear", axes=None) -> WindowExplorerResult:
    """Simulate a DWGC pair, run the window-level Granger test and draw it.

    The pair is the DWGC paper's: ``kind="linear"`` is
    :func:`gcbook.simulate.switching_ar_pair`, ``kind="nonlinear"``
    :func:`gcbook.simulate.nonlinear_ar_pair`, both with the fixed delay ``lag``; column 1 (the
    cause) drives column 0 (the effect), strongly at the causal event time points. The test is
    ``window_granger(X, 1, 0, window, step=window, lag=lag, model=model)`` (non-overlapping
    windows, as in the paper): the linear one takes about a millisecond, the NAR one (``seed=0``)
    about a second, since it trains networks. This is the update function of
    :func:`window_explorer_widget`.

    Parameters
    ----------
    window : int
        Number of forecast targets per window, ``>= 2 lag + 2`` (one residual degree of freedom)
        and ``window + lag <= T``.
    epsilon : float
        Threshold ``> 0``: a window is called causal when its F exceeds it.
    kind : {"linear", "nonlinear"}, default "linear"
        Which simulated pair.
    T : int, default 600
        Length of the pair, ``>= 10``.
    seed : None, int or numpy.random.Generator, default 0
        Seed of the simulation (the test itself is deterministic).
    lag : int, default 2
        Delay of the simulated coupling and number of lags of the test, in ``1..9``.
    model : {"linear", "nar"}, default "linear"
        The per-window F test, or the paper's NAR ratio ``L1 / L2``.
    axes : pair of matplotlib.axes.Axes, optional
        Where to draw (series, window F). By default a new :class:`matplotlib.figure.Figure` with
        two stacked axes sharing the time axis is made without :mod:`matplotlib.pyplot`.

    Returns
    -------
    WindowExplorerResult
        The window statistics, the per-window truth, the scores at ``epsilon`` (``nan`` where
        undefined, shown as "n/a") and the figure.

    Raises
    ------
    ValueError
        For an unknown ``kind`` or ``model``, ``lag`` outside ``1..9``, ``T < 10``, a window not
        longer than ``lag`` (shorter than ``2 lag + 2`` for the linear test) or too long for ``T``, ``epsilon <= 0`` or not finite, a bad ``seed``, or
        ``axes`` that is not a pair.

    Examples
    --------
    >>> res = window_explorer(window=20, epsilon=1.0, seed=0)
    >>> res.result.starts[:3], res.result.df_num, res.result.df_den
    (array([ 2, 22, 42]), 2, 15)
    >>> res.truth.size, int(res.truth.sum()), len(res.figure.axes)
    (29, 19, 2)
    >>> print(res.scores_text())
    recall 0.95, accuracy 0.62, precision 0.64
    >>> print(window_explorer(window=20, epsilon=16.0, kind="nonlinear").scores_text())  # nothing detected
    recall 0.00, accuracy 0.52, precision n/a
    """
    from gcbook.simulate import nonlinear_ar_pair, switching_ar_pair, window_events
    from gcbook.window import window_granger

    window, epsilon, kind, T, lag = _check_window_explorer_args(window, epsilon, kind, T, lag, model)
    if axes is not None:
        axes = list(np.ravel(axes))
        if len(axes) != 2:
            raise ValueError(f"axes must be a pair (series axes, window-F axes), got {len(axes)} axes.")

    simulate = switching_ar_pair if kind == "linear" else nonlinear_ar_pair
    sim = simulate(T, seed=seed, lag=lag)
    res = window_granger(sim.X, 1, 0, window, step=window, lag=lag, model=model, seed=0)
    truth = window_events(sim.event, window, starts=res.starts)
    detected = res.causal(epsilon)
    recall, accuracy, precision = _window_scores(res.f_stat, truth, epsilon)

    if axes is None:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(9.0, 5.0), layout="constrained")
        axes = figure.subplots(2, 1, sharex=True)
    figure = axes[0].figure
    title = (f"{kind} pair, T = {T}, lag {lag}, {model} test: {int(sim.event.sum())} causal events "
             "(cause -> effect)")
    result = WindowExplorerResult(
        kind=kind, window=window, epsilon=epsilon, T=T, lag=lag, X=sim.X, event=sim.event, result=res,
        truth=truth, detected=detected, recall=recall, accuracy=accuracy, precision=precision, figure=figure,
    )
    _draw_windows(axes, sim.X, sim.event, res, truth, detected, epsilon, title, result.scores_text())
    return result


def window_explorer_widget(window: int = 20, epsilon: float = 1.0, kind: str = "linear", T: int = 600,
                           seed: int = 0, model: str = "linear"):
    """An :func:`ipywidgets.interactive` explorer of the window-level Granger test (live only with a kernel).

    A slider for the window length (6 to 120; the test uses ``lag = 2``, whose shortest window
    is ``2 lag + 2 = 6``), a log-scale slider for the threshold ``epsilon`` (0.25 to 16), a
    dropdown for the simulated pair, one for the test (``"linear"`` or ``"nar"``; the NAR test
    trains networks and takes about a second per change) and sliders for ``T`` and the seed;
    every change calls
    :func:`window_explorer` and shows its figure and numbers.

    Parameters
    ----------
    window, epsilon, kind, T, seed, model
        Starting values of the controls.

    Returns
    -------
    ipywidgets.interactive
        Display it (make it the last expression of a notebook cell).

    Raises
    ------
    ValueError
        If a starting value lies outside its control's range (``window`` in 6..120, ``epsilon``
        in [0.25, 16], ``kind`` one of ``"linear"``, ``"nonlinear"``, ``T`` in 200..3000, ``seed``
        in 0..50).
    ImportError
        If ipywidgets is not installed.
    """
    window = check_int(window, "window", WINDOW_RANGE[0])
    if window > WINDOW_RANGE[1]:
        raise ValueError(f"window must be <= {WINDOW_RANGE[1]} (the slider's range), got {window}.")
    epsilon = check_real(epsilon, "epsilon", low=EPSILON_RANGE[0], high=EPSILON_RANGE[1])
    if not isinstance(kind, str) or kind not in WINDOW_KINDS:
        raise ValueError(f"kind must be one of {WINDOW_KINDS}, got {kind!r}.")
    if not isinstance(model, str) or model not in WINDOW_MODELS:
        raise ValueError(f"model must be one of {WINDOW_MODELS}, got {model!r}.")
    T = check_int(T, "T", 200)
    if T > 3000:
        raise ValueError(f"T must be <= 3000 (the slider's range), got {T}.")
    seed = check_int(seed, "seed", 0)
    if seed > 50:
        raise ValueError(f"seed must be <= 50 (the slider's range), got {seed}.")

    import ipywidgets as widgets
    from IPython.display import display

    def update(window, epsilon, kind, model, T, seed):
        try:
            result = window_explorer(window, epsilon, kind=kind, T=T, seed=seed, model=model)
        except ValueError as exc:  # e.g. a window too long for a short series: say so in the output
            print(f"Cannot run the test: {exc}")
            return None
        print(result)
        display(result.figure)
        return None

    controls = dict(
        window=widgets.IntSlider(value=window, min=WINDOW_RANGE[0], max=WINDOW_RANGE[1], step=1,
                                 description="window", continuous_update=False),
        epsilon=widgets.FloatLogSlider(value=epsilon, base=2, min=np.log2(EPSILON_RANGE[0]),
                                       max=np.log2(EPSILON_RANGE[1]), step=0.25, description="epsilon",
                                       continuous_update=False),
        kind=widgets.Dropdown(options=list(WINDOW_KINDS), value=kind, description="kind"),
        model=widgets.Dropdown(options=list(WINDOW_MODELS), value=model, description="test"),
        T=widgets.IntSlider(value=T, min=200, max=3000, step=100, description="T", continuous_update=False),
        seed=widgets.IntSlider(value=seed, min=0, max=50, step=1, description="seed", continuous_update=False),
    )
    return widgets.interactive(update, **controls)
