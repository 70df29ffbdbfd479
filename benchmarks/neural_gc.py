"""Neural Granger causality with the default penalty choice: accuracy, speed against CMLP, scale.

Usage::

    python benchmarks/neural_gc.py                        # every part, one process
    python benchmarks/neural_gc.py --part timing          # one part; others already in the file are kept
    python benchmarks/neural_gc.py --part accuracy --part scale
    python benchmarks/neural_gc.py --quick                # smoke test: one seed, 40-epoch budgets

Every neural method uses the same selection rule, the estimators' default ``lam="auto"``:
a warm-started validation path over a grid scaled to the data, the penalty with the lowest
validation forecasting loss kept, and the grid extended when that choice lands on an end.
No grid is typed here and no choice ever looks at the truth. All settings other than
``lag=5`` and the seed are the package defaults (CMLP's are the published cMLP ones:
hidden 100, ridge 0.01, ISTA step 0.05); ``settings.methods`` holds ``get_params()`` of
the estimators as the code built them.

Parts (``--part``, repeatable; default all three):

accuracy
    Off-diagonal AUROC and AUPRC (``scores_[i, j]`` = strength of cause ``i`` -> effect
    ``j``) on VAR(3) (p=10, T=1000, lag 3) and Lorenz-96 (p=10, T=1000, F=10 and F=40),
    seeds 0, 1, 2 (data seed = model seed), all methods with lag 5: GRNGC (default:
    64-window subsampled Jacobian penalty), GRNGC exact (``penalty_samples=None``: what the
    subsample costs in accuracy), CMLP, GRNGC-LSTM (the LSTM forecaster, defaults), and
    the linear baselines: the conditional Granger F-test inside an unpenalised VAR(5) and
    the pairwise F-test (scores = F statistics). GRNGC-KAN is left out: a KAN epoch
    took about 35 ms here (p=10), and a default path runs several thousand epochs, minutes
    per fit, beyond this benchmark's budget. Per neural fit the chosen ``lam_``, the path and its validation
    losses, whether the choice is strictly inside the path, the grid extensions, and the
    chosen point's training history (epochs run, best epoch, early stop) are saved.
timing
    Lorenz-96 T=1000, p in (20, 40), F in (10, 40), seeds 0, 1, 2 as three repeats; the
    default GRNGC and the default CMLP alternate, their order swapped every repeat, one
    thread. ``seconds`` is the wall time of ``fit`` (penalty choice included);
    ``timing_ratio`` is CMLP's median over GRNGC's median, with the ratio per repeat.
    Repeats run outermost, so a run cut short keeps every configuration with equal repeats.
scale
    The default GRNGC on Lorenz-96 p=100, T=1000, F=10, one thread: seconds and AUROC.

Results go to ``gcbook/data/benchmarks/neural_gc.json`` after every record, so an interrupted
run keeps what it finished. Two processes running different parts can share the file: each
rewrites only its own parts' keys under a file lock (a part already in the file is kept
when the file comes from a run of the same kind, quick or full). The summaries are
recomputed from the records at every write, with their repeat counts.
"""

from __future__ import annotations

import os

THREADS = 1
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(THREADS)

import argparse  # noqa: E402
import fcntl  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import shlex  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(THREADS)

from gcbook.granger import granger_test  # noqa: E402
from gcbook.metrics import auprc, auroc  # noqa: E402
from gcbook.neural import CMLP, GRNGC  # noqa: E402
from gcbook.simulate import lorenz96, var  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parents[1] / "gcbook" / "data" / "benchmarks" / "neural_gc.json"
LOCK = Path(tempfile.gettempdir()) / "gcbook_neural_gc_json.lock"
PARTS = ("accuracy", "timing", "scale")
PART_KEYS = {"accuracy": ("accuracy",), "timing": ("timing", "timing_summary", "timing_ratio"), "scale": ("scale",)}

SEEDS = (0, 1, 2)
LAG = 5
SIMULATORS = {"var": var, "lorenz96": lorenz96}
DATASETS = {  # name -> (simulator, keyword arguments other than the seed)
    "VAR(3)": ("var", {"p": 10, "T": 1000, "lag": 3}),
    "Lorenz-96 F=10": ("lorenz96", {"p": 10, "T": 1000, "F": 10.0}),
    "Lorenz-96 F=40": ("lorenz96", {"p": 10, "T": 1000, "F": 40.0}),
}
NEURAL = {  # name -> (class, keyword arguments other than the seed)
    "GRNGC": (GRNGC, {"lag": LAG}),
    "GRNGC exact": (GRNGC, {"lag": LAG, "penalty_samples": None}),
    "CMLP": (CMLP, {"lag": LAG}),
    "GRNGC-LSTM": (GRNGC, {"model": "lstm", "lag": LAG}),
}
LINEAR = {  # name -> keyword arguments of granger_test; the scores are its F statistics
    "Granger conditional": {"lag": LAG, "conditional": True},
    "Granger pairwise": {"lag": LAG, "conditional": False},
}
TIMED = ("GRNGC", "CMLP")  # the defaults, in the order of even repeats
TIMING = {"p": (20, 40), "F": (10.0, 40.0), "T": 1000, "seeds": SEEDS}
SCALE = {"p": 100, "T": 1000, "F": 10.0, "seeds": SEEDS}
QUICK_EPOCHS = 40  # --quick: every neural fit gets this budget (warm points a quarter of it)
QUICK_TIMING = {"p": (10,), "F": (10.0, 40.0), "T": 1000, "seeds": SEEDS[:1]}


def estimator(name, seed, quick):
    cls, kw = NEURAL[name]
    if quick:
        kw = {**kw, "epochs": QUICK_EPOCHS}
    return cls(**kw, seed=seed)


def dataset(name, seed):
    simulator, kw = DATASETS[name]
    return SIMULATORS[simulator](**kw, seed=seed)


def jsonable(params):
    return json.loads(json.dumps(params))


def settings(args):
    seeds = list(SEEDS[:1] if args.quick else SEEDS)
    timing = QUICK_TIMING if args.quick else TIMING
    scale = {**SCALE, "seeds": SCALE["seeds"][:1]} if args.quick else SCALE
    methods = {
        name: {"class": cls.__name__, "params": jsonable(estimator(name, 0, args.quick).get_params())}
        for name, (cls, _) in NEURAL.items()
    }
    methods.update(
        {
            name: {"class": "gcbook.granger.granger_test", "params": dict(kw), "scores": "f_stat"}
            for name, kw in LINEAR.items()
        }
    )
    return {
        "datasets": {name: dict(kw) for name, (_, kw) in DATASETS.items()},
        "dataset_simulators": {name: f"gcbook.simulate.{sim}" for name, (sim, _) in DATASETS.items()},
        "seeds": seeds,
        "methods": methods,
        "selection": "the estimators' default lam='auto' (validated, warm-started path, extended at an end)",
        "note_params": "params are those of the seed-0 estimator; each record's estimator has the record's seed",
        "timing": {
            "p": list(timing["p"]),
            "F": list(timing["F"]),
            "T": timing["T"],
            "repeats": len(timing["seeds"]),
            "seeds": list(timing["seeds"]),
            "methods": {m: methods[m] for m in TIMED},
            "simulator": "gcbook.simulate.lorenz96",
            "order": "repeat r fits " + " then ".join(TIMED) + " for even r, the reverse for odd r",
        },
        "scale": {
            "p": scale["p"],
            "T": scale["T"],
            "F": scale["F"],
            "seeds": list(scale["seeds"]),
            "simulator": "gcbook.simulate.lorenz96",
            "method": methods["GRNGC"],
        },
        "quick": args.quick,
    }


def git_commit():
    def git(*a):
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    dirty = git("status", "--porcelain", "--", "gcbook", "benchmarks/neural_gc.py")
    return git("rev-parse", "HEAD") or None, dirty.splitlines()


def fit_record(est, X, A):
    """Fit ``est`` on ``X`` (timed) and return the fields shared by every neural record."""
    start = time.perf_counter()
    est.fit(X)
    seconds = time.perf_counter() - start
    path = [float(v) for v in est.lam_path_]
    history = est.loss_history_
    return {
        "seconds": seconds,
        "auroc": float(auroc(A, est.scores_)),
        "auprc": float(auprc(A, est.scores_)),
        "lam": float(est.lam_),
        "lam_path": path,
        "lam_path_val_loss": [float(v) for v in est.lam_path_val_loss_],
        "interior": bool(path[0] < est.lam_ < path[-1]),
        "extended": [int(v) for v in est.lam_path_extended_],
        "epochs_run": int(history.epoch[-1]),
        "best_epoch": int(history.best_epoch),
        "stopped_early": bool(history.stopped_early),
    }


def check_params(est, expected, seed):
    """The fitted estimator has the settings recorded for its method (seed aside)."""
    got = jsonable(est.get_params())
    assert got == {**expected, "seed": seed}, f"fitted {got} but recorded {expected}"


def accuracy_records(run):
    s = run.settings
    for name in DATASETS:
        for seed in s["seeds"]:
            X, A = dataset(name, seed)
            for method in NEURAL:
                est = estimator(method, seed, run.quick)
                check_params(est, s["methods"][method]["params"], seed)
                rec = {"dataset": name, "seed": seed, "method": method, **fit_record(est, X, A)}
                run.add("accuracy", rec)
                print(
                    f"accuracy {name:15s} seed {seed} {method:20s} AUROC {rec['auroc']:.3f} AUPRC {rec['auprc']:.3f} "
                    f"lam {rec['lam']:.3g} interior {rec['interior']} ext {rec['extended']} "
                    f"epochs {rec['epochs_run']} (best {rec['best_epoch']}, early {rec['stopped_early']}) "
                    f"{rec['seconds']:.1f} s",
                    flush=True,
                )
            for method, kw in LINEAR.items():
                start = time.perf_counter()
                f_stat = granger_test(X, **kw).f_stat.copy()
                seconds = time.perf_counter() - start
                np.fill_diagonal(f_stat, 0.0)  # NaN there; the metrics ignore the diagonal
                rec = {
                    "dataset": name,
                    "seed": seed,
                    "method": method,
                    "auroc": float(auroc(A, f_stat)),
                    "auprc": float(auprc(A, f_stat)),
                    "seconds": seconds,
                    "lam": None,
                    "lam_path": None,
                    "lam_path_val_loss": None,
                    "interior": None,
                    "extended": None,
                    "epochs_run": None,
                    "best_epoch": None,
                    "stopped_early": None,
                }
                run.add("accuracy", rec)
                print(
                    f"accuracy {name:15s} seed {seed} {method:20s} AUROC {rec['auroc']:.3f} AUPRC {rec['auprc']:.3f}",
                    flush=True,
                )


def timing_records(run):
    t = run.settings["timing"]
    for r, seed in enumerate(t["seeds"]):
        order = TIMED if r % 2 == 0 else TIMED[::-1]
        for p in t["p"]:
            for F in t["F"]:
                X, A = lorenz96(p, t["T"], F=F, seed=seed)
                for position, method in enumerate(order):
                    est = estimator(method, seed, run.quick)
                    check_params(est, t["methods"][method]["params"], seed)
                    full = fit_record(est, X, A)
                    rec = {
                        "p": p,
                        "F": F,
                        "seed": seed,
                        "method": method,
                        "seconds": full["seconds"],
                        "auroc": full["auroc"],
                        "lam": full["lam"],
                        "interior": full["interior"],
                        "extended": full["extended"],
                        "order": position,
                    }
                    run.add("timing", rec)
                    print(
                        f"timing p={p:3d} F={F:g} seed {seed} {method:6s} (order {position}): "
                        f"{rec['seconds']:7.1f} s, AUROC {rec['auroc']:.3f}, lam {rec['lam']:.3g}, "
                        f"interior {rec['interior']}, epochs {full['epochs_run']}",
                        flush=True,
                    )


def scale_records(run):
    s = run.settings["scale"]
    for seed in s["seeds"]:
        X, A = lorenz96(s["p"], s["T"], F=s["F"], seed=seed)
        est = estimator("GRNGC", seed, run.quick)
        check_params(est, s["method"]["params"], seed)
        full = fit_record(est, X, A)
        rec = {
            "p": s["p"],
            "F": s["F"],
            "T": s["T"],
            "seed": seed,
            "seconds": full["seconds"],
            "auroc": full["auroc"],
            "lam": full["lam"],
            "interior": full["interior"],
        }
        run.add("scale", rec)
        print(
            f"scale p={s['p']} seed {seed}: {rec['seconds']:.1f} s, AUROC {rec['auroc']:.3f}, lam {rec['lam']:.3g}, "
            f"interior {rec['interior']}",
            flush=True,
        )


def timing_summaries(records):
    """``timing_summary`` (median and range per p, F, method) and ``timing_ratio`` (CMLP over GRNGC)."""
    groups = {}
    for r in records:
        groups.setdefault((r["p"], r["F"]), {}).setdefault(r["method"], {})[r["seed"]] = r
    summary, ratio = [], []
    for (p, F), by_method in sorted(groups.items()):
        for method in TIMED:
            recs = list(by_method.get(method, {}).values())
            if not recs:
                continue
            sec = [r["seconds"] for r in recs]
            auc = [r["auroc"] for r in recs]
            summary.append(
                {
                    "p": p,
                    "F": F,
                    "method": method,
                    "repeats": len(recs),
                    "median_seconds": float(np.median(sec)),
                    "min_seconds": float(min(sec)),
                    "max_seconds": float(max(sec)),
                    "median_auroc": float(np.median(auc)),
                    "min_auroc": float(min(auc)),
                    "max_auroc": float(max(auc)),
                }
            )
        grngc, cmlp = by_method.get("GRNGC", {}), by_method.get("CMLP", {})
        both = sorted(set(grngc) & set(cmlp))
        if both:
            ratio.append(
                {
                    "p": p,
                    "F": F,
                    "repeats": len(both),
                    "ratio_of_medians": float(
                        np.median([cmlp[s]["seconds"] for s in both]) / np.median([grngc[s]["seconds"] for s in both])
                    ),
                    "per_repeat_ratios": [float(cmlp[s]["seconds"] / grngc[s]["seconds"]) for s in both],
                    "seeds": both,
                }
            )
    return summary, ratio


class Run:
    """The records of this process's parts, merged into the shared results file at every write."""

    def __init__(self, args, parts):
        self.quick, self.parts, self.start = args.quick, parts, time.perf_counter()
        self.settings = settings(args)
        commit, dirty = git_commit()
        self.command = "python " + " ".join(
            shlex.quote(a) for a in [f"benchmarks/{Path(sys.argv[0]).name}", *sys.argv[1:]]
        )
        self.data = {
            "versions": {
                "python": platform.python_version(),
                "torch": torch.__version__,
                "numpy": np.__version__,
                "gcbook": commit,
                "gcbook_uncommitted": dirty,
            },  # git status of gcbook/ and this script at the start
            "machine": {
                "platform": platform.platform(),
                "processor": platform.processor() or platform.machine(),
                "cpu_count": os.cpu_count(),
            },
            "threads": {"OMP/OPENBLAS/MKL": THREADS, "torch": torch.get_num_threads()},
            "settings": self.settings,
            **{key: [] for part in parts for key in PART_KEYS[part]},
        }
        self.complete = {part: False for part in parts}
        self.save()

    def add(self, key, rec):
        self.data[key].append(rec)
        self.save()

    def finish(self, part):
        self.complete[part] = True
        self.save()

    def save(self):
        if "timing" in self.parts:
            self.data["timing_summary"], self.data["timing_ratio"] = timing_summaries(self.data["timing"])
        wall = time.perf_counter() - self.start
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        with open(LOCK, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                old = json.loads(RESULTS.read_text())
            except (OSError, ValueError):
                old = {}
            same_kind = old.get("settings", {}).get("quick") == self.quick and "part_commands" in old
            out = {"command": None, "part_commands": {}, "part_complete": {}, **self.data}
            for part in PARTS:
                if part in self.parts:
                    out["part_commands"][part] = self.command
                    out["part_complete"][part] = self.complete[part]
                    out.setdefault("part_wall_seconds", {})[part] = wall
                    out.setdefault("part_peak_rss_mb", {})[part] = rss
                elif same_kind and part in old.get("part_commands", {}):
                    for key in PART_KEYS[part]:
                        out[key] = old.get(key, [])
                    for field in ("part_commands", "part_complete", "part_wall_seconds", "part_peak_rss_mb"):
                        out.setdefault(field, {})[part] = old[field][part]
            for part in PARTS:  # every key present, in a fixed order
                for key in PART_KEYS[part]:
                    out.setdefault(key, [])
            commands = list(dict.fromkeys(out["part_commands"][p] for p in PARTS if p in out["part_commands"]))
            out["command"] = " ; ".join(commands) + (" (quick smoke test)" if self.quick else "")
            out["wall_seconds"] = max(out["part_wall_seconds"].values())
            out["peak_rss_mb"] = max(out["part_peak_rss_mb"].values())
            tmp = RESULTS.with_name(RESULTS.name + f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(out, indent=1) + "\n")
            os.replace(tmp, RESULTS)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--part",
        action="append",
        choices=(*PARTS, "all"),
        help="part to run (repeatable; default all, in the order accuracy, timing, scale)",
    )
    parser.add_argument("--quick", action="store_true", help="one seed, 40-epoch budgets, timing at p=10 only")
    args = parser.parse_args(argv)
    parts = PARTS if not args.part or "all" in args.part else tuple(dict.fromkeys(args.part))

    GRNGC(lag=2, epochs=20, seed=0).fit(var(p=3, T=200, seed=0)[0])  # warm-up: imports, first allocations
    CMLP(lag=2, epochs=20, seed=0).fit(var(p=3, T=200, seed=0)[0])
    run = Run(args, parts)
    print(
        f"threads: OMP/OPENBLAS/MKL={THREADS}, torch={torch.get_num_threads()}; versions {run.data['versions']}; "
        f"parts {parts}; quick {args.quick}",
        flush=True,
    )
    for part in parts:
        {"accuracy": accuracy_records, "timing": timing_records, "scale": scale_records}[part](run)
        run.finish(part)

    medians = {}
    for rec in run.data.get("accuracy", []):
        medians.setdefault(rec["dataset"], {}).setdefault(rec["method"], []).append(rec["auroc"])
    for name, by_method in medians.items():
        print(f"median AUROC {name}: " + ", ".join(f"{m} {np.median(v):.3f}" for m, v in by_method.items()))
    ratios = ", ".join(
        f"p={r['p']} F={r['F']:g}: {r['ratio_of_medians']:.1f}x ({r['repeats']} repeats)"
        for r in run.data.get("timing_ratio", [])
    )
    scale = ", ".join(
        f"seed {r['seed']} {r['seconds']:.0f} s AUROC {r['auroc']:.3f}" for r in run.data.get("scale", [])
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"SUMMARY time CMLP/GRNGC: {ratios or '-'}; scale: {scale or '-'}; peak RSS {peak:.0f} MB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
