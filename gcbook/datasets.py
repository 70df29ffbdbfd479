"""Loaders for public data sets with a known (or agreed) graph.

Used in the chapters :ref:`chap-notears` (Sachs, ``book/notears.md``) and
:ref:`chap-brains-genes` (DREAM3 and NetSim, ``book/brains_genes.md``).

Nothing here downloads anything: :func:`load_dream3` and :func:`load_netsim` read
files that the user already has, and :func:`sachs` reads a CSV file that the
``cdt`` package ships (``pip install cdt==0.6.0``), without importing ``cdt``.

Every graph is returned in the book's orientation: ``graph[i, j] = 1`` means
``i -> j`` (the cause is the row). Every ``recordings`` list can be passed as it is
to the estimators that accept several recordings, e.g.
``gcbook.granger.granger_test(data.recordings, lag)``.

Orientation of the source files
-------------------------------
DREAM3 gold standard
    Lines ``G3<TAB>G7<TAB>1`` list ordered pairs, the regulator first: ``G3``
    regulates ``G7``. Public loaders read the first column as the source and the
    second as the target (``adjacency[src, dst] = weight``; an R script names the
    columns ``from``, ``to``, ``weight``).
NetSim ``net``
    ``net[s, i, j]`` is read as the connection ``i -> j`` of subject ``s``
    (rows are the source), its diagonal holding the negative self-decay (``-1``).
    Evidence: Tetrad's loader of the Smith et al. simulations
    (``cmu-phil/tetrad``, ``LoadContinuousDataSmithSim.readGraph``; J. Ramsey is a
    co-author of Smith et al., 2011) adds the directed edge ``i -> j`` for every
    non-zero entry ``(i, j)`` of a simulation's network matrix, and a public helper
    prints ``x -> y`` for each ``mean(net)[x, y] > 0``. Not every user agrees: one
    public benchmark script swaps the last two axes of ``net`` before using it in
    the layout in which it stores the DREAM3 graphs (``A[source, target]``), which
    amounts to the transpose. Smith et al.'s own description of the files could not
    be checked here; ``orientation="column_to_row"`` reads the transpose.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field

import numpy as np

__all__ = ["DreamData", "NetSimData", "SachsData", "load_dream3", "load_netsim", "sachs", "SACHS_NAMES"]

#: Column names of the Sachs et al. (2005) measurements as the cdt file spells them.
SACHS_NAMES = ("praf", "pmek", "plcg", "PIP2", "PIP3", "p44/42", "pakts473", "PKA", "PKC", "P38", "pjnk")


def _edge_list(graph: np.ndarray, names) -> list[tuple[str, str]]:
    return [(str(names[i]), str(names[j])) for i, j in zip(*np.nonzero(graph))]


def _check_path(path, what: str) -> str:
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"{what} file not found: {path!r}. gcbook does not download it; pass the path of your copy."
        )
    if not os.path.isfile(path):
        raise ValueError(f"{what} path {path!r} is not a file.")
    return path


# --------------------------------------------------------------------------------------
# DREAM3
# --------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class DreamData:
    """Time courses of a DREAM3 in-silico network and its gold standard.

    Attributes
    ----------
    recordings : list of numpy.ndarray, each of shape (T, p)
        One array per trajectory (perturbation experiment), rows are time points,
        columns the genes in the file's order. Pass the list to any estimator that
        accepts several recordings: no lagged window crosses from one trajectory
        into the next.
    graph : numpy.ndarray of int, shape (p, p), or None
        ``graph[i, j] = 1`` iff gene ``i`` regulates gene ``j`` in the gold standard
        (book orientation); None when no gold standard was given.
    genes : list of str, length p
        Gene names from the header (``G1``, ``G2``, ...).
    times : numpy.ndarray, shape (T,)
        The time grid shared by every trajectory (DREAM3: 0, 10, ..., 200).
    source : str
        Path of the trajectory file.
    """

    recordings: list
    graph: np.ndarray | None
    genes: list
    times: np.ndarray
    source: str = ""

    @property
    def n_trajectories(self) -> int:
        """Number of trajectories (recordings)."""
        return len(self.recordings)

    @property
    def n_genes(self) -> int:
        """Number of genes ``p``."""
        return len(self.genes)

    def edges(self) -> list[tuple[str, str]]:
        """The gold standard's edges as ``(regulator, target)`` name pairs (empty without one)."""
        return [] if self.graph is None else _edge_list(self.graph, self.genes)

    def __repr__(self) -> str:
        edges = "no gold standard" if self.graph is None else f"{int(self.graph.sum())} edges"
        return (
            f"DreamData({self.n_trajectories} trajectories x {len(self.times)} time points, "
            f"{self.n_genes} genes, {edges})"
        )


def _parse_floats(tokens, path: str, lineno: int) -> list[float]:
    try:
        values = [float(tok) for tok in tokens]
    except ValueError as exc:
        raise ValueError(f"{path}, line {lineno}: expected numbers separated by tabs ({exc}).") from exc
    if not all(np.isfinite(values)):
        raise ValueError(f"{path}, line {lineno}: NaN or inf value; the DREAM3 trajectory files hold none.")
    return values


def _read_dream_trajectories(path: str):
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    header_at = next((k for k, line in enumerate(lines) if line.strip()), None)
    if header_at is None:
        raise ValueError(f"{path} is empty; expected a header 'Time<TAB>G1<TAB>G2...' and trajectories.")
    header = lines[header_at].strip().split("\t")
    header = [h.strip().strip('"') for h in header]
    if header[0].lower() != "time" or len(header) < 3:
        raise ValueError(
            f"{path}: the first line must be a tab-separated header 'Time<TAB>G1<TAB>G2...' "
            f"with at least two genes, got {lines[header_at]!r}."
        )
    genes = header[1:]
    if len(set(genes)) != len(genes):
        raise ValueError(f"{path}: the header repeats a gene name: {genes}.")
    blocks, current, last_time = [], [], None
    for lineno, line in enumerate(lines[header_at + 1 :], start=header_at + 2):
        if not line.strip():
            if current:
                blocks.append(current)
            current, last_time = [], None
            continue
        tokens = line.strip().split("\t")
        if len(tokens) != len(header):
            raise ValueError(
                f"{path}, line {lineno}: {len(tokens)} tab-separated fields, the header has {len(header)}."
            )
        row = _parse_floats(tokens, path, lineno)
        if last_time is not None and row[0] <= last_time:
            # the time restarts: a new trajectory begins without a blank line
            blocks.append(current)
            current = []
        current.append(row)
        last_time = row[0]
    if current:
        blocks.append(current)
    if not blocks:
        raise ValueError(f"{path}: a header but no data rows.")
    arrays = [np.asarray(block, dtype=np.float64) for block in blocks]
    times = arrays[0][:, 0]
    for index, arr in enumerate(arrays):
        if arr.shape[0] != times.shape[0] or not np.array_equal(arr[:, 0], times):
            raise ValueError(
                f"{path}: trajectory {index} has time points {arr[:, 0].tolist()}, trajectory 0 has "
                f"{times.tolist()}; the DREAM3 trajectories share one time grid."
            )
    if times.shape[0] < 2:
        raise ValueError(f"{path}: each trajectory has a single time point; nothing to fit a lag on.")
    return [np.ascontiguousarray(arr[:, 1:]) for arr in arrays], genes, times.copy()


def _read_gold_standard(path: str, genes: list) -> np.ndarray:
    index = {name: k for k, name in enumerate(genes)}
    graph = np.zeros((len(genes), len(genes)), dtype=int)
    seen: dict[tuple[int, int], int] = {}
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        tokens = line.strip().split()
        if len(tokens) != 3:
            raise ValueError(f"{path}, line {lineno}: expected 'REGULATOR<TAB>TARGET<TAB>0 or 1', got {line!r}.")
        source, target, flag = (tok.strip('"') for tok in tokens)
        for name in (source, target):
            if name not in index:
                raise ValueError(
                    f"{path}, line {lineno}: gene {name!r} is not in the trajectory header {genes}; "
                    "are the two files of the same network?"
                )
        try:
            value = float(flag)
        except ValueError as exc:
            raise ValueError(f"{path}, line {lineno}: the third field must be 0 or 1, got {flag!r}.") from exc
        if value not in (0.0, 1.0):
            raise ValueError(f"{path}, line {lineno}: the third field must be 0 or 1, got {flag!r}.")
        pair = (index[source], index[target])
        if pair in seen and seen[pair] != int(value):
            raise ValueError(
                f"{path}, line {lineno}: the pair {source} -> {target} is listed twice with different values."
            )
        seen[pair] = int(value)
        graph[pair] = int(value)
    if not seen:
        raise ValueError(f"{path}: no 'REGULATOR<TAB>TARGET<TAB>0/1' lines found.")
    return graph


def load_dream3(trajectories_path, gold_standard_path=None) -> DreamData:
    """Read a DREAM3 in-silico time-series file and, optionally, its gold standard.

    The DREAM3 in-silico challenge (GeneNetWeaver networks of 10, 50 and 100 genes)
    ships the time courses as ``InSilicoSize10-Ecoli1-trajectories.tsv``: a header
    ``Time<TAB>G1<TAB>G2...``, then the trajectories one after another, each
    restarting at time 0 (21 points, 0 to 200), separated by blank lines. The gold
    standard ``DREAM3GoldStandard_InSilicoSize10_Ecoli1.txt`` lists ordered pairs
    ``G1<TAB>G2<TAB>1``, meaning G1 regulates G2 (0 for a pair without an edge).
    A trajectory ends at a blank line or where the time stops increasing.

    Parameters
    ----------
    trajectories_path : str or path-like
        The ``*-trajectories.tsv`` file.
    gold_standard_path : str or path-like, optional
        The ``DREAM3GoldStandard_*.txt`` file. Pairs it does not list count as no edge.

    Returns
    -------
    DreamData
        ``recordings`` (list of ``(T, p)`` arrays), ``graph`` (``(p, p)``, book
        orientation, or None), ``genes`` and ``times``.

    Raises
    ------
    FileNotFoundError
        If a path does not exist (nothing is downloaded).
    ValueError
        If a file is malformed: no ``Time`` header, a row with the wrong number of
        fields, a value that is not a number, trajectories on different time grids,
        a gold-standard gene absent from the header, or a flag other than 0/1.

    Examples
    --------
    Two trajectories of three time points in the challenge's layout:

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> traj = os.path.join(folder, "InSilicoSize3-Toy-trajectories.tsv")
    >>> with open(traj, "w") as f:
    ...     _ = f.write("Time\\tG1\\tG2\\tG3\\n0\\t0.1\\t0.2\\t0.3\\n10\\t0.2\\t0.2\\t0.4\\n20\\t0.3\\t0.1\\t0.5\\n\\n"
    ...                 "0\\t0.5\\t0.6\\t0.7\\n10\\t0.4\\t0.6\\t0.8\\n20\\t0.3\\t0.7\\t0.6\\n")
    >>> gold = os.path.join(folder, "DREAM3GoldStandard_InSilicoSize3_Toy.txt")
    >>> with open(gold, "w") as f:
    ...     _ = f.write("G1\\tG2\\t1\\nG2\\tG3\\t1\\nG1\\tG3\\t0\\nG2\\tG1\\t0\\nG3\\tG1\\t0\\nG3\\tG2\\t0\\n")
    >>> data = load_dream3(traj, gold)
    >>> data
    DreamData(2 trajectories x 3 time points, 3 genes, 2 edges)
    >>> [r.shape for r in data.recordings], data.times.tolist()
    ([(3, 3), (3, 3)], [0.0, 10.0, 20.0])
    >>> data.graph
    array([[0, 1, 0],
           [0, 0, 1],
           [0, 0, 0]])
    >>> data.edges()
    [('G1', 'G2'), ('G2', 'G3')]
    """
    path = _check_path(trajectories_path, "DREAM3 trajectory")
    recordings, genes, times = _read_dream_trajectories(path)
    graph = None
    if gold_standard_path is not None:
        graph = _read_gold_standard(_check_path(gold_standard_path, "DREAM3 gold standard"), genes)
    return DreamData(recordings=recordings, graph=graph, genes=genes, times=times, source=path)


# --------------------------------------------------------------------------------------
# NetSim
# --------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class NetSimData:
    """BOLD time series of one NetSim simulation (Smith et al., 2011) and its networks.

    Attributes
    ----------
    recordings : list of numpy.ndarray, each of shape (Ntimepoints, Nnodes)
        One scan per selected subject, rows are time points (TR apart).
    graph : numpy.ndarray of int, shape (p, p)
        ``graph[i, j] = 1`` iff region ``i`` drives region ``j`` in at least one
        selected subject (book orientation, zero diagonal).
    weights : numpy.ndarray of float, shape (n_subjects, p, p)
        Each selected subject's connection strengths in book orientation
        (``weights[s, i, j]`` is the strength of ``i -> j``), diagonal set to zero.
    self_decay : numpy.ndarray of float, shape (n_subjects, p)
        The diagonal of each subject's ``net`` (the self-connection, -1 in NetSim).
    subjects : numpy.ndarray of int, shape (n_subjects,)
        The 0-based subject indices that were read.
    source : str
        Path of the ``.mat`` file.
    """

    recordings: list
    graph: np.ndarray
    weights: np.ndarray
    self_decay: np.ndarray
    subjects: np.ndarray
    source: str = ""

    @property
    def n_subjects(self) -> int:
        """Number of subjects (recordings) read."""
        return len(self.recordings)

    @property
    def n_nodes(self) -> int:
        """Number of regions ``p``."""
        return int(self.graph.shape[0])

    @property
    def graphs(self) -> np.ndarray:
        """Each subject's binary graph, shape (n_subjects, p, p), book orientation."""
        return (self.weights != 0).astype(int)

    @property
    def graph_varies(self) -> bool:
        """True when the selected subjects do not all share one graph."""
        graphs = self.graphs
        return bool(np.any(graphs != graphs[:1]))

    def __repr__(self) -> str:
        varies = ", graph varies across subjects" if self.graph_varies else ""
        return (
            f"NetSimData({self.n_subjects} subjects x {self.recordings[0].shape[0]} time points, "
            f"{self.n_nodes} nodes, {int(self.graph.sum())} edges{varies})"
        )


def _scalar(mat: dict, key: str, path: str) -> int:
    arr = np.asarray(mat[key])
    if arr.size != 1:
        raise ValueError(f"{path}: {key} must be a single number, got an array of shape {arr.shape}.")
    value = float(arr.reshape(-1)[0])
    if value != int(value) or value < 1:
        raise ValueError(f"{path}: {key} must be a positive integer, got {value}.")
    return int(value)


def load_netsim(path, subjects=None, *, orientation: str = "row_to_column") -> NetSimData:
    """Read a NetSim ``simN.mat`` file (Smith et al., 2011) into recordings and graphs.

    A NetSim file holds ``ts`` of shape ``(Nsubjects * Ntimepoints, Nnodes)`` (the
    subjects' BOLD scans stacked one after another), ``net`` of shape
    ``(Nsubjects, Nnodes, Nnodes)`` (each subject's network matrix, diagonal -1 for
    the self-decay), and the scalars ``Nsubjects``, ``Ntimepoints``, ``Nnodes``.

    Parameters
    ----------
    path : str or path-like
        The ``.mat`` file (read with :func:`scipy.io.loadmat`).
    subjects : None or iterable of int, optional
        0-based indices of the subjects to read; all of them by default.
    orientation : {"row_to_column", "column_to_row"}
        How to read ``net``: ``"row_to_column"`` (default) takes ``net[s, i, j] != 0``
        as the link ``i -> j``, as Tetrad's loader of these simulations does (see the
        module docstring for the evidence and the one public script that reads the
        transpose). ``"column_to_row"`` reads the transpose (``net[s, i, j]`` as
        ``j -> i``, the DCM layout ``dz_i/dt = sum_j A[i, j] z_j``).

    Returns
    -------
    NetSimData
        ``recordings`` (one ``(Ntimepoints, Nnodes)`` array per subject), ``graph``
        (union over the subjects, book orientation, zero diagonal), ``weights`` and
        ``self_decay`` per subject.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist (nothing is downloaded).
    ValueError
        If the file is not a MAT file, lacks one of the five variables, or their
        sizes disagree; if a subject index is out of range; if ``ts`` holds NaN/inf.

    Examples
    --------
    A two-subject, three-node file written in NetSim's layout (``0 -> 1 -> 2``):

    >>> import os, tempfile
    >>> import numpy as np
    >>> from scipy.io import savemat
    >>> net = np.array([[-1.0, 0.4, 0.0], [0.0, -1.0, 0.5], [0.0, 0.0, -1.0]])
    >>> ts = np.random.default_rng(0).normal(size=(2 * 50, 3))
    >>> path = os.path.join(tempfile.mkdtemp(), "sim_toy.mat")
    >>> savemat(path, {"ts": ts, "net": np.stack([net, net]), "Nsubjects": 2, "Ntimepoints": 50, "Nnodes": 3})
    >>> data = load_netsim(path)
    >>> data
    NetSimData(2 subjects x 50 time points, 3 nodes, 2 edges)
    >>> data.graph
    array([[0, 1, 0],
           [0, 0, 1],
           [0, 0, 0]])
    >>> bool(np.array_equal(data.recordings[1], ts[50:]))
    True
    """
    from scipy.io import loadmat

    path = _check_path(path, "NetSim")
    if orientation not in ("row_to_column", "column_to_row"):
        raise ValueError(f"orientation must be 'row_to_column' or 'column_to_row', got {orientation!r}.")
    try:
        mat = loadmat(path)
    except Exception as exc:  # scipy raises several types for a file that is not a MAT file
        raise ValueError(f"{path} could not be read as a MATLAB .mat file: {exc}") from exc
    missing = [key for key in ("ts", "net", "Nsubjects", "Ntimepoints", "Nnodes") if key not in mat]
    if missing:
        raise ValueError(
            f"{path} lacks the NetSim variable(s) {missing}; a NetSim file holds ts, net, Nsubjects, Ntimepoints, Nnodes."
        )
    n_subjects, n_time, n_nodes = (_scalar(mat, key, path) for key in ("Nsubjects", "Ntimepoints", "Nnodes"))
    ts = np.asarray(mat["ts"], dtype=np.float64)
    net = np.asarray(mat["net"], dtype=np.float64)
    if ts.shape != (n_subjects * n_time, n_nodes):
        raise ValueError(
            f"{path}: ts has shape {ts.shape}, expected (Nsubjects*Ntimepoints, Nnodes) = "
            f"({n_subjects * n_time}, {n_nodes})."
        )
    if net.ndim == 2 and n_subjects == 1:
        net = net[None]
    if net.shape != (n_subjects, n_nodes, n_nodes):
        raise ValueError(
            f"{path}: net has shape {net.shape}, expected (Nsubjects, Nnodes, Nnodes) = ({n_subjects}, {n_nodes}, {n_nodes})."
        )
    if not np.all(np.isfinite(ts)) or not np.all(np.isfinite(net)):
        raise ValueError(f"{path}: ts or net contains NaN or inf.")
    if subjects is None:
        chosen = np.arange(n_subjects)
    else:
        chosen = np.atleast_1d(np.asarray(list(subjects) if not np.isscalar(subjects) else [subjects]))
        if chosen.size == 0 or not np.issubdtype(chosen.dtype, np.integer):
            raise ValueError(f"subjects must be a non-empty list of 0-based integer indices, got {subjects!r}.")
        bad = chosen[(chosen < 0) | (chosen >= n_subjects)]
        if bad.size:
            raise ValueError(
                f"subject index {int(bad[0])} is out of range; the file has {n_subjects} subjects (0 to {n_subjects - 1})."
            )
    scans = ts.reshape(n_subjects, n_time, n_nodes)
    nets = net[chosen]
    if orientation == "column_to_row":
        nets = np.swapaxes(nets, 1, 2)
    diag = np.arange(n_nodes)
    self_decay = nets[:, diag, diag].copy()
    weights = nets.copy()
    weights[:, diag, diag] = 0.0
    graph = np.any(weights != 0, axis=0).astype(int)
    recordings = [np.ascontiguousarray(scans[s]) for s in chosen]
    return NetSimData(
        recordings=recordings,
        graph=graph,
        weights=weights,
        self_decay=self_decay,
        subjects=chosen.astype(int),
        source=path,
    )


# --------------------------------------------------------------------------------------
# Sachs et al. (2005)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class SachsData:
    """The flow-cytometry protein-signalling data of Sachs et al. (2005).

    Attributes
    ----------
    X : pandas.DataFrame, shape (n, 11)
        One row per cell, one column per measured protein or phospholipid, in the
        file's units (raw intensities, not standardised, not log-transformed).
    graph : numpy.ndarray of int, shape (11, 11)
        The consensus graph that the ``cdt`` package ships, in book orientation
        (``graph[i, j] = 1`` iff ``names[i] -> names[j]``).
    names : list of str, length 11
        Column names as the file spells them (``praf``, ``pmek``, ...).
    source : str
        Folder of the two CSV files.
    """

    X: object
    graph: np.ndarray
    names: list
    source: str = ""
    notes: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of samples (cells)."""
        return int(self.X.shape[0])

    def to_numpy(self) -> np.ndarray:
        """The measurements as a float array of shape (n, 11)."""
        return self.X.to_numpy(dtype=np.float64)

    def edges(self) -> list[tuple[str, str]]:
        """The consensus graph's edges as ``(cause, effect)`` name pairs."""
        return _edge_list(self.graph, self.names)

    def __repr__(self) -> str:
        return f"SachsData(n={self.n}, {len(self.names)} variables, consensus graph with {int(self.graph.sum())} edges)"


def _cdt_resources() -> str:
    """Folder of cdt's bundled data, found without importing (executing) cdt."""
    try:
        spec = importlib.util.find_spec("cdt")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(
            "gcbook.datasets.sachs() reads the Sachs et al. (2005) files that the 'cdt' package ships, "
            "and cdt is not installed: run `pip install cdt==0.6.0` (the version pinned in requirements.txt). "
            "gcbook reads the files without importing cdt, so neither R nor cdt's dependencies are needed."
        )
    for location in spec.submodule_search_locations:
        folder = os.path.join(location, "data", "resources")
        if os.path.isfile(os.path.join(folder, "cyto_full_data.csv")):
            return folder
    raise ValueError(
        "the installed cdt package has no data/resources/cyto_full_data.csv; "
        "install the pinned version with `pip install cdt==0.6.0`."
    )


def sachs(observational_only: bool = False) -> SachsData:
    """Load the Sachs et al. (2005) protein-signalling data and its consensus graph.

    Reads ``cdt/data/resources/cyto_full_data.csv`` (the measurements) and
    ``cyto_full_target.csv`` (the consensus graph as ``Cause,Effect`` pairs) from the
    installed ``cdt`` package. ``cdt`` is located with :func:`importlib.util.find_spec`,
    which does not run the package, so nothing heavy is imported and nothing looks
    for R.

    What the files hold: 7466 cells by 11 variables, the cells of several
    stimulation and inhibition conditions pooled, with no column saying which
    condition a cell came from; and a consensus graph of 18 directed edges that
    is not acyclic: it holds the cycle plcg -> PIP2 -> PIP3 -> plcg.
    Structure-learning papers score against versions of the consensus network
    with other edge counts (17 and 20 are both quoted), and some use only the
    853 cells of the baseline condition, so a published SHD on "Sachs" is
    comparable with one computed here only when cells and graph agree.

    Parameters
    ----------
    observational_only : bool
        Ask for the observational subset only (the cells of the unperturbed
        condition). The file cannot provide it: it has no condition labels, so
        True raises a ValueError instead of guessing.

    Returns
    -------
    SachsData
        ``X`` (DataFrame ``(7466, 11)``), ``graph`` (``(11, 11)``, book orientation)
        and ``names``.

    Raises
    ------
    ValueError
        If cdt is not installed (the message says what to pip install), the files
        are missing or malformed, or ``observational_only=True``.

    Examples
    --------
    >>> data = sachs()
    >>> data
    SachsData(n=7466, 11 variables, consensus graph with 18 edges)
    >>> data.names[:4]
    ['praf', 'pmek', 'plcg', 'PIP2']
    >>> ("praf", "pmek") in data.edges(), ("pmek", "praf") in data.edges()
    (True, False)
    """
    import pandas as pd

    if observational_only:
        raise ValueError(
            "the Sachs file that cdt ships pools the cells of all its conditions (7466 rows) without a "
            "condition label, so the observational cells cannot be picked out of it; use "
            "observational_only=False and say in the analysis that the samples are pooled."
        )
    folder = _cdt_resources()
    data_path = os.path.join(folder, "cyto_full_data.csv")
    target_path = os.path.join(folder, "cyto_full_target.csv")
    for file in (data_path, target_path):
        if not os.path.isfile(file):
            raise ValueError(f"{file} is missing from the installed cdt; reinstall with `pip install cdt==0.6.0`.")
    X = pd.read_csv(data_path)
    names = [str(c) for c in X.columns]
    if X.shape[1] != 11 or X.shape[0] < 2:
        raise ValueError(f"{data_path}: expected 11 columns of measurements, got shape {X.shape}.")
    values = X.to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{data_path}: the measurements contain NaN or inf.")
    X = pd.DataFrame(values, columns=names)
    edges = pd.read_csv(target_path)
    if list(edges.columns[:2]) != ["Cause", "Effect"]:
        raise ValueError(f"{target_path}: expected the columns 'Cause','Effect', got {list(edges.columns)}.")
    index = {name: k for k, name in enumerate(names)}
    graph = np.zeros((len(names), len(names)), dtype=int)
    for cause, effect in zip(edges["Cause"], edges["Effect"]):
        if cause not in index or effect not in index:
            raise ValueError(f"{target_path}: edge {cause} -> {effect} names a variable not in {names}.")
        graph[index[cause], index[effect]] = 1
    notes = {
        "samples": "pooled over the conditions in the file (no condition labels)",
        "units": "raw fluorescence intensities as in the file",
        "graph": "consensus graph as cdt ships it; 18 edges, one 3-cycle (plcg, PIP2, PIP3)",
    }
    return SachsData(X=X, graph=graph, names=names, source=folder, notes=notes)
