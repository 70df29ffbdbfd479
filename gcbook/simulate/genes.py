r"""Gene-expression time courses in the style of GeneNetWeaver and the DREAM3 in-silico challenge.

GeneNetWeaver (GNW; Schaffter, Marbach and Floreano, 2011) is the simulator behind
the DREAM3 and DREAM4 in-silico network-inference challenges (Marbach et al., 2009;
Prill et al., 2010; Marbach et al., 2010). This module rebuilds its model in NumPy:
a sparse regulatory network, GNW's thermodynamic gene-regulation functions, the
chemical Langevin equation for mRNA and protein, multifactorial perturbations of
the basal transcription, the DREAM3 time-course layout and GNW's microarray noise.

The network
-----------
:func:`regulatory_network` draws a sparse signed network. In the book's orientation
``graph[i, j] = 1`` means that the protein of gene ``i`` (a transcription factor)
regulates the transcription of gene ``j``; ``sign[i, j] = +1`` for activation,
``-1`` for repression, ``0`` for no edge. There is no self-regulation (zero
diagonal). The networks are **acyclic** by construction: every gene takes its
regulators among genes drawn before it. An acyclic network has exactly one steady
state, and the noise-free equations converge to it from any start (taken in causal
order, each gene is a stable linear system driven by regulators that have already
converged), so the wild type is well defined. Every gene that is not a root has 1, 2 or 3 regulators with
probabilities 0.6, 0.3 and 0.1 (about 1.5 per gene; our choice), and picks them by
preferential attachment on the out-degree: an earlier gene ``j`` is chosen with
probability proportional to ``outdeg(j) + 1`` (Price's model). The genes that
regulate many others are the hubs: the out-degree is heavy-tailed while the in-degree
stays small, as in the transcriptional networks of *E. coli* and yeast that GNW
samples from.

* ``topology="scale_free"``: one preferential-attachment network over all genes.
* ``topology="modular"``: the genes are split into ``round(n_genes / module_size)``
  modules (at least one) of near-equal size; each module is grown as above from its
  own genes only, and each module after the first receives exactly one edge from a
  gene of an earlier module (chosen by preferential attachment over the earlier
  modules) to a uniformly chosen gene of the module. Links are thus dense within
  modules and few between them (``n_modules - 1`` in all). A network of fewer than
  ``1.5 * module_size`` genes (e.g. 10 with the default) is a single module, the
  same network as the scale-free one drawn from the same seed.

Genes are numbered in a random order, so index order says nothing about causal
order. Each edge is an activation with probability ``activation_prob = 0.5``
(GNW's choice for an unsigned edge that forms a module on its own).

*Departure from GNW.* GNW does not draw networks: it extracts subnetworks of the
known *E. coli* and yeast transcriptional networks (DREAM3 used such subnetworks of
10, 50 and 100 genes). We cannot ship those networks, so we draw networks with the
two features that matter for inference: hubs with many targets and modularity.
:mod:`gcbook.datasets` reads the original DREAM3 files for users who have them.

The kinetics
------------
For gene ``i`` with mRNA concentration :math:`x_i` and protein concentration
:math:`y_i`, GNW's model (Marbach et al., 2010; Schaffter et al., 2011) is

.. math::

    \frac{dx_i}{dt} = m_i\, f_i(\mathbf y) - \lambda_i^{\mathrm{RNA}} x_i, \qquad
    \frac{dy_i}{dt} = r_i\, x_i - \lambda_i^{\mathrm{prot}} y_i .

GNW non-dimensionalises the model with :math:`m_i = \lambda_i^{\mathrm{RNA}}` and
:math:`r_i = \lambda_i^{\mathrm{prot}}`, so the steady state is
:math:`x_i = y_i = f_i(\mathbf y) \in [0, 1]`. The degradation rates are
:math:`\lambda = \ln 2 / t_{1/2}` with half-lives drawn from a normal distribution
with mean 27.5 min and sd 7.5 min truncated to [5, 50] min, separately for mRNA and
protein (GNW's defaults).

*The gene-regulation function* :math:`f_i` is GNW's thermodynamic model. Each
regulator ``j`` of gene ``i`` binds its site independently; the site is occupied
with probability

.. math::

    \mu_{ij} = \frac{\nu_{ij}}{1 + \nu_{ij}}, \qquad
    \nu_{ij} = \left(\frac{y_j}{k_{ij}}\right)^{n_{ij}},

a Hill function with dissociation constant :math:`k_{ij} \sim U(0.01, 1)` and Hill
coefficient :math:`n_{ij}` from a normal distribution with mean 2 and sd 2 truncated
to [1, 10] (GNW's defaults). A state :math:`S \subseteq \{\text{regulators}\}` of
bound regulators has probability
:math:`P(S) = \prod_{j \in S} \mu_{ij} \prod_{j \notin S} (1 - \mu_{ij})` and its own
relative transcription rate
:math:`\alpha_S = \operatorname{clip}_{[0,1]}(\alpha_0 + \sum_{j \in S} \Delta\alpha_{ij})`,
and

.. math::

    f_i(\mathbf y) = \sum_S \alpha_S\, P(S) \in [0, 1].

The effect of a bound regulator is :math:`\Delta\alpha_{ij} = \pm d` with ``d`` from
a normal distribution with mean 0.625 and sd 0.125 truncated to [0.25, 1], ``+`` for
an activator and ``-`` for a repressor. The basal activation :math:`\alpha_0` follows
GNW: 1 for a gene without regulators or with repressors only; "low" (normal, mean 0,
sd 0.05, truncated to [0, 0.25]) with activators only; "medium" (normal, mean 0.5,
sd 1/12, truncated to [0.25, 0.75]) with both. Then, as in GNW, the weakest
activation is raised so that :math:`\alpha_0 + \sum_{\text{act}} \Delta\alpha = 1`
when that sum falls short of 1, and the weakest repression is strengthened so that
the fully repressed state lands at a fresh low basal rate when it lies above 0.25.
So activating an activator can switch its target fully on and a repressor can
switch it (almost) off.

*Departure from GNW.* GNW groups the inputs of a gene at random into regulatory
modules, some of which bind as complexes (synergy) or contain deactivators. Here
every regulator forms a module of its own (independent binding). This keeps the
sign of every edge equal to the sign of its effect (:math:`f_i` is increasing in an
activator and decreasing in a repressor), which a signed ground truth needs.

*Noise in the dynamics* is GNW's chemical Langevin equation (Gillespie, 2000): each
species gets the noise term :math:`c\,(\sqrt{\text{production}}\, dW_1 +
\sqrt{\text{degradation}}\, dW_2)`, e.g. :math:`c (\sqrt{m_i f_i}\, dW_1 +
\sqrt{\lambda_i^{\mathrm{RNA}} x_i}\, dW_2)` for the mRNA, with independent Wiener
processes and the noise coefficient ``noise = c = 0.05`` (GNW's default). The two
terms are drawn as one Gaussian increment with variance
:math:`c^2 (\text{production} + \text{degradation})\, dt`, which has the same law
(GNW does the same). The equations are integrated by Euler-Maruyama with step
``dt = 0.1`` min (all trajectories and genes at once), and concentrations are
clipped at 0 after every step.

The experiment (DREAM3 layout)
------------------------------
1. The wild-type steady state is computed without noise (the fixed point
   :math:`x = y = f(y)`, found exactly in at most ``n_genes`` iterations for an
   acyclic network; by integrating the noise-free equations otherwise).
2. Each trajectory starts there and is simulated with noise for ``burn_in = 100``
   min (GNW's ``mintSDE``), so that it starts from its own sample of the noisy wild
   type, and that sample is the first measurement (``t = 0``). (GNW writes the
   noise-free wild type as the ``t = 0`` row while its solver goes on from the
   noisy sample; we keep the row and the state it continues from the same.)
3. At ``t = 0`` the perturbation is switched on: each gene, independently with
   probability ``perturbed_fraction = 0.33``, gets a new basal activation drawn from
   U(0, 1), different for every trajectory (GNW's multifactorial perturbation of its
   DREAM4 time series). Every :math:`\alpha_S` of the gene shifts by the same amount
   and is clipped to [0, 1], as in GNW.
4. The perturbation stays on for the first half of the time course and is removed at
   its midpoint (``t = 100`` min for 21 points); the second half shows the relaxation
   back to the wild type. (GNW removes it at the first measurement time at or after
   the midpoint; the two agree whenever the midpoint is a measurement time, as for an
   odd number of points.)
5. The mRNA is measured every ``sampling_interval = 10`` min: ``n_timepoints = 21``
   points from 0 to 200 min, the DREAM3 time-series files' layout. The numbers of
   trajectories are DREAM3's: 4 for 10 genes, 23 for 50 and 46 for 100; for another
   size, ``max(2, round(0.46 * n_genes))`` (the DREAM3 ratio of the larger sizes).
6. Measurement noise is GNW's model of microarray noise (Tu, Stolovitzky and Klein,
   2002), GNW's default: :math:`\tilde x = x\, e^{w}` with
   :math:`w \sim N(0, 0.001 + 0.689 / (1 + x / 0.01))`, so low concentrations are
   much noisier than high ones. ``measurement_noise="gaussian"`` adds
   :math:`N(0, 0.025^2)` instead (GNW's normal noise), clipped at 0.
7. As in the DREAM files, the data are normalised by their maximum: all measured
   mRNA values of all trajectories are divided by the largest one, so they lie in
   [0, 1]. The protein, which DREAM does not publish, is divided by the same number
   (as GNW does), so mRNA and protein stay on one scale.

Public functions
----------------
:func:`regulatory_network`
    A sparse signed acyclic network, modular or scale-free.
:func:`gene_expression`
    Time courses after perturbations, in the DREAM3 layout, with their true graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from gcbook._validation import check_int, check_random_state, check_real

__all__ = ["DREAM3_TRAJECTORIES", "GeneSimulation", "RegulatoryNetwork", "gene_expression", "regulatory_network"]

#: Number of time series per network size in the DREAM3 in-silico challenge.
DREAM3_TRAJECTORIES = {10: 4, 50: 23, 100: 46}

_TOPOLOGIES = ("modular", "scale_free")
_MEASUREMENT_NOISE = ("microarray", "gaussian", None)
_N_REGULATORS_P = np.array([0.6, 0.3, 0.1])  # P(1, 2, 3 regulators) for a non-root gene
_MAX_IN_DEGREE = 10  # 2**10 binding states per gene at most


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True, repr=False)
class RegulatoryNetwork:
    """A signed regulatory network from :func:`regulatory_network`.

    Unpacks as ``graph, sign = network``.

    Attributes
    ----------
    graph : numpy.ndarray of int, shape (p, p)
        ``graph[i, j] = 1`` iff gene ``i`` regulates gene ``j``; zero diagonal.
    sign : numpy.ndarray of int, shape (p, p)
        ``+1`` activation, ``-1`` repression, ``0`` no edge (``graph == (sign != 0)``).
    modules : numpy.ndarray of int, shape (p,)
        Module label of each gene (all 0 for ``topology="scale_free"``).
    topology : str
        ``"modular"`` or ``"scale_free"``.
    """

    graph: np.ndarray
    sign: np.ndarray
    modules: np.ndarray
    topology: str

    def __iter__(self):
        return iter((self.graph, self.sign))

    @property
    def n_genes(self) -> int:
        return int(self.graph.shape[0])

    def __repr__(self) -> str:
        out = self.graph.sum(axis=1)
        return (
            f"RegulatoryNetwork(n_genes={self.n_genes}, topology={self.topology!r}, "
            f"edges={int(self.graph.sum())} ({int((self.sign > 0).sum())} activations, "
            f"{int((self.sign < 0).sum())} repressions), modules={int(self.modules.max()) + 1}, "
            f"max_out_degree={int(out.max())})"
        )


@dataclass(frozen=True, repr=False)
class GeneSimulation:
    """Time courses from :func:`gene_expression`.

    Unpacks as ``trajectories, graph = sim``.

    Attributes
    ----------
    trajectories : list of numpy.ndarray, each of shape (n_timepoints, p)
        Measured mRNA levels (with process and measurement noise), one array per
        perturbation experiment; normalised to [0, 1] unless ``normalize=False``.
        Pass it as it is to any estimator that takes a list of recordings, e.g.
        ``granger_test(sim.trajectories, lag)``.
    times : numpy.ndarray, shape (n_timepoints,)
        Measurement times in minutes (0, 10, ..., 200 for the DREAM3 layout).
    graph : numpy.ndarray of int, shape (p, p)
        ``graph[i, j] = 1`` iff gene ``i`` regulates gene ``j`` (book orientation);
        zero diagonal (no self-regulation).
    sign : numpy.ndarray of int, shape (p, p)
        ``+1`` activation, ``-1`` repression, ``0`` no edge.
    protein : list of numpy.ndarray, each of shape (n_timepoints, p)
        Protein levels at the same times (process noise, no measurement noise),
        divided by the same number as the mRNA unless ``normalize=False`` (so they
        may exceed 1 slightly).
    perturbation : numpy.ndarray, shape (n_trajectories, p)
        Change of each gene's basal activation during the first half
        (0 for unperturbed genes), after clipping to keep it in [0, 1].
    wild_type : numpy.ndarray, shape (p,)
        Noise-free wild-type steady state of the mRNA (= protein), unnormalised.
    modules : numpy.ndarray of int, shape (p,)
        Module label of each gene.
    kinetics : dict of numpy.ndarray
        The drawn parameters: ``alpha0`` (p,), ``delta_alpha``, ``k``, ``n`` (p, K)
        for the regulators listed in ``regulators`` (p, K) (padded entries have
        ``delta_alpha = 0``), ``lambda_rna`` and ``lambda_protein`` (p,) in 1/min.
    settings : dict
        The settings used (noise coefficient, dt, burn-in, perturbation switch-off
        time, measurement noise, normalisation scales, ...).
    """

    trajectories: list
    times: np.ndarray
    graph: np.ndarray
    sign: np.ndarray
    protein: list
    perturbation: np.ndarray
    wild_type: np.ndarray
    modules: np.ndarray
    kinetics: dict
    settings: dict

    def __iter__(self):
        return iter((self.trajectories, self.graph))

    @property
    def recordings(self) -> list:
        """The trajectories (same list object)."""
        return self.trajectories

    @property
    def n_genes(self) -> int:
        return int(self.graph.shape[0])

    def plot(self, trajectory=0, genes=None, ax=None, max_genes=6):
        """Plot one trajectory's mRNA time courses with the perturbation window shaded.

        Parameters
        ----------
        trajectory : int
            Which trajectory (0-based).
        genes : sequence of int, optional
            Genes to draw; default: the genes perturbed in this trajectory, then
            their targets, at most ``max_genes``. Perturbed genes are solid lines,
            the others dashed.
        ax : matplotlib.axes.Axes, optional
            Axes to draw on; a new figure is made if None.
        max_genes : int
            Upper bound on the default number of genes.

        Returns
        -------
        matplotlib.figure.Figure

        Examples
        --------
        >>> import matplotlib; matplotlib.use("Agg")
        >>> import matplotlib.pyplot as plt
        >>> fig = gene_expression(10, seed=0).plot(trajectory=1)
        >>> fig.axes[0].get_xlabel()
        'time (min)'
        >>> plt.close(fig)
        """
        import matplotlib.pyplot as plt

        from gcbook.plotting import METHOD_COLORS, PALETTE

        b = check_int(trajectory, "trajectory", 0)
        if b >= len(self.trajectories):
            raise ValueError(f"trajectory must be < {len(self.trajectories)}, got {b}.")
        hit = np.flatnonzero(self.perturbation[b] != 0)
        if genes is None:
            targets = np.flatnonzero(self.graph[hit].any(axis=0)) if hit.size else np.array([], dtype=int)
            rest = [g for g in targets if g not in set(hit.tolist())]
            genes = (hit.tolist() + rest)[: check_int(max_genes, "max_genes", 1)] or [0]
        genes = [int(g) for g in genes]
        if any(g < 0 or g >= self.n_genes for g in genes):
            raise ValueError(f"genes must be indices in 0..{self.n_genes - 1}, got {genes}.")
        if ax is None:
            fig, ax = plt.subplots(figsize=(6.4, 3.2))
        else:
            fig = ax.figure
        t_off = self.settings["perturbation_off"]
        ax.axvspan(self.times[0], t_off, color=PALETTE["neutral"], alpha=0.15, lw=0, label="perturbation on")
        x = self.trajectories[b]
        for c, g in enumerate(genes):
            style = "-" if g in set(hit.tolist()) else "--"
            ax.plot(
                self.times,
                x[:, g],
                style,
                marker="o",
                ms=3,
                color=METHOD_COLORS[c % len(METHOD_COLORS)],
                label=f"gene {g}" + (" (perturbed)" if style == "-" else ""),
            )
        ax.set_xlabel("time (min)")
        ax.set_ylabel("mRNA (normalised)" if self.settings["normalize"] else "mRNA")
        ax.set_title(f"Trajectory {b}: perturbation on until t = {t_off:g} min")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
        return fig

    def __repr__(self) -> str:
        s = self.settings
        return (
            f"GeneSimulation(n_genes={self.n_genes}, n_trajectories={len(self.trajectories)}, "
            f"n_timepoints={self.times.size} (t = {self.times[0]:g}..{self.times[-1]:g} min), "
            f"topology={s['topology']!r}, edges={int(self.graph.sum())} "
            f"({int((self.sign > 0).sum())} activations, {int((self.sign < 0).sum())} repressions), "
            f"perturbation off at t = {s['perturbation_off']:g} min, noise={s['noise']:g}, "
            f"measurement_noise={s['measurement_noise']!r})"
        )


# ----------------------------------------------------------------------------- network
def _grow(rng: np.random.Generator, genes: np.ndarray, outdeg: np.ndarray, sign_edges: list) -> None:
    """Grow a preferential-attachment DAG over ``genes`` (in that order), in place."""
    for t in range(1, genes.size):
        m = min(t, 1 + int(rng.choice(3, p=_N_REGULATORS_P)))
        w = outdeg[genes[:t]] + 1.0
        parents = rng.choice(genes[:t], size=m, replace=False, p=w / w.sum())
        for j in parents:  # at most 3
            sign_edges.append((int(j), int(genes[t])))
            outdeg[j] += 1


def regulatory_network(n_genes, topology="modular", seed=None, *, module_size=10, activation_prob=0.5):
    """Draw a sparse, signed, acyclic regulatory network with hubs.

    See the module docstring for the exact rules (preferential attachment on the
    out-degree; 1-3 regulators per non-root gene; modules linked by one edge each).

    Parameters
    ----------
    n_genes : int
        Number of genes ``p >= 2``.
    topology : {"modular", "scale_free"}
        ``"scale_free"``: one preferential-attachment network; ``"modular"``:
        ``max(1, round(p / module_size))`` such networks joined by one edge each.
    seed : None, int or numpy.random.Generator
        Randomness (the global NumPy state is never used).
    module_size : int, optional
        Target number of genes per module (``"modular"`` only), default 10.
    activation_prob : float, optional
        Probability that an edge is an activation, default 0.5.

    Returns
    -------
    RegulatoryNetwork
        ``graph`` and ``sign`` of shape (p, p) (``graph[i, j] = 1`` iff ``i -> j``),
        ``modules`` of shape (p,); unpacks as ``graph, sign``.

    Examples
    --------
    >>> graph, sign = regulatory_network(100, "scale_free", seed=0)
    >>> graph.shape, int(np.trace(graph)), set(np.unique(sign[graph == 1]).tolist()) <= {-1, 1}
    ((100, 100), 0, True)
    """
    p = check_int(n_genes, "n_genes", 2)
    if topology not in _TOPOLOGIES:
        raise ValueError(f"topology must be one of {_TOPOLOGIES}, got {topology!r}.")
    module_size = check_int(module_size, "module_size", 2)
    activation_prob = check_real(activation_prob, "activation_prob", low=0.0, high=1.0)
    rng = check_random_state(seed)

    order = rng.permutation(p)  # gene labels in causal order
    n_modules = max(1, int(round(p / module_size))) if topology == "modular" else 1
    blocks = np.array_split(order, n_modules)
    outdeg = np.zeros(p)
    edges: list = []
    for b in blocks:  # a loop over modules, not genes
        _grow(rng, b, outdeg, edges)
    for k in range(1, n_modules):
        earlier = np.concatenate(blocks[:k])
        w = outdeg[earlier] + 1.0
        src = int(rng.choice(earlier, p=w / w.sum()))
        dst = int(rng.choice(blocks[k]))
        edges.append((src, dst))
        outdeg[src] += 1
    src, dst = np.array(edges, dtype=int).reshape(-1, 2).T
    sign = np.zeros((p, p), dtype=int)
    sign[src, dst] = np.where(rng.random(src.size) < activation_prob, 1, -1)
    modules = np.empty(p, dtype=int)
    for k, b in enumerate(blocks):
        modules[b] = k
    return RegulatoryNetwork(graph=(sign != 0).astype(int), sign=sign, modules=modules, topology=topology)


# ----------------------------------------------------------------------------- kinetics
def _truncnorm(rng, low, high, mean, sd, size):
    a, b = (low - mean) / sd, (high - mean) / sd
    return stats.truncnorm.rvs(a, b, loc=mean, scale=sd, size=size, random_state=rng)


def _draw_kinetics(rng: np.random.Generator, sign: np.ndarray) -> dict:
    """GNW's random parameters for single-regulator modules (vectorised over genes)."""
    p = sign.shape[0]
    indeg = (sign != 0).sum(axis=0)
    K = max(1, int(indeg.max()))
    # regulators of gene i in row i, padded with index 0 (masked by `valid`)
    order = np.argsort(sign.T == 0, axis=1, kind="stable")[:, :K]  # nonzero columns first
    valid = np.arange(K)[None, :] < indeg[:, None]
    regulators = np.where(valid, order, 0)
    s = np.where(valid, sign.T[np.arange(p)[:, None], order], 0)  # sign of regulator -> gene

    k = rng.uniform(0.01, 1.0, size=(p, K))
    n = _truncnorm(rng, 1.0, 10.0, 2.0, 2.0, (p, K))
    d = _truncnorm(rng, 0.25, 1.0, 0.625, 0.125, (p, K))
    dalpha = d * s
    low = _truncnorm(rng, 0.0, 0.25, 0.0, 0.05, p)
    medium = _truncnorm(rng, 0.25, 0.75, 0.5, 1.0 / 12.0, p)
    low2 = _truncnorm(rng, 0.0, 0.25, 0.0, 0.05, p)
    has_act = (s > 0).any(axis=1)
    has_rep = (s < 0).any(axis=1)
    alpha0 = np.where(has_act & has_rep, medium, np.where(has_act, low, 1.0))

    rows = np.arange(p)
    max_pos = np.where(s > 0, dalpha, 0.0).sum(axis=1)
    fix = has_act & (alpha0 + max_pos < 1.0)
    weakest = np.argmin(np.where(s > 0, dalpha, np.inf), axis=1)
    dalpha[rows[fix], weakest[fix]] += (1.0 - alpha0 - max_pos)[fix]
    max_neg = np.where(s < 0, dalpha, 0.0).sum(axis=1)
    fix = has_rep & (alpha0 + max_neg > 0.25)
    weakest = np.argmax(np.where(s < 0, dalpha, -np.inf), axis=1)
    dalpha[rows[fix], weakest[fix]] += (low2 - alpha0 - max_neg)[fix]

    lam_rna = np.log(2.0) / _truncnorm(rng, 5.0, 50.0, 27.5, 7.5, p)
    lam_prot = np.log(2.0) / _truncnorm(rng, 5.0, 50.0, 27.5, 7.5, p)
    return {
        "regulators": regulators,
        "valid": valid,
        "alpha0": alpha0,
        "delta_alpha": dalpha,
        "k": k,
        "n": n,
        "lambda_rna": lam_rna,
        "lambda_protein": lam_prot,
    }


def _state_table(alpha0: np.ndarray, dalpha: np.ndarray) -> np.ndarray:
    """alpha_S for every binding state S, shape (p, 2**K); bit j of S = regulator j bound."""
    K = dalpha.shape[1]
    S = (np.arange(2**K)[:, None] >> np.arange(K)[None, :]) & 1
    return np.clip(alpha0[:, None] + dalpha @ S.T, 0.0, 1.0)


def _activation(y: np.ndarray, alpha: np.ndarray, kin: dict) -> np.ndarray:
    """f(y): y (..., p), alpha (..., p, 2**K) -> (..., p)."""
    yr = y[..., kin["regulators"]]
    nu = (yr / kin["k"]) ** kin["n"]
    mu = np.where(kin["valid"], nu / (1.0 + nu), 0.0)
    A = alpha
    for j in range(mu.shape[-1] - 1, -1, -1):  # fold the highest bit first (loop over K <= 10)
        h = A.shape[-1] // 2
        m = mu[..., j : j + 1]
        A = A[..., :h] * (1.0 - m) + A[..., h:] * m
    return A[..., 0]


def _steady_state(kin: dict, alpha: np.ndarray) -> np.ndarray:
    """Noise-free wild type: x = y = f(y)."""
    p = alpha.shape[0]
    x = np.zeros(p)
    for _ in range(p + 2):  # exact for an acyclic network after depth + 1 sweeps
        x_new = _activation(x, alpha, kin)
        if np.max(np.abs(x_new - x)) < 1e-14:
            return x_new
        x = x_new
    # a network with cycles: integrate the noise-free equations instead
    from scipy.integrate import solve_ivp

    lr, lp = kin["lambda_rna"], kin["lambda_protein"]

    def rhs(_t, z):
        xx, yy = z[:p], z[p:]
        return np.concatenate([lr * (_activation(yy, alpha, kin) - xx), lp * (xx - yy)])

    z0 = np.concatenate([x, x])
    sol = solve_ivp(rhs, (0.0, 20000.0), z0, method="LSODA", rtol=1e-10, atol=1e-12)
    z = sol.y[:, -1]
    if np.max(np.abs(rhs(0.0, z))) > 1e-8:
        raise ValueError(
            "The noise-free network did not settle within 20000 min (a feedback loop oscillates or converges too "
            "slowly), so it has no wild-type steady state to start from; use an acyclic network or another seed."
        )
    return z[:p]


def _simulate(rng, kin, alpha_wt, alpha_pert, x0, *, B, n_timepoints, interval, dt, burn_in, t_off, noise):
    """Euler-Maruyama over all trajectories and genes at once; returns x, y of shape (B, n_timepoints, p)."""
    p = x0.size
    lr, lp = kin["lambda_rna"], kin["lambda_protein"]
    x = np.tile(x0, (B, 1))
    y = x.copy()
    alpha_b = np.broadcast_to(alpha_wt, (B,) + alpha_wt.shape)
    sq = np.sqrt(dt)

    def step(x, y, alpha, z):
        prod = lr * _activation(y, alpha, kin)
        deg = lr * x
        x_new = x + (prod - deg) * dt
        pprod, pdeg = lp * x, lp * y
        y_new = y + (pprod - pdeg) * dt
        if noise > 0:
            x_new += noise * np.sqrt(prod + deg) * sq * z[0]
            y_new += noise * np.sqrt(pprod + pdeg) * sq * z[1]
        return np.maximum(x_new, 0.0), np.maximum(y_new, 0.0)

    def run(x, y, alpha, n_steps):
        chunk = 200
        done = 0
        while done < n_steps:
            c = min(chunk, n_steps - done)
            Z = rng.standard_normal((c, 2, B, p)) if noise > 0 else np.zeros((c, 2, 1, 1))
            for z in Z:  # the one loop over time steps
                x, y = step(x, y, alpha, z)
            done += c
        return x, y

    if noise > 0 and burn_in > 0:
        x, y = run(x, y, alpha_b, int(round(burn_in / dt)))
    per = int(round(interval / dt))
    s_off = int(round(t_off / dt))  # step at which the perturbation is removed
    xs = np.empty((B, n_timepoints, p))
    ys = np.empty((B, n_timepoints, p))
    xs[:, 0], ys[:, 0] = x, y
    for t in range(1, n_timepoints):
        start = (t - 1) * per
        n_on = min(max(s_off - start, 0), per)  # steps of this interval with the perturbation on
        if n_on:
            x, y = run(x, y, alpha_pert, n_on)
        if per - n_on:
            x, y = run(x, y, alpha_b, per - n_on)
        xs[:, t], ys[:, t] = x, y
    return xs, ys


def _microarray_noise(rng, x):
    """Tu et al. (2002) as in GNW: x * exp(w), w ~ N(0, 0.001 + 0.689 / (1 + x / 0.01))."""
    var = 0.001 + (0.69 - 0.001) / (1.0 + x / 0.01)
    return x * np.exp(rng.standard_normal(x.shape) * np.sqrt(var))


def _check_network(network, p):
    S = np.asarray(network)
    if S.ndim != 2 or S.shape != (p, p):
        raise ValueError(f"network must be a ({p}, {p}) sign matrix for n_genes={p}, got shape {S.shape}.")
    if not np.all(np.isin(S, (-1, 0, 1))):
        raise ValueError("network must contain only -1 (repression), 0 (no edge) and +1 (activation).")
    S = S.astype(int)
    if np.any(np.diag(S) != 0):
        raise ValueError("network must have a zero diagonal (self-regulation is not modelled).")
    if (S != 0).sum(axis=0).max() > _MAX_IN_DEGREE:
        raise ValueError(f"a gene has more than {_MAX_IN_DEGREE} regulators; the regulation function has 2**K states.")
    return S


def _default_trajectories(p: int) -> int:
    return DREAM3_TRAJECTORIES.get(p, max(2, int(round(0.46 * p))))


def gene_expression(
    n_genes=10,
    n_trajectories=None,
    n_timepoints=21,
    *,
    topology="modular",
    seed=None,
    network=None,
    perturbation=None,
    perturbed_fraction=0.33,
    noise=0.05,
    measurement_noise="microarray",
    measurement_sd=0.025,
    sampling_interval=10.0,
    dt=0.1,
    burn_in=100.0,
    normalize=True,
    module_size=10,
) -> GeneSimulation:
    """Simulate DREAM3-style gene-expression time courses after perturbations (GNW model).

    The model and every default are derived in the module docstring
    (:mod:`gcbook.simulate.genes`): a sparse acyclic signed network, GNW's
    thermodynamic regulation functions, mRNA and protein with chemical-Langevin
    noise, a multifactorial perturbation of the basal transcription on during the
    first half of each time course and off in the second, microarray noise, and
    normalisation to [0, 1].

    Parameters
    ----------
    n_genes : int
        Number of genes ``p >= 2`` (DREAM3: 10, 50, 100).
    n_trajectories : int or None
        Number of perturbation experiments. ``None``: DREAM3's number (10 -> 4,
        50 -> 23, 100 -> 46), otherwise ``max(2, round(0.46 * n_genes))``.
    n_timepoints : int
        Measured points per trajectory, ``>= 3``; default 21 (0, 10, ..., 200 min).
        The perturbation is removed at the midpoint, ``(n_timepoints - 1) *
        sampling_interval / 2``.
    topology : {"modular", "scale_free"}
        Network drawn by :func:`regulatory_network` (ignored if ``network`` is given).
    seed : None, int or numpy.random.Generator
        Randomness for the network, the kinetics, the perturbations and both noises.
    network : array_like of int, shape (p, p), optional
        A sign matrix to use instead of a random network: ``network[i, j] = +1`` if
        gene ``i`` activates gene ``j``, ``-1`` if it represses it, 0 otherwise; zero
        diagonal. May contain cycles if it has a stable steady state.
    perturbation : array_like, shape (n_trajectories, p), optional
        Change of each gene's basal activation :math:`\\alpha_0` during the first half
        (0 = unperturbed), in [-1, 1]; it is clipped so that :math:`\\alpha_0` stays in
        [0, 1]. Default: GNW's random multifactorial perturbation.
    perturbed_fraction : float
        Probability that a gene is perturbed in a trajectory (default 0.33, GNW).
    noise : float
        Noise coefficient ``c >= 0`` of the chemical Langevin equation (GNW: 0.05);
        0 gives the deterministic model.
    measurement_noise : {"microarray", "gaussian", None}
        GNW's microarray noise model (default), additive Gaussian noise with sd
        ``measurement_sd``, or none.
    measurement_sd : float
        Standard deviation of the Gaussian measurement noise (GNW: 0.025).
    sampling_interval : float
        Minutes between measurements (DREAM3: 10).
    dt : float
        Euler-Maruyama step in minutes (default 0.1); must divide ``sampling_interval``.
    burn_in : float
        Minutes of noisy wild-type simulation before ``t = 0`` (GNW: 100).
    normalize : bool
        Divide all mRNA values by their maximum (and the protein by the same
        number), as GNW does for the DREAM files.
    module_size : int
        Genes per module for ``topology="modular"``.

    Returns
    -------
    GeneSimulation
        ``trajectories`` (list of ``n_trajectories`` arrays of shape
        ``(n_timepoints, p)``), ``times`` ``(n_timepoints,)``, ``graph`` and ``sign``
        ``(p, p)`` (``graph[i, j] = 1`` iff gene ``i`` regulates gene ``j``),
        ``protein`` (like ``trajectories``), ``perturbation``, ``wild_type``,
        ``modules``, ``kinetics``, ``settings``. Unpacks as ``trajectories, graph``.

    Examples
    --------
    >>> sim = gene_expression(10, seed=0)
    >>> len(sim.trajectories), sim.trajectories[0].shape, sim.graph.shape
    (4, (21, 10), (10, 10))
    >>> sim.times[[0, 10, 20]].tolist()
    [0.0, 100.0, 200.0]
    >>> len(gene_expression(50, seed=1).trajectories)
    23
    >>> from gcbook.granger import granger_test
    >>> granger_test(sim.trajectories, 1).p_value.shape
    (10, 10)
    """
    p = check_int(n_genes, "n_genes", 2)
    if n_trajectories is None:
        B = _default_trajectories(p)
    else:
        B = check_int(n_trajectories, "n_trajectories", 1)
    T = check_int(n_timepoints, "n_timepoints", 3)
    if topology not in _TOPOLOGIES:
        raise ValueError(f"topology must be one of {_TOPOLOGIES}, got {topology!r}.")
    perturbed_fraction = check_real(perturbed_fraction, "perturbed_fraction", low=0.0, high=1.0)
    noise = check_real(noise, "noise", low=0.0)
    if measurement_noise not in _MEASUREMENT_NOISE:
        raise ValueError(f"measurement_noise must be one of {_MEASUREMENT_NOISE}, got {measurement_noise!r}.")
    measurement_sd = check_real(measurement_sd, "measurement_sd", low=0.0)
    interval = check_real(sampling_interval, "sampling_interval", low=0.0, low_open=True)
    dt = check_real(dt, "dt", low=0.0, low_open=True)
    per = interval / dt
    if abs(per - round(per)) > 1e-6 or round(per) < 1:
        raise ValueError(f"dt ({dt:g}) must divide sampling_interval ({interval:g}) into a whole number of steps.")
    if dt > 1.0:
        raise ValueError(f"dt must be <= 1 min (half-lives are >= 5 min), got {dt:g}.")
    burn_in = check_real(burn_in, "burn_in", low=0.0)
    if not isinstance(normalize, (bool, np.bool_)):
        raise ValueError(f"normalize must be True or False, got {normalize!r}.")
    rng = check_random_state(seed)

    if network is None:
        net = regulatory_network(p, topology, seed=rng, module_size=module_size)
        sign, modules, topo = net.sign, net.modules, topology
    else:
        sign = _check_network(network, p)
        modules, topo = np.zeros(p, dtype=int), "given"
    kin = _draw_kinetics(rng, sign)
    alpha_wt = _state_table(kin["alpha0"], kin["delta_alpha"])
    x0 = _steady_state(kin, alpha_wt)

    alpha0 = kin["alpha0"]
    if perturbation is None:
        hit = rng.random((B, p)) < perturbed_fraction
        delta = np.where(hit, rng.uniform(0.0, 1.0, (B, p)) - alpha0, 0.0)
    else:
        delta = np.asarray(perturbation, dtype=float)
        if delta.shape != (B, p):
            raise ValueError(f"perturbation must have shape (n_trajectories, n_genes) = ({B}, {p}), got {delta.shape}.")
        if not np.all(np.isfinite(delta)) or np.any(np.abs(delta) > 1):
            raise ValueError("perturbation must be finite and in [-1, 1] (a change of the basal activation).")
    delta = np.clip(alpha0 + delta, 0.0, 1.0) - alpha0  # GNW: alpha_0 stays in [0, 1]
    alpha_pert = np.clip(alpha_wt[None] + delta[..., None], 0.0, 1.0)

    t_off = (T - 1) * interval / 2.0
    xs, ys = _simulate(
        rng,
        kin,
        alpha_wt,
        alpha_pert,
        x0,
        B=B,
        n_timepoints=T,
        interval=interval,
        dt=dt,
        burn_in=burn_in,
        t_off=t_off,
        noise=noise,
    )
    if measurement_noise == "microarray":
        xs = _microarray_noise(rng, xs)
    elif measurement_noise == "gaussian":
        xs = np.maximum(xs + measurement_sd * rng.standard_normal(xs.shape), 0.0)
    scale = float(xs.max()) if normalize and xs.max() > 0 else 1.0
    settings = {
        "n_genes": p,
        "n_trajectories": B,
        "n_timepoints": T,
        "topology": topo,
        "noise": noise,
        "measurement_noise": measurement_noise,
        "measurement_sd": measurement_sd,
        "sampling_interval": interval,
        "dt": dt,
        "burn_in": burn_in,
        "perturbation_off": t_off,
        "perturbed_fraction": perturbed_fraction,
        "normalize": bool(normalize),
        "scale": scale,
        "module_size": module_size,
    }
    kinetics = {
        key: kin[key] for key in ("regulators", "alpha0", "delta_alpha", "k", "n", "lambda_rna", "lambda_protein")
    }
    return GeneSimulation(
        trajectories=[xs[b] / scale for b in range(B)],
        times=np.arange(T) * interval,
        graph=(sign != 0).astype(int),
        sign=sign,
        protein=[ys[b] / scale for b in range(B)],
        perturbation=delta,
        wild_type=x0,
        modules=modules,
        kinetics=kinetics,
        settings=settings,
    )
