"""Tests for gcbook.imaging: the sparse-VAR autoencoder and its evaluation helpers."""

import numpy as np
import pytest
import torch
from scipy import stats

from gcbook import imaging
from gcbook.imaging import (
    SparseVARAutoencoder,
    aligned_coef,
    driver_auroc,
    footprint_correlation,
    match_factors,
    two_recording_test,
)
from gcbook.simulate import calcium_movie

pytestmark = pytest.mark.usefixtures("torch_one_thread")


@pytest.fixture(scope="module")
def small_sim():
    return calcium_movie(T=200, K=3, size=16, n_drivers=1, seed=0, footprint_width=2.0)


@pytest.fixture(scope="module")
def small_fit(small_sim):
    return SparseVARAutoencoder(n_factors=3, epochs=20, seed=0).fit(small_sim.movie)


# ------------------------------------------------------------------ estimator: shapes and API
def test_shapes_and_attributes(small_sim, small_fit):
    m = small_fit
    T, H, W = small_sim.movie.shape
    assert m.coef_.shape == (1, 3, 3)
    assert m.intercept_.shape == (3,)
    assert m.factors_.shape == (T, 3)
    assert m.static_.shape == (H, W)
    assert m.footprints_.shape == (3, H, W)
    assert len(m.loss_history_.total) == 20 and np.all(np.isfinite(m.loss_history_.total))
    assert m.fit_seconds_ > 0
    np.testing.assert_allclose(m.factors_.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(m.factors_.std(0), 1, atol=1e-4)
    np.testing.assert_allclose(m.transform(small_sim.movie), m.factors_, atol=1e-5)
    assert m.reconstruct(small_sim.movie[:7]).shape == (7, H, W)
    maps = m.contribution_maps(small_sim.movie[:30])
    assert maps.shape == (3, H, W) and np.all(maps >= 0) and np.all(maps.sum((1, 2)) > 0)
    assert "SparseVARAutoencoder(n_factors=3" in repr(m)


def test_contribution_maps_match_autograd_loop(small_sim, small_fit):
    """The vmap/jacrev maps equal a plain loop of K backward passes."""
    m, movie = small_fit, small_sim.movie[:5]
    frames = torch.as_tensor(movie / m.pixel_scale_, dtype=torch.float32).requires_grad_()
    h = m.model_.encode(frames)
    expected = []
    for k in range(3):
        (g,) = torch.autograd.grad(h[:, k].sum(), frames, retain_graph=True)
        expected.append(g.abs().mean(0).numpy() / (m.latent_std_[k] * m.pixel_scale_))
    np.testing.assert_allclose(m.contribution_maps(movie), np.stack(expected), rtol=1e-4, atol=1e-8)


def test_two_stage_coef_is_lasso_var_of_factors(small_sim):
    from gcbook.sparse_var import lasso_var

    m = SparseVARAutoencoder(n_factors=3, epochs=10, mode="two_stage", alpha=0.02, seed=1).fit(small_sim.movie)
    fit = lasso_var(m.factors_, 1, 0.02)
    np.testing.assert_allclose(m.coef_, fit.coef_by_lag.transpose(2, 0, 1), atol=1e-10)


def test_set_params_and_lag2(small_sim):
    m = SparseVARAutoencoder(n_factors=2, epochs=5, seed=0).set_params(lag=2)
    m.fit(small_sim.movie)
    assert m.coef_.shape == (2, 2, 2)
    with pytest.raises(ValueError, match="no parameter"):
        m.set_params(hidden=3)


# ------------------------------------------------------------------ seeding
def test_same_seed_same_result_and_global_rng_untouched(small_sim):
    state = torch.random.get_rng_state()
    a = SparseVARAutoencoder(n_factors=3, epochs=8, seed=3).fit(small_sim.movie)
    assert torch.equal(torch.random.get_rng_state(), state)
    b = SparseVARAutoencoder(n_factors=3, epochs=8, seed=3).fit(small_sim.movie)
    c = SparseVARAutoencoder(n_factors=3, epochs=8, seed=4).fit(small_sim.movie)
    np.testing.assert_array_equal(a.factors_, b.factors_)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(a.loss_history_.total, b.loss_history_.total)
    assert not np.array_equal(a.factors_, c.factors_)


# ------------------------------------------------------------------ skip connection
def test_skip_connection_carries_the_static_image():
    sim = calcium_movie(T=300, K=3, size=16, n_drivers=1, seed=2, footprint_width=2.0, background=20.0)
    bg = sim.background + 5.0 * np.sin(np.arange(16) / 3.0)[:, None]  # strong, non-constant background
    movie = sim.movie - sim.background + bg
    m = SparseVARAutoencoder(n_factors=3, epochs=60, seed=0).fit(movie)
    target = bg + np.einsum("tk,khw->hw", sim.factors, sim.footprints) / len(movie)
    assert np.abs(m.static_ - target).max() < 0.05 * np.abs(bg).max()
    with torch.no_grad():
        mean_latent = torch.as_tensor(m.latent_mean_, dtype=torch.float32)[None]
        dynamic = m.model_.decode_dynamic(mean_latent).numpy()[0] * m.pixel_scale_
    assert np.abs(dynamic).max() < 0.05 * np.abs(bg).max()
    # the reconstruction is far better than the static image alone
    resid = ((m.reconstruct(movie) - movie) ** 2).mean()
    static_only = ((movie - m.static_) ** 2).mean()
    assert resid < 0.5 * static_only


# ------------------------------------------------------------------ gradients through the lasso
def test_end_to_end_gradient_reaches_encoder_through_lasso(small_sim, small_fit):
    m = small_fit
    frames = torch.as_tensor(small_sim.movie / m.pixel_scale_, dtype=torch.float32)
    params = list(m.model_.enc1.parameters())

    def var_grad(detach_coef):
        _, var_loss, _ = m._losses(frames, detach_coef=detach_coef)
        return torch.autograd.grad(var_loss, params)[0]

    full, direct = var_grad(False), var_grad(True)
    assert full.abs().max() > 0  # the VAR term alone moves the encoder
    # ... and part of that gradient flows through the lasso solution itself
    assert (full - direct).abs().max() > 1e-6 * full.abs().max()


def test_history_two_stage_objective_is_reconstruction(small_sim):
    m = SparseVARAutoencoder(n_factors=3, epochs=5, mode="two_stage", seed=0).fit(small_sim.movie)
    np.testing.assert_array_equal(m.loss_history_.total, m.loss_history_.recon)
    e = SparseVARAutoencoder(n_factors=3, epochs=5, var_weight=0.5, seed=0).fit(small_sim.movie)
    np.testing.assert_allclose(e.loss_history_.total, e.loss_history_.recon + 0.5 * e.loss_history_.var, rtol=1e-5)


# ------------------------------------------------------------------ recovery on a simulated movie
def test_footprints_recovered_on_calcium_movie():
    """Two-stage fit of a small movie: the matched footprints beat chance clearly.

    Latents of an autoencoder are identified only up to an invertible map, so a
    one-to-one recovery of the cells is not guaranteed. In development this fit gave
    matched absolute correlations of about (0.70, 0.71, 0.48); footprints of unrelated
    blobs correlate at about 0.1. The bounds below leave room for rounding across machines.
    """
    sim = calcium_movie(T=400, K=3, size=24, n_drivers=1, seed=0)
    m = SparseVARAutoencoder(n_factors=3, epochs=150, mode="two_stage", seed=0).fit(sim.movie)
    perm = match_factors(sim.footprints, m.footprints_)
    r = footprint_correlation(sim.footprints, m.footprints_)[np.arange(3), perm]
    assert r.mean() > 0.5 and r.max() > 0.6, r


# ------------------------------------------------------------------ matching helpers
def test_match_factors_recovers_known_permutation():
    rng = np.random.default_rng(0)
    F = rng.random((5, 8, 8))
    order = np.array([3, 0, 4, 1, 2])  # est[l] = true[order[l]]
    est = F[order] * np.array([1, -1, 2, 1, -0.5])[:, None, None] + 0.01 * rng.standard_normal((5, 8, 8))
    perm = match_factors(F, est)
    np.testing.assert_array_equal(F.reshape(5, -1), F[order][perm].reshape(5, -1))
    np.testing.assert_array_equal(order[perm], np.arange(5))
    # more estimated factors than true ones
    perm2 = match_factors(F[:3], est)
    np.testing.assert_array_equal(order[perm2], np.arange(3))


def test_aligned_coef_orientation_and_driver_auroc():
    true_coef = np.array([[0.9, 0.3, 0.0], [0.0, 0.9, 0.0], [0.0, 0.0, 0.9]])  # 0 -> 1
    graph = (np.abs(true_coef) > 0).astype(int)
    order = np.array([2, 0, 1])  # estimated latent l is true factor order[l]
    est = true_coef[np.ix_(order, order)][None]  # est[0, a, b] = true[order[a], order[b]]
    perm = np.argsort(order)  # perm[k] = estimated latent of true factor k
    back = aligned_coef(est, perm)
    np.testing.assert_array_equal(back[0], true_coef)
    assert driver_auroc(graph, back) == 1.0
    assert driver_auroc(graph, -back) == 1.0  # sign of a latent is not identified
    assert driver_auroc(graph, back.transpose(0, 2, 1)) < 0.5  # the cause is the row
    with pytest.raises(ValueError, match="distinct"):
        aligned_coef(est, [0, 0, 1])
    with pytest.raises(ValueError, match="shape"):
        aligned_coef(est[0], perm)


# ------------------------------------------------------------------ two-recording test
def _simulate_var1(B, T, n, rng, burn_in=50):
    """``n`` independent Gaussian VAR(1) series ``z(t) = z(t-1) @ B + e(t)``, shape (n, T, K)."""
    K = B.shape[0]
    z = np.zeros((n, K))
    out = np.empty((n, T, K))
    e = rng.standard_normal((T + burn_in, n, K))
    for t in range(T + burn_in):
        z = z @ B + e[t]
        if t >= burn_in:
            out[:, t - burn_in] = z
    return out


B_NULL = np.array([[0.5, 0.3, 0.0], [0.0, 0.4, 0.0], [0.0, -0.2, 0.6]])


def test_two_recording_test_chi2_size():
    rng = np.random.default_rng(12)
    n_pairs, T = 1000, 200  # about 0.06 s per 100 pairs; 1000 pairs keep the Monte Carlo error near 0.007
    a, b = _simulate_var1(B_NULL, T, n_pairs, rng), _simulate_var1(B_NULL, T, n_pairs, rng)
    p = np.array([two_recording_test(a[i] + 1.0, b[i] + 1.0, method="chi2").p_value for i in range(n_pairs)])
    rate = np.mean(p < 0.05)
    assert 0.02 <= rate <= 0.08, rate
    res = two_recording_test(a[0], b[0], method="chi2")
    assert res.df == 3 * (3 + 1) and res.method == "chi2" and res.n_permutations == 0
    assert "TwoRecordingResult(" in repr(res) and "method='chi2'" in repr(res)


def test_two_recording_test_chi2_matches_plain_least_squares():
    """The statistic from cross-products equals the textbook one from residual matrices."""
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((80, 2)), rng.standard_normal((90, 2))

    def design(X):
        return np.column_stack([np.ones(len(X) - 1), X[:-1]]), X[1:]

    def resid(Z, Y):
        return Y - Z @ np.linalg.lstsq(Z, Y, rcond=None)[0]

    (Za, Ya), (Zb, Yb) = design(a), design(b)
    Eu = np.vstack([resid(Za, Ya), resid(Zb, Yb)])
    Er = resid(np.vstack([Za, Zb]), np.vstack([Ya, Yb]))
    n, m = len(Er), 2 * 3
    expected = (n - m) * (np.linalg.slogdet(Er.T @ Er / n)[1] - np.linalg.slogdet(Eu.T @ Eu / n)[1])
    res = two_recording_test(a, b, method="chi2")
    assert res.statistic == pytest.approx(expected, rel=1e-10)
    assert res.p_value == pytest.approx(stats.chi2.sf(expected, 6), rel=1e-9)


def _spiky_var1(B, T, n, rng, burn_in=200):
    """``n`` VAR(1) series driven by sparse exponential spikes (calcium-like), shape (n, T, K)."""
    K = B.shape[0]
    spikes = (rng.random((T + burn_in, n, K)) < 0.05) * rng.exponential(1.0, (T + burn_in, n, K))
    z = np.zeros((n, K))
    out = np.empty((n, T, K))
    for t in range(T + burn_in):
        z = z @ B + spikes[t]
        if t >= burn_in:
            out[:, t - burn_in] = z
    return out


B_SPIKY = np.array([[0.9, 0.3, 0.0], [0.0, 0.9, 0.0], [0.0, 0.3, 0.9]])


def test_two_recording_test_permutation_size_on_spiky_series():
    rng = np.random.default_rng(21)
    n_pairs, T = 400, 300
    a, b = _spiky_var1(B_SPIKY, T, n_pairs, rng), _spiky_var1(B_SPIKY, T, n_pairs, rng)
    p = np.array([two_recording_test(a[i], b[i], seed=i).p_value for i in range(n_pairs)])
    rate = np.mean(p < 0.05)
    assert 0.02 <= rate <= 0.08, rate
    # permutation p-values are multiples of 1/(n_permutations + 1) and never 0
    assert np.all(p >= 1 / 1000) and np.allclose(p * 1000, np.round(p * 1000))


def test_two_recording_test_permutation_power_seed_and_fields():
    rng = np.random.default_rng(22)
    B_alt = B_SPIKY.copy()
    B_alt[0, 1] = 0.0  # the driver edge 0 -> 1 is lost in the second recording
    a, b = _spiky_var1(B_SPIKY, 600, 40, rng), _spiky_var1(B_alt, 600, 40, rng)
    p = np.array([two_recording_test(a[i], b[i], seed=0, n_permutations=199).p_value for i in range(40)])
    assert np.mean(p < 0.05) > 0.9
    res = two_recording_test(a[0], b[0], seed=5, block_length=60, n_permutations=99)
    assert (res.method, res.n_permutations, res.block_length) == ("permutation", 99, 60)
    assert res == two_recording_test(a[0], b[0], seed=5, block_length=60, n_permutations=99)  # seeded
    assert "n_permutations=99, block_length=60" in repr(res)
    # the observed statistic uses the designs inside the blocks, so it differs from chi2's slightly
    chi2 = two_recording_test(a[0], b[0], method="chi2")
    assert res.statistic == pytest.approx(chi2.statistic, rel=0.2) and res.statistic != chi2.statistic


def test_two_recording_test_power():
    rng = np.random.default_rng(13)
    B_alt = B_NULL.copy()
    B_alt[0, 1] = -0.3  # the driver edge 0 -> 1 flips sign (removing it, a change of 0.3, gave power 0.82 here)
    a, b = _simulate_var1(B_NULL, 300, 50, rng), _simulate_var1(B_alt, 300, 50, rng)
    p = np.array([two_recording_test(a[i], b[i], method="chi2").p_value for i in range(50)])
    assert np.mean(p < 0.05) > 0.9


def test_two_recording_test_lag2_and_bad_input():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((100, 3)), rng.standard_normal((120, 3))
    assert two_recording_test(a, b, lag=2, seed=0).df == 3 * (3 * 2 + 1)
    with pytest.raises(ValueError, match="must match"):
        two_recording_test(a, b[:, :2])
    with pytest.raises(ValueError, match="NaN"):
        two_recording_test(np.where(a > 2, np.nan, a), b)
    with pytest.raises(ValueError, match="rows"):
        two_recording_test(a[:5], b)
    with pytest.raises(ValueError, match="method must be one of"):
        two_recording_test(a, b, method="bootstrap")
    with pytest.raises(ValueError, match="fewer than 2 blocks"):
        two_recording_test(a, b, block_length=60)
    with pytest.raises(ValueError, match="block_length must be >= 6"):
        two_recording_test(a, b, block_length=5)  # a block must hold more equations than parameters
    with pytest.raises(ValueError, match="n_permutations must be >= 19"):
        two_recording_test(a, b, n_permutations=10)
    with pytest.raises(ValueError, match="seed"):
        two_recording_test(a, b, seed=-3)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_factors": 1}, "n_factors"),
        ({"mode": "joint"}, "mode"),
        ({"alpha": -0.1}, "alpha"),
        ({"var_weight": -1.0}, "var_weight"),
        ({"lr": 0.0}, "lr"),
        ({"epochs": 0}, "epochs"),
        ({"lag": 0}, "lag"),
        ({"device": "tpu"}, "device"),
    ],
)
def test_bad_parameters_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SparseVARAutoencoder(**kwargs)


def test_bad_movies_raise(small_sim):
    movie = small_sim.movie
    model = SparseVARAutoencoder(n_factors=3, epochs=1)
    with pytest.raises(ValueError, match="multiples of 4"):
        model.fit(movie[:, :15, :16])
    with pytest.raises(ValueError, match="3-D"):
        model.fit(movie[0])
    bad = movie.copy()
    bad[5, 2, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        model.fit(bad)
    with pytest.raises(ValueError, match="constant in time"):
        model.fit(np.ones((50, 16, 16)))
    with pytest.raises(ValueError, match="frames"):
        model.fit(movie[:5])
    with pytest.raises(ValueError, match="not fitted"):
        model.transform(movie)
    with pytest.raises(ValueError, match="not fitted"):
        model.contribution_maps(movie)


def test_wrong_frame_size_after_fit(small_fit):
    with pytest.raises(ValueError, match="fitted on"):
        small_fit.transform(np.zeros((10, 8, 8)))


def test_module_exports():
    for name in imaging.__all__:
        assert hasattr(imaging, name)
    assert imaging.TestResult is imaging.TwoRecordingResult
