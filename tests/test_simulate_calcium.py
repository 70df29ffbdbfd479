"""Tests for the synthetic calcium imaging movies (gcbook.simulate.calcium)."""

from __future__ import annotations

import numpy as np
import pytest

from gcbook.simulate import CalciumMovie, CalciumPair, calcium_movie, movie_pair, rerecord


def _signal(sim: CalciumMovie) -> np.ndarray:
    return np.tensordot(sim.factors, sim.footprints, axes=1)


# ----------------------------------------------------------------------------- shapes and API
def test_shapes_dtypes_repr_and_unpacking():
    sim = calcium_movie(T=200, K=4, size=24, n_drivers=3, seed=0)
    assert isinstance(sim, CalciumMovie)
    movie, factors, graph = sim
    assert movie.shape == (200, 24, 24) and movie.dtype == np.float64
    assert factors.shape == (200, 4) and factors.dtype == np.float64
    assert sim.spikes.shape == (200, 4)
    assert sim.footprints.shape == (4, 24, 24) and sim.centres.shape == (4, 2)
    assert sim.coef.shape == (4, 4) and sim.coef.dtype == np.float64
    assert graph.shape == (4, 4) and np.issubdtype(graph.dtype, np.integer)
    assert sim.background.shape == (24, 24)
    assert np.all(np.isfinite(movie))
    assert (sim.noise, sim.decay, sim.coupling, sim.spike_rate, sim.burn_in) == (0.1, 0.9, 0.3, 0.05, 200)
    text = repr(sim)
    assert text.startswith("CalciumMovie(T=200, K=4, size=24x24, drivers=[") and "dtype=float64" in text
    assert all(f"{i}->{j}" in text for i, j in sim.edges)
    with pytest.raises(AttributeError):  # frozen
        sim.noise = 0.0


def test_float32_movie_is_the_same_movie_rounded():
    a = calcium_movie(T=50, size=16, K=2, n_drivers=1, footprint_width=2.0, seed=3)
    b = calcium_movie(T=50, size=16, K=2, n_drivers=1, footprint_width=2.0, seed=3, dtype=np.float32)
    assert b.movie.dtype == np.float32 and b.factors.dtype == np.float64
    np.testing.assert_allclose(b.movie, a.movie, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(a.factors, b.factors)


# ----------------------------------------------------------------------------- seeding
def test_same_seed_same_numbers_other_seed_other_numbers():
    a, b = calcium_movie(T=100, seed=7), calcium_movie(T=100, seed=7)
    for name in ("movie", "factors", "spikes", "footprints", "coef", "background"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    c = calcium_movie(T=100, seed=8)
    assert not np.array_equal(a.movie, c.movie)
    assert not np.array_equal(a.centres, c.centres)
    d = calcium_movie(T=100, seed=np.random.default_rng(7))  # a Generator is accepted
    np.testing.assert_array_equal(a.movie, d.movie)


def test_global_numpy_rng_untouched():
    np.random.seed(123)
    before = np.random.get_state()
    calcium_movie(T=50, seed=0)
    calcium_movie(T=50, seed=None)
    movie_pair(T=50, seed=1, same=False)
    after = np.random.get_state()
    assert before[0] == after[0] and before[2:] == after[2:]
    np.testing.assert_array_equal(before[1], after[1])


# ----------------------------------------------------------------------------- the truth generates the data
def test_factors_nonnegative_spikes_sparse_exponential():
    sim = calcium_movie(T=4000, K=3, size=20, n_drivers=2, footprint_width=2.0, spike_rate=0.1, spike_scale=2.0, seed=1)
    assert np.all(sim.factors >= 0) and np.all(sim.spikes >= 0)
    fired = sim.spikes > 0
    assert abs(fired.mean() - 0.1) < 0.015
    assert abs(sim.spikes[fired].mean() - 2.0) < 0.2


def test_factors_follow_the_var_exactly_and_decay_after_a_spike():
    sim = calcium_movie(T=500, seed=2)
    x = sim.factors
    np.testing.assert_allclose(x[1:], x[:-1] @ sim.coef + sim.spikes[1:], atol=1e-12)
    # a lone factor (no drivers) decays like decay ** t between spikes
    lone = calcium_movie(T=400, K=2, size=20, n_drivers=0, footprint_width=2.0, decay=0.8, seed=2)
    x, s = lone.factors[:, 0], lone.spikes[:, 0]
    quiet = np.flatnonzero(s[1:] == 0) + 1
    np.testing.assert_allclose(x[quiet], 0.8 * x[quiet - 1], rtol=1e-12)


@pytest.mark.parametrize("noise", [0.1, 0.5])
def test_movie_minus_truth_is_the_pixel_noise(noise):
    sim = calcium_movie(T=300, size=24, noise=noise, seed=4)
    resid = sim.movie - sim.background - _signal(sim)
    assert abs(resid.mean()) < 0.01 * noise
    assert abs(resid.std() / noise - 1) < 0.01
    # white in time: lag-1 autocorrelation of the residual is ~0
    r = resid.reshape(sim.movie.shape[0], -1)
    assert abs(np.mean(r[1:] * r[:-1]) / r.var()) < 0.01


def test_noise_free_movie_is_exact_and_background_is_static():
    sim = calcium_movie(T=100, size=24, noise=0.0, seed=5)
    np.testing.assert_allclose(sim.movie, sim.background + _signal(sim), atol=1e-12)
    # frames where no factor is active show the background alone (up to a tiny tail)
    quiet = np.argmin(sim.factors.sum(axis=1))
    assert np.max(np.abs(sim.movie[quiet] - sim.background)) <= sim.factors[quiet].sum() + 1e-12


def test_least_squares_refit_recovers_coef_and_orientation():
    sim = calcium_movie(T=20000, K=4, size=16, n_drivers=3, footprint_width=2.0, noise=0.0, seed=11)
    x = sim.factors
    Z = np.column_stack([np.ones(len(x) - 1), x[:-1]])
    beta, *_ = np.linalg.lstsq(Z, x[1:], rcond=None)
    fitted = beta[1:]  # fitted[i, j]: effect of x_i(t-1) on x_j(t)
    np.testing.assert_allclose(fitted, sim.coef, atol=0.03)
    # intercept = mean spike = spike_rate * spike_scale
    np.testing.assert_allclose(beta[0], 0.05, atol=0.01)
    for i, j in sim.edges:  # the edge i -> j sits at row i, column j, not at [j, i]
        assert fitted[i, j] > 0.25
        if not sim.graph[j, i]:
            assert abs(fitted[j, i]) < 0.03
    # and the movie recovers the factors: least squares on the known footprints
    K, H, W = sim.footprints.shape
    F = sim.footprints.reshape(K, H * W).T
    est, *_ = np.linalg.lstsq(F, (sim.movie[:50] - sim.background).reshape(50, -1).T, rcond=None)
    np.testing.assert_allclose(est.T, x[:50], atol=1e-9)


def test_graph_matches_coef():
    for seed in range(5):
        sim = calcium_movie(T=20, K=5, size=40, n_drivers=4, coupling=0.02, seed=seed)
        off = ~np.eye(5, dtype=bool)
        np.testing.assert_array_equal(sim.graph, ((sim.coef != 0) & off).astype(int))
        assert np.all(np.diag(sim.graph) == 0) and sim.graph.sum() == 4
        np.testing.assert_array_equal(np.diag(sim.coef), 0.9)
        assert set(np.unique(sim.coef[off])) <= {0.0, 0.02}
    assert calcium_movie(T=20, n_drivers=0, seed=0).graph.sum() == 0
    full = calcium_movie(T=20, K=3, size=24, n_drivers=3, decay=0.5, coupling=0.1, footprint_width=2.0, seed=0)
    assert full.graph.sum() == 3 and np.all(full.graph + full.graph.T <= 1)  # a complete DAG on 3 factors


def test_drivers_are_acyclic_and_every_seed_is_stable():
    import networkx as nx

    for seed in range(40):
        sim = calcium_movie(T=5, K=5, size=40, n_drivers=6, decay=0.8, coupling=0.3, seed=seed)
        assert nx.is_directed_acyclic_graph(nx.DiGraph(sim.graph))
        assert np.max(np.abs(np.linalg.eigvals(sim.coef))) == pytest.approx(0.8)


# ----------------------------------------------------------------------------- images
def test_footprints_nonnegative_max_one_and_separated():
    sim = calcium_movie(T=10, K=6, size=40, footprint_width=3.0, seed=6)
    fp = sim.footprints
    assert np.all(fp >= 0)
    np.testing.assert_allclose(fp.max(axis=(1, 2)), 1.0)
    d = np.hypot(*(sim.centres[:, None, :] - sim.centres[None, :, :]).transpose(2, 0, 1))
    assert d[~np.eye(6, dtype=bool)].min() >= 9.0
    assert np.all((sim.centres >= 3.0) & (sim.centres <= 40 - 1 - 3.0))
    peaks = np.array(np.unravel_index(fp.reshape(6, -1).argmax(axis=1), (40, 40))).T
    assert np.all(np.abs(peaks - sim.centres) <= 0.5 + 1e-9)


def test_tight_packing_still_places_all_footprints():
    # 9 blobs of width 3 in 32 x 32: dart throwing finds them, at the required distance
    sim = calcium_movie(T=10, K=9, size=32, n_drivers=0, seed=0)
    d = np.hypot(*(sim.centres[:, None, :] - sim.centres[None, :, :]).transpose(2, 0, 1))
    assert d[~np.eye(9, dtype=bool)].min() >= 9.0 - 1e-9
    # 4 blobs of width 2 in 11 x 11 fit only at the corners of [2, 8]^2: dart throwing fails, the lattice does not
    sim = calcium_movie(T=10, K=4, size=11, n_drivers=0, footprint_width=2.0, seed=0)
    assert sorted(map(tuple, sim.centres.tolist())) == [(2.0, 2.0), (2.0, 8.0), (8.0, 2.0), (8.0, 8.0)]
    with pytest.raises(ValueError, match="use size >= 11"):
        calcium_movie(T=10, K=4, size=10, n_drivers=0, footprint_width=2.0, seed=0)


def test_background_default_static_dense_and_user_given():
    sim = calcium_movie(T=10, size=32, seed=0)
    bg = sim.background
    assert np.all(bg >= 1.0) and bg.max() > 2.0  # non-sparse level plus bright static blobs
    assert calcium_movie(T=10, size=32, background=0.0, seed=0).background.max() == 0.0
    custom = np.linspace(0, 1, 32 * 32).reshape(32, 32)
    out = calcium_movie(T=10, size=32, background=custom, noise=0.0, seed=0)
    np.testing.assert_array_equal(out.background, custom)
    np.testing.assert_allclose(out.movie, custom + _signal(out), atol=1e-12)


# ----------------------------------------------------------------------------- pairs
def test_movie_pair_same():
    pair = movie_pair(T=200, seed=9, same=True)
    assert isinstance(pair, CalciumPair) and pair.same and pair.changed_edge is None
    first, second = pair
    np.testing.assert_array_equal(first.coef, second.coef)
    np.testing.assert_array_equal(first.graph, second.graph)
    np.testing.assert_array_equal(first.footprints, second.footprints)
    np.testing.assert_array_equal(first.background, second.background)
    assert first.footprints is not second.footprints
    assert not np.array_equal(first.spikes, second.spikes)  # independent recordings
    # the first recording is calcium_movie with the same seed, bit for bit
    single = calcium_movie(T=200, seed=9)
    np.testing.assert_array_equal(first.movie, single.movie)
    assert "changed_edge=none" in repr(pair)


def test_movie_pair_different_removes_one_edge():
    same = movie_pair(T=200, seed=9, same=True)
    pair = movie_pair(T=200, seed=9, same=False)
    first, second = pair
    i, j = pair.changed_edge
    assert (i, j) in first.edges and (i, j) not in second.edges
    diff = np.argwhere(first.coef != second.coef).tolist()
    assert diff == [[i, j]] and second.coef[i, j] == 0.0
    assert np.argwhere(first.graph != second.graph).tolist() == [[i, j]]
    np.testing.assert_array_equal(first.footprints, second.footprints)
    np.testing.assert_array_equal(first.background, second.background)
    # controlled comparison: same first recording and same second spikes as same=True
    np.testing.assert_array_equal(first.movie, same.first.movie)
    np.testing.assert_array_equal(second.spikes, same.second.spikes)
    assert f"changed_edge={i}->{j} (0.3 -> 0)" in repr(pair)


def test_movie_pair_changed_weight_keeps_graph():
    pair = movie_pair(T=100, seed=2, same=False, changed_weight=0.1)
    first, second = pair
    i, j = pair.changed_edge
    np.testing.assert_array_equal(first.graph, second.graph)
    assert first.coef[i, j] == 0.3 and second.coef[i, j] == 0.1
    assert np.argwhere(first.coef != second.coef).tolist() == [[i, j]]


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(K=1), "K must be >= 2"),
        (dict(K=3, n_drivers=7), "n_drivers=7 exceeds"),
        (dict(n_drivers=-1), "n_drivers must be >= 0"),
        (dict(decay=0.0), "decay must be >"),
        (dict(decay=1.0), "decay must be <"),
        (dict(coupling=0.0), "coupling must be >"),
        (dict(coupling=-0.2), "coupling must be >"),
        (dict(spike_rate=0.0), "spike_rate"),
        (dict(spike_rate=1.5), "spike_rate"),
        (dict(spike_scale=0.0), "spike_scale"),
        (dict(noise=-0.1), "noise must be >= 0"),
        (dict(noise=float("nan")), "noise must be finite"),
        (dict(footprint_width=0.0), "footprint_width"),
        (dict(T=1), "T must be >= 2"),
        (dict(T=10.5), "T must be an int"),
        (dict(size=8), "size=8 is too small"),
        (dict(K=12, size=32), "size=32 is too small"),
        (dict(K=2, n_drivers=2), "exceeds the K\\(K-1\\)/2 = 1"),  # 0 <-> 1 would be a cycle
        (dict(background=np.zeros((5, 5))), "background must be"),
        (dict(background=np.full((32, 32), np.nan)), "NaN"),
        (dict(dtype=np.int64), "dtype must be float32 or float64"),
        (dict(seed=-1), "seed"),
    ],
)
def test_bad_input_raises(kwargs, match):
    args = dict(T=20, seed=0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        calcium_movie(**args)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(same=False, n_drivers=0), "needs a driver edge"),
        (dict(same=False, changed_weight=0.3), "equals coupling"),
        (dict(same=False, changed_weight=-0.1), "changed_weight must be >= 0"),
        (dict(same="no"), "same must be True or False"),
        (dict(K=1), "K must be >= 2"),
    ],
)
def test_movie_pair_bad_input_raises(kwargs, match):
    args = dict(T=20, seed=0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        movie_pair(**args)


# ----------------------------------------------------------------------------- rerecord
def test_rerecord_images_the_same_unit_with_new_activity():
    sim = calcium_movie(T=150, seed=4)
    again = rerecord(sim, seed=5)
    for name in ("footprints", "centres", "background", "coef", "graph"):
        np.testing.assert_array_equal(getattr(again, name), getattr(sim, name))
    assert again.movie.shape == sim.movie.shape and again.noise == sim.noise
    assert not np.array_equal(again.spikes, sim.spikes)
    x = again.factors  # the VAR holds exactly in the new recording too
    np.testing.assert_allclose(x[1:], x[:-1] @ sim.coef + again.spikes[1:])
    resid = again.movie - again.background - np.tensordot(x, again.footprints, axes=1)
    assert abs(resid.std() - sim.noise) < 0.01
    np.testing.assert_array_equal(rerecord(sim, seed=5).movie, again.movie)  # seeded
    assert rerecord(sim, T=40, seed=0, dtype=np.float32).movie.dtype == np.float32


def test_rerecord_with_new_coef_changes_only_the_dynamics():
    sim = calcium_movie(T=150, seed=4)
    i, j = sim.edges[0]
    coef = sim.coef.copy()
    coef[i, j] = 0.0
    changed = rerecord(sim, T=80, seed=1, coef=coef)
    assert (i, j) not in changed.edges and changed.movie.shape == (80, 32, 32)
    np.testing.assert_allclose(changed.factors[1:], changed.factors[:-1] @ coef + changed.spikes[1:])
    np.testing.assert_array_equal(changed.footprints, sim.footprints)
    assert sim.coef[i, j] == 0.3  # the unit itself is not modified


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(T=1), "T must be >= 2"),
        (dict(coef=np.eye(3) * 0.5), "shape \\(4, 4\\)"),
        (dict(coef=-np.eye(4) * 0.5), "non-negative"),
        (dict(coef=np.full((4, 4), np.nan)), "finite"),
        (dict(coef=np.eye(4) * 1.2), "spectral radius 1.2"),
        (dict(dtype=np.int32), "dtype must be float32 or float64"),
    ],
)
def test_rerecord_bad_input_raises(kwargs, match):
    sim = calcium_movie(T=20, seed=0)
    with pytest.raises(ValueError, match=match):
        rerecord(sim, **kwargs)
    with pytest.raises(ValueError, match="unit must be a CalciumMovie"):
        rerecord(sim.movie)
