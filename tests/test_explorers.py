"""Tests of gcbook.explorers: the plain update functions behind the book's widgets, no browser."""

import subprocess
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure

from gcbook.explorers import (
    EvaluationExplorerResult,
    ExplorerResult,
    GrngcExplorerResult,
    LassoExplorerResult,
    NotearsExplorerResult,
    WindowExplorerResult,
    coupled_pair,
    evaluation_explorer,
    evaluation_explorer_widget,
    explorer_grid,
    granger_explorer,
    granger_explorer_widget,
    grngc_explorer,
    grngc_explorer_widget,
    lasso_var_explorer,
    lasso_var_explorer_widget,
    notears_explorer,
    notears_explorer_widget,
    simulate_pairs,
    window_explorer,
    window_explorer_widget,
)
from gcbook.granger import granger_test


def close(result_or_figure):
    """Release a figure's memory (figures made without pyplot are not registered anywhere)."""
    figure = getattr(result_or_figure, "figure", result_or_figure)
    figure.clear()


@pytest.mark.parametrize("coupling, T, lag, seed", [(0.0, 100, 1, 0), (0.3, 250, 2, 5), (-0.7, 60, 4, 11)])
def test_explorer_matches_granger_test_on_same_data(coupling, T, lag, seed):
    result = granger_explorer(coupling, T, lag=lag, seed=seed)
    X = coupled_pair(coupling, T, seed=seed)
    np.testing.assert_array_equal(result.X, X)
    reference = granger_test(X, lag)
    assert result.f_stat == pytest.approx(reference.f_stat[0, 1], rel=1e-12)
    assert result.p_value == pytest.approx(reference.p_value[0, 1], rel=1e-12)
    assert (result.df_num, result.df_den) == (reference.df_num, reference.df_den) == (lag, T - lag - 2 * lag - 1)
    close(result)


def _loop_recursion(T, reps, coupling, delay, cause_ar, effect_ar, burn_in, seed):
    """The documented recursion of simulate_pairs, written as a plain loop on the same innovations."""
    noise = np.random.default_rng(seed).standard_normal((2, reps, burn_in + T))
    x = np.zeros((reps, burn_in + T, 2))
    for t in range(burn_in + T):
        x[:, t, 0] = noise[0, :, t] + (cause_ar * x[:, t - 1, 0] if t >= 1 else 0.0)
        x[:, t, 1] = noise[1, :, t]
        for k, phi in enumerate(effect_ar, start=1):
            if t >= k:
                x[:, t, 1] += phi * x[:, t - k, 1]
        if t >= delay:
            x[:, t, 1] += coupling * x[:, t - delay, 0]
    return x[:, burn_in:]


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(T=50, reps=3, coupling=0.7, delay=3, cause_ar=0.9, effect_ar=(0.2, 0.0, 0.3), burn_in=5, seed=1),
        dict(T=40, reps=2, coupling=0.0, delay=1, cause_ar=1.0, effect_ar=(1.0,), burn_in=0, seed=2),
        dict(T=30, reps=1, coupling=-0.4, delay=1, cause_ar=0.5, effect_ar=(0.5,), burn_in=20, seed=3),
    ],
)
def test_simulate_pairs_is_the_documented_recursion(kwargs):
    np.testing.assert_allclose(simulate_pairs(**kwargs), _loop_recursion(**kwargs), rtol=1e-10, atol=1e-10)


def test_coupled_pair_is_one_copy_of_simulate_pairs():
    np.testing.assert_array_equal(coupled_pair(0.4, 300, seed=3), simulate_pairs(300, 1, coupling=0.4, seed=3)[0])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(T=100, cause_ar=1.5), "cause_ar"),
        (dict(T=100, effect_ar=(0.5, 0.6)), "explosive"),
        (dict(T=100, effect_ar=()), "effect_ar"),
        (dict(T=100, effect_ar=("a",)), "effect_ar"),
        (dict(T=100, delay=0), "delay"),
        (dict(T=100, reps=0), "reps"),
        (dict(T=100, burn_in=-1), "burn_in"),
    ],
)
def test_simulate_pairs_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate_pairs(**kwargs)


def test_explorer_returns_figure_and_numbers():
    result = granger_explorer(0.5, 300, lag=1, seed=0)
    assert isinstance(result, ExplorerResult)
    assert isinstance(result.figure, Figure)
    assert len(result.figure.axes) == 2
    assert result.rejected and result.p_value < 1e-6
    assert "F=" in repr(result) and "rejected" in repr(result)
    # the critical value is the upper alpha quantile of F(df_num, df_den)
    from scipy import stats

    assert stats.f.sf(result.critical_value, result.df_num, result.df_den) == pytest.approx(0.05)
    close(result)


def test_null_coupling_gives_nominal_behaviour_on_average():
    p_values = [granger_explorer(0.0, 120, seed=s).p_value for s in range(40)]
    assert 0.2 < np.mean(p_values) < 0.8  # uniform p-values under the null have mean 1/2


def test_same_seed_same_numbers():
    a, b = granger_explorer(0.2, 150, seed=7), granger_explorer(0.2, 150, seed=7)
    assert a.f_stat == b.f_stat and a.p_value == b.p_value
    close(a)
    close(b)


def test_explorer_draws_into_given_axes():
    figure = Figure()
    axes = figure.subplots(1, 2)
    result = granger_explorer(0.1, 100, axes=axes)
    assert result.figure is figure
    assert axes[1].get_xlabel() == "$F$"
    close(figure)


def test_off_scale_statistic_is_annotated():
    result = granger_explorer(1.0, 1000, seed=0)
    texts = " ".join(t.get_text() for t in result.figure.axes[1].texts)
    assert "off scale" in texts
    close(result)


def test_grid_has_one_row_per_setting():
    figure, results = explorer_grid([(0.0, 80), (0.2, 80), (0.2, 300)], lag=2, seed=1)
    assert isinstance(figure, Figure) and len(figure.axes) == 6
    assert [r.T for r in results] == [80, 80, 300]
    assert results[0].f_stat == granger_explorer(0.0, 80, lag=2, seed=1).f_stat
    close(figure)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(coupling=np.nan, T=100), "coupling"),
        (dict(coupling=10.0, T=100), "coupling"),
        (dict(coupling="0.3", T=100), "coupling"),
        (dict(coupling=0.3, T=5), "T"),
        (dict(coupling=0.3, T=100.0), "T"),
        (dict(coupling=0.3, T=100, lag=0), "lag"),
        (dict(coupling=0.3, T=100, lag=True), "lag"),
        (dict(coupling=0.3, T=12, lag=4), "too short"),
        (dict(coupling=0.3, T=100, alpha=1.5), "alpha"),
        (dict(coupling=0.3, T=100, axes=[None]), "pair"),
        (dict(coupling=0.3, T=100, seed=-1), "seed"),
    ],
)
def test_bad_input_raises_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        granger_explorer(**kwargs)


def test_grid_rejects_bad_settings():
    with pytest.raises(ValueError, match="empty"):
        explorer_grid([])
    with pytest.raises(ValueError, match="pair"):
        explorer_grid([(0.1, 100, 3)])


def test_importing_gcbook_does_not_import_ipywidgets():
    code = "import gcbook, gcbook.explorers, sys; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_widget_wires_controls_to_the_explorer(capsys):
    pytest.importorskip("ipywidgets")
    widget = granger_explorer_widget(coupling=0.3, T=200, lag=2, seed=4)
    names = {child.description for child in widget.children if hasattr(child, "description")}
    assert {"coupling", "T", "lag", "seed"} <= names
    assert widget.kwargs == {"coupling": 0.3, "T": 200, "lag": 2, "seed": 4}
    capsys.readouterr()
    # Moving a slider re-runs the explorer with the new value.
    lag_slider = next(c for c in widget.children if getattr(c, "description", "") == "lag")
    lag_slider.value = 5
    assert widget.kwargs["lag"] == 5
    assert "lag=5" in capsys.readouterr().out


# ----------------------------------------------------------------------------- window explorer
@pytest.mark.parametrize(
    "window, epsilon, kind, T, seed, lag",
    [
        (20, 1.0, "linear", 600, 0, 2),
        (6, 0.25, "nonlinear", 600, 3, 2),
        (40, 4.0, "linear", 900, 7, 3),
        (120, 16.0, "nonlinear", 600, 1, 2),
        (4, 2.0, "linear", 300, 2, 1),
    ],
)
def test_window_explorer_matches_direct_computation(window, epsilon, kind, T, seed, lag):
    from gcbook.simulate import nonlinear_ar_pair, switching_ar_pair, window_events
    from gcbook.window import window_granger
    from gcbook.window_metrics import window_accuracy, window_precision, window_recall

    result = window_explorer(window, epsilon, kind=kind, T=T, seed=seed, lag=lag)
    assert isinstance(result, WindowExplorerResult)
    sim = (switching_ar_pair if kind == "linear" else nonlinear_ar_pair)(T, seed=seed, lag=lag)
    np.testing.assert_array_equal(result.X, sim.X)
    np.testing.assert_array_equal(result.event, sim.event)
    reference = window_granger(sim.X, 1, 0, window, step=window, lag=lag)
    assert result.result.model == "linear" and (result.result.cause, result.result.effect) == (1, 0)
    np.testing.assert_array_equal(result.result.starts, reference.starts)
    np.testing.assert_allclose(result.result.f_stat, reference.f_stat, rtol=1e-12)
    truth = window_events(sim.event, window, starts=reference.starts)
    np.testing.assert_array_equal(result.truth, truth)
    np.testing.assert_array_equal(result.detected, reference.f_stat > epsilon)
    assert np.all(np.isfinite(reference.f_stat))
    assert result.accuracy == window_accuracy(reference.f_stat, truth, epsilon)
    assert np.array_equal(result.precision, window_precision(reference.f_stat, truth, epsilon), equal_nan=True)
    if truth.any():
        assert result.recall == window_recall(reference.f_stat, truth, epsilon)
    else:
        assert np.isnan(result.recall)
    assert (result.window, result.epsilon, result.kind, result.T, result.lag) == (window, epsilon, kind, T, lag)
    assert isinstance(result.figure, Figure) and len(result.figure.axes) == 2
    close(result)


def test_window_explorer_nar_model_matches_direct_computation():
    from gcbook.simulate import nonlinear_ar_pair, window_events
    from gcbook.window import window_granger
    from gcbook.window_metrics import window_recall

    res = window_explorer(window=25, epsilon=1.5, kind="nonlinear", T=400, seed=3, lag=2, model="nar")
    sim = nonlinear_ar_pair(400, seed=3, lag=2)
    direct = window_granger(sim.X, 1, 0, 25, step=25, lag=2, model="nar", seed=0)
    np.testing.assert_array_equal(res.result.f_stat, direct.f_stat)
    assert res.result.model == "nar"
    truth = window_events(sim.event, 25, starts=direct.starts)
    assert res.recall == pytest.approx(window_recall(direct.f_stat, truth, 1.5))
    assert "L_1 / L_2" in res.figure.axes[1].get_ylabel()
    # the NAR test only needs window > lag, shorter than the linear test's 2 lag + 2
    assert window_explorer(window=4, epsilon=1.0, kind="nonlinear", T=200, lag=2, model="nar").result.window == 4
    with pytest.raises(ValueError, match="model must be one of"):
        window_explorer(window=20, epsilon=1.0, model="mlp")
    with pytest.raises(ValueError, match="must be longer than lag"):
        window_explorer(window=2, epsilon=1.0, lag=2, model="nar")


def test_window_explorer_figure_shows_threshold_log_scale_and_scores():
    result = window_explorer(20, 2.0, seed=0)
    ax_series, ax_f = result.figure.axes
    assert ax_f.get_yscale() == "log"
    dashed = [line for line in ax_f.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and np.allclose(dashed[0].get_ydata(), 2.0)
    assert result.scores_text() in ax_f.get_title()
    assert "recall" in ax_f.get_title() and "precision" in ax_f.get_title()
    # the events are marked on the effect series, one marker per event time point
    markers = ax_series.collections[0].get_offsets()
    np.testing.assert_array_equal(np.asarray(markers)[:, 0], np.flatnonzero(result.event))
    close(result)


def test_window_explorer_shows_undefined_precision_as_na():
    result = window_explorer(20, 16.0, kind="nonlinear", seed=0)  # no window has F > 16
    assert not result.detected.any() and np.isnan(result.precision)
    assert "precision n/a" in result.scores_text() and "precision n/a" in repr(result)
    assert "n/a" in result.figure.axes[1].get_title()
    close(result)


def test_window_explorer_shows_undefined_recall_as_na():
    # The nonlinear pair's first events are at t = 12..20: a series of 12 points has none.
    result = window_explorer(6, 1.0, kind="nonlinear", T=12, seed=0)
    assert result.truth.size == 1 and not result.truth.any()
    assert np.isnan(result.recall) and "recall n/a" in repr(result)
    assert result.accuracy in (0.0, 1.0)
    close(result)


def test_window_scores_handle_undefined_windows():
    from gcbook.explorers.dwgc import _window_scores

    recall, accuracy, precision = _window_scores(np.array([np.nan, 3.0, 0.5]), np.array([True, False, True]), 1.0)
    assert (recall, accuracy) == (0.0, 0.0) and precision == 0.0  # the NaN window is left out
    assert all(np.isnan(_window_scores(np.array([np.nan, np.nan]), np.array([True, False]), 1.0)))


def test_window_explorer_is_fast_and_deterministic():
    import time

    window_explorer(20, 1.0)  # the first call imports torch (via gcbook.window)
    start = time.perf_counter()
    a = window_explorer(10, 1.0, kind="nonlinear", seed=5)
    assert time.perf_counter() - start < 2.0  # well under a second on a laptop; generous on a loaded machine
    b = window_explorer(10, 1.0, kind="nonlinear", seed=5)
    np.testing.assert_array_equal(a.result.f_stat, b.result.f_stat)
    close(a)
    close(b)


def test_window_explorer_draws_into_given_axes():
    figure = Figure()
    axes = figure.subplots(2, 1)
    result = window_explorer(30, 1.0, axes=axes)
    assert result.figure is figure and len(figure.axes) == 2
    assert axes[1].get_yscale() == "log"
    close(figure)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(window=20, epsilon=1.0, kind="nar"), "kind"),
        (dict(window=20, epsilon=1.0, kind=None), "kind"),
        (dict(window=5, epsilon=1.0), "at least 6"),
        (dict(window=3, epsilon=1.0, lag=1), "at least 4"),
        (dict(window=20.0, epsilon=1.0), "window"),
        (dict(window=True, epsilon=1.0), "window"),
        (dict(window=599, epsilon=1.0), "too long"),
        (dict(window=20, epsilon=0.0), "epsilon"),
        (dict(window=20, epsilon=-1.0), "epsilon"),
        (dict(window=20, epsilon=np.nan), "epsilon"),
        (dict(window=20, epsilon="1"), "epsilon"),
        (dict(window=20, epsilon=1.0, T=5), "T"),
        (dict(window=20, epsilon=1.0, lag=0), "lag"),
        (dict(window=30, epsilon=1.0, lag=10), "lag"),
        (dict(window=20, epsilon=1.0, seed=-1), "seed"),
        (dict(window=20, epsilon=1.0, axes=[None]), "pair"),
    ],
)
def test_window_explorer_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        window_explorer(**kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(window=5), "window"),
        (dict(window=121), "window"),
        (dict(epsilon=0.1), "epsilon"),
        (dict(epsilon=32.0), "epsilon"),
        (dict(kind="nar"), "kind"),
        (dict(T=100), "T"),
        (dict(seed=51), "seed"),
    ],
)
def test_window_widget_rejects_start_values_off_its_controls(kwargs, message):
    with pytest.raises(ValueError, match=message):
        window_explorer_widget(**kwargs)


def test_window_widget_wires_controls_to_the_explorer(capsys):
    pytest.importorskip("ipywidgets")
    widget = window_explorer_widget(window=30, epsilon=2.0, kind="linear", T=600, seed=1)
    controls = {child.description: child for child in widget.children if hasattr(child, "description")}
    assert {"window", "epsilon", "kind", "test", "T", "seed"} <= set(controls)
    assert widget.kwargs == {"window": 30, "epsilon": 2.0, "kind": "linear", "model": "linear", "T": 600, "seed": 1}
    assert tuple(controls["test"].options) == ("linear", "nar")
    assert (controls["window"].min, controls["window"].max) == (6, 120)
    epsilon = controls["epsilon"]
    assert (epsilon.base**epsilon.min, epsilon.base**epsilon.max) == (0.25, 16.0)
    assert list(controls["kind"].options) == ["linear", "nonlinear"]
    assert "window=30" in capsys.readouterr().out
    # Moving a control re-runs the explorer with the new value.
    controls["window"].value = 6
    assert widget.kwargs["window"] == 6 and "window=6" in capsys.readouterr().out
    controls["kind"].value = "nonlinear"
    assert "kind='nonlinear'" in capsys.readouterr().out
    controls["epsilon"].value = 16.0
    assert "epsilon=16" in capsys.readouterr().out


# ----------------------------------------------------------------------------- lasso-VAR explorer
def _lasso_reference(alpha, p, T, seed):
    """The explorer's computation written out: simulate, standardise, fit."""
    from gcbook.simulate import var
    from gcbook.sparse_var import lasso_var

    X, A = var(p=p, T=T, lag=1, seed=seed)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X, A, lasso_var(X, 1, alpha).coef_by_lag.transpose(2, 0, 1)  # the explorer's (1, p, p) layout


def _alpha_max(X):
    """The smallest alpha at which every target's lasso is all zeros: max |Zᵀ y| / n, centred."""
    Z, Y = X[:-1] - X[:-1].mean(axis=0), X[1:] - X[1:].mean(axis=0)
    return float(np.abs(Z.T @ Y).max() / Z.shape[0])


@pytest.mark.parametrize(
    "alpha, p, T, seed, target", [(0.05, 10, 200, 0, 0), (0.1, 5, 80, 3, 4), (0.01, 20, 300, 7, 11), (0.3, 2, 5, 1, 1)]
)
def test_lasso_explorer_fields_match_direct_computation(alpha, p, T, seed, target):
    result = lasso_var_explorer(alpha, p=p, T=T, seed=seed, target=target)
    assert isinstance(result, LassoExplorerResult)
    X, A, coef = _lasso_reference(alpha, p, T, seed)
    np.testing.assert_array_equal(result.X, X)
    np.testing.assert_array_equal(result.A, A)
    np.testing.assert_array_equal(result.coef, coef)
    assert result.coef.shape == (1, p, p) and result.X.shape == (T, p)
    np.testing.assert_allclose(result.X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(result.X.std(axis=0), 1.0, rtol=1e-12)
    n_knots = result.path_alphas.size
    assert result.path_coefs.shape == (p, n_knots)
    assert np.all(np.diff(result.path_alphas) < 0) and result.path_alphas[-1] == 0.0
    np.testing.assert_array_equal(result.path_coefs[:, 0], 0.0)  # nothing is active at the first knot
    assert (result.alpha, result.p, result.T, result.target) == (alpha, p, T, target)
    assert isinstance(result.figure, Figure) and len(result.figure.axes) == 2
    assert repr(result).startswith("LassoExplorerResult(") and result.scores_text() in repr(result)
    close(result)


@pytest.mark.parametrize("seed, target", [(0, 0), (2, 3), (5, 9)])
def test_lasso_path_agrees_with_lasso_var(seed, target):
    result = lasso_var_explorer(0.05, p=10, T=200, seed=seed, target=target)
    X, n = result.X, result.T - 1
    # the first knot is the target's own alpha_max on sklearn's scale, max |Zᵀy| / n
    Z, y = X[:-1] - X[:-1].mean(axis=0), X[1:, target] - X[1:, target].mean()
    assert result.path_alphas[0] == pytest.approx(np.abs(Z.T @ y).max() / n, rel=1e-12)
    knots = result.path_alphas
    inside = [0.5 * (knots[k] + knots[k + 1]) for k in range(0, knots.size - 1, 2)] + [0.05, 0.3 * knots[0]]
    for alpha in inside:
        along_path = [np.interp(alpha, knots[::-1], row[::-1]) for row in result.path_coefs]
        fitted = lasso_var_explorer(alpha, p=10, T=200, seed=seed, target=target).coef[0][:, target]
        np.testing.assert_allclose(along_path, fitted, rtol=0, atol=1e-8)
    close(result)


def test_lasso_explorer_above_alpha_max_selects_nothing():
    X, _, _ = _lasso_reference(0.0, 10, 200, 0)
    alpha_max = _alpha_max(X)
    result = lasso_var_explorer(1.01 * alpha_max, seed=0)
    assert not result.coef.any()
    assert result.n_nonzero == 0 and result.recall == 0.0 and np.isnan(result.precision)
    assert result.auroc == 0.5  # every score ties at 0
    assert "precision n/a" in result.scores_text() and "0 edges" in repr(result)
    assert "precision n/a" in result.figure.axes[1].get_title()
    # just below alpha_max the first coefficient enters
    assert np.count_nonzero(lasso_var_explorer(0.99 * alpha_max, seed=0).coef) >= 1
    close(result)


def test_lasso_explorer_alpha_zero_is_least_squares_and_dense():
    result = lasso_var_explorer(0.0, p=6, T=150, seed=4, target=2)
    X, A = result.X, result.A
    design = np.c_[np.ones(X.shape[0] - 1), X[:-1]]
    ols = np.linalg.lstsq(design, X[1:], rcond=None)[0][1:]
    np.testing.assert_allclose(result.coef[0], ols, atol=1e-8)
    n_true = int(A.sum()) - 6
    assert result.n_nonzero == 6 * 5 and result.recall == 1.0
    assert result.precision == pytest.approx(n_true / 30)
    assert "least squares" in " ".join(t.get_text() for t in result.figure.axes[0].get_legend().get_texts())
    close(result)


@pytest.mark.parametrize("alpha, seed", [(0.02, 0), (0.08, 1), (0.15, 6), (0.4, 9)])
def test_lasso_explorer_scores_match_hand_computation(alpha, seed):
    from sklearn.metrics import roc_auc_score

    result = lasso_var_explorer(alpha, p=8, T=150, seed=seed)
    C, A = result.coef[0], result.A
    pairs = [(i, j) for i in range(8) for j in range(8) if i != j]
    estimated = [(i, j) for i, j in pairs if C[i, j] != 0]
    true = [(i, j) for i, j in pairs if A[i, j] == 1]
    found = [e for e in estimated if e in true]
    assert result.n_nonzero == len(estimated)
    assert np.array_equal(result.precision, len(found) / len(estimated) if estimated else np.nan, equal_nan=True)
    assert result.recall == pytest.approx(len(found) / len(true))
    auc = roc_auc_score([A[i, j] for i, j in pairs], [abs(C[i, j]) for i, j in pairs])
    assert result.auroc == pytest.approx(auc, abs=1e-12)
    close(result)


def test_lasso_explorer_without_true_edges_says_na():
    from gcbook.simulate import var

    seed = next(s for s in range(100) if var(p=2, T=10, lag=1, seed=s)[1].sum() == 2)  # only the own past
    result = lasso_var_explorer(0.01, p=2, T=60, seed=seed, target=1)
    assert np.isnan(result.recall) and np.isnan(result.auroc)
    assert "recall n/a" in result.scores_text() and "AUROC n/a" in result.scores_text()
    close(result)


def test_lasso_explorer_figure_shows_path_alpha_and_categories():
    from gcbook.plotting import edge_categories

    result = lasso_var_explorer(0.05, p=10, T=200, seed=0, target=3)
    ax_path, ax_graph = result.figure.axes
    assert ax_path.get_xscale() == "log"
    left, right = ax_path.get_xlim()
    assert left > result.path_alphas[0] and right < 0.05 and left > right  # decreasing alpha to the right
    vertical = [line for line in ax_path.get_lines() if np.allclose(line.get_xdata(), 0.05)]
    assert len(vertical) == 1
    # one path line per series, the true causes of the target coloured, the others grey
    from gcbook.plotting import PALETTE

    paths = [line for line in ax_path.get_lines() if len(line.get_xdata()) > 2]
    assert len(paths) == 10
    n_grey = sum(line.get_color() == PALETTE["neutral"] for line in paths)
    assert n_grey == 10 - int(result.A[:, 3].sum())
    codes = edge_categories(result.A, result.coef[0] != 0, include_diagonal=False)
    np.testing.assert_array_equal(ax_graph.images[0].get_array(), codes)
    assert result.scores_text() in ax_graph.get_title()
    assert ax_graph.get_xlabel().startswith("effect") and ax_graph.get_ylabel().startswith("cause")
    close(result)


def test_lasso_explorer_draws_into_given_axes():
    figure = Figure()
    axes = figure.subplots(1, 2)
    result = lasso_var_explorer(0.1, axes=axes)
    assert result.figure is figure and len(figure.axes) == 2
    assert axes[0].get_xscale() == "log" and len(axes[1].images) == 1
    close(figure)


def test_lasso_explorer_is_deterministic():
    # speed is not a unit test (see benchmarks/); only the seeding is checked here
    b = lasso_var_explorer(0.05, p=10, T=200, seed=3)
    c = lasso_var_explorer(0.05, p=10, T=200, seed=np.random.default_rng(3))  # a generator works too
    np.testing.assert_array_equal(b.coef, c.coef)
    close(b)
    close(c)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(alpha=-0.1), "alpha must be >= 0"),
        (dict(alpha=np.nan), "alpha must be finite"),
        (dict(alpha=np.inf), "alpha must be finite"),
        (dict(alpha="0.1"), "alpha must be a real number"),
        (dict(alpha=True), "alpha must be a real number"),
        (dict(alpha=0.1, p=1), "p must be >= 2"),
        (dict(alpha=0.1, p=3.0), "p must be an int"),
        (dict(alpha=0.1, p=10, T=12), "T=12 is too short for p=10.*T >= 13"),
        (dict(alpha=0.1, T=-5), "T must be >= 1"),
        (dict(alpha=0.1, target=10), r"target must be one of the series 0\.\.9"),
        (dict(alpha=0.1, target=-1), "target must be >= 0"),
        (dict(alpha=0.1, target=1.0), "target must be an int"),
        (dict(alpha=0.1, seed=-1), "seed"),
        (dict(alpha=0.1, seed="a"), "seed"),
        (dict(alpha=0.1, axes=[None]), "pair"),
    ],
)
def test_lasso_explorer_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        lasso_var_explorer(**kwargs)


def test_lasso_explorer_accepts_the_shortest_series():
    result = lasso_var_explorer(0.1, p=10, T=13)  # T = p + 3
    assert result.path_alphas[-1] == 0.0
    close(result)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(alpha=1e-4), "alpha"),
        (dict(alpha=2.0), "alpha"),
        (dict(p=2), "p"),
        (dict(p=21), "p"),
        (dict(T=40), "T"),
        (dict(T=501), "T"),
        (dict(seed=21), "seed"),
        (dict(p=5, target=5), "target"),
    ],
)
def test_lasso_widget_rejects_start_values_off_its_controls(kwargs, message):
    with pytest.raises(ValueError, match=message):
        lasso_var_explorer_widget(**kwargs)


def test_lasso_widget_wires_controls_to_the_explorer(capsys):
    pytest.importorskip("ipywidgets")
    widget = lasso_var_explorer_widget(alpha=0.05, p=10, T=200, seed=2, target=7)
    controls = {child.description: child for child in widget.children if hasattr(child, "description")}
    assert {"alpha", "p", "T", "seed", "target"} <= set(controls)
    assert widget.kwargs == {"alpha": 0.05, "p": 10, "T": 200, "seed": 2, "target": 7}
    alpha = controls["alpha"]
    assert (alpha.base**alpha.min, alpha.base**alpha.max) == pytest.approx((1e-3, 1.0))
    assert [(controls[k].min, controls[k].max) for k in ("p", "T", "seed", "target")] == [
        (3, 20),
        (50, 500),
        (0, 20),
        (0, 9),
    ]
    assert "alpha=0.05, p=10, T=200, target=7" in capsys.readouterr().out
    # Moving a control re-runs the explorer with the new value.
    controls["alpha"].value = 0.2
    assert widget.kwargs["alpha"] == 0.2 and "alpha=0.2," in capsys.readouterr().out
    # Fewer series: the target slider follows, and the redraw never sees a target >= p.
    controls["p"].value = 5
    assert controls["target"].max == 4 and widget.kwargs["target"] == 4
    out = capsys.readouterr().out
    assert "p=5, T=200, target=4" in out and "Cannot" not in out
    controls["p"].value = 12
    assert controls["target"].max == 11 and widget.kwargs["target"] == 4
    controls["target"].value = 11
    assert "p=12, T=200, target=11" in capsys.readouterr().out


# ----------------------------------------------------------------------------- NOTEARS explorer
def _notears_reference(d, n, seed, standardize):
    """The explorer's documented simulation, written out: ER2 graph, weights and data from one generator."""
    from gcbook.simulate import dag_weights, linear_sem, random_dag

    rng = np.random.default_rng(seed)
    B = random_dag(d, 2 * d, kind="ER", seed=rng)
    X = linear_sem(dag_weights(B, seed=rng), n, seed=rng)
    if standardize:
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    return B, X


@pytest.mark.parametrize(
    "threshold, lambda1, standardize, d, n, seed",
    [
        (0.3, 0.1, False, 8, 300, 0),
        (0.05, 0.1, False, 6, 200, 3),
        (0.3, 0.1, True, 8, 300, 0),
        (0.0, 0.0, False, 5, 100, 2),
        (1.2, 0.03, True, 7, 150, 11),
    ],
)
def test_notears_explorer_matches_notears_linear(threshold, lambda1, standardize, d, n, seed):
    import warnings

    from gcbook.notears import notears_linear

    result = notears_explorer(threshold, lambda1=lambda1, standardize=standardize, d=d, n=n, seed=seed)
    assert isinstance(result, NotearsExplorerResult)
    B, X = _notears_reference(d, n, seed, standardize)
    np.testing.assert_array_equal(result.B, B)
    np.testing.assert_array_equal(result.X, X)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        fit = notears_linear(X, lambda1=lambda1, w_threshold=threshold)
    np.testing.assert_array_equal(result.W, fit.W)  # the threshold acts after the fit, exactly as in notears_linear
    np.testing.assert_array_equal(result.W_raw, fit.history.W[-1])
    assert bool(result.removed) == bool(caught)  # notears_linear warns exactly when it cuts a cycle
    assert (result.threshold, result.lambda1, result.standardize, result.d, result.n, result.seed) == (
        threshold,
        lambda1,
        standardize,
        d,
        n,
        seed,
    )
    assert isinstance(result.figure, Figure) and len(result.figure.axes) == 2
    assert repr(result).startswith("NotearsExplorerResult(") and result.scores_text() in repr(result)
    close(result)


def test_notears_explorer_cuts_cycles_at_threshold_zero():
    from gcbook.simulate import is_dag

    result = notears_explorer(0.0, lambda1=0.0, d=5, n=100, seed=2)
    assert result.removed and is_dag((result.W != 0).astype(int))
    assert "cycle edge(s) cut" in repr(result) and "cycle edge(s) cut" in result.figure.axes[1].get_title()
    close(result)


@pytest.mark.parametrize(
    "threshold, standardize, seed", [(0.3, False, 0), (0.05, False, 4), (0.3, True, 0), (0.8, True, 9), (1.5, False, 1)]
)
def test_notears_explorer_scores_match_hand_computation(threshold, standardize, seed):
    result = notears_explorer(threshold, standardize=standardize, d=7, n=200, seed=seed)
    B, W, d = result.B, result.W, 7
    true = {(i, j) for i in range(d) for j in range(d) if B[i, j]}
    found = {(i, j) for i in range(d) for j in range(d) if W[i, j] != 0}
    assert result.n_edges == len(found)
    assert np.array_equal(result.precision, len(found & true) / len(found) if found else np.nan, equal_nan=True)
    assert result.recall == pytest.approx(len(found & true) / len(true))
    # SHD: unordered pairs whose configuration (none, i -> j, j -> i) differs; a reversal costs 1
    pairs = [(i, j) for i in range(d) for j in range(i + 1, d)]
    assert result.shd == sum(((i, j) in true, (j, i) in true) != ((i, j) in found, (j, i) in found) for i, j in pairs)
    variance = result.X.var(axis=0)
    by_hand = [0.5 if np.isclose(variance[i], variance[j]) else float(variance[i] < variance[j]) for i, j in true]
    assert result.varsortability == pytest.approx(np.mean(by_hand))
    if standardize:
        np.testing.assert_allclose(result.X.std(axis=0), 1.0, rtol=1e-12)
        assert result.varsortability == 0.5
    close(result)


def test_notears_explorer_reuses_the_cached_fit_for_a_new_threshold():
    a = notears_explorer(0.3, d=6, n=120, seed=5)
    b = notears_explorer(0.8, d=6, n=120, seed=5)
    assert a.W_raw is b.W_raw and a.X is b.X  # one fit, two thresholds
    assert not a.W_raw.flags.writeable and not a.X.flags.writeable  # the cache cannot be changed by a caller
    assert np.count_nonzero(b.W) <= np.count_nonzero(a.W)
    c = notears_explorer(0.3, d=6, n=120, seed=5, standardize=True)
    assert c.W_raw is not a.W_raw
    for result in (a, b, c):
        close(result)


def test_notears_explorer_figure_shows_weights_threshold_and_categories():
    from gcbook.plotting import edge_categories

    result = notears_explorer(0.4, d=8, n=300, seed=0)
    ax_w, ax_graph = result.figure.axes
    points = np.concatenate([np.asarray(c.get_offsets())[:, 0] for c in ax_w.collections if len(c.get_offsets())])
    off = ~np.eye(8, dtype=bool)
    np.testing.assert_allclose(np.sort(points), np.sort(np.abs(result.W_raw[off])))  # one point per pair
    dashed = [line for line in ax_w.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and np.allclose(dashed[0].get_xdata(), 0.4)
    assert "raw data" in ax_w.get_title() and f"{result.varsortability:.2f}" in ax_w.get_title()
    codes = edge_categories(result.B, result.W != 0, include_diagonal=False)
    np.testing.assert_array_equal(ax_graph.images[0].get_array(), codes)
    assert result.scores_text() in ax_graph.get_title()
    assert ax_graph.get_xlabel().startswith("effect") and ax_graph.get_ylabel().startswith("cause")
    close(result)


def test_notears_explorer_draws_into_given_axes():
    figure = Figure()
    axes = figure.subplots(1, 2)
    result = notears_explorer(0.3, d=6, n=120, seed=5, axes=axes)
    assert result.figure is figure and len(figure.axes) == 2 and len(axes[1].images) == 1
    close(figure)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(threshold=-0.1), "threshold must be >= 0"),
        (dict(threshold=np.nan), "threshold must be finite"),
        (dict(threshold="0.3"), "threshold must be a real number"),
        (dict(threshold=0.3, lambda1=-1.0), "lambda1 must be >= 0"),
        (dict(threshold=0.3, lambda1=np.inf), "lambda1 must be finite"),
        (dict(threshold=0.3, standardize=1), "standardize must be True or False"),
        (dict(threshold=0.3, standardize="yes"), "standardize must be True or False"),
        (dict(threshold=0.3, d=4), "d must be >= 5"),
        (dict(threshold=0.3, d=8.0), "d must be an int"),
        (dict(threshold=0.3, n=5), "n must be >= 10"),
        (dict(threshold=0.3, seed=-1), "seed must be >= 0"),
        (dict(threshold=0.3, seed=None), "seed must be an int >= 0 .the fit is cached per seed"),
        (dict(threshold=0.3, seed=np.random.default_rng(0)), "cached per seed"),
        (dict(threshold=0.3, axes=[None]), "pair"),
    ],
)
def test_notears_explorer_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        notears_explorer(**kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(threshold=-0.1), "threshold"),
        (dict(threshold=2.0), "threshold"),
        (dict(lambda1=0.05), r"lambda1 must be one of \(0.0, 0.01"),
        (dict(lambda1=True), "lambda1"),
        (dict(standardize=None), "standardize"),
        (dict(d=4), "d"),
        (dict(d=13), "d must be <= 12"),
        (dict(n=40), "n"),
        (dict(n=2001), "n must be <= 2000"),
        (dict(seed=21), "seed must be <= 20"),
    ],
)
def test_notears_widget_rejects_start_values_off_its_controls(kwargs, message):
    with pytest.raises(ValueError, match=message):
        notears_explorer_widget(**kwargs)


def test_notears_widget_wires_controls_to_the_explorer(capsys):
    pytest.importorskip("ipywidgets")
    widget = notears_explorer_widget(threshold=0.3, lambda1=0.1, standardize=False, d=6, n=200, seed=3)
    controls = {child.description: child for child in widget.children if hasattr(child, "description")}
    assert {"threshold", "lambda1", "standardize", "d", "n", "seed"} <= set(controls)
    assert widget.kwargs == {"threshold": 0.3, "lambda1": 0.1, "standardize": False, "d": 6, "n": 200, "seed": 3}
    assert (controls["threshold"].min, controls["threshold"].max) == (0.0, 1.5)
    assert [value for _, value in controls["lambda1"].options] == [0.0, 0.01, 0.03, 0.1, 0.3, 1.0]
    assert [(controls[k].min, controls[k].max) for k in ("d", "n", "seed")] == [(5, 12), (50, 2000), (0, 20)]
    assert all(
        getattr(c, "continuous_update", False) is False for c in controls.values() if hasattr(c, "continuous_update")
    )
    assert "threshold=0.3, lambda1=0.1, d=6, n=200, seed=3, raw data" in capsys.readouterr().out
    # Moving a control re-runs the explorer with the new value.
    controls["threshold"].value = 0.8
    assert widget.kwargs["threshold"] == 0.8 and "threshold=0.8," in capsys.readouterr().out
    controls["standardize"].value = True
    assert "standardised data, varsortability 0.50" in capsys.readouterr().out
    controls["lambda1"].value = 0.03
    assert "lambda1=0.03," in capsys.readouterr().out


# ----------------------------------------------------------------------------- GRNGC explorer
def _grngc_reference(system, p, T, seed, lam):
    """The explorer's documented simulation and fit, written out (one torch thread, as documented)."""
    import torch

    from gcbook.neural import GRNGC
    from gcbook.simulate import lorenz96, var

    X, A = lorenz96(p, T, seed=seed) if system == "lorenz96" else var(p=p, T=T, lag=2, seed=seed)
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        est = GRNGC(lag=2, lam=lam, epochs=300, lr=5e-3, seed=seed).fit(X)
    finally:
        torch.set_num_threads(before)
    return X, A, est


@pytest.mark.parametrize("system, p, T, seed, lam", [("lorenz96", 5, 80, 1, 0.03), ("var", 3, 60, 2, 0.0)])
def test_grngc_explorer_matches_a_direct_fit(system, p, T, seed, lam):
    result = grngc_explorer(lam, 0.25, system=system, p=p, T=T, seed=seed)
    assert isinstance(result, GrngcExplorerResult)
    X, A, est = _grngc_reference(system, p, T, seed, lam)
    np.testing.assert_array_equal(result.X, X)
    np.testing.assert_array_equal(result.A, A)
    np.testing.assert_array_equal(result.scores, est.scores_)  # bit for bit: same seed, same thread count
    assert result.val_loss == est.val_loss_ and result.best_epoch == est.loss_history_.best_epoch
    assert (result.lam, result.threshold, result.system, result.p, result.T, result.seed) == (
        lam,
        0.25,
        system,
        p,
        T,
        seed,
    )
    assert isinstance(result.figure, Figure) and len(result.figure.axes) == 2
    assert repr(result).startswith("GrngcExplorerResult(") and result.scores_text() in repr(result)
    close(result)


@pytest.mark.parametrize("threshold", [0.0, 0.1, 0.25, 0.5, 0.9, 1.0])
def test_grngc_explorer_scores_match_hand_computation(threshold):
    from sklearn.metrics import roc_auc_score

    result = grngc_explorer(0.03, threshold, system="lorenz96", p=5, T=80, seed=1)
    S, A, p = result.scores, result.A, 5
    pairs = [(i, j) for i in range(p) for j in range(p) if i != j]
    cutoff = threshold * max(S[i, j] for i, j in pairs)
    assert result.cutoff == pytest.approx(cutoff, rel=1e-12)
    found = {(i, j) for i, j in pairs if S[i, j] >= cutoff}
    true = {(i, j) for i, j in pairs if A[i, j]}
    assert {tuple(e) for e in np.argwhere(result.estimate)} == found
    assert result.n_edges == len(found) >= 1  # the largest score always passes
    assert result.precision == pytest.approx(len(found & true) / len(found))
    assert result.recall == pytest.approx(len(found & true) / len(true))
    auc = roc_auc_score([A[i, j] for i, j in pairs], [S[i, j] for i, j in pairs])
    assert result.auroc == pytest.approx(auc, abs=1e-12)
    if threshold == 0.0:
        assert result.n_edges == p * (p - 1)
    close(result)


def test_grngc_explorer_restores_torch_state_and_caches_the_fit():
    import torch

    threads, rng_state = torch.get_num_threads(), torch.random.get_rng_state()
    a = grngc_explorer(0.1, 0.25, system="var", p=3, T=60, seed=7)  # a setting no other test fits
    assert torch.get_num_threads() == threads
    assert torch.equal(torch.random.get_rng_state(), rng_state)
    b = grngc_explorer(0.1, 0.6, system="var", p=3, T=60, seed=7)
    assert a.scores is b.scores and a.X is b.X  # one fit, two thresholds
    assert not a.scores.flags.writeable and not a.X.flags.writeable
    close(a)
    close(b)


def test_grngc_explorer_figure_shows_scores_cutoff_and_categories():
    from gcbook.plotting import edge_categories

    result = grngc_explorer(0.03, 0.4, system="lorenz96", p=5, T=80, seed=1)
    ax_s, ax_graph = result.figure.axes
    assert ax_s.get_xscale() == "log"
    points = np.concatenate([np.asarray(c.get_offsets())[:, 0] for c in ax_s.collections if len(c.get_offsets())])
    # one point per pair, the p (p - 1) cross pairs and the p own pasts
    np.testing.assert_allclose(np.sort(points), np.sort(result.scores.ravel()))
    dashed = [line for line in ax_s.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and np.allclose(dashed[0].get_xdata(), result.cutoff)
    assert "Lorenz-96" in ax_s.get_title() and "validation MSE" in ax_s.get_title()
    codes = edge_categories(result.A, result.estimate, include_diagonal=False)
    np.testing.assert_array_equal(ax_graph.images[0].get_array(), codes)
    assert result.scores_text() in ax_graph.get_title()
    close(result)
    no_line = grngc_explorer(0.03, 0.0, system="lorenz96", p=5, T=80, seed=1)  # threshold 0 keeps every pair
    assert not [line for line in no_line.figure.axes[0].get_lines() if line.get_linestyle() == "--"]
    close(no_line)


def test_grngc_explorer_without_true_cross_edges_says_na():
    from gcbook.simulate import var

    seed = next(s for s in range(100) if var(p=2, T=10, lag=2, seed=s)[1].sum() == 2)  # only the own past
    result = grngc_explorer(0.0, 0.5, system="var", p=2, T=60, seed=seed)
    assert np.isnan(result.recall) and np.isnan(result.auroc)
    assert "AUROC n/a" in repr(result) and "recall n/a" in result.scores_text()
    close(result)


def test_grngc_explorer_draws_into_given_axes():
    figure = Figure()
    axes = figure.subplots(1, 2)
    result = grngc_explorer(0.03, 0.25, system="lorenz96", p=5, T=80, seed=1, axes=axes)
    assert result.figure is figure and len(figure.axes) == 2
    assert axes[0].get_xscale() == "log" and len(axes[1].images) == 1
    close(figure)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(lam=-0.01), "lam must be >= 0"),
        (dict(lam=np.nan), "lam must be finite"),
        (dict(lam="0.1"), "lam must be a real number"),
        (dict(lam=0.1, threshold=1.5), "threshold must be <= 1"),
        (dict(lam=0.1, threshold=-0.5), "threshold must be >= 0"),
        (dict(lam=0.1, system="lorenz"), "system must be one of"),
        (dict(lam=0.1, system=None), "system must be one of"),
        (dict(lam=0.1, system="lorenz96", p=3), "p must be >= 4"),
        (dict(lam=0.1, system="var", p=1), "p must be >= 2"),
        (dict(lam=0.1, p=6.0), "p must be an int"),
        (dict(lam=0.1, T=40), "T must be >= 50"),
        (dict(lam=0.1, seed=-1), "seed must be >= 0"),
        (dict(lam=0.1, seed=None), "cached per seed"),
        (dict(lam=0.1, axes=[None]), "pair"),
    ],
)
def test_grngc_explorer_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        grngc_explorer(**kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(lam=0.05), r"lam must be one of \(0.0, 0.003"),
        (dict(lam=-1.0), "lam"),
        (dict(threshold=1.2), "threshold"),
        (dict(system="lorenz"), "system"),
        (dict(seed=11), "seed must be <= 10"),
        (dict(seed=-1), "seed"),
    ],
)
def test_grngc_widget_rejects_start_values_off_its_controls(kwargs, message):
    with pytest.raises(ValueError, match=message):
        grngc_explorer_widget(**kwargs)


def test_grngc_widget_wires_controls_to_the_explorer(capsys):
    pytest.importorskip("ipywidgets")
    widget = grngc_explorer_widget(lam=0.03, threshold=0.25, system="lorenz96", seed=0)
    controls = {child.description: child for child in widget.children if hasattr(child, "description")}
    assert {"lam", "threshold", "system", "seed"} <= set(controls)
    assert widget.kwargs == {"lam": 0.03, "threshold": 0.25, "system": "lorenz96", "seed": 0}
    assert [value for _, value in controls["lam"].options] == [0.0, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
    assert (controls["threshold"].min, controls["threshold"].max) == (0.0, 1.0)
    assert [value for _, value in controls["system"].options] == ["lorenz96", "var"]
    assert (controls["seed"].min, controls["seed"].max) == (0, 10)
    out = capsys.readouterr().out
    assert "lam=0.03, threshold=0.25, system='lorenz96', p=6, T=200, seed=0" in out and "Cannot" not in out
    # Moving the threshold re-runs the explorer on the cached fit.
    controls["threshold"].value = 0.5
    assert widget.kwargs["threshold"] == 0.5 and "threshold=0.5," in capsys.readouterr().out
    controls["lam"].value = 1.0
    assert "lam=1, threshold=0.5" in capsys.readouterr().out


# ----------------------------------------------------------------------------- evaluation explorer
def _evaluation_reference(p, T, seed):
    """The explorer's documented simulation and scores, written out."""
    from gcbook.simulate import var
    from gcbook.sparse_var import lasso_var

    X, A = var(p=p, T=T, lag=2, seed=seed)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X, A, np.abs(lasso_var(X, 2, 0.05).coef_by_lag).max(axis=2)


def _scored_graph(scores, threshold, include_diagonal):
    graph = (scores > threshold).astype(int)
    if not include_diagonal:
        np.fill_diagonal(graph, 0)
    return graph


@pytest.mark.parametrize(
    "threshold, include_diagonal, T, p, seed",
    [
        (0.05, False, 60, 10, 2),
        (0.2, True, 60, 10, 2),
        (0.0, False, 200, 6, 0),
        (0.1, True, 500, 10, 13),
        (0.6, False, 30, 3, 7),
    ],
)
def test_evaluation_explorer_fields_match_direct_computation(threshold, include_diagonal, T, p, seed):
    from gcbook.metrics import auprc, auroc, shd

    result = evaluation_explorer(threshold, include_diagonal=include_diagonal, T=T, p=p, seed=seed)
    assert isinstance(result, EvaluationExplorerResult)
    X, A, scores = _evaluation_reference(p, T, seed)
    np.testing.assert_array_equal(result.X, X)
    np.testing.assert_array_equal(result.A, A)
    np.testing.assert_array_equal(result.scores, scores)
    assert np.all(np.diag(result.A) == 1)  # every series depends on its own past
    graph = _scored_graph(scores, threshold, include_diagonal)
    np.testing.assert_array_equal(result.estimate, graph.astype(bool))
    assert result.auroc == auroc(A, scores, include_diagonal=include_diagonal)
    assert result.auprc == auprc(A, scores, include_diagonal=include_diagonal)
    assert result.n_edges == int(graph.sum())
    assert result.shd == shd(A, graph, include_diagonal=include_diagonal)
    assert (result.threshold, result.include_diagonal, result.T, result.p, result.seed) == (
        threshold,
        include_diagonal,
        T,
        p,
        seed,
    )
    assert isinstance(result.figure, Figure) and len(result.figure.axes) == 2
    assert repr(result).startswith("EvaluationExplorerResult(") and result.scores_text() in repr(result)
    assert "best SHD over thresholds (uses the truth)" in result.scores_text()
    close(result)


@pytest.mark.parametrize(
    "threshold, include_diagonal, seed",
    [(0.05, False, 2), (0.2, False, 2), (0.2, True, 2), (0.0, True, 5), (0.13, False, 9)],
)
def test_evaluation_explorer_shd_matches_hand_count(threshold, include_diagonal, seed):
    result = evaluation_explorer(threshold, include_diagonal=include_diagonal, seed=seed)
    A, S, p = result.A, result.scores, result.p
    edge = [[bool(S[i, j] > threshold) and (i != j or include_diagonal) for j in range(p)] for i in range(p)]
    distance = 0
    for i in range(p):
        for j in range(i + 1, p):  # one unordered pair: its two directions together
            if (A[i, j], A[j, i]) != (int(edge[i][j]), int(edge[j][i])):
                distance += 1
        if include_diagonal and A[i, i] != int(edge[i][i]):
            distance += 1
    assert result.shd == distance
    assert result.n_edges == sum(map(sum, edge))
    close(result)


def test_evaluation_explorer_threshold_zero_keeps_the_lasso_nonzeros():
    result = evaluation_explorer(0.0, seed=2)
    off = ~np.eye(result.p, dtype=bool)
    np.testing.assert_array_equal(result.estimate, (result.scores != 0) & off)
    assert (result.scores[off] == 0).any()  # the lasso set some pairs to exactly zero, and they stay out
    close(result)


@pytest.mark.parametrize("T, seed", [(60, 2), (200, 0), (30, 11)])
def test_evaluation_explorer_include_diagonal_changes_the_ranking_scores_as_computed(T, seed):
    from gcbook.metrics import auprc, auroc

    without = evaluation_explorer(0.05, include_diagonal=False, T=T, seed=seed)
    with_diagonal = evaluation_explorer(0.05, include_diagonal=True, T=T, seed=seed)
    A, S = without.A, without.scores
    np.testing.assert_array_equal(with_diagonal.scores, S)
    assert (without.auroc, without.auprc) == (auroc(A, S), auprc(A, S))
    assert (with_diagonal.auroc, with_diagonal.auprc) == (
        auroc(A, S, include_diagonal=True),
        auprc(A, S, include_diagonal=True),
    )
    assert with_diagonal.auprc != without.auprc
    # the self-loops, every one a true edge, now count as edges of the graph
    assert with_diagonal.n_edges == without.n_edges + int((np.diag(S) > 0.05).sum())
    assert "with self-loops" in with_diagonal.figure.axes[0].get_title()
    assert "without self-loops" in without.figure.axes[0].get_title()
    close(without)
    close(with_diagonal)


def test_evaluation_explorer_default_shows_the_chapter_numbers():
    # The chapter's "Leave self-loops out" cell: var(p=10, T=60, lag=2, seed=2), lasso penalty 0.05.
    result = evaluation_explorer(0.05)
    assert round(result.auroc, 3) == 0.910 and round(result.auprc, 3) == 0.789
    with_diagonal = evaluation_explorer(0.05, include_diagonal=True)
    assert round(with_diagonal.auroc, 3) == 0.928 and round(with_diagonal.auprc, 3) == 0.862
    close(result)
    close(with_diagonal)


@pytest.mark.parametrize(
    "include_diagonal, T, seed", [(False, 60, 2), (True, 60, 2), (False, 300, 0), (True, 100, 4), (False, 30, 17)]
)
def test_evaluation_explorer_best_shd_is_the_minimum_over_thresholds(include_diagonal, T, seed):
    from gcbook.metrics import shd

    result = evaluation_explorer(0.05, include_diagonal=include_diagonal, T=T, seed=seed)
    A, S = result.A, result.scores
    distinct = np.unique(np.r_[0.0, S.ravel()])  # every graph a threshold >= 0 can make is {S > t} at one of them

    def distance(t):
        return shd(A, _scored_graph(S, t, include_diagonal), include_diagonal=include_diagonal)

    assert result.best_shd == min(distance(t) for t in distinct)
    assert distance(result.best_threshold) == result.best_shd
    assert result.best_threshold in distinct
    assert not any(distance(t) == result.best_shd for t in distinct[distinct < result.best_threshold])
    # no threshold between the distinct scores does better
    grid = np.linspace(0.0, 1.05 * S.max(), 400)
    assert min(distance(t) for t in grid) >= result.best_shd
    assert result.best_shd <= result.shd
    # it does not depend on the threshold shown
    other = evaluation_explorer(0.3, include_diagonal=include_diagonal, T=T, seed=seed)
    assert (other.best_shd, other.best_threshold) == (result.best_shd, result.best_threshold)
    assert f"best SHD over thresholds (uses the truth): {result.best_shd}" in result.figure.axes[1].get_title()
    close(result)
    close(other)


def test_evaluation_explorer_without_true_cross_edges_says_na():
    from gcbook.simulate import var

    seed = next(s for s in range(100) if var(p=2, T=10, lag=2, seed=s)[1].sum() == 2)  # only the own past
    result = evaluation_explorer(0.05, p=2, T=60, seed=seed)
    assert np.isnan(result.auroc) and np.isnan(result.auprc)
    assert "AUROC n/a, AUPRC n/a" in result.scores_text()
    with_diagonal = evaluation_explorer(0.05, include_diagonal=True, p=2, T=60, seed=seed)
    assert np.isfinite(with_diagonal.auroc)  # the self-loops are edges to rank against the non-edges
    close(result)
    close(with_diagonal)


@pytest.mark.parametrize("include_diagonal", [False, True])
def test_evaluation_explorer_figure_shows_scores_threshold_and_categories(include_diagonal):
    from matplotlib.patches import Rectangle

    from gcbook.plotting import edge_categories

    result = evaluation_explorer(0.1, include_diagonal=include_diagonal, seed=2)
    ax_s, ax_graph = result.figure.axes
    vertical = [line for line in ax_s.get_lines() if np.allclose(line.get_xdata(), 0.1)]
    assert len(vertical) == 1
    # one point per pair: true cross edges, non-edges and the self-loops in three strips
    sizes = sorted(len(c.get_offsets()) for c in ax_s.collections if len(c.get_offsets()))
    n_true = int(result.A.sum()) - result.p
    assert sizes == sorted([n_true, result.p * (result.p - 1) - n_true, result.p])
    labels = [t.get_text() for t in ax_s.get_yticklabels()]
    assert ("(scored)" if include_diagonal else "(not scored)") in labels[-1]
    # the map shows the whole graph at the threshold, diagonal included
    codes = edge_categories(result.A, result.scores > 0.1, include_diagonal=True)
    np.testing.assert_array_equal(ax_graph.images[0].get_array(), codes)
    hatched = [patch for patch in ax_graph.patches if isinstance(patch, Rectangle) and patch.get_hatch()]
    assert len(hatched) == (0 if include_diagonal else result.p)
    legend = " ".join(t.get_text() for t in ax_graph.get_legend().get_texts())
    counted = edge_categories(result.A, result.scores > 0.1, include_diagonal=include_diagonal)
    assert f"TP: edge found ({int((counted == 1).sum())})" in legend
    assert ("diagonal (not scored)" in legend) is (not include_diagonal)
    assert f"SHD {result.shd}" in ax_graph.get_title() and f"{result.n_edges} edges" in ax_graph.get_title()
    assert ax_graph.get_xlabel().startswith("effect") and ax_graph.get_ylabel().startswith("cause")
    close(result)


def test_evaluation_explorer_draws_into_given_axes():
    figure = Figure()
    axes = figure.subplots(1, 2)
    result = evaluation_explorer(0.2, T=100, seed=1, axes=axes)
    assert result.figure is figure and len(figure.axes) == 2 and len(axes[1].images) == 1
    close(figure)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(threshold=-0.1), "threshold must be >= 0"),
        (dict(threshold=np.nan), "threshold must be finite"),
        (dict(threshold=np.inf), "threshold must be finite"),
        (dict(threshold="0.1"), "threshold must be a real number"),
        (dict(threshold=True), "threshold must be a real number"),
        (dict(threshold=0.1, include_diagonal=1), "include_diagonal must be True or False"),
        (dict(threshold=0.1, include_diagonal="no"), "include_diagonal must be True or False"),
        (dict(threshold=0.1, T=9), "T must be >= 10"),
        (dict(threshold=0.1, T=60.0), "T must be an int"),
        (dict(threshold=0.1, p=1), "p must be >= 2"),
        (dict(threshold=0.1, p=10.0), "p must be an int"),
        (dict(threshold=0.1, seed=-1), "seed must be >= 0"),
        (dict(threshold=0.1, seed=None), "seed must be an int >= 0"),
        (dict(threshold=0.1, seed=2.0), "seed must be an int >= 0"),
        (dict(threshold=0.1, axes=[None]), "pair"),
    ],
)
def test_evaluation_explorer_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        evaluation_explorer(**kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(threshold=-0.01), "threshold must be >= 0"),
        (dict(threshold=0.7), "threshold must be <= 0.6"),
        (dict(include_diagonal=None), "include_diagonal"),
        (dict(T=20), "T must be >= 30"),
        (dict(T=501), "T must be <= 500"),
        (dict(seed=-1), "seed"),
        (dict(seed=21), "seed must be <= 20"),
    ],
)
def test_evaluation_widget_rejects_start_values_off_its_controls(kwargs, message):
    with pytest.raises(ValueError, match=message):
        evaluation_explorer_widget(**kwargs)


def test_evaluation_widget_wires_controls_to_the_explorer(capsys):
    pytest.importorskip("ipywidgets")
    widget = evaluation_explorer_widget(threshold=0.05, include_diagonal=False, T=60, seed=2)
    controls = {child.description: child for child in widget.children if hasattr(child, "description")}
    assert {"threshold", "include diagonal", "T", "seed"} <= set(controls)
    assert widget.kwargs == {"threshold": 0.05, "include_diagonal": False, "T": 60, "seed": 2}
    threshold = controls["threshold"]
    assert (threshold.min, threshold.max, threshold.step) == (0.0, 0.6, 0.01)
    assert [(controls[k].min, controls[k].max) for k in ("T", "seed")] == [(30, 500), (0, 20)]
    assert all(
        getattr(c, "continuous_update", False) is False for c in controls.values() if hasattr(c, "continuous_update")
    )
    out = capsys.readouterr().out
    assert "threshold=0.05, include_diagonal=False, p=10, T=60, seed=2; AUROC 0.91" in out
    # Moving a control re-runs the explorer with the new value.
    controls["threshold"].value = 0.2
    assert widget.kwargs["threshold"] == 0.2 and "threshold=0.2," in capsys.readouterr().out
    controls["include diagonal"].value = True
    assert "include_diagonal=True" in capsys.readouterr().out
    controls["T"].value = 300
    controls["seed"].value = 0
    out = capsys.readouterr().out
    assert "T=300, seed=0" in out and "Cannot" not in out
