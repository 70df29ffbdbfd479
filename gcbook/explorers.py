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

The lasso-VAR explorer (:func:`lasso_var_explorer`, :func:`lasso_var_explorer_widget`) does the same
for the sparse Granger causality of :mod:`gcbook.sparse_var`: a random sparse VAR(1), the lasso path
of one target series and the estimated graph at the chosen penalty against the truth.

The NOTEARS explorer (:func:`notears_explorer`, :func:`notears_explorer_widget`) shows the final
weight threshold of :func:`gcbook.notears.notears_linear` at work on a simulated ER2 graph: the
weights before the threshold, split by the truth, and the graph that is left against the true one,
on the raw or the standardised data. The fit is cached per simulation setting, so moving the
threshold is instant.

The GRNGC explorer (:func:`grngc_explorer`, :func:`grngc_explorer_widget`) does the same for the
neural Granger causality of :mod:`gcbook.neural`: the Jacobian scores of a small
:class:`~gcbook.neural.GRNGC` trained with the chosen penalty on Lorenz-96 or a VAR, split by the
truth, and the graph at a threshold given as a fraction of the largest score. One network is
trained per (system, seed, penalty) and cached.

The evaluation explorer (:func:`evaluation_explorer`, :func:`evaluation_explorer_widget`) belongs
to the comparison chapter's rules for evaluating honestly: one set of lasso-VAR edge scores (a
penalty fixed in advance), their threshold-free AUROC and AUPRC with or without the self-loops, the
graph and its SHD at the chosen threshold, and the best SHD over all thresholds, an answer-key number.
"""

from __future__ import annotations

import contextlib
import functools
import numbers
import warnings
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
    "LassoExplorerResult",
    "lasso_var_explorer",
    "lasso_var_explorer_widget",
    "NotearsExplorerResult",
    "notears_explorer",
    "notears_explorer_widget",
    "GrngcExplorerResult",
    "grngc_explorer",
    "grngc_explorer_widget",
    "EvaluationExplorerResult",
    "evaluation_explorer",
    "evaluation_explorer_widget",
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


def _show(explore, failure: str):
    """Run one explorer for a widget: print and display its result, or print why it cannot run.

    ``explore`` is a callable without arguments returning an explorer result (with a
    ``figure``); a ``ValueError`` (settings the explorer cannot run, e.g. a window too long for
    the series) is printed after ``failure`` instead of breaking the widget.
    """
    from IPython.display import display

    try:
        result = explore()
    except ValueError as exc:
        print(f"{failure}: {exc}")
        return None
    print(result)
    display(result.figure)
    return None


class _Recorder:
    """Collects, in order, what a call prints and displays, as nbformat outputs.

    Inside :meth:`record` it stands in for ``sys.stdout``, ``sys.stderr`` and the IPython shell's
    display publisher (``display()`` and ``clear_output()`` call its :meth:`publish` and
    :meth:`clear_output`), so nothing reaches the kernel's IOPub channel.
    """

    def __init__(self):
        self.outputs: list[dict] = []

    def stream(self, name: str, text: str) -> None:
        if not text:
            return
        last = self.outputs[-1] if self.outputs else None
        if last is not None and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self.outputs.append({"output_type": "stream", "name": name, "text": text})

    def publish(self, data, metadata=None, *args, transient=None, update=False, **kwargs) -> None:
        import base64

        # Binary representations (a raw PNG) are base64 text in a notebook, as the kernel sends them.
        data = {key: base64.b64encode(value).decode("ascii") if isinstance(value, bytes) else value
                for key, value in data.items()}
        self.outputs.append({"output_type": "display_data", "data": data, "metadata": dict(metadata or {})})

    def clear_output(self, wait: bool = False) -> None:
        self.outputs.clear()

    def record(self, shell, call):
        """Run ``call()`` with its printed and displayed output recorded; return its result."""
        import io
        import sys

        recorder = self

        class _Stream(io.TextIOBase):
            def __init__(self, name):
                self.name = name

            def writable(self):
                return True

            def write(self, text):
                recorder.stream(self.name, str(text))
                return len(text)

        saved = sys.stdout, sys.stderr, shell.display_pub
        sys.stdout, sys.stderr, shell.display_pub = _Stream("stdout"), _Stream("stderr"), self
        try:
            return call()
        finally:
            sys.stdout, sys.stderr, shell.display_pub = saved


@functools.lru_cache(maxsize=None)
def _explorer_class():
    """The :class:`ipywidgets.interactive` subclass of every ``*_widget`` function (see :func:`_interactive`)."""
    import ipywidgets as widgets
    from ipywidgets.widgets.interaction import show_inline_matplotlib_plots

    class Explorer(widgets.interactive):
        """``ipywidgets.interactive`` whose first drawing is written into its output widget's state.

        Every later update (a moved control) is :meth:`ipywidgets.interactive.update` unchanged.
        """

        _first_drawn = False

        def update(self, *args):
            if self._first_drawn:
                return super().update(*args)
            self._first_drawn = True
            from IPython import get_ipython

            shell = get_ipython()
            if shell is None or getattr(shell, "kernel", None) is None:
                # No kernel (plain Python, a terminal, the tests): no frontend, nothing can stall;
                # interactive's own update prints to stdout.
                return super().update(*args)
            self.kwargs = {widget._kwarg: widget.get_interact_value() for widget in self.kwargs_widgets}
            show_inline_matplotlib_plots()
            recorder = _Recorder()

            def draw():
                result = self.f(**self.kwargs)
                show_inline_matplotlib_plots()
                return result

            self.result = recorder.record(shell, draw)
            self.out.outputs = tuple(recorder.outputs)
            return None

    return Explorer


def _interactive(update, controls: dict):
    """``ipywidgets.interactive(update, **controls)`` whose first drawing cannot stall a headless run.

    :class:`ipywidgets.interactive` draws its initial state while it is built, inside ``with
    output_widget:``. A notebook executed headless by nbclient (the book build through myst-nb,
    ``jupyter nbconvert --execute``, an autograder) then mimics the frontend's output widget: for
    every output captured in it, nbclient sends a ``comm_msg`` to the kernel on the shell channel
    while it is waiting, on that same socket, for the cell's ``execute_reply``. The send goes
    through a synchronous shadow of the asyncio socket (``jupyter_client.Session.send``), which
    consumes zmq's edge-triggered "readable" signal behind pyzmq's back; when the reply has just
    arrived, the wait is never woken, sleeps to the end of the cell timeout (300 s in the book's
    ``_config.yml``), then finds the reply and goes on without an error (nbclient issue #312).

    Here the first drawing (in a kernel) is recorded instead and written into the output widget's
    ``outputs`` state, which the kernel sends to the frontend as an ordinary widget state update on
    IOPub: the frontend shows the same outputs, the widget state saved in an executed notebook
    holds them, and nbclient has nothing to send on the shell channel. Every later update (a moved
    control, in a live session) is interactive's own, so the widget stays live. An exception in
    the first drawing is raised, so a broken explorer fails the cell rather than hiding in it.

    Returns
    -------
    ipywidgets.interactive
    """
    return _explorer_class()(update, **controls)


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
        return _show(lambda: granger_explorer(coupling, T, lag=lag, seed=seed), "Cannot run the test")

    controls = dict(
        coupling=widgets.FloatSlider(value=float(coupling), min=-1.0, max=1.0, step=0.05, description="coupling",
                                     continuous_update=False),
        T=widgets.IntSlider(value=int(T), min=30, max=2000, step=10, description="T", continuous_update=False),
        lag=widgets.IntSlider(value=int(lag), min=1, max=8, step=1, description="lag", continuous_update=False),
        seed=widgets.IntSlider(value=int(seed), min=0, max=50, step=1, description="seed", continuous_update=False),
    )
    return _interactive(update, controls)


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
        return _show(lambda: window_explorer(window, epsilon, kind=kind, T=T, seed=seed, model=model),
                     "Cannot run the test")

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
    return _interactive(update, controls)


# ----------------------------------------------------------------------------- lasso VAR
#: Range of the lasso explorer's penalty slider (log scale, base 10).
LASSO_ALPHA_RANGE = (1e-3, 1.0)
#: Ranges of the lasso explorer's sliders for ``p``, ``T`` and the seed.
LASSO_P_RANGE = (3, 20)
LASSO_T_RANGE = (50, 500)
LASSO_SEED_RANGE = (0, 20)


@dataclass(frozen=True, repr=False)
class LassoExplorerResult:
    """One state of the lasso-VAR explorer.

    Attributes
    ----------
    alpha : float
        The penalty, on scikit-learn's scale ``1/(2n) ||y - Zb||² + alpha ||b||₁``.
    p, T : int
        Number of series and time points of the simulated VAR(1).
    target : int
        The series whose lasso path is drawn.
    X : numpy.ndarray, shape (T, p)
        The simulated series, each column standardised (mean 0, standard deviation 1).
    A : numpy.ndarray of int, shape (p, p)
        The true graph, ``A[i, j] = 1`` means ``i -> j``; its diagonal is 1 (every series depends
        on its own past) and is left out of every score.
    coef : numpy.ndarray, shape (1, p, p)
        ``lasso_var(X, 1, alpha)``: ``coef[0, i, j]`` is the effect of ``x_i(t-1)`` on ``x_j(t)``.
    path_alphas : numpy.ndarray, shape (n_knots,)
        The knots of the target's lasso path, decreasing from ``max|Zᵀy| / n`` to 0
        (:func:`sklearn.linear_model.lars_path`, ``method="lasso"``).
    path_coefs : numpy.ndarray, shape (p, n_knots)
        The coefficients of ``x_0(t-1), ..., x_{p-1}(t-1)`` at each knot; linear in between.
    n_nonzero : int
        Number of nonzero off-diagonal coefficients of ``coef[0]``: the estimated edges.
    precision, recall : float
        Of the estimated edges against the off-diagonal truth; ``nan`` where undefined (no
        estimated edge, or no true off-diagonal edge).
    auroc : float
        :func:`gcbook.metrics.auroc` of ``|coef[0]|`` (off-diagonal, threshold-free); ``nan`` when
        the off-diagonal truth is all 0 or all 1.
    figure : matplotlib.figure.Figure
        Left: the target's lasso path with a line at ``alpha``; right: the estimated edges at
        ``alpha`` coloured TP / FP / FN / TN against the truth.
    """

    alpha: float
    p: int
    T: int
    target: int
    X: np.ndarray
    A: np.ndarray
    coef: np.ndarray
    path_alphas: np.ndarray
    path_coefs: np.ndarray
    n_nonzero: int
    precision: float
    recall: float
    auroc: float
    figure: object

    def scores_text(self) -> str:
        """``"17 edges, precision 0.82, recall 0.93, AUROC 0.98"``, with ``n/a`` for an undefined score."""
        edges = f"{self.n_nonzero} edge{'' if self.n_nonzero == 1 else 's'}"
        return (f"{edges}, precision {_format_score(self.precision)}, "
                f"recall {_format_score(self.recall)}, AUROC {_format_score(self.auroc)}")

    def __repr__(self) -> str:
        return (f"LassoExplorerResult(alpha={self.alpha:g}, p={self.p}, T={self.T}, target={self.target}, "
                f"true edges: {int(_off_diagonal_truth(self.A).sum())}; {self.scores_text()})")


def _off_diagonal_truth(A: np.ndarray) -> np.ndarray:
    """``A != 0`` with the diagonal (the own past, never scored) set to False."""
    truth = np.asarray(A) != 0
    np.fill_diagonal(truth, False)
    return truth


def _precision_recall(truth: np.ndarray, estimate: np.ndarray) -> tuple[int, float, float]:
    """Edge count, precision and recall of a boolean estimate against a boolean truth; ``nan`` where undefined.

    Both are (p, p) boolean arrays with every entry that is not scored already set to False.
    """
    n_edges, n_true = int(estimate.sum()), int(truth.sum())
    hits = int((estimate & truth).sum())
    precision = hits / n_edges if n_edges else float("nan")
    recall = hits / n_true if n_true else float("nan")
    return n_edges, float(precision), float(recall)


def _format_category_axes(ax, p: int) -> None:
    """Ticks, cause/effect labels and cell borders of a (p, p) map, as :mod:`gcbook.plotting` draws them.

    The borders are two line collections rather than minor-tick grid lines, which are several
    times slower to make; the explorer redraws on every slider move.
    """
    from gcbook.plotting import PALETTE

    step = 1 if p <= 30 else int(np.ceil(p / 20))
    ticks = np.arange(0, p, step)
    ax.set_xticks(ticks, [f"x{k}" for k in ticks], rotation=90 if p > 10 else 0)
    ax.set_yticks(ticks, [f"x{k}" for k in ticks])
    ax.set_xlabel("effect  $x_j$ (column)")
    ax.set_ylabel("cause  $x_i$ (row)")
    ax.grid(False)
    edges = np.arange(-0.5, p, 1.0)
    ax.hlines(edges, -0.5, p - 0.5, color=PALETTE["grid"], linewidth=0.6)
    ax.vlines(edges, -0.5, p - 0.5, color=PALETTE["grid"], linewidth=0.6)
    ax.set_xlim(-0.5, p - 0.5)
    ax.set_ylim(p - 0.5, -0.5)


def _lasso_scores(A: np.ndarray, C: np.ndarray) -> tuple[int, float, float, float]:
    """Number of off-diagonal nonzeros, precision, recall and AUROC of ``|C|``; ``nan`` where undefined."""
    from gcbook.metrics import auroc

    p = A.shape[0]
    truth = _off_diagonal_truth(A)
    estimate = C != 0
    np.fill_diagonal(estimate, False)
    n_nonzero, precision, recall = _precision_recall(truth, estimate)
    score = auroc(A, np.abs(C), include_diagonal=False) if 0 < truth.sum() < p * (p - 1) else float("nan")
    return n_nonzero, precision, recall, float(score)


def _check_lasso_explorer_args(alpha, p, T, target) -> tuple[float, int, int, int]:
    alpha = check_real(alpha, "alpha", low=0.0)
    p = check_int(p, "p", 2)
    T = check_int(T, "T", 1)
    if T < p + 3:
        raise ValueError(
            f"T={T} is too short for p={p} series: the lasso path needs T >= p + 3, so that the centred lagged "
            f"design (T - 1 rows, rank at most T - 2) has more rows than its p columns. Use T >= {p + 3}."
        )
    target = check_int(target, "target", 0)
    if target >= p:
        raise ValueError(f"target must be one of the series 0..{p - 1} (p={p}), got {target}.")
    return alpha, p, T, target


def _draw_lasso(axes, alpha, target, A, coef, path_alphas, path_coefs, scores):
    """Lasso-path panel of the target and TP/FP/FN map of the estimate at ``alpha``."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    from gcbook.plotting import (_ANNOTATE_MAX_P, _CATEGORY_NAMES, FN, FP, METHOD_COLORS, PALETTE, TN, TP,
                                 _annotate_cells, _category_cmap, edge_categories)

    ax_path, ax_graph = axes
    p = A.shape[0]
    # The path is piecewise linear in alpha: evaluate it on a log grid (plus its knots) so that it
    # reads right on the log axis, from just above the first knot down to a floor below alpha.
    top = 1.5 * max(float(path_alphas[0]), alpha)
    floor = min(LASSO_ALPHA_RANGE[0], alpha if alpha > 0 else LASSO_ALPHA_RANGE[0]) / 2.0
    knots = path_alphas[(path_alphas > floor) & (path_alphas < top)]
    grid = np.unique(np.r_[np.geomspace(floor, top, 300), knots])
    increasing = path_alphas[::-1]
    parents = [i for i in range(p) if A[i, target] and i != target]
    colour = {i: METHOD_COLORS[k % 6] for k, i in enumerate(parents)}
    colour[target] = "k"
    for i in sorted(range(p), key=lambda i: i in colour):  # the grey lines first, under the coloured ones
        values = np.interp(grid, increasing, path_coefs[i, ::-1])
        if i == target:
            ax_path.plot(grid, values, color="k", linestyle="--", linewidth=1.4)
        elif i in colour:
            ax_path.plot(grid, values, color=colour[i], linewidth=1.6)
        else:
            ax_path.plot(grid, values, color=PALETTE["neutral"], linewidth=0.8, alpha=0.8)
    shown = alpha if alpha > 0 else floor
    ax_path.axvline(shown, color=PALETTE["edge"], linewidth=1.0, linestyle=":", zorder=1)
    at_alpha = coef[0][:, target]
    ax_path.scatter(np.full(p, shown), at_alpha, s=14, zorder=3,
                    color=[colour.get(i, PALETTE["neutral"]) for i in range(p)])
    ax_path.axhline(0.0, color="k", linewidth=0.5)
    ax_path.set_xscale("log")
    ax_path.set_xlim(top, floor)  # decreasing alpha to the right: edges enter from the left
    ax_path.set_xlabel("penalty $\\alpha$ (log scale; smaller to the right)")
    ax_path.set_ylabel(f"coefficient of $x_i(t-1)$ in $x_{{{target}}}(t)$")
    ax_path.set_title(f"lasso path of $x_{{{target}}}(t)$, its true causes in colour")
    handles = [Line2D([], [], color=colour[i], linewidth=1.6, label=f"$x_{{{i}}} \\to x_{{{target}}}$ (true)")
               for i in parents]
    handles += [
        Line2D([], [], color="k", linestyle="--", linewidth=1.4, label=f"own past $x_{{{target}}}(t-1)$"),
        Line2D([], [], color=PALETTE["neutral"], linewidth=0.8, label="no true edge"),
        Line2D([], [], color=PALETTE["edge"], linewidth=1.0, linestyle=":",
               label=f"$\\alpha$ = {alpha:.3g}" + (" (least squares)" if alpha == 0 else "")),
    ]
    ax_path.legend(handles=handles, loc="best", fontsize=8, frameon=True, framealpha=0.85, edgecolor="none")

    codes = edge_categories(A != 0, coef[0] != 0, include_diagonal=False)
    cmap, norm = _category_cmap()
    image = ax_graph.imshow(codes, cmap=cmap, norm=norm, interpolation="nearest", aspect="equal")
    _format_category_axes(ax_graph, p)
    if p <= _ANNOTATE_MAX_P:
        _annotate_cells(ax_graph, image, codes, texts=[[_CATEGORY_NAMES[c][0] for c in row] for row in codes])
    ax_graph.add_patch(Rectangle((target - 0.5, -0.5), 1.0, p, fill=False, edgecolor="k", linewidth=1.6, zorder=3,
                                 clip_on=False))
    handles = [Patch(facecolor=PALETTE[_CATEGORY_NAMES[c][2]], edgecolor=PALETTE["grid"],
                     label=f"{_CATEGORY_NAMES[c][1]} ({int((codes == c).sum())})") for c in (TP, FP, FN, TN)]
    handles += [Patch(facecolor=PALETTE["not_evaluated"], edgecolor=PALETTE["grid"], label="own past (not scored)"),
                Patch(facecolor="none", edgecolor="k", linewidth=1.6, label=f"target $x_{{{target}}}$ (left)")]
    ax_graph.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=8,
                    borderaxespad=0.0)
    ax_graph.set_title(f"estimate at $\\alpha$ = {alpha:.3g} vs truth\n{scores}")


def lasso_var_explorer(alpha: float, *, p: int = 10, T: int = 200, seed=0, target: int = 0,
                       axes=None) -> LassoExplorerResult:
    """Simulate a sparse VAR(1), fit the lasso VAR at ``alpha`` and draw a target's lasso path and the graph.

    The series are ``gcbook.simulate.var(p=p, T=T, lag=1, seed=seed)`` (off-diagonal edges with
    probability 0.2, every series driven by its own past), each column standardised. The fit is
    ``gcbook.sparse_var.lasso_var(X, 1, alpha)``; the left panel is the exact lasso path of the
    ``target`` series, :func:`sklearn.linear_model.lars_path` (``method="lasso"``) on the centred
    lagged design ``Z = X[:-1]`` and ``y = X[1:, target]``, whose ``alpha`` is on the same scale,
    ``1/(2n) ||y - Zb||² + alpha ||b||₁`` with ``n = T - 1``, so the fit sits on the path at
    ``alpha``. The scores leave the diagonal (the own past) out. This is the update function of
    :func:`lasso_var_explorer_widget`; it takes about a tenth of a second for the defaults
    (needs scikit-learn and torch, imported by :mod:`gcbook.sparse_var`).

    Parameters
    ----------
    alpha : float
        The penalty, ``>= 0``; 0 is least squares (a dense graph), and every coefficient is zero
        once ``alpha >= max|Zᵀ X[1:]| / n`` (the largest first knot over the targets).
    p : int, default 10
        Number of series, ``>= 2``.
    T : int, default 200
        Number of time points, ``>= p + 3``: the centred lagged design has ``T - 1`` rows and rank
        at most ``T - 2``, which must exceed its ``p`` columns for the path to end at a unique
        least-squares fit.
    seed : None, int or numpy.random.Generator, default 0
        Seed of the simulation (the fits are deterministic).
    target : int, default 0
        The series whose lasso path is drawn, in ``0..p-1``.
    axes : pair of matplotlib.axes.Axes, optional
        Where to draw (path, graph). By default a new :class:`matplotlib.figure.Figure` is made
        without :mod:`matplotlib.pyplot`.

    Returns
    -------
    LassoExplorerResult
        The data, the truth, the fit, the target's path, the scores at ``alpha`` (``nan`` where
        undefined, shown as "n/a") and the figure.

    Raises
    ------
    ValueError
        For ``alpha < 0`` or not finite, ``p < 2``, ``T < p + 3``, a ``target`` outside
        ``0..p-1``, a bad ``seed``, or ``axes`` that is not a pair.

    Examples
    --------
    >>> res = lasso_var_explorer(0.05, p=10, T=200, seed=0)
    >>> res.coef.shape, res.path_coefs.shape[0], len(res.figure.axes)
    ((1, 10, 10), 10, 2)
    >>> int(res.A.sum()) - res.p  # true off-diagonal edges
    15
    >>> print(res.scores_text())
    35 edges, precision 0.43, recall 1.00, AUROC 1.00
    >>> print(lasso_var_explorer(0.2, seed=0).scores_text())  # sparser: fewer false edges, some missed
    11 edges, precision 1.00, recall 0.73, AUROC 0.87
    >>> print(lasso_var_explorer(1.0, seed=0).scores_text())  # above every first knot: nothing left
    0 edges, precision n/a, recall 0.00, AUROC 0.50
    """
    from sklearn.linear_model import lars_path

    from gcbook.simulate import var
    from gcbook.sparse_var import lasso_var

    alpha, p, T, target = _check_lasso_explorer_args(alpha, p, T, target)
    rng = check_random_state(seed)
    if axes is not None:
        axes = list(np.ravel(axes))
        if len(axes) != 2:
            raise ValueError(f"axes must be a pair (path axes, graph axes), got {len(axes)} axes.")

    X, A = var(p=p, T=T, lag=1, seed=rng)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    coef = lasso_var(X, 1, alpha)
    Z = X[:-1] - X[:-1].mean(axis=0)
    y = X[1:, target] - X[1:, target].mean()
    path_alphas, _, path_coefs = lars_path(Z, y, method="lasso")
    n_nonzero, precision, recall, score = _lasso_scores(A, coef[0])

    if axes is None:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(10.5, 4.4), layout="constrained")
        axes = figure.subplots(1, 2, width_ratios=[1.25, 1.0])
    figure = axes[0].figure
    result = LassoExplorerResult(
        alpha=alpha, p=p, T=T, target=target, X=X, A=A, coef=coef, path_alphas=path_alphas, path_coefs=path_coefs,
        n_nonzero=n_nonzero, precision=precision, recall=recall, auroc=score, figure=figure,
    )
    _draw_lasso(axes, alpha, target, A, coef, path_alphas, path_coefs, result.scores_text())
    return result


def lasso_var_explorer_widget(alpha: float = 0.05, p: int = 10, T: int = 200, seed: int = 0, target: int = 0):
    """An :func:`ipywidgets.interactive` explorer of the lasso VAR (live only with a kernel).

    A log-scale slider for the penalty ``alpha`` (0.001 to 1) and sliders for the number of
    series ``p`` (3 to 20), the length ``T`` (50 to 500), the seed (0 to 20) and the ``target``
    series whose lasso path is drawn (0 to ``p - 1``; its maximum follows ``p``). Every change
    calls :func:`lasso_var_explorer` and shows its figure and numbers.

    Parameters
    ----------
    alpha, p, T, seed, target
        Starting values of the controls.

    Returns
    -------
    ipywidgets.interactive
        Display it (make it the last expression of a notebook cell).

    Raises
    ------
    ValueError
        If a starting value lies outside its control's range (``alpha`` in [0.001, 1], ``p`` in
        3..20, ``T`` in 50..500, ``seed`` in 0..20, ``target`` in 0..p-1).
    ImportError
        If ipywidgets is not installed.
    """
    alpha = check_real(alpha, "alpha", low=LASSO_ALPHA_RANGE[0], high=LASSO_ALPHA_RANGE[1])
    checked = {}
    ranges = [("p", p, LASSO_P_RANGE), ("T", T, LASSO_T_RANGE), ("seed", seed, LASSO_SEED_RANGE)]
    for name, value, (low, high) in ranges:
        checked[name] = check_int(value, name, low)
        if checked[name] > high:
            raise ValueError(f"{name} must be <= {high} (the slider's range), got {checked[name]}.")
    p, T, seed = checked["p"], checked["T"], checked["seed"]
    target = check_int(target, "target", 0)
    if target >= p:
        raise ValueError(f"target must be one of the series 0..{p - 1} (p={p}), got {target}.")

    import ipywidgets as widgets
    def update(alpha, p, T, seed, target):
        return _show(lambda: lasso_var_explorer(alpha, p=p, T=T, seed=seed, target=target), "Cannot fit the lasso VAR")

    controls = dict(
        alpha=widgets.FloatLogSlider(value=alpha, base=10, min=np.log10(LASSO_ALPHA_RANGE[0]),
                                     max=np.log10(LASSO_ALPHA_RANGE[1]), step=0.05, description="alpha",
                                     readout_format=".3g", continuous_update=False),
        p=widgets.IntSlider(value=p, min=LASSO_P_RANGE[0], max=LASSO_P_RANGE[1], step=1, description="p",
                            continuous_update=False),
        T=widgets.IntSlider(value=T, min=LASSO_T_RANGE[0], max=LASSO_T_RANGE[1], step=10, description="T",
                            continuous_update=False),
        seed=widgets.IntSlider(value=seed, min=LASSO_SEED_RANGE[0], max=LASSO_SEED_RANGE[1], step=1,
                               description="seed", continuous_update=False),
        target=widgets.IntSlider(value=target, min=0, max=p - 1, step=1, description="target",
                                 continuous_update=False),
    )

    def follow_p(change):
        # Registered before interactive's own observers, so the target is clamped before the redraw.
        controls["target"].max = change["new"] - 1

    controls["p"].observe(follow_p, names="value")
    return _interactive(update, controls)


# ----------------------------------------------------------------------------- shared by the graph explorers
def _category_legend(ax, codes, extra=()):
    """Legend of a TP / FP / FN / TN map with the counts, right of ``ax``."""
    from matplotlib.patches import Patch

    from gcbook.plotting import _CATEGORY_NAMES, FN, FP, PALETTE, TN, TP

    handles = [Patch(facecolor=PALETTE[_CATEGORY_NAMES[c][2]], edgecolor=PALETTE["grid"],
                     label=f"{_CATEGORY_NAMES[c][1]} ({int((codes == c).sum())})") for c in (TP, FP, FN, TN)]
    handles += list(extra)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=8,
              borderaxespad=0.0)


def _draw_category_map(ax, codes, title):
    """The TP / FP / FN / TN map of an estimate, drawn as the lasso explorer draws it."""
    from matplotlib.patches import Patch

    from gcbook.plotting import _ANNOTATE_MAX_P, _CATEGORY_NAMES, PALETTE, _annotate_cells, _category_cmap

    p = codes.shape[0]
    cmap, norm = _category_cmap()
    image = ax.imshow(codes, cmap=cmap, norm=norm, interpolation="nearest", aspect="equal")
    _format_category_axes(ax, p)
    if p <= _ANNOTATE_MAX_P:
        _annotate_cells(ax, image, codes, texts=[[_CATEGORY_NAMES[c][0] for c in row] for row in codes])
    _category_legend(ax, codes, [Patch(facecolor=PALETTE["not_evaluated"], edgecolor=PALETTE["grid"],
                                       label="diagonal (not scored)")])
    ax.set_title(title)


def _strip_colours(truth_row, kept):
    """Point colours of a strip panel: kept true edges TP, dropped ones FN, kept non-edges FP, else TN."""
    from gcbook.plotting import PALETTE

    if truth_row:
        return np.where(kept, PALETTE["tp"], PALETTE["fn"])
    return np.where(kept, PALETTE["fp"], PALETTE["neutral"])


def _jitter(size: int) -> np.ndarray:
    """Fixed vertical jitter of a strip panel (the same points do not jump between updates)."""
    return np.random.default_rng(0).uniform(-0.28, 0.28, size)


# ----------------------------------------------------------------------------- NOTEARS
#: Range of the NOTEARS explorer's threshold slider (the weights are drawn from ±[0.5, 2]).
NOTEARS_THRESHOLD_RANGE = (0.0, 1.5)
#: The L1 weights the NOTEARS explorer's slider offers: the grid of the chapter's tuning section.
NOTEARS_LAMBDAS = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0)
#: Ranges of the NOTEARS explorer's sliders for the number of nodes, samples and the seed.
NOTEARS_D_RANGE = (5, 12)
NOTEARS_N_RANGE = (50, 2000)
NOTEARS_SEED_RANGE = (0, 20)


@dataclass(frozen=True, repr=False)
class NotearsExplorerResult:
    """One state of the NOTEARS explorer.

    Attributes
    ----------
    threshold : float
        The final weight threshold: entries with ``|W| < threshold`` are set to 0.
    lambda1 : float
        The L1 weight of the fit.
    standardize : bool
        Whether NOTEARS saw the standardised columns (variance 1) instead of the raw data.
    d, n, seed : int
        Nodes, samples and seed of the simulation: an ER2 graph (``2 d`` edges).
    X : numpy.ndarray, shape (n, d)
        The data NOTEARS saw (standardised when ``standardize``); read-only.
    B : numpy.ndarray of int, shape (d, d)
        The true DAG, ``B[i, j] = 1`` means ``i -> j``; read-only.
    W_raw : numpy.ndarray, shape (d, d)
        The NOTEARS solution before the threshold (the last ``history.W``); read-only.
    W : numpy.ndarray, shape (d, d)
        ``notears_linear(X, lambda1, w_threshold=threshold)``: ``W_raw`` thresholded, with the weakest
        edge of any remaining cycle removed.
    removed : tuple of (int, int)
        The edges removed to break cycles (empty unless the threshold is very low).
    varsortability : float
        Fraction of the true edges ``i -> j`` with ``var(x_i) < var(x_j)`` in ``X``, ties one half.
    n_edges, shd : int
        Number of estimated edges and the structural Hamming distance
        (:func:`gcbook.metrics.count_accuracy`; a reversed edge costs 1).
    precision, recall : float
        Fraction of the estimated edges that are true edges with the right direction, and fraction of
        the true edges found with the right direction; precision is ``nan`` with no estimated edge.
    figure : matplotlib.figure.Figure
        Left: ``|W_raw|`` of every pair, split into true edges, reversed true edges and non-edges,
        with the threshold; right: the estimate's TP / FP / FN / TN map.
    """

    threshold: float
    lambda1: float
    standardize: bool
    d: int
    n: int
    seed: int
    X: np.ndarray
    B: np.ndarray
    W_raw: np.ndarray
    W: np.ndarray
    removed: tuple
    varsortability: float
    n_edges: int
    shd: int
    precision: float
    recall: float
    figure: object

    def scores_text(self) -> str:
        """``"20 edges, SHD 0, precision 1.00, recall 1.00"``, with ``n/a`` for an undefined score."""
        edges = f"{self.n_edges} edge{'' if self.n_edges == 1 else 's'}"
        return (f"{edges}, SHD {self.shd}, precision {_format_score(self.precision)}, "
                f"recall {_format_score(self.recall)}")

    def __repr__(self) -> str:
        data = "standardised" if self.standardize else "raw"
        cut = f", {len(self.removed)} cycle edge(s) cut" if self.removed else ""
        return (f"NotearsExplorerResult(threshold={self.threshold:g}, lambda1={self.lambda1:g}, d={self.d}, "
                f"n={self.n}, seed={self.seed}, {data} data, varsortability {self.varsortability:.2f}; "
                f"{self.scores_text()}{cut})")


def _notears_data(d: int, n: int, seed: int):
    """The explorer's simulation: ER2 graph, NOTEARS weights and Gaussian data from one generator."""
    from gcbook.simulate import dag_weights, linear_sem, random_dag

    rng = np.random.default_rng(seed)
    B = random_dag(d, 2 * d, kind="ER", seed=rng)
    X = linear_sem(dag_weights(B, seed=rng), n, seed=rng)
    return B, X


@functools.lru_cache(maxsize=64)
def _notears_fit(d: int, n: int, seed: int, standardize: bool, lambda1: float):
    """Simulate and fit once per setting (the threshold acts after the fit); the arrays are read-only."""
    from gcbook.notears import notears_linear

    B, X = _notears_data(d, n, seed)
    if standardize:
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    with warnings.catch_warnings():
        # The fit's own threshold (0) is not the one shown, so its cycle warning does not apply.
        warnings.simplefilter("ignore", UserWarning)
        _, history = notears_linear(X, lambda1=lambda1, w_threshold=0.0, enforce_dag=False, return_history=True)
    W_raw = history.W[-1].copy()
    for array in (B, X, W_raw):
        array.setflags(write=False)
    return B, X, W_raw


def _edge_varsortability(X: np.ndarray, B: np.ndarray) -> float:
    """Fraction of the edges ``i -> j`` of ``B`` with ``var(x_i) < var(x_j)``; ties (``np.isclose``) count 1/2."""
    variance = X.var(axis=0)
    i, j = np.nonzero(B)
    if i.size == 0:
        return float("nan")
    tie = np.isclose(variance[i], variance[j])
    return float(np.mean(np.where(tie, 0.5, variance[i] < variance[j])))


def _dag_scores(B: np.ndarray, W: np.ndarray) -> tuple[int, int, float, float]:
    """Number of estimated edges, SHD, precision and recall of the directed edges of ``W``."""
    from gcbook.metrics import count_accuracy

    estimate = W != 0
    n_edges, precision, recall = _precision_recall(B != 0, estimate)
    return n_edges, int(count_accuracy(B, estimate.astype(int))["shd"]), precision, recall


def _check_notears_explorer_args(threshold, lambda1, standardize, d, n, seed):
    threshold = check_real(threshold, "threshold", low=0.0)
    lambda1 = check_real(lambda1, "lambda1", low=0.0)
    if not isinstance(standardize, (bool, np.bool_)):
        raise ValueError(f"standardize must be True or False, got {standardize!r}.")
    d = check_int(d, "d", NOTEARS_D_RANGE[0])
    n = check_int(n, "n", 10)
    if isinstance(seed, bool) or not isinstance(seed, (numbers.Integral, np.integer)):
        raise ValueError(f"seed must be an int >= 0 (the fit is cached per seed), got {seed!r} "
                         f"({type(seed).__name__}).")
    seed = check_int(seed, "seed", 0)
    return threshold, lambda1, bool(standardize), d, n, seed


def _draw_notears(axes, result):
    """Strip panel of ``|W_raw|`` by truth with the threshold, and the TP / FP / FN map."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from gcbook.plotting import PALETTE, edge_categories

    ax_w, ax_graph = axes
    B, W_raw, W, threshold = result.B != 0, np.abs(result.W_raw), result.W != 0, result.threshold
    off = ~np.eye(result.d, dtype=bool)
    rows = [(2, "true edge\n$i \\to j$", B & off, True),
            (1, "reversed\ntrue edge", B.T & ~B & off, False),
            (0, "no edge\neither way", ~B & ~B.T & off, False)]
    right = max(1.08 * float(W_raw.max()), 1.15 * threshold, 0.5)
    ax_w.axvspan(0.0, threshold, color=PALETTE["tn"], alpha=0.9, linewidth=0, zorder=0)
    ax_w.axvline(threshold, color="k", linestyle="--", linewidth=1.0, zorder=1)
    for y, _, mask, is_true in rows:
        values, kept = W_raw[mask], W[mask]
        ax_w.scatter(values, y + _jitter(values.size), s=18, zorder=3, linewidths=0.4, edgecolors="white",
                     c=_strip_colours(is_true, kept))
    ax_w.set_yticks([y for y, *_ in rows], [label for _, label, *_ in rows])
    ax_w.set_ylim(-1.05, 2.5)  # room for the legend under the last row
    ax_w.set_xlim(-0.03 * right, right)  # the exact zeros (many, with the L1 term) stay visible
    ax_w.grid(False, axis="y")
    ax_w.set_xlabel("$|W[i, j]|$ before the threshold, one point per pair $i \\neq j$")
    data = "standardised" if result.standardize else "raw"
    ax_w.set_title(f"NOTEARS, $\\lambda_1$ = {result.lambda1:g}, {data} data\n"
                   f"varsortability {result.varsortability:.2f}")
    handles = [Line2D([], [], color="k", linestyle="--", linewidth=1.0, label=f"threshold {threshold:.2f}"),
               Patch(facecolor=PALETTE["tn"], edgecolor=PALETTE["grid"], label="set to 0")]
    ax_w.legend(handles=handles, loc="lower center", ncol=2, fontsize=8, frameon=False)

    codes = edge_categories(B, W, include_diagonal=False)
    cut = f", {len(result.removed)} cycle edge(s) cut" if result.removed else ""
    _draw_category_map(ax_graph, codes, f"threshold {threshold:.2f}{cut}\n{result.scores_text()}")


def notears_explorer(threshold: float = 0.3, *, lambda1: float = 0.1, standardize: bool = False, d: int = 8,
                     n: int = 300, seed: int = 0, axes=None) -> NotearsExplorerResult:
    """Fit NOTEARS to a simulated ER2 graph and show what its final threshold keeps.

    The data are the chapter's benchmark: with ``rng = numpy.random.default_rng(seed)``,
    ``B = random_dag(d, 2 d, kind="ER", seed=rng)``, ``W = dag_weights(B, seed=rng)`` (weights in
    ±[0.5, 2]) and ``X = linear_sem(W, n, seed=rng)`` (Gaussian noise of variance 1), each column
    standardised if ``standardize``. NOTEARS runs once per (d, n, seed, standardize, lambda1),
    cached, and the threshold is applied afterwards exactly as :func:`gcbook.notears.notears_linear`
    applies ``w_threshold`` (which acts after the optimisation), so ``result.W`` equals
    ``notears_linear(X, lambda1=lambda1, w_threshold=threshold)``. A new setting takes a fraction
    of a second for ``d <= 12``; a new threshold only redraws. This is the update function of
    :func:`notears_explorer_widget`.

    Parameters
    ----------
    threshold : float, default 0.3
        The final weight threshold, ``>= 0`` (NOTEARS's default is 0.3).
    lambda1 : float, default 0.1
        The L1 weight, ``>= 0``.
    standardize : bool, default False
        Fit the standardised columns (variance 1), which removes the variance ordering.
    d : int, default 8
        Number of nodes, ``>= 5`` (an ER2 graph has ``2 d <= d (d - 1) / 2`` edges).
    n : int, default 300
        Number of samples, ``>= 10``.
    seed : int, default 0
        Seed of the simulation, an int ``>= 0`` (the fit is cached per seed).
    axes : pair of matplotlib.axes.Axes, optional
        Where to draw (weights, graph). By default a new :class:`matplotlib.figure.Figure` is made
        without :mod:`matplotlib.pyplot`.

    Returns
    -------
    NotearsExplorerResult
        The data, the truth, the weights before and after the threshold, the scores and the figure.

    Raises
    ------
    ValueError
        For a negative or non-finite ``threshold`` or ``lambda1``, a ``standardize`` that is not a
        bool, ``d < 5``, ``n < 10``, a ``seed`` that is not an int ``>= 0``, or ``axes`` that is not a pair.

    Examples
    --------
    The scores of a fit depend on the CPU (the optimisation amplifies the last bits of its
    arithmetic, which differ between BLAS kernels), so they are elided here; the truth, the shapes
    and the varsortability (a property of the data alone) cannot change.

    >>> res = notears_explorer(0.3, seed=0)
    >>> int(res.B.sum()), res.W_raw.shape, len(res.figure.axes)
    (16, (8, 8), 2)
    >>> print(f"varsortability {res.varsortability:.2f} |", res.scores_text())  # doctest: +ELLIPSIS
    varsortability 0.75 | ... edges, SHD ..., precision ..., recall ...
    >>> low = notears_explorer(0.05, seed=0)  # the same (cached) fit, a low threshold
    >>> low.W_raw is res.W_raw, bool(np.all(np.abs(low.W[low.W != 0]) >= 0.05))  # one fit; kept weights >= 0.05
    (True, True)
    >>> std = notears_explorer(0.3, standardize=True, seed=0)  # no variance ordering left
    >>> print(f"varsortability {std.varsortability:.2f} |", std.scores_text())  # doctest: +ELLIPSIS
    varsortability 0.50 | ... edges, SHD ..., precision ..., recall ...
    """
    threshold, lambda1, standardize, d, n, seed = _check_notears_explorer_args(
        threshold, lambda1, standardize, d, n, seed)
    if axes is not None:
        axes = list(np.ravel(axes))
        if len(axes) != 2:
            raise ValueError(f"axes must be a pair (weights axes, graph axes), got {len(axes)} axes.")
    from gcbook.notears import make_acyclic

    B, X, W_raw = _notears_fit(d, n, seed, standardize, lambda1)
    W = W_raw.copy()
    W[np.abs(W) < threshold] = 0.0
    np.fill_diagonal(W, 0.0)
    W, removed = make_acyclic(W)  # as notears_linear does; a DAG comes back unchanged
    n_edges, shd, precision, recall = _dag_scores(B, W)

    if axes is None:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(10.5, 4.2), layout="constrained")
        axes = figure.subplots(1, 2, width_ratios=[1.2, 1.0])
    result = NotearsExplorerResult(
        threshold=threshold, lambda1=lambda1, standardize=standardize, d=d, n=n, seed=seed, X=X, B=B,
        W_raw=W_raw, W=W, removed=tuple(removed), varsortability=_edge_varsortability(X, B), n_edges=n_edges, shd=shd,
        precision=precision, recall=recall, figure=axes[0].figure,
    )
    _draw_notears(axes, result)
    return result


def _check_slider_int(value, name, bounds):
    value = check_int(value, name, bounds[0])
    if value > bounds[1]:
        raise ValueError(f"{name} must be <= {bounds[1]} (the slider's range), got {value}.")
    return value


def _check_choice_of(value, name, options):
    if isinstance(value, (bool, np.bool_)) or value not in options:
        raise ValueError(f"{name} must be one of {tuple(options)} (the slider's values), got {value!r}.")
    return value


def notears_explorer_widget(threshold: float = 0.3, lambda1: float = 0.1, standardize: bool = False, d: int = 8,
                            n: int = 300, seed: int = 0):
    """An :func:`ipywidgets.interactive` explorer of the NOTEARS threshold (live only with a kernel).

    A slider for the threshold (0 to 1.5), one for ``lambda1`` over the chapter's grid (0, 0.01,
    0.03, 0.1, 0.3, 1), a checkbox for standardising the columns, and sliders for the number of
    nodes ``d`` (5 to 12), of samples ``n`` (50 to 2000) and the seed (0 to 20). Every change calls
    :func:`notears_explorer` and shows its figure and numbers; a new threshold reuses the cached fit.

    Parameters
    ----------
    threshold, lambda1, standardize, d, n, seed
        Starting values of the controls.

    Returns
    -------
    ipywidgets.interactive
        Display it (make it the last expression of a notebook cell).

    Raises
    ------
    ValueError
        If a starting value lies outside its control's range.
    ImportError
        If ipywidgets is not installed.
    """
    threshold = check_real(threshold, "threshold", low=NOTEARS_THRESHOLD_RANGE[0], high=NOTEARS_THRESHOLD_RANGE[1])
    lambda1 = _check_choice_of(lambda1, "lambda1", NOTEARS_LAMBDAS)
    if not isinstance(standardize, (bool, np.bool_)):
        raise ValueError(f"standardize must be True or False, got {standardize!r}.")
    d = _check_slider_int(d, "d", NOTEARS_D_RANGE)
    n = _check_slider_int(n, "n", NOTEARS_N_RANGE)
    seed = _check_slider_int(seed, "seed", NOTEARS_SEED_RANGE)

    import ipywidgets as widgets
    def update(threshold, lambda1, standardize, d, n, seed):
        return _show(lambda: notears_explorer(threshold, lambda1=lambda1, standardize=standardize, d=d, n=n,
                                              seed=seed), "Cannot fit NOTEARS")

    controls = dict(
        threshold=widgets.FloatSlider(value=threshold, min=NOTEARS_THRESHOLD_RANGE[0],
                                      max=NOTEARS_THRESHOLD_RANGE[1], step=0.05, description="threshold",
                                      readout_format=".2f", continuous_update=False),
        lambda1=widgets.SelectionSlider(options=[(f"{v:g}", v) for v in NOTEARS_LAMBDAS], value=lambda1,
                                        description="lambda1", continuous_update=False),
        standardize=widgets.Checkbox(value=bool(standardize), description="standardize"),
        d=widgets.IntSlider(value=d, min=NOTEARS_D_RANGE[0], max=NOTEARS_D_RANGE[1], step=1, description="d",
                            continuous_update=False),
        n=widgets.IntSlider(value=n, min=NOTEARS_N_RANGE[0], max=NOTEARS_N_RANGE[1], step=50, description="n",
                            continuous_update=False),
        seed=widgets.IntSlider(value=seed, min=NOTEARS_SEED_RANGE[0], max=NOTEARS_SEED_RANGE[1], step=1,
                               description="seed", continuous_update=False),
    )
    return _interactive(update, controls)


# ----------------------------------------------------------------------------- GRNGC (neural Granger causality)
#: Simulated systems of the GRNGC explorer: :func:`gcbook.simulate.lorenz96` or a VAR(2) from
#: :func:`gcbook.simulate.var`.
GRNGC_SYSTEMS = ("lorenz96", "var")
#: The penalties the GRNGC explorer's slider offers (one trained network each, cached).
GRNGC_LAMS = (0.0, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
#: The explorer's short training: lag (also the VAR's order), epochs and Adam learning rate.
GRNGC_LAG = 2
GRNGC_EPOCHS = 300
GRNGC_LR = 5e-3
#: Number of series and length of the widget's simulations, and the range of its seed slider.
GRNGC_P = 6
GRNGC_T = 200
GRNGC_SEED_RANGE = (0, 10)
_SYSTEM_NAMES = {"lorenz96": "Lorenz-96", "var": "VAR(2)"}


@dataclass(frozen=True, repr=False)
class GrngcExplorerResult:
    """One state of the GRNGC explorer.

    Attributes
    ----------
    lam : float
        The Jacobian penalty of the fit.
    threshold : float
        The threshold as a fraction of the largest off-diagonal score, in [0, 1].
    system : str
        ``"lorenz96"`` or ``"var"``.
    p, T, seed : int
        Series, time points and seed (of the simulation and of the network's initialisation).
    X : numpy.ndarray, shape (T, p)
        The simulated series; read-only.
    A : numpy.ndarray of int, shape (p, p)
        The true graph, ``A[i, j] = 1`` means ``i -> j``; its diagonal (the own past) is 1 and is left out of
        every score; read-only.
    scores : numpy.ndarray, shape (p, p)
        ``scores_`` of ``GRNGC(lag=2, lam=lam, epochs=300, lr=0.005, seed=seed).fit(X)`` (the penalty on 64
        random training windows per epoch, the package default), trained with one torch thread: the mean
        absolute Jacobian, maximum over lags, in standard-deviation units; read-only.
    val_loss : float
        The fit's best validation MSE (standardised units), the honest criterion for ``lam``.
    best_epoch : int
        The epoch whose parameters were kept.
    cutoff : float
        ``threshold`` times the largest off-diagonal score.
    estimate : numpy.ndarray of bool, shape (p, p)
        Off-diagonal entries with ``scores >= cutoff``.
    n_edges : int
        Number of estimated edges.
    precision, recall : float
        Of the estimated edges against the off-diagonal truth; ``nan`` where undefined.
    auroc : float
        :func:`gcbook.metrics.auroc` of ``scores`` (off-diagonal, threshold-free); ``nan`` when the
        off-diagonal truth is all 0 or all 1.
    figure : matplotlib.figure.Figure
        Left: every score on a log axis, split into true edges, non-edges and the own past, with the
        cutoff; right: the estimate's TP / FP / FN / TN map.
    """

    lam: float
    threshold: float
    system: str
    p: int
    T: int
    seed: int
    X: np.ndarray
    A: np.ndarray
    scores: np.ndarray
    val_loss: float
    best_epoch: int
    cutoff: float
    estimate: np.ndarray
    n_edges: int
    precision: float
    recall: float
    auroc: float
    figure: object

    def scores_text(self) -> str:
        """``"17 edges, precision 0.94, recall 0.89"``, with ``n/a`` for an undefined score."""
        edges = f"{self.n_edges} edge{'' if self.n_edges == 1 else 's'}"
        return f"{edges}, precision {_format_score(self.precision)}, recall {_format_score(self.recall)}"

    def __repr__(self) -> str:
        return (f"GrngcExplorerResult(lam={self.lam:g}, threshold={self.threshold:g}, system={self.system!r}, "
                f"p={self.p}, T={self.T}, seed={self.seed}; validation MSE {self.val_loss:.3f}, "
                f"AUROC {_format_score(self.auroc)}; {self.scores_text()})")


@contextlib.contextmanager
def _torch_threads(n: int):
    """Run torch with ``n`` threads inside the block and restore the previous number afterwards.

    The networks are tiny: extra threads do not help them, and on a busy machine they make a fit
    many times slower (the threads compete with each other and with other processes for the cores).
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@functools.lru_cache(maxsize=16)
def _grngc_data(system: str, p: int, T: int, seed: int):
    """The explorer's simulation, cached (Lorenz-96 is integrated with an ODE solver); read-only arrays."""
    from gcbook.simulate import lorenz96, var

    X, A = lorenz96(p, T, seed=seed) if system == "lorenz96" else var(p=p, T=T, lag=GRNGC_LAG, seed=seed)
    X.setflags(write=False)
    A.setflags(write=False)
    return X, A


@functools.lru_cache(maxsize=64)
def _grngc_fit(system: str, p: int, T: int, seed: int, lam: float):
    """One short GRNGC fit per setting, cached: ``(scores, val_loss, best_epoch)``, scores read-only."""
    from gcbook.neural import GRNGC

    X, _ = _grngc_data(system, p, T, seed)
    with _torch_threads(1):
        est = GRNGC(lag=GRNGC_LAG, lam=lam, epochs=GRNGC_EPOCHS, lr=GRNGC_LR, seed=seed).fit(X)
    scores = np.array(est.scores_, dtype=np.float64)
    scores.setflags(write=False)
    return scores, float(est.val_loss_), int(est.loss_history_.best_epoch)


def _check_grngc_explorer_args(lam, threshold, system, p, T, seed):
    lam = check_real(lam, "lam", low=0.0)
    threshold = check_real(threshold, "threshold", low=0.0, high=1.0)
    if not isinstance(system, str) or system not in GRNGC_SYSTEMS:
        raise ValueError(f"system must be one of {GRNGC_SYSTEMS}, got {system!r}.")
    p = check_int(p, "p", 4 if system == "lorenz96" else 2)
    T = check_int(T, "T", 50)
    if isinstance(seed, bool) or not isinstance(seed, (numbers.Integral, np.integer)):
        raise ValueError(f"seed must be an int >= 0 (the fit is cached per seed), got {seed!r} "
                         f"({type(seed).__name__}).")
    seed = check_int(seed, "seed", 0)
    return lam, threshold, system, p, T, seed


def _threshold_scores(A, scores, threshold):
    """Cutoff, estimate, edge count, precision, recall and AUROC of thresholded scores (off-diagonal)."""
    from gcbook.metrics import auroc

    p = A.shape[0]
    off = ~np.eye(p, dtype=bool)
    truth = _off_diagonal_truth(A)
    cutoff = float(threshold * scores[off].max())
    estimate = (scores >= cutoff) & off
    n_edges, precision, recall = _precision_recall(truth, estimate)
    score = auroc(A, scores) if 0 < truth.sum() < p * (p - 1) else float("nan")
    return cutoff, estimate, n_edges, precision, recall, float(score)


def _log_tick_label(ax, value, _position=None) -> str:
    """Label of a tick at 1, 2 or 5 times a power of 10: all of them on a short axis, the powers of 10 on a long one.

    Decided when the axis is drawn, so a caller may change the limits afterwards.
    """
    low, high = ax.get_xlim()
    if value <= 0:
        return ""
    mantissa = value / 10.0 ** np.floor(np.log10(value) + 1e-9)
    if high / max(low, 1e-300) > 300.0 and not np.isclose(mantissa, 1.0):
        return ""
    return f"{value:g}"


def _draw_grngc(axes, result):
    """Strip panel of the scores (log axis) by truth with the cutoff, and the TP / FP / FN map."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    from gcbook.plotting import PALETTE, edge_categories

    ax_s, ax_graph = axes
    A, S, estimate = result.A != 0, result.scores, result.estimate
    off = ~np.eye(result.p, dtype=bool)
    floor = 1e-4 * float(S.max())  # a score of exactly 0 (a dead input) is drawn at the floor
    left = max(floor, min(0.5 * float(S.min()), float(S.max()) / 20.0))  # at least a decade and a bit
    right = 2.0 * float(S.max())
    if result.cutoff > left:  # threshold 0 keeps everything: no line, no shading
        # shaded far to the left, so that it still fills the panel when a caller widens the axis
        ax_s.axvspan(result.cutoff * 1e-6, result.cutoff, color=PALETTE["tn"], alpha=0.9, linewidth=0, zorder=0)
        ax_s.axvline(result.cutoff, color="k", linestyle="--", linewidth=1.0, zorder=1)
    rows = [(2, "true edge\n$i \\to j$", A & off, True), (1, "no edge", ~A & off, False)]
    for y, _, mask, is_true in rows:
        values = np.maximum(S[mask], floor)
        ax_s.scatter(values, y + _jitter(values.size), s=18, zorder=3, linewidths=0.4, edgecolors="white",
                     c=_strip_colours(is_true, estimate[mask]))
    own = np.maximum(np.diag(S), floor)
    ax_s.scatter(own, _jitter(own.size), s=18, zorder=3, facecolors="none", edgecolors=PALETTE["edge"],
                 linewidths=0.8)
    ax_s.set_yticks([2, 1, 0], [rows[0][1], rows[1][1], "own past\n(not scored)"])
    ax_s.set_ylim(-1.05, 2.5)  # room for the legend under the last row
    ax_s.set_xscale("log")
    ax_s.set_xlim(left, right)
    ax_s.xaxis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
    ax_s.xaxis.set_major_formatter(FuncFormatter(functools.partial(_log_tick_label, ax_s)))
    ax_s.xaxis.set_minor_formatter(NullFormatter())
    ax_s.grid(False, axis="y")
    ax_s.set_xlabel("score: mean $|\\partial \\hat x_j(t) / \\partial x_i(t-k)|$, max over lags (log scale)")
    ax_s.set_title(f"GRNGC on {_SYSTEM_NAMES[result.system]}, $\\lambda$ = {result.lam:g}\n"
                   f"validation MSE {result.val_loss:.3f}, AUROC {_format_score(result.auroc)}")
    handles = [Line2D([], [], color="k", linestyle="--", linewidth=1.0,
                      label=f"{result.threshold:.2f} $\\times$ largest"),
               Patch(facecolor=PALETTE["tn"], edgecolor=PALETTE["grid"], label="below: no edge")]
    ax_s.legend(handles=handles, loc="lower center", ncol=2, fontsize=8, frameon=False)

    codes = edge_categories(A, estimate, include_diagonal=False)
    _draw_category_map(ax_graph, codes, f"threshold {result.threshold:.2f} $\\times$ largest = {result.cutoff:.3g}"
                                        f"\n{result.scores_text()}")


def grngc_explorer(lam: float = 0.03, threshold: float = 0.25, *, system: str = "lorenz96", p: int = GRNGC_P,
                   T: int = GRNGC_T, seed: int = 0, axes=None) -> GrngcExplorerResult:
    """Train a small GRNGC with penalty ``lam`` on a simulated system and threshold its scores.

    The series are ``lorenz96(p, T, seed=seed)`` (F = 10, chaotic; three parents per series) or
    ``var(p=p, T=T, lag=2, seed=seed)``; the network is
    ``GRNGC(lag=2, lam=lam, epochs=300, lr=0.005, seed=seed)``, a short training at a fixed penalty (the
    default ``GRNGC()`` chooses the penalty on a warm-started validation path, ``epochs=2000`` and
    ``lr=0.003``; the Jacobian penalty here, as there, is taken on 64 random training windows per epoch)
    with the usual validation split and early stopping, run with
    one torch thread (the previous number of threads is restored). One fit takes seconds for the
    defaults and is cached per (system, p, T, seed, lam), so a new threshold only redraws. The
    estimated edges are the off-diagonal pairs with a score of at least ``threshold`` times the
    largest off-diagonal score; the AUROC does not depend on the threshold. This is the update
    function of :func:`grngc_explorer_widget`.

    Parameters
    ----------
    lam : float, default 0.03
        The Jacobian penalty, ``>= 0``.
    threshold : float in [0, 1], default 0.25
        The cutoff as a fraction of the largest off-diagonal score (1 keeps only the largest edge).
    system : {"lorenz96", "var"}, default "lorenz96"
        The simulated system.
    p : int, default 6
        Number of series, ``>= 4`` for Lorenz-96 and ``>= 2`` for the VAR.
    T : int, default 200
        Number of time points, ``>= 50``.
    seed : int, default 0
        Seed of the simulation and of the network's initialisation, an int ``>= 0`` (the fit is
        cached per seed).
    axes : pair of matplotlib.axes.Axes, optional
        Where to draw (scores, graph). By default a new :class:`matplotlib.figure.Figure` is made
        without :mod:`matplotlib.pyplot`.

    Returns
    -------
    GrngcExplorerResult
        The data, the truth, the scores, the validation error, the graph at the threshold with its
        scores (``nan`` where undefined, shown as "n/a") and the figure.

    Raises
    ------
    ValueError
        For a negative or non-finite ``lam``, a ``threshold`` outside [0, 1], an unknown ``system``,
        too few series for the system, ``T < 50``, a ``seed`` that is not an int ``>= 0``, or
        ``axes`` that is not a pair.

    Examples
    --------
    The numbers a fit prints depend on the CPU (a training run amplifies the last bits of its
    arithmetic, which differ between BLAS kernels), so they are elided here; what cannot change is
    shown.

    >>> res = grngc_explorer(0.03, 0.25, seed=0)
    >>> int(res.A.sum()) - res.p, res.scores.shape, len(res.figure.axes)  # true cross edges
    (18, (6, 6), 2)
    >>> print(f"AUROC {res.auroc:.2f}, validation MSE {res.val_loss:.3f}; {res.scores_text()}")  # doctest: +ELLIPSIS
    AUROC ..., validation MSE ...; ... edges, precision ..., recall ...
    >>> higher = grngc_explorer(0.03, 0.5, seed=0)  # the same (cached) fit, a higher threshold
    >>> higher.scores is res.scores, higher.n_edges <= res.n_edges
    (True, True)
    """
    lam, threshold, system, p, T, seed = _check_grngc_explorer_args(lam, threshold, system, p, T, seed)
    if axes is not None:
        axes = list(np.ravel(axes))
        if len(axes) != 2:
            raise ValueError(f"axes must be a pair (scores axes, graph axes), got {len(axes)} axes.")

    X, A = _grngc_data(system, p, T, seed)
    scores, val_loss, best_epoch = _grngc_fit(system, p, T, seed, lam)
    cutoff, estimate, n_edges, precision, recall, score = _threshold_scores(A, scores, threshold)

    if axes is None:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(10.5, 4.2), layout="constrained")
        axes = figure.subplots(1, 2, width_ratios=[1.2, 1.0])
    result = GrngcExplorerResult(
        lam=lam, threshold=threshold, system=system, p=p, T=T, seed=seed, X=X, A=A, scores=scores,
        val_loss=val_loss, best_epoch=best_epoch, cutoff=cutoff, estimate=estimate, n_edges=n_edges,
        precision=precision, recall=recall, auroc=score, figure=axes[0].figure,
    )
    _draw_grngc(axes, result)
    return result


def grngc_explorer_widget(lam: float = 0.03, threshold: float = 0.25, system: str = "lorenz96", seed: int = 0):
    """An :func:`ipywidgets.interactive` explorer of the GRNGC penalty and threshold (live only with a kernel).

    A slider for the penalty over a fixed grid (0, 0.003, 0.01, 0.03, 0.1, 0.3, 1), one for the
    threshold as a fraction of the largest score (0 to 1), a dropdown for the system (Lorenz-96 or
    a VAR(2)) and a slider for the seed (0 to 10); the simulations have ``p = 6`` series and
    ``T = 200`` time points. Every change calls :func:`grngc_explorer` and shows its figure and
    numbers. A penalty, system or seed not seen before trains a network (seconds); the fits
    are cached, so going back to one, and every move of the threshold, is immediate.

    Parameters
    ----------
    lam, threshold, system, seed
        Starting values of the controls.

    Returns
    -------
    ipywidgets.interactive
        Display it (make it the last expression of a notebook cell).

    Raises
    ------
    ValueError
        If a starting value lies outside its control's range.
    ImportError
        If ipywidgets is not installed.
    """
    lam = _check_choice_of(lam, "lam", GRNGC_LAMS)
    threshold = check_real(threshold, "threshold", low=0.0, high=1.0)
    if not isinstance(system, str) or system not in GRNGC_SYSTEMS:
        raise ValueError(f"system must be one of {GRNGC_SYSTEMS}, got {system!r}.")
    seed = _check_slider_int(seed, "seed", GRNGC_SEED_RANGE)

    import ipywidgets as widgets
    def update(lam, threshold, system, seed):
        return _show(lambda: grngc_explorer(lam, threshold, system=system, seed=seed), "Cannot fit GRNGC")

    controls = dict(
        lam=widgets.SelectionSlider(options=[(f"{v:g}", v) for v in GRNGC_LAMS], value=lam, description="lam",
                                    continuous_update=False),
        threshold=widgets.FloatSlider(value=threshold, min=0.0, max=1.0, step=0.05, description="threshold",
                                      readout_format=".2f", continuous_update=False),
        system=widgets.Dropdown(options=[(_SYSTEM_NAMES[s], s) for s in GRNGC_SYSTEMS], value=system,
                                description="system"),
        seed=widgets.IntSlider(value=seed, min=GRNGC_SEED_RANGE[0], max=GRNGC_SEED_RANGE[1], step=1,
                               description="seed", continuous_update=False),
    )
    return _interactive(update, controls)


# ----------------------------------------------------------------------------- evaluating honestly
#: The evaluation explorer's fixed fit: the lag of the simulated VAR and of the lasso VAR, and the
#: lasso penalty, chosen in advance (the comparison chapter's).
EVALUATION_LAG = 2
EVALUATION_ALPHA = 0.05
#: Ranges of the evaluation explorer's sliders for the threshold, ``T`` and the seed.
EVALUATION_THRESHOLD_RANGE = (0.0, 0.6)
EVALUATION_T_RANGE = (30, 500)
EVALUATION_SEED_RANGE = (0, 20)


@dataclass(frozen=True, repr=False)
class EvaluationExplorerResult:
    """One state of the evaluation explorer.

    Attributes
    ----------
    threshold : float
        An entry is an edge of the graph when its score is strictly above it (so threshold 0 keeps
        exactly the lasso's nonzeros).
    include_diagonal : bool
        Whether the self-loops ``i -> i`` are scored (AUROC, AUPRC, the edge count and the SHD).
    p, T, seed : int
        Series, time points and seed of the simulated VAR(2).
    X : numpy.ndarray, shape (T, p)
        ``var(p=p, T=T, lag=2, seed=seed)``, each column standardised.
    A : numpy.ndarray of int, shape (p, p)
        The true graph, ``A[i, j] = 1`` means ``i -> j``; its diagonal is all ones (every series
        depends on its own past).
    scores : numpy.ndarray, shape (p, p)
        ``abs(lasso_var(X, 2, 0.05)).max(axis=0)``: the largest absolute coefficient over the lags.
    estimate : numpy.ndarray of bool, shape (p, p)
        The scored entries with ``scores > threshold`` (the diagonal is False unless
        ``include_diagonal``).
    auroc, auprc : float
        :func:`gcbook.metrics.auroc` and :func:`gcbook.metrics.auprc` of ``scores`` with
        ``include_diagonal``; threshold-free. ``nan`` when the scored truth is all 0 or all 1.
    n_edges : int
        Number of edges of ``estimate``.
    shd : int
        ``gcbook.metrics.shd(A, estimate, include_diagonal=include_diagonal)``.
    best_shd : int
        The smallest SHD over every threshold ``>= 0``: an answer-key number, since choosing the
        threshold that reaches it uses the truth.
    best_threshold : float
        The smallest threshold that reaches ``best_shd`` (every threshold up to the next larger
        score gives the same graph).
    figure : matplotlib.figure.Figure
        Left: the scores of true edges, non-edges and self-loops with the threshold; right: the
        graph at the threshold against the truth, the diagonal hatched when it is not scored.
    """

    threshold: float
    include_diagonal: bool
    p: int
    T: int
    seed: int
    X: np.ndarray
    A: np.ndarray
    scores: np.ndarray
    estimate: np.ndarray
    auroc: float
    auprc: float
    n_edges: int
    shd: int
    best_shd: int
    best_threshold: float
    figure: object

    def scores_text(self) -> str:
        """``"AUROC 0.91, AUPRC 0.79; 54 edges, SHD 29; best SHD over thresholds (uses the truth) 9"``."""
        edges = f"{self.n_edges} edge{'' if self.n_edges == 1 else 's'}"
        return (f"AUROC {_format_score(self.auroc)}, AUPRC {_format_score(self.auprc)}; {edges}, SHD {self.shd}; "
                f"best SHD over thresholds (uses the truth) {self.best_shd}")

    def __repr__(self) -> str:
        return (f"EvaluationExplorerResult(threshold={self.threshold:g}, include_diagonal={self.include_diagonal}, "
                f"p={self.p}, T={self.T}, seed={self.seed}; {self.scores_text()})")


def _check_evaluation_explorer_args(threshold, include_diagonal, T, p, seed):
    threshold = check_real(threshold, "threshold", low=0.0)
    if not isinstance(include_diagonal, (bool, np.bool_)):
        raise ValueError(f"include_diagonal must be True or False, got {include_diagonal!r}.")
    T = check_int(T, "T", 10)
    p = check_int(p, "p", 2)
    if isinstance(seed, bool) or not isinstance(seed, (numbers.Integral, np.integer)):
        raise ValueError(f"seed must be an int >= 0, got {seed!r} ({type(seed).__name__}).")
    seed = check_int(seed, "seed", 0)
    return threshold, bool(include_diagonal), T, p, seed


def _evaluation_scores(A, scores, threshold, include_diagonal):
    """Estimate, AUROC, AUPRC, edge count, SHD, best SHD and its smallest threshold of thresholded scores."""
    from gcbook.metrics import auprc, auroc, shd

    p = A.shape[0]
    scored = np.ones((p, p), dtype=bool)
    if not include_diagonal:
        np.fill_diagonal(scored, False)
    n_true = int((A[scored] != 0).sum())
    if 0 < n_true < int(scored.sum()):
        ranking = (float(auroc(A, scores, include_diagonal=include_diagonal)),
                   float(auprc(A, scores, include_diagonal=include_diagonal)))
    else:
        ranking = (float("nan"), float("nan"))

    def graph(level):
        return (scores > level) & scored

    estimate = graph(threshold)
    distance = shd(A, estimate.astype(int), include_diagonal=include_diagonal)
    # Every graph a threshold >= 0 can make is {score > t} for t = 0 or t at one of the scored values.
    candidates = np.unique(np.r_[0.0, scores[scored]])
    distances = [shd(A, graph(level).astype(int), include_diagonal=include_diagonal) for level in candidates]
    best = int(np.argmin(distances))
    return estimate, ranking, int(estimate.sum()), int(distance), int(distances[best]), float(candidates[best])


def _draw_evaluation(axes, result):
    """Strip panel of the scores by truth (self-loops apart) with the threshold, and the TP / FP / FN map."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    from gcbook.plotting import (_ANNOTATE_MAX_P, _CATEGORY_NAMES, PALETTE, _annotate_cells, _category_cmap,
                                 edge_categories)

    ax_s, ax_graph = axes
    A, S, threshold, p = result.A != 0, result.scores, result.threshold, result.p
    off = ~np.eye(p, dtype=bool)
    kept = S > threshold  # the graph at the threshold, diagonal included (drawn whether scored or not)
    right = max(1.08 * float(S.max()), 1.15 * threshold, 0.3)
    if threshold > 0:
        ax_s.axvspan(-right, threshold, color=PALETTE["tn"], alpha=0.9, linewidth=0, zorder=0)
    ax_s.axvline(threshold, color="k", linestyle="--", linewidth=1.0, zorder=1)
    rows = [(2, "true edge\n$i \\to j$", A & off, True), (1, "no edge", ~A & off, False)]
    for y, _, mask, is_true in rows:
        values = S[mask]
        ax_s.scatter(values, y + _jitter(values.size), s=18, zorder=3, linewidths=0.4, edgecolors="white",
                     c=_strip_colours(is_true, kept[mask]))
    own = np.diag(S)
    own_true = np.diag(A)
    if result.include_diagonal:
        colours = np.where(own_true, _strip_colours(True, np.diag(kept)), _strip_colours(False, np.diag(kept)))
        ax_s.scatter(own, _jitter(own.size), s=30, marker="D", zorder=3, linewidths=0.4, edgecolors="white",
                     c=colours)
        own_label = "self-loop\n$i \\to i$ (scored)"
    else:
        ax_s.scatter(own, _jitter(own.size), s=30, marker="D", zorder=3, facecolors="none",
                     edgecolors=PALETTE["edge"], linewidths=0.8)
        own_label = "self-loop\n$i \\to i$ (not scored)"
    ax_s.set_yticks([2, 1, 0], [rows[0][1], rows[1][1], own_label])
    ax_s.set_ylim(-1.05, 2.5)  # room for the legend under the last row
    ax_s.set_xlim(-0.03 * right, right)  # the exact zeros of the lasso stay visible
    ax_s.grid(False, axis="y")
    ax_s.set_xlabel(f"score: largest $|C_k[i, j]|$ over the lags of the lasso VAR(2), $\\alpha$ = {EVALUATION_ALPHA:g}")
    diagonal = "with" if result.include_diagonal else "without"
    ax_s.set_title(f"VAR(2), p = {p}, T = {result.T}, seed {result.seed}\n"
                   f"AUROC {_format_score(result.auroc)}, AUPRC {_format_score(result.auprc)} "
                   f"({diagonal} self-loops)")
    handles = [Line2D([], [], color="k", linestyle="--", linewidth=1.0, label=f"threshold {threshold:.2f}"),
               Patch(facecolor=PALETTE["tn"], edgecolor=PALETTE["grid"], label="at or below: no edge")]
    ax_s.legend(handles=handles, loc="lower center", ncol=2, fontsize=8, frameon=True, framealpha=0.9,
                edgecolor="none")

    # The map shows every entry's category, the diagonal too; an unscored diagonal is hatched over.
    shown = edge_categories(A, kept, include_diagonal=True)
    counted = edge_categories(A, kept, include_diagonal=result.include_diagonal)
    cmap, norm = _category_cmap()
    image = ax_graph.imshow(shown, cmap=cmap, norm=norm, interpolation="nearest", aspect="equal")
    _format_category_axes(ax_graph, p)
    if p <= _ANNOTATE_MAX_P:
        _annotate_cells(ax_graph, image, shown, texts=[[_CATEGORY_NAMES[c][0] for c in row] for row in shown])
    extra = []
    if not result.include_diagonal:
        for k in range(p):
            ax_graph.add_patch(Rectangle((k - 0.5, k - 0.5), 1.0, 1.0, facecolor="white", alpha=0.6,
                                         hatch="///", edgecolor=PALETTE["edge"], linewidth=0.0, zorder=2))
        extra = [Patch(facecolor="white", hatch="///", edgecolor=PALETTE["edge"], linewidth=0.0,
                       label="diagonal (not scored)")]
    _category_legend(ax_graph, counted, extra)
    edges = f"{result.n_edges} edge{'' if result.n_edges == 1 else 's'}"
    ax_graph.set_title(f"graph at threshold {threshold:.2f}: {edges}, SHD {result.shd}\n"
                       f"best SHD over thresholds (uses the truth): {result.best_shd}")


def evaluation_explorer(threshold: float, *, include_diagonal: bool = False, T: int = 60, p: int = 10, seed: int = 2,
                        axes=None) -> EvaluationExplorerResult:
    """Score a simulated VAR's edges with a lasso VAR and evaluate them at ``threshold``, with or without self-loops.

    The series are ``gcbook.simulate.var(p=p, T=T, lag=2, seed=seed)`` (off-diagonal edges with
    probability 0.2, every series driven by its own past, so the truth's diagonal is all ones),
    each column standardised. The edge scores are ``abs(lasso_var(X, 2, 0.05)).max(axis=0)``, a
    penalty fixed in advance, as in the comparison chapter. The AUROC and AUPRC rank the scores
    without a threshold; the graph keeps the entries scored strictly above ``threshold`` and its
    SHD is :func:`gcbook.metrics.shd`; ``include_diagonal`` decides whether the self-loops count
    in all of them. The best SHD over every threshold is given for contrast: reaching it needs
    the truth. This is the update function of :func:`evaluation_explorer_widget`; it takes a
    fraction of a second for the defaults (needs scikit-learn and torch, imported by
    :mod:`gcbook.sparse_var`).

    Parameters
    ----------
    threshold : float
        ``>= 0``; an entry is an edge when its score is above it. 0 keeps every nonzero of the lasso.
    include_diagonal : bool, default False
        Score the self-loops ``i -> i`` too.
    T : int, default 60
        Number of time points, ``>= 10``.
    p : int, default 10
        Number of series, ``>= 2``.
    seed : int, default 2
        Seed of the simulation, an int ``>= 0`` (the fit is deterministic).
    axes : pair of matplotlib.axes.Axes, optional
        Where to draw (scores, graph). By default a new :class:`matplotlib.figure.Figure` is made
        without :mod:`matplotlib.pyplot`.

    Returns
    -------
    EvaluationExplorerResult
        The data, the truth, the scores, the graph at the threshold, AUROC, AUPRC, SHD, the best
        SHD over thresholds and the figure.

    Raises
    ------
    ValueError
        For a negative or non-finite ``threshold``, an ``include_diagonal`` that is not a bool,
        ``T < 10``, ``p < 2``, a ``seed`` that is not an int ``>= 0``, or ``axes`` that is not a pair.

    Examples
    --------
    >>> res = evaluation_explorer(0.05)
    >>> res.scores.shape, int(res.A.sum()) - res.p, len(res.figure.axes)  # true cross edges
    ((10, 10), 20, 2)
    >>> print(res.scores_text())
    AUROC 0.91, AUPRC 0.79; 54 edges, SHD 29; best SHD over thresholds (uses the truth) 9
    >>> print(evaluation_explorer(0.05, include_diagonal=True).scores_text())  # the easy self-loops count
    AUROC 0.93, AUPRC 0.86; 64 edges, SHD 29; best SHD over thresholds (uses the truth) 11
    >>> print(evaluation_explorer(0.2).scores_text())  # the same scores, a higher threshold
    AUROC 0.91, AUPRC 0.79; 13 edges, SHD 10; best SHD over thresholds (uses the truth) 9
    """
    from gcbook.simulate import var
    from gcbook.sparse_var import lasso_var

    threshold, include_diagonal, T, p, seed = _check_evaluation_explorer_args(threshold, include_diagonal, T, p, seed)
    if axes is not None:
        axes = list(np.ravel(axes))
        if len(axes) != 2:
            raise ValueError(f"axes must be a pair (scores axes, graph axes), got {len(axes)} axes.")

    X, A = var(p=p, T=T, lag=EVALUATION_LAG, seed=seed)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    scores = np.abs(lasso_var(X, EVALUATION_LAG, EVALUATION_ALPHA)).max(axis=0)
    estimate, (score_roc, score_pr), n_edges, distance, best_shd, best_threshold = _evaluation_scores(
        A, scores, threshold, include_diagonal)

    if axes is None:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(10.5, 4.4), layout="constrained")
        axes = figure.subplots(1, 2, width_ratios=[1.2, 1.0])
    result = EvaluationExplorerResult(
        threshold=threshold, include_diagonal=include_diagonal, p=p, T=T, seed=seed, X=X, A=A, scores=scores,
        estimate=estimate, auroc=score_roc, auprc=score_pr, n_edges=n_edges, shd=distance, best_shd=best_shd,
        best_threshold=best_threshold, figure=axes[0].figure,
    )
    _draw_evaluation(axes, result)
    return result


def evaluation_explorer_widget(threshold: float = 0.05, include_diagonal: bool = False, T: int = 60, seed: int = 2):
    """An :func:`ipywidgets.interactive` explorer of thresholds, self-loops and scores (live only with a kernel).

    A slider for the threshold (0 to 0.6), a checkbox for scoring the self-loops, and sliders for
    the length ``T`` (30 to 500) and the seed (0 to 20) of a VAR(2) with ``p = 10`` series. Every
    change calls :func:`evaluation_explorer` and shows its figure and numbers.

    Parameters
    ----------
    threshold, include_diagonal, T, seed
        Starting values of the controls.

    Returns
    -------
    ipywidgets.interactive
        Display it (make it the last expression of a notebook cell).

    Raises
    ------
    ValueError
        If a starting value lies outside its control's range.
    ImportError
        If ipywidgets is not installed.
    """
    threshold = check_real(threshold, "threshold", low=EVALUATION_THRESHOLD_RANGE[0],
                           high=EVALUATION_THRESHOLD_RANGE[1])
    if not isinstance(include_diagonal, (bool, np.bool_)):
        raise ValueError(f"include_diagonal must be True or False, got {include_diagonal!r}.")
    T = _check_slider_int(T, "T", EVALUATION_T_RANGE)
    seed = _check_slider_int(seed, "seed", EVALUATION_SEED_RANGE)

    import ipywidgets as widgets
    def update(threshold, include_diagonal, T, seed):
        return _show(lambda: evaluation_explorer(threshold, include_diagonal=include_diagonal, T=T, seed=seed),
                     "Cannot evaluate")

    controls = dict(
        threshold=widgets.FloatSlider(value=threshold, min=EVALUATION_THRESHOLD_RANGE[0],
                                      max=EVALUATION_THRESHOLD_RANGE[1], step=0.01, description="threshold",
                                      readout_format=".2f", continuous_update=False),
        include_diagonal=widgets.Checkbox(value=bool(include_diagonal), description="include diagonal"),
        T=widgets.IntSlider(value=T, min=EVALUATION_T_RANGE[0], max=EVALUATION_T_RANGE[1], step=10, description="T",
                            continuous_update=False),
        seed=widgets.IntSlider(value=seed, min=EVALUATION_SEED_RANGE[0], max=EVALUATION_SEED_RANGE[1], step=1,
                               description="seed", continuous_update=False),
    )
    return _interactive(update, controls)
