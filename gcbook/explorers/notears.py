"""The NOTEARS explorer of the chapter "NOTEARS: learning DAGs by continuous optimisation" (``book/notears.md``).

The NOTEARS explorer (:func:`notears_explorer`, :func:`notears_explorer_widget`) shows the final
weight threshold of :func:`gcbook.notears.notears_linear` at work on a simulated ER2 graph: the
weights before the threshold, split by the truth, and the graph that is left against the true one,
on the raw or the standardised data. The fit is cached per simulation setting, so moving the
threshold is instant.
"""

from __future__ import annotations

import functools
import numbers
import warnings
from dataclasses import dataclass

import numpy as np

from gcbook._validation import check_choice, check_int, check_real
from gcbook.explorers._common import (
    check_slider_int,
    draw_category_map,
    format_score,
    interactive,
    jitter,
    precision_recall,
    show,
    strip_colours,
)

__all__ = [
    "NotearsExplorerResult",
    "notears_explorer",
    "notears_explorer_widget",
]


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
        The NOTEARS solution before the threshold (the last ``W`` of the fit's ``history``); read-only.
    W : numpy.ndarray, shape (d, d)
        ``notears_linear(X, lambda1, w_threshold=threshold).W``: ``W_raw`` thresholded, with the weakest
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
        return f"{edges}, SHD {self.shd}, precision {format_score(self.precision)}, recall {format_score(self.recall)}"

    def __repr__(self) -> str:
        data = "standardised" if self.standardize else "raw"
        cut = f", {len(self.removed)} cycle edge(s) cut" if self.removed else ""
        return (
            f"NotearsExplorerResult(threshold={self.threshold:g}, lambda1={self.lambda1:g}, d={self.d}, "
            f"n={self.n}, seed={self.seed}, {data} data, varsortability {self.varsortability:.2f}; "
            f"{self.scores_text()}{cut})"
        )


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
        history = notears_linear(X, lambda1=lambda1, w_threshold=0.0, enforce_dag=False).history
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
    n_edges, precision, recall = precision_recall(B != 0, estimate)
    return n_edges, int(count_accuracy(B, estimate.astype(int))["shd"]), precision, recall


def _check_notears_explorer_args(threshold, lambda1, standardize, d, n, seed):
    threshold = check_real(threshold, "threshold", low=0.0)
    lambda1 = check_real(lambda1, "lambda1", low=0.0)
    if not isinstance(standardize, (bool, np.bool_)):
        raise ValueError(f"standardize must be True or False, got {standardize!r}.")
    d = check_int(d, "d", NOTEARS_D_RANGE[0])
    n = check_int(n, "n", 10)
    if isinstance(seed, bool) or not isinstance(seed, (numbers.Integral, np.integer)):
        raise ValueError(
            f"seed must be an int >= 0 (the fit is cached per seed), got {seed!r} ({type(seed).__name__})."
        )
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
    rows = [
        (2, "true edge\n$i \\to j$", B & off, True),
        (1, "reversed\ntrue edge", B.T & ~B & off, False),
        (0, "no edge\neither way", ~B & ~B.T & off, False),
    ]
    right = max(1.08 * float(W_raw.max()), 1.15 * threshold, 0.5)
    ax_w.axvspan(0.0, threshold, color=PALETTE["tn"], alpha=0.9, linewidth=0, zorder=0)
    ax_w.axvline(threshold, color="k", linestyle="--", linewidth=1.0, zorder=1)
    for y, _, mask, is_true in rows:
        values, kept = W_raw[mask], W[mask]
        ax_w.scatter(
            values,
            y + jitter(values.size),
            s=18,
            zorder=3,
            linewidths=0.4,
            edgecolors="white",
            c=strip_colours(is_true, kept),
        )
    ax_w.set_yticks([y for y, *_ in rows], [label for _, label, *_ in rows])
    ax_w.set_ylim(-1.05, 2.5)  # room for the legend under the last row
    ax_w.set_xlim(-0.03 * right, right)  # the exact zeros (many, with the L1 term) stay visible
    ax_w.grid(False, axis="y")
    ax_w.set_xlabel("$|W[i, j]|$ before the threshold, one point per pair $i \\neq j$")
    data = "standardised" if result.standardize else "raw"
    ax_w.set_title(
        f"NOTEARS, $\\lambda_1$ = {result.lambda1:g}, {data} data\nvarsortability {result.varsortability:.2f}"
    )
    handles = [
        Line2D([], [], color="k", linestyle="--", linewidth=1.0, label=f"threshold {threshold:.2f}"),
        Patch(facecolor=PALETTE["tn"], edgecolor=PALETTE["grid"], label="set to 0"),
    ]
    ax_w.legend(handles=handles, loc="lower center", ncol=2, fontsize=8, frameon=False)

    codes = edge_categories(B, W, include_diagonal=False)
    cut = f", {len(result.removed)} cycle edge(s) cut" if result.removed else ""
    draw_category_map(ax_graph, codes, f"threshold {threshold:.2f}{cut}\n{result.scores_text()}")


def notears_explorer(
    threshold: float = 0.3,
    *,
    lambda1: float = 0.1,
    standardize: bool = False,
    d: int = 8,
    n: int = 300,
    seed: int = 0,
    axes=None,
) -> NotearsExplorerResult:
    """Fit NOTEARS to a simulated ER2 graph and show what its final threshold keeps.

    The data are the chapter's benchmark: with ``rng = numpy.random.default_rng(seed)``,
    ``B = random_dag(d, 2 d, kind="ER", seed=rng)``, ``W = dag_weights(B, seed=rng)`` (weights in
    ±[0.5, 2]) and ``X = linear_sem(W, n, seed=rng)`` (Gaussian noise of variance 1), each column
    standardised if ``standardize``. NOTEARS runs once per (d, n, seed, standardize, lambda1),
    cached, and the threshold is applied afterwards exactly as :func:`gcbook.notears.notears_linear`
    applies ``w_threshold`` (which acts after the optimisation), so ``result.W`` equals
    ``notears_linear(X, lambda1=lambda1, w_threshold=threshold).W``. A new setting takes a fraction
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
        threshold, lambda1, standardize, d, n, seed
    )
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
        threshold=threshold,
        lambda1=lambda1,
        standardize=standardize,
        d=d,
        n=n,
        seed=seed,
        X=X,
        B=B,
        W_raw=W_raw,
        W=W,
        removed=tuple(removed),
        varsortability=_edge_varsortability(X, B),
        n_edges=n_edges,
        shd=shd,
        precision=precision,
        recall=recall,
        figure=axes[0].figure,
    )
    _draw_notears(axes, result)
    return result


def notears_explorer_widget(
    threshold: float = 0.3, lambda1: float = 0.1, standardize: bool = False, d: int = 8, n: int = 300, seed: int = 0
):
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
    lambda1 = check_choice(lambda1, "lambda1", NOTEARS_LAMBDAS, " (the slider's values)")
    if not isinstance(standardize, (bool, np.bool_)):
        raise ValueError(f"standardize must be True or False, got {standardize!r}.")
    d = check_slider_int(d, "d", NOTEARS_D_RANGE)
    n = check_slider_int(n, "n", NOTEARS_N_RANGE)
    seed = check_slider_int(seed, "seed", NOTEARS_SEED_RANGE)

    import ipywidgets as widgets

    def update(threshold, lambda1, standardize, d, n, seed):
        return show(
            lambda: notears_explorer(threshold, lambda1=lambda1, standardize=standardize, d=d, n=n, seed=seed),
            "Cannot fit NOTEARS",
        )

    controls = dict(
        threshold=widgets.FloatSlider(
            value=threshold,
            min=NOTEARS_THRESHOLD_RANGE[0],
            max=NOTEARS_THRESHOLD_RANGE[1],
            step=0.05,
            description="threshold",
            readout_format=".2f",
            continuous_update=False,
        ),
        lambda1=widgets.SelectionSlider(
            options=[(f"{v:g}", v) for v in NOTEARS_LAMBDAS],
            value=lambda1,
            description="lambda1",
            continuous_update=False,
        ),
        standardize=widgets.Checkbox(value=bool(standardize), description="standardize"),
        d=widgets.IntSlider(
            value=d, min=NOTEARS_D_RANGE[0], max=NOTEARS_D_RANGE[1], step=1, description="d", continuous_update=False
        ),
        n=widgets.IntSlider(
            value=n, min=NOTEARS_N_RANGE[0], max=NOTEARS_N_RANGE[1], step=50, description="n", continuous_update=False
        ),
        seed=widgets.IntSlider(
            value=seed,
            min=NOTEARS_SEED_RANGE[0],
            max=NOTEARS_SEED_RANGE[1],
            step=1,
            description="seed",
            continuous_update=False,
        ),
    )
    return interactive(update, controls)
