"""The evaluation explorer of the chapter "Which method when?" (``book/capstone.md``).

The evaluation explorer (:func:`evaluation_explorer`, :func:`evaluation_explorer_widget`) belongs
to the comparison chapter's rules for evaluating honestly: one set of lasso-VAR edge scores (a
penalty fixed in advance), their threshold-free AUROC and AUPRC with or without the self-loops, the
graph and its SHD at the chosen threshold, and the best SHD over all thresholds, an answer-key number.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from gcbook._validation import check_int, check_real
from gcbook.explorers._common import (
    category_legend,
    check_slider_int,
    format_category_axes,
    format_score,
    interactive,
    jitter,
    show,
    strip_colours,
)

__all__ = [
    "EvaluationExplorerResult",
    "evaluation_explorer",
    "evaluation_explorer_widget",
]


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
        ``lasso_var(X, 2, 0.05).scores``: the largest absolute coefficient over the lags.
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
        return (
            f"AUROC {format_score(self.auroc)}, AUPRC {format_score(self.auprc)}; {edges}, SHD {self.shd}; "
            f"best SHD over thresholds (uses the truth) {self.best_shd}"
        )

    def __repr__(self) -> str:
        return (
            f"EvaluationExplorerResult(threshold={self.threshold:g}, include_diagonal={self.include_diagonal}, "
            f"p={self.p}, T={self.T}, seed={self.seed}; {self.scores_text()})"
        )


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
        ranking = (
            float(auroc(A, scores, include_diagonal=include_diagonal)),
            float(auprc(A, scores, include_diagonal=include_diagonal)),
        )
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

    from gcbook.plotting import ANNOTATE_MAX_P, CATEGORY_NAMES, PALETTE, annotate_cells, category_cmap, edge_categories

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
        ax_s.scatter(
            values,
            y + jitter(values.size),
            s=18,
            zorder=3,
            linewidths=0.4,
            edgecolors="white",
            c=strip_colours(is_true, kept[mask]),
        )
    own = np.diag(S)
    own_true = np.diag(A)
    if result.include_diagonal:
        colours = np.where(own_true, strip_colours(True, np.diag(kept)), strip_colours(False, np.diag(kept)))
        ax_s.scatter(own, jitter(own.size), s=30, marker="D", zorder=3, linewidths=0.4, edgecolors="white", c=colours)
        own_label = "self-loop\n$i \\to i$ (scored)"
    else:
        ax_s.scatter(
            own,
            jitter(own.size),
            s=30,
            marker="D",
            zorder=3,
            facecolors="none",
            edgecolors=PALETTE["edge"],
            linewidths=0.8,
        )
        own_label = "self-loop\n$i \\to i$ (not scored)"
    ax_s.set_yticks([2, 1, 0], [rows[0][1], rows[1][1], own_label])
    ax_s.set_ylim(-1.05, 2.5)  # room for the legend under the last row
    ax_s.set_xlim(-0.03 * right, right)  # the exact zeros of the lasso stay visible
    ax_s.grid(False, axis="y")
    ax_s.set_xlabel(f"score: largest $|C_k[i, j]|$ over the lags of the lasso VAR(2), $\\alpha$ = {EVALUATION_ALPHA:g}")
    diagonal = "with" if result.include_diagonal else "without"
    ax_s.set_title(
        f"VAR(2), p = {p}, T = {result.T}, seed {result.seed}\n"
        f"AUROC {format_score(result.auroc)}, AUPRC {format_score(result.auprc)} "
        f"({diagonal} self-loops)"
    )
    handles = [
        Line2D([], [], color="k", linestyle="--", linewidth=1.0, label=f"threshold {threshold:.2f}"),
        Patch(facecolor=PALETTE["tn"], edgecolor=PALETTE["grid"], label="at or below: no edge"),
    ]
    ax_s.legend(handles=handles, loc="lower center", ncol=2, fontsize=8, frameon=True, framealpha=0.9, edgecolor="none")

    # The map shows every entry's category, the diagonal too; an unscored diagonal is hatched over.
    shown = edge_categories(A, kept, include_diagonal=True)
    counted = edge_categories(A, kept, include_diagonal=result.include_diagonal)
    cmap, norm = category_cmap()
    image = ax_graph.imshow(shown, cmap=cmap, norm=norm, interpolation="nearest", aspect="equal")
    format_category_axes(ax_graph, p)
    if p <= ANNOTATE_MAX_P:
        annotate_cells(ax_graph, image, shown, texts=[[CATEGORY_NAMES[c][0] for c in row] for row in shown])
    extra = []
    if not result.include_diagonal:
        for k in range(p):
            ax_graph.add_patch(
                Rectangle(
                    (k - 0.5, k - 0.5),
                    1.0,
                    1.0,
                    facecolor="white",
                    alpha=0.6,
                    hatch="///",
                    edgecolor=PALETTE["edge"],
                    linewidth=0.0,
                    zorder=2,
                )
            )
        extra = [
            Patch(
                facecolor="white", hatch="///", edgecolor=PALETTE["edge"], linewidth=0.0, label="diagonal (not scored)"
            )
        ]
    category_legend(ax_graph, counted, extra)
    edges = f"{result.n_edges} edge{'' if result.n_edges == 1 else 's'}"
    ax_graph.set_title(
        f"graph at threshold {threshold:.2f}: {edges}, SHD {result.shd}\n"
        f"best SHD over thresholds (uses the truth): {result.best_shd}"
    )


def evaluation_explorer(
    threshold: float, *, include_diagonal: bool = False, T: int = 60, p: int = 10, seed: int = 2, axes=None
) -> EvaluationExplorerResult:
    """Score a simulated VAR's edges with a lasso VAR and evaluate them at ``threshold``, with or without self-loops.

    The series are ``gcbook.simulate.var(p=p, T=T, lag=2, seed=seed)`` (off-diagonal edges with
    probability 0.2, every series driven by its own past, so the truth's diagonal is all ones),
    each column standardised. The edge scores are ``lasso_var(X, 2, 0.05).scores``, a
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
    scores = lasso_var(X, EVALUATION_LAG, EVALUATION_ALPHA).scores  # max over the lags of |coef_by_lag|
    estimate, (score_roc, score_pr), n_edges, distance, best_shd, best_threshold = _evaluation_scores(
        A, scores, threshold, include_diagonal
    )

    if axes is None:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(10.5, 4.4), layout="constrained")
        axes = figure.subplots(1, 2, width_ratios=[1.2, 1.0])
    result = EvaluationExplorerResult(
        threshold=threshold,
        include_diagonal=include_diagonal,
        p=p,
        T=T,
        seed=seed,
        X=X,
        A=A,
        scores=scores,
        estimate=estimate,
        auroc=score_roc,
        auprc=score_pr,
        n_edges=n_edges,
        shd=distance,
        best_shd=best_shd,
        best_threshold=best_threshold,
        figure=axes[0].figure,
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
    threshold = check_real(
        threshold, "threshold", low=EVALUATION_THRESHOLD_RANGE[0], high=EVALUATION_THRESHOLD_RANGE[1]
    )
    if not isinstance(include_diagonal, (bool, np.bool_)):
        raise ValueError(f"include_diagonal must be True or False, got {include_diagonal!r}.")
    T = check_slider_int(T, "T", EVALUATION_T_RANGE)
    seed = check_slider_int(seed, "seed", EVALUATION_SEED_RANGE)

    import ipywidgets as widgets

    def update(threshold, include_diagonal, T, seed):
        return show(
            lambda: evaluation_explorer(threshold, include_diagonal=include_diagonal, T=T, seed=seed), "Cannot evaluate"
        )

    controls = dict(
        threshold=widgets.FloatSlider(
            value=threshold,
            min=EVALUATION_THRESHOLD_RANGE[0],
            max=EVALUATION_THRESHOLD_RANGE[1],
            step=0.01,
            description="threshold",
            readout_format=".2f",
            continuous_update=False,
        ),
        include_diagonal=widgets.Checkbox(value=bool(include_diagonal), description="include diagonal"),
        T=widgets.IntSlider(
            value=T,
            min=EVALUATION_T_RANGE[0],
            max=EVALUATION_T_RANGE[1],
            step=10,
            description="T",
            continuous_update=False,
        ),
        seed=widgets.IntSlider(
            value=seed,
            min=EVALUATION_SEED_RANGE[0],
            max=EVALUATION_SEED_RANGE[1],
            step=1,
            description="seed",
            continuous_update=False,
        ),
    )
    return interactive(update, controls)
