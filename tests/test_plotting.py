"""Tests for gcbook.plotting (Agg backend, every figure closed)."""

import os
import subprocess
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyArrowPatch  # noqa: E402

from gcbook import plotting as gp  # noqa: E402
from gcbook.metrics import auroc  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def tick_texts(labels):
    return [t.get_text() for t in labels]


# ---------------------------------------------------------------------------
# palette and style
# ---------------------------------------------------------------------------


def test_palette_has_the_named_colours():
    for key in ("truth", "estimate", "tp", "fp", "fn", "tn"):
        assert matplotlib.colors.is_color_like(gp.PALETTE[key])
    categories = [gp.PALETTE[k] for k in ("tp", "fp", "fn", "tn")]
    assert len(set(categories)) == 4
    assert all(matplotlib.colors.is_color_like(c) for c in gp.METHOD_COLORS)


def test_import_changes_no_rcparams_and_no_random_state():
    code = textwrap.dedent(
        """
        import matplotlib as mpl
        import numpy as np
        before = {k: repr(v) for k, v in mpl.rcParams.items()}
        state = np.random.get_state()[1].copy()
        import gcbook.plotting
        import gcbook.metrics
        after = {k: repr(v) for k, v in mpl.rcParams.items()}
        changed = sorted(k for k in before if before[k] != after[k])
        assert not changed, changed
        assert (np.random.get_state()[1] == state).all()
        print("ok")
        """
    )
    env = dict(os.environ, MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_book_style_is_scoped_and_restored():
    before = dict(matplotlib.rcParams)
    with gp.book_style():
        assert matplotlib.rcParams["figure.dpi"] == 110
        assert matplotlib.rcParams["figure.constrained_layout.use"] is True
        assert matplotlib.rcParams["axes.spines.top"] is False
    assert dict(matplotlib.rcParams) == before


def test_book_style_restores_after_an_error():
    before = dict(matplotlib.rcParams)
    with pytest.raises(RuntimeError):
        with gp.book_style():
            raise RuntimeError("boom")
    assert dict(matplotlib.rcParams) == before


def test_use_book_style_applies_globally():
    with matplotlib.rc_context():
        gp.use_book_style()
        for key, value in gp.BOOK_RCPARAMS.items():
            assert matplotlib.rcParams[key] == matplotlib.rcParams.validate[key](value)


# ---------------------------------------------------------------------------
# heatmaps
# ---------------------------------------------------------------------------


def test_plot_adjacency_labels_titles_and_orientation():
    A = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    ax = gp.plot_adjacency(A, labels=["a", "b", "c"], title="truth")
    assert isinstance(ax, Axes)
    assert ax.get_title() == "truth"
    assert ax.get_ylabel().startswith("cause") and "(row)" in ax.get_ylabel()
    assert ax.get_xlabel().startswith("effect") and "(column)" in ax.get_xlabel()
    assert tick_texts(ax.get_xticklabels()) == ["a", "b", "c"]
    assert tick_texts(ax.get_yticklabels()) == ["a", "b", "c"]
    image = ax.images[0]
    np.testing.assert_array_equal(image.get_array(), A)  # row = cause, not transposed
    # binary: ones annotated, zeros blank, no colour bar
    assert sorted(t.get_text() for t in ax.texts) == ["1", "1"]
    assert len(ax.figure.axes) == 1


def test_plot_adjacency_dataframe_labels_and_continuous_scores():
    names = ["u", "v", "w", "z"]
    S = pd.DataFrame(np.arange(16.0).reshape(4, 4) / 16, index=names, columns=names)
    ax = gp.plot_adjacency(S)
    assert tick_texts(ax.get_xticklabels()) == names
    assert len(ax.figure.axes) == 2  # a colour bar for continuous values
    assert "0.94" in [t.get_text() for t in ax.texts]
    assert ax.images[0].get_clim() == (0.0, 0.9375)


def test_plot_adjacency_signed_weights_are_centred():
    W = np.array([[0.0, -2.0], [1.0, 0.0]])
    ax = gp.plot_adjacency(W, colorbar=False)
    assert ax.images[0].get_clim() == (-2.0, 2.0)
    assert len(ax.figure.axes) == 1


def test_plot_adjacency_annotation_defaults():
    big = np.random.default_rng(0).random((12, 12))
    assert len(gp.plot_adjacency(big).texts) == 0
    assert len(gp.plot_adjacency(big, annotate=True).texts) == 144
    assert len(gp.plot_adjacency(np.eye(3), annotate=False).texts) == 0


def test_plot_adjacency_uses_given_axes_and_limits():
    fig, ax = plt.subplots()
    out = gp.plot_adjacency(np.eye(2), ax=ax, cmap="viridis", vmin=-1, vmax=3)
    assert out is ax
    assert ax.images[0].get_clim() == (-1, 3)
    assert ax.images[0].get_cmap().name == "viridis"


def test_plot_adjacency_validation():
    with pytest.raises(ValueError, match="square"):
        gp.plot_adjacency(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="lagged scores"):
        gp.plot_adjacency(np.zeros((2, 2, 3)))
    with pytest.raises(ValueError, match="3 labels for 2 variables"):
        gp.plot_adjacency(np.zeros((2, 2)), labels=["a", "b", "c"])
    with pytest.raises(ValueError, match="NaN or inf"):
        gp.plot_adjacency(np.array([[0.0, np.nan], [0.0, 0.0]]))


def test_edge_categories_known_case():
    A_true = np.array([[1, 1, 0], [0, 0, 1], [0, 0, 0]])
    A_est = np.array([[1, 0, 1], [0, 0, 1], [1, 0, 0]])
    expected = np.array(
        [
            [gp.TP, gp.FN, gp.FP],
            [gp.TN, gp.TN, gp.TP],
            [gp.FP, gp.TN, gp.TN],
        ]
    )
    np.testing.assert_array_equal(gp.edge_categories(A_true, A_est), expected)
    off = gp.edge_categories(A_true, A_est, include_diagonal=False)
    np.testing.assert_array_equal(np.diag(off), [gp.NOT_EVALUATED] * 3)
    np.testing.assert_array_equal(off[~np.eye(3, dtype=bool)], expected[~np.eye(3, dtype=bool)])
    assert len({gp.TN, gp.TP, gp.FP, gp.FN, gp.NOT_EVALUATED}) == 5


def test_edge_categories_is_pure_and_counts_add_up():
    rng = np.random.default_rng(1)
    A_true, A_est = (rng.random((2, 7, 7)) < 0.3).astype(int)
    copies = A_true.copy(), A_est.copy()
    codes = gp.edge_categories(A_true.astype(bool), A_est)
    np.testing.assert_array_equal(A_true, copies[0])
    np.testing.assert_array_equal(A_est, copies[1])
    assert codes.shape == (7, 7) and codes.dtype.kind == "i"
    assert (codes == gp.TP).sum() == (A_true & A_est).sum()
    assert (codes == gp.FP).sum() + (codes == gp.TP).sum() == A_est.sum()
    assert (codes == gp.FN).sum() + (codes == gp.TP).sum() == A_true.sum()


def test_edge_categories_validation():
    with pytest.raises(ValueError, match="same shape"):
        gp.edge_categories(np.zeros((2, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="binary"):
        gp.edge_categories(np.zeros((2, 2)), np.full((2, 2), 0.5))
    with pytest.raises(ValueError, match="square"):
        gp.edge_categories(np.zeros(3), np.zeros(3))


def test_plot_comparison_panels_and_category_colours():
    A_true = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    A_est = np.array([[0, 1, 1], [0, 0, 0], [0, 0, 0]])  # TP (0,1), FP (0,2), FN (1,2)
    fig = gp.plot_comparison(A_true, A_est, labels=["a", "b", "c"], title="demo")
    assert isinstance(fig, Figure)
    truth_ax, est_ax, cat_ax = fig.axes[:3]
    assert [ax.get_title() for ax in fig.axes[:3]] == ["truth", "estimate", "TP / FP / FN"]
    assert fig._suptitle.get_text() == "demo"
    for ax in (truth_ax, est_ax, cat_ax):
        assert tick_texts(ax.get_xticklabels()) == ["a", "b", "c"]
    np.testing.assert_array_equal(truth_ax.images[0].get_array(), A_true)
    np.testing.assert_array_equal(est_ax.images[0].get_array(), A_est)

    image = cat_ax.images[0]
    codes = np.asarray(image.get_array())
    np.testing.assert_array_equal(codes, gp.edge_categories(A_true, A_est))
    colour_of = {"tp": (0, 1), "fp": (0, 2), "fn": (1, 2), "tn": (2, 0)}
    for key, (i, j) in colour_of.items():
        np.testing.assert_allclose(image.cmap(image.norm(codes[i, j])), to_rgba(gp.PALETTE[key]))
    # the truth and estimate panels use their own colours for an edge
    for ax, key in ((truth_ax, "truth"), (est_ax, "estimate")):
        im = ax.images[0]
        np.testing.assert_allclose(im.cmap(im.norm(1.0)), to_rgba(gp.PALETTE[key]))
    cell_text = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in cat_ax.texts}
    assert cell_text == {(0, 1): "TP", (0, 2): "FP", (1, 2): "FN"}
    legend = [t.get_text() for t in cat_ax.get_legend().get_texts()]
    assert [s.split(":")[0] for s in legend] == ["TP", "FP", "FN", "TN"]
    assert legend[0].endswith("(1)") and legend[3].endswith("(6)")


def test_plot_comparison_with_scores_and_without_diagonal():
    rng = np.random.default_rng(2)
    A_true = np.eye(4, dtype=int)
    A_true[0, 1] = 1
    scores = rng.random((4, 4))
    fig = gp.plot_comparison(A_true, A_true, scores=scores, include_diagonal=False)
    assert fig.axes[1].get_title() == "scores"
    np.testing.assert_allclose(fig.axes[1].images[0].get_array(), scores)
    cat = fig.axes[2]
    assert np.all(np.diag(np.asarray(cat.images[0].get_array())) == gp.NOT_EVALUATED)
    im = cat.images[0]
    np.testing.assert_allclose(im.cmap(im.norm(gp.NOT_EVALUATED)), to_rgba(gp.PALETTE["not_evaluated"]))
    assert "not evaluated (4)" in [t.get_text() for t in cat.get_legend().get_texts()]


def test_plot_comparison_validation():
    with pytest.raises(ValueError, match="same shape"):
        gp.plot_comparison(np.zeros((3, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="labels"):
        gp.plot_comparison(np.zeros((3, 3)), np.zeros((3, 3)), labels=["a"])
    with pytest.raises(ValueError, match="scores must have the same shape"):
        gp.plot_comparison(np.zeros((3, 3)), np.zeros((3, 3)), scores=np.zeros((2, 2)))


# ---------------------------------------------------------------------------
# graph drawings
# ---------------------------------------------------------------------------


def arrows(ax):
    return [p for p in ax.patches if isinstance(p, FancyArrowPatch)]


def test_draw_graph_counts_edges_and_labels():
    A = np.array([[1, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1]])  # 2-cycle 0<->1, two self-loops
    ax = gp.draw_graph(A, labels=["a", "b", "c", "d"], title="g")
    assert isinstance(ax, Axes) and ax.get_title() == "g"
    assert len(arrows(ax)) == 4  # off-diagonal edges only
    assert sorted(t.get_text() for t in ax.texts) == ["a", "b", "c", "d"]
    ax2 = gp.draw_graph(A, show_self_loops=True)
    assert len(arrows(ax2)) == 6
    assert sorted(t.get_text() for t in ax2.texts) == ["x0", "x1", "x2", "x3"]


def test_draw_graph_arrow_direction_follows_rows():
    A = np.array([[0, 1], [0, 0]])  # x0 -> x1
    pos = {0: np.array([0.0, 0.0]), 1: np.array([1.0, 0.0])}
    ax = gp.draw_graph(A, pos=pos)
    ax.figure.canvas.draw()
    (arrow,) = arrows(ax)
    path = arrow.get_path().vertices  # data coordinates: the shaft runs from x0 towards x1
    start = ax.transData.transform(pos[0])
    end = ax.transData.transform(pos[1])
    tail = ax.transData.transform(path[0])
    assert np.linalg.norm(tail - start) < np.linalg.norm(tail - end)


def test_draw_graph_weights_pos_and_node_colours():
    A = np.array([[0, 2.0, 0], [0, 0, -0.5], [0, 0, 0]])
    pos = gp.graph_layout(["a", "b", "c"])
    ax = gp.draw_graph(A, pos=pos, edge_weights=A, node_color=["red", "green", "blue"])
    widths = sorted(a.get_linewidth() for a in arrows(ax))
    assert widths[0] < widths[1]
    ax_labels = gp.draw_graph(A, labels=["a", "b", "c"], pos={"a": (0, 0), "b": (1, 0), "c": (0, 1)})
    assert len(arrows(ax_labels)) == 2


def test_draw_graph_dataframe_and_empty_graph():
    names = ["temp", "rain", "wind"]
    ax = gp.draw_graph(pd.DataFrame(np.zeros((3, 3)), index=names, columns=names))
    assert arrows(ax) == []
    assert sorted(t.get_text() for t in ax.texts) == sorted(names)


def test_draw_graph_validation():
    with pytest.raises(ValueError, match="square"):
        gp.draw_graph(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="labels"):
        gp.draw_graph(np.zeros((3, 3)), labels=["a", "b"])
    with pytest.raises(ValueError, match="edge_weights"):
        gp.draw_graph(np.zeros((3, 3)), edge_weights=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="pos"):
        gp.draw_graph(np.zeros((3, 3)), pos={0: (0, 0)})
    with pytest.raises(ValueError, match="node_color"):
        gp.draw_graph(np.zeros((3, 3)), node_color=["red", "blue"])
    with pytest.raises(ValueError, match="layout"):
        gp.draw_graph(np.zeros((3, 3)), layout="nonsense")


def test_graph_layout_is_stable_and_shareable():
    circ = gp.graph_layout(5)
    assert sorted(circ) == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(circ[0], [0.0, 1.0])  # node 0 on top
    np.testing.assert_allclose([np.hypot(*xy) for xy in circ.values()], 1.0)
    labelled = gp.graph_layout(list("abcde"))
    for i in range(5):
        np.testing.assert_array_equal(circ[i], labelled[i])
    A = (np.random.default_rng(3).random((6, 6)) < 0.3).astype(int)
    first = gp.graph_layout(6, layout="spring", seed=4, A=A)
    again = gp.graph_layout(6, layout="spring", seed=4, A=A)
    for i in range(6):
        np.testing.assert_array_equal(first[i], again[i])
    state = np.random.get_state()[1].copy()
    gp.graph_layout(6, layout="spring", seed=5)
    assert (np.random.get_state()[1] == state).all()  # the global random state is untouched
    with pytest.raises(ValueError, match="at least one node"):
        gp.graph_layout(0)
    with pytest.raises(ValueError, match="A has shape"):
        gp.graph_layout(3, layout="spring", A=np.zeros((4, 4)))


# ---------------------------------------------------------------------------
# time series and ROC
# ---------------------------------------------------------------------------


def test_plot_series_panels_share_x():
    X = np.random.default_rng(5).normal(size=(50, 3))
    fig = gp.plot_series(X, labels=["a", "b", "c"], title="three series")
    assert isinstance(fig, Figure)
    assert [ax.get_ylabel() for ax in fig.axes] == ["a", "b", "c"]
    assert fig._suptitle.get_text() == "three series"
    first = fig.axes[0]
    assert all(first.get_shared_x_axes().joined(first, ax) for ax in fig.axes[1:])
    for k, ax in enumerate(fig.axes):
        np.testing.assert_array_equal(ax.lines[0].get_ydata(), X[:, k])
    assert fig.axes[-1].get_xlabel().startswith("time")


def test_plot_series_dataframe_time_and_max_vars():
    index = np.arange(100, 140)
    df = pd.DataFrame(np.random.default_rng(6).normal(size=(40, 10)), index=index, columns=[f"v{k}" for k in range(10)])
    fig = gp.plot_series(df, max_vars=4)
    assert [ax.get_ylabel() for ax in fig.axes] == ["v0", "v1", "v2", "v3"]
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_xdata(), index)
    assert "first 4 of 10" in fig._suptitle.get_text()


def test_plot_series_given_axes_and_time():
    fig, axes = plt.subplots(2, 1)
    time = np.linspace(0, 1, 30)
    out = gp.plot_series(np.random.default_rng(7).normal(size=(30, 2)), time=time, axes=axes)
    assert out is fig
    np.testing.assert_array_equal(axes[1].lines[0].get_xdata(), time)


def test_plot_series_validation():
    X = np.zeros((20, 3))
    with pytest.raises(ValueError, match="2-D"):
        gp.plot_series(np.zeros((4, 3, 2)))
    with pytest.raises(ValueError, match="labels"):
        gp.plot_series(X, labels=["a"])
    with pytest.raises(ValueError, match="time must have shape"):
        gp.plot_series(X, time=np.arange(5))
    with pytest.raises(ValueError, match="axes"):
        _, axes = plt.subplots(2, 1)
        gp.plot_series(X, axes=axes)
    with pytest.raises(ValueError, match="max_vars"):
        gp.plot_series(X, max_vars=0)


def test_plot_roc_dict_and_array():
    rng = np.random.default_rng(8)
    A = (rng.random((6, 6)) < 0.3).astype(int)
    A[0, 1] = 1
    good, noise = A + 0.3 * rng.random((6, 6)), rng.random((6, 6))
    ax = gp.plot_roc(A, {"good": good, "noise": noise}, title="ROC")
    assert isinstance(ax, Axes) and ax.get_title() == "ROC"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [f"good (AUROC {auroc(A, good):.2f})", f"noise (AUROC {auroc(A, noise):.2f})", "chance"]
    assert len(ax.lines) == 3
    assert ax.get_xlabel() == "false positive rate" and ax.get_ylabel() == "true positive rate"
    single = gp.plot_roc(A, good)
    assert [t.get_text() for t in single.get_legend().get_texts()][0].startswith("scores (AUROC")


def test_plot_roc_validation():
    A = np.array([[0, 1], [0, 0]])
    with pytest.raises(ValueError, match="empty dict"):
        gp.plot_roc(A, {})
    with pytest.raises(ValueError, match="same shape"):
        gp.plot_roc(A, {"m": np.zeros((3, 3))})
    with pytest.raises(ValueError, match="no edges"):
        gp.plot_roc(np.zeros((2, 2)), np.zeros((2, 2)))
