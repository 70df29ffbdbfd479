"""Helpers that several modules of :mod:`gcbook` share: seeds, devices, batching, ranking.

This module is private (nothing here is part of the public API), but its names carry no leading
underscore: it is the one place every module may import shared machinery from, so that no module
reaches into another module's private names. PyTorch is imported only by the functions that need
it, so the NumPy-only modules that import this one do not load it.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import rankdata

from gcbook._validation import check_random_state

__all__ = [
    "BATCH_BYTES",
    "EXACT_FIT",
    "batches",
    "binary_clf_curve",
    "rank_auroc",
    "resolve_device",
    "roc_points",
    "seed_int",
    "standardized_lag_matrix",
]

#: Memory budget of one batch of the batched least-squares computations (bytes).
BATCH_BYTES = 256 * 2**20

#: A residual variance below this fraction of the target's variance is an exact fit up to rounding
#: (float64 residuals of an exact relation come out near 1e-32 of it; real noise is far above).
EXACT_FIT = 1e-20


# ------------------------------------------------------------------------------------------- seeds and devices
def seed_int(seed) -> int:
    """An integer seed for torch from ``seed`` (None, an int or a NumPy generator).

    An int is used as it is; None or a generator draws one from :func:`check_random_state`.
    """
    rng = check_random_state(seed)
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return int(seed)
    return int(rng.integers(2**62))


def resolve_device(device):
    """``device`` as a :class:`torch.device`, ``'cpu'`` or an available ``'cuda'``; else ValueError."""
    import torch

    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device must be 'cpu', 'cuda' or a torch.device, got {device!r}.") from exc
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' was requested but no CUDA GPU is available; use device='cpu'.")
    if device.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'cpu' or 'cuda', got {device.type!r}.")
    return device


# ------------------------------------------------------------------------------------------- batching
def batches(count: int, bytes_per_item: int):
    """Slices over ``range(count)`` with as many items per slice as fit in :data:`BATCH_BYTES` (at least one)."""
    size = max(1, BATCH_BYTES // max(bytes_per_item, 1))
    for start in range(0, count, size):
        yield slice(start, min(start + size, count))


def standardized_lag_matrix(recordings: list[np.ndarray], lag: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`gcbook.granger.pooled_lag_matrix` of the recordings standardised with the mean and sd of all their rows.

    Standardising changes no F statistic or residual-variance ratio (the intercept absorbs shifts,
    the coefficients absorb scaling) and keeps the least squares well scaled. One affine map serves
    every recording, so a common intercept still absorbs it.
    """
    from gcbook.granger import pooled_lag_matrix  # granger imports this module

    pooled = np.concatenate(recordings)
    mean, std = pooled.mean(axis=0), pooled.std(axis=0)
    return pooled_lag_matrix([(rec - mean) / std for rec in recordings], lag)


# ------------------------------------------------------------------------------------------- ranking
def binary_clf_curve(y_true: np.ndarray, y_score: np.ndarray):
    """False and true positive counts at each distinct score, highest score first.

    Ties are grouped: all entries with the same score enter together, so a
    threshold ``t`` predicts every entry with ``score >= t``.
    """
    order = np.argsort(-y_score, kind="stable")
    y_score = y_score[order]
    y_true = y_true[order].astype(np.float64)
    # last index of each run of equal scores, plus the end of the array
    threshold_idxs = np.r_[np.flatnonzero(np.diff(y_score)), y_true.size - 1]
    tps = np.cumsum(y_true)[threshold_idxs]
    fps = 1.0 + threshold_idxs - tps
    return fps, tps, y_score[threshold_idxs]


def rank_auroc(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """AUROC of validated 1-D labels (bool, both classes present) by the rank-sum statistic."""
    ranks = rankdata(y_score, method="average")
    n_pos = int(y_true.sum())
    n_neg = y_true.size - n_pos
    u_stat = ranks[y_true].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u_stat / (n_pos * n_neg))


def roc_points(y_true: np.ndarray, y_score: np.ndarray, drop_intermediate: bool):
    """``(fpr, tpr, thresholds)`` of validated 1-D labels, from (0, 0) with threshold inf to (1, 1)."""
    fps, tps, thresholds = binary_clf_curve(y_true, y_score)
    if drop_intermediate and fps.size > 2:
        keep = np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    fps = np.r_[0.0, fps]
    tps = np.r_[0.0, tps]
    thresholds = np.r_[np.inf, thresholds]
    return fps / fps[-1], tps / tps[-1], thresholds


#: The release that removes what :func:`warn_deprecated` announces.
REMOVED_IN = "0.3"


def warn_deprecated(old: str, instead: str) -> None:
    """Warn that ``old`` (a call form or a name) goes in gcbook :data:`REMOVED_IN`, and what to use instead.

    The warning points at the caller of the public function that calls this one.
    """
    warnings.warn(
        f"{old} is deprecated and will be removed in gcbook {REMOVED_IN}; {instead}.", DeprecationWarning, stacklevel=3
    )
