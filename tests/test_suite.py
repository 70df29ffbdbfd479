"""The common benchmark suite: datasets and their truth, the method registry, scoring and the runner."""

import contextlib
import functools
import io
import warnings

import numpy as np
import pytest

from gcbook import suite
from gcbook.metrics import auprc, auroc, count_accuracy, shd
from gcbook.simulate import (
    confounded_var,
    is_dag,
    lorenz96_graph,
    switching_ar_pair,
    window_events,
)
from gcbook.suite import (
    DATASETS,
    METHODS,
    WINDOW,
    MethodOutput,
    SuiteDataset,
    applicable_methods,
    evaluate,
    make_dataset,
    run_method,
    run_row,
    run_suite,
)
from gcbook.window_metrics import window_auroc

SMALL_OF_KIND = {"timeseries": "sparse_var", "dag": "sem_raw", "windows": "switching"}


@pytest.fixture(scope="module")
def small():
    """One small dataset per name, seed 0."""
    return {name: make_dataset(name, 0, size="small") for name in DATASETS}


@pytest.fixture(scope="module")
def outputs(small, torch_one_thread):
    """Every method on the small dataset of each kind it applies to."""
    return {
        (kind, m): run_method(m, small[name], seed=0)
        for kind, name in SMALL_OF_KIND.items()
        for m in applicable_methods(kind)
    }


# ----------------------------------------------------------------------------- datasets
FULL_CHEAP = [n for n in DATASETS if not n.startswith("lorenz")]  # Lorenz-96's stiff burn-in costs seconds


@pytest.mark.parametrize("name,size", [(n, "small") for n in DATASETS] + [(n, "full") for n in FULL_CHEAP])
def test_dataset_shapes(name, size, small):
    data = small[name] if size == "small" else make_dataset(name, 0, size=size)
    s = suite.SIZES[name][size]
    assert data.name == name and data.kind == DATASETS[name] and data.seed == 0
    assert data.settings["size"] == size and data.description
    if data.kind == "dag":
        assert data.X.shape == (s["n"], s["d"]) and data.truth.shape == (s["d"], s["d"])
        assert data.lag is None and int(data.truth.sum()) == s["n_edges"]
    elif data.kind == "windows":
        assert data.X.shape == (s["T"], 2) and data.truth.shape == (s["T"],) and data.truth.dtype == bool
        assert data.lag == s["lag"]
    else:
        p = s.get("p", 2)
        assert data.X.shape == (s["T"], p) and data.truth.shape == (p, p)
        assert data.lag >= 1
    assert np.all(np.isfinite(data.X))


def test_sparse_var_truth_matches_coefficients(small):
    data = small["sparse_var"]
    coef, A, X = data.coef, data.truth, data.X
    assert coef.shape == (data.lag, data.p, data.p)
    np.testing.assert_array_equal(A, (coef != 0).any(axis=0).astype(int))
    assert np.all(np.diag(A) == 1) and 0 < _offdiag_sum(A) < data.p * (data.p - 1)
    # orientation: x(t) = sum_k x(t-k) @ coef[k-1] + e(t) with unit noise
    pred = sum(X[data.lag - k : data.T - k] @ coef[k - 1] for k in range(1, data.lag + 1))
    resid = X[data.lag :] - pred
    np.testing.assert_allclose(resid.std(axis=0), 1.0, atol=0.15)
    transposed = sum(X[data.lag - k : data.T - k] @ coef[k - 1].T for k in range(1, data.lag + 1))
    assert (X[data.lag :] - transposed).std() > 1.1 * resid.std()  # the transposed reading fits worse


def _offdiag_sum(A):
    return int(A.sum() - np.trace(A))


@pytest.mark.parametrize("name,F", [("lorenz96_f10", 10.0), ("lorenz96_f40", 40.0)])
def test_lorenz_truth(name, F, small):
    data = small[name]
    np.testing.assert_array_equal(data.truth, lorenz96_graph(data.p))
    assert data.settings["F"] == F and data.lag == suite.SIZES[name]["small"]["lag"]
    assert suite.SIZES[name]["full"]["lag"] == 5  # no finite true lag: the neural chapter's window


def test_hidden_driver_is_not_a_column(small):
    data = small["hidden_driver"]
    sim = confounded_var(data.T, seed=0)
    X, z = sim.X, sim.driver
    np.testing.assert_array_equal(data.X, X)
    assert data.X.shape[1] == 2
    assert not any(np.allclose(data.X[:, k], z) for k in range(2))
    # truth among the observed series: self-loops only, no link between the two driven series
    np.testing.assert_array_equal(data.truth, np.eye(2, dtype=int))
    assert data.lag == max(suite.SIZES["hidden_driver"]["small"]["delays"])


def test_switching_truth(small):
    data = small["switching"]
    sim = switching_ar_pair(data.T, seed=0, lag=3)
    np.testing.assert_array_equal(data.X, sim.X)
    np.testing.assert_array_equal(data.truth, sim.event)
    np.testing.assert_array_equal(data.event_lag, np.full(data.T, 3))
    np.testing.assert_array_equal(data.graph, [[0, 0], [1, 1]])  # cause column 1 -> effect column 0
    assert data.settings["cause"] == 1 and data.settings["effect"] == 0
    assert 0 < data.truth.sum() < data.T


def test_sem_truth_and_standardisation(small):
    raw, std = small["sem_raw"], small["sem_standardized"]
    np.testing.assert_array_equal(raw.truth, std.truth)
    np.testing.assert_array_equal(raw.truth, (raw.coef != 0).astype(int))
    assert is_dag(raw.truth) and np.all(np.diag(raw.truth) == 0)
    # orientation: X = X @ W + E with unit-variance noise
    np.testing.assert_allclose((raw.X - raw.X @ raw.coef).std(axis=0), 1.0, atol=0.15)
    np.testing.assert_allclose(std.X.std(axis=0), 1.0, atol=1e-12)
    np.testing.assert_allclose(std.X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(std.X, (raw.X - raw.X.mean(0)) / raw.X.std(0))
    assert raw.X.var(axis=0).max() > 2.0  # the raw scale is varsortable: variances grow along the order


def test_dataset_overrides_and_seeds():
    big = make_dataset("sparse_var", 0, size="small", p=8)
    assert big.X.shape == (300, 8) and big.settings["p"] == 8
    assert make_dataset("sem_raw", 0, size="small", d=7, n_edges=9).truth.sum() == 9
    a, b = make_dataset("lorenz96_f10", 3, size="small"), make_dataset("lorenz96_f10", 3, size="small")
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.allclose(a.X, make_dataset("lorenz96_f10", 4, size="small").X)


def test_dataset_bad_input():
    with pytest.raises(ValueError, match="Unknown dataset 'nope'"):
        make_dataset("nope")
    with pytest.raises(ValueError, match="size must be"):
        make_dataset("sparse_var", size="medium")
    with pytest.raises(ValueError, match="Unknown setting"):
        make_dataset("sparse_var", size="small", d=3)
    with pytest.raises(ValueError, match="seed"):
        make_dataset("sparse_var", seed=-1, size="small")
    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match="kind must be"):
        SuiteDataset("x", "graph", X, np.eye(3, dtype=int), 1, 0, {}, "")
    with pytest.raises(ValueError, match="binary \\(3, 3\\)"):
        SuiteDataset("x", "timeseries", X, np.eye(2, dtype=int), 1, 0, {}, "")
    with pytest.raises(ValueError, match="no lag"):
        SuiteDataset("x", "dag", X, np.zeros((3, 3), dtype=int), 2, 0, {}, "")
    with pytest.raises(ValueError, match="event truth"):
        SuiteDataset("x", "windows", X, np.eye(3, dtype=int), 1, 0, {}, "", channel_truth=np.eye(3))
    with pytest.raises(ValueError, match="NaN"):
        SuiteDataset("x", "timeseries", np.full((20, 3), np.nan), np.eye(3, dtype=int), 1, 0, {}, "")


# ----------------------------------------------------------------------------- methods
def test_registry():
    assert set(METHODS) == {
        "granger_pairwise",
        "granger_conditional",
        "lasso_var",
        "pcmci",
        "cmlp",
        "grngc_mlp",
        "grngc_lstm",
        "grngc_kan",
        "notears",
        "pc",
        "ges",
        "sortnregress",
        "window_linear",
    }
    for name, spec in METHODS.items():
        assert spec.name == name and spec.kinds and set(spec.kinds) <= set(suite.KINDS) and spec.description
        assert spec.uses_lag == ("dag" not in spec.kinds)
    assert applicable_methods("windows") == ["granger_pairwise", "window_linear"]
    assert set(applicable_methods("dag")) == {"notears", "pc", "ges", "sortnregress"}


@pytest.mark.parametrize("kind,method", [(k, m) for k in SMALL_OF_KIND for m in applicable_methods(k)])
def test_method_output_shapes(kind, method, small, outputs):
    data, out = small[SMALL_OF_KIND[kind]], outputs[kind, method]
    assert isinstance(out, MethodOutput)
    if method == "window_linear":
        assert out.scores is None and out.adjacency is None and out.window == WINDOW
        assert out.window_scores.shape == out.window_starts.shape and out.window_scores.size >= 2
        return
    p = data.p
    assert out.scores.shape == (p, p) and np.all(np.isfinite(out.scores))
    if method.startswith(("grngc", "cmlp")):
        assert out.adjacency is None and out.extra["epochs"] == suite.NEURAL_EPOCHS["small"][method]
        assert set(suite.PATH_KEYS) <= set(out.extra) and out.extra["lam"] > 0
        assert isinstance(out.extra["lam_interior"], bool) and out.extra["lam_path_points"] >= 6
    elif method in ("pc", "ges"):
        assert out.adjacency.shape == (p, p) and set(np.unique(out.adjacency)) <= {-1, 0, 1}
    else:
        assert out.adjacency.shape == (p, p) and set(np.unique(out.adjacency)) <= {0, 1}


def test_granger_pairwise_on_switching_is_channel_level(small):
    data = small["switching"]
    out = run_method("granger_pairwise", data)
    assert out.scores.shape == (2, 2) and out.window_scores is None
    res = evaluate(data, out)
    assert res["level"] == "channel" and res["auroc"] == auroc(data.graph, out.scores)


def test_pcmci_silent_and_oriented(small):
    data = small["sparse_var"]
    buffer = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(buffer):
        warnings.simplefilter("always")
        out = run_method("pcmci", data)
    assert buffer.getvalue() == "" and not caught
    assert evaluate(data, out)["auroc"] > 0.9  # a transposed reading would be near chance


# The decision rule the suite applies to each method's result (the module docstring's settings).
SUITE_DECISION = {
    "granger_pairwise": dict(alpha=0.05, correction="fdr_bh"),
    "granger_conditional": dict(alpha=0.05, correction="fdr_bh"),
    "pcmci": dict(alpha=0.05),
}


@pytest.mark.parametrize("kind,method", [(k, m) for k in SMALL_OF_KIND for m in applicable_methods(k)])
def test_output_is_read_from_the_methods_result(kind, method, small, outputs):
    """Every output keeps its method's result object; its scores and graph are the result's, at the suite's settings."""
    out = outputs[kind, method]
    if method == "window_linear":
        np.testing.assert_array_equal(out.window_scores, out.result.f_stat)
        np.testing.assert_array_equal(out.window_starts, out.result.starts)
        return
    result = out.result
    assert result.method == method and len(result.labels) == out.scores.shape[0]
    np.testing.assert_array_equal(out.scores, result.scores)
    if method.startswith(("grngc", "cmlp")):
        assert out.adjacency is None and not result.has_default_adjacency
    else:
        np.testing.assert_array_equal(out.adjacency, result.adjacency(**SUITE_DECISION.get(method, {})))
    if method in ("lasso_var", "pcmci") or method.startswith(("grngc", "cmlp")):
        lag = small[SMALL_OF_KIND[kind]].lag
        assert result.scores_by_lag.shape == out.scores.shape + (lag,)
        by_lag = result.scores_by_lag  # CMLP's score is the group norm over the lags, the others' the largest lag
        aggregate = np.sqrt((by_lag**2).sum(axis=2)) if method == "cmlp" else by_lag.max(axis=2)
        np.testing.assert_allclose(aggregate, out.scores, rtol=1e-12, atol=1e-12)


def test_from_result_without_a_decision_rule_has_no_graph():
    class Scores:
        scores, has_default_adjacency = np.eye(2), False

    out = MethodOutput.from_result(Scores(), extra={"a": 1})
    assert out.adjacency is None and out.extra == {"a": 1} and out.result.scores is out.scores


NEURAL = ("cmlp", "grngc_mlp", "grngc_lstm", "grngc_kan")


def _record_neural(monkeypatch):
    """Make gcbook.neural's CMLP and GRNGC record the keyword arguments and the instance of every construction."""
    import gcbook.neural

    made = []

    def recording(cls):
        def make(**kwargs):
            est = cls(**kwargs)
            made.append((cls.__name__, kwargs, est))
            return est

        return make

    for name in ("CMLP", "GRNGC"):
        monkeypatch.setattr(gcbook.neural, name, recording(getattr(gcbook.neural, name)))
    return made


def test_neural_seed_passes_through(small, torch_one_thread):
    data = small["sparse_var"]
    a, b = run_method("grngc_mlp", data, seed=0), run_method("grngc_mlp", data, seed=0)
    np.testing.assert_array_equal(a.scores, b.scores)
    assert not np.array_equal(a.scores, run_method("grngc_mlp", data, seed=1).scores)


@pytest.mark.parametrize("method", NEURAL)
def test_neural_runs_the_package_defaults_and_records_the_path(method, small, monkeypatch, torch_one_thread):
    """The suite sets only lag, epochs (the budget), seed and GRNGC's model: the penalty is the estimator's
    lam='auto' choice, and extra/run_row record what the fitted estimator chose, read from the estimator."""
    made = _record_neural(monkeypatch)
    data = small["sparse_var"]
    out = run_method(method, data, seed=3)
    ((cls, kwargs, est),) = made
    expected = {"lag": data.lag, "epochs": suite.NEURAL_EPOCHS["small"][method], "seed": 3}
    if method != "cmlp":
        expected["model"] = method.split("_")[1]
    assert cls == ("CMLP" if method == "cmlp" else "GRNGC") and kwargs == expected
    assert est.lam == "auto" and hasattr(est, "lam_path_")  # the validated path ran, no penalty typed
    np.testing.assert_array_equal(out.scores, est.scores_)
    path = est.lam_path_
    assert out.extra["lam"] == est.lam_ and est.lam_ in path
    assert out.extra["lam_interior"] == bool(path[0] < est.lam_ < path[-1])
    assert (out.extra["lam_extended_below"], out.extra["lam_extended_above"]) == tuple(est.lam_path_extended_)
    assert out.extra["lam_path_points"] == len(path)
    assert out.extra["val_loss"] == est.val_loss_ == est.lam_path_val_loss_.min()
    row = run_row(data, method, 3)  # the same seeded fit again: its row carries the same path record
    assert {k: row[k] for k in suite.PATH_KEYS} == {k: out.extra[k] for k in suite.PATH_KEYS}
    assert not set(suite.PATH_KEYS) & set(run_row(data, "lasso_var"))  # only the neural rows have them


def test_neural_options_pass_through(small, monkeypatch, torch_one_thread):
    made = _record_neural(monkeypatch)
    data = small["sparse_var"]
    run_method("cmlp", data, seed=0, epochs=4, patience=10**6)
    assert made[0][1] == {"lag": data.lag, "epochs": 4, "seed": 0, "patience": 10**6}


def test_path_extras_reads_the_choice():
    """Interior means strictly inside the fitted path; a numeric lam (no path) records lam only."""
    from types import SimpleNamespace

    path = np.array([0.1, 0.4, 1.6])
    for lam, interior in [(0.1, False), (0.4, True), (1.6, False)]:
        est = SimpleNamespace(lam_=lam, lam_path_=path, lam_path_extended_=(3, 1))
        assert suite._path_extras(est) == {
            "lam": lam,
            "lam_interior": interior,
            "lam_extended_below": 3,
            "lam_extended_above": 1,
            "lam_path_points": 3,
        }
    fixed = suite._path_extras(SimpleNamespace(lam_=0.03))
    assert fixed["lam"] == 0.03 and fixed["lam_interior"] is None


def test_method_bad_input(small):
    with pytest.raises(ValueError, match="Unknown method 'nope'"):
        run_method("nope", small["sparse_var"])
    with pytest.raises(ValueError, match="does not apply to the 'timeseries'"):
        run_method("notears", small["sparse_var"])
    with pytest.raises(ValueError, match="does not apply to the 'dag'"):
        run_method("granger_pairwise", small["sem_raw"])
    with pytest.raises(ValueError, match="does not apply to the 'windows'"):
        run_method("pcmci", small["switching"])
    with pytest.raises(ValueError, match="takes no option"):
        run_method("lasso_var", small["sparse_var"], epochs=3)
    with pytest.raises(ValueError, match="SuiteDataset"):
        run_method("lasso_var", np.zeros((10, 2)))


# ----------------------------------------------------------------------------- evaluation
@pytest.mark.parametrize("method", ["lasso_var", "granger_conditional", "grngc_mlp"])
def test_evaluate_timeseries_equals_metrics(method, small, outputs):
    data, out = small["sparse_var"], outputs["timeseries", method]
    res = evaluate(data, out)
    assert res["auroc"] == auroc(data.truth, out.scores, include_diagonal=False)
    assert res["auprc"] == auprc(data.truth, out.scores, include_diagonal=False)
    if out.adjacency is None:
        assert np.isnan(res["shd"]) and np.isnan(res["n_edges"])
    else:
        assert res["shd"] == shd(data.truth, out.adjacency, include_diagonal=False)
    assert res["level"] == "graph"


@pytest.mark.parametrize("method", ["notears", "pc", "ges", "sortnregress"])
def test_evaluate_dag_equals_metrics(method, small, outputs):
    data, out = small["sem_raw"], outputs["dag", method]
    res = evaluate(data, out)
    assert res["auroc"] == auroc(data.truth, np.abs(out.scores))
    assert res["auprc"] == auprc(data.truth, np.abs(out.scores))
    acc = count_accuracy(data.truth, out.adjacency)
    assert res["shd"] == acc["shd"] and res["n_edges"] == acc["nnz"]
    if method in ("notears", "sortnregress"):  # DAG estimates: the same as metrics.shd
        assert res["shd"] == shd(data.truth, out.adjacency)


def test_evaluate_windows_equals_window_auroc(small, outputs):
    data, out = small["switching"], outputs["windows", "window_linear"]
    truth = window_events(data.truth, WINDOW, starts=out.window_starts)
    keep = np.isfinite(out.window_scores)
    res = evaluate(data, out)
    assert res["auroc"] == window_auroc(out.window_scores[keep], truth[keep]) and res["level"] == "window"
    assert np.isnan(res["auprc"]) and np.isnan(res["shd"])


def test_evaluate_hidden_driver(small):
    data = small["hidden_driver"]
    spurious = MethodOutput(np.array([[0.0, 5.0], [1.0, 0.0]]), np.array([[1, 1], [0, 1]]))
    res = evaluate(data, spurious)
    assert np.isnan(res["auroc"]) and np.isnan(res["auprc"])  # no true cross edge to rank
    assert res["shd"] == 1 and res["n_edges"] == 1
    assert evaluate(data, MethodOutput(np.zeros((2, 2)), np.eye(2, dtype=int)))["shd"] == 0


def test_evaluate_bad_input(small):
    data = small["sparse_var"]
    with pytest.raises(ValueError, match="shape \\(5, 5\\)"):
        evaluate(data, MethodOutput(np.zeros((4, 4)), None))
    with pytest.raises(ValueError, match="neither"):
        evaluate(data, MethodOutput(None, None))
    with pytest.raises(ValueError, match="'windows' dataset"):
        evaluate(data, MethodOutput(None, None, window_scores=np.ones(3), window_starts=np.arange(3), window=5))


# ----------------------------------------------------------------------------- runner
def test_run_suite_covers_applicable_combinations():
    methods = ["granger_pairwise", "sortnregress", "window_linear"]
    seen = []
    df = run_suite(methods=methods, seeds=(0, 1), size="small", on_result=seen.append)
    expected = {(d, s, m) for d in DATASETS for s in (0, 1) for m in methods if DATASETS[d] in METHODS[m].kinds}
    got = list(zip(df["dataset"], df["seed"], df["method"]))
    assert len(got) == len(set(got)) and set(got) == expected
    assert len(seen) == len(df) and [r["method"] for r in seen] == list(df["method"])
    assert list(df.columns) == [
        "dataset",
        "kind",
        "seed",
        "method",
        "level",
        "auroc",
        "auprc",
        "shd",
        "n_edges",
        "fit_seconds",
        "cpu_seconds",
        "p",
        "T",
    ]
    assert (df["fit_seconds"] >= 0).all() and (df["cpu_seconds"] >= 0).all()
    sem = df[df["dataset"] == "sem_raw"].iloc[0]
    assert sem["p"] == 5 and sem["T"] == 200 and sem["kind"] == "dag"


def test_run_suite_reproducible():
    kw = dict(datasets=["sparse_var", "switching"], methods=["granger_pairwise", "lasso_var"], seeds=(2,), size="small")
    a, b = run_suite(**kw), run_suite(**kw)
    cols = ["dataset", "method", "auroc", "auprc", "shd"]
    assert a[cols].equals(b[cols])
    row = run_row(make_dataset("sparse_var", 2, size="small"), "lasso_var", 2)
    assert row["auroc"] == a[(a["dataset"] == "sparse_var") & (a["method"] == "lasso_var")]["auroc"].item()


def test_run_suite_bad_input():
    with pytest.raises(ValueError, match="Unknown datasets"):
        run_suite(["nope"], size="small")
    with pytest.raises(ValueError, match="Unknown methods"):
        run_suite(["sem_raw"], ["nope"], size="small")
    with pytest.raises(ValueError, match="None of the methods"):
        run_suite(["sem_raw"], ["pcmci"], size="small")
    with pytest.raises(ValueError, match="seed"):
        run_suite(["sem_raw"], ["pc"], seeds=(), size="small")
    with pytest.raises(ValueError, match="on_result"):
        run_suite(["sem_raw"], ["pc"], size="small", on_result=3)


# ----------------------------------------------------------------------------- orientation against the truth
def _chain(T=400, seed=0):
    """x0 -> x1 -> x2 at lag 1 (coefficient 0.9, unit noise), x0 white noise: no other link, none backwards."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((T, 3))
    for t in range(1, T):
        X[t, 1] += 0.9 * X[t - 1, 0]
        X[t, 2] += 0.9 * X[t - 1, 1]
    truth = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    return SuiteDataset("chain", "timeseries", X, truth, 1, seed, {}, "x0 -> x1 -> x2 at lag 1")


def _assert_truth_on_top(scores, truth):
    """Every true edge i -> j outscores every off-diagonal non-edge, its own reverse j -> i included."""
    scores, off = np.asarray(scores, dtype=float), ~np.eye(len(truth), dtype=bool)
    edges, others = scores[off & (truth == 1)], scores[off & (truth == 0)]
    assert edges.min() > others.max(), f"true edges {np.argwhere(off & (truth == 1)).tolist()} not on top:\n{scores}"


# Epoch caps for the easy chain: enough for the true links to stand out, far below the package's 2000.
CHAIN_EPOCHS = {"cmlp": 300, "grngc_mlp": 100, "grngc_lstm": 100, "grngc_kan": 50}


@pytest.mark.parametrize("method", applicable_methods("timeseries"))
def test_timeseries_methods_score_in_the_books_orientation(method, monkeypatch, torch_one_thread):
    """On x0 -> x1 -> x2 the two largest off-diagonal scores are [0, 1] and [1, 2], not their transposes."""
    if method == "pcmci":
        pytest.importorskip("tigramite")
    options = {"epochs": CHAIN_EPOCHS[method]} if method in CHAIN_EPOCHS else {}
    if method == "cmlp":
        # With the default 100 hidden units the group norms of a short fit are still those of the random
        # initialisation (about 3.3 for every pair here), which says nothing about orientation; 10 units
        # let the fitted links show within 300 epochs. The suite's own code path (run_method -> scores_) is unchanged.
        import gcbook.neural
        from gcbook.neural import CMLP

        monkeypatch.setattr(gcbook.neural, "CMLP", functools.partial(CMLP, hidden=10))
    data = _chain()
    out = run_method(method, data, seed=0, **options)
    assert out.scores.shape == (3, 3)
    _assert_truth_on_top(out.scores, data.truth)
    assert evaluate(data, out)["auroc"] == 1.0


@pytest.mark.parametrize("method", applicable_methods("dag"))
def test_dag_methods_score_in_the_books_orientation(method):
    """On the DAG 0 -> 2 <- 1, 2 -> 3 (a collider, so PC and GES can orient it) the true edges score highest."""
    if method in ("pc", "ges"):
        pytest.importorskip("causallearn")
    from gcbook.simulate import linear_sem

    B = np.zeros((4, 4), dtype=int)
    B[0, 2] = B[1, 2] = B[2, 3] = 1
    X = linear_sem(1.0 * B, 1000, noise="gauss", seed=0)
    data = SuiteDataset("collider", "dag", X, B, None, 0, {}, "0 -> 2 <- 1, 2 -> 3")
    out = run_method(method, data)
    _assert_truth_on_top(out.scores, B)
    if out.adjacency is not None and method in ("pc", "ges"):
        np.testing.assert_array_equal(out.adjacency, B)  # fully oriented CPDAG, cause on the rows


def test_window_linear_tests_column_1_as_the_cause_of_column_0():
    """window_linear's F measures 1 -> 0: large where column 1 drives column 0, null with the columns swapped."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((600, 2))
    X[1:, 0] += 0.9 * X[:-1, 1]  # column 1 (cause) -> column 0 (effect), every time point

    def median_f(X):
        data = SuiteDataset(
            "pair",
            "windows",
            X,
            np.ones(len(X), dtype=bool),
            1,
            0,
            {"cause": 1, "effect": 0},
            "driven pair",
            channel_truth=np.array([[1, 0], [1, 1]]),
        )
        return np.nanmedian(run_method("window_linear", data).window_scores)

    assert median_f(X) > 10 * median_f(X[:, ::-1])
