"""One benchmark suite for every method of the book: datasets, a method registry, scoring, a runner.

Taught in the chapter :ref:`chap-capstone` (``book/capstone.md``) and used in
:ref:`chap-brains-genes` (``book/brains_genes.md``).

The capstone chapter ("Which method when?") runs every method on the same datasets
through this module, so that no chapter copies another's experiment code.

Orientation, everywhere: ``A[i, j] = 1`` means ``i -> j`` (the cause is the row).

Datasets (:func:`make_dataset`, sizes fixed in :data:`SIZES`)
-------------------------------------------------------------
``"sparse_var"``
    :func:`gcbook.simulate.var`, ``p = 10, T = 1000``, VAR(3), edge probability 0.2.
``"lorenz96_f10"``, ``"lorenz96_f40"``
    :func:`gcbook.simulate.lorenz96`, ``p = 10, T = 1000``, forcing 10 and 40.
``"hidden_driver"``
    :func:`gcbook.simulate.confounded_var`, ``T = 1000``: two observed series driven by
    a hidden AR(1) at delays 1 and 3. The driver is *not* a column of ``X``; the truth
    is among the two observed series only and has no cross edge, so a method that
    reports ``x0 -> x1`` (or ``x1 -> x0``) is wrong.
``"switching"``
    :func:`gcbook.simulate.switching_ar_pair`, ``T = 2000``, one delay 3: a cause
    (column 1) drives an effect (column 0) through a coupling that is strong (10) at
    random 5 % of the time points. The question is window-level: which windows hold a
    strong event.
``"sem_raw"``, ``"sem_standardized"``
    :func:`gcbook.simulate.linear_sem` (Gaussian noise, ``n = 1000``) on an ER DAG with
    ``d = 10`` nodes and 20 edges (ER2), weights from :func:`gcbook.simulate.dag_weights`.
    The second is the same draw with every column standardised (mean 0, variance 1),
    which removes the marginal-variance ordering ("varsortability") that
    ``"sortnregress"`` exploits.

The kind of a dataset decides which methods apply: ``"timeseries"`` (a graph among
the columns of ``X``, ``(T, p)``), ``"dag"`` (i.i.d. samples ``(n, d)`` of a DAG) or
``"windows"`` (a pair with a per-time-point event truth).

A ``"timeseries"`` dataset made by hand (:class:`SuiteDataset`) may hold a list of
recordings (trials, subjects, perturbation experiments) instead of one series; every
time-series method then fits them pooled, and no lagged window crosses from one
recording into the next.

The true lag is given to the methods (a simplification)
-------------------------------------------------------
Every lag-based method -- both Granger tests, ``"lasso_var"``, ``"pcmci"`` (as
``tau_max``), the four neural methods and ``"window_linear"`` -- is run at
the dataset's ``lag`` (:class:`SuiteDataset`): the VAR's order (3), the hidden driver's
largest delay (3) and the switching pair's delay (3). In practice the lag is unknown and must be chosen
(:func:`gcbook.granger.select_lag`, a validation loss); handing it over shows each
method at its best on that point. Lorenz-96 is a sampled ODE with no finite true lag;
it gets 5, the window of the neural chapter (and of Tank et al.). The DAG methods
have no lag.

Methods (:data:`METHODS`, settings fixed before any run, never chosen on the truth)
------------------------------------------------------------------------------------
Every graph method returns a result object of one shape (``scores``, ``scores_by_lag``,
``adjacency(...)``, ``labels``, ``to_frame()``, ``plot()``); the suite keeps it as
``MethodOutput.result`` and reads the scores and the method's own graph from it
(:meth:`MethodOutput.from_result`), so each method below is one call.

``"granger_pairwise"``, ``"granger_conditional"``
    :func:`gcbook.granger.granger_test` at the dataset's lag; scores are the F
    statistics (NaN diagonal set to 0), the graph is
    ``result.adjacency(alpha=0.05, correction="fdr_bh")``. The pairwise test also runs
    on ``"switching"``, at the channel level: one F statistic for the whole series.
``"lasso_var"``
    :func:`gcbook.sparse_var.lasso_var` on the column-standardised series (with the
    mean and sd of all recordings pooled, for a list), ``alpha = 0.05``; scores
    ``max_k |coef_by_lag[:, :, k]|``, graph: a nonzero coefficient at any lag.
``"pcmci"``
    :func:`gcbook.baselines.run_pcmci`: tigramite's
    ``PCMCI(ParCorr()).run_pcmci(tau_max=lag, pc_alpha=None)``;
    ``val_matrix[i, j, tau]`` is ``x_i(t - tau) -> x_j(t)``, the book's orientation.
    Scores ``max_{tau >= 1} |val|``, graph ``min_{tau >= 1} p < 0.05`` with **no**
    multiple-testing correction (PCMCI's MCI p-values as they come). Contemporaneous
    links (``tau = 0``) are not used. A list of recordings goes to tigramite in its
    ``analysis_mode="multiple"``, which pools the lagged samples of each recording.
``"cmlp"``, ``"grngc_mlp"``, ``"grngc_lstm"``, ``"grngc_kan"``
    :class:`gcbook.neural.CMLP` and :class:`gcbook.neural.GRNGC` with the package
    defaults, so the penalty is the estimator's own choice (``lam="auto"``: the value
    with the lowest validation forecast loss on a warm-started path, extended where
    the choice lands on an end; the truth is never used), and GRNGC penalises a
    random subsample of training windows per epoch (its default ``penalty_samples``).
    The one setting changed is ``epochs``, the compute budget of :data:`NEURAL_EPOCHS`:
    the cap of the path's first point, with ``epochs // 4`` for each warm-started
    point; early stopping on the validation forecast loss may end any point sooner.
    The run's seed seeds torch. Scores are ``scores_`` of the chosen point (the
    estimator's ``result_``); there is
    no graph (``adjacency=None``), so their SHD is NaN. ``extra`` (and the row of
    :func:`run_row`) records the chosen penalty ``lam_``, whether it is interior to
    the fitted path, and the path's extensions (:data:`PATH_KEYS`).
``"notears"``
    :func:`gcbook.notears.notears_linear` with its defaults (``lambda1 = 0.1``,
    ``w_threshold = 0.3``); scores ``|W|``, graph ``W != 0``.
``"sortnregress"``
    :func:`gcbook.notears.sortnregress`, the varsortability baseline; scores ``|W|``.
``"pc"``, ``"ges"``
    :func:`gcbook.baselines.run_pc` (Fisher-z, ``alpha = 0.05``) and
    :func:`gcbook.baselines.run_ges` (BIC), from causal-learn. Their graph is a CPDAG: ``1``
    for ``i -> j``, ``-1`` marked once in the upper triangle for an undirected ``i - j``
    (:func:`gcbook.baselines.causallearn_to_adjacency`). Scores: 1 on a directed edge,
    0.5 on both directions of an undirected one, 0 elsewhere (their AUROC is that of
    a single operating point).
``"window_linear"``
    :func:`gcbook.window.window_granger` (linear, non-overlapping windows of
    :data:`WINDOW` = 20 targets, the dataset's lag), cause column 1, effect column 0.
    Returns one F per window (``window_scores`` of :class:`MethodOutput`) instead of a graph.

Evaluation (:func:`evaluate`)
-----------------------------
``"timeseries"``
    AUROC and AUPRC of the scores on the off-diagonal entries
    (``include_diagonal=False``): every series in these simulators depends on its own
    past, so the diagonal is trivially true and would only inflate the numbers. SHD
    (:func:`gcbook.metrics.shd`) of the graph off the diagonal; NaN without a graph.
    Where the truth has no cross edge (``"hidden_driver"``) AUROC and AUPRC are
    undefined (NaN) and SHD counts the spurious links.
``"dag"``
    AUROC and AUPRC of ``|scores|`` against ``B``; SHD from
    :func:`gcbook.metrics.count_accuracy`, which reads a CPDAG: an undirected edge
    ``i - j`` counts as correct when either direction is true (the orientation the
    data cannot decide is not charged), as an extra edge when neither is. On DAG
    estimates this equals :func:`gcbook.metrics.shd`.
``"windows"``
    For a method with window scores: :func:`gcbook.window_metrics.window_auroc` against
    :func:`gcbook.simulate.window_events` at the method's window starts (a window holds
    an event when one of its forecast targets does; windows whose F is undefined are
    dropped). For a channel-level method: AUROC, AUPRC and SHD against the pair's
    channel graph ``[[0, 0], [1, 1]]`` (two off-diagonal entries, so AUROC is 1 or 0:
    did the test rank ``1 -> 0`` above ``0 -> 1``?).

Examples
--------
>>> from gcbook.suite import make_dataset, run_method, evaluate
>>> data = make_dataset("sparse_var", seed=0, size="small")
>>> data.X.shape, data.truth.shape, data.lag
((300, 5), (5, 5), 3)
>>> out = run_method("granger_conditional", data, seed=0)
>>> sorted(evaluate(data, out))
['auprc', 'auroc', 'level', 'n_edges', 'shd']
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial
from typing import Callable

import numpy as np

from gcbook._validation import check_int, check_recording_lengths, is_recording_list

__all__ = [
    "ALPHA",
    "DATASETS",
    "KINDS",
    "LASSO_ALPHA",
    "METHODS",
    "NEURAL_EPOCHS",
    "PATH_KEYS",
    "SIZES",
    "WINDOW",
    "MethodOutput",
    "MethodSpec",
    "SuiteDataset",
    "applicable_methods",
    "evaluate",
    "make_dataset",
    "run_method",
    "run_row",
    "run_suite",
]

#: The kinds of dataset, each with its own evaluation.
KINDS = ("timeseries", "dag", "windows")

#: Significance level of every test-based graph (Granger with BH-FDR, PCMCI uncorrected).
ALPHA = 0.05

#: Lasso penalty of ``"lasso_var"`` on the standardised series (scikit-learn's scale).
LASSO_ALPHA = 0.05

#: Window length (forecast targets per window) of ``"window_linear"``; non-overlapping windows.
WINDOW = 20

#: Epoch budgets of the neural methods per dataset size, passed as ``epochs``: a compute budget for
#: the sweep, not a tuned value (the package default is 2000). With the default ``lam="auto"`` it is
#: the cap of the penalty path's first point; each warm-started point gets ``epochs // 4`` (see
#: :class:`gcbook.neural.GRNGC`, Notes). Early stopping may end any point sooner.
NEURAL_EPOCHS = {
    "full": {"cmlp": 1000, "grngc_mlp": 1000, "grngc_lstm": 300, "grngc_kan": 200},
    "small": {"cmlp": 3, "grngc_mlp": 3, "grngc_lstm": 3, "grngc_kan": 3},
}

_SEM_FULL = {"d": 10, "n_edges": 20, "n": 1000}
_SEM_SMALL = {"d": 5, "n_edges": 5, "n": 200}

#: Simulation settings per dataset and size ("full" for the benchmark, "small" for tests).
SIZES = {
    "sparse_var": {
        "full": {"p": 10, "T": 1000, "lag": 3, "sparsity": 0.2},
        "small": {"p": 5, "T": 300, "lag": 3, "sparsity": 0.3},
    },
    "lorenz96_f10": {
        "full": {"p": 10, "T": 1000, "F": 10.0, "lag": 5},
        "small": {"p": 6, "T": 300, "F": 10.0, "lag": 3},
    },
    "lorenz96_f40": {
        "full": {"p": 10, "T": 1000, "F": 40.0, "lag": 5},
        "small": {"p": 6, "T": 300, "F": 40.0, "lag": 3},
    },
    "hidden_driver": {
        "full": {"T": 1000, "strength": 0.8, "delays": (1, 3)},
        "small": {"T": 300, "strength": 0.8, "delays": (1, 3)},
    },
    "switching": {"full": {"T": 2000, "lag": 3, "p_strong": 0.05}, "small": {"T": 400, "lag": 3, "p_strong": 0.05}},
    "sem_raw": {"full": dict(_SEM_FULL), "small": dict(_SEM_SMALL)},
    "sem_standardized": {"full": dict(_SEM_FULL), "small": dict(_SEM_SMALL)},
}

#: The kind of each dataset.
DATASETS = {
    "sparse_var": "timeseries",
    "lorenz96_f10": "timeseries",
    "lorenz96_f40": "timeseries",
    "hidden_driver": "timeseries",
    "switching": "windows",
    "sem_raw": "dag",
    "sem_standardized": "dag",
}


# ----------------------------------------------------------------------------- containers
@dataclass(frozen=True, repr=False)
class SuiteDataset:
    """One dataset of the suite with its ground truth.

    Attributes
    ----------
    name : str
        Dataset name (a key of :data:`DATASETS`, or any name for a hand-made dataset).
    kind : {"timeseries", "dag", "windows"}
        Decides the applicable methods and the evaluation.
    X : numpy.ndarray, shape (T, p) or (n, d), or list of numpy.ndarray
        Time series (rows are time) or i.i.d. samples (rows are samples). A
        ``"timeseries"`` dataset may instead hold a list of recordings of shapes
        ``(T_r, p)`` (trials, subjects, perturbation experiments) of the same variables:
        every time-series method then fits the pooled recordings, with no lagged window
        crossing from one recording into the next.
    truth : numpy.ndarray
        ``"timeseries"``: ``(p, p)`` int adjacency, ``truth[i, j] = 1`` iff ``i -> j``,
        with the diagonal as the simulator gives it (self-loops where a series depends on
        its own past). ``"dag"``: binary DAG ``B`` of shape ``(d, d)``, zero diagonal.
        ``"windows"``: bool ``(T,)``, ``truth[t]`` True where the effect receives a
        strong causal input at ``t`` (the event truth of
        :func:`gcbook.simulate.window_events`).
    lag : int or None
        The true maximum lag given to every lag-based method (a simplification, see the
        module docstring); None for ``"dag"``.
    seed : int
        Seed of the simulation.
    settings : dict
        The simulation settings (JSON-friendly), including ``"size"``.
    description : str
        One line on what the dataset is and asks.
    coef : numpy.ndarray or None
        True coefficients where the simulator gives them: ``(lag, p, p)`` VAR
        coefficients (``coef[k-1, i, j]``: ``x_i(t-k) -> x_j(t)``) or the ``(d, d)``
        SEM weights ``W`` (``W[i, j]``: ``i -> j``, in the units of the raw data).
    event_lag : numpy.ndarray of int or None, shape (T,)
        ``"windows"`` only: the delay of the cause behind each time point (the ``lag``
        argument of :func:`gcbook.simulate.window_events`).
    channel_truth : numpy.ndarray or None, shape (p, p)
        ``"windows"`` only: the channel-level graph of the pair, ``[[0, 0], [1, 1]]``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> d = SuiteDataset("noise", "timeseries", rng.normal(size=(50, 3)), np.eye(3, dtype=int), 1, 0, {}, "white noise")
    >>> d
    SuiteDataset('noise', kind='timeseries', X (50, 3), lag=1, seed=0)
    >>> d.graph.shape, d.p, d.T
    ((3, 3), 3, 50)
    >>> scans = SuiteDataset("scans", "timeseries", [rng.normal(size=(30, 3)), rng.normal(size=(20, 3))],
    ...                      np.eye(3, dtype=int), 1, 0, {}, "two scans of white noise")
    >>> scans
    SuiteDataset('scans', kind='timeseries', 2 recordings, X (50, 3), lag=1, seed=0)
    >>> scans.n_recordings, [r.shape for r in scans.recordings]
    (2, [(30, 3), (20, 3)])
    """

    name: str
    kind: str
    X: np.ndarray
    truth: np.ndarray
    lag: int | None
    seed: int
    settings: dict
    description: str
    coef: np.ndarray | None = None
    event_lag: np.ndarray | None = None
    channel_truth: np.ndarray | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}.")
        if is_recording_list(self.X) and self.kind != "timeseries":
            raise ValueError(f"Only a 'timeseries' dataset may hold a list of recordings, not {self.kind!r}.")
        for index, X in enumerate(self.recordings):
            where = f"X[{index}]" if self.n_recordings > 1 else "X"
            if X.ndim != 2 or X.shape[1] < 2 or X.shape[0] < 3:
                raise ValueError(f"{where} must be 2-D with at least 3 rows and 2 columns, got shape {X.shape}.")
            if not np.all(np.isfinite(X)):
                raise ValueError(f"{where} contains NaN or inf.")
            if X.shape[1] != self.p:
                raise ValueError(
                    f"Every recording must hold the same variables: X[0] has p={self.p}, {where} has p={X.shape[1]}."
                )
        T, p = self.T, self.p
        truth = np.asarray(self.truth)
        if self.kind == "windows":
            if truth.shape != (T,) or truth.dtype != bool:
                raise ValueError(f"A 'windows' dataset needs a bool event truth of shape ({T},), got {truth.shape}.")
            if self.channel_truth is None or np.shape(self.channel_truth) != (p, p):
                raise ValueError(f"A 'windows' dataset needs channel_truth of shape ({p}, {p}).")
            if self.event_lag is not None and np.shape(self.event_lag) != (T,):
                raise ValueError(f"event_lag must have shape ({T},), got {np.shape(self.event_lag)}.")
        elif truth.shape != (p, p) or not np.all((truth == 0) | (truth == 1)):
            raise ValueError(
                f"truth must be a binary ({p}, {p}) adjacency matrix for kind {self.kind!r}, got shape {truth.shape}."
            )
        if self.kind == "dag":
            if self.lag is not None:
                raise ValueError("A 'dag' dataset has no lag; pass lag=None.")
        else:
            check_int(self.lag, "lag", 1)
            if self.n_recordings == 1 and T <= self.lag + 1:
                raise ValueError(f"T={T} must exceed lag + 1 = {self.lag + 1}.")
            check_recording_lengths(self.recordings, self.lag)

    @property
    def recordings(self) -> list[np.ndarray]:
        """``X`` as a list of recordings: ``[X]`` for one series."""
        if is_recording_list(self.X):
            return [np.asarray(X) for X in self.X]
        return [np.asarray(self.X)]

    @property
    def n_recordings(self) -> int:
        """Number of recordings (1 for one series)."""
        return len(self.X) if is_recording_list(self.X) else 1

    @property
    def T(self) -> int:
        """Number of rows of ``X`` (time points, or samples for a DAG), summed over the recordings."""
        return int(sum(np.shape(X)[0] for X in self.recordings))

    @property
    def p(self) -> int:
        """Number of columns of ``X`` (series or nodes)."""
        return int(np.shape(self.recordings[0])[1])

    @property
    def graph(self) -> np.ndarray:
        """The ``(p, p)`` graph among the columns: ``truth``, or ``channel_truth`` for ``"windows"``."""
        return np.asarray(self.channel_truth if self.kind == "windows" else self.truth)

    def __repr__(self) -> str:
        lag = "" if self.lag is None else f", lag={self.lag}"
        recordings = f"{self.n_recordings} recordings, " if is_recording_list(self.X) else ""
        return f"SuiteDataset({self.name!r}, kind={self.kind!r}, {recordings}X {self.T, self.p}{lag}, seed={self.seed})"


@dataclass(frozen=True, repr=False)
class MethodOutput:
    """What a method returns on one dataset.

    Attributes
    ----------
    scores : numpy.ndarray or None, shape (p, p)
        Continuous edge scores, ``scores[i, j]`` for ``i -> j``; larger means more
        likely an edge. None for window-level methods.
    adjacency : numpy.ndarray or None, shape (p, p)
        The method's own graph: binary (``1`` for ``i -> j``), or for a CPDAG (PC, GES)
        entries in {-1, 0, 1} with ``-1`` an undirected edge marked once in the upper
        triangle. None where the method has no decision rule (the neural methods). The
        diagonal is as the method gives it; :func:`evaluate` ignores it.
    extra : dict
        Method-specific extras (p-values, epochs run, ...), not scored.
    window_scores : numpy.ndarray or None, shape (n_windows,)
        Window-level methods: one statistic per window (larger means more causal).
    window_starts : numpy.ndarray of int or None, shape (n_windows,)
        First forecast target of each window.
    window : int or None
        Number of forecast targets per window.
    result : object or None
        The method's own result object, everything it computed: for the graph methods
        one with the package's shared result shape (``scores``, ``scores_by_lag``,
        ``adjacency(...)``, ``labels``, ``to_frame()``, ``plot()``; e.g. a
        :class:`gcbook.granger.GrangerResult`), for ``"window_linear"`` a
        :class:`gcbook.window.WindowResult`. ``scores`` and ``adjacency`` above are read
        from it (:meth:`from_result`).

    Examples
    --------
    >>> import numpy as np
    >>> MethodOutput(np.zeros((3, 3)), None)
    MethodOutput(scores (3, 3), no adjacency)
    """

    scores: np.ndarray | None
    adjacency: np.ndarray | None
    extra: dict = field(default_factory=dict)
    window_scores: np.ndarray | None = None
    window_starts: np.ndarray | None = None
    window: int | None = None
    result: object = None

    @classmethod
    def from_result(cls, result, extra=None, **decision) -> MethodOutput:
        """The output of a graph method: its result's ``scores`` and own graph.

        Parameters
        ----------
        result : object with the shared result shape
            ``scores`` (p, p), ``adjacency(**decision)`` and ``has_default_adjacency``
            (False for the neural methods, which have no decision rule: then
            ``adjacency`` is None).
        extra : dict, optional
            Method-specific extras, kept as the output's ``extra``.
        **decision
            Arguments of ``result.adjacency`` (e.g. ``alpha`` and ``correction`` for a test).

        Returns
        -------
        MethodOutput

        Examples
        --------
        >>> from gcbook.granger import granger_test
        >>> data = make_dataset("sparse_var", seed=0, size="small")
        >>> out = MethodOutput.from_result(granger_test(data.X, data.lag), alpha=0.05, correction="fdr_bh")
        >>> out.scores.shape, int(out.adjacency.sum()) == int(out.result.adjacency(0.05, "fdr_bh").sum())
        ((5, 5), True)
        """
        adjacency = result.adjacency(**decision) if result.has_default_adjacency else None
        return cls(scores=result.scores, adjacency=adjacency, extra=dict(extra or {}), result=result)

    def __repr__(self) -> str:
        if self.window_scores is not None:
            return f"MethodOutput({np.size(self.window_scores)} window scores, window={self.window})"
        adj = "no adjacency" if self.adjacency is None else f"adjacency with {int(np.sum(self.adjacency != 0))} edges"
        return f"MethodOutput(scores {np.shape(self.scores)}, {adj})"


@dataclass(frozen=True)
class MethodSpec:
    """A registered method: where it applies and how to call it.

    Attributes
    ----------
    name : str
    kinds : tuple of str
        Dataset kinds it applies to.
    fn : callable
        ``fn(dataset, seed, **options) -> MethodOutput``.
    uses_lag : bool
        Whether it is run at the dataset's ``lag`` (:class:`SuiteDataset`).
    description : str
        The fixed settings, in words.
    options : tuple of str
        Keyword options :func:`run_method` may override (a benchmark's fixed epoch count).
    """

    name: str
    kinds: tuple
    fn: Callable
    uses_lag: bool
    description: str
    options: tuple = ()


# ----------------------------------------------------------------------------- datasets
def _settings(name: str, size: str, overrides: dict) -> dict:
    if name not in SIZES:
        raise ValueError(f"Unknown dataset {name!r}; choose one of {list(SIZES)}.")
    if size not in ("full", "small"):
        raise ValueError(f"size must be 'full' or 'small', got {size!r}.")
    settings = dict(SIZES[name][size])
    unknown = set(overrides) - set(settings)
    if unknown:
        raise ValueError(f"Unknown setting(s) {sorted(unknown)} for {name!r}; valid: {sorted(settings)}.")
    settings.update(overrides)
    return settings


def _standardize(X: np.ndarray) -> np.ndarray:
    return (X - X.mean(axis=0)) / X.std(axis=0)


def _standardize_recordings(dataset: SuiteDataset):
    """Columns standardised with the mean and sd of all recordings pooled; a list stays a list."""
    recordings = [np.asarray(X, dtype=float) for X in dataset.recordings]
    pooled = np.vstack(recordings)
    mean, sd = pooled.mean(axis=0), pooled.std(axis=0)
    scaled = [(X - mean) / sd for X in recordings]
    return scaled if is_recording_list(dataset.X) else scaled[0]


def make_dataset(name, seed=0, *, size="full", **overrides) -> SuiteDataset:
    """Simulate one dataset of the suite.

    Parameters
    ----------
    name : str
        One of :data:`DATASETS`: ``"sparse_var"``, ``"lorenz96_f10"``, ``"lorenz96_f40"``,
        ``"hidden_driver"``, ``"switching"``, ``"sem_raw"``, ``"sem_standardized"``.
    seed : int, default 0
        Seed of the simulation (``>= 0``); the same seed gives the same data.
        ``"sem_raw"`` and ``"sem_standardized"`` with the same seed are the same draw.
    size : {"full", "small"}, default "full"
        The settings of :data:`SIZES` (``"small"`` is for tests).
    **overrides
        Replace settings of :data:`SIZES` for this call (e.g. ``p=40`` for a cost
        sweep); unknown names raise.

    Returns
    -------
    SuiteDataset
        ``X`` of shape ``(T, p)`` (``(T, 2)`` for the hidden driver and the switching
        pair, ``(n, d)`` for the SEMs) with its truth; see :class:`SuiteDataset`.

    Raises
    ------
    ValueError
        For an unknown name, size or setting, or a bad seed.

    Examples
    --------
    >>> d = make_dataset("hidden_driver", seed=0, size="small")
    >>> d.X.shape, d.truth.tolist(), d.lag      # the hidden driver is not a column
    ((300, 2), [[1, 0], [0, 1]], 3)
    >>> make_dataset("sem_standardized", seed=1, size="small").X.std(axis=0).round(6)
    array([1., 1., 1., 1., 1.])
    """
    seed = check_int(seed, "seed", 0)
    s = _settings(name, size, overrides)
    from gcbook import simulate

    common = dict(name=name, seed=seed)
    settings = {"size": size, **{k: (list(v) if isinstance(v, tuple) else v) for k, v in s.items()}}
    if name == "sparse_var":
        sim = simulate.var(s["p"], s["T"], lag=s["lag"], sparsity=s["sparsity"], seed=seed)
        return SuiteDataset(
            kind="timeseries",
            X=sim.X,
            truth=sim.A,
            lag=s["lag"],
            settings=settings,
            coef=sim.coef,
            description=f"sparse VAR({s['lag']}), p={s['p']}, T={s['T']}: the linear case",
            **common,
        )
    if name.startswith("lorenz96"):
        X, A = simulate.lorenz96(s["p"], s["T"], F=s["F"], seed=seed)
        return SuiteDataset(
            kind="timeseries",
            X=X,
            truth=A,
            lag=s["lag"],
            settings=settings,
            description=f"Lorenz-96, F={s['F']:g}, p={s['p']}, T={s['T']}: nonlinear, chaotic",
            **common,
        )
    if name == "hidden_driver":
        X, A = simulate.confounded_var(s["T"], strength=s["strength"], delays=s["delays"], seed=seed)
        return SuiteDataset(
            kind="timeseries",
            X=X,
            truth=A,
            lag=max(s["delays"]),
            settings=settings,
            description="two series driven by an unobserved AR(1) at delays "
            f"{tuple(s['delays'])}: no link between them",
            **common,
        )
    if name == "switching":
        sim = simulate.switching_ar_pair(s["T"], seed=seed, lag=s["lag"], p_strong=s["p_strong"])
        settings.update(cause=1, effect=0)
        return SuiteDataset(
            kind="windows",
            X=sim.X,
            truth=sim.event.copy(),
            lag=s["lag"],
            settings=settings,
            event_lag=sim.lag.copy(),
            channel_truth=np.asarray(sim.graph),
            description="switching AR pair (cause column 1 -> effect column 0), strong coupling "
            f"at {s['p_strong']:.0%} of time points: which windows?",
            **common,
        )
    # the two SEMs: one draw, raw or standardised
    rng = np.random.default_rng(seed)
    B = simulate.random_dag(s["d"], s["n_edges"], kind="ER", seed=rng)
    W = simulate.dag_weights(B, seed=rng)
    X = simulate.linear_sem(W, s["n"], noise="gauss", seed=rng)
    standardized = name == "sem_standardized"
    settings.update(kind="ER", noise="gauss", standardized=standardized)
    if standardized:
        X = _standardize(X)
    what = "standardised columns (no varsortability)" if standardized else "raw scale (varsortable)"
    return SuiteDataset(
        kind="dag",
        X=X,
        truth=B,
        lag=None,
        settings=settings,
        coef=W,
        description=f"linear Gaussian SEM on an ER DAG, d={s['d']}, {s['n_edges']} edges, n={s['n']}, {what}",
        **common,
    )


# ----------------------------------------------------------------------------- methods
# One function per method: call the package (or gcbook.baselines) at the suite's fixed settings and wrap
# its result. The imports are local so that importing the suite loads neither torch nor causal-learn.
def _granger(dataset, seed, *, conditional):
    from gcbook.granger import granger_test

    return MethodOutput.from_result(
        granger_test(dataset.X, dataset.lag, conditional=conditional), alpha=ALPHA, correction="fdr_bh"
    )


def _lasso_var(dataset, seed):
    from gcbook.sparse_var import lasso_var

    return MethodOutput.from_result(lasso_var(_standardize_recordings(dataset), dataset.lag, LASSO_ALPHA))


def _pcmci(dataset, seed):
    from gcbook.baselines import run_pcmci

    return MethodOutput.from_result(run_pcmci(dataset.X, dataset.lag), alpha=ALPHA)


def _neural(dataset, seed, *, name, epochs=None, patience=None):
    from gcbook.neural import CMLP, GRNGC

    if epochs is None:
        epochs = NEURAL_EPOCHS[dataset.settings.get("size", "full")][name]
    kwargs = dict(lag=dataset.lag, epochs=epochs, seed=seed)
    if patience is not None:
        kwargs["patience"] = patience
    est = CMLP(**kwargs) if name == "cmlp" else GRNGC(model=name.split("_")[1], **kwargs)
    est.fit(dataset.X)
    history = est.loss_history_
    extra = {
        "epochs": epochs,
        **_path_extras(est),
        "epochs_run": int(history.epoch[-1]),
        "best_epoch": int(history.best_epoch),
        "val_loss": float(est.val_loss_),
    }
    return MethodOutput.from_result(est.result_, extra=extra)


#: Keys of a neural output's ``extra`` that :func:`run_row` copies into its row (what the penalty path chose).
PATH_KEYS = ("lam", "lam_interior", "lam_extended_below", "lam_extended_above", "lam_path_points")


def _path_extras(est) -> dict:
    """What the estimator's penalty path chose, read from the fitted estimator (never typed here).

    ``lam``: the chosen penalty ``lam_``; ``lam_interior``: whether it lies strictly inside
    the fitted path ``lam_path_`` (False means the path ended on an end after its
    extensions); ``lam_extended_below``/``_above``: ``lam_path_extended_``;
    ``lam_path_points``: ``len(lam_path_)``. Without a path (a numeric ``lam``) only
    ``lam`` and ``lam_interior = None``.
    """
    if not hasattr(est, "lam_path_"):
        return {
            "lam": float(est.lam_),
            "lam_interior": None,
            "lam_extended_below": None,
            "lam_extended_above": None,
            "lam_path_points": None,
        }
    path = est.lam_path_
    below, above = est.lam_path_extended_
    return {
        "lam": float(est.lam_),
        "lam_interior": bool(path[0] < est.lam_ < path[-1]),
        "lam_extended_below": int(below),
        "lam_extended_above": int(above),
        "lam_path_points": len(path),
    }


def _notears(dataset, seed):
    from gcbook.notears import notears_linear

    return MethodOutput.from_result(notears_linear(dataset.X))


def _sortnregress(dataset, seed):
    from gcbook.notears import sortnregress

    return MethodOutput.from_result(sortnregress(dataset.X))


def _pc(dataset, seed):
    from gcbook.baselines import run_pc

    return MethodOutput.from_result(run_pc(dataset.X))


def _ges(dataset, seed):
    from gcbook.baselines import run_ges

    return MethodOutput.from_result(run_ges(dataset.X))


def _window_linear(dataset, seed):
    from gcbook.window import window_granger

    cause, effect = dataset.settings.get("cause", 1), dataset.settings.get("effect", 0)
    res = window_granger(dataset.X, cause=cause, effect=effect, window=WINDOW, lag=dataset.lag)
    return MethodOutput(None, None, window_scores=res.f_stat, window_starts=res.starts, window=WINDOW, result=res)


def _spec(name, kinds, fn, uses_lag, description, options=()):
    return name, MethodSpec(name, tuple(kinds), fn, uses_lag, description, tuple(options))


_NEURAL_OPTIONS = ("epochs", "patience")

#: The method registry, name -> :class:`MethodSpec`.
#:
#: :meta hide-value:
METHODS = dict(
    [
        _spec(
            "granger_pairwise",
            ("timeseries", "windows"),
            partial(_granger, conditional=False),
            True,
            "granger_test(X, lag); F scores, adjacency(alpha=0.05, correction='fdr_bh')",
        ),
        _spec(
            "granger_conditional",
            ("timeseries",),
            partial(_granger, conditional=True),
            True,
            "granger_test(X, lag, conditional=True); F scores, adjacency(alpha=0.05, correction='fdr_bh')",
        ),
        _spec(
            "lasso_var",
            ("timeseries",),
            _lasso_var,
            True,
            f"lasso_var(standardised X, lag, alpha={LASSO_ALPHA}); scores max_k |coef_by_lag|, graph: a nonzero coefficient at any lag",
        ),
        _spec(
            "pcmci",
            ("timeseries",),
            _pcmci,
            True,
            "PCMCI(ParCorr()).run_pcmci(tau_max=lag, pc_alpha=None); scores max_tau>=1 |val|, "
            "graph min_tau>=1 p < 0.05 (no correction)",
        ),
        _spec(
            "cmlp",
            ("timeseries",),
            partial(_neural, name="cmlp"),
            True,
            "CMLP(lag) package defaults (lam='auto': penalty chosen on the validation path), "
            "epochs=NEURAL_EPOCHS (budget of the path's first point; each warm point epochs//4); scores_",
            _NEURAL_OPTIONS,
        ),
        _spec(
            "grngc_mlp",
            ("timeseries",),
            partial(_neural, name="grngc_mlp"),
            True,
            "GRNGC(lag, model='mlp') package defaults (lam='auto': penalty chosen on the validation path), "
            "epochs=NEURAL_EPOCHS (budget of the path's first point; each warm point epochs//4); scores_",
            _NEURAL_OPTIONS,
        ),
        _spec(
            "grngc_lstm",
            ("timeseries",),
            partial(_neural, name="grngc_lstm"),
            True,
            "GRNGC(lag, model='lstm') package defaults (lam='auto': penalty chosen on the validation path), "
            "epochs=NEURAL_EPOCHS (budget of the path's first point; each warm point epochs//4); scores_",
            _NEURAL_OPTIONS,
        ),
        _spec(
            "grngc_kan",
            ("timeseries",),
            partial(_neural, name="grngc_kan"),
            True,
            "GRNGC(lag, model='kan') package defaults (lam='auto': penalty chosen on the validation path), "
            "epochs=NEURAL_EPOCHS (budget of the path's first point; each warm point epochs//4); scores_",
            _NEURAL_OPTIONS,
        ),
        _spec(
            "notears",
            ("dag",),
            _notears,
            False,
            "notears_linear(X) defaults (lambda1=0.1, w_threshold=0.3); scores |W|, graph W != 0",
        ),
        _spec(
            "sortnregress",
            ("dag",),
            _sortnregress,
            False,
            "sortnregress(X); scores |W|, graph W != 0",
        ),
        _spec(
            "pc",
            ("dag",),
            _pc,
            False,
            "baselines.run_pc(X) (Fisher-z, alpha=0.05); CPDAG, scores 1 directed / 0.5 undirected",
        ),
        _spec(
            "ges",
            ("dag",),
            _ges,
            False,
            "baselines.run_ges(X) (BIC); CPDAG, scores 1 directed / 0.5 undirected",
        ),
        _spec(
            "window_linear",
            ("windows",),
            _window_linear,
            True,
            f"window_granger(X, cause=1, effect=0, window={WINDOW}, lag=lag), non-overlapping windows; one F per window",
        ),
    ]
)


def _method(name) -> MethodSpec:
    if name not in METHODS:
        raise ValueError(f"Unknown method {name!r}; choose one of {list(METHODS)}.")
    return METHODS[name]


def applicable_methods(kind) -> list[str]:
    """Names of the methods that apply to a dataset kind (or to a :class:`SuiteDataset`).

    Parameters
    ----------
    kind : {"timeseries", "dag", "windows"} or SuiteDataset

    Returns
    -------
    list of str
        In the order of :data:`METHODS`.

    Examples
    --------
    >>> applicable_methods("windows")
    ['granger_pairwise', 'window_linear']
    """
    kind = kind.kind if isinstance(kind, SuiteDataset) else kind
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}.")
    return [name for name, spec in METHODS.items() if kind in spec.kinds]


def run_method(name, dataset, seed=0, **options) -> MethodOutput:
    """Run one registered method on one dataset.

    Parameters
    ----------
    name : str
        A key of :data:`METHODS`.
    dataset : SuiteDataset
    seed : int, default 0
        Seeds the method's own randomness (the neural methods' torch); the others are
        deterministic.
    **options
        Overrides listed in the method's ``options`` (see :class:`MethodSpec`; the neural
        methods accept ``epochs`` and ``patience``, e.g. for a fixed-epoch cost measurement).

    Returns
    -------
    MethodOutput
        ``scores`` and ``adjacency`` of shape ``(p, p)`` (``adjacency`` None for the
        neural methods), or window scores for ``"window_linear"``.

    Raises
    ------
    ValueError
        For an unknown method or option, or a method that does not apply to the
        dataset's kind (e.g. NOTEARS on a time series).

    Examples
    --------
    >>> out = run_method("pc", make_dataset("sem_raw", seed=0, size="small"))
    >>> out.scores.shape, out.adjacency.shape
    ((5, 5), (5, 5))
    >>> try:
    ...     run_method("notears", make_dataset("sparse_var", size="small"))
    ... except ValueError as error:
    ...     print(error)
    Method 'notears' does not apply to the 'timeseries' dataset 'sparse_var'...
    """
    spec = _method(name)
    if not isinstance(dataset, SuiteDataset):
        raise ValueError(f"dataset must be a SuiteDataset (see make_dataset), got {type(dataset).__name__}.")
    if dataset.kind not in spec.kinds:
        raise ValueError(
            f"Method {name!r} does not apply to the {dataset.kind!r} dataset {dataset.name!r}; it applies to "
            f"{list(spec.kinds)}. Methods for this kind: {applicable_methods(dataset.kind)}."
        )
    unknown = set(options) - set(spec.options)
    if unknown:
        raise ValueError(f"Method {name!r} takes no option(s) {sorted(unknown)}; valid: {list(spec.options)}.")
    seed = check_int(seed, "seed", 0)
    return spec.fn(dataset, seed, **options)


# ----------------------------------------------------------------------------- evaluation
def _offdiag(M: np.ndarray) -> np.ndarray:
    return M[~np.eye(M.shape[0], dtype=bool)]


def _ranking(truth: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """Off-diagonal AUROC and AUPRC, NaN when the truth has only one class there."""
    from gcbook.metrics import auprc, auroc

    y = _offdiag(np.asarray(truth)) != 0
    if y.all() or not y.any():
        return float("nan"), float("nan")
    return auroc(truth, scores), auprc(truth, scores)


def _check_matrix(M, p: int, what: str) -> np.ndarray:
    M = np.asarray(M)
    if M.shape != (p, p):
        raise ValueError(f"The output's {what} must have shape ({p}, {p}), got {M.shape}.")
    return M


def evaluate(dataset, output) -> dict:
    """Score one method's output against the dataset's truth.

    Parameters
    ----------
    dataset : SuiteDataset
    output : MethodOutput

    Returns
    -------
    dict
        ``auroc``, ``auprc`` (floats), ``shd`` (int, or NaN without a graph),
        ``n_edges`` (number of off-diagonal edges of the graph, NaN without one) and
        ``level`` (``"graph"``, ``"channel"`` or ``"window"``), by these rules:

        * ``"timeseries"``: ranking metrics of ``scores`` on the off-diagonal entries
          (:func:`gcbook.metrics.auroc`, :func:`gcbook.metrics.auprc` with
          ``include_diagonal=False``; every series depends on its own past, so the
          diagonal is trivially true); :func:`gcbook.metrics.shd` off the diagonal.
          AUROC and AUPRC are NaN where the truth has no off-diagonal edge (or only
          edges).
        * ``"dag"``: the same ranking metrics of ``|scores|`` against ``B``; SHD from
          :func:`gcbook.metrics.count_accuracy`, where an undirected CPDAG edge is
          correct if either direction is true.
        * ``"windows"``: with window scores, :func:`gcbook.window_metrics.window_auroc`
          against :func:`gcbook.simulate.window_events` at the output's starts
          (windows with an undefined F dropped; NaN if one class is missing), AUPRC and
          SHD NaN; with ``(p, p)`` scores, the ``"timeseries"`` rules against the
          channel graph.

    Raises
    ------
    ValueError
        If the output's shapes do not fit the dataset, or it holds neither scores
        nor window scores.

    Examples
    --------
    >>> import numpy as np
    >>> d = make_dataset("sparse_var", seed=0, size="small")
    >>> perfect = MethodOutput(d.truth.astype(float), d.truth)
    >>> evaluate(d, perfect)
    {'auroc': 1.0, 'auprc': 1.0, 'shd': 0, 'n_edges': ..., 'level': 'graph'}
    """
    from gcbook.metrics import count_accuracy, shd

    if not isinstance(dataset, SuiteDataset) or not isinstance(output, MethodOutput):
        raise ValueError("evaluate needs a SuiteDataset and a MethodOutput.")
    nan = float("nan")
    if output.window_scores is not None:
        if dataset.kind != "windows":
            raise ValueError(f"Window scores can only be scored on a 'windows' dataset, not {dataset.kind!r}.")
        return {"auroc": _window_auroc(dataset, output), "auprc": nan, "shd": nan, "n_edges": nan, "level": "window"}
    if output.scores is None:
        raise ValueError("The output holds neither (p, p) scores nor window scores.")
    p = dataset.p
    scores = _check_matrix(output.scores, p, "scores")
    truth = dataset.graph
    if dataset.kind == "dag":
        roc, prc = _ranking(truth, np.abs(scores))
    else:
        roc, prc = _ranking(truth, scores)
    distance, n_edges = nan, nan
    if output.adjacency is not None:
        adjacency = _check_matrix(output.adjacency, p, "adjacency")
        if dataset.kind == "dag":
            acc = count_accuracy(truth, adjacency)
            distance, n_edges = acc["shd"], acc["nnz"]
        else:
            distance = shd(truth, adjacency)
            n_edges = int(np.sum(_offdiag(adjacency) != 0))
    level = "channel" if dataset.kind == "windows" else "graph"
    return {"auroc": roc, "auprc": prc, "shd": distance, "n_edges": n_edges, "level": level}


def _window_auroc(dataset: SuiteDataset, output: MethodOutput) -> float:
    from gcbook.simulate import window_events
    from gcbook.window_metrics import window_auroc

    F = np.asarray(output.window_scores, dtype=float)
    starts = np.asarray(output.window_starts)
    if output.window is None or starts.shape != F.shape:
        raise ValueError("Window scores need window_starts of the same shape and the window length.")
    truth = window_events(dataset.truth, output.window, starts=starts)
    keep = np.isfinite(F)
    if truth[keep].all() or not truth[keep].any():
        return float("nan")
    return window_auroc(F[keep], truth[keep])


# ----------------------------------------------------------------------------- runner
def run_row(dataset, method, seed=0, **options) -> dict:
    """Run one method on one dataset, time it and score it: one row of the suite's table.

    Parameters
    ----------
    dataset : SuiteDataset
    method : str
        A key of :data:`METHODS` that applies to ``dataset.kind``.
    seed : int, default 0
        The method's seed (see :func:`run_method`).
    **options
        Passed to :func:`run_method`.

    Returns
    -------
    dict
        ``dataset``, ``kind``, ``seed``, ``method``, the keys of :func:`evaluate`,
        ``fit_seconds`` (wall clock, :func:`time.perf_counter` around the method call
        only), ``cpu_seconds`` (:func:`time.process_time` around the same call: the CPU
        time of this process, which other processes sharing the machine inflate far less
        than the wall clock), ``p`` and ``T`` (rows of ``X``: time points, or samples for
        a DAG). A neural method's row also holds what its penalty path chose (the keys
        of :data:`PATH_KEYS`: ``lam``, ``lam_interior``, ``lam_extended_below``,
        ``lam_extended_above``, ``lam_path_points``).

    Examples
    --------
    >>> row = run_row(make_dataset("switching", size="small"), "window_linear")
    >>> row["level"], row["p"], row["T"]
    ('window', 2, 400)
    """
    start, cpu_start = time.perf_counter(), time.process_time()
    output = run_method(method, dataset, seed, **options)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    row = {
        "dataset": dataset.name,
        "kind": dataset.kind,
        "seed": seed,
        "method": method,
        **evaluate(dataset, output),
        "fit_seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "p": dataset.p,
        "T": dataset.T,
    }
    return row | {key: output.extra[key] for key in PATH_KEYS if key in output.extra}


def _names(given, valid, what: str) -> list[str]:
    if given is None:
        return list(valid)
    if isinstance(given, str):
        given = [given]
    given = list(given)
    bad = [g for g in given if g not in valid]
    if bad:
        raise ValueError(f"Unknown {what} {bad}; choose from {list(valid)}.")
    if not given:
        raise ValueError(f"Give at least one {what[:-1] if what.endswith('s') else what}.")
    return given


def run_suite(datasets=None, methods=None, seeds=(0,), size="full", on_result=None):
    """Run methods on datasets over seeds: one row per applicable (dataset, seed, method).

    The dataset with seed ``s`` is simulated once and every applicable method is run on
    it with seed ``s`` (data seed = method seed). Combinations where a method does not
    apply to the dataset's kind are skipped.

    Parameters
    ----------
    datasets : list of str or None
        Names of :data:`DATASETS`; None means all.
    methods : list of str or None
        Names of :data:`METHODS`; None means all.
    seeds : sequence of int, default (0,)
    size : {"full", "small"}, default "full"
    on_result : callable or None
        Called as ``on_result(row)`` with each row's dict right after it is computed
        (a benchmark saves its progress there).

    Returns
    -------
    pandas.DataFrame
        Columns ``dataset, kind, seed, method, level, auroc, auprc, shd, n_edges,
        fit_seconds, cpu_seconds, p, T``; see :func:`run_row` and :func:`evaluate`.

    Raises
    ------
    ValueError
        For unknown names, an empty seed list, or when no method applies to any of the
        datasets.

    Examples
    --------
    >>> df = run_suite(["hidden_driver"], ["granger_pairwise", "notears"], size="small")
    >>> df[["method", "shd", "n_edges"]].values.tolist()   # notears skipped; one spurious link found
    [['granger_pairwise', 1, 1]]
    """
    import pandas as pd

    dataset_names = _names(datasets, DATASETS, "datasets")
    method_names = _names(methods, METHODS, "methods")
    if isinstance(seeds, (int, np.integer)):
        seeds = [seeds]
    seeds = [check_int(s, "seed", 0) for s in seeds]
    if not seeds:
        raise ValueError("Give at least one seed.")
    if on_result is not None and not callable(on_result):
        raise ValueError("on_result must be a callable taking one row (a dict), or None.")
    plan = [(d, [m for m in method_names if DATASETS[d] in METHODS[m].kinds]) for d in dataset_names]
    if not any(ms for _, ms in plan):
        raise ValueError(f"None of the methods {method_names} applies to any of the datasets {dataset_names}.")
    rows = []
    for name, names in plan:
        if not names:
            continue
        for seed in seeds:
            dataset = make_dataset(name, seed, size=size)
            for method in names:
                row = run_row(dataset, method, seed)
                rows.append(row)
                if on_result is not None:
                    on_result(row)
    columns = [
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
    return pd.DataFrame(rows, columns=columns)
