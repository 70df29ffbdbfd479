"""What the neural estimators optimise, recomputed by hand from the same model.

The other neural tests check rankings and reproducibility; a wrong constant in the
objective or a wrong update rule survives them. Here every quantity is rebuilt from
the docstrings alone: the windows from the series (not :func:`lagged_windows`), the
split and the standardisation from ``val_fraction``, the per-sample Jacobian by one
``torch.autograd.grad`` per output (not :func:`torch.func.jacrev`), the CMLP forward
pass from the documented weight layout, and Adam and the group soft-threshold written
out. The model's parameters come from the estimator itself: a fit of one epoch with a
vanishing step size (``lr=1e-12``) leaves the initial parameters in ``model_`` (an Adam
step moves each parameter by at most ``lr``, an ISTA step by ``lr`` times its gradient
and threshold), and the same seed gives the same initialisation for any ``lr``.
"""

import numpy as np
import pytest
import torch
from torch.func import functional_call

from gcbook.neural import CMLP, GRNGC

pytestmark = pytest.mark.usefixtures("torch_one_thread")  # tests/conftest.py

LAG = 2
VAL_FRACTION = 0.2
FROZEN = dict(epochs=1, check_every=1, lr=1e-12)  # one step that moves nothing: model_ holds the initialisation
HIDDEN = {"mlp": (8,), "lstm": 6, "kan": 5}
RTOL = 1e-5  # float32 arithmetic, summed in a different order than the estimator's


@pytest.fixture(scope="module")
def series():
    """x0 -> x1 at lag 1, x1 -> x2 at lag 2, with different means and scales per column."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 3))
    X[1:, 1] += 0.8 * X[:-1, 0]
    X[2:, 2] += 0.6 * X[:-2, 1]
    return X * np.array([1.0, 3.0, 0.5]) + np.array([0.0, -2.0, 10.0])


# ----------------------------------------------------------------------------- by hand


def hand_split(X, lag=LAG, val_fraction=VAL_FRACTION):
    """The documented data pipeline: windows, the split in time, training-part statistics.

    ``T - lag`` windows; the last ``round(val_fraction * (T - lag))`` are held out; the
    training windows read rows ``0 .. lag + n_train - 1``, whose mean and standard
    deviation standardise the whole series. ``inputs[m, k-1, i] = z_i(t - k)`` with
    ``t = lag + m``.
    """
    T, p = X.shape
    n = T - lag
    n_train = n - max(1, round(val_fraction * n))
    train_rows = X[: lag + n_train]
    mean, std = train_rows.mean(axis=0), train_rows.std(axis=0)
    Z = (X - mean) / std
    inputs = np.empty((n, lag, p))
    for m in range(n):
        for k in range(1, lag + 1):
            inputs[m, k - 1] = Z[lag + m - k]
    targets = Z[lag:]
    f32 = lambda a: torch.tensor(a, dtype=torch.float32)  # noqa: E731
    return dict(
        n_train=n_train, mean=mean, std=std, p=p,
        x_tr=f32(inputs[:n_train]), y_tr=f32(targets[:n_train]),
        x_val=f32(inputs[n_train:]), y_val=f32(targets[n_train:]),
        x_all=f32(inputs),
    )  # fmt: skip


def params_of(model):
    """Detached copies of the parameters, by name."""
    return {name: t.detach().clone() for name, t in model.named_parameters()}


def hand_jacobian(model, params, x, create_graph=False):
    """``J[m, j, k-1, i] = d yhat_j(t_m) / d x_i(t_m - k)``, one backward pass per output ``j``."""
    x = x.clone().requires_grad_(True)
    out = functional_call(model, params, (x,))
    rows = [
        torch.autograd.grad(out[:, j].sum(), x, retain_graph=True, create_graph=create_graph)[0]
        for j in range(out.shape[1])
    ]
    return torch.stack(rows, dim=1)


def grngc_objective(model, params, x, y, lam, x_pen=None):
    """The GRNGC docstring, term by term:

    ``(1/p) sum_j [ (1/n) sum_t (yhat_j - x_j)^2 + lam sum_i sum_k (1/n_pen) sum_t |d yhat_j / d x_i(t-k)| ]``

    with the penalty's mean over ``x_pen`` (the training windows, or the subset drawn
    for the subsampled penalty).
    """
    x_pen = x if x_pen is None else x_pen
    mse_j = ((functional_call(model, params, (x,)) - y) ** 2).mean(dim=0)  # (p,)
    J = hand_jacobian(model, params, x_pen, create_graph=True)  # (n_pen, p_out, lag, p_in)
    penalty_j = J.abs().mean(dim=0).sum(dim=(1, 2))  # sum over causes i and lags k, per target j
    return (mse_j + lam * penalty_j).mean(), mse_j.mean(), penalty_j.mean()


def cmlp_forward(params, x):
    """Network ``j``: ``relu(W_j vec(window) + b_j) . w_out_j + b_out_j``; ``W_j[h, k-1, i]`` reads ``x_i(t-k)``."""
    W, b = params["weight_in"], params["bias_in"]
    n, lag, p = x.shape
    flat = x.reshape(n, lag * p)  # (k, i) in row-major order, as W_j[h] flattens
    cols = [torch.relu(flat @ W[j].reshape(-1, lag * p).T + b[j]) @ params["weight_out"][j] for j in range(p)]
    return torch.stack(cols, dim=1) + params["bias_out"]


def group_norms(W):
    """``norms[j, i] = ||W[j, :, :, i]||_F``: all hidden units and all lags that read series ``i`` in network ``j``."""
    p_out, hidden, lag, p_in = W.shape
    return torch.stack([torch.stack([W[j, :, :, i].norm() for i in range(p_in)]) for j in range(p_out)])


def cmlp_smooth(params, x, y, lam_ridge):
    """``sum_j [ (1/n) sum_t (yhat_j - x_j)^2 + lam_ridge ||w_out_j||^2 ]``."""
    mse_j = ((cmlp_forward(params, x) - y) ** 2).mean(dim=0)
    return (mse_j + lam_ridge * (params["weight_out"] ** 2).sum(dim=1)).sum()


def cmlp_objective(params, x, y, lam, lam_ridge):
    """The CMLP docstring: the smooth part plus ``lam sum_j sum_i ||W^(j)_{:, :, i}||_F``."""
    return cmlp_smooth(params, x, y, lam_ridge) + lam * group_norms(params["weight_in"]).sum()


def adam(params, objective, lr, steps, betas=(0.9, 0.999), eps=1e-8):
    """Adam (Kingma and Ba, Algorithm 1) written out, full batch, from ``params``."""
    params = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    m = {k: torch.zeros_like(v) for k, v in params.items()}
    v = {k: torch.zeros_like(w) for k, w in params.items()}
    for t in range(1, steps + 1):
        grads = dict(zip(params, torch.autograd.grad(objective(params), list(params.values()))))
        with torch.no_grad():
            for k in params:
                m[k] = betas[0] * m[k] + (1 - betas[0]) * grads[k]
                v[k] = betas[1] * v[k] + (1 - betas[1]) * grads[k] ** 2
                m_hat, v_hat = m[k] / (1 - betas[0] ** t), v[k] / (1 - betas[1] ** t)
                params[k] -= lr * m_hat / (v_hat.sqrt() + eps)
    return {k: w.detach() for k, w in params.items()}


def assert_same_params(model, expected, rtol=RTOL, atol=1e-6):
    got = params_of(model)
    assert set(got) == set(expected)
    for name in got:
        np.testing.assert_allclose(got[name].numpy(), expected[name].numpy(), rtol=rtol, atol=atol, err_msg=name)


# ----------------------------------------------------------------------------- GRNGC objective


@pytest.mark.parametrize("kind", ["mlp", "lstm", "kan"])
def test_grngc_objective_is_the_documented_one(series, kind):
    """loss_history_ at epoch 1 = forecast MSE / p + lam * Jacobian L1 / p at the initial parameters."""
    lam = 2.0  # not 1: lam applied twice must show
    est = GRNGC(lag=LAG, model=kind, hidden=HIDDEN[kind], lam=lam, penalty_samples=None, seed=0, **FROZEN).fit(series)
    d = hand_split(series)
    params = params_of(est.model_)
    objective, mse, penalty = grngc_objective(est.model_, params, d["x_tr"], d["y_tr"], lam)
    assert lam * penalty.item() > 0.05 * mse.item()  # the penalty is a visible part of the objective
    assert est.loss_history_.train_loss[0] == pytest.approx(objective.item(), rel=RTOL)
    # unpenalised: the reported objective is the forecast MSE alone
    est0 = GRNGC(lag=LAG, model=kind, hidden=HIDDEN[kind], lam=0.0, penalty_samples=None, seed=0, **FROZEN).fit(series)
    assert est0.loss_history_.train_loss[0] == pytest.approx(mse.item(), rel=RTOL)


@pytest.mark.parametrize("kind", ["mlp", "lstm", "kan"])
def test_grngc_subsampled_penalty_is_the_penalty_on_a_fresh_subset_each_epoch(series, kind, monkeypatch):
    """penalty_samples=m: the same objective with the penalty's mean over m training windows drawn anew per epoch."""
    lam, m, epochs = 2.0, 8, 3
    drawn = []
    randperm = torch.randperm

    def recording_randperm(*args, **kwargs):
        out = randperm(*args, **kwargs)
        drawn.append((args, out.clone()))
        return out

    monkeypatch.setattr(torch, "randperm", recording_randperm)
    frozen = dict(FROZEN, epochs=epochs)
    est = GRNGC(lag=LAG, model=kind, hidden=HIDDEN[kind], lam=lam, penalty_samples=m, seed=0, **frozen).fit(series)
    monkeypatch.undo()
    d = hand_split(series)
    assert len(drawn) == epochs, "expected one torch.randperm(n_train) per epoch for the penalty's subset"
    assert all(args == (d["n_train"],) for args, _ in drawn)
    subsets = [perm[:m] for _, perm in drawn]
    assert all(len(set(s.tolist())) == m for s in subsets)  # m distinct training windows
    assert len({tuple(sorted(s.tolist())) for s in subsets}) == epochs  # a fresh subset every epoch
    params = params_of(est.model_)
    exact = grngc_objective(est.model_, params, d["x_tr"], d["y_tr"], lam)[0].item()
    for epoch, subset in enumerate(subsets):
        expected = grngc_objective(est.model_, params, d["x_tr"], d["y_tr"], lam, x_pen=d["x_tr"][subset])[0]
        assert est.loss_history_.train_loss[epoch] == pytest.approx(expected.item(), rel=RTOL)
        assert abs(expected.item() - exact) > 10 * RTOL * exact  # the subset's value is told apart from the exact one


def test_grngc_adam_steps_match_hand_written_adam(series):
    """Two full-batch Adam steps on the documented objective, from the estimator's initialisation."""
    lam, lr = 0.3, 1e-2
    kw = dict(lag=LAG, model="mlp", hidden=HIDDEN["mlp"], lam=lam, penalty_samples=None, seed=0)
    start = GRNGC(**kw, **FROZEN).fit(series).model_
    stepped = GRNGC(**kw, epochs=2, check_every=2, lr=lr).fit(series)  # one check: model_ is after step 2
    d = hand_split(series)

    def objective(params):
        return grngc_objective(start, params, d["x_tr"], d["y_tr"], lam)[0]

    expected = adam(params_of(start), objective, lr, steps=2)
    assert_same_params(stepped.model_, expected, atol=1e-6)
    # the penalty's gradient moves the result far beyond the tolerance: a penalty cut off from the
    # gradient (a detached Jacobian) would show, although Adam's first step is nearly sign-only
    unpenalised = adam(params_of(start), lambda q: grngc_objective(start, q, d["x_tr"], d["y_tr"], 0.0)[0], lr, 2)
    assert max((unpenalised[k] - expected[k]).abs().max().item() for k in expected) > lr / 10


@pytest.mark.parametrize("kind", ["mlp", "lstm"])
def test_grngc_read_out_is_mean_absolute_jacobian_over_all_windows(series, kind):
    """scores_by_lag_[i, j, k-1] = mean over every window of |d yhat_j(t) / d x_i(t-k)|; scores_ its max over k."""
    est = GRNGC(lag=LAG, model=kind, hidden=HIDDEN[kind], lam=0.01, epochs=20, lr=1e-2, seed=0).fit(series)
    d = hand_split(series)
    J = hand_jacobian(est.model_, params_of(est.model_), d["x_all"])  # (n, p_out, lag, p_in)
    S = J.abs().mean(dim=0).permute(2, 0, 1).numpy()  # [i (cause), j (effect), k-1]
    assert not np.allclose(S, S.transpose(1, 0, 2), rtol=0.1)  # a transposed read-out would show
    assert not np.allclose(S, S[:, :, ::-1], rtol=0.1)  # and so would reversed lags
    np.testing.assert_allclose(est.scores_by_lag_, S, rtol=RTOL, atol=1e-7)
    np.testing.assert_allclose(est.scores_, S.max(axis=2), rtol=RTOL, atol=1e-7)


# ----------------------------------------------------------------------------- CMLP objective and ISTA step


def cmlp(**kw):
    return CMLP(**{"lag": LAG, "hidden": 10, "lam": 0.05, "lam_ridge": 0.1, "seed": 0, **kw})


def test_cmlp_forward_reads_the_documented_weight_layout(series):
    """The model's forward = the hand forward from weight_in[j, h, k-1, i]: the layout the other tests rely on."""
    est = cmlp(**FROZEN).fit(series)
    d = hand_split(series)
    with torch.no_grad():
        np.testing.assert_allclose(
            est.model_(d["x_all"]).numpy(), cmlp_forward(params_of(est.model_), d["x_all"]).numpy(),
            rtol=RTOL, atol=1e-6,
        )  # fmt: skip


def test_cmlp_objective_is_the_documented_one(series):
    """Epoch-1 training loss = sum_j [MSE_j + lam sum_i group norm_ji + lam_ridge ||w_out_j||^2] at the start."""
    lam, lam_ridge = 0.05, 0.1
    est = cmlp(lam=lam, lam_ridge=lam_ridge, **FROZEN).fit(series)
    d = hand_split(series)
    params = params_of(est.model_)
    objective = cmlp_objective(params, d["x_tr"], d["y_tr"], lam, lam_ridge).item()
    mse = cmlp_smooth(params, d["x_tr"], d["y_tr"], 0.0).item()
    penalty = lam * group_norms(params["weight_in"]).sum().item()
    ridge = lam_ridge * (params["weight_out"] ** 2).sum().item()
    assert penalty > 0.05 * mse and ridge > 1e-4 * objective  # both penalties are visible at rtol 1e-5
    assert est.loss_history_.train_loss[0] == pytest.approx(objective, rel=RTOL)


def test_cmlp_ista_step_is_gradient_step_then_group_soft_threshold(series):
    """One epoch = w <- w - lr grad(smooth); then w_g <- w_g max(0, 1 - lr lam / ||w_g||) on each first-layer group."""
    lam, lam_ridge, lr = 20.0, 0.1, 0.05  # lr * lam = 1: near the typical group norm, so some groups vanish
    start = params_of(cmlp(lam=lam, lam_ridge=lam_ridge, **FROZEN).fit(series).model_)
    stepped = cmlp(lam=lam, lam_ridge=lam_ridge, epochs=1, check_every=1, lr=lr).fit(series)
    d = hand_split(series)

    params = {k: v.clone().requires_grad_(True) for k, v in start.items()}
    smooth = cmlp_smooth(params, d["x_tr"], d["y_tr"], lam_ridge)
    grads = dict(zip(params, torch.autograd.grad(smooth, list(params.values()))))
    expected = {k: (start[k] - lr * grads[k]).detach() for k in start}
    W = expected["weight_in"]
    for j in range(W.shape[0]):
        for i in range(W.shape[3]):
            norm = W[j, :, :, i].norm()
            W[j, :, :, i] *= max(0.0, 1.0 - lr * lam / norm.item())
    norms = group_norms(W)
    assert (norms == 0).any() and (norms > 0).any()  # both branches of the threshold are exercised
    assert_same_params(stepped.model_, expected, atol=1e-6)
    # whole groups, exactly zero, and nothing else zeroed
    zero_groups = (group_norms(stepped.model_.weight_in.detach()) == 0).numpy()
    np.testing.assert_array_equal(zero_groups, (norms == 0).numpy())
    np.testing.assert_allclose(stepped.scores_, norms.numpy().T, rtol=RTOL, atol=1e-7)  # scores_[i, j] = norm[j, i]


def test_cmlp_reported_objective_is_at_the_iterate_the_step_starts_from(series):
    """With a real step size the epoch-1 training loss is still the objective at the initial parameters."""
    lam, lam_ridge = 0.5, 0.1
    start = params_of(cmlp(lam=lam, lam_ridge=lam_ridge, **FROZEN).fit(series).model_)
    est = cmlp(lam=lam, lam_ridge=lam_ridge, epochs=1, check_every=1, lr=0.05).fit(series)
    d = hand_split(series)
    objective = cmlp_objective(start, d["x_tr"], d["y_tr"], lam, lam_ridge).item()
    assert est.loss_history_.train_loss[0] == pytest.approx(objective, rel=RTOL)


def test_cmlp_read_out_is_the_group_norm_per_lag(series):
    """scores_by_lag_[i, j, k-1] = ||weight_in[j, :, k-1, i]||, the weights by which x_i(t-k) enters network j."""
    est = cmlp(lam=0.05, epochs=30, lr=0.05).fit(series)
    W = est.model_.weight_in.detach().double()
    expected = np.array([[[W[j, :, k, i].norm().item() for k in range(LAG)] for j in range(3)] for i in range(3)])
    np.testing.assert_allclose(est.scores_by_lag_, expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(est.scores_, np.sqrt((expected**2).sum(axis=2)), rtol=1e-6, atol=1e-9)
    assert not np.allclose(expected, expected.transpose(1, 0, 2), rtol=0.05)


# ----------------------------------------------------------------------------- standardisation and validation


@pytest.mark.parametrize("make", [
    lambda: GRNGC(lag=LAG, hidden=HIDDEN["mlp"], lam=0.1, seed=0, **FROZEN),
    lambda: cmlp(**FROZEN),
], ids=["GRNGC", "CMLP"])  # fmt: skip
def test_standardisation_uses_the_training_part_only(series, make):
    """mean_/std_ are those of the training rows; the held-out rows, 100x larger and shifted, do not enter them."""
    d = hand_split(series)
    X = series.copy()
    first_val_target = LAG + d["n_train"]
    X[first_val_target:] = 100.0 * X[first_val_target:] + np.array([50.0, -300.0, 7.0])
    est = make().fit(X)
    train_rows = X[:first_val_target]
    np.testing.assert_allclose(est.mean_, train_rows.mean(axis=0), rtol=1e-12)
    assert any(np.allclose(est.std_, train_rows.std(axis=0, ddof=ddof), rtol=1e-12) for ddof in (0, 1))
    assert not np.allclose(est.mean_, X[: first_val_target + 1].mean(axis=0), rtol=1e-3)  # one row more would show
    # the validation loss is the forecast MSE on the held-out windows, standardised with the training statistics
    h = hand_split(X)
    with torch.no_grad():
        model = (lambda x: cmlp_forward(params_of(est.model_), x)) if isinstance(est, CMLP) else est.model_
        forecast = model(h["x_val"])
        val_mse = ((forecast - h["y_val"]) ** 2).mean().item()
    assert val_mse > 100  # the held-out part is far off the training scale, as built
    assert est.loss_history_.val_loss[0] == pytest.approx(val_mse, rel=RTOL)
