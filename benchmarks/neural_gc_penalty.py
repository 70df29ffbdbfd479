"""GRNGC's Jacobian penalty, exact vs estimated on a random subset of windows, against CMLP.

Usage::

    python benchmarks/neural_gc_penalty.py           # about 20 minutes on one core
    python benchmarks/neural_gc_penalty.py --quick   # one seed, p=20 only, one repeat
    python benchmarks/neural_gc_penalty.py --timing  # the per-epoch timing alone (a few minutes)

``GRNGC(penalty_samples=m)`` computes the penalty on ``m`` random training windows per epoch
instead of all ``n``: an unbiased estimate of the penalty and its gradient. ``m = 64`` was
fixed before any run. This script measures

1. the estimator: relative spread of the penalty estimate and cosine similarity of its
   gradient with the exact gradient, over 50 draws, for m = 16, 64, 256, at a GRNGC-MLP
   trained on Lorenz-96 (p=10, F=10, seed 0);
2. quality: AUROC of GRNGC-MLP with ``penalty_samples=64`` on the datasets and seeds of
   ``neural_gc.py``, with the penalty chosen on the same grid by validation loss;
3. speed, one thread, Lorenz-96 F=10 T=1000 seed 0, methods alternating within each step:
   the full fit (same stopping rule) at p=20 (three repeats) and p=40 (one) for
   GRNGC-MLP with m=64 and CMLP, and the time per epoch over 30 epochs at p = 10, 20, 40,
   80 for GRNGC-MLP exact, GRNGC-MLP m=64 and CMLP. Ratios are CMLP / GRNGC.

Results: ``benchmarks/results/neural_gc_penalty.json`` (written after every record).

``--timing`` runs only a repeated per-epoch timing and writes
``benchmarks/results/neural_gc_timing.json``: the three methods above at p = 10, 20, 40, 80
(Lorenz-96 F=10, T=1000, seed 0, one thread), ``TIMING_EPOCHS`` epochs per fit with patience
switched off, ``TIMING_REPEATS`` repeats. Within a repeat the methods alternate at every p, and
their order rotates from one repeat to the next, so that all three see the same machine load.
Each record's time per epoch is ``fit_seconds_ / epochs`` (it includes one validation check per
10 epochs and, for GRNGC, the final read-out Jacobian, spread over the epochs). The summary
gives, per p and method, the median and range over repeats of the time per epoch, and the
median and range over repeats of its ratio to CMLP (the baseline) measured in the same repeat.
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

sys.path.insert(0, str(Path(__file__).parent))
from neural_gc import DATASETS, GRNGC_LAMS, SEEDS, path_records, ratios, timing_record  # noqa: E402

from gcbook.neural import CMLP, GRNGC, input_jacobian, lagged_windows  # noqa: E402
from gcbook.simulate import lorenz96  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "neural_gc_penalty.json"
TIMING_RESULTS = Path(__file__).parent / "results" / "neural_gc_timing.json"
TIMING_P = (10, 20, 40, 80)
TIMING_EPOCHS = 20
TIMING_REPEATS = 5
TIMING_BASELINE = "CMLP"
M = 64
METHODS = {
    "GRNGC-MLP": lambda **kw: GRNGC(lag=5, seed=0, **kw),
    f"GRNGC-MLP m={M}": lambda **kw: GRNGC(lag=5, seed=0, penalty_samples=M, **kw),
    "CMLP": lambda **kw: CMLP(lag=5, seed=0, **kw),
}


def estimator_records(draws=50):
    """Spread of the subsampled penalty and agreement of its gradient with the exact one."""
    X, _ = lorenz96(10, 1000, F=10.0, seed=0)
    est = GRNGC(lag=5, seed=0, epochs=300).fit(X)
    inputs, _ = lagged_windows((X - est.mean_) / est.std_, 5)
    x = torch.as_tensor(inputs[:800], dtype=torch.float32)
    params = list(est.model_.parameters())

    def penalty_and_grad(batch):
        penalty = input_jacobian(est.model_, batch, create_graph=True).abs().mean(0).sum() / X.shape[1]
        grads = torch.autograd.grad(penalty, params, allow_unused=True)  # the output bias has no gradient
        return penalty.item(), torch.cat([g.reshape(-1) for g in grads if g is not None])

    exact, exact_grad = penalty_and_grad(x)
    gen = torch.Generator().manual_seed(0)
    records = []
    for m in (16, 64, 256):
        values, cosines = [], []
        for _ in range(draws):
            value, grad = penalty_and_grad(x[torch.randperm(len(x), generator=gen)[:m]])
            values.append(value)
            cosines.append(float(torch.nn.functional.cosine_similarity(grad, exact_grad, dim=0)))
        records.append({
            "m": m,
            "n": len(x),
            "exact_penalty": exact,
            "mean_estimate": float(np.mean(values)),
            "relative_sd": float(np.std(values) / exact),
            "gradient_cosine_median": float(np.median(cosines)),
            "gradient_cosine_min": float(np.min(cosines)),
        })
    return records


def save(results):
    sub = f"GRNGC-MLP m={M}"
    medians = {}
    for rec in results["auroc"]:
        medians.setdefault(rec["dataset"], []).append(rec["auroc"])
    results["summary"] = {
        "auroc_median": {d: float(np.median(v)) for d, v in medians.items()},
        "time_ratio_cmlp_over_subsampled": ratios(results["timing"], "seconds", sub),
        "epoch_time_ratio_cmlp_over_subsampled": ratios(results["per_epoch"], "seconds_per_epoch", sub),
        "epoch_time_ratio_cmlp_over_exact": ratios(results["per_epoch"], "seconds_per_epoch", "GRNGC-MLP"),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")


def timing_summary(records):
    """Median and range over repeats of the time per epoch, and of its ratio to the baseline."""
    by_key = {(r["p"], r["repeat"], r["method"]): r["seconds_per_epoch"] for r in records}
    summary = {}
    for p in sorted({r["p"] for r in records}):
        summary[str(p)] = {}
        for method in METHODS:
            repeats = sorted(q for (pp, q, m) in by_key if pp == p and m == method)
            times = [by_key[p, q, method] for q in repeats]
            ratios_ = [by_key[p, q, method] / by_key[p, q, TIMING_BASELINE] for q in repeats
                       if (p, q, TIMING_BASELINE) in by_key]
            summary[str(p)][method] = {
                "repeats": len(times),
                "seconds_per_epoch_median": float(np.median(times)),
                "seconds_per_epoch_min": float(np.min(times)),
                "seconds_per_epoch_max": float(np.max(times)),
                f"ratio_to_{TIMING_BASELINE}_median": float(np.median(ratios_)),
                f"ratio_to_{TIMING_BASELINE}_min": float(np.min(ratios_)),
                f"ratio_to_{TIMING_BASELINE}_max": float(np.max(ratios_)),
            }
    return summary


def timing_main():
    """Repeated, alternated per-epoch timing of the three methods; see the module docstring."""
    names = list(METHODS)
    results = {
        "settings": {"p": list(TIMING_P), "epochs": TIMING_EPOCHS, "repeats": TIMING_REPEATS,
                     "baseline": TIMING_BASELINE, "data": "lorenz96(p, 1000, F=10.0, seed=0)",
                     "order": "methods alternate at every p; their order rotates by one each repeat",
                     "methods": {name: repr(make(epochs=TIMING_EPOCHS, patience=10**6))
                                 for name, make in METHODS.items()}},
        "versions": {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
                     "machine": platform.machine()},
        "threads": {"torch": torch.get_num_threads(), "OMP_NUM_THREADS": os.environ["OMP_NUM_THREADS"]},
        "per_epoch": [],
    }
    GRNGC(lag=2, epochs=20, seed=0).fit(lorenz96(4, 200, seed=0)[0])  # warm-up
    for repeat in range(TIMING_REPEATS):
        order = names[repeat % len(names):] + names[: repeat % len(names)]
        for p in TIMING_P:
            for method in order:
                rec = timing_record(p, method, repeat, epochs=TIMING_EPOCHS, makers=METHODS)
                assert rec["epochs_run"] == TIMING_EPOCHS
                results["per_epoch"].append(rec)
                print(f"repeat {repeat} p={p:3d} {method:16s}: {1e3 * rec['seconds_per_epoch']:.1f} ms/epoch",
                      flush=True)
            results["summary"] = timing_summary(results["per_epoch"])
            TIMING_RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    for p, rows in results["summary"].items():
        print(f"p={p}: " + "; ".join(
            f"{m} {1e3 * v['seconds_per_epoch_median']:.1f} ms (x{v['ratio_to_CMLP_median']:.2f} of CMLP, "
            f"{v['ratio_to_CMLP_min']:.2f}-{v['ratio_to_CMLP_max']:.2f})" for m, v in rows.items()))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--timing", action="store_true", help="only the repeated per-epoch timing")
    args = parser.parse_args(argv)
    if args.timing:
        return timing_main()
    seeds = SEEDS[:1] if args.quick else SEEDS
    full_fits = [(20, 0)] if args.quick else [(20, 0), (20, 1), (20, 2), (40, 0)]
    per_epoch_p = (10, 20) if args.quick else (10, 20, 40, 80)
    results = {
        "settings": {"penalty_samples": M, "grid": GRNGC_LAMS, "seeds": list(seeds), "full_fits": full_fits,
                     "per_epoch_p": per_epoch_p, "per_epoch_epochs": 30,
                     "methods": {name: repr(make()) for name, make in METHODS.items()}, "quick": args.quick},
        "versions": {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__},
        "threads": THREADS,
        "estimator": [], "auroc": [], "timing": [], "per_epoch": [],
    }
    print(f"threads: OMP/OPENBLAS/MKL={THREADS}, torch={torch.get_num_threads()}; versions {results['versions']}")
    GRNGC(lag=2, epochs=20, seed=0).fit(lorenz96(4, 200, seed=0)[0])  # warm-up

    results["estimator"] = estimator_records()
    save(results)
    for rec in results["estimator"]:
        print(f"estimator m={rec['m']:3d}: relative sd {rec['relative_sd']:.3f}, "
              f"gradient cosine median {rec['gradient_cosine_median']:.3f} (min {rec['gradient_cosine_min']:.3f})",
              flush=True)
    for p in per_epoch_p:
        for method in METHODS:
            rec = timing_record(p, method, 0, epochs=30, makers=METHODS)
            results["per_epoch"].append(rec), save(results)
            print(f"epoch p={p:3d} {method:16s}: {1e3 * rec['seconds_per_epoch']:.1f} ms/epoch", flush=True)
    for p, repeat in full_fits:
        for method in (f"GRNGC-MLP m={M}", "CMLP"):
            rec = timing_record(p, method, repeat, makers=METHODS)
            results["timing"].append(rec), save(results)
            print(f"fit   p={p:3d} {method:16s} repeat {repeat}: {rec['seconds']:.1f} s, {rec['epochs_run']} epochs, "
                  f"AUROC {rec['auroc']:.3f}", flush=True)
    for dataset in DATASETS:
        for seed in seeds:
            X, A = DATASETS[dataset](seed)
            est = GRNGC(lag=5, seed=seed, penalty_samples=M)
            rec = path_records(dataset, f"GRNGC-MLP m={M}", seed, X, A, est, GRNGC_LAMS)
            results["auroc"].append(rec), save(results)
            print(f"path {dataset} seed {seed}: AUROC {rec['auroc']:.3f} at lam {rec['lam']:g}, "
                  f"{rec['fit_seconds']:.1f} s", flush=True)

    s = results["summary"]
    print("median AUROC: " + ", ".join(f"{d} {v:.3f}" for d, v in s["auroc_median"].items()))
    print(f"peak RSS {s['peak_rss_mb']:.0f} MB")
    full = ", ".join(f"p={p}: {r:.2f}x" for p, r in s["time_ratio_cmlp_over_subsampled"].items())
    epoch_sub = ", ".join(f"p={p}: {r:.2f}x" for p, r in s["epoch_time_ratio_cmlp_over_subsampled"].items())
    epoch_exact = ", ".join(f"p={p}: {r:.2f}x" for p, r in s["epoch_time_ratio_cmlp_over_exact"].items())
    print(f"SUMMARY time CMLP / GRNGC-MLP m={M}: full fit {full}; per epoch {epoch_sub} "
          f"(CMLP / exact GRNGC per epoch: {epoch_exact})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
