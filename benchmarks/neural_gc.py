"""Neural Granger causality: accuracy of GRNGC (MLP, LSTM, KAN) and CMLP, and fit time against p.

Usage::

    python benchmarks/neural_gc.py            # everything (about an hour on one core)
    python benchmarks/neural_gc.py --quick    # one seed, GRNGC-MLP and CMLP only

Quality: AUROC on the off-diagonal entries of ``scores_`` (max over lags), and of the mean
over lags, for VAR(3) p=10 T=1000 and Lorenz-96 p=10 T=1000 with F=10 and F=40, seeds
0, 1, 2 (data seed = model seed). GRNGC-MLP and CMLP are fitted over a penalty grid fixed
before any run and the fit with the lowest *validation forecasting loss* is reported; the
AUROC of every grid point is saved too, to show (never to select) what the answer key
would have picked. All other settings are the package defaults (CMLP's are the published
cMLP ones: hidden 100, ridge 0.01, ISTA step 0.05). The LSTM and KAN forecasters reuse the
penalty GRNGC-MLP picked on the same data, with at most 600 epochs (a compute budget);
KAN runs on seed 0 only. Every fit stops on the validation loss with the same rule (check
every 10 epochs, patience 20 checks, at most 2000 epochs).

Speed, on Lorenz-96 (F=10, T=1000, seed 0), one thread, GRNGC-MLP and CMLP alternating:
the full fit at p=20 (three repeats; ratio = median over repeats of CMLP/GRNGC), and the
time per epoch over 30 epochs for p = 10, 20, 40, 80.
The per-epoch times are one repeat each, and the full fits all run to the 2000-epoch cap with
the default penalties; the chapter draws its timing conclusions from the repeated, alternated
run of ``python benchmarks/neural_gc_penalty.py --timing`` instead.

Results go to ``benchmarks/results/neural_gc.json`` after every record, so an interrupted
run keeps what it finished.
"""

from __future__ import annotations

import os

THREADS = 1
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(THREADS)

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(THREADS)

from gcbook.metrics import auprc, auroc  # noqa: E402
from gcbook.neural import CMLP, GRNGC, lambda_path  # noqa: E402
from gcbook.simulate import lorenz96, var  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "neural_gc.json"
SEEDS = (0, 1, 2)
DATASETS = {
    "VAR(3)": lambda seed: var(p=10, T=1000, lag=3, seed=seed),
    "Lorenz-96 F=10": lambda seed: lorenz96(10, 1000, F=10.0, seed=seed),
    "Lorenz-96 F=40": lambda seed: lorenz96(10, 1000, F=40.0, seed=seed),
}
# Penalty grids, fixed before any run; the fit with the lowest validation loss is reported.
GRNGC_LAMS = (0.01, 0.03, 0.1, 0.3, 1.0)
CMLP_LAMS = (0.002, 0.01, 0.05, 0.25)  # starts at the published cMLP value
# LSTM and KAN reuse the penalty that GRNGC-MLP's validation loss picked on the same data,
# with at most 600 epochs: a compute budget (one KAN epoch costs about 0.35 s here).
SLOW_EPOCHS = 600
SLOW_SEEDS = {"GRNGC-LSTM": SEEDS, "GRNGC-KAN": SEEDS[:1]}
TIMED = ("GRNGC-MLP", "CMLP")
PER_EPOCH_P = (10, 20, 40, 80)
PER_EPOCH_EPOCHS = 30


def grngc(seed, **kw):
    return GRNGC(lag=5, seed=seed, **kw)


def cmlp(seed, **kw):
    return CMLP(lag=5, seed=seed, **kw)


def path_records(dataset, method, seed, X, A, estimator, lams):
    path = lambda_path(estimator, X, lams)
    best = path.selected
    rec = {
        "dataset": dataset,
        "method": method,
        "seed": seed,
        "lam": float(path.lams[best]),
        "auroc": auroc(A, path.scores[best]),
        "auroc_mean_lag": auroc(A, path.scores_by_lag[best].mean(axis=2)),
        "auprc": auprc(A, path.scores[best]),
        "fit_seconds": float(path.fit_seconds.sum()),
        "path": {
            "lams": path.lams.tolist(),
            "val_loss": path.val_loss.tolist(),
            "auroc": [auroc(A, s) for s in path.scores],
            "fit_seconds": path.fit_seconds.tolist(),
        },
    }
    return rec


def single_record(dataset, method, seed, X, A, est):
    est.fit(X)
    return {
        "dataset": dataset,
        "method": method,
        "seed": seed,
        "lam": float(est.lam),
        "auroc": auroc(A, est.scores_),
        "auroc_mean_lag": auroc(A, est.scores_by_lag_.mean(axis=2)),
        "auprc": auprc(A, est.scores_),
        "fit_seconds": est.fit_seconds_,
        "epochs_run": int(est.loss_history_.epoch[-1]),
        "best_epoch": int(est.loss_history_.best_epoch),
    }


def timing_record(p, method, repeat, epochs=None, makers=None):
    """Fit ``makers[method](**kw)`` on Lorenz-96 (F=10, T=1000, seed 0) and time it.

    ``epochs`` fixes the number of epochs (patience never runs out); ``None`` keeps the
    estimator's own stopping rule. ``makers`` maps method names to estimator factories
    (default: GRNGC-MLP and CMLP with the package defaults and seed 0).
    """
    makers = makers or {"GRNGC-MLP": lambda **kw: grngc(0, **kw), "CMLP": lambda **kw: cmlp(0, **kw)}
    X, A = lorenz96(p, 1000, F=10.0, seed=0)
    kw = {} if epochs is None else {"epochs": epochs, "patience": 10**6}
    est = makers[method](**kw).fit(X)
    ran = int(est.loss_history_.epoch[-1])
    return {
        "p": p,
        "method": method,
        "repeat": repeat,
        "seconds": est.fit_seconds_,
        "epochs_run": ran,
        "seconds_per_epoch": est.fit_seconds_ / ran,
        "auroc": auroc(A, est.scores_),
    }


def ratios(records, key, method="GRNGC-MLP"):
    """Median over repeats of CMLP's ``key`` over ``method``'s, per ``p`` (keys are ``str(p)``)."""
    pairs = {}
    for r in records:
        pairs.setdefault((r["p"], r["repeat"]), {})[r["method"]] = r[key]
    out = {}
    for p in sorted({p for p, _ in pairs}):
        per_repeat = [v["CMLP"] / v[method] for (q, _), v in pairs.items() if q == p and "CMLP" in v and method in v]
        if per_repeat:
            out[str(p)] = float(np.median(per_repeat))
    return out


def summarize(results):
    medians = {}
    for rec in results["auroc"]:
        medians.setdefault(rec["dataset"], {}).setdefault(rec["method"], []).append(rec["auroc"])
    auroc_median = {d: {m: float(np.median(v)) for m, v in ms.items()} for d, ms in medians.items()}
    return {
        "auroc_median": auroc_median,
        "time_ratio_cmlp_over_grngc": ratios(results["timing"], "seconds"),
        "epoch_time_ratio_cmlp_over_grngc": ratios(results["per_epoch"], "seconds_per_epoch"),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def save(results):
    results["summary"] = summarize(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")


def report(kind, rec):
    extra = f"lam {rec['lam']:g}, " if "lam" in rec else ""
    print(f"{kind} {rec.get('dataset', '')} {rec['method']} seed {rec.get('seed', '')}: AUROC {rec['auroc']:.3f} "
          f"(mean over lags {rec['auroc_mean_lag']:.3f}), {extra}{rec['fit_seconds']:.1f} s", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed, GRNGC-MLP and CMLP, p=20 only")
    args = parser.parse_args(argv)
    seeds = SEEDS[:1] if args.quick else SEEDS
    repeats = 1 if args.quick else 3

    results = {
        "settings": {
            "quality": {"datasets": list(DATASETS), "T": 1000, "p": 10, "seeds": list(seeds)},
            "grngc": repr(grngc(0)),
            "cmlp": repr(cmlp(0)),
            "grngc_lams": GRNGC_LAMS,
            "cmlp_lams": CMLP_LAMS,
            "selection": "the penalty with the lowest validation MSE on the grid (lambda_path(...).selected)",
            "slow_models": {"epochs": SLOW_EPOCHS, "seeds": {k: list(v) for k, v in SLOW_SEEDS.items()},
                            "lam": "the one GRNGC-MLP selected on the same data"},
            "timing": {"data": "Lorenz-96 F=10 T=1000 seed 0", "full_fit_p": 20, "repeats": repeats,
                       "per_epoch_p": PER_EPOCH_P, "per_epoch_epochs": PER_EPOCH_EPOCHS},
            "quick": args.quick,
        },
        "versions": {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
                     "machine": platform.machine()},
        "threads": THREADS,
        "auroc": [],
        "timing": [],
        "per_epoch": [],
    }
    print(f"threads: OMP/OPENBLAS/MKL={THREADS}, torch={torch.get_num_threads()}; versions {results['versions']}")

    GRNGC(lag=2, epochs=20, seed=0).fit(var(p=3, T=200, seed=0)[0])  # warm-up: imports, first allocations
    CMLP(lag=2, epochs=20, seed=0).fit(var(p=3, T=200, seed=0)[0])

    for p in PER_EPOCH_P[:2] if args.quick else PER_EPOCH_P:
        for method in TIMED:  # alternate GRNGC, CMLP at each p
            rec = timing_record(p, method, 0, epochs=PER_EPOCH_EPOCHS)
            results["per_epoch"].append(rec)
            save(results)
            print(f"epoch p={p:3d} {method:10s}: {1e3 * rec['seconds_per_epoch']:.1f} ms/epoch", flush=True)
    for repeat in range(repeats):
        for method in TIMED:
            rec = timing_record(20, method, repeat)
            results["timing"].append(rec)
            save(results)
            print(f"fit   p= 20 {method:10s} repeat {repeat}: {rec['seconds']:7.1f} s, {rec['epochs_run']} epochs, "
                  f"AUROC {rec['auroc']:.3f}", flush=True)

    selected = {}
    for dataset in DATASETS:
        for seed in seeds:
            X, A = DATASETS[dataset](seed)
            rec = path_records(dataset, "GRNGC-MLP", seed, X, A, grngc(seed), GRNGC_LAMS)
            selected[dataset, seed] = rec["lam"]
            results["auroc"].append(rec), save(results), report("path", rec)
            rec = path_records(dataset, "CMLP", seed, X, A, cmlp(seed), CMLP_LAMS)
            results["auroc"].append(rec), save(results), report("path", rec)
    if not args.quick:
        for method, model in (("GRNGC-LSTM", "lstm"), ("GRNGC-KAN", "kan")):
            for dataset in DATASETS:
                for seed in SLOW_SEEDS[method]:
                    X, A = DATASETS[dataset](seed)
                    est = grngc(seed, model=model, lam=selected[dataset, seed], epochs=SLOW_EPOCHS)
                    rec = single_record(dataset, method, seed, X, A, est)
                    results["auroc"].append(rec), save(results), report("fit ", rec)

    summary = results["summary"]
    for dataset, by_method in summary["auroc_median"].items():
        print(f"median AUROC {dataset}: " + ", ".join(f"{m} {v:.3f}" for m, v in by_method.items()))
    print(f"peak RSS {summary['peak_rss_mb']:.0f} MB")
    per_epoch = ", ".join(f"p={p}: {r:.2f}x" for p, r in summary["epoch_time_ratio_cmlp_over_grngc"].items())
    full = ", ".join(f"p={p}: {r:.2f}x" for p, r in summary["time_ratio_cmlp_over_grngc"].items())
    print(f"SUMMARY time CMLP/GRNGC-MLP: full fit {full}; per epoch {per_epoch}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
