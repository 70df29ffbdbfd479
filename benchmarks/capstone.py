"""Capstone ("Which method when?"): every method of the book on one benchmark suite, and its fit cost.

Usage::

    .venv/bin/python benchmarks/capstone.py                  # full sweep + cost part (about 12 min wall, one core)
    .venv/bin/python benchmarks/capstone.py --quick          # smoke test: seed 0, size "small", no cost part
    .venv/bin/python benchmarks/capstone.py --estimate-only  # warm-up + calibration, print the estimate, stop
    .venv/bin/python benchmarks/capstone.py --cost-only      # rerun only the cost part (about 4 CPU-min)

Everything runs through :mod:`gcbook.suite` (datasets, fixed method settings, scoring,
runner); this script only chooses what to run, pins the threads and saves.

Quality part
------------
:func:`gcbook.suite.run_suite` on all seven datasets (``size="full"``: VAR(3) p=10
T=1000, Lorenz-96 F=10 and F=40 p=10 T=1000, the hidden driver T=1000, the switching
pair T=2000, the raw and the standardised SEM d=10 with 20 edges n=1000) and every
applicable method, seeds 0 and 1 (data seed = method seed). Rows: AUROC, AUPRC, SHD and
fit seconds per (dataset, seed, method), scored as :func:`gcbook.suite.evaluate` says.

Cost part
---------
Fit seconds (:func:`gcbook.suite.run_row`, seed 0) as the size grows: on the full
sparse VAR (T and lag of ``suite.SIZES``) with p = 5, 10, 20, 40 for
``granger_conditional``, ``lasso_var``, ``pcmci``, ``grngc_mlp`` and ``cmlp``; on
the raw SEM (n of ``suite.SIZES``, ER2: :func:`sem_edges` = min(2d, d(d-1)/2) edges, so
d=5 is the complete DAG) with d = 5, 10, 20 for ``notears``, ``pc`` and ``ges``.
Every fit is repeated :data:`COST_REPEATS` times; the repeats are interleaved (repeat r
runs every size and method before repeat r + 1 starts), so a slow spell of the machine
hits all sizes alike. Each row keeps the wall seconds (``fit_seconds``) and the CPU
seconds of the process (``cpu_seconds``; one thread, so on an idle machine the two
agree, and on a shared machine the CPU seconds are the less inflated).
``cost_summary`` gives, per method and size, the median and the range over the repeats,
and ``cost_growth`` the ratio of the time at each size to the time at the size before,
computed within each repeat (median and range). These are absolute seconds on one
thread of the machine recorded in ``cost_run``, for a decision guide ("seconds or
hours?"); the AUROC, SHD and edge count of each cost fit are saved too (they do not
change between repeats), but for the neural fits they are not a quality result
(a small, fixed budget). ``--cost-only`` reruns just this part and replaces it in an
existing ``capstone.json``, keeping the quality rows.

Budget choices, all fixed before any run (the target is a full run under about 30 min
on one core of the 2-core development machine)
----------------------------------------------------------------------------------
* The neural methods run the package defaults, so each fit is the estimator's penalty
  path (``lam="auto"``: the penalty with the lowest validation loss on a warm-started grid,
  extended where the choice lands on an end; GRNGC with its subsampled penalty). The one
  setting the suite changes is ``epochs`` (:data:`gcbook.suite.NEURAL_EPOCHS`): 1000 for
  CMLP and GRNGC-MLP, 300 for GRNGC-LSTM, 200 for GRNGC-KAN (package default 2000). It
  is the budget of the path's first point; each warm-started point gets ``epochs // 4``,
  and early stopping on the validation loss may end any point sooner. A whole path at
  p=10 (patience off) cost 0.02-0.04 s per budget epoch for CMLP, 0.006-0.01 s for
  GRNGC-MLP, 0.03-0.05 s for the LSTM and 0.07-0.11 s for the KAN here (the calibrations
  of two runs on 2026-12-04, on a shared machine).
  Each row records what the path chose (:data:`gcbook.suite.PATH_KEYS`), and the
  settings the estimators' parameters, read from the classes (:func:`neural_settings`).
* Every method runs on seeds 0 and 1 (:data:`SLOW_METHODS`, the methods run on seed 0
  only, is empty: GRNGC-LSTM and GRNGC-KAN were there until their default fit became
  fast enough).
* Cost part: the neural methods run the same default fit (the penalty path) with
  ``epochs`` = :data:`COST_EPOCHS` = 100 and patience off, so each point runs its whole
  budget (100 for the first, 25 for each warm point): their seconds are those of a path
  at this small budget, not of a converged fit. PCMCI stops at p = 20: a probe took
  62 s at p = 20 and more than 7 minutes at p = 40 (``pc_alpha=None`` tries six levels).
* All lag-based methods get the true lag (see :mod:`gcbook.suite`); Lorenz-96 gets 5.

The time estimate printed at the start multiplies calibration fits (one fit of each
method on the full sparse VAR and the full raw SEM, and one default neural fit, the
whole penalty path with patience off, at a budget of :data:`CALIBRATION_EPOCHS` epochs)
by the planned number of fits, scaled by ``(p / 10)**2 * lag / 3`` per dataset; for the
neural methods it scales the calibration path to the budget, as if every point ran to
its cap, so early stopping usually makes it an overestimate. The cost part is extrapolated from the p = 10 calibration with fixed exponents
(:data:`COST_EXPONENTS`).

Results go to ``gcbook/data/benchmarks/capstone.json`` (``capstone_quick.json`` with
``--quick``) after every row: settings, versions, machine, threads, command, the
estimate, calibration, rows, cost rows and the summary (median over seeds per
dataset x method). NaN is written as null.
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
from gcbook.suite import DATASETS, METHODS, make_dataset, run_method, run_row, run_suite  # noqa: E402

RESULTS_DIR = Path(__file__).resolve().parents[1] / "gcbook" / "data" / "benchmarks"
SEEDS = (0, 1)
#: Methods run on seed 0 only, as a compute budget. Empty since the neural defaults became the
#: subsampled-penalty path: a GRNGC-LSTM or -KAN fit at p=10 took 5-20 s (it took 30-80 s before).
SLOW_METHODS = ()
NEURAL = ("cmlp", "grngc_mlp", "grngc_lstm", "grngc_kan")
COST_P = (5, 10, 20, 40)
COST_TS_METHODS = ("granger_conditional", "lasso_var", "pcmci", "grngc_mlp", "cmlp")
COST_MAX_P = {"pcmci": 20}
COST_D = (5, 10, 20)
COST_DAG_METHODS = ("notears", "pc", "ges")
COST_EPOCHS = 100
#: Repeats of every cost fit (interleaved); the text reports the median and the range.
COST_REPEATS = 3
CALIBRATION_EPOCHS = 40
#: Assumed growth of the fit time with p (or d), used only for the printed estimate.
COST_EXPONENTS = {
    "granger_conditional": 3.0,
    "lasso_var": 2.5,
    "pcmci": 2.6,
    "grngc_mlp": 2.0,
    "cmlp": 2.0,
    "notears": 2.0,
    "pc": 2.0,
    "ges": 2.5,
}


# ----------------------------------------------------------------------------- helpers
def versions() -> dict:
    out = {"python": platform.python_version()}
    for package in ("numpy", "scipy", "pandas", "torch", "scikit-learn", "tigramite", "causal-learn", "networkx"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = None
    return out


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
    """JSON-safe: numpy scalars to Python, NaN to None."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return clean(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def seeds_for(method: str, quick: bool):
    return (0,) if quick or method in SLOW_METHODS else SEEDS


def fmt(x, spec):
    """``format(x, spec)``, or a dash of the same width for a missing value."""
    width = int("".join(c for c in spec.split(".")[0] if c.isdigit()) or 0)
    return "-".rjust(width) if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


# ----------------------------------------------------------------------------- estimate
def calibrate() -> dict:
    """Seconds of one fit of each method on full-size data (seed 0); for each neural model, the seconds of
    one default fit (the whole penalty path, patience off) with ``epochs = CALIBRATION_EPOCHS``, divided by
    that budget (the path's length in epochs grows in proportion to ``epochs``)."""
    out = {}
    var10 = make_dataset("sparse_var", 0)
    for method in ("granger_pairwise", "granger_conditional", "lasso_var", "pcmci"):
        out[method] = run_row(var10, method, 0)["fit_seconds"]
    for method in NEURAL:  # the default fit is a penalty path: time one with a small budget, patience off
        start = time.perf_counter()
        run_method(method, var10, 0, epochs=CALIBRATION_EPOCHS, patience=10**6)
        out[method + "_path_per_budget_epoch"] = (time.perf_counter() - start) / CALIBRATION_EPOCHS
    sem = make_dataset("sem_raw", 0)
    for method in ("notears", "sortnregress", "pc", "ges"):
        out[method] = run_row(sem, method, 0)["fit_seconds"]
    switching = make_dataset("switching", 0)
    out["window_linear"] = run_row(switching, "window_linear", 0)["fit_seconds"]
    return out


def estimate(cal: dict, with_cost: bool) -> dict:
    """Planned seconds of the quality part (upper bound for the neural fits) and of the cost part."""
    quality = 0.0
    for name, kind in DATASETS.items():
        s = suite.SIZES[name]["full"]
        p, lag = s.get("p", s.get("d", 2)), s.get("lag", 3)
        scale = (p / 10) ** 2 * (lag / 3) if kind == "timeseries" else 1.0
        for method, spec in METHODS.items():
            if kind not in spec.kinds:
                continue
            n = len(seeds_for(method, quick=False))
            if method in NEURAL:
                fit = suite.NEURAL_EPOCHS["full"][method] * cal[method + "_path_per_budget_epoch"]
            else:
                fit = cal[method]
            quality += n * fit * scale
    cost = 0.0
    if with_cost:
        for method in COST_TS_METHODS:
            base = COST_EPOCHS * cal[method + "_path_per_budget_epoch"] if method in NEURAL else cal[method]
            cost += sum(base * (p / 10) ** COST_EXPONENTS[method] for p in COST_P if p <= COST_MAX_P.get(method, p))
        for method in COST_DAG_METHODS:
            cost += sum(cal[method] * (d / 10) ** COST_EXPONENTS[method] for d in COST_D)
        cost *= COST_REPEATS
    return {"quality_seconds": quality, "cost_seconds": cost, "total_seconds": quality + cost}


def neural_settings() -> dict:
    """The neural estimators' parameters as the suite runs them, read from the classes (the package
    defaults; the suite sets only ``lag``, ``epochs``, ``seed`` and, for GRNGC, ``model``), and the
    penalty path's grid constants from :mod:`gcbook.neural`."""
    from gcbook import neural
    from gcbook.neural import CMLP, GRNGC

    skip = ("lag", "epochs", "seed", "verbose", "device")
    out = {}
    for method in NEURAL:
        est = CMLP() if method == "cmlp" else GRNGC(model=method.split("_")[1])
        out[method] = {k: v for k, v in est.get_params().items() if k not in skip}
    out["lam_auto_path"] = {
        "grid": f"lam_max * geomspace({neural._GRID_LOW:g}, 1, {neural._GRID_SIZE})",
        "max_extensions_per_end": neural._MAX_EXTENSIONS,
        "warm_epochs": "epochs // 4 (warm_epochs=None)",
    }
    return out


# ----------------------------------------------------------------------------- parts
def sem_edges(d: int) -> int:
    """Edges of the cost part's SEM with d variables: ER2 (2d), capped at the complete DAG."""
    return min(2 * d, d * (d - 1) // 2)


def cost_settings() -> dict:
    """The cost part's settings, read from the code that runs it."""
    var_full, sem_full = suite.SIZES["sparse_var"]["full"], suite.SIZES["sem_raw"]["full"]
    return {
        "sparse_var_p": COST_P,
        "ts_methods": COST_TS_METHODS,
        "max_p": COST_MAX_P,
        "sparse_var": {k: v for k, v in var_full.items() if k != "p"},
        "sem_d": COST_D,
        "sem_edges": {d: sem_edges(d) for d in COST_D},
        "sem_n": sem_full["n"],
        "dag_methods": COST_DAG_METHODS,
        "neural_epochs": COST_EPOCHS,
        "neural_patience": "off (10**6)",
        "neural_fit": "the default fit (lam='auto' penalty path); neural_epochs is its first point's budget, "
        "each warm point gets neural_epochs // 4",
        "neural_estimators": neural_settings(),
        "seed": 0,
        "repeats": COST_REPEATS,
        "order": "repeat > size > method (repeats interleaved)",
    }


def cost_rows(record):
    for repeat in range(COST_REPEATS):
        for p in COST_P:
            data = make_dataset("sparse_var", 0, p=p)
            for method in COST_TS_METHODS:
                if p > COST_MAX_P.get(method, p):
                    continue
                options = {"epochs": COST_EPOCHS, "patience": 10**6} if method in NEURAL else {}
                record(run_row(data, method, 0, **options) | {"epochs": options.get("epochs"), "repeat": repeat})
        for d in COST_D:
            data = make_dataset("sem_raw", 0, d=d, n_edges=sem_edges(d))
            for method in COST_DAG_METHODS:
                record(run_row(data, method, 0) | {"epochs": None, "repeat": repeat})


def summarize_cost(rows) -> tuple[list[dict], list[dict]]:
    """Per method and size: median and range of the wall and CPU seconds over the repeats; and the
    growth from each size to the next, as ratios within each repeat (median and range)."""
    import pandas as pd

    if not rows:
        return [], []
    df = pd.DataFrame(rows)
    summary, growth = [], []
    for (kind, method), part in df.groupby(["kind", "method"], sort=False):
        sizes = sorted(part["p"].unique())
        for p in sizes:
            at = part[part["p"] == p]
            entry = {"kind": kind, "method": method, "p": int(p), "repeats": len(at)}
            for col in ("fit_seconds", "cpu_seconds"):
                entry[col] = float(at[col].median())
                entry[col + "_min"], entry[col + "_max"] = float(at[col].min()), float(at[col].max())
            for col in ("auroc", "shd", "n_edges"):
                values = at[col].dropna().unique()
                entry[col] = float(values[0]) if len(values) else None
                entry[col + "_same_in_every_repeat"] = len(values) <= 1
            summary.append(entry)
        for small, big in zip(sizes[:-1], sizes[1:]):
            for col in ("fit_seconds", "cpu_seconds"):
                a = part[part["p"] == small].set_index("repeat")[col]
                b = part[part["p"] == big].set_index("repeat")[col]
                ratio = (b / a).dropna()
                if len(ratio):
                    growth.append(
                        {
                            "kind": kind,
                            "method": method,
                            "from": int(small),
                            "to": int(big),
                            "seconds": col,
                            "repeats": len(ratio),
                            "median": float(ratio.median()),
                            "min": float(ratio.min()),
                            "max": float(ratio.max()),
                        }
                    )
    return summary, growth


def summarize(rows) -> list[dict]:
    """Median over seeds per dataset x method of AUROC, AUPRC, SHD and seconds."""
    import pandas as pd

    if not rows:
        return []
    df = pd.DataFrame(rows)
    order = {m: i for i, m in enumerate(METHODS)}
    dorder = {d: i for i, d in enumerate(DATASETS)}
    med = (
        df.groupby(["dataset", "method", "level"], sort=False)
        .agg(
            n_seeds=("seed", "nunique"),
            auroc=("auroc", "median"),
            auprc=("auprc", "median"),
            shd=("shd", "median"),
            fit_seconds=("fit_seconds", "median"),
        )
        .reset_index()
    )
    med = med.sort_values(["dataset", "method"], key=lambda c: c.map(dorder if c.name == "dataset" else order))
    return med.to_dict("records")


def print_summary(summary):
    print(
        f"\n{'dataset':18s} {'method':20s} {'level':8s} {'seeds':>5s} {'AUROC':>6s} {'AUPRC':>6s} "
        f"{'SHD':>5s} {'seconds':>8s}"
    )
    for r in summary:
        print(
            f"{r['dataset']:18s} {r['method']:20s} {r['level']:8s} {r['n_seeds']:5d} {fmt(r['auroc'], '6.3f')} "
            f"{fmt(r['auprc'], '6.3f')} {fmt(r['shd'], '5.1f')} {fmt(r['fit_seconds'], '8.2f')}"
        )


def print_cost(rows):
    if not rows:
        return
    print(
        "\nCPU seconds against size, median [min, max] over repeats (one thread; neural: the default path at a "
        "budget of",
        COST_EPOCHS,
        "epochs, patience off)",
    )
    summary, _ = summarize_cost(rows)
    methods = list(dict.fromkeys(r["method"] for r in summary))
    for method in methods:
        cells = ", ".join(
            f"{'d' if r['kind'] == 'dag' else 'p'}={r['p']}: {r['cpu_seconds']:.2f} "
            f"[{r['cpu_seconds_min']:.2f}, {r['cpu_seconds_max']:.2f}] s"
            for r in summary
            if r["method"] == method
        )
        print(f"  {method:20s} {cells}")


def headline(summary) -> str:
    """Best median graph AUROC per dataset, the window AUROC, and the spurious links on the hidden driver."""

    def ok(x):
        return x is not None and not math.isnan(x)

    parts = []
    for name in DATASETS:
        graph = [r for r in summary if r["dataset"] == name and r["level"] == "graph" and ok(r["auroc"])]
        if graph:
            top = max(graph, key=lambda r: r["auroc"])
            parts.append(f"{name}: best {top['method']} AUROC {top['auroc']:.3f}")
    window = [r for r in summary if r["level"] == "window" and ok(r["auroc"])]
    parts += [f"{r['dataset']}: {r['method']} window AUROC {r['auroc']:.3f}" for r in window]
    hidden = [r for r in summary if r["dataset"] == "hidden_driver" and ok(r["shd"])]
    if hidden:
        wrong = sum(r["shd"] > 0 for r in hidden)
        parts.append(f"hidden_driver: {wrong} of {len(hidden)} methods with a graph report a spurious link")
    return "; ".join(parts)


# ----------------------------------------------------------------------------- main
def run_info() -> dict:
    return {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "versions": versions(),
        "machine": machine(),
        "threads": {"OMP/OPENBLAS/MKL_NUM_THREADS": THREADS, "torch": torch.get_num_threads()},
    }


def print_cost_row(row):
    unit = "d" if row["kind"] == "dag" else "p"
    print(
        f"cost r{row['repeat']} {row['method']:20s} {unit}={row['p']:3d}: {row['fit_seconds']:8.2f} s wall, "
        f"{row['cpu_seconds']:8.2f} s CPU",
        flush=True,
    )


def cost_only() -> int:
    """Rerun the cost part alone and replace it (settings, rows, summaries) in capstone.json."""
    wall = time.perf_counter()
    path = RESULTS_DIR / "capstone.json"
    results = json.loads(path.read_text())
    info = run_info()
    print(f"capstone cost part only: {info}")
    # warm-up: imports and torch initialisation, so that the first timed fit does not pay for them
    run_suite(["sparse_var", "sem_raw"], [*COST_TS_METHODS, *COST_DAG_METHODS], seeds=(0,), size="small")
    cost = []

    def record(row):
        cost.append(row)
        print_cost_row(row)

    cost_rows(record)
    info["wall_seconds"] = time.perf_counter() - wall
    info["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["settings"]["cost"] = cost_settings()
    results["cost"] = cost
    results["cost_summary"], results["cost_growth"] = summarize_cost(cost)
    results["cost_run"] = info
    path.write_text(json.dumps(clean(results), indent=1) + "\n")
    print_cost(cost)
    print(
        f"SUMMARY capstone cost part: {len(cost)} rows ({COST_REPEATS} repeats), "
        f"wall {info['wall_seconds'] / 60:.1f} min; written to {path}"
    )
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help='seed 0, size "small", no cost part (smoke test)')
    parser.add_argument("--estimate-only", action="store_true", help="warm up, calibrate, print the estimate, stop")
    parser.add_argument(
        "--cost-only", action="store_true", help="rerun only the cost part and replace it in the existing capstone.json"
    )
    args = parser.parse_args(argv)
    if args.cost_only:
        return cost_only()
    wall = time.perf_counter()
    size = "small" if args.quick else "full"
    path = RESULTS_DIR / ("capstone_quick.json" if args.quick else "capstone.json")

    results = {
        "settings": {
            "quick": args.quick,
            "size": size,
            "datasets": {name: {"kind": kind, **suite.SIZES[name][size]} for name, kind in DATASETS.items()},
            "methods": {
                name: {"kinds": list(spec.kinds), "uses_lag": spec.uses_lag, "settings": spec.description}
                for name, spec in METHODS.items()
            },
            "seeds": {m: list(seeds_for(m, args.quick)) for m in METHODS},
            "neural_epochs": suite.NEURAL_EPOCHS[size],
            "neural_estimators": neural_settings(),
            "alpha": suite.ALPHA,
            "lasso_alpha": suite.LASSO_ALPHA,
            "window": suite.WINDOW,
            "cost": None if args.quick else cost_settings(),
        },
        "versions": versions(),
        "machine": machine(),
        "threads": {"OMP/OPENBLAS/MKL_NUM_THREADS": THREADS, "torch": torch.get_num_threads()},
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "estimate": None,
        "calibration": None,
        "rows": [],
        "cost": [],
        "summary": [],
    }

    def save():
        results["summary"] = summarize(results["rows"])
        results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        results["wall_seconds"] = time.perf_counter() - wall
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(clean(results), indent=1) + "\n")

    print(
        f"capstone: size={size}, quick={args.quick}; threads: OMP/OPENBLAS/MKL={THREADS}, "
        f"torch={torch.get_num_threads()}"
    )
    print(f"versions: {results['versions']}")
    print(f"machine: {results['machine']}")

    if not args.quick:
        # warm-up: imports, first allocations, torch initialisation (every method once on small data)
        start = time.perf_counter()
        run_suite(seeds=(0,), size="small")
        print(f"warm-up (every method on the small datasets): {time.perf_counter() - start:.1f} s", flush=True)
        cal = calibrate()
        results["calibration"] = cal
        results["estimate"] = est = estimate(cal, with_cost=True)
        print("calibration (s): " + ", ".join(f"{k} {v:.3g}" for k, v in cal.items()))
        print(
            f"ESTIMATE: quality part ~ {est['quality_seconds'] / 60:.1f} min (neural penalty paths run to their "
            f"budgets; early stopping cuts this), cost part ~ {est['cost_seconds'] / 60:.1f} min, "
            f"total <= {est['total_seconds'] / 60:.1f} min",
            flush=True,
        )
        if args.estimate_only:  # writes nothing, so an earlier full result is kept
            return 0
        save()

    def on_result(row):
        results["rows"].append(row)
        save()
        print(
            f"{row['dataset']:18s} seed {row['seed']} {row['method']:20s} AUROC {fmt(row['auroc'], '.3f'):>5s} "
            f"AUPRC {fmt(row['auprc'], '.3f'):>5s} SHD {fmt(row['shd'], 'g'):>3s} {row['fit_seconds']:8.2f} s",
            flush=True,
        )

    fast = [m for m in METHODS if m not in SLOW_METHODS]
    run_suite(methods=fast, seeds=(0,) if args.quick else SEEDS, size=size, on_result=on_result)
    if SLOW_METHODS:
        run_suite(methods=list(SLOW_METHODS), seeds=(0,), size=size, on_result=on_result)

    if not args.quick:
        results["cost_run"] = run_info()

        def record(row):
            results["cost"].append(row)
            results["cost_summary"], results["cost_growth"] = summarize_cost(results["cost"])
            save()
            print_cost_row(row)

        cost_rows(record)

    save()
    print_summary(results["summary"])
    print_cost(results["cost"])
    total_fit = sum(r["fit_seconds"] for r in results["rows"])
    print(f"\npeak RSS {results['peak_rss_mb']:.0f} MB; results written to {path}")
    print(
        f"SUMMARY capstone ({size}): {len(results['rows'])} rows, {len(results['cost'])} cost rows, "
        f"fit time {total_fit / 60:.1f} min, wall {(time.perf_counter() - wall) / 60:.1f} min; "
        + headline(results["summary"])
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
