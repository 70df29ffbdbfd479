"""Random DAGs, edge weights and linear structural equation models (SEMs).

These are the i.i.d. (not time-series) benchmarks of the NOTEARS chapter, following
the simulation protocol of Zheng et al. (2018) and their reference code. As everywhere
in :mod:`gcbook`, ``B[i, j] = 1`` (or ``W[i, j] != 0``) means ``i -> j``.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from gcbook._validation import check_int, check_per_variable, check_random_state, check_square_matrix

__all__ = ["dag_weights", "is_dag", "linear_sem", "random_dag"]

_NOISES = ("gauss", "exp", "gumbel", "uniform")


def _digraph(M: np.ndarray) -> nx.DiGraph:
    """Directed graph with an edge ``i -> j`` wherever ``M[i, j] != 0``."""
    return nx.from_numpy_array((M != 0).astype(np.int64), create_using=nx.DiGraph)


def is_dag(B) -> bool:
    """Whether a (weighted) adjacency matrix is a directed acyclic graph.

    Parameters
    ----------
    B : array_like, shape (d, d)
        ``B[i, j] != 0`` means ``i -> j``. A nonzero diagonal entry is a self-loop,
        which is a cycle.

    Returns
    -------
    bool
        ``True`` iff the graph has no directed cycle.

    Examples
    --------
    >>> import numpy as np
    >>> is_dag(np.array([[0, 1], [0, 0]]))
    True
    >>> is_dag(np.array([[0, 1], [1, 0]]))
    False
    """
    B = check_square_matrix(B, name="B")
    return bool(nx.is_directed_acyclic_graph(_digraph(B)))


def random_dag(d, n_edges, kind="ER", seed=None, hubs="in"):
    """Random directed acyclic graph with about ``n_edges`` edges.

    ``"ER"`` (Erdos-Renyi): draw a random order of the nodes (a random permutation) and
    choose exactly ``n_edges`` of its ``d(d-1)/2`` forward pairs uniformly at random;
    every edge points from the earlier to the later node.

    ``"SF"`` (scale-free): grow an undirected Barabasi-Albert graph with
    :func:`networkx.barabasi_albert_graph` with ``m = max(1, round(n_edges / d))``
    links per new node. It has exactly ``m * (d - m)`` edges, which is only
    approximately ``n_edges`` (at least ``d - 1``, a tree, even for ``n_edges = 0``).
    Edges are oriented along the order of arrival, so the graph is acyclic, and the
    node labels are then randomly permuted. By default (``hubs="in"``) each edge points
    from the newer to the older node, as in the NOTEARS reference code
    (``igraph.Graph.Barabasi(directed=True)``): the early, high-degree hubs are *effects*
    with many parents. With ``hubs="out"`` the edges are reversed and hubs are *causes*
    with many children.

    Parameters
    ----------
    d : int
        Number of nodes, ``d >= 2``.
    n_edges : int
        Number of edges, ``0 <= n_edges <= d(d-1)/2`` (exact for ``"ER"``, a target for ``"SF"``).
    kind : {"ER", "SF"}, default "ER"
        Graph model.
    seed : None, int or numpy.random.Generator
        Source of randomness; the global NumPy state is never used.
    hubs : {"in", "out"}, default "in"
        ``"SF"`` only: whether hubs have many parents (``"in"``) or many children (``"out"``).

    Returns
    -------
    B : numpy.ndarray of int64, shape (d, d)
        Binary adjacency matrix of a DAG, ``B[i, j] = 1`` means ``i -> j``.

    Examples
    --------
    >>> B = random_dag(10, 15, kind="ER", seed=0)
    >>> B.shape, int(B.sum()), is_dag(B)
    ((10, 10), 15, True)
    >>> B = random_dag(20, 40, kind="SF", seed=0)  # m = 2, so 2 * (20 - 2) = 36 edges
    >>> int(B.sum()), is_dag(B)
    (36, True)
    """
    d = check_int(d, "d", 2)
    max_edges = d * (d - 1) // 2
    n_edges = check_int(n_edges, "n_edges", 0)
    if n_edges > max_edges:
        raise ValueError(
            f"n_edges={n_edges} is more than a DAG on d={d} nodes can hold; use at most d(d-1)/2 = {max_edges}."
        )
    if kind not in ("ER", "SF"):
        raise ValueError(f"kind must be 'ER' (Erdos-Renyi) or 'SF' (scale-free), got {kind!r}.")
    if hubs not in ("in", "out"):
        raise ValueError(f"hubs must be 'in' (hubs have many parents) or 'out' (many children), got {hubs!r}.")
    rng = check_random_state(seed)

    if kind == "ER":
        # U is upper triangular in topological position: U[a, b] = 1 means order[a] -> order[b].
        rows, cols = np.triu_indices(d, k=1)
        chosen = rng.choice(max_edges, size=n_edges, replace=False)
        U = np.zeros((d, d), dtype=np.int64)
        U[rows[chosen], cols[chosen]] = 1
    else:
        m = max(1, int(round(n_edges / d)))
        G = nx.barabasi_albert_graph(d, m, seed=int(rng.integers(2**32)))
        edges = np.array(G.edges(), dtype=np.int64).reshape(-1, 2)
        older, newer = edges.min(axis=1), edges.max(axis=1)  # networkx labels nodes by arrival
        U = np.zeros((d, d), dtype=np.int64)
        if hubs == "in":
            U[newer, older] = 1
        else:
            U[older, newer] = 1
    order = rng.permutation(d)  # node order[a] plays the role of position a
    B = np.zeros((d, d), dtype=np.int64)
    B[np.ix_(order, order)] = U
    return B


def dag_weights(B, seed=None, w_ranges=((-2.0, -0.5), (0.5, 2.0))):
    """Random edge weights for a graph, as in the NOTEARS experiments.

    Each edge gets a weight drawn uniformly from one of the ``w_ranges``, the range
    itself chosen uniformly at random per edge; non-edges get 0. With the default
    ranges every weight is bounded away from zero, ``0.5 <= |w| <= 2``.

    Parameters
    ----------
    B : array_like, shape (d, d)
        Binary adjacency matrix (entries 0 or 1), ``B[i, j] = 1`` means ``i -> j``.
    seed : None, int or numpy.random.Generator
        Source of randomness; the global NumPy state is never used.
    w_ranges : sequence of (low, high) pairs, default ((-2.0, -0.5), (0.5, 2.0))
        Intervals to draw weights from, each with ``low < high``.

    Returns
    -------
    W : numpy.ndarray of float64, shape (d, d)
        ``W[i, j] != 0`` exactly where ``B[i, j] = 1``; ``W[i, j]`` is the effect of
        ``x_i`` on ``x_j``.

    Examples
    --------
    >>> import numpy as np
    >>> B = np.array([[0, 1, 1], [0, 0, 1], [0, 0, 0]])
    >>> W = dag_weights(B, seed=0)
    >>> bool(np.all((W != 0) == (B == 1))), bool(np.all(np.abs(W[B == 1]) >= 0.5))
    (True, True)
    """
    B = check_square_matrix(B, name="B")
    if not np.all((B == 0) | (B == 1)):
        raise ValueError(
            "B must be a binary adjacency matrix (entries 0 or 1); use (W != 0).astype(int) for a weighted W."
        )
    try:
        ranges = np.array(w_ranges, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"w_ranges must be a sequence of (low, high) pairs, got {w_ranges!r}.") from exc
    if ranges.ndim != 2 or ranges.shape[1] != 2 or ranges.shape[0] < 1:
        raise ValueError(f"w_ranges must be a non-empty sequence of (low, high) pairs, got {w_ranges!r}.")
    if not np.all(np.isfinite(ranges)) or np.any(ranges[:, 0] >= ranges[:, 1]):
        raise ValueError(f"Every range in w_ranges must be finite with low < high, got {w_ranges!r}.")
    rng = check_random_state(seed)

    which = rng.integers(ranges.shape[0], size=B.shape)  # which range, per entry
    U = rng.uniform(ranges[which, 0], ranges[which, 1])
    return np.where(B == 1, U, 0.0)


def linear_sem(W, n, noise="gauss", seed=None, noise_scale=1.0):
    """Sample from a linear structural equation model on a DAG.

    ``x_j = sum_i W[i, j] x_i + e_j`` for every node ``j``, evaluated in topological
    order (one vectorized step per node, over all ``n`` samples at once). In matrix
    form, with samples in rows, ``X = X @ W + E``. The noise ``e_j`` with scale
    ``s_j = noise_scale[j]`` is drawn as in the NOTEARS reference code:

    ========== =========================================== ============ ===================
    ``noise``  distribution                                mean         variance
    ========== =========================================== ============ ===================
    "gauss"    normal, std ``s``                           0            ``s**2``
    "exp"      exponential, scale ``s``                    ``s``        ``s**2``
    "gumbel"   Gumbel, location 0, scale ``s``             ``0.5772 s`` ``pi**2 s**2 / 6``
    "uniform"  uniform on ``[-s, s]``                      0            ``s**2 / 3``
    ========== =========================================== ============ ===================

    "exp" and "gumbel" are not centred (the nonzero mean only shifts each variable);
    they are the non-Gaussian cases in which the equal-variance and the non-Gaussian
    identifiability results differ.

    Parameters
    ----------
    W : array_like, shape (d, d)
        Weighted adjacency matrix of a DAG; ``W[i, j]`` is the effect of ``x_i`` on
        ``x_j`` (``i -> j``).
    n : int
        Number of samples, ``n >= 1``.
    noise : {"gauss", "exp", "gumbel", "uniform"}, default "gauss"
        Noise distribution, see the table.
    seed : None, int or numpy.random.Generator
        Source of randomness; the global NumPy state is never used.
    noise_scale : float or array_like of shape (d,), default 1.0
        Scale ``s`` of the noise, one for all nodes or one per node; > 0.

    Returns
    -------
    X : numpy.ndarray of float64, shape (n, d)
        Samples in rows, variables in columns.

    Raises
    ------
    ValueError
        If ``W`` is not square, holds NaN or inf, or is not a DAG, if ``n < 1``, or if
        ``noise`` is unknown.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[0.0, 2.0], [0.0, 0.0]])  # x0 -> x1 with weight 2
    >>> X = linear_sem(W, n=10000, seed=0)
    >>> X.shape
    (10000, 2)
    >>> print(np.round(np.cov(X.T), 0))  # closed form [[1, 2], [2, 5]]
    [[1. 2.]
     [2. 5.]]
    """
    W = check_square_matrix(W, name="W")
    d = W.shape[0]
    n = check_int(n, "n", 1)
    if noise not in _NOISES:
        raise ValueError(f"noise must be one of {', '.join(map(repr, _NOISES))}, got {noise!r}.")
    scale = check_per_variable(noise_scale, d, "noise_scale", positive=True)
    G = _digraph(W)
    if not nx.is_directed_acyclic_graph(G):
        cycle = " -> ".join(str(u) for u, _ in nx.find_cycle(G)) + f" -> {nx.find_cycle(G)[0][0]}"
        raise ValueError(
            f"W is not a DAG: it has the directed cycle {cycle}. A linear SEM needs an acyclic graph; "
            "remove an edge of the cycle (check the orientation: W[i, j] != 0 means i -> j)."
        )
    rng = check_random_state(seed)

    if noise == "gauss":
        E = rng.normal(scale=scale, size=(n, d))
    elif noise == "exp":
        E = rng.exponential(scale=scale, size=(n, d))
    elif noise == "gumbel":
        E = rng.gumbel(scale=scale, size=(n, d))
    else:
        E = rng.uniform(low=-scale, high=scale, size=(n, d))
    X = np.zeros((n, d))
    for j in nx.topological_sort(G):  # one vectorized step per node: its parents are already filled in
        parents = np.flatnonzero(W[:, j])
        X[:, j] = X[:, parents] @ W[parents, j] + E[:, j]
    return X
