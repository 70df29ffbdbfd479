"""Sparse VAR inside a neural network: the lasso solver, driver recovery, and the two-recording test.

Three parts, each against something independent:

1. **The lasso solver against scikit-learn.** :func:`gcbook.sparse_var.lasso` and
   :func:`gcbook.sparse_var.lasso_var` are run on the same data as
   :class:`sklearn.linear_model.Lasso` (one target at a time, ``tol=1e-10``,
   ``max_iter=10**6``, so that both are converged): a Gaussian design (n=500, m=50, 5 true
   nonzeros) at three penalties, and the lagged design of a sparse VAR (``var(p=20, T=1000,
   lag=2, seed=0)``, 40 predictors, 20 targets). Reported: the largest absolute coefficient
   difference (target <= 1e-6) and the time of ours over scikit-learn's (alternating runs,
   median of the per-round ratios, both single-threaded). The differentiable
   :func:`gcbook.sparse_var.lasso_var_torch` is compared with the NumPy solution as well.
2. **Driver recovery, end to end vs two stage.** On 5 seeded movies
   ``calcium_movie(T=600, K=4, size=32, n_drivers=2, seed=s)`` (s = 0..4), a
   :class:`gcbook.imaging.SparseVARAutoencoder` with 4 factors, lag 1, ``alpha=0.05`` and 300
   epochs is trained with ``mode="end_to_end"`` and with ``mode="two_stage"`` (same seed).
   Its latents are matched to the true factors by footprint correlation (Hungarian
   algorithm, :func:`gcbook.imaging.match_factors`), its coefficients reordered, and the
   AUROC of ``|coef|`` against the true driver graph (off-diagonal) is reported per seed
   with the median. Two references on the same movies: the lasso VAR on the **true**
   factors (what a perfect encoder would give) and a linear two-stage pipeline (PCA to 4
   components, then the lasso VAR). Nothing is tuned on the truth: settings are the
   package defaults and fixed in advance. Target: end-to-end median AUROC >= two-stage median.
3. **Size and power of the two-recording test.** One end-to-end model is fitted (seed 0) to a
   reference recording of a unit (``calcium_movie(T=600, seed=100)``). Then 200 null pairs
   of new recordings of that unit (:func:`gcbook.simulate.rerecord`, T=600 each, the same
   VAR; seeds 1000 + 2r and 1001 + 2r for pair r) are encoded with the fixed model and compared with
   :func:`gcbook.imaging.two_recording_test` (lag 1), both with its default block
   permutation p-value (blocks of 50 frames, 999 permutations, seed r for pair r) and with
   the asymptotic chi-square p-value: the rejection rate at alpha=0.05 of the permutation
   test must lie in [0.02, 0.08] (a coarse check: 200 pairs cannot tell 0.05 from 0.10;
   part 4 measures the size precisely). Power: 200 pairs where the second recording lost one
   driver edge (weight 0.3 -> 0), and 200 where it was halved (0.3 -> 0.15). The same tests
   on the true factors are reported as the oracle.
4. **The size of the two-recording test, measured precisely.** 200 null pairs cannot tell a
   size of 0.05 from 0.10 (14/200 has the exact 95% interval 0.039-0.115). With the same
   fixed encoder as part 3 (fitted once; each null pair then costs only two simulations, two
   encodings and the tests), ``--size-pairs`` (default 1000) null pairs of new recordings are
   compared at each length in ``--size-lengths`` (default 300, 600 and 1200 frames; seeds
   ``20000 * (k + 1) + 2 r`` and ``+ 1`` for pair r at the k-th length), with both p-values,
   on the latents and on the true factors. Reported per cell: rejections, rate at 0.05 and
   its exact (Clopper-Pearson) 95% interval. With 1000 pairs an exact test's interval is
   about 0.037-0.066 and excludes 0.10. The block length and the number of permutations are
   read from the signature of :func:`gcbook.imaging.two_recording_test`.

Run: ``.venv/bin/python benchmarks/sparse_var.py`` (about half an hour on 2 shared cores; ``--seeds``,
``--pairs``, ``--epochs``, ``--size-pairs``, ``--size-lengths`` to change the sizes; ``--parts``
to run some parts only, which replaces those parts in the existing results file and keeps the
others). Writes ``gcbook/data/benchmarks/sparse_var.json``.
"""

import os

THREADS = 1
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(THREADS)

import argparse  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import sklearn  # noqa: E402
import torch  # noqa: E402
from scipy import stats  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.linear_model import Lasso  # noqa: E402

torch.set_num_threads(THREADS)

from gcbook.granger import lag_matrix  # noqa: E402
from gcbook.imaging import (  # noqa: E402
    SparseVARAutoencoder,
    aligned_coef,
    driver_auroc,
    footprint_correlation,
    match_factors,
    two_recording_test,
)
from gcbook.simulate import calcium_movie, rerecord, var  # noqa: E402
from gcbook.sparse_var import lasso, lasso_var, lasso_var_torch  # noqa: E402

RESULTS = Path(__file__).resolve().parents[1] / "gcbook" / "data" / "benchmarks" / "sparse_var.json"
PARTS = ("solver", "recovery", "test", "size")
COEF_TARGET = 1e-6
SIZE_RANGE = (0.02, 0.08)
TEST_ALPHA = 0.05
TEST_METHODS = ("permutation", "chi2")
SERIES = ("latents", "true_factors")
MOVIE = dict(T=600, K=4, size=32, n_drivers=2)
MODEL = dict(n_factors=4, lag=1, alpha=0.05)


# ------------------------------------------------------------------------------------ part 1
def sklearn_lasso(Z, Y, alpha):
    """scikit-learn's Lasso, one target at a time, converged tightly; coef (m, q)."""
    model = Lasso(alpha=alpha, tol=1e-10, max_iter=1_000_000)
    return np.column_stack([model.fit(Z, Y[:, j]).coef_ for j in range(Y.shape[1])])


def alternate(ours, theirs, repeats):
    """Time ours and theirs alternately; return both lists of seconds and the median ratio."""
    t_ours, t_theirs = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        ours()
        t_ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        theirs()
        t_theirs.append(time.perf_counter() - start)
    ratios = np.array(t_ours) / np.array(t_theirs)
    return t_ours, t_theirs, float(np.median(ratios))


def solver_cases():
    """(name, Z, Y, alpha) for the comparison with scikit-learn."""
    rng = np.random.default_rng(0)
    n, m = 500, 50
    Z = rng.standard_normal((n, m))
    beta = np.zeros(m)
    beta[:5] = [2.0, -1.5, 1.0, 0.5, -0.5]
    y = (Z @ beta + rng.standard_normal(n))[:, None]
    cases = [(f"gaussian n={n} m={m}", Z, y, a) for a in (0.01, 0.05, 0.2)]
    X, _ = var(p=20, T=1000, lag=2, seed=0)
    Yv, lags = lag_matrix(X, 2)
    Zv = lags.transpose(0, 2, 1).reshape(Yv.shape[0], -1)  # column (k-1)*p + i holds x_i(t-k)
    cases.append(("var p=20 T=1000 lag=2", Zv, Yv, 0.02))
    return cases, X


def part_solver(repeats):
    cases, X = solver_cases()
    rows = []
    for name, Z, Y, alpha in cases:
        ours, _ = lasso(Z, Y, alpha)
        theirs = sklearn_lasso(Z, Y, alpha)
        t_ours, t_theirs, ratio = alternate(
            lambda Z=Z, Y=Y, alpha=alpha: lasso(Z, Y, alpha),
            lambda Z=Z, Y=Y, alpha=alpha: sklearn_lasso(Z, Y, alpha),
            repeats,
        )
        row = {
            "case": name,
            "alpha": alpha,
            "n": Z.shape[0],
            "m": Z.shape[1],
            "targets": Y.shape[1],
            "nonzeros": int(np.sum(ours != 0)),
            "max_abs_coef_diff": float(np.max(np.abs(ours - theirs))),
            "gcbook_seconds": t_ours,
            "sklearn_seconds": t_theirs,
            "median_time_ratio_gcbook_over_sklearn": ratio,
        }
        rows.append(row)
        print(
            f"lasso {name} alpha={alpha}: max |diff| {row['max_abs_coef_diff']:.2e}, "
            f"{row['nonzeros']} nonzeros, time ours/sklearn {ratio:.2f}",
            flush=True,
        )
    # lasso_var (coef_by_lag[i, j, k-1]) against the per-target scikit-learn fit of the lagged design, whose
    # row (k-1)*p + i is x_i(t-k): reshaped to (lag, p, p), then the lag axis moved last
    coef_var = lasso_var(X, 2, 0.02).coef_by_lag
    _, Zv, Yv, _ = cases[-1]
    theirs = sklearn_lasso(Zv, Yv, 0.02).reshape(2, 20, 20).transpose(1, 2, 0)
    torch_coef, _ = lasso_var_torch(torch.as_tensor(X), 2, 0.02)  # (lag, p, p)
    var_check = {
        "max_abs_diff_lasso_var_vs_sklearn": float(np.max(np.abs(coef_var - theirs))),
        "max_abs_diff_lasso_var_torch_vs_numpy": float(
            np.max(np.abs(torch_coef.numpy().transpose(1, 2, 0) - coef_var))
        ),
    }
    print(
        f"lasso_var vs sklearn: {var_check['max_abs_diff_lasso_var_vs_sklearn']:.2e}; "
        f"lasso_var_torch vs lasso_var: {var_check['max_abs_diff_lasso_var_torch_vs_numpy']:.2e}",
        flush=True,
    )
    worst = max(max(r["max_abs_coef_diff"] for r in rows), var_check["max_abs_diff_lasso_var_vs_sklearn"])
    return {
        "cases": rows,
        **var_check,
        "max_abs_coef_diff": worst,
        "target": COEF_TARGET,
        "target_met": bool(worst <= COEF_TARGET),
    }


# ------------------------------------------------------------------------------------ part 2
def matched(sim, footprints, coef):
    """Match estimated factors to true ones by footprint; AUROC, aligned coef, matched correlations."""
    perm = match_factors(sim.footprints, footprints)
    coef_aligned = aligned_coef(coef, perm)
    corr = footprint_correlation(sim.footprints, footprints)[np.arange(len(perm)), perm]
    return perm, coef_aligned, corr


def latent_correlation(true_factors, latents, perm):
    """|corr| between each true factor and the latent matched to it."""
    return np.array([abs(np.corrcoef(true_factors[:, k], latents[:, perm[k]])[0, 1]) for k in range(len(perm))])


def pca_two_stage(sim, K, lag, alpha):
    """Linear reference: PCA of the frames to K components, then the lasso VAR of the scores."""
    T = sim.movie.shape[0]
    frames = sim.movie.reshape(T, -1)
    pca = PCA(n_components=K).fit(frames)
    scores = pca.transform(frames)
    scores = (scores - scores.mean(0)) / scores.std(0)
    coef = lasso_var(scores, lag, alpha).coef_by_lag.transpose(2, 0, 1)  # the (lag, K, K) of aligned_coef
    return coef, pca.components_.reshape((K,) + sim.movie.shape[1:]), scores


def part_recovery(seeds, epochs):
    per_seed = []
    for s in seeds:
        sim = calcium_movie(**MOVIE, seed=s)
        truth = (sim.factors - sim.factors.mean(0)) / sim.factors.std(0)
        row = {"seed": s, "edges": sim.edges, "true_graph": sim.graph.tolist()}
        oracle = lasso_var(truth, MODEL["lag"], MODEL["alpha"]).coef_by_lag.transpose(2, 0, 1)  # (lag, K, K)
        row["oracle_true_factors"] = {"auroc": driver_auroc(sim.graph, oracle), "coef": oracle.tolist()}
        coef, comps, scores = pca_two_stage(sim, MODEL["n_factors"], MODEL["lag"], MODEL["alpha"])
        perm, coef_al, corr = matched(sim, comps, coef)
        row["pca_two_stage"] = {
            "auroc": driver_auroc(sim.graph, coef_al),
            "perm": perm.tolist(),
            "footprint_corr": corr.tolist(),
            "latent_corr": latent_correlation(sim.factors, scores, perm).tolist(),
            "coef_aligned": coef_al.tolist(),
        }
        for mode in ("end_to_end", "two_stage"):
            model = SparseVARAutoencoder(**MODEL, epochs=epochs, mode=mode, seed=s).fit(sim.movie)
            perm, coef_al, corr = matched(sim, model.footprints_, model.coef_)
            row[mode] = {
                "auroc": driver_auroc(sim.graph, coef_al),
                "perm": perm.tolist(),
                "footprint_corr": corr.tolist(),
                "latent_corr": latent_correlation(sim.factors, model.factors_, perm).tolist(),
                "coef_aligned": coef_al.tolist(),
                "final_recon_loss": float(model.loss_history_.recon[-1]),
                "final_var_loss": float(model.loss_history_.var[-1]),
                "fit_seconds": model.fit_seconds_,
            }
        print(
            f"seed {s} edges {sim.edges}: AUROC end_to_end {row['end_to_end']['auroc']:.3f} "
            f"two_stage {row['two_stage']['auroc']:.3f} pca {row['pca_two_stage']['auroc']:.3f} "
            f"oracle {row['oracle_true_factors']['auroc']:.3f}; fit s e2e {row['end_to_end']['fit_seconds']:.1f} "
            f"2stage {row['two_stage']['fit_seconds']:.1f}",
            flush=True,
        )
        per_seed.append(row)
    summary = {}
    for method in ("end_to_end", "two_stage", "pca_two_stage", "oracle_true_factors"):
        aurocs = [r[method]["auroc"] for r in per_seed]
        summary[method] = {"auroc_per_seed": aurocs, "median_auroc": float(np.median(aurocs))}
        if method != "oracle_true_factors":
            corr = [np.mean(r[method]["footprint_corr"]) for r in per_seed]
            summary[method]["mean_matched_footprint_corr_per_seed"] = [float(c) for c in corr]
            lat = [np.mean(r[method]["latent_corr"]) for r in per_seed]
            summary[method]["mean_matched_latent_corr_per_seed"] = [float(c) for c in lat]
    met = summary["end_to_end"]["median_auroc"] >= summary["two_stage"]["median_auroc"]
    return {"per_seed": per_seed, "summary": summary, "target_met": bool(met)}


# ------------------------------------------------------------------------------------ part 3
def rejection(pvals):
    p = np.asarray(pvals)
    rate = float(np.mean(p < TEST_ALPHA))
    se = float(np.sqrt(rate * (1 - rate) / p.size))
    return {"rate": rate, "se": se, "n": int(p.size)}


_REFERENCE = {}


def reference_model(epochs):
    """The unit (seed 100) and the end-to-end model fitted (seed 0) to its reference recording; cached."""
    if epochs not in _REFERENCE:
        unit = calcium_movie(**MOVIE, seed=100)
        model = SparseVARAutoencoder(**MODEL, epochs=epochs, mode="end_to_end", seed=0).fit(unit.movie)
        _REFERENCE[epochs] = unit, model
    return _REFERENCE[epochs]


def part_test(n_pairs, epochs):
    unit, model = reference_model(epochs)
    i, j = unit.edges[0]
    removed, halved = unit.coef.copy(), unit.coef.copy()
    removed[i, j] = 0.0
    halved[i, j] = unit.coef[i, j] / 2
    conditions = {"null": unit.coef, "edge_removed": removed, "edge_halved": halved}
    out = {"unit_edges": unit.edges, "changed_edge": [i, j], "reference_fit_seconds": model.fit_seconds_}
    for name, coef in conditions.items():
        p = {(series, method): [] for series in SERIES for method in TEST_METHODS}
        for r in range(n_pairs):
            a = rerecord(unit, seed=1000 + 2 * r)
            b = rerecord(unit, seed=1001 + 2 * r, coef=coef)
            pair = {
                "latents": (model.transform(a.movie), model.transform(b.movie)),
                "true_factors": (a.factors, b.factors),
            }
            for series in SERIES:
                for method in TEST_METHODS:
                    res = two_recording_test(*pair[series], method=method, seed=r)
                    p[series, method].append(res.p_value)
        out[name] = {
            series: {method: {**rejection(p[series, method]), "p_values": p[series, method]} for method in TEST_METHODS}
            for series in SERIES
        }
        print(
            f"test {name} over {n_pairs} pairs, rejection at {TEST_ALPHA}: "
            + "; ".join(
                f"{series} {method} {out[name][series][method]['rate']:.3f}"
                for series in SERIES
                for method in TEST_METHODS
            ),
            flush=True,
        )
    size = out["null"]["latents"]["permutation"]["rate"]
    out["size_range"] = list(SIZE_RANGE)
    out["target_met"] = bool(SIZE_RANGE[0] <= size <= SIZE_RANGE[1])
    return out


def exact_interval(k, n, level=0.95):
    """Clopper-Pearson interval of a binomial rate k / n."""
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=level, method="exact")
    return [float(ci.low), float(ci.high)]


def part_size(n_pairs, lengths, epochs):
    unit, model = reference_model(epochs)
    defaults = {
        name: par.default
        for name, par in inspect.signature(two_recording_test).parameters.items()
        if name in ("lag", "block_length", "n_permutations")
    }
    out = {
        "n_pairs": n_pairs,
        "lengths": list(lengths),
        "test_alpha": TEST_ALPHA,
        "test_defaults": defaults,
        "seed_rule": "pair r at the k-th length: rerecord seeds 20000 * (k + 1) + 2 r and 20000 * (k + 1) + 2 r + 1; "
        "permutation seed r",
        "reference_fit_seconds": model.fit_seconds_,
        "by_length": {},
    }
    for k, T in enumerate(lengths):
        start = time.perf_counter()
        p = {(series, method): [] for series in SERIES for method in TEST_METHODS}
        for r in range(n_pairs):
            a = rerecord(unit, T=T, seed=20000 * (k + 1) + 2 * r)
            b = rerecord(unit, T=T, seed=20000 * (k + 1) + 2 * r + 1)
            pair = {
                "latents": (model.transform(a.movie), model.transform(b.movie)),
                "true_factors": (a.factors, b.factors),
            }
            for series in SERIES:
                for method in TEST_METHODS:
                    p[series, method].append(two_recording_test(*pair[series], method=method, seed=r).p_value)
        cell = {}
        for series in SERIES:
            cell[series] = {}
            for method in TEST_METHODS:
                pv = np.asarray(p[series, method])
                rejections = int(np.sum(pv < TEST_ALPHA))
                cell[series][method] = {
                    "rejections": rejections,
                    "n": int(pv.size),
                    "rate": rejections / pv.size,
                    "exact_95_interval": exact_interval(rejections, pv.size),
                    "p_values": [float(v) for v in pv],
                }
        out["by_length"][str(T)] = {"T": T, "seconds": time.perf_counter() - start, **cell}
        print(
            f"size over {n_pairs} null pairs at T={T}: "
            + "; ".join(
                f"{series} {method} {cell[series][method]['rate']:.3f} {cell[series][method]['exact_95_interval']}"
                for series in SERIES
                for method in TEST_METHODS
            )
            + f" ({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5, help="alternating timing rounds of the solver comparison")
    parser.add_argument("--size-pairs", type=int, default=1000, help="null pairs per length in part 4")
    parser.add_argument("--size-lengths", type=int, nargs="+", default=[300, 600, 1200])
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=PARTS,
        default=list(PARTS),
        help="parts to run; the others are kept from the existing results file",
    )
    args = parser.parse_args(argv)

    versions = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "torch": torch.__version__,
        "sklearn": sklearn.__version__,
    }
    print(f"settings: {vars(args)} movie={MOVIE} model={MODEL}")
    print(f"threads: OMP/OPENBLAS/MKL_NUM_THREADS={THREADS}, torch={torch.get_num_threads()}")
    print(f"versions: {versions}", flush=True)
    lasso(np.eye(3), np.ones(3), 0.1)  # warm-up
    sklearn_lasso(np.eye(3), np.ones((3, 1)), 0.1)

    start = time.perf_counter()
    runners = {
        "solver": lambda: part_solver(args.repeats),
        "recovery": lambda: part_recovery(args.seeds, args.epochs),
        "test": lambda: part_test(args.pairs, args.epochs),
        "size": lambda: part_size(args.size_pairs, args.size_lengths, args.epochs),
    }
    run_info = {
        "settings": {**vars(args), "movie": MOVIE, "model": MODEL, "test_alpha": TEST_ALPHA},
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "threads": THREADS,
        "versions": versions,
    }
    if set(args.parts) == set(PARTS) or not RESULTS.exists():
        result = {}
    else:
        result = json.loads(RESULTS.read_text())
    for part in PARTS:
        if part in args.parts:
            part_start = time.perf_counter()
            result[part] = runners[part]()
            result[part]["run"] = {**run_info, "seconds": time.perf_counter() - part_start}
    seconds = time.perf_counter() - start
    if set(args.parts) == set(PARTS):
        result.update(run_info, seconds=seconds, peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    result["targets_met"] = {
        "solver": result["solver"]["target_met"],
        "recovery": result["recovery"]["target_met"],
        "test_size": result["test"]["target_met"],
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    solver, recovery, test = result["solver"], result["recovery"], result["test"]

    s = recovery["summary"]
    print()
    print(f"{'seed':<6}" + "".join(f"{m:>22}" for m in s))
    for k, seed in enumerate(
        result["recovery"]["run"]["settings"]["seeds"] if "run" in result["recovery"] else result["settings"]["seeds"]
    ):
        print(f"{seed:<6}" + "".join(f"{s[m]['auroc_per_seed'][k]:>22.3f}" for m in s))
    print(f"{'median':<6}" + "".join(f"{s[m]['median_auroc']:>22.3f}" for m in s))
    ratios = [c["median_time_ratio_gcbook_over_sklearn"] for c in solver["cases"]]
    print(
        f"summary: lasso max |coef - sklearn| {solver['max_abs_coef_diff']:.1e} (target {COEF_TARGET:g}); "
        f"time ours/sklearn {min(ratios):.2f}-{max(ratios):.2f}; median AUROC end_to_end "
        f"{s['end_to_end']['median_auroc']:.3f} vs two_stage {s['two_stage']['median_auroc']:.3f}; "
        f"test size (latents, permutation) {test['null']['latents']['permutation']['rate']:.3f} (chi2 "
        f"{test['null']['latents']['chi2']['rate']:.3f}; range {SIZE_RANGE}), power removed "
        f"{test['edge_removed']['latents']['permutation']['rate']:.3f} halved "
        f"{test['edge_halved']['latents']['permutation']['rate']:.3f}; "
        f"targets met {result['targets_met']}; {seconds:.0f} s"
    )


if __name__ == "__main__":
    main()
