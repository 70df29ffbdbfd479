"""The GRNGC explorer of the chapter "Neural Granger causality" (``book/neural_gc.md``).

The GRNGC explorer (:func:`grngc_explorer`, :func:`grngc_explorer_widget`) does for the neural
Granger causality of :mod:`gcbook.neural` what the other explorers do for theirs: the Jacobian
scores of a small :class:`~gcbook.neural.GRNGC` trained with the chosen penalty on Lorenz-96 or a
VAR, split by the truth, and the graph at a threshold given as a fraction of the largest score. One
network is trained per (system, seed, penalty) and cached. torch is imported only when a network is
trained.
"""

from __future__ import annotations

import contextlib
import functools
import numbers
from dataclasses import dataclass

import numpy as np

from gcbook._validation import check_choice, check_int, check_real
from gcbook.explorers._common import (
    check_slider_int,
    draw_category_map,
    format_score,
    interactive,
    jitter,
    off_diagonal_truth,
    precision_recall,
    show,
    strip_colours,
)

__all__ = [
    "GrngcExplorerResult",
    "grngc_explorer",
    "grngc_explorer_widget",
]


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
        return f"{edges}, precision {format_score(self.precision)}, recall {format_score(self.recall)}"

    def __repr__(self) -> str:
        return (
            f"GrngcExplorerResult(lam={self.lam:g}, threshold={self.threshold:g}, system={self.system!r}, "
            f"p={self.p}, T={self.T}, seed={self.seed}; validation MSE {self.val_loss:.3f}, "
            f"AUROC {format_score(self.auroc)}; {self.scores_text()})"
        )


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
        raise ValueError(
            f"seed must be an int >= 0 (the fit is cached per seed), got {seed!r} ({type(seed).__name__})."
        )
    seed = check_int(seed, "seed", 0)
    return lam, threshold, system, p, T, seed


def _threshold_scores(A, scores, threshold):
    """Cutoff, estimate, edge count, precision, recall and AUROC of thresholded scores (off-diagonal)."""
    from gcbook.metrics import auroc

    p = A.shape[0]
    off = ~np.eye(p, dtype=bool)
    truth = off_diagonal_truth(A)
    cutoff = float(threshold * scores[off].max())
    estimate = (scores >= cutoff) & off
    n_edges, precision, recall = precision_recall(truth, estimate)
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
        ax_s.scatter(
            values,
            y + jitter(values.size),
            s=18,
            zorder=3,
            linewidths=0.4,
            edgecolors="white",
            c=strip_colours(is_true, estimate[mask]),
        )
    own = np.maximum(np.diag(S), floor)
    ax_s.scatter(own, jitter(own.size), s=18, zorder=3, facecolors="none", edgecolors=PALETTE["edge"], linewidths=0.8)
    ax_s.set_yticks([2, 1, 0], [rows[0][1], rows[1][1], "own past\n(not scored)"])
    ax_s.set_ylim(-1.05, 2.5)  # room for the legend under the last row
    ax_s.set_xscale("log")
    ax_s.set_xlim(left, right)
    ax_s.xaxis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
    ax_s.xaxis.set_major_formatter(FuncFormatter(functools.partial(_log_tick_label, ax_s)))
    ax_s.xaxis.set_minor_formatter(NullFormatter())
    ax_s.grid(False, axis="y")
    ax_s.set_xlabel("score: mean $|\\partial \\hat x_j(t) / \\partial x_i(t-k)|$, max over lags (log scale)")
    ax_s.set_title(
        f"GRNGC on {_SYSTEM_NAMES[result.system]}, $\\lambda$ = {result.lam:g}\n"
        f"validation MSE {result.val_loss:.3f}, AUROC {format_score(result.auroc)}"
    )
    handles = [
        Line2D([], [], color="k", linestyle="--", linewidth=1.0, label=f"{result.threshold:.2f} $\\times$ largest"),
        Patch(facecolor=PALETTE["tn"], edgecolor=PALETTE["grid"], label="below: no edge"),
    ]
    ax_s.legend(handles=handles, loc="lower center", ncol=2, fontsize=8, frameon=False)

    codes = edge_categories(A, estimate, include_diagonal=False)
    draw_category_map(
        ax_graph,
        codes,
        f"threshold {result.threshold:.2f} $\\times$ largest = {result.cutoff:.3g}\n{result.scores_text()}",
    )


def grngc_explorer(
    lam: float = 0.03,
    threshold: float = 0.25,
    *,
    system: str = "lorenz96",
    p: int = GRNGC_P,
    T: int = GRNGC_T,
    seed: int = 0,
    axes=None,
) -> GrngcExplorerResult:
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
        lam=lam,
        threshold=threshold,
        system=system,
        p=p,
        T=T,
        seed=seed,
        X=X,
        A=A,
        scores=scores,
        val_loss=val_loss,
        best_epoch=best_epoch,
        cutoff=cutoff,
        estimate=estimate,
        n_edges=n_edges,
        precision=precision,
        recall=recall,
        auroc=score,
        figure=axes[0].figure,
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
    lam = check_choice(lam, "lam", GRNGC_LAMS, " (the slider's values)")
    threshold = check_real(threshold, "threshold", low=0.0, high=1.0)
    if not isinstance(system, str) or system not in GRNGC_SYSTEMS:
        raise ValueError(f"system must be one of {GRNGC_SYSTEMS}, got {system!r}.")
    seed = check_slider_int(seed, "seed", GRNGC_SEED_RANGE)

    import ipywidgets as widgets

    def update(lam, threshold, system, seed):
        return show(lambda: grngc_explorer(lam, threshold, system=system, seed=seed), "Cannot fit GRNGC")

    controls = dict(
        lam=widgets.SelectionSlider(
            options=[(f"{v:g}", v) for v in GRNGC_LAMS], value=lam, description="lam", continuous_update=False
        ),
        threshold=widgets.FloatSlider(
            value=threshold,
            min=0.0,
            max=1.0,
            step=0.05,
            description="threshold",
            readout_format=".2f",
            continuous_update=False,
        ),
        system=widgets.Dropdown(
            options=[(_SYSTEM_NAMES[s], s) for s in GRNGC_SYSTEMS], value=system, description="system"
        ),
        seed=widgets.IntSlider(
            value=seed,
            min=GRNGC_SEED_RANGE[0],
            max=GRNGC_SEED_RANGE[1],
            step=1,
            description="seed",
            continuous_update=False,
        ),
    )
    return interactive(update, controls)
