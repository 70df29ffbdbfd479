"""Simulators with a known causal graph: VARs, Lorenz-96, random DAGs and linear SEMs.

Taught where each simulator is first used: the VARs in :ref:`chap-granger`, the switching
pairs in :ref:`chap-dwgc`, DAGs and linear SEMs in :ref:`chap-notears`, Lorenz-96 in
:ref:`chap-neural`, the calcium movies in :ref:`chap-sparse-var`, fMRI and gene expression in
:ref:`chap-brains-genes` (the chapters are ``book/<chapter>.md``).

Every simulator returns its ground truth in the book's orientation, ``A[i, j] = 1``
means ``i -> j`` (the cause is the row), takes ``seed=None`` (an int or a
:class:`numpy.random.Generator`) and never touches the global random state.

Time series (``X`` of shape ``(T, p)``, truth ``A`` of shape ``(p, p)`` with the
diagonal included), returned as a :class:`SimulatedSeries` that unpacks as ``X, A`` and
carries what was drawn (``coef``, ``driver``) as attributes:

- :func:`var`, :func:`var_from_coef`, :func:`confounded_var`,
  :func:`companion_matrix`, :func:`spectral_radius`
- :func:`lorenz96`, :func:`lorenz96_rhs`, :func:`lorenz96_graph`

Pairs whose causation switches on and off in time (the DWGC paper's synthetic sets;
``X`` of shape ``(T, 2)`` with column 0 the effect and column 1 the cause, and a
per-time-point event truth instead of a graph):

- :func:`switching_ar_pair`, :func:`nonlinear_ar_pair`, :func:`window_events`

Synthetic calcium-imaging movies (``movie`` of shape ``(T, size, size)``) whose latent
factors follow a sparse VAR(1), with their footprints and driver graph:

- :func:`calcium_movie`, :func:`movie_pair`, :func:`rerecord`

Several recordings of brains and genes, with their true graph (lists of ``(T_r, p)``
arrays, ready for every estimator of the book):

- :func:`fmri_bold`, :func:`netsim_graph`, :func:`hemodynamic_response`,
  :func:`hemodynamic_states`, :func:`transit_time_for_delay`: NetSim-style fMRI BOLD
  scans (a DCM of neural states seen through a balloon-Windkessel haemodynamic model,
  sampled at a TR of seconds)
- :func:`gene_expression`, :func:`regulatory_network`: GeneNetWeaver-style mRNA time
  courses after perturbations, in the DREAM3 layout

I.i.d. data from DAGs (``B``, ``W`` of shape ``(d, d)``, ``X`` of shape ``(n, d)``):

- :func:`random_dag`, :func:`is_dag`, :func:`dag_weights`, :func:`linear_sem`

Examples
--------
>>> from gcbook.simulate import var, lorenz96, random_dag, dag_weights, linear_sem
>>> X, A = var(p=5, T=300, seed=0)
>>> X.shape, A.shape
((300, 5), (5, 5))
>>> var(p=5, T=300, lag=2, seed=0).coef.shape        # coef[k-1, i, j]: x_i(t-k) -> x_j(t)
(2, 5, 5)
>>> W = dag_weights(random_dag(5, 6, seed=0), seed=1)
>>> linear_sem(W, n=100, seed=2).shape
(100, 5)
"""

from gcbook.simulate._series import SimulatedSeries
from gcbook.simulate.calcium import CalciumMovie, CalciumPair, calcium_movie, movie_pair, rerecord
from gcbook.simulate.dag import dag_weights, is_dag, linear_sem, random_dag
from gcbook.simulate.dwgc import PairSimulation, nonlinear_ar_pair, switching_ar_pair, window_events
from gcbook.simulate.fmri import (
    FMRISimulation,
    HemodynamicStates,
    fmri_bold,
    hemodynamic_response,
    hemodynamic_states,
    netsim_graph,
    transit_time_for_delay,
)
from gcbook.simulate.genes import (
    DREAM3_TRAJECTORIES,
    GeneSimulation,
    RegulatoryNetwork,
    gene_expression,
    regulatory_network,
)
from gcbook.simulate.lorenz import lorenz96, lorenz96_graph, lorenz96_rhs
from gcbook.simulate.var import companion_matrix, confounded_var, spectral_radius, var, var_from_coef

__all__ = [
    "calcium_movie",
    "CalciumMovie",
    "CalciumPair",
    "companion_matrix",
    "confounded_var",
    "dag_weights",
    "DREAM3_TRAJECTORIES",
    "fmri_bold",
    "FMRISimulation",
    "gene_expression",
    "GeneSimulation",
    "hemodynamic_response",
    "hemodynamic_states",
    "HemodynamicStates",
    "is_dag",
    "linear_sem",
    "lorenz96",
    "lorenz96_graph",
    "lorenz96_rhs",
    "movie_pair",
    "netsim_graph",
    "nonlinear_ar_pair",
    "PairSimulation",
    "random_dag",
    "regulatory_network",
    "RegulatoryNetwork",
    "rerecord",
    "SimulatedSeries",
    "spectral_radius",
    "switching_ar_pair",
    "transit_time_for_delay",
    "var",
    "var_from_coef",
    "window_events",
]
