"""Speed of gcbook.granger.granger_test against a loop of statsmodels' grangercausalitytests.

Both sides test every ordered pair of a p=20, T=2000 series with lag 5 (380 pairwise tests) on the
same data; statsmodels is asked for that one lag only (``maxlag=[5]``) so it does no extra work.
The runs alternate (ours, statsmodels, ours, ...) and the figure reported is the median of the
per-round ratios, as ../shared/BENCHMARKING.md asks.

Run: ``.venv/bin/python benchmarks/granger_speed.py [--repeats 5]``.
Writes ``gcbook/data/benchmarks/granger_speed.json``.
"""

import os

THREADS = "1"
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = THREADS

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import statsmodels  # noqa: E402
from statsmodels.tsa.stattools import grangercausalitytests  # noqa: E402

from gcbook.granger import granger_test  # noqa: E402
from gcbook.simulate import var  # noqa: E402


def statsmodels_all_pairs(X, lag):
    """The baseline: one grangercausalitytests call per ordered pair; returns F and p (p, p)."""
    p = X.shape[1]
    F = np.full((p, p), np.nan)
    P = np.full((p, p), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(p):
            for j in range(p):
                if i != j:
                    out = grangercausalitytests(X[:, [j, i]], [lag])
                    F[i, j], P[i, j] = out[lag][0]["ssr_ftest"][:2]
    return F, P


def timed(func, *args):
    start = time.perf_counter()
    value = func(*args)
    return time.perf_counter() - start, value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--p", type=int, default=20)
    parser.add_argument("--T", type=int, default=2000)
    parser.add_argument("--lag", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    X, _ = var(p=args.p, T=args.T, lag=args.lag, seed=args.seed)
    print(f"settings: p={args.p} T={args.T} lag={args.lag} repeats={args.repeats} seed={args.seed}")
    print(f"threads: OMP/OPENBLAS/MKL_NUM_THREADS={THREADS}")
    print(
        f"versions: python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"statsmodels {statsmodels.__version__}"
    )

    # Warm-up: imports, first allocations, BLAS initialisation.
    granger_test(X[:200, :3], args.lag)
    statsmodels_all_pairs(X[:200, :3], args.lag)

    ours_times, theirs_times, ratios = [], [], []
    for _ in range(args.repeats):
        t_ours, ours = timed(granger_test, X, args.lag)
        t_theirs, (F, P) = timed(statsmodels_all_pairs, X, args.lag)
        ours_times.append(t_ours)
        theirs_times.append(t_theirs)
        ratios.append(t_theirs / t_ours)

    off = ~np.eye(args.p, dtype=bool)
    max_abs_p = float(np.max(np.abs(ours.p_value[off] - P[off])))
    max_rel_p = float(np.max(np.abs(ours.p_value[off] - P[off]) / np.maximum(P[off], 1e-300)))
    max_rel_f = float(np.max(np.abs(ours.f_stat[off] - F[off]) / F[off]))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    result = {
        "settings": vars(args),
        "threads": int(THREADS),
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "statsmodels": statsmodels.__version__},
        "gcbook_seconds": ours_times,
        "statsmodels_seconds": theirs_times,
        "ratio_per_round": ratios,
        "median_ratio": float(np.median(ratios)),
        "ratio_range": [float(min(ratios)), float(max(ratios))],
        "max_abs_p_value_diff": max_abs_p,
        "max_rel_p_value_diff": max_rel_p,
        "max_rel_f_diff": max_rel_f,
        "peak_rss_mb": peak_mb,
    }
    out = Path(__file__).resolve().parents[1] / "gcbook" / "data" / "benchmarks" / "granger_speed.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")

    print(
        f"gcbook granger_test:        median {np.median(ours_times):.4f} s  (min {min(ours_times):.4f}, max {max(ours_times):.4f})"
    )
    print(
        f"statsmodels loop (380 calls): median {np.median(theirs_times):.3f} s  (min {min(theirs_times):.3f}, max {max(theirs_times):.3f})"
    )
    print(
        f"max |p difference| {max_abs_p:.2e}, max relative p difference {max_rel_p:.2e}, max relative F difference {max_rel_f:.2e}"
    )
    print(f"peak RSS {peak_mb:.0f} MB; results written to {out}")
    print(
        f"SUMMARY granger_speed: gcbook is {np.median(ratios):.1f}x faster than the statsmodels loop "
        f"(median of {args.repeats} alternating rounds, range {min(ratios):.1f}-{max(ratios):.1f}x), "
        f"max p-value difference {max_abs_p:.1e}"
    )


if __name__ == "__main__":
    main()
