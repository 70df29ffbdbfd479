"""The window explorer of the chapter "Dynamic window-level Granger causality" (``book/dwgc.md``).

The window explorer (:func:`window_explorer`, :func:`window_explorer_widget`) follows the two
layers of :mod:`gcbook.explorers` for the window-level Granger test of :mod:`gcbook.window` on the
DWGC paper's simulated pairs, whose columns are ``[effect, cause]`` (direction ``1 -> 0``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gcbook._validation import check_int, check_real
from gcbook.explorers._common import format_score, interactive, show

__all__ = [
    "WindowExplorerResult",
    "window_explorer",
    "window_explorer_widget",
]


#: Simulated pairs of the window explorer (see :mod:`gcbook.simulate.dwgc`).
WINDOW_KINDS = ("linear", "nonlinear")
#: The window tests the DWGC explorer can run.
WINDOW_MODELS = ("linear", "nar")
#: Range of the window explorer's threshold slider (log scale, base 2).
EPSILON_RANGE = (0.25, 16.0)
#: Range of the window explorer's window slider; 6 = 2 lag + 2 is the shortest linear window at lag 2.
WINDOW_RANGE = (6, 120)


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
        return (
            f"recall {format_score(self.recall)}, accuracy {format_score(self.accuracy)}, "
            f"precision {format_score(self.precision)}"
        )

    def __repr__(self) -> str:
        return (
            f"WindowExplorerResult(kind={self.kind!r}, T={self.T}, lag={self.lag}, window={self.window}, "
            f"epsilon={self.epsilon:g}, n_windows={self.truth.size}, with an event: {int(self.truth.sum())}, "
            f"detected: {int(self.detected.sum())}; {self.scores_text()})"
        )


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
    ax_f.fill_between(
        t,
        0,
        1,
        where=covered,
        step="mid",
        transform=ax_f.get_xaxis_transform(),
        color=PALETTE["fn"],
        alpha=0.25,
        linewidth=0,
    )
    centers = res.centers
    F = res.f_stat
    ax_f.plot(centers, F, color=PALETTE["neutral"], linewidth=0.8, zorder=2)
    for mask, colour, label in [
        (detected & truth, PALETTE["tp"], "detected, holds an event"),
        (detected & ~truth, PALETTE["fp"], "detected, no event"),
        (~detected, PALETTE["edge"], "not detected"),
    ]:
        if mask.any():
            ax_f.scatter(
                centers[mask],
                F[mask],
                s=16,
                color=colour,
                zorder=3,
                label=label,
                facecolors="none" if colour == PALETTE["edge"] else colour,
            )
    ax_f.axhline(epsilon, color="k", linestyle="--", linewidth=1.0, label=f"$\\varepsilon$ = {epsilon:g}")
    ax_f.set_yscale("log")
    ax_f.set_ylabel(f"window $F({res.df_num}, {res.df_den})$" if res.model == "linear" else "window $L_1 / L_2$ (NAR)")
    ax_f.set_xlabel("time $t$ (shaded: windows holding an event)")
    ax_f.set_title(f"window {window}, $\\varepsilon$ = {epsilon:g}: {scores}")
    ax_f.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def window_explorer(
    window: int,
    epsilon: float,
    *,
    kind: str = "linear",
    T: int = 600,
    seed=0,
    lag: int = 2,
    model: str = "linear",
    axes=None,
) -> WindowExplorerResult:
    """Simulate a DWGC pair, run the window-level Granger test and draw it.

    The pair is the DWGC paper's: ``kind="linear"`` is
    :func:`gcbook.simulate.switching_ar_pair`, ``kind="nonlinear"``
    :func:`gcbook.simulate.nonlinear_ar_pair`, both with the fixed delay ``lag``; column 1 (the
    cause) drives column 0 (the effect), strongly at the causal event time points. The test is
    ``window_granger(X, 1, 0, window, step=window, lag=lag, model=model)`` (non-overlapping
    windows, as in the paper): the linear one takes milliseconds, the NAR one (``seed=0``)
    seconds or more, depending on the machine, since it trains networks. This is the update function of
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
    title = f"{kind} pair, T = {T}, lag {lag}, {model} test: {int(sim.event.sum())} causal events (cause -> effect)"
    result = WindowExplorerResult(
        kind=kind,
        window=window,
        epsilon=epsilon,
        T=T,
        lag=lag,
        X=sim.X,
        event=sim.event,
        result=res,
        truth=truth,
        detected=detected,
        recall=recall,
        accuracy=accuracy,
        precision=precision,
        figure=figure,
    )
    _draw_windows(axes, sim.X, sim.event, res, truth, detected, epsilon, title, result.scores_text())
    return result


def window_explorer_widget(
    window: int = 20, epsilon: float = 1.0, kind: str = "linear", T: int = 600, seed: int = 0, model: str = "linear"
):
    """An :func:`ipywidgets.interactive` explorer of the window-level Granger test (live only with a kernel).

    A slider for the window length (6 to 120; the test uses ``lag = 2``, whose shortest window
    is ``2 lag + 2 = 6``), a log-scale slider for the threshold ``epsilon`` (0.25 to 16), a
    dropdown for the simulated pair, one for the test (``"linear"`` or ``"nar"``; the NAR test
    trains networks and takes seconds or more per change) and sliders for ``T`` and the seed;
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

    def update(window, epsilon, kind, model, T, seed):
        return show(
            lambda: window_explorer(window, epsilon, kind=kind, T=T, seed=seed, model=model), "Cannot run the test"
        )

    controls = dict(
        window=widgets.IntSlider(
            value=window,
            min=WINDOW_RANGE[0],
            max=WINDOW_RANGE[1],
            step=1,
            description="window",
            continuous_update=False,
        ),
        epsilon=widgets.FloatLogSlider(
            value=epsilon,
            base=2,
            min=np.log2(EPSILON_RANGE[0]),
            max=np.log2(EPSILON_RANGE[1]),
            step=0.25,
            description="epsilon",
            continuous_update=False,
        ),
        kind=widgets.Dropdown(options=list(WINDOW_KINDS), value=kind, description="kind"),
        model=widgets.Dropdown(options=list(WINDOW_MODELS), value=model, description="test"),
        T=widgets.IntSlider(value=T, min=200, max=3000, step=100, description="T", continuous_update=False),
        seed=widgets.IntSlider(value=seed, min=0, max=50, step=1, description="seed", continuous_update=False),
    )
    return interactive(update, controls)
