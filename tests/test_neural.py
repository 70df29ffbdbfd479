"""gcbook.neural: exact Jacobians, the book's orientation, reproducible and validated fits."""

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from gcbook._base import NotFittedError
from gcbook.neural import (
    CMLP,
    GRNGC,
    KANForecaster,
    KANLayer,
    LambdaPath,
    LSTMForecaster,
    MLPForecaster,
    NeuralGCResult,
    TrainingHistory,
    input_jacobian,
    jacobian_scores,
    lagged_windows,
    lambda_path,
    mlp_jacobian,
)

CUDA = torch.cuda.is_available()
FAST = dict(lam=0.01, epochs=30, check_every=5, lr=1e-2)  # one fit at a fixed penalty


pytestmark = pytest.mark.usefixtures("torch_one_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def lag2_system():
    """x0 -> x1 at lag 2 only (x1(t) = 0.9 x0(t-2) + noise); x0 and x2 are white noise."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 3))
    X[2:, 1] += 0.9 * X[:-2, 0]
    return X


@pytest.fixture(scope="module")
def noise():
    return np.random.default_rng(1).standard_normal((160, 3))


def largest_off_diagonal(S):
    off = np.where(np.eye(len(S), dtype=bool), -np.inf, S)
    return np.unravel_index(np.argmax(off), S.shape)


def flat_linear(p, lag, p_out):
    lin = nn.Linear(p * lag, p_out)
    return lin, (lambda x: lin(x.reshape(len(x), -1)))


class TanhMLP(nn.Module):
    """One hidden tanh layer on the flattened window, with a closed-form Jacobian."""

    def __init__(self, p, lag, hidden):
        super().__init__()
        self.inner = nn.Linear(p * lag, hidden)
        self.outer = nn.Linear(hidden, p)

    def forward(self, x):
        return self.outer(torch.tanh(self.inner(x.reshape(len(x), -1))))

    def closed_form_jacobian(self, x):
        """``J = W2 diag(1 - tanh^2(W1 x + b1)) W1`` per sample, shape (n, p, lag, p)."""
        n, lag, p = x.shape
        slope = 1 - torch.tanh(self.inner(x.reshape(n, -1))) ** 2
        J = torch.einsum("jh,nh,hc->njc", self.outer.weight, slope, self.inner.weight)
        return J.reshape(n, -1, lag, p)


# ----------------------------------------------------------------------------- lagged_windows


def test_lagged_windows_indexing():
    X = np.random.default_rng(0).standard_normal((11, 3))
    lag = 4
    inputs, targets = lagged_windows(X, lag)
    assert inputs.shape == (7, lag, 3) and targets.shape == (7, 3)
    m, k, i = np.meshgrid(np.arange(7), np.arange(1, lag + 1), np.arange(3), indexing="ij")
    np.testing.assert_array_equal(inputs[m, k - 1, i], X[lag + m - k, i])
    np.testing.assert_array_equal(targets, X[lag:])


def test_flattened_window_is_lag_major():
    X = np.random.default_rng(0).standard_normal((9, 3))
    lag, p = 3, 3
    flat = lagged_windows(X, lag)[0].reshape(9 - lag, -1)
    for k in range(lag):
        for i in range(p):
            np.testing.assert_array_equal(flat[:, k * p + i], X[lag - k - 1 : 9 - k - 1, i])


@pytest.mark.parametrize(
    "X, lag, match",
    [(np.arange(5.0), 1, "2-D"), (np.ones((4, 2)), 4, "too short"), (np.ones((4, 2)), 0, ">= 1")],
)
def test_lagged_windows_rejects_bad_input(X, lag, match):
    with pytest.raises(ValueError, match=match):
        lagged_windows(X, lag)


# ----------------------------------------------------------------------------- input_jacobian


def test_jacobian_of_linear_forecaster_is_its_weight_matrix():
    torch.manual_seed(0)
    p, lag, p_out = 3, 2, 4
    lin, model = flat_linear(p, lag, p_out)
    J = input_jacobian(model, torch.randn(5, lag, p))
    assert J.shape == (5, p_out, lag, p)
    W = lin.weight.detach()
    for j, k, i in [(0, 0, 0), (3, 1, 2), (1, 1, 0), (2, 0, 1)]:
        assert torch.equal(J[:, j, k, i], W[j, k * p + i].expand(5))
    assert torch.equal(J, W.reshape(p_out, lag, p).expand(5, -1, -1, -1))


def test_jacobian_of_tanh_mlp_matches_closed_form():
    torch.manual_seed(0)
    model = TanhMLP(p=3, lag=4, hidden=7).double()
    x = torch.randn(6, 4, 3, dtype=torch.float64)
    torch.testing.assert_close(input_jacobian(model, x), model.closed_form_jacobian(x).detach(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "build",
    [
        lambda p, lag: MLPForecaster(p, lag, (6, 5)),
        lambda p, lag: LSTMForecaster(p, lag, 5),
        lambda p, lag: KANForecaster(p, lag, 4),
    ],
    ids=["mlp", "lstm", "kan"],
)
def test_jacobian_of_forecasters_matches_autograd_per_sample(build):
    torch.manual_seed(0)
    p, lag = 3, 4
    model = build(p, lag).double()
    x = torch.randn(5, lag, p, dtype=torch.float64)
    J = input_jacobian(model, x)
    for m in range(len(x)):
        reference = torch.autograd.functional.jacobian(lambda z: model(z[None])[0], x[m])
        torch.testing.assert_close(J[m], reference, rtol=1e-10, atol=1e-12)


def test_create_graph_keeps_or_drops_the_graph():
    torch.manual_seed(0)
    model = TanhMLP(p=2, lag=2, hidden=3)
    x = torch.randn(4, 2, 2)
    assert not input_jacobian(model, x).requires_grad
    assert input_jacobian(model, x, create_graph=True).requires_grad


def test_penalty_gradient_of_linear_forecaster_is_sign_of_weights():
    torch.manual_seed(0)
    lin, model = flat_linear(3, 2, 3)
    penalty = input_jacobian(model, torch.randn(8, 2, 3), create_graph=True).abs().mean(0).sum()
    penalty.backward()
    assert torch.equal(lin.weight.grad, torch.sign(lin.weight.detach()))
    assert lin.bias.grad is None or not lin.bias.grad.any()


def test_penalty_gradient_of_tanh_mlp_matches_closed_form():
    torch.manual_seed(0)
    model = TanhMLP(p=3, lag=2, hidden=5).double()
    x = torch.randn(7, 2, 3, dtype=torch.float64)
    params = [model.inner.weight, model.inner.bias, model.outer.weight]  # the output bias leaves J alone
    got = torch.autograd.grad(input_jacobian(model, x, create_graph=True).abs().mean(0).sum(), params)
    expected = torch.autograd.grad(model.closed_form_jacobian(x).abs().mean(0).sum(), params)
    for g, e in zip(got, expected):
        assert e.abs().sum() > 0
        torch.testing.assert_close(g, e, rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------- read-out


def test_jacobian_scores_put_the_cause_on_the_rows():
    n, p, lag = 6, 3, 2
    J = np.zeros((n, p, lag, p))
    J[:, 2, 1, 0] = [1.0, -2.0, 3.0, -4.0, 5.0, -6.0]  # d yhat_2 / d x_0(t-2), both signs
    S = jacobian_scores(J)
    assert S.shape == (p, p, lag)
    assert S[0, 2, 1] == pytest.approx(3.5)
    S[0, 2, 1] = 0.0
    assert not S.any()


def test_jacobian_scores_of_linear_forecaster_are_absolute_weights():
    torch.manual_seed(0)
    p, lag = 3, 2
    lin, model = flat_linear(p, lag, p)
    S = jacobian_scores(input_jacobian(model, torch.randn(4, lag, p)))
    W = lin.weight.detach().numpy()
    i, j, k = np.meshgrid(np.arange(p), np.arange(p), np.arange(lag), indexing="ij")
    np.testing.assert_allclose(S, np.abs(W[j, k * p + i]), rtol=1e-6)


def test_jacobian_scores_rejects_wrong_shape():
    with pytest.raises(ValueError, match=r"\(n, p, lag, p\)"):
        jacobian_scores(np.zeros((4, 3, 2, 2)))


def test_grngc_finds_lag_two_edge(lag2_system):
    est = GRNGC(lag=3, hidden=(16,), lam=0.01, epochs=80, lr=1e-2, seed=0).fit(lag2_system)
    assert est.scores_.shape == (3, 3) and est.scores_by_lag_.shape == (3, 3, 3)
    assert largest_off_diagonal(est.scores_) == (0, 1)
    assert est.scores_by_lag_[0, 1, 1] > est.scores_by_lag_[0, 1, 0]
    assert est.scores_by_lag_[0, 1, 1] > est.scores_by_lag_[0, 1, 2]
    np.testing.assert_allclose(jacobian_scores(est.jacobian(lag2_system)), est.scores_by_lag_, rtol=1e-5)


def test_cmlp_finds_lag_two_edge(lag2_system):
    est = CMLP(lag=3, hidden=10, lam=0.05, epochs=300, seed=0).fit(lag2_system)
    assert largest_off_diagonal(est.scores_) == (0, 1)
    assert est.scores_by_lag_[0, 1, 1] == est.scores_by_lag_[0, 1].max()
    np.testing.assert_allclose(est.scores_, np.sqrt((est.scores_by_lag_**2).sum(axis=2)))
    W = est.model_.weight_in.detach()  # (effect j, hidden, lag, cause i)
    assert est.scores_by_lag_[0, 1, 1] == pytest.approx(torch.linalg.vector_norm(W[1, :, 1, 0]).item(), rel=1e-6)
    assert est.scores_by_lag_[2, 0, 0] == pytest.approx(torch.linalg.vector_norm(W[0, :, 0, 2]).item(), rel=1e-6)


def test_cmlp_group_lasso_zeros_whole_groups(noise):
    est = CMLP(lag=2, hidden=5, lam=2.0, epochs=60, check_every=5, patience=100, seed=0).fit(noise)
    off = ~np.eye(3, dtype=bool)
    assert (est.scores_[off] == 0).all()
    assert (est.scores_by_lag_[off] == 0).all()


@pytest.mark.parametrize("aggregate, reduce", [("mean", np.mean), ("max", np.max)])
def test_lag_aggregate(noise, aggregate, reduce):
    est = GRNGC(lag=3, hidden=(6,), lag_aggregate=aggregate, seed=0, **FAST).fit(noise)
    np.testing.assert_array_equal(est.scores_, reduce(est.scores_by_lag_, axis=2))


# ----------------------------------------------------------------------------- KAN


def test_kan_basis_is_a_nonnegative_partition_of_unity_inside_the_grid():
    layer = KANLayer(2, 1, grid_size=5, spline_order=3, grid_range=(-3.0, 3.0))
    u = torch.linspace(-3.0, 3.0, 121)
    B = layer.basis(torch.stack([u, -u], dim=1))
    assert B.shape == (121, 2, 8)
    assert (B >= -1e-7).all()
    torch.testing.assert_close(B.sum(-1), torch.ones(121, 2), rtol=0, atol=1e-6)


def test_kan_basis_vanishes_far_outside_the_grid():
    layer = KANLayer(2, 3, grid_size=5, spline_order=3, grid_range=(-3.0, 3.0))
    far = torch.tensor([[-100.0, 100.0], [7.0, -6.7]])  # the knots end at +-6.6, three intervals past the grid
    assert not layer.basis(far).any()
    base = nn.functional.silu(far) @ layer.base_weight.T
    torch.testing.assert_close(layer(far), base)


# ----------------------------------------------------------------------------- seeding


def fit_three_times(make, X):
    """Fits with seed 0, seed 0 again and seed 1, checking that no global random state moves."""
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()[1].copy()
    fits = [make(seed).fit(X) for seed in (0, 0, 1)]
    assert torch.equal(torch.get_rng_state(), torch_state)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)
    return fits


def assert_same_fit(a, b):
    np.testing.assert_array_equal(a.scores_, b.scores_)
    np.testing.assert_array_equal(a.scores_by_lag_, b.scores_by_lag_)
    for field in ("epoch", "train_loss", "val_loss"):
        np.testing.assert_array_equal(getattr(a.loss_history_, field), getattr(b.loss_history_, field))
    assert a.val_loss_ == b.val_loss_


@pytest.mark.parametrize(
    "make",
    [
        lambda seed: GRNGC(lag=2, model="mlp", hidden=(6,), seed=seed, **FAST),
        lambda seed: GRNGC(lag=2, model="lstm", hidden=4, seed=seed, **FAST),
        lambda seed: GRNGC(lag=2, model="kan", hidden=3, seed=seed, **FAST),
        lambda seed: CMLP(lag=2, hidden=6, lam=0.002, epochs=30, check_every=5, seed=seed),
    ],
    ids=["grngc-mlp", "grngc-lstm", "grngc-kan", "cmlp"],
)
def test_seed_reproducible_and_local(noise, make):
    first, again, other = fit_three_times(make, noise)
    assert_same_fit(first, again)
    assert not np.array_equal(first.scores_, other.scores_)
    assert not np.array_equal(first.loss_history_.train_loss, other.loss_history_.train_loss)


def test_generator_seed_is_threaded(noise):
    a = GRNGC(lag=2, hidden=(4,), seed=np.random.default_rng(5), **FAST).fit(noise)
    b = GRNGC(lag=2, hidden=(4,), seed=np.random.default_rng(5), **FAST).fit(noise)
    assert_same_fit(a, b)


@pytest.mark.skipif(not CUDA, reason="needs a CUDA GPU")
def test_cpu_fit_leaves_cuda_rng_alone(noise):
    before = torch.cuda.get_rng_state()
    GRNGC(lag=2, hidden=(4,), seed=0, **FAST).fit(noise)
    assert torch.equal(torch.cuda.get_rng_state(), before)


# ----------------------------------------------------------------------------- units


def test_scores_do_not_depend_on_units_and_predict_is_in_original_units(lag2_system):
    scale, shift = np.array([1.0, 1.0, 1000.0]), np.array([0.0, 50.0, 0.0])
    X, X_units = lag2_system, lag2_system * scale + shift
    a = GRNGC(lag=2, hidden=(8,), lam=0.01, epochs=40, check_every=5, lr=1e-2, seed=0).fit(X)
    b = GRNGC(lag=2, hidden=(8,), lam=0.01, epochs=40, check_every=5, lr=1e-2, seed=0).fit(X_units)
    # Both fits see the same standardized series up to float64 rounding (~1e-14), far below
    # float32 resolution (~6e-8), so any difference is float32 noise carried through 40 Adam
    # steps; unstandardized, the 1000x column would change its scores by orders of magnitude.
    np.testing.assert_allclose(b.scores_by_lag_, a.scores_by_lag_, rtol=1e-4, atol=1e-6)
    pred_a, pred_b = a.predict(X), b.predict(X_units)
    assert pred_b.shape == (len(X) - 2, 3)
    np.testing.assert_allclose(pred_b, pred_a * scale + shift, rtol=1e-4, atol=1e-3)
    residual = pred_b[:, 2] - X_units[2:, 2]
    assert 300 < residual.std() < 3000  # forecast errors of white noise in the recorded units (sd 1000)
    assert np.mean((pred_a[:, 1] - X[2:, 1]) ** 2) < 0.8 * X[:, 1].var()


# ----------------------------------------------------------------------------- early stopping


def held_out_mse(est, X):
    """Validation MSE of the kept model, recomputed from predict() in standardized units."""
    n = len(X) - est.lag
    n_val = max(1, round(est.val_fraction * n))
    error = (est.predict(X) - X[est.lag :]) / est.std_
    return np.mean(error[-n_val:] ** 2)


def assert_consistent_history(est, X):
    h = est.loss_history_
    assert isinstance(h, TrainingHistory)
    assert len(h.epoch) == len(h.train_loss) == len(h.val_loss) and np.all(np.diff(h.epoch) > 0)
    assert h.best_epoch in h.epoch and h.best_epoch <= h.epoch[-1]
    assert h.val_loss[h.epoch == h.best_epoch][0] == h.val_loss.min() == est.val_loss_
    assert held_out_mse(est, X) == pytest.approx(est.val_loss_, rel=1e-4)
    assert h.stopped_early == (h.epoch[-1] < est.epochs)


def test_early_stopping_keeps_the_best_check(noise):
    est = GRNGC(lag=2, hidden=(32,), lam=0.0, epochs=400, check_every=5, patience=3, lr=3e-2, seed=0).fit(noise)
    h = est.loss_history_
    assert h.stopped_early and h.epoch[-1] == h.best_epoch + 3 * 5
    assert_consistent_history(est, noise)


def test_running_all_epochs(noise):
    est = CMLP(lag=2, hidden=5, lam=0.002, epochs=42, check_every=10, patience=100, seed=0).fit(noise)
    h = est.loss_history_
    assert not h.stopped_early and list(h.epoch) == [10, 20, 30, 40, 42]
    assert_consistent_history(est, noise)


def test_kept_epoch_has_the_lowest_validation_loss(noise):
    est = GRNGC(lag=2, hidden=(8,), lam=0.0, epochs=20, check_every=1, lr=1e-5, patience=30, seed=0).fit(noise)
    h = est.loss_history_
    assert h.val_loss[h.epoch == h.best_epoch][0] == h.val_loss.min() == est.val_loss_


def test_patience_running_out_at_the_last_epoch_is_not_early(noise):
    def make(patience):
        return CMLP(lag=2, hidden=5, lam=0.002, epochs=60, check_every=1, lr=0.05, patience=patience, seed=0)

    h = make(1000).fit(noise).loss_history_
    bad_checks = int(h.epoch[-1] - h.best_epoch)
    assert bad_checks > 0
    h = make(bad_checks).fit(noise).loss_history_
    assert h.epoch[-1] == 60 and not h.stopped_early


# ----------------------------------------------------------------------------- lambda path


def test_lambda_path(noise):
    est = GRNGC(lag=2, hidden=(6,), seed=0, **FAST)
    before = est.get_params()
    path = lambda_path(est, noise, [0.0, 0.05, 0.5])
    assert isinstance(path, LambdaPath)
    assert path.scores.shape == (3, 3, 3) and path.scores_by_lag.shape == (3, 3, 3, 2)
    assert path.val_loss.shape == path.fit_seconds.shape == path.lams.shape == (3,)
    assert path.selected == np.argmin(path.val_loss)
    np.testing.assert_array_equal(path.selected_scores, path.scores[path.selected])
    assert est.get_params() == before and not hasattr(est, "scores_")
    direct = GRNGC(lag=2, hidden=(6,), seed=0, **{**FAST, "lam": 0.5}).fit(noise)
    np.testing.assert_array_equal(path.scores[2], direct.scores_)
    off = ~np.eye(3, dtype=bool)
    assert path.scores[2][off].sum() < path.scores[0][off].sum()


def test_lambda_path_shares_one_initialization_without_seed(noise):
    path = lambda_path(GRNGC(lag=2, hidden=(4,), seed=None, **FAST), noise, [0.1, 0.1])
    np.testing.assert_array_equal(path.scores[0], path.scores[1])


@pytest.mark.parametrize("lams", [[], [-0.1], [[0.1, 0.2]], [np.nan], None])
def test_lambda_path_rejects_bad_lams(noise, lams):
    with pytest.raises(ValueError, match="lams"):
        lambda_path(GRNGC(lag=2), noise, lams)


def test_lambda_path_rejects_other_estimators(noise):
    with pytest.raises(ValueError, match="GRNGC or CMLP"):
        lambda_path(object(), noise, [0.1])


# ----------------------------------------------------------------------------- bad input


@pytest.fixture
def bad_X():
    X = np.random.default_rng(2).standard_normal((60, 3))
    nan = X.copy()
    nan[7, 1] = np.nan
    constant = X.copy()
    constant[:, 2] = 4.0
    return {"nan": nan, "1-D": X[:, 0], "p=1": X[:, :1], "constant": constant, "short": X[:6], "few windows": X[:14]}


@pytest.mark.parametrize("cls", [GRNGC, CMLP])
@pytest.mark.parametrize(
    "case, match",
    [
        ("nan", "NaN"),
        ("1-D", "2-D"),
        ("p=1", "at least 2 variables"),
        ("constant", "constant column"),
        ("short", "too short for lag=5"),
        ("few windows", "Too few windows"),
    ],
)
def test_bad_data_is_rejected(bad_X, cls, case, match):
    with pytest.raises(ValueError, match=match):
        cls(lag=5, epochs=1).fit(bad_X[case])


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(lag=0), "lag must be >= 1"),
        (dict(lag=1.5), "lag must be an int"),
        (dict(model="gru"), "model must be one of"),
        (dict(lag_aggregate="median"), "lag_aggregate must be one of"),
        (dict(lam=-0.1), "lam must be >= 0"),
        (dict(lr=0.0), "lr must be > 0"),
        (dict(val_fraction=0.9), "val_fraction must be <= 0.5"),
        (dict(val_fraction=0.0), "val_fraction must be > 0"),
        (dict(epochs=0), "epochs must be >= 1"),
        (dict(check_every=0), "check_every"),
        (dict(patience=0), "patience"),
        (dict(hidden=0), "hidden must be a positive int"),
        (dict(hidden=(0,)), "hidden must be a positive int"),
        (dict(hidden=()), "hidden must be a positive int"),
        (dict(model="lstm", hidden=0), "hidden must be >= 1"),
        (dict(model="kan", hidden=(4,)), "hidden must be an int"),
        (dict(device="tpu"), "device must be"),
        (dict(seed=1.5), "seed"),
        (dict(penalty_samples=0), "penalty_samples must be >= 1"),
        (dict(penalty_samples=2.5), "penalty_samples"),
    ],
)
def test_bad_grngc_parameters_are_rejected(noise, params, match):
    with pytest.raises(ValueError, match=match):
        GRNGC(**{"lag": 2, "epochs": 1, **params}).fit(noise)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(hidden=0), "hidden must be >= 1"),
        (dict(lam=-1.0), "lam must be >= 0"),
        (dict(lam_ridge=-1.0), "lam_ridge must be >= 0"),
        (dict(lr=-1.0), "lr must be > 0"),
        (dict(epochs=0), "epochs must be >= 1"),
        (dict(val_fraction=0.9), "val_fraction"),
    ],
)
def test_bad_cmlp_parameters_are_rejected(noise, params, match):
    with pytest.raises(ValueError, match=match):
        CMLP(**{"lag": 2, "epochs": 1, **params}).fit(noise)


@pytest.mark.skipif(CUDA, reason="a CUDA GPU is present")
@pytest.mark.parametrize("cls", [GRNGC, CMLP])
def test_cuda_without_gpu_is_rejected(noise, cls):
    with pytest.raises(ValueError, match="no CUDA GPU"):
        cls(lag=2, epochs=1, device="cuda").fit(noise)


@pytest.mark.parametrize("cls", [GRNGC, CMLP])
def test_use_before_fit_and_wrong_columns(noise, cls):
    est = cls(lag=2, epochs=5)
    with pytest.raises(ValueError, match="not fitted"):
        est.predict(noise)
    est.fit(noise)
    with pytest.raises(ValueError, match="fitted on 3"):
        est.predict(noise[:, :2])
    with pytest.raises(ValueError, match="no parameter 'alpha'"):
        est.set_params(alpha=1.0)


def test_jacobian_before_fit_is_rejected(noise):
    with pytest.raises(ValueError, match="not fitted"):
        GRNGC(lag=2).jacobian(noise)


def test_failed_fit_leaves_global_rng_alone(noise):
    state = torch.get_rng_state()
    with pytest.raises(ValueError):
        GRNGC(lag=2, hidden=0, epochs=1, seed=3).fit(noise)
    assert torch.equal(torch.get_rng_state(), state)


def test_failed_refit_keeps_the_fitted_model_usable(noise):
    est = GRNGC(lag=2, hidden=(4,), seed=0, **FAST).fit(noise)
    before = est.predict(noise)
    with pytest.raises(ValueError):
        est.set_params(hidden=0).fit(noise * 10 + 5)
    np.testing.assert_array_equal(est.predict(noise), before)


def test_negative_seed_is_rejected(noise):
    with pytest.raises(ValueError, match="seed"):
        GRNGC(lag=2, hidden=(4,), seed=-1, epochs=1).fit(noise)


# ----------------------------------------------------------------------------- GPU


@pytest.mark.skipif(not CUDA, reason="needs a CUDA GPU")
@pytest.mark.parametrize(
    "est",
    [
        GRNGC(lag=2, model="mlp", hidden=(8,), device="cuda", seed=0, **FAST),
        GRNGC(lag=2, model="lstm", hidden=4, device="cuda", seed=0, **FAST),
        CMLP(lag=2, hidden=8, lam=0.002, epochs=30, device="cuda", seed=0),
    ],
    ids=["grngc-mlp", "grngc-lstm", "cmlp"],
)
def test_fit_on_gpu(noise, est):
    est.fit(noise)
    assert next(est.model_.parameters()).is_cuda
    assert np.isfinite(est.scores_).all() and np.isfinite(est.scores_by_lag_).all()
    assert est.predict(noise).shape == (len(noise) - 2, 3)


def test_penalty_samples_at_least_n_is_the_exact_penalty(noise):
    exact = GRNGC(lag=2, hidden=(8,), penalty_samples=None, seed=0, **FAST).fit(noise)
    capped = GRNGC(lag=2, hidden=(8,), penalty_samples=10**6, seed=0, **FAST).fit(noise)
    assert np.array_equal(exact.scores_, capped.scores_)
    assert np.array_equal(exact.loss_history_.train_loss, capped.loss_history_.train_loss)


def test_subsampled_penalty_is_seeded_and_differs_from_exact(noise):
    fits = [GRNGC(lag=2, hidden=(8,), penalty_samples=16, seed=0, **FAST).fit(noise) for _ in range(2)]
    assert np.array_equal(fits[0].scores_, fits[1].scores_)
    exact = GRNGC(lag=2, hidden=(8,), penalty_samples=None, seed=0, **FAST).fit(noise)
    assert not np.array_equal(exact.loss_history_.train_loss, fits[0].loss_history_.train_loss)


def test_verbose_shows_a_progress_bar_and_quiet_does_not(noise, capsys):
    GRNGC(lag=2, hidden=(4,), seed=0, verbose=True, **FAST).fit(noise)
    assert "GRNGC" in capsys.readouterr().err
    CMLP(lag=2, hidden=4, seed=0, **FAST).fit(noise)
    assert capsys.readouterr().err == ""


# ----------------------------------------------------------------------------- result_


@pytest.mark.parametrize(
    "make, method",
    [
        (lambda: GRNGC(lag=3, hidden=(8,), seed=0, **FAST), "grngc_mlp"),
        (lambda: CMLP(lag=3, hidden=6, seed=0, **{**FAST, "lam": 0.002}), "cmlp"),
    ],
    ids=["grngc", "cmlp"],
)
def test_result_is_the_fitted_scores(lag2_system, make, method):
    """result_ carries the fitted arrays themselves, the DataFrame's names in the scores' orientation, the
    method and the penalty; it has no decision rule, so adjacency needs a threshold."""
    frame = pd.DataFrame(lag2_system, columns=["a", "b", "c"])
    est = make()
    with pytest.raises(NotFittedError, match="not fitted"):
        _ = est.result_
    assert not hasattr(est, "result_")
    est.fit(frame)
    res = est.result_
    assert isinstance(res, NeuralGCResult) and res.method == method and res.labels == ("a", "b", "c")
    np.testing.assert_array_equal(res.scores, est.scores_)
    np.testing.assert_array_equal(res.scores_by_lag, est.scores_by_lag_)
    assert res.scores_by_lag.shape == (3, 3, 3) and res.lam == est.lam_ and isinstance(res.lam, float)
    # the table names each pair as the scores index it: row "a" -> "b" is scores[0, 1], never scores[1, 0]
    table = res.to_frame().set_index(["cause", "effect"])
    assert list(table.columns) == ["score"]  # no decision rule: no edge column
    assert table.loc[("a", "b"), "score"] == est.scores_[0, 1]
    assert table.loc[("c", "a"), "score"] == est.scores_[2, 0]
    by_lag = res.to_frame(by_lag=True).set_index(["cause", "effect", "lag"])
    assert by_lag.loc[("a", "b", 2), "score"] == est.scores_by_lag_[0, 1, 1]
    # adjacency: only with a threshold, then the scores above it (diagonal included)
    assert res.has_default_adjacency is False
    with pytest.raises(ValueError, match="no decision rule of its own.*threshold"):
        res.adjacency()
    for bad in (-0.1, np.nan, "high"):
        with pytest.raises(ValueError, match="threshold"):
            res.adjacency(threshold=bad)
    cut = float(np.median(est.scores_))
    A = res.adjacency(threshold=cut)
    assert A.dtype.kind == "i" and 0 < A.sum() < 9
    np.testing.assert_array_equal(A, (est.scores_ > cut).astype(int))
    with pytest.raises(TypeError, match="result.scores"):
        np.asarray(res)
    assert repr(res).startswith(f"NeuralGCResult(method='{method}', p=3, lag=3,")


def test_result_labels_of_an_array_and_the_method_of_each_forecaster(noise):
    """The method names the forecaster that was fitted, even after set_params changes ``model``."""
    for model in ("lstm", "kan"):
        est = GRNGC(lag=2, model=model, hidden=4, seed=0, **{**FAST, "epochs": 5}).fit(noise)
        assert est.result_.method == f"grngc_{model}" and est.result_.labels == ("x0", "x1", "x2")
    est.set_params(model="mlp")
    assert est.result_.method == "grngc_kan"


def test_threshold_zero_keeps_exactly_the_nonzero_scores():
    """adjacency(threshold) is scores > threshold: 0 keeps every nonzero score (CMLP's exact zeros drop)."""
    scores = np.array([[0.5, 0.0, 0.2], [0.0, 0.1, 0.0], [0.3, 0.0, 0.0]])
    res = NeuralGCResult(scores=scores, scores_by_lag=scores[:, :, None], method="cmlp", lam=0.1)
    assert res.labels == ("x0", "x1", "x2")
    assert res.adjacency(threshold=0).tolist() == [[1, 0, 1], [0, 1, 0], [1, 0, 0]]
    assert res.adjacency(threshold=0.2).tolist() == [[1, 0, 0], [0, 0, 0], [1, 0, 0]]  # strictly above
    assert res.to_frame().columns.tolist() == ["cause", "effect", "score"]


def test_cmlp_threshold_zero_is_the_support_the_group_lasso_kept(noise):
    est = CMLP(lag=2, hidden=5, lam=0.3, epochs=60, check_every=5, patience=100, seed=0).fit(noise)
    kept = (np.abs(est.model_.weight_in.detach().numpy()).sum(axis=(1, 2)) > 0).T  # [j, i] -> [i, j]
    np.testing.assert_array_equal(est.result_.adjacency(threshold=0), kept.astype(int))


# ----------------------------------------------------------------------------- lam="auto"


@pytest.fixture(scope="module")
def var1_chain():
    """x0 -> x1 -> x2 at lag 1 with strong coefficients, every series also driven by its own past."""
    rng = np.random.default_rng(0)
    W = np.array([[0.5, 0.7, 0.0], [0.0, 0.5, 0.7], [0.0, 0.0, 0.5]])  # W[i, j]: x_i(t-1) -> x_j(t)
    X = np.zeros((300, 3))
    for t in range(1, len(X)):
        X[t] = X[t - 1] @ W + rng.standard_normal(3)
    return X, (W != 0).astype(int)


AUTO_GRNGC = dict(lag=1, hidden=(8,), lam="auto", epochs=60, check_every=5, lr=1e-2, seed=0)
AUTO_CMLP = dict(lag=1, hidden=6, lam="auto", epochs=60, check_every=5, seed=0)
PATH_ATTRIBUTES = ("lam_path_", "lam_path_val_loss_", "lam_path_scores_", "lam_path_extended_")


@pytest.mark.parametrize(
    "make",
    [
        lambda: GRNGC(lag=2, hidden=(6,), seed=0, **FAST),
        lambda: CMLP(lag=2, hidden=6, seed=0, **{**FAST, "lam": 0.002}),
    ],
    ids=["grngc", "cmlp"],
)
def test_numeric_lam_is_a_single_fit_without_a_path(noise, make):
    first, again = make().fit(noise), make().fit(noise)
    np.testing.assert_array_equal(first.scores_, again.scores_)
    assert first.val_loss_ == again.val_loss_
    assert first.lam_ == first.lam and isinstance(first.lam_, float)
    assert not any(hasattr(first, name) for name in PATH_ATTRIBUTES)


def test_numeric_refit_after_auto_drops_the_path(var1_chain):
    X, _ = var1_chain
    est = GRNGC(**AUTO_GRNGC).fit(X)
    assert all(hasattr(est, name) for name in PATH_ATTRIBUTES)
    assert est.result_.lam == est.lam_ and est.lam_ in est.lam_path_  # the chosen penalty, not "auto"
    est.set_params(lam=0.05).fit(X)
    assert est.lam_ == 0.05 and not any(hasattr(est, name) for name in PATH_ATTRIBUTES)


@pytest.mark.parametrize("cls, params", [(GRNGC, AUTO_GRNGC), (CMLP, AUTO_CMLP)], ids=["grngc", "cmlp"])
def test_auto_keeps_the_point_with_the_lowest_validation_loss(var1_chain, cls, params):
    X, _ = var1_chain
    est = cls(**params).fit(X)
    m = len(est.lam_path_)
    assert m >= 6 and np.all(np.diff(est.lam_path_) > 0)
    assert est.lam_path_val_loss_.shape == (m,) and est.lam_path_scores_.shape == (m, 3, 3)
    best = int(np.argmin(est.lam_path_val_loss_))
    assert est.lam_ == est.lam_path_[best] and est.val_loss_ == est.lam_path_val_loss_[best]
    np.testing.assert_array_equal(est.scores_, est.lam_path_scores_[best])
    # the returned model is the chosen point's: its held-out error is the recorded one
    assert held_out_mse(est, X) == pytest.approx(est.val_loss_, rel=1e-4)
    below, above = est.lam_path_extended_
    assert 0 < best < m - 1 or (best == 0 and below == 3) or (best == m - 1 and above == 3)


@pytest.mark.parametrize("cls, params", [(GRNGC, AUTO_GRNGC), (CMLP, AUTO_CMLP)], ids=["grngc", "cmlp"])
def test_auto_first_point_is_the_numeric_fit(var1_chain, cls, params):
    """The smallest value of the starting grid is fitted exactly as fit(lam=value) would be."""
    X, _ = var1_chain
    est = cls(**{**params, "lam_grid": [0.02, 0.2, 2.0]}).fit(X)
    first = int(np.flatnonzero(est.lam_path_ == 0.02)[0])
    single = cls(**{**params, "lam": 0.02}).fit(X)
    np.testing.assert_array_equal(est.lam_path_scores_[first], single.scores_)
    assert est.lam_path_val_loss_[first] == single.val_loss_


def record_fit_lam(monkeypatch):
    """Record every ``GRNGC._fit_lam`` call: (lam, epochs, start state, end state, val_loss_)."""
    calls = []
    original = GRNGC._fit_lam

    def recording(self, model, inputs, targets, n_train, lam, epochs):
        start = {k: v.clone() for k, v in model.state_dict().items()}
        original(self, model, inputs, targets, n_train, lam, epochs)
        calls.append((lam, epochs, start, {k: v.clone() for k, v in model.state_dict().items()}, self.val_loss_))

    monkeypatch.setattr(GRNGC, "_fit_lam", recording)
    return calls


def test_auto_path_is_warm_started(var1_chain, monkeypatch):
    """Each point starts from the parameters kept at its neighbour: the previous value, or the end it extends."""
    X, _ = var1_chain
    calls = record_fit_lam(monkeypatch)
    est = GRNGC(**{**AUTO_GRNGC, "warm_epochs": 20, "lam_grid": [0.5, 1.5, 5.0]}).fit(X)
    monkeypatch.undo()
    assert est.lam_path_extended_[0] >= 1  # 0.5 is already too large here: the path grew downward
    assert [lam for lam, *_ in calls[:3]] == [0.5, 1.5, 5.0]
    trained_on = len(calls) > len(est.lam_path_)
    if trained_on:  # the chosen point was trained on after the path (tested below)
        assert len(calls) == len(est.lam_path_) + 1 and calls[-1][0] == est.lam_
        calls = calls[:-1]
    assert sorted(lam for lam, *_ in calls) == list(est.lam_path_)
    assert calls[0][1] == 60 and all(epochs == 20 for _, epochs, *_ in calls[1:])
    init = GRNGC(**AUTO_GRNGC)
    init._device = torch.device("cpu")
    with torch.random.fork_rng():
        torch.manual_seed(0)
        fresh = init._build(3).state_dict()
    assert all(torch.equal(calls[0][2][k], fresh[k]) for k in fresh)
    ends = {calls[0][0]: calls[0][3]}
    for lam, _, start, end, _ in calls[1:]:
        neighbour = max(ends) if lam > max(ends) else min(ends)
        assert lam > max(ends) or lam < min(ends)  # the path only grows outward
        assert all(torch.equal(start[k], ends[neighbour][k]) for k in start)
        assert not all(torch.equal(start[k], end[k]) for k in start)  # and the point did train
        ends[lam] = end
    if not trained_on:
        chosen = ends[est.lam_]
        assert all(torch.equal(v, chosen[k]) for k, v in est.model_.state_dict().items())


def test_auto_trains_on_a_chosen_warm_point_that_was_still_improving(var1_chain, monkeypatch):
    """warm_epochs == check_every: every warm fit's only check is its best, so the chosen warm point goes on."""
    X, _ = var1_chain
    calls = record_fit_lam(monkeypatch)
    est = GRNGC(**{**AUTO_GRNGC, "warm_epochs": 5, "lam_grid": [0.5, 1.5, 5.0]}).fit(X)
    monkeypatch.undo()
    assert est.lam_ < 0.5  # an extension, hence a warm point
    assert len(calls) == len(est.lam_path_) + 1
    (lam, epochs, start, end, val), path_fit = calls[-1], next(c for c in calls if c[0] == est.lam_)
    assert lam == est.lam_ and epochs == 60 - 5
    assert all(torch.equal(start[k], path_fit[3][k]) for k in start)  # from the chosen point's parameters
    best = int(np.argmin(est.lam_path_val_loss_))
    assert est.lam_path_[best] == est.lam_ and est.val_loss_ == est.lam_path_val_loss_[best] == min(val, path_fit[4])
    kept = end if val < path_fit[4] else path_fit[3]
    assert all(torch.equal(v, kept[k]) for k, v in est.model_.state_dict().items())
    assert held_out_mse(est, X) == pytest.approx(est.val_loss_, rel=1e-4)


@pytest.mark.parametrize("direction", ["down", "up"])
def test_auto_grid_is_extended_at_the_end_holding_the_minimum(noise, monkeypatch, direction):
    """Validation loss rigged to fall toward one end: three values are added there, then it stops."""
    original = GRNGC._fit_lam

    def rigged(self, model, inputs, targets, n_train, lam, epochs):
        original(self, model, inputs, targets, n_train, lam, epochs)
        self.val_loss_ = lam if direction == "down" else 1.0 / lam

    monkeypatch.setattr(GRNGC, "_fit_lam", rigged)
    est = GRNGC(lag=2, hidden=(4,), lam="auto", lam_grid=[1.0, 2.0, 4.0], epochs=10, check_every=5, seed=0).fit(noise)
    expected = [0.125, 0.25, 0.5, 1.0, 2.0, 4.0] if direction == "down" else [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    np.testing.assert_allclose(est.lam_path_, expected, rtol=1e-12)
    assert est.lam_path_extended_ == ((3, 0) if direction == "down" else (0, 3))
    assert est.lam_ == (est.lam_path_[0] if direction == "down" else est.lam_path_[-1])


def test_auto_extends_a_grid_that_is_too_large(var1_chain):
    X, _ = var1_chain
    est = GRNGC(**{**AUTO_GRNGC, "lam_grid": [5.0, 50.0]}).fit(X)
    assert est.lam_path_extended_[0] >= 1 and est.lam_path_[0] < 5.0
    assert est.lam_ < 5.0


def test_auto_never_sees_the_truth():
    import inspect

    for cls in (GRNGC, CMLP):
        assert list(inspect.signature(cls.fit).parameters) == ["self", "X"]
        assert not {"A", "A_true", "truth", "B_true"} & set(inspect.signature(cls).parameters)


def test_auto_ranks_the_true_edges_first_on_an_easy_var1(var1_chain):
    from gcbook.metrics import auroc

    X, A = var1_chain
    est = GRNGC(**{**AUTO_GRNGC, "epochs": 100}).fit(X)
    assert auroc(A, est.scores_) == 1.0


@pytest.mark.parametrize("cls", [GRNGC, CMLP])
@pytest.mark.parametrize(
    "params, match",
    [
        (dict(lam=-0.1), "lam must be >= 0"),
        (dict(lam="cv"), "lam must be one of"),
        (dict(lam="AUTO"), "lam must be one of"),
        (dict(lam=None), "lam must be a real number"),
        (dict(lam=np.nan), "lam must be finite"),
        (dict(lam="auto", lam_grid=[0.1]), "lam_grid"),
        (dict(lam="auto", lam_grid=[0.1, 0.1]), "lam_grid"),
        (dict(lam="auto", lam_grid=[0.0, 0.1]), "lam_grid"),
        (dict(lam="auto", lam_grid=[-1.0, 0.1]), "lam_grid"),
        (dict(lam="auto", lam_grid=[np.inf, 0.1]), "lam_grid"),
        (dict(lam="auto", lam_grid=[[0.1, 0.2]]), "lam_grid"),
        (dict(lam="auto", lam_grid="abc"), "lam_grid"),
        (dict(lam="auto", warm_epochs=0), "warm_epochs must be >= 1"),
    ],
)
def test_bad_lam_is_rejected(noise, cls, params, match):
    with pytest.raises(ValueError, match=match):
        cls(**{"lag": 2, "epochs": 1, **params}).fit(noise)


@pytest.mark.skipif(not CUDA, reason="needs a CUDA GPU")
def test_auto_path_on_gpu(var1_chain):
    X, _ = var1_chain
    est = GRNGC(**{**AUTO_GRNGC, "device": "cuda"}).fit(X)
    assert next(est.model_.parameters()).is_cuda
    assert est.lam_ in est.lam_path_ and np.isfinite(est.lam_path_val_loss_).all()


# ----------------------------------------------------------------------------- the defaults


def test_defaults_choose_the_penalty_and_subsample_it():
    """fit(X) alone runs the validation path, GRNGC with the penalty on 64 windows per epoch."""
    assert GRNGC().lam == "auto" and GRNGC().penalty_samples == 64 and CMLP().lam == "auto"


def test_default_grngc_finds_the_chain(var1_chain):
    X, A = var1_chain
    est = GRNGC(seed=0).fit(X)
    assert all(hasattr(est, name) for name in PATH_ATTRIBUTES) and est.lam_ in est.lam_path_
    off = ~np.eye(3, dtype=bool)
    top_two = np.argsort(np.where(off, est.scores_, -np.inf).ravel())[-2:]
    assert set(top_two) == set(np.flatnonzero(A * off))  # x0 -> x1 and x1 -> x2


def test_subsampled_penalty_agrees_with_the_exact_one(lag2_system):
    """The default penalty (64 of 238 windows per epoch) estimates the exact one: same read-out, close scores."""
    kw = dict(lag=3, hidden=(16,), lam=0.05, epochs=150, lr=1e-2, seed=0)
    exact = GRNGC(penalty_samples=None, **kw).fit(lag2_system)
    default = GRNGC(**kw).fit(lag2_system)
    assert default.penalty_samples == 64 < len(lag2_system) * 0.8
    for est in (exact, default):
        assert largest_off_diagonal(est.scores_) == (0, 1)
        assert np.argmax(est.scores_by_lag_[0, 1]) == 1  # the lag-2 edge
    np.testing.assert_allclose(default.scores_by_lag_, exact.scores_by_lag_, rtol=0.25, atol=0.02)
    assert not np.array_equal(default.scores_, exact.scores_)  # the two penalties did differ


@pytest.mark.skipif(not CUDA, reason="needs a CUDA GPU")
def test_default_grngc_runs_unchanged_on_gpu(var1_chain):
    """The default call with device="cuda": the path, the subsampled penalty and the chunked read-out on the GPU."""
    X, A = var1_chain
    gpu = GRNGC(seed=0, device="cuda").fit(X)
    assert next(gpu.model_.parameters()).is_cuda
    assert gpu.lam_ in gpu.lam_path_ and np.isfinite(gpu.lam_path_val_loss_).all()
    off = ~np.eye(3, dtype=bool)
    top_two = np.argsort(np.where(off, gpu.scores_, -np.inf).ravel())[-2:]
    assert set(top_two) == set(np.flatnonzero(A * off))
    assert gpu.jacobian(X).shape == (len(X) - 5, 3, 5, 3)  # lag 5 by default


@pytest.mark.parametrize("stopped_early", [False, True])
def test_auto_trains_on_unless_the_patience_rule_stopped_the_chosen_warm_fit(noise, monkeypatch, stopped_early):
    """A warm fit whose best check is not its last but whose patience had not run out is still improving."""
    original, calls = GRNGC._fit_lam, []

    def rigged(self, model, inputs, targets, n_train, lam, epochs):
        original(self, model, inputs, targets, n_train, lam, epochs)
        calls.append((lam, epochs))
        self.val_loss_ = 1.0 + np.log(lam / 2.0) ** 2  # lowest at the warm point lam = 2
        last = epochs if not stopped_early else epochs - 5
        self.loss_history_ = TrainingHistory(
            np.array([last - 5, last]), np.ones(2), np.array([1.0, 1.1]), last - 5, stopped_early
        )

    monkeypatch.setattr(GRNGC, "_fit_lam", rigged)
    est = GRNGC(
        lag=2, hidden=(4,), lam="auto", lam_grid=[1.0, 2.0, 4.0], epochs=40, warm_epochs=10, check_every=5, seed=0
    ).fit(noise)
    assert est.lam_ == 2.0 and [lam for lam, _ in calls[:3]] == [1.0, 2.0, 4.0]
    assert calls[3:] == ([] if stopped_early else [(2.0, 30)])


@pytest.mark.parametrize("hidden", [(7,), (6, 5)])
def test_mlp_jacobian_is_the_reverse_mode_jacobian_and_its_gradient(hidden):
    """GRNGC's closed-form MLP Jacobian: the same values as jacrev, and the same penalty gradient in the weights."""
    torch.manual_seed(0)
    model = MLPForecaster(p=3, lag=2, hidden=hidden)
    x = torch.randn(9, 2, 3)
    closed, reverse = mlp_jacobian(model, x), input_jacobian(model, x, create_graph=True)
    assert closed.shape == (9, 3, 2, 3)
    torch.testing.assert_close(closed, reverse, rtol=1e-5, atol=1e-6)
    grads = [
        torch.autograd.grad(J.abs().mean(0).sum(), list(model.parameters()), allow_unused=True)
        for J in (closed, reverse)
    ]
    for g_closed, g_reverse in zip(*grads):
        if g_reverse is None or not g_reverse.abs().sum():  # the last bias never enters a Jacobian
            assert g_closed is None or not g_closed.abs().sum()
        else:
            torch.testing.assert_close(g_closed, g_reverse, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="MLPForecaster"):
        mlp_jacobian(LSTMForecaster(3, 2, 4), x)
