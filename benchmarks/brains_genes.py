"""Brains and genes: every time-series method of the book on NetSim-style fMRI and DREAM3-style gene data.

Usage::

    .venv/bin/python benchmarks/brains_genes.py            # the full run (about 12-15 CPU-minutes, one thread)
    .venv/bin/python benchmarks/brains_genes.py --quick    # smoke test: smallest size of each regime, one seed
    .venv/bin/python benchmarks/brains_genes.py --estimate-only   # calibrate, print the estimate, stop

Everything runs through :mod:`gcbook.suite`: each simulated network becomes a
:class:`gcbook.suite.SuiteDataset` whose ``X`` is the *list* of its recordings (scans, or
perturbation trajectories), kind ``"timeseries"``, and :func:`gcbook.suite.run_row` runs,
times and scores each method on the pooled recordings (lagged windows never cross from
one recording into the next). This script only chooses what to run, pins the threads and
saves; no method or metric is written here.

Regimes (settings fixed before any run)
---------------------------------------
fMRI (NetSim-style, :func:`gcbook.simulate.fmri_bold`)
    Networks of :data:`FMRI_SIZES` = 5, 10, 15 and 50 regions (NetSim's simulations 1-4),
    :data:`FMRI_SCANS` = 50 scans of :data:`FMRI_TIMEPOINTS` = 200 volumes at a TR of 3 s per
    network (NetSim: 50 subjects of 200 volumes), the simulator's defaults otherwise (its
    NetSim-style graph, hemodynamic variation, noise). The BOLD signal is what the methods see.
genes (DREAM3-style, :func:`gcbook.simulate.gene_expression`)
    Networks of :data:`GENE_SIZES` = 10, 50 and 100 genes, the DREAM3 numbers of perturbation
    trajectories for each size (4, 23, 46; the simulator's default), 21 time points each, both
    topologies of :data:`GENE_TOPOLOGIES` (one at 10 genes, where the two coincide:
    :data:`SINGLE_TOPOLOGY`).

Every method gets lag :data:`LAG` = 1: at a TR of 3 s (fMRI) or a sampling interval of 10
minutes (genes) one step is far longer than the interactions it stands for, and a longer lag
costs each 21-point trajectory a target per lag.

Methods: the time-series methods of :data:`gcbook.suite.METHODS` (pairwise and conditional
Granger, the lasso VAR, PCMCI, CMLP and GRNGC with an MLP), at the suite's fixed settings. The
neural methods choose their penalty on held-out windows (``lam="auto"``) with the epoch
budget :data:`NEURAL_EPOCHS` (the cap of the penalty path's first point, a quarter of it for
each warm-started point, early stopping throughout).

Budget (the target is a run of 15-20 CPU-minutes on one core of a shared 2-core machine)
-------------------------------------------------------------------------------------------
* Seeds per size (:data:`SEEDS`): three at the small sizes, two or one at the large ones. The
  seed is the simulation's and the method's.
* :data:`METHOD_SEEDS` runs the most expensive (method, regime, size) combinations on seed 0
  only, and :data:`SKIP` lists those not run at all, each with the reason (a measured fit
  time); the results list both under ``"settings"``.

Results go to ``gcbook/data/benchmarks/brains_genes.json`` (``brains_genes_quick.json`` with
``--quick``) after every row: settings (read from the code and the simulators' own
``settings``), versions, machine, threads, command, rows (one per regime x size x topology x
seed x method: AUROC and AUPRC off the diagonal, the direction accuracy of the scores
(:func:`direction_accuracy`), SHD and edge count where a method reports a graph, wall and CPU
seconds), the summary (median, min and max over seeds) and the skipped
combinations. NaN is written as null.
"""

from __future__ import annotations

import os

THREADS = 1
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(THREADS)

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from importlib.metadata import PackageNotFoundError, version  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(THREADS)

from gcbook import suite  # noqa: E402

RESULTS_DIR = Path(__file__).resolve().parents[1] / "gcbook" / "data" / "benchmarks"

#: Lag given to every method (see the module docstring).
LAG = 1
#: Methods run, in this order (the time-series methods of the suite; GRNGC with its default MLP).
METHODS = ("granger_pairwise", "granger_conditional", "lasso_var", "pcmci", "cmlp", "grngc_mlp")
NEURAL = ("cmlp", "grngc_mlp")
#: Epoch budget of the neural methods (the cap of the path's first point; package default 2000).
NEURAL_EPOCHS = {"cmlp": 300, "grngc_mlp": 500}

FMRI_SIZES = (5, 10, 15, 50)
FMRI_TIMEPOINTS = 200
FMRI_TR = 3.0
#: Scans per network (NetSim's 50 subjects).
FMRI_SCANS = 50
GENE_SIZES = (10, 50, 100)
GENE_TOPOLOGIES = ("modular", "scale_free")
#: Sizes run with one topology only: with modules of 10 genes (the simulator's default), a modular
#: network of 10 genes is a single module, the same network as the scale-free one of the same seed.
SINGLE_TOPOLOGY = {10: ("modular",)}

#: Seeds per (regime, size): the seed is the simulation's and the method's.
SEEDS = {
    ("fmri", 5): (0, 1, 2),
    ("fmri", 10): (0, 1, 2),
    ("fmri", 15): (0, 1, 2),
    ("fmri", 50): (0, 1),
    ("genes", 10): (0, 1, 2),
    ("genes", 50): (0, 1, 2),
    ("genes", 100): (0, 1),
}

#: (method, regime, size) run on fewer seeds than :data:`SEEDS`, as a compute budget (CPU seconds of
#: one fit measured by ``--estimate-only`` and probes on 2026-12-05, one thread, shared machine).
METHOD_SEEDS = {
    ("cmlp", "fmri", 10): (0, 1),  # one CMLP fit on 50 scans x 10 regions: about 110 s
    ("pcmci", "fmri", 15): (0, 1),  # about 14 s per fit
    ("pcmci", "genes", 50): (0, 1),  # about 50 s per fit
}

#: (method, regime, size) not run at all, with the reason.
SKIP = {
    ("pcmci", "fmri", 50): "compute budget: one fit took 14 s at 15 regions and PCMCI's time grows about as "
    "p**2.6 (capstone cost part), so about 5 min at 50 regions",
    ("pcmci", "genes", 100): "compute budget: one fit took 50 s at 50 genes; about 5 min expected at 100",
    ("cmlp", "fmri", 15): "compute budget: one CMLP fit took about 110 s at 10 regions on 50 scans (one network "
    "per region)",
    ("cmlp", "fmri", 50): "compute budget: one CMLP fit took about 110 s at 10 regions on 50 scans (one network "
    "per region)",
    ("cmlp", "genes", 100): "compute budget: one fit took 17 s at 50 genes; CMLP trains one network per gene",
}

#: The quick setting (smoke test and tests/test_brains_genes_benchmark.py).
QUICK = {
    "fmri_sizes": (5,),
    "gene_sizes": (10,),
    "fmri_scans": 3,
    "fmri_timepoints": 60,
    "gene_topologies": ("modular",),
    "seeds": (0,),
    "neural_epochs": 3,
}


# ----------------------------------------------------------------------------- helpers
def versions() -> dict:
    out = {"python": platform.python_version()}
    for package in ("numpy", "scipy", "pandas", "torch", "scikit-learn", "tigramite", "networkx"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = None
    return out


def git_state() -> dict:
    """The commit the run started from, and the package files that differed from it (if any)."""
    import subprocess

    def git(*args):
        try:
            return subprocess.run(
                ["git", *args], cwd=Path(__file__).parent, capture_output=True, text=True, timeout=10
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None

    changed = git("status", "--porcelain", "--", "gcbook", "benchmarks/brains_genes.py")
    return {
        "commit": git("rev-parse", "HEAD"),
        "uncommitted": [line[3:] for line in changed.splitlines()] if changed else [],
    }


def machine() -> dict:
    return {
        "machine": platform.machine(),
        "processor": platform.processor(),
        "system": platform.system(),
        "release": platform.release(),
        "cpu_count": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def clean(value):
    """JSON-safe: numpy scalars and arrays to Python, tuples to lists, NaN to None."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return clean(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# ----------------------------------------------------------------------------- datasets
def fmri_dataset(
    n_nodes: int, seed: int, *, n_scans=None, n_timepoints=FMRI_TIMEPOINTS, tr=FMRI_TR, **simulator_options
) -> suite.SuiteDataset:
    """A NetSim-style network as a suite dataset: ``X`` the list of BOLD scans ``(n_timepoints, n_nodes)``.

    Parameters
    ----------
    n_nodes : int
    seed : int
        Seed of :func:`gcbook.simulate.fmri_bold`.
    n_scans : int or None
        Scans of the network; None means :data:`FMRI_SCANS` for the size (50 if not listed).
    n_timepoints, tr : int, float
        Volumes per scan and the repetition time in seconds.
    **simulator_options
        Passed to :func:`gcbook.simulate.fmri_bold`.

    Returns
    -------
    gcbook.suite.SuiteDataset
        ``truth`` the simulator's graph (zero diagonal), ``lag`` :data:`LAG`, ``settings`` the
        simulator's own settings plus ``regime``, ``n_recordings`` and ``size="full"``.
    """
    from gcbook.simulate.fmri import fmri_bold

    if n_scans is None:
        n_scans = FMRI_SCANS
    sim = fmri_bold(n_nodes, n_scans, n_timepoints, tr, seed=seed, **simulator_options)
    settings = {**clean(dict(sim.settings)), "regime": "fmri", "n_recordings": len(sim.bold), "size": "full"}
    return suite.SuiteDataset(
        name=f"fmri_p{n_nodes}",
        kind="timeseries",
        X=list(sim.bold),
        truth=np.asarray(sim.graph, dtype=int),
        lag=LAG,
        seed=seed,
        settings=settings,
        description=f"NetSim-style BOLD, {n_nodes} regions, {n_scans} scans of {n_timepoints} volumes at TR {tr:g} s",
    )


def gene_dataset(
    n_genes: int, seed: int, *, topology="modular", n_trajectories=None, **simulator_options
) -> suite.SuiteDataset:
    """A DREAM3-style network as a suite dataset: ``X`` the list of trajectories ``(21, n_genes)``.

    Parameters
    ----------
    n_genes : int
    seed : int
        Seed of :func:`gcbook.simulate.gene_expression`.
    topology : {"modular", "scale_free"}
    n_trajectories : int or None
        None means the DREAM3 number for the size (the simulator's default).
    **simulator_options
        Passed to :func:`gcbook.simulate.gene_expression`.

    Returns
    -------
    gcbook.suite.SuiteDataset
        As :func:`fmri_dataset`, with ``regime="genes"`` and ``topology``.
    """
    from gcbook.simulate.genes import gene_expression

    sim = gene_expression(n_genes, n_trajectories, topology=topology, seed=seed, **simulator_options)
    truth = np.asarray(sim.graph, dtype=int).copy()
    np.fill_diagonal(truth, 0)  # self-regulation, if any, is not scored (evaluate ignores the diagonal)
    settings = {
        **clean(dict(sim.settings)),
        "regime": "genes",
        "topology": topology,
        "n_recordings": len(sim.trajectories),
        "size": "full",
    }
    n_rec, n_time = len(sim.trajectories), len(sim.trajectories[0])
    return suite.SuiteDataset(
        name=f"genes_{topology}_p{n_genes}",
        kind="timeseries",
        X=list(sim.trajectories),
        truth=truth,
        lag=LAG,
        seed=seed,
        settings=settings,
        description=f"DREAM3-style expression, {n_genes} genes ({topology}), {n_rec} trajectories of {n_time} points",
    )


# ----------------------------------------------------------------------------- plan and rows
def plan(quick: bool = False) -> list[dict]:
    """The cases to run, in order: one dict per (regime, size, topology, seed) with its methods and skips."""
    cases = []
    fmri_sizes = QUICK["fmri_sizes"] if quick else FMRI_SIZES
    gene_sizes = QUICK["gene_sizes"] if quick else GENE_SIZES
    topologies = QUICK["gene_topologies"] if quick else GENE_TOPOLOGIES
    for regime, sizes, tops in (("fmri", fmri_sizes, (None,)), ("genes", gene_sizes, topologies)):
        for p in sizes:
            for topology in tops if quick or regime == "fmri" else SINGLE_TOPOLOGY.get(p, tops):
                for seed in QUICK["seeds"] if quick else SEEDS[(regime, p)]:
                    run = [
                        m
                        for m in METHODS
                        if (m, regime, p) not in SKIP and (quick or seed in METHOD_SEEDS.get((m, regime, p), (seed,)))
                    ]
                    skipped = {m: SKIP[(m, regime, p)] for m in METHODS if (m, regime, p) in SKIP}
                    cases.append(
                        {
                            "regime": regime,
                            "p": p,
                            "topology": topology,
                            "seed": seed,
                            "methods": run,
                            "skipped": skipped,
                        }
                    )
    return cases


def make_case_dataset(case: dict, quick: bool = False) -> suite.SuiteDataset:
    """Simulate the dataset of one case of :func:`plan`."""
    if case["regime"] == "fmri":
        if quick:
            return fmri_dataset(
                case["p"], case["seed"], n_scans=QUICK["fmri_scans"], n_timepoints=QUICK["fmri_timepoints"]
            )
        return fmri_dataset(case["p"], case["seed"])
    return gene_dataset(case["p"], case["seed"], topology=case["topology"])


def direction_accuracy(truth, scores) -> float:
    """Share of the true edges ``i -> j`` whose score beats that of the reverse pair ``j -> i`` (ties count
    one half): 0.5 is what a method blind to the direction scores. NaN without edges or without a reverse
    pair to compare (an edge in both directions is left out)."""
    truth, scores = np.asarray(truth), np.asarray(scores, dtype=float)
    i, j = np.nonzero(truth * (1 - np.eye(len(truth), dtype=int)))
    one_way = truth[j, i] == 0
    if not one_way.any():
        return float("nan")
    forward, backward = scores[i[one_way], j[one_way]], scores[j[one_way], i[one_way]]
    return float(np.mean((forward > backward) + 0.5 * (forward == backward)))


def row_for(dataset: suite.SuiteDataset, method: str, seed: int, quick: bool = False) -> dict:
    """One row: the method run by :func:`gcbook.suite.run_method` and scored by :func:`gcbook.suite.evaluate`
    (the row of :func:`gcbook.suite.run_row`, timed the same way), plus the direction accuracy of its scores
    (:func:`direction_accuracy`) and the regime's bookkeeping (recordings, pooled rows, edges)."""
    options = {}
    if method in NEURAL:
        options["epochs"] = QUICK["neural_epochs"] if quick else NEURAL_EPOCHS[method]
    start, cpu_start = time.perf_counter(), time.process_time()
    output = suite.run_method(method, dataset, seed, **options)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    recordings = dataset.X if isinstance(dataset.X, list) else [dataset.X]
    truth = np.asarray(dataset.truth)
    return {
        "dataset": dataset.name,
        "kind": dataset.kind,
        "seed": seed,
        "method": method,
        **suite.evaluate(dataset, output),
        "direction": direction_accuracy(truth, output.scores),
        "fit_seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "p": dataset.p,
        "T": dataset.T,
        **{key: output.extra[key] for key in suite.PATH_KEYS if key in output.extra},
        "regime": dataset.settings["regime"],
        "topology": dataset.settings.get("topology"),
        "n_recordings": len(recordings),
        "rows_per_recording": int(np.shape(recordings[0])[0]),
        "pooled_rows": int(sum(np.shape(r)[0] for r in recordings)),
        "true_edges": int(truth.sum() - np.trace(truth)),
        "epochs": options.get("epochs"),
    }


def summarize(rows) -> list[dict]:
    """Median, min and max over seeds of AUROC, AUPRC and seconds per regime x topology x size x method."""
    import pandas as pd

    if not rows:
        return []
    df = pd.DataFrame(rows)
    df["topology"] = df["topology"].fillna("netsim")
    out = (
        df.groupby(["regime", "topology", "p", "method"], sort=False)
        .agg(
            n_seeds=("seed", "nunique"),
            auroc=("auroc", "median"),
            auroc_min=("auroc", "min"),
            auroc_max=("auroc", "max"),
            auprc=("auprc", "median"),
            auprc_min=("auprc", "min"),
            auprc_max=("auprc", "max"),
            direction=("direction", "median"),
            direction_min=("direction", "min"),
            direction_max=("direction", "max"),
            fit_seconds=("fit_seconds", "median"),
            cpu_seconds=("cpu_seconds", "median"),
            true_edges=("true_edges", "median"),
            pooled_rows=("pooled_rows", "median"),
        )
        .reset_index()
    )
    return out.to_dict("records")


def fmt(x, spec):
    width = int("".join(c for c in spec.split(".")[0] if c.isdigit()) or 0)
    return "-".rjust(width) if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def print_row(row):
    print(
        f"{row['regime']:5s} {str(row['topology'] or ''):10s} p={row['p']:3d} seed={row['seed']} "
        f"{row['method']:20s} AUROC {fmt(row['auroc'], '.3f')} AUPRC {fmt(row['auprc'], '.3f')} "
        f"{row['fit_seconds']:8.2f} s wall {row['cpu_seconds']:8.2f} s CPU",
        flush=True,
    )


def headline(summary) -> str:
    parts = []
    for regime, topology, p in dict.fromkeys((r["regime"], r["topology"], r["p"]) for r in summary):
        at = [
            r
            for r in summary
            if (r["regime"], r["topology"], r["p"]) == (regime, topology, p)
            and r["auroc"] is not None
            and not math.isnan(r["auroc"])
        ]
        if at:
            top = max(at, key=lambda r: r["auroc"])
            parts.append(f"{regime}/{topology} p={p}: best {top['method']} AUROC {top['auroc']:.3f}")
    return "; ".join(parts)


# ----------------------------------------------------------------------------- estimate
def calibrate() -> dict:
    """CPU seconds of one fit of each method on the smallest full-size case of each regime (seed 0)."""
    out = {}
    for case in (
        c
        for c in plan()
        if c["seed"] == 0 and c["p"] in (FMRI_SIZES[0], GENE_SIZES[0]) and c["topology"] in (None, "modular")
    ):
        data = make_case_dataset(case)
        for method in case["methods"]:
            out[f"{case['regime']}_{method}"] = row_for(data, method, 0)["cpu_seconds"]
    return out


#: Assumed growth of the fit time with p at fixed rows (for the printed estimate only).
EXPONENTS = {
    "granger_pairwise": 2.0,
    "granger_conditional": 3.0,
    "lasso_var": 2.5,
    "pcmci": 2.6,
    "cmlp": 2.0,
    "grngc_mlp": 1.5,
}


def estimate(cal: dict) -> float:
    total = 0.0
    for case in plan():
        base_p = FMRI_SIZES[0] if case["regime"] == "fmri" else GENE_SIZES[0]
        rows = 1.0 if case["regime"] == "fmri" else case["p"] / base_p  # DREAM3: trajectories grow with the size
        for method in case["methods"]:
            total += cal[f"{case['regime']}_{method}"] * (case["p"] / base_p) ** EXPONENTS[method] * rows
    return total


# ----------------------------------------------------------------------------- main
def settings_record(quick: bool) -> dict:
    """The settings of the run, read from the code (the simulators' own settings are in each case)."""
    return {
        "quick": quick,
        "lag": LAG,
        "methods": {m: suite.METHODS[m].description for m in METHODS},
        "neural_epochs": {m: (QUICK["neural_epochs"] if quick else NEURAL_EPOCHS[m]) for m in NEURAL},
        "suite_alpha": suite.ALPHA,
        "suite_lasso_alpha": suite.LASSO_ALPHA,
        "fmri": {
            "sizes": QUICK["fmri_sizes"] if quick else FMRI_SIZES,
            "scans": QUICK["fmri_scans"] if quick else FMRI_SCANS,
            "timepoints": QUICK["fmri_timepoints"] if quick else FMRI_TIMEPOINTS,
            "tr": FMRI_TR,
        },
        "genes": {
            "sizes": QUICK["gene_sizes"] if quick else GENE_SIZES,
            "topologies": QUICK["gene_topologies"] if quick else GENE_TOPOLOGIES,
            "single_topology": {} if quick else SINGLE_TOPOLOGY,
        },
        "seeds": (
            {
                f"{r}_{p}": QUICK["seeds"]
                for r, p in (("fmri", QUICK["fmri_sizes"][0]), ("genes", QUICK["gene_sizes"][0]))
            }
            if quick
            else {f"{r}_{p}": s for (r, p), s in SEEDS.items()}
        ),
        "method_seeds": []
        if quick
        else [{"method": m, "regime": r, "p": p, "seeds": s} for (m, r, p), s in METHOD_SEEDS.items()],
        "skipped": [{"method": m, "regime": r, "p": p, "reason": why} for (m, r, p), why in SKIP.items()],
    }


def run(quick: bool = False, path: Path | None = None, log=print) -> dict:
    """Run the plan, saving the results after every row; return the results dict."""
    wall = time.perf_counter()
    if path is None:
        path = RESULTS_DIR / ("brains_genes_quick.json" if quick else "brains_genes.json")
    results = {
        "settings": settings_record(quick),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "versions": versions(),
        "machine": machine(),
        "git": git_state(),
        "threads": {"OMP/OPENBLAS/MKL_NUM_THREADS": THREADS, "torch": torch.get_num_threads()},
        "simulator_settings": {},
        "rows": [],
        "summary": [],
        "complete": False,
    }

    def save():
        results["summary"] = summarize(results["rows"])
        results["wall_seconds"] = time.perf_counter() - wall
        results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(clean(results), indent=1) + "\n")

    for case in plan(quick):
        data = make_case_dataset(case, quick)
        key = f"{data.name}_seed{case['seed']}"
        results["simulator_settings"][key] = clean(data.settings)
        for method in case["methods"]:
            row = row_for(data, method, case["seed"], quick)
            results["rows"].append(row)
            log_row = print_row if log is print else (lambda r: None)
            log_row(row)
            save()
    results["complete"] = True
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    save()
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smallest size of each regime, one seed (smoke test)")
    parser.add_argument("--estimate-only", action="store_true", help="calibrate, print the estimate, stop")
    args = parser.parse_args(argv)
    print(f"brains_genes: threads {THREADS} (torch {torch.get_num_threads()}), versions {versions()}")
    print(f"settings: {json.dumps(clean(settings_record(args.quick)))}")
    if args.estimate_only:
        cal = calibrate()
        print("calibration (CPU s):", {k: round(v, 3) for k, v in cal.items()})
        print(f"estimated CPU time of the full run: {estimate(cal) / 60:.1f} min")
        return 0
    results = run(args.quick)
    print(
        f"SUMMARY brains_genes: {len(results['rows'])} rows in {results['wall_seconds'] / 60:.1f} min wall; "
        f"{headline(results['summary'])}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
