r"""NetSim-style fMRI BOLD simulations: a DCM neural network seen through a balloon model.

Smith et al. (2011, "Network modelling methods for FMRI", NeuroImage 54:875) built
their benchmark, NetSim, from the generative model of dynamic causal modelling
(DCM; Friston et al. 2003): fast neural states driven by sparse external inputs
and coupled by a directed graph, each turned into a slow, blurred BOLD signal by a
balloon-Windkessel model of blood flow, volume and deoxyhaemoglobin (Buxton et al.
1998; Friston et al. 2000), and sampled every few seconds with thermal noise.
:func:`fmri_bold` generates data of the same kind; :func:`hemodynamic_response` and
:func:`hemodynamic_states` run the haemodynamic part alone.

Neural states
-------------
Each of ``p`` regions has a neural state :math:`z_j(t)`. In the book's
orientation (``coupling[i, j]`` is the effect of :math:`z_i` on
:math:`dz_j/dt`, the cause is the row),

.. math::

    \frac{dz_j}{dt} = \sigma \sum_i \text{coupling}[i, j]\, z_i(t)
                     + \sigma\, \big(u_j(t) + \eta_j(t)\big),
    \qquad\text{i.e.}\qquad
    \frac{dz}{dt} = \sigma\, \text{coupling}^\top z + C u,\quad C = \sigma I,

where the diagonal of ``coupling`` is :math:`-1` (self-decay, as in NetSim) and an
edge ``i -> j`` of ``graph`` has a positive strength drawn from
:math:`N(\mu_w, \text{sd}_w^2)` (defaults 0.5 and 0.1, clipped below at 0.1).
A region on its own is a first-order low-pass filter with time constant
:math:`1/\sigma`: the response of :math:`z_j` to a change of :math:`z_i` lags by
:math:`1/\sigma` on average, so ``neural_lag = 1 / sigma`` (NetSim: about 50 ms,
the default). :math:`C = \sigma I` scales the input so that a sustained unit input
drives an isolated region to :math:`z = 1`. DCM writes the same equation with
:math:`A = \text{coupling}^\top` (``A[j, i]`` = effect of region ``i`` on region
``j``); code that reads DCM or NetSim matrices converts at that boundary
(:func:`gcbook.datasets.load_netsim`), never the book's prose.

External inputs
---------------
Every region (or the ones named by ``driven``) receives its own binary input
:math:`u_j(t) \in \{0, a\}` that switches between a down state and an up state
with exponentially distributed durations, mean 2.5 s up and 10 s down as in
NetSim (so a region's input is up 20% of the time), started from that stationary
distribution. Inputs of different regions and scans are independent. A small
neural noise :math:`\eta_j`, Gaussian with standard deviation
``neural_noise_sd`` and held for one integration step ``dt``, is added to the
input of each driven region, so a region without input stays exactly at rest
unless another region drives it. Its effect on :math:`z` depends on ``dt``; the
noise level is our choice, not a NetSim setting. The input process is
discretised at ``dt``: a state is left with probability
:math:`1 - e^{-dt/\text{mean}}` per step (a geometric duration of mean
:math:`dt / (1 - e^{-dt/\text{mean}})`, 2.525 s for 2.5 s at ``dt = 0.05``).

Haemodynamics (balloon-Windkessel)
----------------------------------
Each region turns :math:`z` into BOLD through four states, the vasodilatory
signal :math:`s`, blood inflow :math:`f`, venous volume :math:`v` and
deoxyhaemoglobin content :math:`q` (all relative to rest, where
:math:`s = 0, f = v = q = 1`), with the constants of Friston et al. (2003):

.. math::

    \dot s &= \varepsilon z - \kappa s - \gamma (f - 1), \\
    \dot f &= s, \\
    \tau \dot v &= f - v^{1/\alpha}, \\
    \tau \dot q &= f\, \frac{E(f)}{\rho} - v^{1/\alpha}\, \frac{q}{v},
    \qquad E(f) = 1 - (1 - \rho)^{1/f}, \\
    y &= V_0 \big(k_1 (1 - q) + k_2 (1 - q / v) + k_3 (1 - v)\big),
    \qquad k_1 = 7\rho,\ k_2 = 2,\ k_3 = 2\rho - 0.2,

with :math:`\kappa = 0.65` s\ :sup:`-1` (signal decay), :math:`\gamma = 0.41`
s\ :sup:`-1` (flow autoregulation), :math:`\tau = 0.98` s (mean transit time),
:math:`\alpha = 0.32` (Grubb's exponent), :math:`\rho = 0.34` (resting oxygen
extraction), :math:`V_0 = 0.02` (resting venous volume) and neural efficacy
:math:`\varepsilon = 0.5` (our choice: DCM estimates it per region; it scales
the response and barely moves its timing).
The returned BOLD is :math:`100\, y`, the percent signal change.

With these constants the response to a brief neural impulse is fast. Linearised
at rest, the flow obeys the damped oscillator
:math:`\ddot f + \kappa \dot f + \gamma (f - 1) = \varepsilon z`, whose impulse
response :math:`e^{-\kappa t/2} \sin(\omega t)/\omega`,
:math:`\omega = \sqrt{\gamma - \kappa^2/4} = 0.55` s\ :sup:`-1`, peaks at
:math:`t_f = \arctan(2\omega/\kappa)/\omega = 1.88` s; volume and
deoxyhaemoglobin follow within about one transit time, so the BOLD response peaks
about 3.1 s after the impulse, falls below baseline (the post-stimulus undershoot)
from about 7 s with its minimum near 9 s, and is back at rest (below 0.1% of its
peak) by 30 s (``tests/test_simulate_fmri.py`` checks the flow against the closed
form, the peak, the undershoot and the return). This is
earlier than the 5-6 s peak of the canonical (double-gamma) HRF of SPM: the
constants of Friston et al. (2003) describe a fast haemodynamics (later versions
of DCM changed these priors). Pass
``transit_time`` to :func:`fmri_bold` (the peak reaches 4.5 s at 3 s) for a slower one.

Region-to-region delay
----------------------
NetSim varies the haemodynamic delay across nodes (standard deviation 0.5 s).
Here region ``j`` gets a delay :math:`d_j \sim N(0, \text{hemo\_delay\_sd}^2)`
(default 0.5 s) and the transit time :math:`\tau_j` whose impulse response peaks
:math:`d_j` later than that of the default :math:`\tau = 0.98` s. The map from
:math:`\tau` to the peak time is computed once, on a grid of :math:`\tau` from
0.2 to 3 s, and is monotone (a slower venous compartment peaks later); delays
outside the range that grid reaches (about -0.94 s to +1.35 s) are clipped. The
lower end is a property of the model: however short the transit time, the BOLD
peak cannot come before the flow peak (1.88 s), so with ``hemo_delay_sd = 0.5``
about 3% of regions are clipped at -0.94 s (a slight skew towards later peaks).
``transit_time`` and the realised ``hrf_delay`` are returned per region. Because
the delays are a property of the regions, they are shared by all scans.

Integration and sampling
------------------------
The neural equation is linear, so it is integrated exactly for an input held
constant over each step ``dt``:
:math:`z_{k+1} = z_k e^{J\, dt} + w_k\, \sigma \int_0^{dt} e^{J s} ds` with
:math:`J = \sigma\,\text{coupling}` (row-vector form), computed with one matrix
exponential of the augmented system; this is stable for any ``dt`` (the fastest
neural time constant, 50 ms, needs no small step). The balloon states are
integrated with the classical fourth-order Runge-Kutta step, the neural state
interpolated linearly within the step. The fastest balloon rate is about
:math:`1/(\alpha \tau) \approx 16` s\ :sup:`-1` at the smallest transit time
(0.2 s), so :math:`|\lambda|\, dt \le 1.6` inside RK4's stability limit (2.78)
for ``dt <= 0.1`` s (the check). For a smooth neural input (a Gaussian bump of
0.2 s), the BOLD at the default ``dt = 0.05`` s differs from that at
``dt = 0.01`` s by less than 0.04% of its peak (0.14% at ``dt = 0.1`` s), for
transit times from 0.2 to 3 s. All scans and regions advance together in one
array operation per time step.

The simulation starts at rest, runs ``burn_in`` seconds (default 60 s, twice the
length of the impulse response) and then records ``n_timepoints`` samples, one
every ``tr`` seconds (``tr`` must be a multiple of ``dt``): point samples of the
fine trajectory. Thermal noise, Gaussian with standard deviation ``noise_sd``
percent of the mean MR signal (default 1, the 1% of most NetSim simulations as we
read Smith et al. 2011), is added to each sample.

Random streams are split by purpose (graph, delays, inputs, neural noise,
measurement noise), and the inputs and neural noise are drawn in time order at
the fine step, independently of ``tr``. So with the same seed and the same
duration, the fine trajectory does not depend on the TR: without measurement
noise, a TR of 3 s gives exactly every sixth sample of a TR of 0.5 s.

Graphs
------
NetSim's 5-node network (its "sim1") is the chain 1 -> 2 -> 3 -> 4 -> 5 plus
1 -> 5, and its 10-, 15- and 50-node networks are built from such 5-node modules
with a few links between modules. :func:`netsim_graph` follows that recipe (see
its docstring for the exact rule and where it departs from NetSim).

Departures from NetSim
----------------------
- The connection strengths: we use :math:`N(0.5, 0.1)` clipped at 0.1 (our
  reading of Smith et al. 2011; not checked against the paper's text here).
- The links between modules of the larger networks are drawn with the seed,
  not copied from NetSim's files.
- The neural noise level and the neural efficacy are our choices.
- All scans share one coupling matrix; NetSim stores one matrix per subject (its
  ``net`` array), so its strengths may differ between subjects.
- The values we give for NetSim (neural lag 50 ms, inputs up 2.5 s / down 10 s,
  delay sd 0.5 s, 1% noise, 200 points at TR 3 s, 50 subjects) are from our
  reading of Smith et al. (2011); its text was not available to check here.

References
----------
Smith et al. (2011), NeuroImage 54:875-891. Friston, Harrison & Penny (2003),
NeuroImage 19:1273-1302. Buxton, Wong & Frank (1998), Magn. Reson. Med. 39:855-864.
Friston, Mechelli, Turner & Price (2000), NeuroImage 12:466-477.

Examples
--------
>>> from gcbook.simulate.fmri import fmri_bold
>>> sim = fmri_bold(n_nodes=5, n_scans=3, n_timepoints=100, seed=0)
>>> len(sim.bold), sim.bold[0].shape, sim.neural[0].shape, sim.graph.shape
(3, (100, 5), (100, 5), (5, 5))
>>> sim.edges
[(0, 1), (0, 4), (1, 2), (2, 3), (3, 4)]
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import expm

from gcbook._utils import warn_deprecated
from gcbook._validation import check_int, check_random_state, check_real

__all__ = [
    "FMRISimulation",
    "HemodynamicStates",
    "fmri_bold",
    "hemodynamic_response",
    "hemodynamic_states",
    "netsim_graph",
    "transit_time_for_delay",
]

# ----------------------------------------------------------------------------- constants
#: Rate of decay of the vasodilatory signal (1/s), Friston et al. (2003).
KAPPA = 0.65
#: Rate of flow-dependent elimination, autoregulation (1/s).
GAMMA = 0.41
#: Mean transit time of the venous compartment (s).
TAU = 0.98
#: Grubb's exponent (outflow = volume ** (1 / ALPHA)).
ALPHA = 0.32
#: Resting oxygen extraction fraction.
RHO = 0.34
#: Resting venous blood volume fraction.
V0 = 0.02
#: Coefficients of the BOLD signal equation.
K1, K2, K3 = 7.0 * RHO, 2.0, 2.0 * RHO - 0.2
#: Neural efficacy (how strongly z drives the vasodilatory signal).
EFFICACY = 0.5
#: NetSim's input process: mean up-state and down-state durations (s).
MEAN_UP, MEAN_DOWN = 2.5, 10.0
#: Transit times over which the delay calibration is computed (s).
_TAU_GRID = np.linspace(0.2, 3.0, 57)
#: Largest integration step accepted (s), see the module docstring.
_MAX_DT = 0.1
#: Random draws are made in blocks of this many fine steps (any fixed number works).
_BLOCK = 256

_LOG_1MRHO = np.log1p(-RHO)
#: E(1) written exactly as E(f) is computed, so that rest is an exact fixed point.
_E1 = -np.expm1(_LOG_1MRHO)


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True, repr=False)
class FMRISimulation:
    """Simulated fMRI scans of one network, from :func:`fmri_bold`.

    Unpacks as ``bold, neural, graph = sim``.

    Attributes
    ----------
    bold : list of numpy.ndarray, each of shape (n_timepoints, p)
        The observed BOLD of each scan (percent signal change, thermal noise
        included), sampled every ``tr`` seconds. Directly usable by the
        estimators that accept a list of recordings, e.g.
        ``granger_test(sim.bold, lag)``.
    neural : list of numpy.ndarray, each of shape (n_timepoints, p)
        The neural states z sampled at the same times.
    graph : numpy.ndarray of int, shape (p, p)
        ``graph[i, j] = 1`` iff region ``i`` drives region ``j`` (``i -> j``,
        the cause is the row); the diagonal is 0.
    coupling : numpy.ndarray of float, shape (p, p)
        The DCM matrix in the book's orientation: ``coupling[i, j]`` is the effect
        of ``z_i`` on ``dz_j/dt`` in units of ``sigma``; diagonal -1, positive where
        ``graph`` is 1, 0 elsewhere. (DCM's ``A`` is ``coupling.T``.)
    transit_time : numpy.ndarray of float, shape (p,)
        Each region's haemodynamic transit time tau (s), which sets its delay.
    hrf_delay : numpy.ndarray of float, shape (p,)
        How much later (s) each region's impulse response peaks than that of a
        region with the default tau = 0.98 s.
    tr, dt : float
        Sampling interval and integration step (s).
    settings : dict
        Every setting used (sizes, noise levels, sigma, the model's constants,
        ``duration = n_timepoints * tr``); the seed is not stored.
    neural_fine : list of numpy.ndarray or None
        With ``keep_fine=True``: the neural states at every integration step,
        shapes ``((n_timepoints - 1) * tr / dt + 1, p)``, so that
        ``neural_fine[r][::round(tr / dt)]`` equals ``neural[r]``.
    """

    bold: list
    neural: list
    graph: np.ndarray
    coupling: np.ndarray
    transit_time: np.ndarray
    hrf_delay: np.ndarray
    tr: float
    dt: float
    settings: dict = field(default_factory=dict)
    neural_fine: list | None = None

    def __iter__(self):
        return iter((self.bold, self.neural, self.graph))

    @property
    def recordings(self) -> list:
        """The BOLD recordings (same list as ``bold``)."""
        return self.bold

    @property
    def n_scans(self) -> int:
        return len(self.bold)

    @property
    def n_nodes(self) -> int:
        return int(self.graph.shape[0])

    @property
    def n_timepoints(self) -> int:
        return int(self.bold[0].shape[0])

    @property
    def times(self) -> np.ndarray:
        """Sample times (s) after the burn-in, shape (n_timepoints,)."""
        return self.tr * np.arange(self.n_timepoints)

    @property
    def edges(self) -> list[tuple[int, int]]:
        """The edges ``(i, j)``, meaning ``i -> j``, in row-major order."""
        return [(int(i), int(j)) for i, j in np.argwhere(self.graph)]

    def __repr__(self) -> str:
        s = self.settings
        return (
            f"FMRISimulation(n_nodes={self.n_nodes}, n_edges={int(self.graph.sum())}, "
            f"n_scans={self.n_scans}, n_timepoints={self.n_timepoints}, tr={self.tr:g} s, "
            f"dt={self.dt:g} s, neural_lag={s.get('neural_lag', float('nan')):g} s, "
            f"noise_sd={s.get('noise_sd', float('nan')):g}%, "
            f"hemo_delay_sd={s.get('hemo_delay_sd', float('nan')):g} s)"
        )


# ----------------------------------------------------------------------------- graphs
def _module_edges(size: int) -> list[tuple[int, int]]:
    """Edges of one module of ``size`` nodes, local indices: a chain plus first -> last."""
    edges = [(k, k + 1) for k in range(size - 1)]
    if size >= 3:
        edges.append((0, size - 1))
    return edges


def netsim_graph(n_nodes: int, seed=None) -> np.ndarray:
    """A NetSim-style directed graph: 5-node modules joined by one link each.

    The 5-node module is NetSim's "sim1" network, 1 -> 2 -> 3 -> 4 -> 5 plus
    1 -> 5 (0-based: ``0->1, 1->2, 2->3, 3->4, 0->4``). Larger networks, as in
    NetSim's 10-, 15- and 50-node simulations, are built from consecutive modules
    of 5 nodes (nodes ``5m`` to ``5m + 4`` form module ``m``), and module ``m`` is
    linked to module ``m + 1`` by one edge from a node of module ``m`` to a node
    of module ``m + 1``, both drawn with the seed. So the 10-, 15- and 50-node
    graphs have 11, 17 and 59 edges, with no cycles.

    Any ``n_nodes >= 2`` works: when ``n_nodes`` is not a multiple of 5, the last
    module has the remaining ``r`` nodes and is a chain plus a first -> last
    shortcut when ``r >= 3`` (a chain when ``r = 2``, a lone node linked from the
    previous module when ``r = 1``); ``n_nodes < 5`` is one such module.

    Departure from NetSim: NetSim's own inter-module links are fixed in its files
    (and some of its simulations add or reverse edges); here they are random, one
    per pair of consecutive modules. Use :func:`gcbook.datasets.load_netsim` for
    the original graphs.

    Parameters
    ----------
    n_nodes : int
        Number of regions, at least 2.
    seed : None, int or numpy.random.Generator
        Only used for the links between modules (``n_nodes > 5``).

    Returns
    -------
    numpy.ndarray of int, shape (n_nodes, n_nodes)
        ``A[i, j] = 1`` iff ``i -> j``; zero diagonal.

    Raises
    ------
    ValueError
        If ``n_nodes`` is not an int >= 2.

    Examples
    --------
    >>> from gcbook.simulate.fmri import netsim_graph
    >>> A = netsim_graph(5)
    >>> [(int(i), int(j)) for i, j in zip(*A.nonzero())]
    [(0, 1), (0, 4), (1, 2), (2, 3), (3, 4)]
    >>> [int(netsim_graph(p, seed=0).sum()) for p in (10, 15, 50)]
    [11, 17, 59]
    """
    n_nodes = check_int(n_nodes, "n_nodes", 2)
    rng = check_random_state(seed)
    A = np.zeros((n_nodes, n_nodes), dtype=int)
    starts = list(range(0, n_nodes, 5))
    sizes = [min(5, n_nodes - s) for s in starts]
    for start, size in zip(starts, sizes):
        for a, b in _module_edges(size):
            A[start + a, start + b] = 1
    for m in range(len(starts) - 1):
        src = starts[m] + int(rng.integers(sizes[m]))
        dst = starts[m + 1] + int(rng.integers(sizes[m + 1]))
        A[src, dst] = 1
    return A


# ----------------------------------------------------------------------------- balloon model
def _balloon_rhs(z, s, f, v, q, inv_tau, eps):
    """Time derivatives of (s, f, v, q); all arrays of one shape, inv_tau broadcasts."""
    outflow = np.exp(np.log(v) / ALPHA)  # v ** (1 / alpha)
    extraction = -np.expm1(_LOG_1MRHO / f) / _E1  # E(f) / E(1)
    ds = eps * z - KAPPA * s - GAMMA * (f - 1.0)
    dv = inv_tau * (f - outflow)
    dq = inv_tau * (f * extraction - outflow * q / v)
    return ds, s, dv, dq


def _rk4_step(z0, z1, state, dt, inv_tau, eps):
    """One RK4 step of the balloon states, z linear from z0 to z1 within the step."""
    s, f, v, q = state
    zm = 0.5 * (z0 + z1)
    k1 = _balloon_rhs(z0, s, f, v, q, inv_tau, eps)
    h = 0.5 * dt
    k2 = _balloon_rhs(zm, s + h * k1[0], f + h * k1[1], v + h * k1[2], q + h * k1[3], inv_tau, eps)
    k3 = _balloon_rhs(zm, s + h * k2[0], f + h * k2[1], v + h * k2[2], q + h * k2[3], inv_tau, eps)
    k4 = _balloon_rhs(z1, s + dt * k3[0], f + dt * k3[1], v + dt * k3[2], q + dt * k3[3], inv_tau, eps)
    c = dt / 6.0
    return tuple(x + c * (a + 2.0 * b + 2.0 * cc + d) for x, a, b, cc, d in zip(state, k1, k2, k3, k4))


def _bold_signal(state) -> np.ndarray:
    """Percent signal change 100 y of the balloon states."""
    _, _, v, q = state
    return 100.0 * V0 * (K1 * (1.0 - q) + K2 * (1.0 - q / v) + K3 * (1.0 - v))


def _rest(shape) -> tuple:
    return (np.zeros(shape), np.ones(shape), np.ones(shape), np.ones(shape))


def _check_state(state) -> None:
    _, f, v, q = state
    if not (np.all(np.isfinite(q)) and np.all(f > 0) and np.all(v > 0)):
        raise ValueError(
            "the balloon model left its physical range (flow or volume <= 0, or overflow); "
            "the neural input is too large or dt too coarse: lower the input amplitude or dt."
        )


@dataclass(frozen=True, repr=False)
class HemodynamicStates:
    """The balloon-Windkessel trajectory of :func:`hemodynamic_states`.

    Every array has the shape of the neural input ``z``, ``(n_steps, ...)``, time on
    axis 0 at step ``dt``; all start at rest (row 0: ``s = 0``, ``f = v = q = 1``,
    ``bold = 0``). See the module docstring for the equations.

    Attributes
    ----------
    bold : numpy.ndarray
        The BOLD percent signal change ``100 y``, the output of :func:`hemodynamic_response`.
    s : numpy.ndarray
        The vasodilatory signal.
    f : numpy.ndarray
        Blood inflow, relative to rest.
    v : numpy.ndarray
        Venous blood volume, relative to rest.
    q : numpy.ndarray
        Deoxyhaemoglobin content, relative to rest.
    dt : float
        The grid step (s).

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.simulate import hemodynamic_states
    >>> z = np.zeros((400, 1)); z[:4] = 1.0           # a 0.2 s impulse, 20 s at dt = 0.05
    >>> st = hemodynamic_states(z, 0.05)
    >>> st.f.shape, float(st.f[0, 0]), float(st.times[-1])
    ((400, 1), 1.0, 19.95)
    >>> bool(st.f.argmax() < st.q.argmin())           # inflow peaks before deoxyhaemoglobin dips
    True
    """

    bold: np.ndarray
    s: np.ndarray
    f: np.ndarray
    v: np.ndarray
    q: np.ndarray
    dt: float

    @property
    def times(self) -> np.ndarray:
        """Time (s) of each row, ``dt * arange(n_steps)``."""
        return self.dt * np.arange(self.bold.shape[0])

    def __repr__(self) -> str:
        return (
            f"HemodynamicStates(n_steps={self.bold.shape[0]}, shape={self.bold.shape[1:]}, dt={self.dt:g} s, "
            f"peak bold={float(np.max(self.bold)):.3g}%)"
        )


def _integrate_balloon(z, dt, transit_time, efficacy, keep_states):
    """Check the inputs, run the balloon model from rest: ``(bold, states (4, *z.shape) or None, dt)``."""
    dt = check_real(dt, "dt", low=0.0, low_open=True, high=_MAX_DT)
    efficacy = check_real(efficacy, "efficacy", low=0.0)
    z = np.asarray(z, dtype=float)
    if z.ndim < 1 or z.shape[0] < 1:
        raise ValueError(f"z must have time on axis 0 and at least one step, got shape {z.shape}.")
    if not np.all(np.isfinite(z)):
        raise ValueError("z contains NaN or inf.")
    tau = np.asarray(transit_time, dtype=float)
    if np.any(~np.isfinite(tau)) or np.any(tau <= 0):
        raise ValueError(f"transit_time must be positive and finite, got {transit_time!r}.")
    try:
        inv_tau = np.broadcast_to(1.0 / tau, z.shape[1:])
    except ValueError as exc:
        raise ValueError(
            f"transit_time of shape {tau.shape} does not broadcast to z.shape[1:] = {z.shape[1:]}."
        ) from exc
    out = np.empty_like(z)
    states = np.empty((4,) + z.shape) if keep_states else None
    state = _rest(z.shape[1:])
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):  # a run that blows up fails the check below
        for k in range(z.shape[0]):
            if k:
                state = _rk4_step(z[k - 1], z[k], state, dt, inv_tau, efficacy)
            out[k] = _bold_signal(state)
            if states is not None:
                states[:, k] = state
    _check_state(state)
    return out, states, dt


def hemodynamic_response(z, dt, transit_time=TAU, *, efficacy=EFFICACY, return_states=False):
    r"""BOLD (percent signal change) of the balloon-Windkessel model driven by neural states.

    Integrates the model of the module docstring from rest with RK4 at step ``dt``,
    the neural input interpolated linearly between grid points (the integrator
    :func:`fmri_bold` uses). :func:`hemodynamic_states` runs the same integration and
    also returns the four balloon states.

    Parameters
    ----------
    z : array_like, shape (n_steps, ...)
        Neural states on a grid of step ``dt``; axis 0 is time, any trailing shape
        (e.g. ``(n_steps, p)`` regions).
    dt : float
        Grid step (s), in ``(0, 0.1]``.
    transit_time : float or array_like broadcasting to ``z.shape[1:]``
        Transit time tau (s) of each region; default 0.98.
    efficacy : float
        Neural efficacy epsilon (default 0.5).
    return_states : bool, default False
        Deprecated (removed in gcbook 0.3): ``True`` returns the old pair
        ``(bold, {"s": ..., "f": ..., "v": ..., "q": ...})``, with a
        :class:`DeprecationWarning`. Use :func:`hemodynamic_states`.

    Returns
    -------
    bold : numpy.ndarray, same shape as ``z``
        ``100 * y(t_k)``; row 0 is the resting value 0.

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.simulate.fmri import hemodynamic_response
    >>> dt = 0.05
    >>> z = np.zeros((600, 2)); z[:4] = 1.0          # a 0.2 s neural impulse, 30 s
    >>> y = hemodynamic_response(z, dt, transit_time=[0.98, 1.5])
    >>> y.shape
    (600, 2)
    >>> peak = y.argmax(axis=0) * dt                  # seconds after the impulse
    >>> bool(2.5 < peak[0] < 4.0), bool(peak[1] > peak[0])
    (True, True)
    """
    if not isinstance(return_states, (bool, np.bool_)):
        raise ValueError(f"return_states must be True or False, got {return_states!r}.")
    out, states, _ = _integrate_balloon(z, dt, transit_time, efficacy, keep_states=bool(return_states))
    if return_states:
        warn_deprecated(
            "hemodynamic_response(..., return_states=True)",
            "use hemodynamic_states(...), whose result has bold, s, f, v and q",
        )
        return out, dict(zip("sfvq", states))
    return out


def hemodynamic_states(z, dt, transit_time=TAU, *, efficacy=EFFICACY):
    r"""The balloon-Windkessel states and the BOLD signal driven by neural states.

    The integration of :func:`hemodynamic_response` (same arguments, same BOLD), keeping
    the four states of the model: the vasodilatory signal ``s``, inflow ``f``, venous
    volume ``v`` and deoxyhaemoglobin ``q``.

    Parameters
    ----------
    z : array_like, shape (n_steps, ...)
        Neural states on a grid of step ``dt``; axis 0 is time, any trailing shape.
    dt : float
        Grid step (s), in ``(0, 0.1]``.
    transit_time : float or array_like broadcasting to ``z.shape[1:]``
        Transit time tau (s) of each region; default 0.98.
    efficacy : float
        Neural efficacy epsilon (default 0.5).

    Returns
    -------
    HemodynamicStates
        ``bold``, ``s``, ``f``, ``v``, ``q`` (each the shape of ``z``) and ``dt``.

    Examples
    --------
    >>> import numpy as np
    >>> z = np.zeros((600, 1)); z[:4] = 1.0           # a 0.2 s impulse, 30 s at dt = 0.05
    >>> st = hemodynamic_states(z, 0.05)
    >>> st.bold.shape, st.s.shape
    ((600, 1), (600, 1))
    >>> bool(np.array_equal(st.bold, hemodynamic_response(z, 0.05)))
    True
    >>> bool(st.times[st.f.argmax()] < st.times[st.bold.argmax()])   # flow peaks first
    True
    """
    out, states, dt = _integrate_balloon(z, dt, transit_time, efficacy, keep_states=True)
    s, f, v, q = states
    return HemodynamicStates(bold=out, s=s, f=f, v=v, q=q, dt=dt)


@functools.lru_cache(maxsize=8)
def _peak_times(efficacy: float) -> np.ndarray:
    """Peak time (s) of the impulse response for each transit time of ``_TAU_GRID``."""
    dt = 0.01
    z = np.zeros((3001, _TAU_GRID.size))
    z[:10] = 1.0  # 0.1 s impulse
    y = hemodynamic_response(z, dt, _TAU_GRID, efficacy=efficacy)
    k = np.argmax(y, axis=0)
    cols = np.arange(_TAU_GRID.size)
    a, b, c = y[k - 1, cols], y[k, cols], y[k + 1, cols]  # parabolic refinement
    shift = 0.5 * (a - c) / (a - 2.0 * b + c)
    return (k + shift) * dt


def transit_time_for_delay(delay, *, efficacy=EFFICACY) -> tuple[np.ndarray, np.ndarray]:
    """Transit times whose impulse responses peak ``delay`` seconds later than tau = 0.98 s.

    Parameters
    ----------
    delay : float or array_like
        Wanted delays (s) of the peak of the impulse response, relative to a
        region with the default transit time.
    efficacy : float
        Neural efficacy (the peak time hardly depends on it for small inputs).

    Returns
    -------
    transit_time : numpy.ndarray, shape of ``delay``
        Transit times (s), between 0.2 and 3.
    realised_delay : numpy.ndarray, shape of ``delay``
        The delays actually obtained: ``delay`` clipped to what transit times in
        [0.2, 3] s reach (about -0.94 s to +1.35 s).

    Examples
    --------
    >>> from gcbook.simulate.fmri import transit_time_for_delay
    >>> tau, d = transit_time_for_delay([0.0, 0.5])
    >>> round(float(tau[0]), 2), bool(tau[1] > tau[0]), round(float(d[1]), 3)
    (0.98, True, 0.5)
    """
    peaks = _peak_times(float(efficacy))
    if np.any(np.diff(peaks) <= 0):  # guards the interpolation below
        raise RuntimeError("the peak time is not monotone in the transit time; the calibration grid is wrong.")
    ref = float(np.interp(TAU, _TAU_GRID, peaks))
    delay = np.asarray(delay, dtype=float)
    target = np.clip(ref + delay, peaks[0], peaks[-1])
    tau = np.interp(target, peaks, _TAU_GRID)
    return tau, target - ref


# ----------------------------------------------------------------------------- simulator
def _multiple_of(value: float, dt: float, name: str) -> int:
    k = int(round(value / dt))
    if abs(k * dt - value) > 1e-9 * max(value, dt):
        raise ValueError(f"{name} = {value:g} s must be a whole multiple of dt = {dt:g} s.")
    return k


def _as_graph(graph, n_nodes: int) -> np.ndarray:
    A = np.asarray(graph)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"graph must be a square (p, p) matrix, got shape {A.shape}.")
    if A.shape[0] != n_nodes:
        raise ValueError(f"graph is {A.shape[0]} x {A.shape[1]} but n_nodes = {n_nodes}; pass n_nodes={A.shape[0]}.")
    if not np.all(np.isfinite(A.astype(float))):
        raise ValueError("graph contains NaN or inf.")
    A = (A != 0).astype(int)
    if np.any(np.diag(A)):
        raise ValueError("graph must have a zero diagonal: each region's self-decay is part of the model (-1).")
    return A


def _as_coupling(coupling, n_nodes: int) -> np.ndarray:
    W = np.asarray(coupling, dtype=float)
    if W.shape != (n_nodes, n_nodes):
        raise ValueError(f"coupling must have shape ({n_nodes}, {n_nodes}), got {W.shape}.")
    if not np.all(np.isfinite(W)):
        raise ValueError("coupling contains NaN or inf.")
    return W


def _driven_mask(driven, n_nodes: int) -> np.ndarray:
    if driven is None:
        return np.ones(n_nodes)
    idx = np.asarray(driven)
    if idx.dtype == bool:
        if idx.shape != (n_nodes,):
            raise ValueError(f"a boolean driven mask must have shape ({n_nodes},), got {idx.shape}.")
        return idx.astype(float)
    idx = idx.ravel()
    if idx.size and (not np.issubdtype(idx.dtype, np.integer) or idx.min() < 0 or idx.max() >= n_nodes):
        raise ValueError(f"driven must list region indices in 0..{n_nodes - 1}, got {driven!r}.")
    mask = np.zeros(n_nodes)
    mask[idx] = 1.0
    return mask


def _neural_propagator(coupling: np.ndarray, sigma: float, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact one-step maps of z' = z J + sigma w (row vectors, w constant over the step)."""
    p = coupling.shape[0]
    big = np.zeros((2 * p, 2 * p))
    big[:p, :p] = sigma * coupling
    big[p:, :p] = sigma * np.eye(p)
    M = expm(big * dt)
    return M[:p, :p], M[p:, :p]


def fmri_bold(
    n_nodes=5,
    n_scans=50,
    n_timepoints=200,
    tr=3.0,
    *,
    graph=None,
    coupling=None,
    noise_sd=1.0,
    neural_noise_sd=0.05,
    dt=0.05,
    hemo_delay_sd=0.5,
    transit_time=None,
    neural_lag=0.05,
    strength_mean=0.5,
    strength_sd=0.1,
    input_amplitude=1.0,
    driven=None,
    efficacy=EFFICACY,
    burn_in=60.0,
    keep_fine=False,
    seed=None,
) -> FMRISimulation:
    r"""Simulate NetSim-style fMRI scans: DCM neural network, balloon model, sampling at the TR.

    The model and every constant are derived in the module docstring
    (:mod:`gcbook.simulate.fmri`). In short: neural states
    :math:`dz/dt = \sigma\,\text{coupling}^\top z + \sigma (u + \eta)` driven by
    binary up/down inputs (mean 2.5 s up, 10 s down), a balloon-Windkessel model
    per region whose transit time sets a region-specific haemodynamic delay, point
    samples every ``tr`` seconds, thermal noise. All scans share the graph, the
    coupling and the regions' transit times; their inputs and noise are independent.

    Parameters
    ----------
    n_nodes : int
        Number of regions p, at least 2 (NetSim: 5, 10, 15, 50).
    n_scans : int
        Number of scans (NetSim: 50 subjects).
    n_timepoints : int
        Samples per scan, at least 2 (NetSim: 200, i.e. 10 min at TR = 3 s).
    tr : float
        Repetition time (s), a positive multiple of ``dt`` (NetSim: 3 s).
    graph : None or array_like, shape (p, p)
        Directed graph, nonzero ``[i, j]`` meaning ``i -> j`` (zero diagonal).
        Default :func:`netsim_graph` ``(n_nodes)``.
    coupling : None or array_like, shape (p, p)
        The full DCM matrix in the book's orientation (overrides ``graph`` and the
        strength draws; ``graph`` becomes its off-diagonal nonzeros). All its
        eigenvalues must have negative real part.
    noise_sd : float
        Thermal noise standard deviation, in percent of the mean MR signal (the
        unit of the returned BOLD); default 1 (NetSim's 1%).
    neural_noise_sd : float
        Standard deviation of the Gaussian neural noise added to the input at each
        integration step (default 0.05, in units of the input amplitude).
    dt : float
        Integration step (s), in ``(0, 0.1]``; default 0.05.
    hemo_delay_sd : float
        Standard deviation (s) of the region-to-region haemodynamic delay
        (NetSim: 0.5 s); 0 gives every region the default transit time.
    transit_time : None or array_like, shape (p,)
        Each region's transit time (s), overriding ``hemo_delay_sd``.
    neural_lag : float
        ``1 / sigma`` (s), the neural time constant (NetSim: about 50 ms).
    strength_mean, strength_sd : float
        Connection strengths of the edges are drawn from
        ``N(strength_mean, strength_sd**2)``, clipped below at 0.1.
    input_amplitude : float
        Level of the up state of the inputs (0 switches the inputs off).
    driven : None, sequence of int or boolean array of shape (p,)
        Regions that receive an external input; default all (as in NetSim).
    efficacy : float
        Neural efficacy epsilon of the balloon model (default 0.5).
    burn_in : float
        Seconds simulated from rest and discarded, a multiple of ``dt`` (default 60).
    keep_fine : bool
        Also return the neural states at every integration step (``neural_fine``;
        memory ``n_scans * n_timepoints * tr / dt * p`` floats).
    seed : None, int or numpy.random.Generator
        Seeds the graph's inter-module links, the strengths, the delays, the inputs
        and the noise (each from its own stream).

    Returns
    -------
    FMRISimulation
        ``bold`` and ``neural``: lists of ``n_scans`` arrays ``(n_timepoints, p)``;
        ``graph`` ``(p, p)`` int and ``coupling`` ``(p, p)`` in the book's
        orientation; ``transit_time`` and ``hrf_delay`` ``(p,)``; ``tr``, ``dt``,
        ``settings``.

    Raises
    ------
    ValueError
        For ``n_nodes < 2``, ``tr <= 0`` or not a multiple of ``dt``, a graph or
        coupling of the wrong shape, a negative noise level, an unstable coupling,
        or any other setting out of range.

    Examples
    --------
    >>> from gcbook.simulate.fmri import fmri_bold
    >>> sim = fmri_bold(n_nodes=5, n_scans=4, n_timepoints=50, seed=1)
    >>> sim
    FMRISimulation(n_nodes=5, n_edges=5, n_scans=4, n_timepoints=50, tr=3 s, dt=0.05 s, neural_lag=0.05 s, noise_sd=1%, hemo_delay_sd=0.5 s)
    >>> bold, neural, graph = sim
    >>> [x.shape for x in bold[:2]], int(graph.sum())
    ([(50, 5), (50, 5)], 5)
    >>> bool((sim.coupling[graph == 1] > 0).all()), sim.coupling.diagonal().tolist()
    (True, [-1.0, -1.0, -1.0, -1.0, -1.0])
    >>> from gcbook.granger import granger_test
    >>> granger_test(sim.bold, lag=1).p_value.shape     # the list is several recordings
    (5, 5)
    """
    n_nodes = check_int(n_nodes, "n_nodes", 2)
    n_scans = check_int(n_scans, "n_scans", 1)
    n_timepoints = check_int(n_timepoints, "n_timepoints", 2)
    tr = check_real(tr, "tr", low=0.0, low_open=True)
    dt = check_real(dt, "dt", low=0.0, low_open=True, high=_MAX_DT)
    k_tr = _multiple_of(tr, dt, "tr")
    burn_in = check_real(burn_in, "burn_in", low=0.0)
    k_burn = _multiple_of(burn_in, dt, "burn_in") if burn_in > 0 else 0
    noise_sd = check_real(noise_sd, "noise_sd", low=0.0)
    neural_noise_sd = check_real(neural_noise_sd, "neural_noise_sd", low=0.0)
    hemo_delay_sd = check_real(hemo_delay_sd, "hemo_delay_sd", low=0.0)
    neural_lag = check_real(neural_lag, "neural_lag", low=0.0, low_open=True)
    strength_mean = check_real(strength_mean, "strength_mean")
    strength_sd = check_real(strength_sd, "strength_sd", low=0.0)
    input_amplitude = check_real(input_amplitude, "input_amplitude", low=0.0)
    efficacy = check_real(efficacy, "efficacy", low=0.0)
    if not isinstance(keep_fine, (bool, np.bool_)):
        raise ValueError(f"keep_fine must be True or False, got {keep_fine!r}.")
    mask = _driven_mask(driven, n_nodes)
    rng = check_random_state(seed)
    graph_rng, strength_rng, delay_rng, input_rng, neural_rng, meas_rng = rng.spawn(6)

    # network
    if coupling is not None:
        W = _as_coupling(coupling, n_nodes)
        A = (W != 0).astype(int)
        np.fill_diagonal(A, 0)
    else:
        A = netsim_graph(n_nodes, seed=graph_rng) if graph is None else _as_graph(graph, n_nodes)
        W = np.zeros((n_nodes, n_nodes))
        strengths = strength_rng.normal(strength_mean, strength_sd, size=(n_nodes, n_nodes))
        W[A == 1] = np.maximum(strengths[A == 1], 0.1)
        np.fill_diagonal(W, -1.0)
    max_real = float(np.max(np.linalg.eigvals(W).real))
    if max_real >= 0:
        raise ValueError(
            f"the coupling is unstable (largest real part of an eigenvalue {max_real:.3g} >= 0): "
            "weaken the edges of its cycles or strengthen the self-decay."
        )
    sigma = 1.0 / neural_lag

    # haemodynamics
    if transit_time is not None:
        tau = np.asarray(transit_time, dtype=float)
        if tau.shape != (n_nodes,):
            raise ValueError(f"transit_time must have shape ({n_nodes},), got {tau.shape}.")
        if np.any(~np.isfinite(tau)) or np.any(tau < _TAU_GRID[0]) or np.any(tau > _TAU_GRID[-1]):
            raise ValueError(f"transit_time must lie in [{_TAU_GRID[0]:g}, {_TAU_GRID[-1]:g}] s, got {tau}.")
        peaks = _peak_times(efficacy)
        delay = np.interp(tau, _TAU_GRID, peaks) - float(np.interp(TAU, _TAU_GRID, peaks))
    else:
        tau, delay = transit_time_for_delay(hemo_delay_sd * delay_rng.standard_normal(n_nodes), efficacy=efficacy)
    inv_tau = 1.0 / tau

    # integration
    E, G = _neural_propagator(W, sigma, dt)
    n_steps = k_burn + (n_timepoints - 1) * k_tr
    shape = (n_scans, n_nodes)
    p_leave = np.array([-np.expm1(-dt / MEAN_DOWN), -np.expm1(-dt / MEAN_UP)])  # from down, from up
    up = input_rng.random(shape) < MEAN_UP / (MEAN_UP + MEAN_DOWN)
    drive = input_amplitude * mask
    z = np.zeros(shape)
    state = _rest(shape)
    bold = np.empty((n_timepoints, n_scans, n_nodes))
    neural = np.empty((n_timepoints, n_scans, n_nodes))
    fine = np.empty((n_steps - k_burn + 1, n_scans, n_nodes)) if keep_fine else None

    def record(k):
        if k >= k_burn:
            if fine is not None:
                fine[k - k_burn] = z
            if (k - k_burn) % k_tr == 0:
                j = (k - k_burn) // k_tr
                neural[j] = z
                bold[j] = _bold_signal(state)

    record(0)
    for b0 in range(0, n_steps, _BLOCK):
        nb = min(_BLOCK, n_steps - b0)
        switch = input_rng.random((nb,) + shape)
        eta = neural_noise_sd * neural_rng.standard_normal((nb,) + shape) if neural_noise_sd > 0 else None
        for i in range(nb):
            w = up * drive
            if eta is not None:
                w = w + eta[i] * mask
            z_new = z @ E + w @ G
            state = _rk4_step(z, z_new, state, dt, inv_tau, efficacy)
            z = z_new
            up = up ^ (switch[i] < p_leave[up.astype(int)])
            record(b0 + i + 1)
    _check_state(state)

    if noise_sd > 0:
        bold = bold + noise_sd * meas_rng.standard_normal(bold.shape)
    settings = dict(
        n_nodes=n_nodes,
        n_scans=n_scans,
        n_timepoints=n_timepoints,
        tr=tr,
        dt=dt,
        noise_sd=noise_sd,
        neural_noise_sd=neural_noise_sd,
        hemo_delay_sd=hemo_delay_sd,
        neural_lag=neural_lag,
        sigma=sigma,
        strength_mean=strength_mean,
        strength_sd=strength_sd,
        input_amplitude=input_amplitude,
        driven=np.flatnonzero(mask).tolist(),
        efficacy=efficacy,
        burn_in=burn_in,
        mean_up=MEAN_UP,
        mean_down=MEAN_DOWN,
        kappa=KAPPA,
        gamma=GAMMA,
        tau=TAU,
        alpha=ALPHA,
        rho=RHO,
        v0=V0,
        duration=n_timepoints * tr,
    )
    return FMRISimulation(
        bold=[np.ascontiguousarray(bold[:, r]) for r in range(n_scans)],
        neural=[np.ascontiguousarray(neural[:, r]) for r in range(n_scans)],
        graph=A,
        coupling=W,
        transit_time=tau,
        hrf_delay=np.asarray(delay, dtype=float),
        tr=tr,
        dt=dt,
        settings=settings,
        neural_fine=None if fine is None else [np.ascontiguousarray(fine[:, r]) for r in range(n_scans)],
    )
