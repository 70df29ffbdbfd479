"""Tests for the GeneNetWeaver-style gene-expression simulator (gcbook.simulate.genes)."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from gcbook.simulate.genes import (
    DREAM3_TRAJECTORIES,
    GeneSimulation,
    _activation,
    _draw_kinetics,
    _state_table,
    gene_expression,
    regulatory_network,
)

QUIET = dict(noise=0.0, measurement_noise=None, normalize=False)
ACT = np.array([[0, 1], [0, 0]])  # gene 0 activates gene 1


# ----------------------------------------------------------------------------- shapes, counts, seeds
@pytest.mark.parametrize("p", [10, 50, 100])
def test_dream3_counts_and_shapes(p):
    sim = gene_expression(p, seed=0)
    assert isinstance(sim, GeneSimulation)
    assert len(sim.trajectories) == DREAM3_TRAJECTORIES[p] == {10: 4, 50: 23, 100: 46}[p]
    assert all(x.shape == (21, p) for x in sim.trajectories)
    assert all(y.shape == (21, p) for y in sim.protein)
    np.testing.assert_array_equal(sim.times, np.arange(0, 201, 10))
    assert sim.graph.shape == sim.sign.shape == (p, p)
    assert sim.perturbation.shape == (len(sim.trajectories), p)
    X = np.stack(sim.trajectories)
    assert np.all(np.isfinite(X)) and X.min() >= 0 and X.max() == pytest.approx(1.0)  # normalised by the maximum
    P = np.stack(sim.protein)  # divided by the same number as the mRNA (GNW)
    np.testing.assert_allclose(
        P * sim.settings["scale"], np.stack(gene_expression(p, seed=0, normalize=False).protein), rtol=1e-12
    )
    assert X.max() * sim.settings["scale"] == pytest.approx(
        np.stack(gene_expression(p, seed=0, normalize=False).trajectories).max()
    )
    traj, graph = sim
    assert traj is sim.trajectories and graph is sim.graph and sim.recordings is sim.trajectories
    assert f"n_genes={p}" in repr(sim) and f"n_trajectories={len(sim.trajectories)}" in repr(sim)


def test_other_sizes_and_explicit_counts():
    assert len(gene_expression(20, seed=0).trajectories) == round(0.46 * 20)
    assert len(gene_expression(3, seed=0).trajectories) == 2  # at least 2
    sim = gene_expression(5, 7, 11, seed=0)
    assert len(sim.trajectories) == 7 and sim.trajectories[0].shape == (11, 5)
    assert sim.settings["perturbation_off"] == 50.0


def test_seeds():
    a, b = gene_expression(10, seed=3), gene_expression(10, seed=3)
    c = gene_expression(10, seed=4)
    for x, y in zip(a.trajectories, b.trajectories):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(a.graph, b.graph)
    assert not np.array_equal(np.stack(a.trajectories), np.stack(c.trajectories))
    g = np.random.default_rng(5)
    gene_expression(10, seed=g)
    state = g.bit_generator.state
    assert state != np.random.default_rng(5).bit_generator.state  # the given generator is used


def test_granger_accepts_the_trajectories():
    from gcbook.granger import granger_test

    sim = gene_expression(10, seed=1)
    res = granger_test(sim.trajectories, 2)
    assert res.p_value.shape == (10, 10)


# ----------------------------------------------------------------------------- the regulation function
def test_activation_equals_the_sum_over_binding_states():
    """f_i = sum_S alpha_S P(S), written out state by state, for genes with 3 regulators."""
    rng = np.random.default_rng(0)
    sign = np.zeros((5, 5), dtype=int)  # genes 2, 3, 4 regulate genes 0 and 1 (cause = row)
    sign[[2, 3, 4], 0] = [1, -1, 1]
    sign[[2, 3, 4], 1] = [-1, -1, 1]
    kin = _draw_kinetics(rng, sign)
    alpha = _state_table(kin["alpha0"], kin["delta_alpha"])
    y = rng.uniform(0, 1, size=(6, 5))
    f = _activation(y, alpha, kin)
    for gene in (0, 1):
        regs = kin["regulators"][gene]
        assert sorted(regs.tolist()) == [2, 3, 4]
        mu = (y[:, regs] / kin["k"][gene]) ** kin["n"][gene]
        mu = mu / (1 + mu)
        expected = np.zeros(len(y))
        for state in itertools.product([0, 1], repeat=3):
            s = np.array(state)
            a = np.clip(kin["alpha0"][gene] + kin["delta_alpha"][gene] @ s, 0, 1)
            expected += a * np.prod(np.where(s == 1, mu, 1 - mu), axis=1)
        np.testing.assert_allclose(f[:, gene], expected, rtol=1e-12, atol=1e-14)
    # GNW's signs and ranges: activators raise, repressors lower, fully active state reaches 1
    d0 = kin["delta_alpha"][0]
    assert np.all(np.sign(d0) == sign[kin["regulators"][0], 0])
    assert kin["alpha0"][0] + d0[d0 > 0].sum() >= 1 - 1e-12
    assert kin["alpha0"][1] + kin["delta_alpha"][1].sum() <= 0.25 + 1e-12  # fully repressed: low
    assert np.all(f >= 0) and np.all(f <= 1)
    assert np.all(kin["alpha0"][2:] == 1.0)  # no regulators: alpha_0 = 1 (GNW)


# ----------------------------------------------------------------------------- dynamics
@pytest.mark.parametrize("topology", ["modular", "scale_free"])
def test_wild_type_stays_at_its_steady_state_without_noise(topology):
    p, B = 30, 3
    sim = gene_expression(p, B, topology=topology, seed=2, perturbation=np.zeros((B, p)), **QUIET)
    for x, y in zip(sim.trajectories, sim.protein):
        np.testing.assert_allclose(x, np.broadcast_to(sim.wild_type, x.shape), atol=1e-10)
        np.testing.assert_allclose(y, np.broadcast_to(sim.wild_type, y.shape), atol=1e-10)
    assert np.all(sim.wild_type > 0) and np.all(sim.wild_type <= 1)


@pytest.mark.parametrize("s", [1, -1])
@pytest.mark.parametrize("r, t", [(0, 1), (1, 0)])
def test_orientation_and_sign_of_regulation(s, r, t):
    """r -> t with sign s: a higher basal activation of r moves t in the direction s; perturbing t leaves r alone."""
    net = np.zeros((2, 2), dtype=int)
    net[r, t] = s  # book orientation: the cause is the row
    lower = np.zeros((2, 2))
    lower[:, r] = [-0.9, -0.2]  # basal activation of r: 0.1 and 0.8 (wild type 1, it has no regulator)
    own = np.zeros((1, 2))
    own[0, t] = 0.5 * s  # alpha_0 of t is low with an activator, 1 with a repressor: move it to the middle
    strict = moved = 0
    for seed in range(10):
        sim = gene_expression(2, 2, seed=seed, network=net, perturbation=lower, **QUIET)
        low, high = sim.trajectories
        wt = sim.wild_type
        assert np.all(low[:11, r] <= high[:11, r] + 1e-12) and low[10, r] < high[10, r] - 0.1
        diff = s * (high[1:11, t] - low[1:11, t])  # first half, the target
        assert np.all(diff >= -1e-12), "the target moved against the sign of the edge"
        assert np.all(s * (low[1:11, t] - wt[t]) <= 1e-12)  # lowering an activator lowers its target
        strict += diff[-1] > 1e-2
        sim = gene_expression(2, 1, seed=seed, network=net, perturbation=own, **QUIET)
        x = sim.trajectories[0]
        np.testing.assert_allclose(x[:, r], wt[r], atol=1e-12)  # the regulator does not see its target
        assert np.all(s * (x[1:11, t] - wt[t]) >= -1e-12)
        moved += s * (x[10, t] - wt[t]) > 1e-3
    assert strict >= 9, f"the effect of the regulator is visible in only {strict} of 10 seeds"
    assert moved >= 8, f"perturbing the target moved it in only {moved} of 10 seeds"


def test_perturbation_is_on_in_the_first_half_and_off_in_the_second():
    """A gene without regulators relaxes to its perturbed level, then back: x = a + (x0 - a) exp(-lambda t)."""
    sim = gene_expression(2, 1, seed=0, network=ACT, perturbation=[[-0.8, 0.0]], **QUIET)
    x, t = sim.trajectories[0][:, 0], sim.times
    lam = sim.kinetics["lambda_rna"][0]
    assert sim.wild_type[0] == pytest.approx(1.0) and sim.perturbation[0, 0] == pytest.approx(-0.8)
    first = 0.2 + 0.8 * np.exp(-lam * t[:11])
    np.testing.assert_allclose(x[:11], first, atol=2e-3)
    second = 1.0 - (1.0 - x[10]) * np.exp(-lam * (t[10:] - 100.0))
    np.testing.assert_allclose(x[10:], second, atol=2e-3)
    assert np.all(np.diff(x[:11]) < 0) and np.all(np.diff(x[10:]) > 0)


def test_perturbation_keeps_the_basal_activation_in_the_unit_interval():
    """GNW clips the perturbed alpha_0 to [0, 1]: raising a gene already at alpha_0 = 1 does nothing."""
    sim = gene_expression(2, 1, seed=0, network=ACT, perturbation=[[0.5, 0.0]], **QUIET)
    assert sim.perturbation[0, 0] == 0.0
    np.testing.assert_allclose(sim.trajectories[0], np.broadcast_to(sim.wild_type, (21, 2)), atol=1e-10)


def test_perturbation_off_time_between_samples():
    """With 4 points every 10 min the switch is at t = 15, inside an interval."""
    sim = gene_expression(2, 1, 4, seed=0, network=ACT, perturbation=[[-0.8, 0.0]], **QUIET)
    lam = sim.kinetics["lambda_rna"][0]
    x15 = 0.2 + 0.8 * np.exp(-lam * 15.0)
    expected = 1.0 - (1.0 - x15) * np.exp(-lam * 5.0)
    assert sim.trajectories[0][2, 0] == pytest.approx(expected, abs=2e-3)


def test_random_perturbation_hits_about_a_third_of_the_genes():
    sim = gene_expression(100, 46, seed=0, noise=0.0, measurement_noise=None)
    hit = sim.perturbation != 0
    n = hit.size
    assert abs(hit.mean() - 0.33) < 4 * np.sqrt(0.33 * 0.67 / n)
    # every trajectory has its own perturbation
    assert len({tuple(np.flatnonzero(row)) for row in hit}) == 46
    a0 = sim.kinetics["alpha0"]
    assert np.all((a0 + sim.perturbation >= -1e-12) & (a0 + sim.perturbation <= 1 + 1e-12))


def test_langevin_noise_scale():
    """A gene without regulators at alpha_0 = 1 is an OU process around 1 with sd close to c."""
    c, B = 0.05, 400
    sim = gene_expression(
        2,
        B,
        3,
        seed=0,
        network=ACT,
        noise=c,
        measurement_noise=None,
        normalize=False,
        perturbation=np.zeros((B, 2)),
        burn_in=300.0,
    )
    x = np.stack(sim.trajectories)[:, :, 0]
    assert np.std(x) == pytest.approx(c, rel=0.1)  # OU around 1: variance c**2 * 2 lambda / (2 lambda)
    assert abs(np.mean(x) - 1.0) < 0.02
    quiet = gene_expression(
        2, 3, 3, seed=0, network=ACT, noise=0.0, measurement_noise=None, normalize=False, perturbation=np.zeros((3, 2))
    )
    assert np.std(np.stack(quiet.trajectories)[:, :, 0]) < 1e-12


@pytest.mark.parametrize("kind", ["microarray", "gaussian"])
def test_measurement_noise_model(kind):
    p, B = 30, 40
    sim = gene_expression(
        p, B, seed=1, noise=0.0, measurement_noise=kind, normalize=False, perturbation=np.zeros((B, p))
    )
    X = np.stack(sim.trajectories)
    wt = np.broadcast_to(sim.wild_type, X.shape)
    if kind == "microarray":  # Tu et al. (2002): log(x~ / x) ~ N(0, 0.001 + 0.689 / (1 + x / 0.01))
        var = 0.001 + 0.689 / (1 + wt / 0.01)
        z = np.log(X / wt) / np.sqrt(var)
        assert np.std(z) == pytest.approx(1.0, rel=0.05) and abs(np.mean(z)) < 0.05
    else:
        keep = wt > 0.2
        assert np.std((X - wt)[keep]) == pytest.approx(0.025, rel=0.05)


# ----------------------------------------------------------------------------- networks
@pytest.mark.parametrize("topology", ["modular", "scale_free"])
@pytest.mark.parametrize("p", [2, 10, 50, 100])
def test_network_is_a_signed_dag(topology, p):
    net = regulatory_network(p, topology, seed=p)
    graph, sign = net
    assert graph.shape == sign.shape == (p, p)
    assert np.all(np.diag(graph) == 0)
    assert set(np.unique(sign[graph == 1]).tolist()) <= {-1, 1}
    assert np.all(sign[graph == 0] == 0)
    assert nx.is_directed_acyclic_graph(nx.from_numpy_array(graph, create_using=nx.DiGraph))
    indeg = graph.sum(axis=0)
    assert indeg.max() <= 4 and (indeg == 0).sum() >= 1
    assert nx.is_weakly_connected(nx.from_numpy_array(graph, create_using=nx.DiGraph))
    assert f"n_genes={p}" in repr(net)


def test_scale_free_has_hubs():
    for seed in range(5):
        g, _ = regulatory_network(100, "scale_free", seed=seed)
        out = g.sum(axis=1)
        assert out.max() >= 5 * out.mean(), (seed, out.max(), out.mean())
        assert (out > 0).mean() < 0.7  # many genes regulate nothing: only some are transcription factors


def test_modular_has_dense_modules_and_few_links_between():
    for seed in range(5):
        net = regulatory_network(100, "modular", seed=seed)
        same = net.modules[:, None] == net.modules[None, :]
        within, between = int(net.graph[same].sum()), int(net.graph[~same].sum())
        n_mod = len(np.unique(net.modules))
        assert n_mod == 10 and np.all(np.bincount(net.modules) == 10)
        assert between == n_mod - 1 and within > 10 * between


def test_small_modular_network_is_one_module():
    net = regulatory_network(14, "modular", seed=3)
    assert np.all(net.modules == 0)
    np.testing.assert_array_equal(net.sign, regulatory_network(14, "scale_free", seed=3).sign)
    assert regulatory_network(15, "modular", seed=3).modules.max() == 1


def test_signs_follow_activation_prob():
    g, s = regulatory_network(100, "scale_free", seed=0, activation_prob=1.0)
    assert np.all(s[g == 1] == 1)
    g, s = regulatory_network(100, "scale_free", seed=0, activation_prob=0.0)
    assert np.all(s[g == 1] == -1)


# ----------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_genes=1), "n_genes"),
        (dict(n_genes=10.5), "n_genes"),
        (dict(n_trajectories=0), "n_trajectories"),
        (dict(n_timepoints=2), "n_timepoints"),
        (dict(topology="ring"), "topology"),
        (dict(noise=-0.1), "noise"),
        (dict(measurement_noise="poisson"), "measurement_noise"),
        (dict(dt=0.3), "dt"),
        (dict(dt=2.0, sampling_interval=10.0), "dt"),
        (dict(perturbed_fraction=1.5), "perturbed_fraction"),
        (dict(n_genes=2, network=[[1, 0], [0, 0]]), "diagonal"),
        (dict(n_genes=2, network=[[0, 2], [0, 0]]), "-1"),
        (dict(n_genes=3, network=[[0, 1], [0, 0]]), "shape"),
        (dict(n_genes=2, n_trajectories=1, network=ACT, perturbation=[[0.1, 0.2, 0.3]]), "perturbation"),
        (dict(n_genes=2, n_trajectories=1, network=ACT, perturbation=[[2.0, 0.0]]), "perturbation"),
        (dict(normalize="yes"), "normalize"),
        (dict(seed=-1), "seed"),
    ],
)
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gene_expression(**kwargs)


def test_bad_network_input():
    with pytest.raises(ValueError, match="n_genes"):
        regulatory_network(1)
    with pytest.raises(ValueError, match="topology"):
        regulatory_network(10, "random")
    with pytest.raises(ValueError, match="activation_prob"):
        regulatory_network(10, activation_prob=2.0)


def test_network_with_a_feedback_loop():
    """0 activates 1, 1 represses 0: no acyclic order, the wild type comes from the noise-free equations."""
    loop = np.array([[0, 1], [-1, 0]])
    B = 2
    sim = gene_expression(2, B, seed=0, network=loop, perturbation=np.zeros((B, 2)), **QUIET)
    assert 0 < sim.wild_type.min() and sim.wild_type.max() < 1
    for x in sim.trajectories:
        np.testing.assert_allclose(x, np.broadcast_to(sim.wild_type, x.shape), atol=1e-6)
    np.testing.assert_array_equal(sim.graph, [[0, 1], [1, 0]])
    # with other kinetics (seed 3: Hill coefficients 4.2 and 3.1) the same loop oscillates for ever
    with pytest.raises(ValueError, match="did not settle"):
        gene_expression(2, B, seed=3, network=loop, **QUIET)


def test_plot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sim = gene_expression(10, seed=0)
    b = int(np.argmax((sim.perturbation != 0).sum(axis=1)))
    fig = sim.plot(trajectory=b)
    ax = fig.axes[0]
    hit = np.flatnonzero(sim.perturbation[b])
    lines = ax.get_lines()
    assert 1 <= len(lines) <= 6 and ax.get_xlabel() == "time (min)"
    assert [ln.get_linestyle() for ln in lines[: min(len(hit), 6)]] == ["-"] * min(len(hit), 6)
    np.testing.assert_array_equal(lines[0].get_ydata(), sim.trajectories[b][:, hit[0]])
    plt.close(fig)
    fig = sim.plot(trajectory=0, genes=[3, 4])
    assert len(fig.axes[0].get_lines()) == 2
    plt.close(fig)
    with pytest.raises(ValueError, match="trajectory"):
        sim.plot(trajectory=4)
    with pytest.raises(ValueError, match="genes"):
        sim.plot(genes=[10])
