"""Figures for the book, with one look throughout.

Used for the figures of every chapter, from :ref:`chap-granger` (``book/granger.md``) on.

Orientation, everywhere: ``A[i, j] = 1`` means ``i -> j`` (the cause is the
row). Heatmaps therefore put causes on the vertical axis and effects on the
horizontal one, and graph drawings point arrows from cause to effect.

The colours come from :data:`PALETTE`, built on the Okabe-Ito palette, which
stays distinguishable for the common forms of colour blindness; category
panels also print ``TP``/``FP``/``FN`` in the cells for small graphs, so they
read without colour. Importing this module changes no matplotlib setting: a
chapter opts in with :func:`use_book_style` (or locally with the
:func:`book_style` context manager).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping

import matplotlib as mpl
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
from cycler import cycler
from matplotlib import transforms as mtransforms
from matplotlib.colors import BoundaryNorm, ListedColormap, is_color_like
from matplotlib.patches import FancyArrowPatch, Patch
from matplotlib.path import Path

from gcbook import metrics as _metrics
from gcbook._validation import check_binary

__all__ = [
    "PALETTE",
    "METHOD_COLORS",
    "BOOK_RCPARAMS",
    "TN",
    "TP",
    "FP",
    "FN",
    "NOT_EVALUATED",
    "CATEGORY_NAMES",
    "ANNOTATE_MAX_P",
    "annotate_cells",
    "category_cmap",
    "book_style",
    "use_book_style",
    "plot_adjacency",
    "edge_categories",
    "plot_comparison",
    "graph_layout",
    "draw_graph",
    "plot_series",
    "plot_roc",
]

# ---------------------------------------------------------------------------
# palette and style
# ---------------------------------------------------------------------------

#: Named colours of the book (Okabe-Ito based, colour-blind friendly).
PALETTE: dict[str, str] = {
    "truth": "#0072B2",  # blue: the ground truth
    "estimate": "#E69F00",  # orange: an estimated graph
    "tp": "#009E73",  # bluish green: true positive, an edge found
    "fp": "#D55E00",  # vermillion: false positive, a spurious edge
    "fn": "#56B4E9",  # sky blue: false negative, a missed edge
    "tn": "#EEEEEE",  # light grey: true negative
    "not_evaluated": "#FFFFFF",  # white: entries left out (the diagonal)
    "node": "#F5F5F5",  # node fill in graph drawings
    "node_edge": "#333333",  # node outline
    "edge": "#333333",  # arrows in graph drawings
    "neutral": "#999999",  # reference lines (chance level)
    "grid": "#CCCCCC",  # cell borders of heatmaps
}

#: Colour cycle for several methods or series in one plot (Okabe-Ito
#: without its yellow, which is too pale for lines on white).
METHOD_COLORS: list[str] = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"]

#: The matplotlib settings applied by :func:`book_style` and :func:`use_book_style`.
BOOK_RCPARAMS: dict = {
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "figure.constrained_layout.use": True,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=METHOD_COLORS),
    "lines.linewidth": 1.6,
}

# edge categories returned by edge_categories
NOT_EVALUATED = -1  #: entry left out of the evaluation (the diagonal when include_diagonal=False)
TN = 0  #: True negative, no edge in truth nor estimate
TP = 1  #: True positive, edge in truth and estimate
FP = 2  #: False positive, edge in the estimate only
FN = 3  #: False negative, edge in the truth only

#: For each edge category, its (cell text, legend label, PALETTE key).
CATEGORY_NAMES = {
    TP: ("TP", "TP: edge found", "tp"),
    FP: ("FP", "FP: spurious edge", "fp"),
    FN: ("FN", "FN: missed edge", "fn"),
    TN: ("", "TN: no edge, none found", "tn"),
    NOT_EVALUATED: ("", "not evaluated", "not_evaluated"),
}

ANNOTATE_MAX_P = 10  #: annotate cells automatically up to this many variables
_CELL_LINES_MAX_P = 40  # draw cell borders up to this many variables


@contextlib.contextmanager
def book_style():
    """Apply the book's matplotlib style inside a ``with`` block only.

    The previous settings come back when the block ends, even on an error.

    Yields
    ------
    None

    See Also
    --------
    use_book_style : apply the same settings for the rest of the session.
    BOOK_RCPARAMS : the settings.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> from gcbook.plotting import book_style
    >>> with book_style():
    ...     mpl.rcParams["figure.dpi"]
    110.0
    """
    with mpl.rc_context(BOOK_RCPARAMS):
        yield


def use_book_style() -> None:
    """Apply the book's matplotlib style globally, for the rest of the session.

    Chapters call this once at the top; importing :mod:`gcbook.plotting`
    does not. Undo it with ``matplotlib.rcdefaults()``.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> from gcbook.plotting import use_book_style
    >>> with mpl.rc_context():  # only to leave the doctest session untouched
    ...     use_book_style()
    ...     mpl.rcParams["axes.spines.top"]
    False
    """
    mpl.rcParams.update(BOOK_RCPARAMS)


# ---------------------------------------------------------------------------
# input checks
# ---------------------------------------------------------------------------


def _matrix_and_labels(A, name: str, labels=None) -> tuple[np.ndarray, list[str]]:
    """``A`` as a float (p, p) array and the node labels (from ``labels``, DataFrame columns, or x0..)."""
    frame_labels = [str(c) for c in A.columns] if hasattr(A, "columns") and hasattr(A, "to_numpy") else None
    try:
        arr = np.asarray(A, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric (p, p) matrix; could not convert it: {exc}") from exc
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] < 1:
        hint = " For lagged scores (p, p, lag) reduce over the lags first, e.g. S.max(axis=2)." if arr.ndim == 3 else ""
        raise ValueError(f"{name} must be a square (p, p) matrix, got {arr.ndim}-D shape {arr.shape}.{hint}")
    return arr, _labels(labels if labels is not None else frame_labels, arr.shape[0])


def _labels(labels, p: int) -> list[str]:
    if labels is None:
        return [f"x{i}" for i in range(p)]
    if isinstance(labels, str):
        raise ValueError("labels must be a sequence of p names, not a single string.")
    labels = [str(lab) for lab in labels]
    if len(labels) != p:
        raise ValueError(f"Got {len(labels)} labels for {p} variables; pass exactly one label per variable.")
    return labels


def _is_binary(arr: np.ndarray) -> bool:
    return bool(np.all((arr == 0) | (arr == 1)))


def _binary_cmap(color: str) -> ListedColormap:
    return ListedColormap(["#FFFFFF", color])


# ---------------------------------------------------------------------------
# heatmaps
# ---------------------------------------------------------------------------


def _format_matrix_axes(ax, p: int, labels: list[str]) -> None:
    """Tick labels, cause/effect axis labels and thin cell borders for a (p, p) heatmap."""
    step = 1 if p <= 30 else math.ceil(p / 20)
    ticks = np.arange(0, p, step)
    ax.set_xticks(ticks, [labels[k] for k in ticks], rotation=90 if max(len(lab) for lab in labels) > 3 else 0)
    ax.set_yticks(ticks, [labels[k] for k in ticks])
    ax.set_xlabel("effect  $x_j$ (column)")
    ax.set_ylabel("cause  $x_i$ (row)")
    ax.grid(False, which="both")
    if p <= _CELL_LINES_MAX_P:
        ax.set_xticks(np.arange(-0.5, p, 1.0), minor=True)
        ax.set_yticks(np.arange(-0.5, p, 1.0), minor=True)
        ax.grid(True, which="minor", color=PALETTE["grid"], linewidth=0.6)
        ax.tick_params(which="minor", length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(True)


def annotate_cells(ax, image, values: np.ndarray, texts=None) -> None:
    """Write each cell's value (or ``texts``) on a heatmap, in black or white, whichever reads better.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes of the heatmap.
    image : matplotlib.image.AxesImage
        The heatmap (what ``ax.imshow`` returned); its colormap and norm decide the text colour.
    values : numpy.ndarray, shape (p, p)
        The values drawn; zeros stay blank, integers are written without decimals.
    texts : sequence of sequences of str, shape (p, p), optional
        Texts to write instead of the values.
    """
    p = values.shape[0]
    rgba = image.cmap(image.norm(values))
    luminance = rgba[..., :3] @ np.array([0.299, 0.587, 0.114])
    integer = np.all(values == np.round(values))
    for i in range(p):
        for j in range(p):
            if texts is not None:
                text = texts[i][j]
            elif values[i, j] == 0:
                text = ""  # zeros (no edge) stay blank, so the nonzero entries stand out
            else:
                text = f"{values[i, j]:.0f}" if integer else f"{values[i, j]:.2f}"
            if text:
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if luminance[i, j] < 0.5 else "black",
                )


def plot_adjacency(A, labels=None, ax=None, title=None, cmap=None, vmin=None, vmax=None, annotate=None, colorbar=True):
    """Heatmap of a (p, p) adjacency or score matrix, causes on rows, effects on columns.

    Parameters
    ----------
    A : array_like or pandas.DataFrame, shape (p, p)
        Binary adjacency or continuous scores; ``A[i, j]`` is about ``i -> j``
        and is drawn in row ``i`` (cause), column ``j`` (effect). A
        DataFrame's column names are the default labels.
    labels : sequence of str, length p, optional
        Variable names for the ticks; default the DataFrame's columns or
        ``x0, x1, ...``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is made if None.
    title : str, optional
        Axes title.
    cmap : str or matplotlib.colors.Colormap, optional
        Default: white/blue for a binary matrix, ``"Blues"`` for non-negative
        scores, the diverging ``"RdBu_r"`` centred on 0 for signed weights.
    vmin, vmax : float, optional
        Colour limits; defaults follow the data (symmetric for signed data).
    annotate : bool, optional
        Print the nonzero values in the cells (zeros stay blank). Default:
        when ``p <= 10``.
    colorbar : bool, default True
        Add a colour bar (never for a binary matrix, whose two colours speak
        for themselves).

    Returns
    -------
    matplotlib.axes.Axes
        The axes, with the heatmap in ``ax.images[0]``.

    Raises
    ------
    ValueError
        If ``A`` is not a square 2-D matrix, holds NaN or inf, or ``labels``
        has the wrong length.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from gcbook.plotting import plot_adjacency
    >>> A = np.array([[1, 1, 0], [0, 1, 1], [0, 0, 1]])
    >>> ax = plot_adjacency(A, labels=["x", "y", "z"], title="truth")
    >>> ax.get_ylabel(), ax.get_title()
    ('cause  $x_i$ (row)', 'truth')
    >>> plt.close(ax.figure)
    """
    arr, labels = _matrix_and_labels(A, "A", labels)
    if not np.all(np.isfinite(arr)):
        raise ValueError("A contains NaN or inf; replace them (e.g. np.nan_to_num) before plotting.")
    p = arr.shape[0]
    binary = _is_binary(arr)
    if cmap is None:
        if binary:
            cmap = _binary_cmap(PALETTE["truth"])
        elif arr.min() < 0:
            cmap = "RdBu_r"
            bound = float(np.abs(arr).max())
            vmin = -bound if vmin is None else vmin
            vmax = bound if vmax is None else vmax
        else:
            cmap = "Blues"
    if binary:
        vmin = 0.0 if vmin is None else vmin
        vmax = 1.0 if vmax is None else vmax
    if ax is None:
        _, ax = plt.subplots(figsize=(0.35 * p + 2.8, 0.35 * p + 2.2), layout="constrained")
    image = ax.imshow(arr, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest", aspect="equal")
    _format_matrix_axes(ax, p, labels)
    if title is not None:
        ax.set_title(title)
    if annotate is None:
        annotate = p <= ANNOTATE_MAX_P
    if annotate:
        annotate_cells(ax, image, arr)
    if colorbar and not binary:
        ax.figure.colorbar(image, ax=ax, shrink=0.8)
    return ax


def edge_categories(A_true, A_est, include_diagonal=True):
    """Classify every entry of an estimated graph as TP, FP, FN or TN.

    Parameters
    ----------
    A_true : array_like, shape (p, p)
        Binary ground truth, ``A_true[i, j] = 1`` means ``i -> j``.
    A_est : array_like, shape (p, p)
        Binary estimate, same orientation.
    include_diagonal : bool, default True
        If False, the diagonal gets :data:`NOT_EVALUATED`.

    Returns
    -------
    numpy.ndarray of int, shape (p, p)
        :data:`TP` (1) where both have the edge, :data:`FP` (2) where only the
        estimate has it, :data:`FN` (3) where only the truth has it,
        :data:`TN` (0) where neither has it, and :data:`NOT_EVALUATED` (-1) on
        the diagonal when ``include_diagonal`` is False. A reversed edge is an
        FP plus an FN.

    Raises
    ------
    ValueError
        If the matrices are not square, differ in shape or are not binary.

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.plotting import edge_categories
    >>> A_true = np.array([[0, 1], [0, 0]])
    >>> A_est = np.array([[0, 1], [1, 1]])
    >>> edge_categories(A_true, A_est)
    array([[0, 1],
           [2, 2]])
    >>> edge_categories(A_true, A_est, include_diagonal=False)
    array([[-1,  1],
           [ 2, -1]])
    """
    truth, _ = _matrix_and_labels(A_true, "A_true")
    est, _ = _matrix_and_labels(A_est, "A_est")
    if truth.shape != est.shape:
        raise ValueError(f"A_true and A_est must have the same shape, got {truth.shape} and {est.shape}.")
    truth, est = check_binary(truth, "A_true"), check_binary(est, "A_est")
    codes = np.full(truth.shape, TN, dtype=int)
    codes[truth & est] = TP
    codes[~truth & est] = FP
    codes[truth & ~est] = FN
    if not include_diagonal:
        np.fill_diagonal(codes, NOT_EVALUATED)
    return codes


def category_cmap():
    """The colormap and norm that draw :func:`edge_categories` codes in the book's colours.

    Returns
    -------
    cmap : matplotlib.colors.ListedColormap
    norm : matplotlib.colors.BoundaryNorm
        Maps each code (``NOT_EVALUATED``, ``TN``, ``TP``, ``FP``, ``FN``) to its colour.
    """
    order = [NOT_EVALUATED, TN, TP, FP, FN]
    cmap = ListedColormap([PALETTE[CATEGORY_NAMES[c][2]] for c in order])
    norm = BoundaryNorm(np.arange(min(order) - 0.5, max(order) + 1.0), cmap.N)
    return cmap, norm


def plot_comparison(A_true, A_est, labels=None, scores=None, title=None, include_diagonal=True):
    """Truth, estimate and their agreement side by side.

    Three panels: the true graph, the estimate (or the continuous ``scores``
    it was thresholded from, if given), and a category map colouring each
    entry as TP, FP, FN or TN (see :func:`edge_categories`), with a legend.

    Parameters
    ----------
    A_true : array_like or pandas.DataFrame, shape (p, p)
        Binary ground truth, ``A_true[i, j] = 1`` means ``i -> j``.
    A_est : array_like or pandas.DataFrame, shape (p, p)
        Binary estimate, same orientation.
    labels : sequence of str, length p, optional
        Variable names; default the DataFrame's columns or ``x0, x1, ...``.
    scores : array_like, shape (p, p), optional
        Continuous scores to show in the middle panel instead of ``A_est``.
    title : str, optional
        Figure title.
    include_diagonal : bool, default True
        If False, self-loops are left out of the category map (drawn white).

    Returns
    -------
    matplotlib.figure.Figure
        ``fig.axes[:3]`` are the truth, estimate and category panels (a
        colour bar for ``scores`` adds a fourth axes).

    Raises
    ------
    ValueError
        If shapes differ, a matrix is not square or not binary, or the label
        count is wrong.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from gcbook.plotting import plot_comparison
    >>> A_true = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    >>> A_est = np.array([[0, 1, 1], [0, 0, 0], [0, 0, 0]])
    >>> fig = plot_comparison(A_true, A_est, title="a small example")
    >>> [ax.get_title() for ax in fig.axes[:3]]
    ['truth', 'estimate', 'TP / FP / FN']
    >>> plt.close(fig)
    """
    truth, labels = _matrix_and_labels(A_true, "A_true", labels)
    codes = edge_categories(truth, A_est, include_diagonal=include_diagonal)
    est = np.asarray(A_est, dtype=np.float64)
    p = truth.shape[0]
    if scores is not None:
        score_arr, _ = _matrix_and_labels(scores, "scores")
        if score_arr.shape != truth.shape:
            raise ValueError(f"scores must have the same shape as A_true {truth.shape}, got {score_arr.shape}.")
    side = 0.32 * p + 2.4
    fig, axes = plt.subplots(
        1, 3, figsize=(3 * side + 2.2, side + (0.5 if title is None else 0.8)), layout="constrained"
    )
    plot_adjacency(truth, labels=labels, ax=axes[0], title="truth", cmap=_binary_cmap(PALETTE["truth"]), vmin=0, vmax=1)
    if scores is None:
        plot_adjacency(
            est, labels=labels, ax=axes[1], title="estimate", cmap=_binary_cmap(PALETTE["estimate"]), vmin=0, vmax=1
        )
    else:
        plot_adjacency(score_arr, labels=labels, ax=axes[1], title="scores")
    cmap, norm = category_cmap()
    image = axes[2].imshow(codes, cmap=cmap, norm=norm, interpolation="nearest", aspect="equal")
    _format_matrix_axes(axes[2], p, labels)
    axes[2].set_title("TP / FP / FN")
    if p <= ANNOTATE_MAX_P:
        annotate_cells(axes[2], image, codes, texts=[[CATEGORY_NAMES[c][0] for c in row] for row in codes])
    shown = [TP, FP, FN, TN] + ([NOT_EVALUATED] if not include_diagonal else [])
    handles = [
        Patch(
            facecolor=PALETTE[CATEGORY_NAMES[c][2]],
            edgecolor=PALETTE["grid"],
            label=f"{CATEGORY_NAMES[c][1]} ({int((codes == c).sum())})",
        )
        for c in shown
    ]
    axes[2].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, borderaxespad=0.0)
    if title is not None:
        fig.suptitle(title)
    return fig


# ---------------------------------------------------------------------------
# graph drawings
# ---------------------------------------------------------------------------


def graph_layout(nodes, layout="circular", seed=0, A=None):
    """Node positions to share between several drawings of the same variables.

    Parameters
    ----------
    nodes : int or sequence of str
        The number of variables ``p``, or their labels (only the count is used).
    layout : {"circular", "spring"}, default "circular"
        ``"circular"`` puts node 0 at the top and goes clockwise;
        ``"spring"`` is networkx's force-directed layout (seeded; edges of
        ``A`` pull their nodes together, self-loops are ignored).
    seed : int, default 0
        Seed of the spring layout (no global random state is touched).
    A : array_like, shape (p, p), optional
        Adjacency whose edges pull the spring layout; ignored by ``"circular"``.

    Returns
    -------
    dict
        ``{i: numpy.ndarray of shape (2,)}`` for ``i = 0, ..., p - 1``, in the
        box [-1, 1] x [-1, 1].

    Raises
    ------
    ValueError
        If ``p < 1``, the layout is unknown, or ``A`` has the wrong shape.

    Examples
    --------
    >>> from gcbook.plotting import graph_layout
    >>> pos = graph_layout(4)
    >>> pos[0].round(6), pos[1].round(6)
    (array([0., 1.]), array([1., 0.]))
    >>> graph_layout(["a", "b", "c"], layout="spring", seed=1).keys()
    dict_keys([0, 1, 2])
    """
    p = len(nodes) if not isinstance(nodes, (int, np.integer)) else int(nodes)
    if p < 1:
        raise ValueError(f"A layout needs at least one node, got p={p}.")
    if layout == "circular":
        angles = np.pi / 2 - 2 * np.pi * np.arange(p) / p
        xy = np.column_stack([np.cos(angles), np.sin(angles)])
        xy[np.abs(xy) < 1e-12] = 0.0
        return {i: xy[i] for i in range(p)}
    if layout == "spring":
        G = nx.empty_graph(p)
        if A is not None:
            arr, _ = _matrix_and_labels(A, "A")
            if arr.shape[0] != p:
                raise ValueError(f"A has shape {arr.shape} but the layout is for {p} nodes.")
            off = (arr != 0) & ~np.eye(p, dtype=bool)
            G.add_edges_from(zip(*np.nonzero(off)), weight=1.0)
        # a hidden hub tied weakly to every node keeps isolated nodes and
        # separate components from drifting to the edge of the picture
        G.add_edges_from(((i, "hub") for i in range(p)), weight=0.3)
        pos = nx.spring_layout(G, seed=int(seed), k=2.5 / np.sqrt(p + 1))
        return {i: np.asarray(pos[i], dtype=float) for i in range(p)}
    raise ValueError(f"layout must be 'circular' or 'spring', got {layout!r}.")


def draw_graph(
    A,
    labels=None,
    ax=None,
    pos=None,
    layout="circular",
    seed=0,
    edge_weights=None,
    show_self_loops=False,
    node_color=None,
    node_size=None,
    title=None,
):
    """Draw a directed graph, arrows from cause to effect.

    Parameters
    ----------
    A : array_like or pandas.DataFrame, shape (p, p)
        Adjacency; every nonzero ``A[i, j]`` is drawn as an arrow ``i -> j``.
        The two arrows of a 2-cycle ``i <-> j`` bend apart, so both show.
    labels : sequence of str, length p, optional
        Node names; default the DataFrame's columns or ``x0, x1, ...``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is made if None.
    pos : dict, optional
        Node positions ``{i: (x, y)}`` (or keyed by label), e.g. from
        :func:`graph_layout`, so several drawings share one layout.
    layout : {"circular", "spring"}, default "circular"
        Used when ``pos`` is None.
    seed : int, default 0
        Seed of the spring layout.
    edge_weights : array_like, shape (p, p), optional
        Arrow widths grow with ``|edge_weights[i, j]|`` (e.g. pass the weighted
        matrix itself).
    show_self_loops : bool, default False
        Draw nonzero diagonal entries as loops on the outer side of their node.
    node_color : color or sequence of p colors, optional
        Default ``PALETTE["node"]``.
    node_size : float, optional
        Node area in points squared; default 900, smaller for more than 8 nodes.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        The arrows (self-loops included) are
        :class:`matplotlib.patches.FancyArrowPatch` objects in ``ax.patches``,
        one per drawn edge; the node labels are in ``ax.texts``.

    Raises
    ------
    ValueError
        If ``A`` is not square or holds NaN or inf, or ``labels``, ``pos``,
        ``edge_weights`` or ``node_color`` do not match ``p``.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from gcbook.plotting import draw_graph, graph_layout
    >>> A = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    >>> ax = draw_graph(A, labels=["x", "y", "z"])
    >>> len(ax.patches), sorted(t.get_text() for t in ax.texts)
    (3, ['x', 'y', 'z'])
    >>> plt.close(ax.figure)

    Two drawings with the same positions:

    >>> pos = graph_layout(3)
    >>> fig, axes = plt.subplots(1, 2)
    >>> _ = draw_graph(A, ax=axes[0], pos=pos, title="truth")
    >>> _ = draw_graph(A.T, ax=axes[1], pos=pos, title="all reversed")
    >>> plt.close(fig)
    """
    arr, labels = _matrix_and_labels(A, "A", labels)
    if not np.all(np.isfinite(arr)):
        raise ValueError("A contains NaN or inf.")
    p = arr.shape[0]
    if pos is None:
        pos = graph_layout(p, layout=layout, seed=seed, A=arr)
    else:
        pos = _check_pos(pos, labels)
    edge_mask = arr != 0
    loops = np.flatnonzero(np.diag(edge_mask)) if show_self_loops else np.array([], dtype=int)
    np.fill_diagonal(edge_mask, False)
    edges = [(int(i), int(j)) for i, j in zip(*np.nonzero(edge_mask))]
    edge_widths = np.full(len(edges), 1.5)
    loop_widths = np.full(loops.size, 1.5)
    if edge_weights is not None:
        w, _ = _matrix_and_labels(edge_weights, "edge_weights")
        if w.shape != arr.shape:
            raise ValueError(f"edge_weights must have the same shape as A {arr.shape}, got {w.shape}.")
        if not np.all(np.isfinite(w)):
            raise ValueError("edge_weights contains NaN or inf.")
        magnitude = np.abs(np.r_[w[edge_mask], w[loops, loops]])
        top = magnitude.max() if magnitude.size else 0.0
        if top > 0:
            scaled = 0.8 + 3.2 * magnitude / top
            edge_widths, loop_widths = scaled[: len(edges)], scaled[len(edges) :]
    if node_color is None:
        node_color = PALETTE["node"]
    elif not is_color_like(node_color) and len(node_color) != p:
        raise ValueError(f"node_color must be one color or a sequence of {p} colors, got {len(node_color)}.")
    if node_size is None:
        node_size = 900.0 if p <= 8 else max(250.0, 900.0 * 8 / p)
    if ax is None:
        side = 4.2 if p <= 8 else min(8.0, 4.2 + 0.2 * (p - 8))
        _, ax = plt.subplots(figsize=(side, side), layout="constrained")
    G = nx.DiGraph()
    G.add_nodes_from(range(p))
    G.add_edges_from(edges)
    nx.draw_networkx_nodes(
        G,
        pos,
        ax=ax,
        nodelist=list(range(p)),
        node_color=node_color,
        node_size=node_size,
        edgecolors=PALETTE["node_edge"],
        linewidths=1.2,
    )
    nx.draw_networkx_labels(G, pos, labels=dict(enumerate(labels)), ax=ax, font_size=10 if p <= 12 else 8)
    if edges:
        nx.draw_networkx_edges(
            G,
            pos,
            ax=ax,
            edgelist=edges,
            width=list(edge_widths),
            edge_color=PALETTE["edge"],
            arrows=True,
            arrowstyle="-|>",
            arrowsize=16,
            node_size=node_size,
            connectionstyle="arc3,rad=0.12",
        )
    if loops.size:
        xy = np.array([pos[i] for i in range(p)])
        centre = xy.mean(axis=0)
        for node, width in zip(loops, loop_widths):
            ax.add_patch(_self_loop_patch(ax, pos[node], pos[node] - centre, node_size, width))
    ax.set_aspect("equal")
    ax.margins(0.15)
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    return ax


def _self_loop_patch(ax, xy, outward, node_size: float, width: float) -> FancyArrowPatch:
    """A loop arrow on the node at ``xy``, bulging in the direction ``outward``.

    The loop is built in inches around the node, then placed at the node's
    data position, so it keeps its size and touches the node's rim whatever
    the axes limits and the figure dpi.
    """
    norm = float(np.hypot(*outward))
    u = np.asarray(outward, dtype=float) / norm if norm > 1e-9 else np.array([0.0, 1.0])
    v = np.array([-u[1], u[0]])
    R = np.sqrt(node_size) / 2 / 72  # node radius in inches (marker size is an area in points^2)
    D, r = 1.3 * R, 0.6 * R  # centre distance and radius of the loop circle
    a = (D**2 + R**2 - r**2) / (2 * D)  # where the two circles cross, along u ...
    h = np.sqrt(R**2 - a**2)  # ... and across
    crossing = np.arctan2(h, a - D)  # angle of the crossings seen from the loop centre (u is angle 0)
    t = np.linspace(-crossing, crossing, 48)  # the long way round, through the outward side
    local = D * u + r * (np.cos(t)[:, None] * u + np.sin(t)[:, None] * v)
    transform = ax.figure.dpi_scale_trans + mtransforms.ScaledTranslation(xy[0], xy[1], ax.transData)
    return FancyArrowPatch(
        path=Path(local),
        transform=transform,
        arrowstyle="-|>",
        mutation_scale=12,
        color=PALETTE["edge"],
        linewidth=width,
        zorder=1,
        clip_on=False,
    )


def _check_pos(pos, labels: list[str]) -> dict:
    if not isinstance(pos, Mapping):
        raise ValueError("pos must be a dict {node: (x, y)}, e.g. from graph_layout(p).")
    p = len(labels)
    if all(i in pos for i in range(p)):
        return {i: np.asarray(pos[i], dtype=float) for i in range(p)}
    if all(lab in pos for lab in labels):
        return {i: np.asarray(pos[lab], dtype=float) for i, lab in enumerate(labels)}
    raise ValueError(f"pos must give a position for each of the {p} nodes (keys 0..{p - 1} or the labels).")


# ---------------------------------------------------------------------------
# time series and ROC curves
# ---------------------------------------------------------------------------


def plot_series(X, labels=None, time=None, axes=None, max_vars=8, title=None):
    """Stacked panels of a multivariate time series, one variable each, sharing the time axis.

    Parameters
    ----------
    X : array_like or pandas.DataFrame, shape (T, p)
        Rows are time points, columns variables. A DataFrame's column names
        become the labels and its index the time axis. NaN leaves a gap.
    labels : sequence of str, length p, optional
        Variable names; default the DataFrame's columns or ``x0, x1, ...``.
    time : array_like, shape (T,), optional
        Time stamps; default the DataFrame's index or ``0, ..., T - 1``.
    axes : sequence of matplotlib.axes.Axes, optional
        One axes per shown variable; new ones are made if None.
    max_vars : int, default 8
        Show at most this many variables (the first ones); the figure title
        says when some are left out.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``X`` is not 1-D or 2-D or not numeric, or ``labels``, ``time`` or
        ``axes`` do not match it.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from gcbook.plotting import plot_series
    >>> X = np.cumsum(np.random.default_rng(0).normal(size=(100, 3)), axis=0)
    >>> fig = plot_series(X, labels=["a", "b", "c"])
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['a', 'b', 'c']
    >>> plt.close(fig)
    """
    frame = hasattr(X, "columns") and hasattr(X, "to_numpy")
    if frame:
        if labels is None:
            labels = [str(c) for c in X.columns]
        if time is None:
            time = X.index.to_numpy()
        X = X.to_numpy()
    try:
        arr = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"X must be a numeric array of shape (T, p); could not convert it: {exc}") from exc
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"X must be 2-D with shape (T, p) (rows are time), got shape {arr.shape}.")
    T, p = arr.shape
    labels = _labels(labels, p)
    if time is None:
        time = np.arange(T)
    else:
        time = np.asarray(time)
        if time.shape != (T,):
            raise ValueError(f"time must have shape (T,) = ({T},), got {time.shape}.")
    if isinstance(max_vars, bool) or not isinstance(max_vars, (int, np.integer)) or max_vars < 1:
        raise ValueError(f"max_vars must be an int >= 1, got {max_vars!r}.")
    n_shown = min(p, int(max_vars))
    if axes is None:
        fig, axes = plt.subplots(
            n_shown, 1, sharex=True, squeeze=False, figsize=(8, 0.9 * n_shown + 1.0), layout="constrained"
        )
        axes = axes[:, 0]
    else:
        axes = list(np.ravel(axes))
        if len(axes) != n_shown:
            raise ValueError(f"Got {len(axes)} axes for {n_shown} shown variables; pass one axes per variable.")
        fig = axes[0].figure
    for k in range(n_shown):
        ax = axes[k]
        ax.plot(time, arr[:, k], color=METHOD_COLORS[k % len(METHOD_COLORS)], linewidth=1.0)
        ax.set_ylabel(labels[k], rotation=0, ha="right", va="center")
        if k < n_shown - 1:
            ax.tick_params(labelbottom=False)
    axes[-1].set_xlabel("time $t$")
    if n_shown < p:
        note = f"first {n_shown} of {p} variables"
        title = f"{title} ({note})" if title else note
    if title is not None:
        fig.suptitle(title)
    return fig


def plot_roc(A_true, scores, ax=None, include_diagonal=False, title=None):
    """ROC curves of one or several edge-score matrices, with the AUROC in the legend.

    Parameters
    ----------
    A_true : array_like, shape (p, p)
        Binary ground truth, ``A_true[i, j] = 1`` means ``i -> j``.
    scores : array_like of shape (p, p), or dict of str to array_like
        Edge scores in the same orientation (larger means more likely an
        edge), or ``{method name: scores}`` for one curve per method.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is made if None.
    include_diagonal : bool, default False
        Also evaluate self-loops (see :func:`gcbook.metrics.roc_curve`).
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        As :func:`gcbook.metrics.roc_curve`, or if the dict is empty.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from gcbook.plotting import plot_roc
    >>> A = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    >>> S = np.array([[0.0, 0.9, 0.2], [0.1, 0.0, 0.3], [0.4, 0.1, 0.0]])
    >>> ax = plot_roc(A, {"method": S})
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['method (AUROC 0.88)', 'chance']
    >>> plt.close(ax.figure)
    """
    if isinstance(scores, Mapping):
        if not scores:
            raise ValueError("scores is an empty dict; pass at least one method name -> (p, p) scores.")
        named = dict(scores)
    else:
        named = {"scores": scores}
    curves = []
    for name, S in named.items():
        fpr, tpr, _ = _metrics.roc_curve(A_true, S, include_diagonal=include_diagonal)
        curves.append((str(name), fpr, tpr, _metrics.auroc(A_true, S, include_diagonal=include_diagonal)))
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 4.0), layout="constrained")
    for k, (name, fpr, tpr, area) in enumerate(curves):
        ax.plot(
            fpr, tpr, color=METHOD_COLORS[k % len(METHOD_COLORS)], linewidth=1.8, label=f"{name} (AUROC {area:.2f})"
        )
    ax.plot([0, 1], [0, 1], linestyle="--", color=PALETTE["neutral"], linewidth=1.0, label="chance")
    ax.set_xlim(-0.01, 1.01)
    ax.set_ylim(-0.01, 1.01)
    ax.set_aspect("equal")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.legend(loc="lower right")
    if title is not None:
        ax.set_title(title)
    return ax
