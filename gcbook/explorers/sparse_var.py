"""The lasso-VAR explorer of the chapter "Sparse VAR inside a neural network" (``book/sparse_var.md``).

The lasso-VAR explorer (:func:`lasso_var_explorer`, :func:`lasso_var_explorer_widget`) does for the
sparse Granger causality of :mod:`gcbook.sparse_var` what the other explorers do for theirs: a
random sparse VAR(1), the lasso path of one target series and the estimated graph at the chosen
penalty against the truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gcbook._validation import check_int, check_random_state, check_real
from gcbook.explorers._common import (
    format_category_axes,
    format_score,
    interactive,
    off_diagonal_truth,
    precision_recall,
    show,
)

__all__ = [
    "LassoExplorerResult",
    "lasso_var_explorer",
    "lasso_var_explorer_widget",
]


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
        The lasso VAR(1) fit, ``lasso_var(X, 1, alpha).coef_by_lag`` with its lag axis moved
        first (the ``(lag, p, p)`` layout of every VAR ``coef`` of the package): ``coef[0, i, j]``
        is the effect of ``x_i(t-1)`` on ``x_j(t)``.
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
        return (
            f"{edges}, precision {format_score(self.precision)}, "
            f"recall {format_score(self.recall)}, AUROC {format_score(self.auroc)}"
        )

    def __repr__(self) -> str:
        return (
            f"LassoExplorerResult(alpha={self.alpha:g}, p={self.p}, T={self.T}, target={self.target}, "
            f"true edges: {int(off_diagonal_truth(self.A).sum())}; {self.scores_text()})"
        )


def _lasso_scores(A: np.ndarray, C: np.ndarray) -> tuple[int, float, float, float]:
    """Number of off-diagonal nonzeros, precision, recall and AUROC of ``|C|``; ``nan`` where undefined."""
    from gcbook.metrics import auroc

    p = A.shape[0]
    truth = off_diagonal_truth(A)
    estimate = C != 0
    np.fill_diagonal(estimate, False)
    n_nonzero, precision, recall = precision_recall(truth, estimate)
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

    from gcbook.plotting import (
        ANNOTATE_MAX_P,
        CATEGORY_NAMES,
        FN,
        FP,
        METHOD_COLORS,
        PALETTE,
        TN,
        TP,
        annotate_cells,
        category_cmap,
        edge_categories,
    )

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
    ax_path.scatter(
        np.full(p, shown), at_alpha, s=14, zorder=3, color=[colour.get(i, PALETTE["neutral"]) for i in range(p)]
    )
    ax_path.axhline(0.0, color="k", linewidth=0.5)
    ax_path.set_xscale("log")
    ax_path.set_xlim(top, floor)  # decreasing alpha to the right: edges enter from the left
    ax_path.set_xlabel("penalty $\\alpha$ (log scale; smaller to the right)")
    ax_path.set_ylabel(f"coefficient of $x_i(t-1)$ in $x_{{{target}}}(t)$")
    ax_path.set_title(f"lasso path of $x_{{{target}}}(t)$, its true causes in colour")
    handles = [
        Line2D([], [], color=colour[i], linewidth=1.6, label=f"$x_{{{i}}} \\to x_{{{target}}}$ (true)") for i in parents
    ]
    handles += [
        Line2D([], [], color="k", linestyle="--", linewidth=1.4, label=f"own past $x_{{{target}}}(t-1)$"),
        Line2D([], [], color=PALETTE["neutral"], linewidth=0.8, label="no true edge"),
        Line2D(
            [],
            [],
            color=PALETTE["edge"],
            linewidth=1.0,
            linestyle=":",
            label=f"$\\alpha$ = {alpha:.3g}" + (" (least squares)" if alpha == 0 else ""),
        ),
    ]
    ax_path.legend(handles=handles, loc="best", fontsize=8, frameon=True, framealpha=0.85, edgecolor="none")

    codes = edge_categories(A != 0, coef[0] != 0, include_diagonal=False)
    cmap, norm = category_cmap()
    image = ax_graph.imshow(codes, cmap=cmap, norm=norm, interpolation="nearest", aspect="equal")
    format_category_axes(ax_graph, p)
    if p <= ANNOTATE_MAX_P:
        annotate_cells(ax_graph, image, codes, texts=[[CATEGORY_NAMES[c][0] for c in row] for row in codes])
    ax_graph.add_patch(
        Rectangle((target - 0.5, -0.5), 1.0, p, fill=False, edgecolor="k", linewidth=1.6, zorder=3, clip_on=False)
    )
    handles = [
        Patch(
            facecolor=PALETTE[CATEGORY_NAMES[c][2]],
            edgecolor=PALETTE["grid"],
            label=f"{CATEGORY_NAMES[c][1]} ({int((codes == c).sum())})",
        )
        for c in (TP, FP, FN, TN)
    ]
    handles += [
        Patch(facecolor=PALETTE["not_evaluated"], edgecolor=PALETTE["grid"], label="own past (not scored)"),
        Patch(facecolor="none", edgecolor="k", linewidth=1.6, label=f"target $x_{{{target}}}$ (left)"),
    ]
    ax_graph.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=8, borderaxespad=0.0
    )
    ax_graph.set_title(f"estimate at $\\alpha$ = {alpha:.3g} vs truth\n{scores}")


def lasso_var_explorer(
    alpha: float, *, p: int = 10, T: int = 200, seed=0, target: int = 0, axes=None
) -> LassoExplorerResult:
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
    coef = lasso_var(X, 1, alpha).coef_by_lag.transpose(2, 0, 1)  # (1, p, p): coef[0, i, j]
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
        alpha=alpha,
        p=p,
        T=T,
        target=target,
        X=X,
        A=A,
        coef=coef,
        path_alphas=path_alphas,
        path_coefs=path_coefs,
        n_nonzero=n_nonzero,
        precision=precision,
        recall=recall,
        auroc=score,
        figure=figure,
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
        return show(lambda: lasso_var_explorer(alpha, p=p, T=T, seed=seed, target=target), "Cannot fit the lasso VAR")

    controls = dict(
        alpha=widgets.FloatLogSlider(
            value=alpha,
            base=10,
            min=np.log10(LASSO_ALPHA_RANGE[0]),
            max=np.log10(LASSO_ALPHA_RANGE[1]),
            step=0.05,
            description="alpha",
            readout_format=".3g",
            continuous_update=False,
        ),
        p=widgets.IntSlider(
            value=p, min=LASSO_P_RANGE[0], max=LASSO_P_RANGE[1], step=1, description="p", continuous_update=False
        ),
        T=widgets.IntSlider(
            value=T, min=LASSO_T_RANGE[0], max=LASSO_T_RANGE[1], step=10, description="T", continuous_update=False
        ),
        seed=widgets.IntSlider(
            value=seed,
            min=LASSO_SEED_RANGE[0],
            max=LASSO_SEED_RANGE[1],
            step=1,
            description="seed",
            continuous_update=False,
        ),
        target=widgets.IntSlider(value=target, min=0, max=p - 1, step=1, description="target", continuous_update=False),
    )

    def follow_p(change):
        # Registered before interactive's own observers, so the target is clamped before the redraw.
        controls["target"].max = change["new"] - 1

    controls["p"].observe(follow_p, names="value")
    return interactive(update, controls)
