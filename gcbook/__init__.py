"""gcbook: the package behind *Causal Discovery from Time Series*, an executable textbook.

Importing ``gcbook`` has no side effects: it sets no seed and no plot style.
The submodules are imported lazily by name, e.g. ``from gcbook.granger import granger_test``.

Orientation, everywhere in the package: ``A[i, j] = 1`` means ``i -> j`` (the cause is the row).
"""

__version__ = "0.2.0"

__all__ = [
    "simulate",
    "granger",
    "window",
    "notears",
    "baselines",
    "neural",
    "sparse_var",
    "imaging",
    "metrics",
    "window_metrics",
    "plotting",
    "explorers",
    "exercises",
    "student",
    "suite",
    "datasets",
    "spectral",
    "stationarity",
    "results",
    "glue",
    "quiz",
    "assignments",
]
