"""The methods the book compares against, from established libraries: PC, GES and PCMCI.

Used in the chapter :ref:`chap-notears` (``book/notears.md``), where PC and GES stand next to
NOTEARS on i.i.d. data from a DAG, and in the capstone :ref:`chap-capstone`
(``book/capstone.md``), where PCMCI joins the time-series methods. The book teaches none of
them step by step; this module only calls the libraries and converts what they return to the
result shape of every structure-learning method of the package (see :ref:`ref-result-shape`):
``scores``, ``adjacency(...)``, ``labels``, ``method``, ``to_frame()`` and ``plot()``.

Orientation, everywhere: ``A[i, j] = 1`` means ``i -> j`` (the cause is the row).

The public names:

- :func:`run_pc`, :func:`run_ges` -- PC (constraint-based) and GES (score-based) from
  causal-learn; both return a :class:`CPDAGResult`, the equivalence class of DAGs that the
  data cannot tell apart.
- :func:`causallearn_to_adjacency` -- causal-learn's endpoint matrix as the book's CPDAG
  array (``1`` for ``i -> j``, ``-1`` marked once for an undirected ``i - j``).
- :func:`run_pcmci` -- PCMCI with partial correlation from tigramite, for time series (one
  series or a list of recordings); returns a :class:`PCMCIResult`.

Examples
--------
>>> import numpy as np
>>> from gcbook.baselines import run_pc
>>> rng = np.random.default_rng(0)
>>> x0, x1 = rng.normal(size=(2, 2000))
>>> res = run_pc(np.c_[x0, x1, x0 + x1 + rng.normal(size=2000)])   # 0 -> 2 <- 1
>>> res.adjacency().tolist()
[[0, 0, 1], [0, 0, 1], [0, 0, 0]]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gcbook._result import GraphResult, default_labels
from gcbook._validation import as_time_series, check_real, recordings_and_lag

__all__ = [
    "CPDAGResult",
    "PCMCIResult",
    "causallearn_to_adjacency",
    "run_ges",
    "run_pc",
    "run_pcmci",
]


def _check_alpha(alpha, name: str = "alpha") -> float:
    return check_real(alpha, name, low=0.0, high=1.0, low_open=True, high_open=True)


# ---------------------------------------------------------------------------
# PC and GES from causal-learn, in the book's orientation
# ---------------------------------------------------------------------------


@dataclass(frozen=True, repr=False, eq=False)
class CPDAGResult(GraphResult):
    """The CPDAG found by PC or GES, in the book's orientation.

    A CPDAG (completed partially directed acyclic graph) stands for the Markov equivalence
    class of DAGs that the conditional independences (PC) or the score (GES) cannot tell
    apart: the edges every DAG of the class orients the same way are directed, the others
    undirected.

    Attributes
    ----------
    cpdag : numpy.ndarray of int64, shape (p, p)
        Entries in {-1, 0, 1}: ``cpdag[i, j] = 1`` is the directed edge ``i -> j``;
        ``cpdag[i, j] = -1`` with ``i < j`` (and ``cpdag[j, i] = 0``) the undirected edge
        ``i - j``, marked once, in the upper triangle (see
        :func:`causallearn_to_adjacency`). :func:`gcbook.metrics.count_accuracy` reads it
        as it is.
    method : str
        ``"pc"`` or ``"ges"``.
    labels : tuple of str
        The variable names: a DataFrame's columns, else ``x0, x1, ...``.

    Notes
    -----
    ``scores`` is 1 on a directed edge, 0.5 on both directions of an undirected one and 0
    elsewhere: a CPDAG has no continuous strengths, so its AUROC and AUPRC are those of a
    single operating point, with an undirected edge counted as half right either way.
    There are no lags (``scores_by_lag`` is None).

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.baselines import run_ges
    >>> rng = np.random.default_rng(0)
    >>> x0 = rng.normal(size=2000)
    >>> x1 = x0 + rng.normal(size=2000)
    >>> res = run_ges(np.c_[x0, x1, x1 + rng.normal(size=2000)])    # the chain 0 -> 1 -> 2
    >>> res
    CPDAGResult(ges, p=3, 0 directed and 2 undirected edges)
    >>> res.scores.tolist()                                         # 0 - 1 - 2: half each way
    [[0.0, 0.5, 0.0], [0.5, 0.0, 0.5], [0.0, 0.5, 0.0]]
    """

    cpdag: np.ndarray
    method: str
    labels: tuple = field(default=())

    def __post_init__(self):
        B = np.asarray(self.cpdag)
        if B.ndim != 2 or B.shape[0] != B.shape[1] or not np.all(np.isin(B, (-1, 0, 1))):
            raise ValueError(f"cpdag must be a square (p, p) matrix with entries in {{-1, 0, 1}}, got shape {B.shape}.")
        if np.any((B == -1) & ((np.tril(np.ones_like(B)) == 1) | (B.T != 0))):
            raise ValueError("An undirected edge i - j is marked -1 once, at [i, j] with i < j and [j, i] = 0.")
        object.__setattr__(self, "cpdag", B.astype(np.int64))
        object.__setattr__(self, "labels", default_labels(B.shape[0], self.labels))

    @property
    def scores(self) -> np.ndarray:
        """1 on ``i -> j``, 0.5 on both directions of an undirected ``i - j``, 0 elsewhere; shape (p, p)."""
        undirected = (self.cpdag == -1).astype(float)
        return (self.cpdag == 1).astype(float) + 0.5 * (undirected + undirected.T)

    @property
    def scores_by_lag(self) -> None:
        """None: PC and GES have no lags."""
        return None

    def adjacency(self) -> np.ndarray:
        """The CPDAG itself, a copy of ``cpdag``: ``1`` for ``i -> j``, ``-1`` (once) for ``i - j``."""
        return self.cpdag.copy()

    def _array_hint(self) -> str:
        return "result.cpdag or result.adjacency()"

    def __repr__(self) -> str:
        return (
            f"CPDAGResult({self.method}, p={self.p}, {int(np.sum(self.cpdag == 1))} directed and "
            f"{int(np.sum(self.cpdag == -1))} undirected edges)"
        )


def causallearn_to_adjacency(graph) -> np.ndarray:
    """Convert causal-learn's endpoint matrix to the book's adjacency convention.

    causal-learn stores a graph as ``G.graph``
    (a :class:`~causallearn.graph.GeneralGraph.GeneralGraph`) with
    endpoint codes: ``graph[j, i] == 1`` and ``graph[i, j] == -1`` is the
    directed edge ``i -> j`` (an arrowhead at ``j``, a tail at ``i``), and
    ``graph[i, j] == graph[j, i] == -1`` is the undirected edge ``i - j`` of a
    CPDAG. The result follows NOTEARS's ``count_accuracy`` convention, which
    :func:`gcbook.metrics.count_accuracy` accepts directly:

    * ``B[i, j] = 1``: the directed edge ``i -> j``;
    * ``B[i, j] = -1`` with ``i < j`` and ``B[j, i] = 0``: the undirected edge
      ``i - j``, marked once, in the upper triangle;
    * any other nonzero pair of marks (a bidirected ``i <-> j``, which PC can
      produce when v-structures conflict, or circle marks) means "adjacent,
      direction unknown" and is also marked ``-1`` once.

    Parameters
    ----------
    graph : array_like of int, shape (d, d)
        causal-learn's ``cg.G.graph`` (PC) or ``record["G"].graph`` (GES).

    Returns
    -------
    B : numpy.ndarray of int64, shape (d, d)
        Entries in {-1, 0, 1}.

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.baselines import causallearn_to_adjacency
    >>> G = np.array([[ 0, -1,  0],
    ...               [ 1,  0,  1],
    ...               [ 0, -1,  0]])      # causal-learn: 0 -> 1 <- 2
    >>> causallearn_to_adjacency(G)
    array([[0, 1, 0],
           [0, 0, 0],
           [0, 1, 0]])
    >>> causallearn_to_adjacency(np.array([[0, -1], [-1, 0]]))   # 0 - 1, undirected
    array([[ 0, -1],
           [ 0,  0]])
    """
    G = np.asarray(graph)
    if G.ndim != 2 or G.shape[0] != G.shape[1]:
        raise ValueError(f"graph must be a square (d, d) endpoint matrix, got shape {G.shape}.")
    G = G.astype(np.int64)
    directed = (G.T == 1) & (G == -1)  # directed[i, j]: tail at i, arrowhead at j, i.e. i -> j
    adjacent = (G != 0) | (G.T != 0)
    np.fill_diagonal(adjacent, False)
    unknown = np.triu(adjacent & ~directed & ~directed.T, k=1)
    B = directed.astype(np.int64)
    B[unknown] = -1
    return B


def _check_samples(X) -> tuple[np.ndarray, list[str]]:
    """Samples (n, d) as float: 2-D, d >= 2, n >= 3, finite, no constant column; with the labels."""
    return as_time_series(X, name="X", min_vars=2)


def _check_not_collinear(X: np.ndarray, what: str) -> None:
    n, d = X.shape
    if n > d and np.linalg.matrix_rank(X - X.mean(axis=0)) < d:
        raise ValueError(
            f"X has exactly collinear columns (one is a linear combination of others); {what}. "
            "Drop the redundant columns."
        )


def run_pc(X, alpha: float = 0.05, indep_test: str = "fisherz", **kwargs) -> CPDAGResult:
    """Run the PC algorithm of causal-learn and return its CPDAG in the book's orientation.

    Parameters
    ----------
    X : array_like or pandas.DataFrame, shape (n, d)
        Samples in rows; a DataFrame's columns become the labels.
    alpha : float in (0, 1), default 0.05
        Significance level of the conditional independence tests.
    indep_test : str, default "fisherz"
        causal-learn's test name ("fisherz", "chisq", "gsq", "kci", ...).
    **kwargs
        Passed on to :func:`causallearn.search.ConstraintBased.PC.pc` (``stable``,
        ``uc_rule``, ...); the progress bar is always off.

    Returns
    -------
    CPDAGResult
        ``cpdag`` (and ``adjacency()``): ``1`` for ``i -> j``, ``-1`` (upper triangle,
        marked once) for an undirected edge; see :func:`causallearn_to_adjacency`. Feed
        it to :func:`gcbook.metrics.count_accuracy` as it is. ``method`` is ``"pc"``.

    Raises
    ------
    ValueError
        For invalid data or ``alpha``, or when the Fisher-z test meets a singular
        correlation matrix (exactly collinear columns, or fewer samples than a
        conditioning set needs).

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.baselines import run_pc
    >>> rng = np.random.default_rng(0)
    >>> x0, x1 = rng.normal(size=(2, 2000))
    >>> x2 = x0 + x1 + rng.normal(size=2000)            # the v-structure 0 -> 2 <- 1
    >>> res = run_pc(np.c_[x0, x1, x2])
    >>> res.adjacency()
    array([[0, 0, 1],
           [0, 0, 1],
           [0, 0, 0]])
    """
    from causallearn.search.ConstraintBased.PC import pc

    X, labels = _check_samples(X)
    alpha = _check_alpha(alpha)
    if indep_test == "fisherz":
        _check_not_collinear(X, "the Fisher-z test needs invertible correlation matrices")
    kwargs["show_progress"] = False
    try:
        cg = pc(X, alpha, indep_test, **kwargs)
    except ValueError as exc:
        if "singular" not in str(exc):
            raise
        raise ValueError(
            "PC's Fisher-z test met a singular correlation matrix: some columns of X are exactly "
            "collinear, or there are too few samples for the conditioning sets. Drop redundant "
            f"columns or add samples. (causal-learn: {exc})"
        ) from exc
    return CPDAGResult(cpdag=causallearn_to_adjacency(cg.G.graph), method="pc", labels=tuple(labels))


def run_ges(X, score_func: str = "local_score_BIC", **kwargs) -> CPDAGResult:
    """Run GES (greedy equivalence search) of causal-learn and return its CPDAG in the book's orientation.

    Parameters
    ----------
    X : array_like or pandas.DataFrame, shape (n, d)
        Samples in rows; a DataFrame's columns become the labels.
    score_func : str, default "local_score_BIC"
        causal-learn's score name.
    **kwargs
        Passed on to :func:`causallearn.search.ScoreBased.GES.ges` (``maxP``,
        ``parameters``, ...).

    Returns
    -------
    CPDAGResult
        ``cpdag`` (and ``adjacency()``): ``1`` for ``i -> j``, ``-1`` (upper triangle,
        marked once) for an undirected edge; see :func:`causallearn_to_adjacency`.
        ``method`` is ``"ges"``.

    Raises
    ------
    ValueError
        For invalid data, or exactly collinear columns with ``n > d`` (the
        Gaussian BIC score needs invertible covariance matrices).

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.baselines import run_ges
    >>> rng = np.random.default_rng(0)
    >>> x0 = rng.normal(size=2000)
    >>> x1 = x0 + rng.normal(size=2000)
    >>> x2 = x1 + rng.normal(size=2000)                 # the chain 0 -> 1 -> 2
    >>> run_ges(np.c_[x0, x1, x2]).adjacency()          # only its equivalence class: 0 - 1 - 2
    array([[ 0, -1,  0],
           [ 0,  0, -1],
           [ 0,  0,  0]])
    """
    from causallearn.search.ScoreBased.GES import ges

    X, labels = _check_samples(X)
    _check_not_collinear(X, "the Gaussian score is undefined")
    record = ges(X, score_func=score_func, **kwargs)
    return CPDAGResult(cpdag=causallearn_to_adjacency(record["G"].graph), method="ges", labels=tuple(labels))


# ---------------------------------------------------------------------------
# PCMCI from tigramite
# ---------------------------------------------------------------------------


@dataclass(frozen=True, repr=False, eq=False)
class PCMCIResult(GraphResult):
    """PCMCI's momentary conditional independence (MCI) tests, as tigramite returns them.

    Attributes
    ----------
    val_matrix : numpy.ndarray, shape (p, p, lag + 1)
        tigramite's ``val_matrix``: ``val_matrix[i, j, tau]`` is the MCI partial correlation
        of ``x_i(t - tau) -> x_j(t)``, the book's orientation (cause first). ``tau = 0``
        holds the contemporaneous entries, which nothing here uses.
    p_matrix : numpy.ndarray, shape (p, p, lag + 1)
        The MCI p-values, same layout.
    lag : int
        ``tau_max``, the largest lag tested.
    alpha : float
        The level :meth:`adjacency` uses by default.
    method : str
        ``"pcmci"``.
    labels : tuple of str
        The variable names: a DataFrame's columns, else ``x0, x1, ...``.

    Notes
    -----
    ``scores_by_lag`` is ``|val_matrix[:, :, 1:]|``, shape ``(p, p, lag)`` (lag axis last,
    ``scores_by_lag[i, j, k-1]`` for ``x_i(t-k) -> x_j(t)``), and ``scores`` its maximum
    over the lags. :meth:`adjacency` rejects where the smallest p-value over the lags
    ``tau >= 1`` is below ``alpha``, with **no** multiple-testing correction (the MCI
    p-values as they come). Contemporaneous links (``tau = 0``) are not used.

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.baselines import run_pcmci
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((500, 3))
    >>> X[2:, 2] += 0.8 * X[:-2, 0]                     # x0 -> x2 at lag 2
    >>> res = run_pcmci(X, lag=2)
    >>> res.val_matrix.shape, res.scores_by_lag.shape
    ((3, 3, 3), (3, 3, 2))
    >>> bool(res.adjacency()[0, 2]), int(np.argmax(res.scores_by_lag[0, 2])) + 1
    (True, 2)
    """

    val_matrix: np.ndarray
    p_matrix: np.ndarray
    lag: int
    alpha: float = 0.05
    labels: tuple = field(default=())

    method = "pcmci"

    def __post_init__(self):
        object.__setattr__(self, "labels", default_labels(np.shape(self.val_matrix)[0], self.labels))

    @property
    def scores_by_lag(self) -> np.ndarray:
        """``|val_matrix[:, :, 1:]|``, shape (p, p, lag): ``[i, j, k-1]`` for ``x_i(t-k) -> x_j(t)``."""
        return np.abs(self.val_matrix[:, :, 1:])

    @property
    def scores(self) -> np.ndarray:
        """The largest ``|MCI partial correlation|`` over the lags ``1..lag``, shape (p, p)."""
        return self.scores_by_lag.max(axis=2)

    @property
    def p_value(self) -> np.ndarray:
        """The smallest MCI p-value over the lags ``1..lag``, shape (p, p); uncorrected."""
        return self.p_matrix[:, :, 1:].min(axis=2)

    def adjacency(self, alpha: float | None = None) -> np.ndarray:
        """``i -> j`` where some lag ``tau >= 1`` has an MCI p-value below ``alpha``.

        Parameters
        ----------
        alpha : float in (0, 1), optional
            Default: the ``alpha`` given to :func:`run_pcmci` (0.05). No multiple-testing
            correction; contemporaneous links are not used.

        Returns
        -------
        numpy.ndarray of int, shape (p, p)
            ``A[i, j] = 1`` for ``i -> j``. The diagonal (a series' own past) is as the
            tests give it.
        """
        alpha = self.alpha if alpha is None else _check_alpha(alpha)
        return (self.p_value < alpha).astype(int)

    def _frame_columns(self) -> dict:
        return {"p_value": self.p_value}

    def _array_hint(self) -> str:
        return "result.val_matrix, result.p_matrix or result.scores"

    def __repr__(self) -> str:
        p = self.p
        off = ~np.eye(p, dtype=bool)
        n_sig = int(np.sum(self.adjacency()[off]))
        return f"PCMCIResult(p={p}, lag={self.lag}, {n_sig} of {p * (p - 1)} pairs with p < {self.alpha:g})"


def run_pcmci(X, lag, alpha: float = 0.05, *, pc_alpha=None, **kwargs) -> PCMCIResult:
    """Run tigramite's PCMCI with partial correlation (ParCorr) on a time series or recordings.

    ``PCMCI(dataframe, cond_ind_test=ParCorr()).run_pcmci(tau_max=lag, pc_alpha=pc_alpha)``
    (Runge et al., 2019): the PC stage selects a small set of lagged parents for each
    series, and the MCI stage tests each lagged link ``x_i(t - tau) -> x_j(t)``
    conditioned on the parents of both ends. With ``pc_alpha=None`` tigramite chooses the
    PC stage's level per series among its default levels (by the Akaike criterion).

    Parameters
    ----------
    X : array_like, pandas.DataFrame, or list of them
        One series of shape ``(T, p)`` (rows are time), or a list of recordings
        ``(T_r, p)`` of the same variables (trials, subjects). A list goes to tigramite in
        its ``analysis_mode="multiple"``, which builds each test's lagged samples within
        each recording and pools them, so no sample reaches across a seam.
    lag : int
        ``tau_max``, the largest lag tested, ``>= 1``.
    alpha : float in (0, 1), default 0.05
        The default level of the result's :meth:`PCMCIResult.adjacency` (and tigramite's
        ``alpha_level``); it does not change the tests.
    pc_alpha : float or None, default None
        Level of the PC stage, or None to let tigramite choose it.
    **kwargs
        Passed on to :meth:`tigramite.pcmci.PCMCI.run_pcmci` (``max_conds_dim``,
        ``link_assumptions``, ...).

    Returns
    -------
    PCMCIResult
        ``val_matrix``, ``p_matrix`` of shape ``(p, p, lag + 1)`` as tigramite gives them
        (``[i, j, tau]``: ``x_i(t - tau) -> x_j(t)``), ``scores`` (largest ``|val|`` over
        ``tau >= 1``), ``scores_by_lag`` and ``adjacency(alpha)``.

    Raises
    ------
    ValueError
        For invalid data (see :func:`gcbook.granger.granger_test`), a bad ``lag`` or
        ``alpha``, a recording with fewer than ``2 lag + 1`` time points (tigramite's
        samples start at ``t = 2 lag``), or too few samples for the tests (NaN p-values).

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.baselines import run_pcmci
    >>> rng = np.random.default_rng(1)
    >>> X = rng.standard_normal((400, 2))
    >>> X[1:, 1] += 0.7 * X[:-1, 0]                     # x0 -> x1 at lag 1
    >>> run_pcmci(X, lag=2).adjacency().tolist()
    [[0, 1], [0, 0]]
    """
    import tigramite.data_processing as pp
    from tigramite.independence_tests.parcorr import ParCorr
    from tigramite.pcmci import PCMCI

    recordings, labels, lag = recordings_and_lag(X, lag)
    alpha = _check_alpha(alpha)
    if pc_alpha is not None:
        pc_alpha = _check_alpha(pc_alpha, "pc_alpha")
    short = [index for index, rec in enumerate(recordings) if rec.shape[0] < 2 * lag + 1]
    if short:
        raise ValueError(
            f"Recording {short[0]} has T={recordings[short[0]].shape[0]} time points; PCMCI's samples start "
            f"at t = 2 lag, so every recording needs at least 2 lag + 1 = {2 * lag + 1}."
        )
    if len(recordings) == 1:
        dataframe = pp.DataFrame(recordings[0], var_names=labels)
    else:
        dataframe = pp.DataFrame(dict(enumerate(recordings)), var_names=labels, analysis_mode="multiple")
    pcmci = PCMCI(dataframe=dataframe, cond_ind_test=ParCorr(), verbosity=0)
    res = pcmci.run_pcmci(tau_max=lag, pc_alpha=pc_alpha, alpha_level=alpha, **kwargs)
    val, pval = np.asarray(res["val_matrix"], dtype=float), np.asarray(res["p_matrix"], dtype=float)
    if not (np.all(np.isfinite(val[:, :, 1:])) and np.all(np.isfinite(pval[:, :, 1:]))):
        raise ValueError(
            f"PCMCI returned NaN statistics: too few samples ({sum(r.shape[0] - 2 * lag for r in recordings)} "
            f"pooled) for its tests at lag={lag} with p={recordings[0].shape[1]}. Use more data or a smaller lag."
        )
    return PCMCIResult(val_matrix=val, p_matrix=pval, lag=lag, alpha=alpha, labels=tuple(labels))
