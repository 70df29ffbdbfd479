"""Tests of gcbook.simulate.fmri: the NetSim-style BOLD generator.

No test pins digits of a random draw: they check shapes, exact identities
(seeds, the TR, rest), closed-form properties of the model and tolerances
derived from the balloon model's equations.
"""

import networkx as nx
import numpy as np
import pytest

from gcbook.simulate.fmri import (
    FMRISimulation,
    HemodynamicStates,
    fmri_bold,
    hemodynamic_response,
    hemodynamic_states,
    netsim_graph,
    transit_time_for_delay,
)

# Friston et al. (2003) constants, typed here independently of the module
KAPPA, GAMMA, TAU, ALPHA, RHO, V0, EPS = 0.65, 0.41, 0.98, 0.32, 0.34, 0.02, 0.5

SMALL = dict(n_scans=2, n_timepoints=30, burn_in=20.0)


def _two_node(**kw):
    graph = np.array([[0, 1], [0, 0]])  # only 0 -> 1
    args = dict(n_nodes=2, graph=graph, noise_sd=0.0, neural_noise_sd=0.0, hemo_delay_sd=0.0, seed=3)
    args.update(SMALL)
    args.update(kw)
    return fmri_bold(**args)


# ----------------------------------------------------------------------------- shapes
def test_shapes_fields_and_lists():
    sim = fmri_bold(n_nodes=5, n_scans=3, n_timepoints=40, seed=0)
    assert isinstance(sim, FMRISimulation)
    assert isinstance(sim.bold, list) and isinstance(sim.neural, list)
    assert len(sim.bold) == len(sim.neural) == 3
    assert all(x.shape == (40, 5) for x in sim.bold + sim.neural)
    assert sim.recordings is sim.bold
    assert sim.graph.shape == sim.coupling.shape == (5, 5)
    assert sim.graph.dtype.kind == "i" and np.all(np.diag(sim.graph) == 0)
    assert np.all(np.diag(sim.coupling) == -1.0)
    off = ~np.eye(5, dtype=bool)
    assert np.array_equal(sim.coupling[off] > 0, sim.graph[off] == 1)  # strengths exactly on the edges
    assert np.all(sim.coupling[off & (sim.graph == 0)] == 0)
    assert sim.transit_time.shape == sim.hrf_delay.shape == (5,)
    assert sim.tr == 3.0 and sim.dt == 0.05 and sim.settings["n_scans"] == 3
    assert np.allclose(sim.times, 3.0 * np.arange(40))
    assert sim.neural_fine is None
    bold, neural, graph = sim
    assert bold is sim.bold and graph is sim.graph
    assert "n_nodes=5" in repr(sim) and "n_scans=3" in repr(sim)
    assert all(np.all(np.isfinite(x)) for x in sim.bold)


def test_keep_fine_samples_match():
    sim = fmri_bold(n_nodes=3, n_scans=2, n_timepoints=10, tr=1.0, keep_fine=True, seed=1)
    k = 20  # tr / dt
    assert all(f.shape == (9 * k + 1, 3) for f in sim.neural_fine)
    for fine, coarse in zip(sim.neural_fine, sim.neural):
        assert np.array_equal(fine[::k], coarse)


def test_default_graph_is_netsim_sim1():
    sim = fmri_bold(**SMALL, seed=0)
    assert sim.edges == [(0, 1), (0, 4), (1, 2), (2, 3), (3, 4)]


# ----------------------------------------------------------------------------- graphs
def test_netsim_graph_five_node_module():
    A = netsim_graph(5)
    expected = np.zeros((5, 5), dtype=int)
    for i, j in [(0, 1), (1, 2), (2, 3), (3, 4), (0, 4)]:  # NetSim sim1: 1->2->3->4->5 and 1->5
        expected[i, j] = 1
    assert np.array_equal(A, expected)


@pytest.mark.parametrize("p, n_edges", [(10, 11), (15, 17), (50, 59)])
def test_netsim_graph_modules(p, n_edges):
    A = netsim_graph(p, seed=4)
    assert A.shape == (p, p) and int(A.sum()) == n_edges
    assert np.all(np.diag(A) == 0)
    assert nx.is_directed_acyclic_graph(nx.from_numpy_array(A, create_using=nx.DiGraph))
    module = netsim_graph(5)
    n_mod = p // 5
    for m in range(n_mod):
        block = A[5 * m : 5 * m + 5, 5 * m : 5 * m + 5]
        assert np.array_equal(block, module)  # every module is sim1
    for m in range(n_mod):
        for m2 in range(n_mod):
            links = A[5 * m : 5 * m + 5, 5 * m2 : 5 * m2 + 5].sum()
            assert links == (1 if m2 == m + 1 else 0 if m2 != m else 5)
    assert np.array_equal(A, netsim_graph(p, seed=4))  # the seed fixes the links


@pytest.mark.parametrize("p", [2, 3, 4, 7, 11])
def test_netsim_graph_other_sizes(p):
    A = netsim_graph(p, seed=0)
    assert A.shape == (p, p) and np.all(np.diag(A) == 0)
    G = nx.from_numpy_array(A, create_using=nx.DiGraph)
    assert nx.is_directed_acyclic_graph(G) and nx.is_weakly_connected(G)


@pytest.mark.parametrize("bad", [1, 0, -5, 2.5, "5", True])
def test_netsim_graph_bad_size(bad):
    with pytest.raises(ValueError, match="n_nodes"):
        netsim_graph(bad)


# ----------------------------------------------------------------------------- seeds
def test_same_seed_same_numbers_different_seed_different():
    a = fmri_bold(n_nodes=10, **SMALL, seed=7)
    b = fmri_bold(n_nodes=10, **SMALL, seed=7)
    c = fmri_bold(n_nodes=10, **SMALL, seed=8)
    for x, y in zip(a.bold + a.neural, b.bold + b.neural):
        assert np.array_equal(x, y)
    for name in ("graph", "coupling", "transit_time", "hrf_delay"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    assert not np.allclose(a.bold[0], c.bold[0])
    assert not np.allclose(a.transit_time, c.transit_time)
    g1 = fmri_bold(n_nodes=3, **SMALL, seed=np.random.default_rng(5))
    g2 = fmri_bold(n_nodes=3, **SMALL, seed=np.random.default_rng(5))
    assert np.array_equal(g1.bold[1], g2.bold[1])


def test_scans_share_network_but_not_inputs():
    sim = fmri_bold(n_nodes=5, n_scans=2, n_timepoints=60, noise_sd=0.0, seed=2)
    assert not np.allclose(sim.neural[0], sim.neural[1])


# ----------------------------------------------------------------------------- orientation
def test_orientation_cause_is_the_row():
    sim = _two_node(driven=[0])
    assert sim.coupling[0, 1] > 0 and sim.coupling[1, 0] == 0 and sim.edges == [(0, 1)]
    z0 = np.concatenate([n[:, 0] for n in sim.neural])
    z1 = np.concatenate([n[:, 1] for n in sim.neural])
    assert np.ptp(z0) > 0.1 and np.ptp(z1) > 0.01  # driving 0 moves 1
    assert np.corrcoef(z0, z1)[0, 1] > 0.5
    rev = _two_node(driven=[1])
    assert np.all(np.concatenate([n[:, 0] for n in rev.neural]) == 0.0)  # driving 1 leaves 0 at rest
    assert np.ptp(np.concatenate([n[:, 1] for n in rev.neural])) > 0.1
    noisy = _two_node(driven=[1], neural_noise_sd=0.2)  # neural noise enters driven regions only
    assert np.all(np.concatenate([n[:, 0] for n in noisy.neural]) == 0.0)


def test_neural_equation_and_lag():
    """dz1/dt = sigma * (coupling[0, 1] z0 - z1), sigma = 1 / neural_lag, checked by the trapezoid rule."""
    dt, lag = 0.01, 0.05
    sim = _two_node(driven=[0], dt=dt, tr=0.5, n_timepoints=400, keep_fine=True, neural_lag=lag, n_scans=1)
    z = sim.neural_fine[0]
    z0, z1 = z[:, 0], z[:, 1]
    w, sigma = sim.coupling[0, 1], 1.0 / lag
    lhs = np.diff(z1)
    rhs = sigma * dt * (w * 0.5 * (z0[1:] + z0[:-1]) - 0.5 * (z1[1:] + z1[:-1]))
    # the trapezoid rule's error is about (sigma dt)^2 / 12 = 0.3% of the step
    assert np.linalg.norm(lhs - rhs) < 0.03 * np.linalg.norm(lhs)
    # a wrong sigma (half) or the reverse orientation fails the same check
    assert np.linalg.norm(lhs - 0.5 * rhs) > 0.2 * np.linalg.norm(lhs)
    rev = sigma * dt * (w * 0.5 * (z1[1:] + z1[:-1]) - 0.5 * (z0[1:] + z0[:-1]))
    assert np.linalg.norm(np.diff(z0) - rev) > 0.2 * np.linalg.norm(np.diff(z0))
    # on average z1 = w z0 (the integral of dz1/dt over a long run is negligible)
    assert abs(z1.mean() - w * z0.mean()) < 0.02 * w * z0.mean()


# ----------------------------------------------------------------------------- haemodynamics
def _impulse(dt=0.01, seconds=40.0, width=0.1, amplitude=1.0, n=1):
    z = np.zeros((int(round(seconds / dt)) + 1, n))
    z[: int(round(width / dt))] = amplitude
    return z


def test_impulse_response_shape():
    dt = 0.01
    z = _impulse(dt)
    st = hemodynamic_states(z, dt)
    y, f = st.bold[:, 0], st.f[:, 0]
    t = dt * np.arange(y.size)
    # flow: linearised damped oscillator f'' + kappa f' + gamma (f - 1) = eps z
    omega = np.sqrt(GAMMA - KAPPA**2 / 4)
    t_flow = np.arctan(2 * omega / KAPPA) / omega  # 1.88 s after an instant impulse
    assert abs(t[f.argmax()] - (t_flow + 0.05)) < 0.05  # + half the 0.1 s pulse
    # BOLD: peaks after the flow, about 3 s; the later canonical-HRF 5-6 s is not this model
    t_peak = t[y.argmax()]
    assert t_flow < t_peak < t_flow + 2.0 and 2.5 < t_peak < 4.0
    assert y[0] == 0.0 and y.max() > 0
    # post-stimulus undershoot: negative, later than the peak, 5-30% of the peak
    after = t > t_peak
    i_min = np.argmin(np.where(after, y, np.inf))
    assert y[i_min] < 0 and 6.0 < t[i_min] < 14.0
    assert 0.05 * y.max() < -y[i_min] < 0.3 * y.max()
    # back to baseline
    assert np.max(np.abs(y[t >= 30.0])) < 1e-3 * y.max()


def test_flow_is_the_linear_oscillator():
    """s and f are linear in z: a unit step of z gives exactly the closed-form step response of
    f'' + kappa f' + gamma (f - 1) = eps z, which pins kappa, gamma and eps."""
    dt = 0.01
    z = np.ones((2001, 1))
    st = hemodynamic_states(z, dt)
    t = dt * np.arange(z.shape[0])
    a, omega = KAPPA / 2, np.sqrt(GAMMA - KAPPA**2 / 4)
    f = 1 + EPS / GAMMA * (1 - np.exp(-a * t) * (np.cos(omega * t) + a / omega * np.sin(omega * t)))
    assert np.allclose(st.f[:, 0], f, rtol=0, atol=1e-7)


def test_input_process_statistics():
    """Inputs switch up/down with mean durations 2.5 s and 10 s (NetSim): seen through an isolated,
    fast region (z follows u within 5 ms), up 20% of the time."""
    sim = fmri_bold(
        n_nodes=2,
        coupling=-np.eye(2),
        n_scans=20,
        n_timepoints=601,
        tr=1.0,
        dt=0.05,
        neural_lag=0.005,
        neural_noise_sd=0.0,
        noise_sd=0.0,
        keep_fine=True,
        seed=21,
    )
    up_runs, down_runs, frac = [], [], []
    for fine in sim.neural_fine:
        for j in range(2):
            up = fine[:, j] > 0.5
            frac.append(up.mean())
            edges = np.flatnonzero(np.diff(up.astype(int))) + 1
            runs = np.split(up, edges)[1:-1]  # drop the censored first and last runs
            up_runs += [r.size * sim.dt for r in runs if r[0]]
            down_runs += [r.size * sim.dt for r in runs if not r[0]]
    assert len(up_runs) > 1000
    # standard errors: 2.5 / sqrt(n) ~ 0.07 s and 10 / sqrt(n) ~ 0.3 s; 4 of them
    assert abs(np.mean(up_runs) - 2.5) < 4 * 2.5 / np.sqrt(len(up_runs))
    assert abs(np.mean(down_runs) - 10.0) < 4 * 10.0 / np.sqrt(len(down_runs))
    assert abs(np.mean(frac) - 0.2) < 0.03


def test_bold_equation_constants():
    """The returned BOLD is 100 V0 (k1 (1 - q) + k2 (1 - q/v) + k3 (1 - v)) of the states."""
    dt = 0.02
    st = hemodynamic_states(_impulse(dt, seconds=20.0, width=1.0), dt)
    y, v, q = st.bold, st.v, st.q
    k1, k2, k3 = 7 * RHO, 2.0, 2 * RHO - 0.2
    assert np.allclose(y, 100 * V0 * (k1 * (1 - q) + k2 * (1 - q / v) + k3 * (1 - v)), rtol=1e-12, atol=1e-14)


def test_steady_state_of_sustained_input():
    """A sustained z = 1: f -> 1 + eps / gamma, v -> f ** alpha, q -> v E(f) / rho."""
    dt = 0.05
    z = np.ones((int(120 / dt), 1))
    st = hemodynamic_states(z, dt)
    f, v, q = st.f[-1, 0], st.v[-1, 0], st.q[-1, 0]
    assert f == pytest.approx(1 + EPS / GAMMA, rel=1e-4)
    assert v == pytest.approx(f**ALPHA, rel=1e-4)
    assert q == pytest.approx(v * (1 - (1 - RHO) ** (1 / f)) / RHO, rel=1e-4)


def test_integration_step_converges():
    """RK4 at dt = 0.05 (the default) and 0.1 agrees with dt = 0.01 for a smooth input (a wrong RK weight would not)."""
    taus = np.array([0.2, 0.98, 3.0])

    def run(dt):
        t = dt * np.arange(int(round(30 / dt)) + 1)
        z = np.repeat(np.exp(-0.5 * ((t - 1.0) / 0.2) ** 2)[:, None], taus.size, axis=1)
        return hemodynamic_response(z, dt, transit_time=taus)

    fine = run(0.01)
    peak = fine.max(axis=0)
    assert np.all(np.max(np.abs(run(0.05) - fine[::5]), axis=0) < 1e-3 * peak)
    assert np.all(np.max(np.abs(run(0.1) - fine[::10]), axis=0) < 4e-3 * peak)


def test_larger_transit_time_peaks_later():
    dt = 0.01
    taus = np.array([0.3, 0.6, 0.98, 1.5, 2.5])
    y = hemodynamic_response(_impulse(dt, n=taus.size), dt, transit_time=taus)
    peaks = y.argmax(axis=0) * dt
    assert np.all(np.diff(peaks) > 0)
    # the undershoot also comes later
    troughs = np.array([np.argmin(y[k:, j]) + k for j, k in enumerate(y.argmax(axis=0))]) * dt
    assert np.all(np.diff(troughs) > 0)


def test_delays_match_transit_times():
    tau, d = transit_time_for_delay([-0.5, 0.0, 0.5, 1.0])
    assert tau[1] == pytest.approx(TAU, abs=1e-9) and np.all(np.diff(tau) > 0)
    assert np.allclose(d, [-0.5, 0.0, 0.5, 1.0])
    dt = 0.01
    y = hemodynamic_response(_impulse(dt, n=4), dt, transit_time=tau)
    peaks = y.argmax(axis=0) * dt
    assert np.allclose(peaks - peaks[1], d, atol=0.03)
    _, d_clip = transit_time_for_delay([-5.0, 5.0])
    assert -1.2 < d_clip[0] < -0.7 and 1.0 < d_clip[1] < 2.0  # out of reach: clipped


def test_region_delays_spread_and_shared_by_scans():
    sim = fmri_bold(n_nodes=200, n_scans=1, n_timepoints=2, tr=0.05, burn_in=0.0, seed=11)
    sd = np.std(sim.hrf_delay)
    assert 0.38 < sd < 0.6  # NetSim's 0.5 s (a few % clipped below)
    assert np.all((sim.transit_time >= 0.2) & (sim.transit_time <= 3.0))
    flat = fmri_bold(n_nodes=4, hemo_delay_sd=0.0, **SMALL, seed=1)
    assert np.allclose(flat.transit_time, TAU) and np.allclose(flat.hrf_delay, 0.0)


def test_bold_is_the_balloon_of_the_neural_states():
    """End to end: the BOLD of a scan is hemodynamic_response of its own neural states, per region."""
    sim = fmri_bold(n_nodes=5, n_scans=2, n_timepoints=40, tr=1.0, noise_sd=0.0, burn_in=0.0, keep_fine=True, seed=6)
    k = 20
    for fine, bold in zip(sim.neural_fine, sim.bold):
        y = hemodynamic_response(fine, sim.dt, sim.transit_time)
        assert np.allclose(y[::k], bold, rtol=1e-9, atol=1e-12)
        swapped = hemodynamic_response(fine, sim.dt, sim.transit_time[::-1])
        assert not np.allclose(swapped[::k], bold, rtol=1e-6)


# ----------------------------------------------------------------------------- TR
def test_fine_trajectory_does_not_depend_on_tr():
    slow = fmri_bold(n_nodes=5, n_scans=3, n_timepoints=40, tr=3.0, noise_sd=0.0, seed=9)
    fast = fmri_bold(n_nodes=5, n_scans=3, n_timepoints=240, tr=0.5, noise_sd=0.0, seed=9)
    for a, b in zip(slow.bold + slow.neural, fast.bold + fast.neural):
        assert np.array_equal(a, b[::6])
    # same duration, fewer points at the slower TR
    assert slow.settings["duration"] == fast.settings["duration"] == 120.0
    assert slow.bold[0].shape[0] * 6 == fast.bold[0].shape[0]
    assert np.allclose(slow.times, fast.times[::6])
    # measurement noise is drawn per sample, so it is where the two differ
    noisy = fmri_bold(n_nodes=5, n_scans=3, n_timepoints=40, tr=3.0, seed=9)
    resid = noisy.bold[0] - slow.bold[0]
    assert 0.7 < resid.std() < 1.3 and abs(resid.mean()) < 0.3  # noise_sd = 1 (percent)


def test_edge_shows_in_the_bold():
    """The edge 0 -> 1 correlates the two regions' BOLD; without coupling (independent inputs) it does not."""
    kw = dict(n_nodes=5, n_scans=5, n_timepoints=100, noise_sd=0.0, hemo_delay_sd=0.0, seed=12)
    x = np.concatenate(fmri_bold(**kw).bold)
    y = np.concatenate(fmri_bold(coupling=-np.eye(5), **kw).bold)
    assert x.shape == y.shape == (500, 5)
    r_edge = np.corrcoef(x[:, 0], x[:, 1])[0, 1]
    r_none = np.corrcoef(y[:, 0], y[:, 1])[0, 1]
    # seeds 0-9 gave r_edge 0.34-0.60 and |r_none| < 0.05
    assert r_edge > 0.2 and abs(r_none) < 0.15


# ----------------------------------------------------------------------------- rest and bad input
def test_rest_stays_at_rest_exactly():
    sim = fmri_bold(n_nodes=5, **SMALL, input_amplitude=0.0, neural_noise_sd=0.0, noise_sd=0.0, seed=0)
    assert all(np.all(x == 0.0) for x in sim.bold + sim.neural)
    y = hemodynamic_response(np.zeros((500, 3)), 0.05, transit_time=[0.3, 0.98, 2.0])
    assert np.all(y == 0.0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_nodes=1), "n_nodes"),
        (dict(n_nodes=0), "n_nodes"),
        (dict(tr=0.0), "tr"),
        (dict(tr=-3.0), "tr"),
        (dict(tr=0.07), "multiple of dt"),
        (dict(tr=3.0, dt=0.07), "multiple of dt"),
        (dict(dt=0.5), "dt"),
        (dict(dt=0.0), "dt"),
        (dict(graph=np.zeros((3, 3))), "n_nodes"),
        (dict(graph=np.zeros((5, 4))), "square"),
        (dict(graph=np.eye(5)), "diagonal"),
        (dict(noise_sd=-1.0), "noise_sd"),
        (dict(neural_noise_sd=-0.1), "neural_noise_sd"),
        (dict(hemo_delay_sd=-0.5), "hemo_delay_sd"),
        (dict(n_scans=0), "n_scans"),
        (dict(n_timepoints=1), "n_timepoints"),
        (dict(burn_in=0.03), "multiple of dt"),
        (dict(transit_time=np.ones(4)), "transit_time"),
        (dict(transit_time=np.full(5, 10.0)), "transit_time"),
        (dict(driven=[7]), "driven"),
        (dict(coupling=np.ones((5, 5))), "unstable"),
        (dict(coupling=np.eye(3)), "coupling"),
        (dict(neural_lag=0.0), "neural_lag"),
        (dict(seed=-1), "seed"),
    ],
)
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fmri_bold(**{**SMALL, **kwargs})


@pytest.mark.parametrize("fn", [hemodynamic_response, hemodynamic_states])
def test_hemodynamic_response_bad_input(fn):
    with pytest.raises(ValueError, match="dt"):
        fn(np.zeros((10, 2)), 0.5)
    with pytest.raises(ValueError, match="transit_time"):
        fn(np.zeros((10, 2)), 0.05, transit_time=[1.0, -1.0])
    with pytest.raises(ValueError, match="broadcast"):
        fn(np.zeros((10, 2)), 0.05, transit_time=[1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="NaN"):
        fn(np.full((10, 2), np.nan), 0.05)
    with pytest.raises(ValueError, match="physical range"):
        fn(np.full((200, 1), 1e3), 0.05)


def test_hemodynamic_states_are_the_states_of_the_response():
    """hemodynamic_states runs the integration of hemodynamic_response: the same BOLD bit for bit, per
    region (a transit time given per region lands on that region's column), the states at rest at t = 0."""
    dt = 0.05
    z = np.zeros((400, 2))
    z[:4, 1] = 1.0  # only region 1 is driven
    taus = [0.5, 2.0]
    st = hemodynamic_states(z, dt, transit_time=taus, efficacy=0.4)
    assert isinstance(st, HemodynamicStates) and st.dt == dt
    assert all(a.shape == z.shape for a in (st.bold, st.s, st.f, st.v, st.q))
    np.testing.assert_array_equal(st.bold, hemodynamic_response(z, dt, transit_time=taus, efficacy=0.4))
    np.testing.assert_array_equal(st.times, dt * np.arange(400))
    assert st.s[0].tolist() == [0.0, 0.0] and st.f[0].tolist() == st.v[0].tolist() == st.q[0].tolist() == [1.0, 1.0]
    # the undriven region 0 stays exactly at rest; region 1 moves, with its own transit time
    assert np.all(st.f[:, 0] == 1.0) and np.all(st.bold[:, 0] == 0.0) and st.f[:, 1].max() > 1.0
    alone = hemodynamic_states(z[:, 1:], dt, transit_time=2.0, efficacy=0.4)
    np.testing.assert_array_equal(alone.q[:, 0], st.q[:, 1])
    assert "n_steps=400" in repr(st) and "dt=0.05" in repr(st)
    with pytest.raises(AttributeError):
        st.dt = 0.1  # frozen


def test_return_states_is_deprecated_and_keeps_the_old_return():
    """The old call form warns and returns (bold, dict of s, f, v, q), equal to the new function's attributes."""
    dt = 0.05
    z = np.zeros((300, 2))
    z[:4] = 1.0
    with pytest.warns(DeprecationWarning, match="hemodynamic_states"):
        old = hemodynamic_response(z, dt, transit_time=[0.98, 1.5], return_states=True)
    new = hemodynamic_states(z, dt, transit_time=[0.98, 1.5])
    assert isinstance(old, tuple) and len(old) == 2
    y, states = old
    assert isinstance(states, dict) and list(states) == ["s", "f", "v", "q"]
    np.testing.assert_array_equal(y, new.bold)
    for name in "sfvq":
        np.testing.assert_array_equal(states[name], getattr(new, name))
    with pytest.raises(ValueError, match="return_states"):
        hemodynamic_response(z, dt, return_states="yes")


def test_granger_accepts_the_recordings():
    from gcbook.granger import granger_test

    sim = fmri_bold(n_nodes=5, n_scans=4, n_timepoints=60, seed=13)
    res = granger_test(sim.bold, lag=2)
    assert res.p_value.shape == (5, 5)
