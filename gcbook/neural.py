"""Neural Granger causality: one network per target (CMLP) or one network for all (GRNGC).

Taught in the chapter :ref:`chap-neural` (``book/neural_gc.md``).

Both estimators forecast ``x(t)`` from the window ``x(t-1), ..., x(t-lag)`` of all ``p``
series and read the Granger-causal graph off the trained network:

* :class:`CMLP` (Tank et al.) trains ``p`` small MLPs, one per target, and puts a
  group-lasso penalty on each network's first-layer weights. The weights leaving input
  series ``i`` in network ``j`` form one group; a zero group means ``i`` does not
  Granger-cause ``j``. It is trained by proximal gradient steps (ISTA).
* :class:`GRNGC` (Li et al., 2025) trains **one** forecaster (``"mlp"``, ``"lstm"`` or
  ``"kan"``) and puts an L1 penalty on the input-output Jacobian
  ``d yhat_j(t) / d x_i(t-k)`` instead of on any weight. The strength of ``i -> j`` at lag
  ``k`` is the mean of ``|d yhat_j(t) / d x_i(t-k)|`` over the samples.

Conventions shared by both estimators:

* ``scores_by_lag_[i, j, k-1]`` is the strength of ``x_i(t-k) -> x_j(t)``, shape
  ``(p, p, lag)``; ``scores_[i, j]`` aggregates it over lags (cause is the row).
  ``result_`` gives both as a :class:`NeuralGCResult`, the result shape shared by every
  structure-learning method of the package. The scores are continuous: the methods have no
  decision rule of their own (their papers report AUROC), so a graph needs a threshold.
* ``fit`` standardizes every series with the mean and standard deviation of the
  training part, so scores are in standard-deviation units and do not depend on the
  scale each series was recorded in. ``fit`` also takes a list of recordings (trials,
  subjects) of the same series: windows never cross from one recording into the next.
* The last ``val_fraction`` of the windows (in time) is held out. Training stops when the
  validation *forecasting* loss (mean squared error, no penalty) has not improved for
  ``patience`` checks, and the parameters with the best validation loss are kept. The
  true graph is never looked at.
* ``lam="auto"``, the default, chooses the penalty by that same validation loss along a
  warm-started path of penalties (see :class:`GRNGC`, Notes), so ``fit(X)`` needs no
  tuning; a number keeps the single fit with that penalty.
* ``seed`` seeds torch inside ``fit`` only (the global torch state is restored
  afterwards); the same seed gives bit-identical results on the same CPU.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import time

import numpy as np
import torch
from torch import nn
from torch.func import jacrev

from gcbook._base import BaseEstimator, check_is_fitted
from gcbook._result import GraphResult, default_labels
from gcbook._utils import resolve_device, seed_int
from gcbook._validation import as_time_series, check_choice, check_int, check_lag, check_real, recordings_and_lag

__all__ = [
    "GRNGC",
    "CMLP",
    "NeuralGCResult",
    "KANLayer",
    "MLPForecaster",
    "LSTMForecaster",
    "KANForecaster",
    "ComponentwiseMLP",
    "TrainingHistory",
    "LambdaPath",
    "lagged_windows",
    "input_jacobian",
    "mlp_jacobian",
    "jacobian_scores",
    "lambda_path",
]

MODELS = ("mlp", "lstm", "kan")
AGGREGATES = ("max", "mean")


# ----------------------------------------------------------------------------- data


def lagged_windows(X, lag):
    """Cut a series into (past window, next value) pairs.

    Parameters
    ----------
    X : array_like, shape (T, p)
        Rows are time.
    lag : int
        Window length, ``1 <= lag < T``.

    Returns
    -------
    inputs : numpy.ndarray, shape (T - lag, lag, p)
        ``inputs[m, k-1, i] = X[lag + m - k, i]``, the value of ``x_i`` ``k`` steps before
        the target time ``t = lag + m``. This is a model input in the (batch, sequence,
        feature) layout that ``torch.nn.LSTM(batch_first=True)`` consumes, not an array
        indexed by (cause, effect), so the package's lag-axis-last rule for those does not
        apply to it.
    targets : numpy.ndarray, shape (T - lag, p)
        ``targets[m] = X[lag + m]``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.arange(12.0).reshape(6, 2)
    >>> inputs, targets = lagged_windows(X, lag=2)
    >>> inputs.shape, targets.shape
    ((4, 2, 2), (4, 2))
    >>> inputs[0]            # rows: x(t-1), x(t-2) for t = 2
    array([[2., 3.],
           [0., 1.]])
    >>> targets[0]
    array([4., 5.])
    """
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D with shape (T, p), got shape {X.shape}.")
    lag = check_lag(lag)
    T = X.shape[0]
    if T <= lag:
        raise ValueError(f"The series is too short for lag={lag}: T={T} must exceed lag.")
    rows = lag + np.arange(T - lag)[:, None] - np.arange(1, lag + 1)[None, :]
    return X[rows], X[lag:]


# ----------------------------------------------------------------------------- forecasters


class MLPForecaster(nn.Module):
    """A multilayer perceptron from the flattened window to all ``p`` next values.

    Parameters
    ----------
    p : int
        Number of series.
    lag : int
        Window length.
    hidden : tuple of int
        Widths of the hidden layers (ReLU activations).

    Notes
    -----
    ``forward`` maps ``x`` of shape ``(n, lag, p)`` to ``(n, p)``.
    """

    def __init__(self, p, lag, hidden=(64,)):
        super().__init__()
        widths = [p * lag, *hidden]
        layers = []
        for n_in, n_out in zip(widths[:-1], widths[1:]):
            layers += [nn.Linear(n_in, n_out), nn.ReLU()]
        layers.append(nn.Linear(widths[-1], p))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x.reshape(x.shape[0], -1))


class LSTMForecaster(nn.Module):
    """An LSTM that reads the window from oldest to newest and forecasts all ``p`` series.

    The cell is written out (one linear map to the four gates) rather than taken from
    :class:`torch.nn.LSTM`, so that :mod:`torch.func` can differentiate it twice.

    Parameters
    ----------
    p : int
        Number of series.
    lag : int
        Window length.
    hidden : int
        Size of the hidden and cell states.

    Notes
    -----
    ``forward`` maps ``x`` of shape ``(n, lag, p)`` to ``(n, p)``.
    """

    def __init__(self, p, lag, hidden=32):
        super().__init__()
        self.lag = lag
        self.hidden = hidden
        self.gates = nn.Linear(p + hidden, 4 * hidden)
        self.out = nn.Linear(hidden, p)

    def forward(self, x):
        h = x.new_zeros(x.shape[0], self.hidden)
        c = torch.zeros_like(h)
        for k in range(self.lag, 0, -1):  # x[:, k-1] holds x(t-k): oldest first
            i, f, g, o = self.gates(torch.cat([x[:, k - 1], h], dim=1)).chunk(4, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        return self.out(h)


class KANLayer(nn.Module):
    """A Kolmogorov-Arnold layer: a learnable univariate function on every edge.

    Output ``o`` is ``sum_i phi_oi(x_i)`` with
    ``phi_oi(u) = w_oi * silu(u) + sum_m c_oim * B_m(u)``, where ``B_m`` are the cubic
    (``spline_order=3``) B-splines on a uniform grid of ``grid_size`` intervals over
    ``grid_range``; the knots continue ``spline_order`` intervals beyond each end, so the
    spline part fades out there and is exactly zero farther out, where only the SiLU part
    remains.

    Parameters
    ----------
    n_in, n_out : int
        Input and output widths.
    grid_size : int
        Number of grid intervals.
    spline_order : int
        Degree of the B-splines.
    grid_range : tuple of float
        Interval covered by the grid.

    Notes
    -----
    ``forward`` maps ``(n, n_in)`` to ``(n, n_out)``; :meth:`basis` returns the
    ``(n, n_in, grid_size + spline_order)`` B-spline values.
    """

    def __init__(self, n_in, n_out, grid_size=5, spline_order=3, grid_range=(-3.0, 3.0)):
        super().__init__()
        low, high = grid_range
        step = (high - low) / grid_size
        knots = low + step * torch.arange(-spline_order, grid_size + spline_order + 1, dtype=torch.float32)
        self.register_buffer("knots", knots)
        self.spline_order = spline_order
        bound = 1.0 / math.sqrt(n_in)
        self.base_weight = nn.Parameter(torch.empty(n_out, n_in).uniform_(-bound, bound))
        self.spline_weight = nn.Parameter(0.1 * bound * torch.randn(n_out, n_in, grid_size + spline_order))

    def basis(self, x):
        """B-spline values by the Cox-de Boor recursion, shape ``(n, n_in, grid_size + spline_order)``."""
        t = self.knots
        u = x.unsqueeze(-1)
        B = ((u >= t[:-1]) & (u < t[1:])).to(x.dtype)
        for d in range(1, self.spline_order + 1):
            left = (u - t[: -(d + 1)]) / (t[d:-1] - t[: -(d + 1)])
            right = (t[d + 1 :] - u) / (t[d + 1 :] - t[1:-d])
            B = left * B[..., :-1] + right * B[..., 1:]
        return B

    def forward(self, x):
        base = nn.functional.linear(nn.functional.silu(x), self.base_weight)
        basis = self.basis(x).reshape(x.shape[0], -1)  # (n, n_in * n_basis)
        spline = nn.functional.linear(basis, self.spline_weight.reshape(self.spline_weight.shape[0], -1))
        return base + spline


class KANForecaster(nn.Module):
    """Two Kolmogorov-Arnold layers from the flattened window to all ``p`` next values.

    ``forward`` maps ``x`` of shape ``(n, lag, p)`` to ``(n, p)``.
    """

    def __init__(self, p, lag, hidden=16, grid_size=5):
        super().__init__()
        self.inner = KANLayer(p * lag, hidden, grid_size=grid_size)
        self.outer = KANLayer(hidden, p, grid_size=grid_size)

    def forward(self, x):
        return self.outer(self.inner(x.reshape(x.shape[0], -1)))


class ComponentwiseMLP(nn.Module):
    """``p`` one-hidden-layer MLPs, one per target, evaluated together.

    Network ``j`` forecasts ``x_j(t)`` from the whole window; its first-layer weights
    are ``weight_in[j]``, shape ``(hidden, lag, p)``, and ``weight_in[j, :, :, i]`` is
    the group of weights that reads series ``i``.

    Notes
    -----
    ``forward`` maps ``x`` of shape ``(n, lag, p)`` to ``(n, p)``.
    """

    def __init__(self, p, lag, hidden=100):
        super().__init__()
        bound_in = 1.0 / math.sqrt(p * lag)
        bound_out = 1.0 / math.sqrt(hidden)
        self.weight_in = nn.Parameter(torch.empty(p, hidden, lag, p).uniform_(-bound_in, bound_in))
        self.bias_in = nn.Parameter(torch.empty(p, hidden).uniform_(-bound_in, bound_in))
        self.weight_out = nn.Parameter(torch.empty(p, hidden).uniform_(-bound_out, bound_out))
        self.bias_out = nn.Parameter(torch.empty(p).uniform_(-bound_out, bound_out))

    def forward(self, x):
        h = torch.relu(torch.einsum("nki,jhki->njh", x, self.weight_in) + self.bias_in)
        return torch.einsum("njh,jh->nj", h, self.weight_out) + self.bias_out


# ----------------------------------------------------------------------------- Jacobian


def input_jacobian(model, inputs, create_graph=False):
    """Per-sample Jacobian of the forecasts with respect to the input window.

    Samples do not interact inside the forecasters, so the Jacobian of the *batch sum*
    of the outputs with respect to the whole batch holds every per-sample Jacobian;
    :func:`torch.func.jacrev` computes it with one vectorized reverse pass per output.

    Parameters
    ----------
    model : torch.nn.Module
        Maps ``(n, lag, p)`` to ``(n, p_out)``, each row from its own window only.
    inputs : torch.Tensor, shape (n, lag, p)
    create_graph : bool
        Keep the graph so that a penalty on the Jacobian can be backpropagated to the
        parameters (training); ``False`` detaches the result (read-out).

    Returns
    -------
    torch.Tensor, shape (n, p_out, lag, p)
        ``J[m, j, k-1, i] = d yhat_j(t_m) / d x_i(t_m - k)``.

    Examples
    --------
    >>> import torch
    >>> lin = torch.nn.Linear(2 * 3, 3)          # lag=2, p=3, a linear forecaster
    >>> model = lambda x: lin(x.reshape(len(x), -1))
    >>> J = input_jacobian(model, torch.randn(4, 2, 3))
    >>> J.shape
    torch.Size([4, 3, 2, 3])
    >>> torch.equal(J[0].reshape(3, 6), lin.weight.detach())
    True
    """
    jac = jacrev(lambda z: model(z).sum(0))(inputs)  # (p_out, n, lag, p)
    jac = jac.movedim(0, 1)
    return jac if create_graph else jac.detach()


def mlp_jacobian(model, inputs):
    """Per-sample Jacobian of an :class:`MLPForecaster` in closed form.

    For ReLU layers ``h_l = relu(W_l h_{l-1} + b_l)`` and a linear output ``W_out``, the
    Jacobian of one window is ``W_out D_L W_L ... D_1 W_1`` with ``D_l`` the diagonal of
    ``relu'`` (1 where the pre-activation is positive, else 0, as autograd takes it). It is
    the same tensor as :func:`input_jacobian` returns, built with a few batched matrix
    products instead of one reverse pass per output, and it stays differentiable in the
    weights (the penalty's gradient flows through it).

    Parameters
    ----------
    model : MLPForecaster
    inputs : torch.Tensor, shape (n, lag, p)

    Returns
    -------
    torch.Tensor, shape (n, p, lag, p)
        ``J[m, j, k-1, i] = d yhat_j(t_m) / d x_i(t_m - k)``.

    Examples
    --------
    >>> import torch
    >>> model = MLPForecaster(p=3, lag=2, hidden=(8, 5))
    >>> x = torch.randn(4, 2, 3)
    >>> torch.allclose(mlp_jacobian(model, x), input_jacobian(model, x), atol=1e-6)
    True
    """
    if not isinstance(model, MLPForecaster):
        raise ValueError(f"mlp_jacobian needs an MLPForecaster, got {type(model).__name__}.")
    *hidden_layers, output = [layer for layer in model.net if isinstance(layer, nn.Linear)]
    h, slopes = inputs.reshape(len(inputs), -1), []
    for layer in hidden_layers:
        z = layer(h)
        slopes.append((z > 0).to(z.dtype))
        h = torch.relu(z)
    # From the output back, d yhat / d h_l with shape (n, p, width_l): each step one matrix
    # product with n * p rows, cheaper than carrying d h_l / d input (width_l * p * lag columns).
    J = output.weight
    for layer, slope in zip(reversed(hidden_layers), reversed(slopes)):
        J = torch.matmul(J * slope.unsqueeze(1), layer.weight)
    return J.reshape(len(inputs), output.out_features, *inputs.shape[1:])


def jacobian_scores(jacobian):
    """Granger-causal strengths from per-sample Jacobians: the mean absolute value.

    Parameters
    ----------
    jacobian : torch.Tensor or numpy.ndarray, shape (n, p, lag, p)
        ``J[m, j, k-1, i] = d yhat_j(t_m) / d x_i(t_m - k)`` as from :func:`input_jacobian`.

    Returns
    -------
    numpy.ndarray, shape (p, p, lag)
        ``S[i, j, k-1] = mean_m |J[m, j, k-1, i]|``: cause ``i`` on the rows, in the book's
        orientation.

    Examples
    --------
    >>> import numpy as np
    >>> J = np.zeros((5, 2, 1, 2)); J[:, 1, 0, 0] = -3.0     # x0(t-1) drives yhat_1
    >>> jacobian_scores(J)[:, :, 0]
    array([[0., 3.],
           [0., 0.]])
    """
    J = jacobian.detach().cpu().numpy() if isinstance(jacobian, torch.Tensor) else np.asarray(jacobian, dtype=float)
    if J.ndim != 4 or J.shape[1] != J.shape[3]:
        raise ValueError(f"jacobian must have shape (n, p, lag, p), got {J.shape}.")
    return np.abs(J).mean(axis=0).transpose(2, 0, 1)


# ----------------------------------------------------------------------------- result


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class NeuralGCResult(GraphResult):
    """The scores of a fitted :class:`GRNGC` or :class:`CMLP` (their ``result_``).

    The result shape of every structure-learning method of the package (:ref:`ref-result-shape`): ``scores``,
    ``scores_by_lag``, ``labels``, ``method``, ``adjacency(threshold)``, ``to_frame()`` and
    ``plot()``. The scores are continuous and the methods have no decision rule of their own
    (the papers report AUROC, a ranking over all thresholds), so ``adjacency`` needs a
    threshold and ``to_frame()`` has no ``edge`` column.

    Attributes
    ----------
    scores : numpy.ndarray, shape (p, p)
        ``scores[i, j]``: strength of ``i -> j`` (the estimator's ``scores_``); the diagonal
        is each series' own past.
    scores_by_lag : numpy.ndarray, shape (p, p, lag)
        ``scores_by_lag[i, j, k-1]``: strength of ``x_i(t-k) -> x_j(t)`` (``scores_by_lag_``).
    method : str
        ``"cmlp"``, ``"grngc_mlp"``, ``"grngc_lstm"`` or ``"grngc_kan"``.
    lam : float
        The penalty of the fitted model (``lam_``: the chosen one with ``lam="auto"``).
    labels : tuple of str
        The variable names: a DataFrame's columns, else ``x0, x1, ...``.

    Examples
    --------
    >>> import pandas as pd
    >>> from gcbook.simulate import var
    >>> X, A = var(p=3, T=300, lag=1, seed=0)
    >>> est = GRNGC(lag=1, hidden=(8,), lam=0.01, epochs=50, seed=0).fit(pd.DataFrame(X, columns=list("abc")))
    >>> res = est.result_
    >>> res.method, res.labels, res.scores_by_lag.shape, res.lam
    ('grngc_mlp', ('a', 'b', 'c'), (3, 3, 1), 0.01)
    >>> bool((res.adjacency(threshold=0.0) == (res.scores > 0)).all())
    True
    >>> res.to_frame().columns.tolist()
    ['cause', 'effect', 'score']
    """

    scores: np.ndarray
    scores_by_lag: np.ndarray
    method: str
    lam: float
    labels: tuple = ()

    #: False, since the method has no decision rule of its own; ``adjacency`` needs a threshold.
    has_default_adjacency = False

    def __post_init__(self):
        object.__setattr__(self, "labels", default_labels(np.shape(self.scores)[0], self.labels))

    def adjacency(self, threshold=None) -> np.ndarray:
        """The graph of the scores above ``threshold``.

        Parameters
        ----------
        threshold : float >= 0
            Required: the methods have no threshold of their own. ``0`` keeps every
            nonzero score (for :class:`CMLP`, the groups the penalty did not set to zero);
            :ref:`sec-neural-thresholds` discusses rules that do not use the truth.

        Returns
        -------
        numpy.ndarray of int, shape (p, p)
            ``A[i, j] = 1`` where ``scores[i, j] > threshold`` (``i -> j``); the diagonal
            holds each series' own past, as in the simulators' truth.

        Raises
        ------
        ValueError
            Without a threshold, or for a negative or non-finite one.
        """
        if threshold is None:
            raise ValueError(
                f"{self.method} has no decision rule of its own (its scores are continuous and the method is "
                "judged by their ranking, AUROC); pass a threshold: result.adjacency(threshold=...) gives "
                "A[i, j] = 1 where scores[i, j] > threshold."
            )
        threshold = check_real(threshold, "threshold", low=0.0)
        return (np.asarray(self.scores) > threshold).astype(int)

    def _array_hint(self) -> str:
        return "result.scores (p, p) or result.scores_by_lag (p, p, lag)"

    def __repr__(self) -> str:
        p = self.p
        off = ~np.eye(p, dtype=bool)
        i, j = np.unravel_index(np.argmax(np.where(off, self.scores, -np.inf)), (p, p))
        return (
            f"NeuralGCResult(method={self.method!r}, p={p}, lag={np.shape(self.scores_by_lag)[2]}, "
            f"lam={self.lam:.3g}, top pair {self.labels[i]} -> {self.labels[j]} ({self.scores[i, j]:.3g}))"
        )


# ----------------------------------------------------------------------------- training


@dataclasses.dataclass(frozen=True)
class TrainingHistory:
    """Losses recorded every ``check_every`` epochs during a fit.

    Attributes
    ----------
    epoch : numpy.ndarray of int, shape (n_checks,)
    train_loss : numpy.ndarray, shape (n_checks,)
        The training objective (forecast MSE plus penalty) at that epoch.
    val_loss : numpy.ndarray, shape (n_checks,)
        Mean squared one-step forecast error on the held-out windows (no penalty).
    best_epoch : int
        Epoch whose parameters were kept (lowest validation loss).
    stopped_early : bool
        Whether the patience rule stopped training before ``epochs``.
    """

    epoch: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    best_epoch: int
    stopped_early: bool

    def __repr__(self):
        how = "stopped early" if self.stopped_early else "ran all epochs"
        return (
            f"TrainingHistory({len(self.epoch)} checks up to epoch {int(self.epoch[-1])}, {how}; "
            f"best epoch {self.best_epoch}, val loss {self.val_loss.min():.4g})"
        )

    def plot(self, ax=None):
        """Training objective and validation loss against epoch, with the kept epoch marked."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3))
        ax.plot(self.epoch, self.train_loss, label="training objective")
        ax.plot(self.epoch, self.val_loss, label="validation MSE")
        ax.axvline(self.best_epoch, color="0.5", linestyle=":", label=f"kept (epoch {self.best_epoch})")
        ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.legend(frameon=False)
        return ax


class _Estimator(BaseEstimator):
    """Shared input checks, splitting, standardization and the early-stopping loop."""

    def _check_common(self):
        check_lag(self.lag)
        check_int(self.epochs, "epochs", 1)
        check_int(self.check_every, "check_every", 1)
        check_int(self.patience, "patience", 1)
        check_real(self.lr, "lr", low=0.0, low_open=True)
        self._check_lam()
        check_real(self.val_fraction, "val_fraction", low=0.0, high=0.5, low_open=True)
        return resolve_device(self.device)

    def _prepare(self, X):
        """Validate ``X``, split windows in time and standardize with training statistics.

        ``X`` is one series or a list of recordings. In each recording the last
        ``val_fraction`` of its windows (at least one) are held out; the windows come back
        as every recording's training windows, then every recording's validation windows,
        and none crosses from one recording into the next.
        """
        recordings, labels, lag = recordings_and_lag(X, self.lag)
        p = recordings[0].shape[1]
        n_val = [max(1, int(round(self.val_fraction * (len(rec) - lag)))) for rec in recordings]
        n_train_of = [len(rec) - lag - v for rec, v in zip(recordings, n_val)]  # >= 0: val_fraction <= 0.5
        n_train = sum(n_train_of)
        if n_train < 2 * lag or n_train < 10:
            T = "+".join(str(len(rec)) for rec in recordings)
            raise ValueError(
                f"Too few windows to train on: T={T}, lag={lag} and val_fraction={self.val_fraction} "
                f"leave {n_train} training windows; use a longer series or a smaller lag."
            )
        train_rows = np.concatenate([rec[: lag + m] for rec, m in zip(recordings, n_train_of)])
        mean, std = train_rows.mean(axis=0), train_rows.std(axis=0)
        if np.any(std == 0):
            raise ValueError("A series is constant over the training part; drop it or use a smaller val_fraction.")
        windows = [lagged_windows((rec - mean) / std, lag) for rec in recordings]

        def train_then_val(which):
            parts = [w[which] for w in windows]
            return np.concatenate(
                [a[:m] for a, m in zip(parts, n_train_of)] + [a[m:] for a, m in zip(parts, n_train_of)]
            )

        inputs, targets = train_then_val(0), train_then_val(1)
        stats = {"mean_": mean, "std_": std, "labels_": labels, "n_features_in_": p}
        return inputs, targets, n_train, stats

    def _tensor(self, a):
        return torch.as_tensor(np.ascontiguousarray(a), dtype=torch.float32, device=self._device)

    def _train(self, model, step, val_loss, desc):
        """Run ``step()`` once per epoch; check ``val_loss()`` every ``check_every`` epochs.

        Keeps the parameters of the best check and stops once ``patience`` checks in a
        row failed to improve the best validation loss by a relative ``1e-4``.
        """
        self._train_for(model, step, val_loss, desc, self.epochs)

    def _train_for(self, model, step, val_loss, desc, epochs):
        """:meth:`_train` with a budget of ``epochs`` instead of ``self.epochs`` (warm starts)."""
        from tqdm.auto import tqdm

        best, best_epoch, best_state, bad = math.inf, 0, None, 0
        checked, train_losses, val_losses = [], [], []
        stopped_early = False
        bar = tqdm(range(1, epochs + 1), desc=desc, disable=not self.verbose, leave=False)
        for epoch in bar:
            train_loss = step()
            if epoch % self.check_every and epoch != epochs:
                continue
            with torch.no_grad():
                loss = float(val_loss())
            if not math.isfinite(train_loss) or not math.isfinite(loss):
                raise ValueError(f"Training diverged at epoch {epoch} (loss {train_loss}); lower lr (now {self.lr}).")
            checked.append(epoch), train_losses.append(train_loss), val_losses.append(loss)
            bar.set_postfix(val=f"{loss:.4g}")
            improved = loss < best * (1 - 1e-4)
            if loss < best:
                best, best_epoch, best_state = loss, epoch, copy.deepcopy(model.state_dict())
            bad = 0 if improved else bad + 1
            if bad >= self.patience and epoch < epochs:
                stopped_early = True
                break
        model.load_state_dict(best_state)
        self.loss_history_ = TrainingHistory(
            np.array(checked), np.array(train_losses), np.array(val_losses), best_epoch, stopped_early
        )
        self.val_loss_ = best

    def _fit_scoped(self, X, fit_fn):
        """Run ``fit_fn`` with torch seeded locally and the global torch RNG state restored."""
        self._device = self._check_common()
        inputs, targets, n_train, stats = self._prepare(X)
        devices = [self._device] if self._device.type == "cuda" else []
        start = time.perf_counter()
        with torch.random.fork_rng(devices=devices):
            torch.random.default_generator.manual_seed(seed_int(self.seed))
            fit_fn(self._tensor(inputs), self._tensor(targets), n_train)
        vars(self).update(stats)
        self.fit_seconds_ = time.perf_counter() - start
        return self

    # ------------------------------------------------------------------ the penalty

    def _check_lam(self):
        """A number ``lam >= 0``, or ``"auto"`` with a valid ``lam_grid`` and ``warm_epochs``."""
        if isinstance(self.lam, str):
            check_choice(self.lam, "lam", ("auto",))
            if self.lam_grid is not None:
                _check_lam_grid(self.lam_grid)
            if self.warm_epochs is not None:
                check_int(self.warm_epochs, "warm_epochs", 1)
        else:
            check_real(self.lam, "lam", low=0.0)

    def _fit_lam_scoped(self, X):
        """``fit`` for a numeric ``lam`` (one fit, as always) or for ``lam="auto"`` (the path)."""
        auto = isinstance(self.lam, str)  # any other string is rejected in _check_common
        self._fit_scoped(X, self._fit_auto if auto else self._fit_tensors)
        if not auto:
            for name in _PATH_ATTRIBUTES:
                vars(self).pop(name, None)
            self.lam_ = float(self.lam)

    def _auto_grid(self, x_tr, y_tr):
        """The sorted grid of the path: ``lam_grid``, or ``lam_max * geomspace(1e-3, 1, 6)``."""
        if self.lam_grid is not None:
            return _check_lam_grid(self.lam_grid)
        # c[k-1, i, j] = mean_t x_i(t-k) x_j(t) over the training windows (standardized units)
        c = torch.einsum("nki,nj->kij", x_tr.double(), y_tr.double()) / len(x_tr)
        lam_max = 2.0 * float(self._linear_lam_max(c))
        if not (math.isfinite(lam_max) and lam_max > 0):  # only if every lagged product vanishes
            lam_max = 1.0
        return lam_max * np.geomspace(_GRID_LOW, 1.0, _GRID_SIZE)

    def _fit_auto(self, inputs, targets, n_train):
        """Fit the warm-started validation path, extend it at an end if needed, keep the best point."""
        grid = [float(lam) for lam in self._auto_grid(inputs[:n_train], targets[:n_train])]
        warm = self.warm_epochs if self.warm_epochs is not None else max(1, self.epochs // 4)
        model = self._new_model(inputs.shape[2])
        points = {}  # lam -> (validation MSE, scores_by_lag, TrainingHistory)
        kept = {}  # the parameters of the current choice

        def choice():
            lams = sorted(points)
            return lams, int(np.argmin([points[lam][0] for lam in lams]))

        def fit_point(lam, epochs):
            self._fit_lam(model, inputs, targets, n_train, lam, epochs)
            points[lam] = (self.val_loss_, self._read_scores(model, inputs), self.loss_history_)
            state = copy.deepcopy(model.state_dict())
            lams, best = choice()
            if lams[best] == lam:
                kept["state"] = state
            return state

        low = fit_point(grid[0], self.epochs)  # from the seeded initialization, full budget
        high = low
        for lam in grid[1:]:  # small to large, each from the previous point's parameters
            high = fit_point(lam, warm)
        below = above = 0
        while True:
            lams, best = choice()
            if best == 0 and below < _MAX_EXTENSIONS:
                model.load_state_dict(low)
                low = fit_point(lams[0] ** 2 / lams[1], warm)
                below += 1
            elif best == len(lams) - 1 and above < _MAX_EXTENSIONS:
                model.load_state_dict(high)
                high = fit_point(lams[-1] ** 2 / lams[-2], warm)
                above += 1
            else:
                break
        lams, best = choice()
        model.load_state_dict(kept["state"])
        chosen, history = lams[best], points[lams[best]][2]
        if not history.stopped_early and history.epoch[-1] == warm < self.epochs:
            # a warm fit that ran out of budget before early stopping fired, i.e. still
            # improving within the patience window (its last check need not be its best: the
            # subsampled penalty makes the validation curve noisy): train it on, up to the
            # budget of a single fit in all; keep the result only if it validates better
            record = points[chosen]
            self._fit_lam(model, inputs, targets, n_train, chosen, self.epochs - warm)
            if self.val_loss_ < record[0]:
                points[chosen] = (self.val_loss_, self._read_scores(model, inputs), self.loss_history_)
            else:
                model.load_state_dict(kept["state"])
        self.model_ = model
        self.val_loss_, self.scores_by_lag_, self.loss_history_ = points[lams[best]]
        self.lam_ = lams[best]
        self.lam_path_ = np.array(lams)
        self.lam_path_val_loss_ = np.array([points[lam][0] for lam in lams])
        self.lam_path_scores_ = np.stack([self._aggregate(points[lam][1]) for lam in lams])
        self.lam_path_extended_ = (below, above)

    def _check_fitted(self):
        check_is_fitted(self, "model_", "fit(X)")

    @property
    def result_(self) -> NeuralGCResult:
        """The fitted scores as a :class:`NeuralGCResult` (raises NotFittedError before ``fit``)."""
        self._check_fitted()
        return NeuralGCResult(
            scores=self.scores_,
            scores_by_lag=self.scores_by_lag_,
            method=self._method_name(),
            lam=float(self.lam_),
            labels=tuple(self.labels_),
        )

    def _windows_of(self, X):
        self._check_fitted()
        X, _ = as_time_series(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} series but the model was fitted on {self.n_features_in_}.")
        inputs, _ = lagged_windows((X - self.mean_) / self.std_, self.lag)
        return self._tensor(inputs)

    def predict(self, X):
        """One-step-ahead forecasts in the original units.

        Parameters
        ----------
        X : array_like, shape (T, p)

        Returns
        -------
        numpy.ndarray, shape (T - lag, p)
            Row ``m`` forecasts ``X[lag + m]`` from the ``lag`` rows before it.
        """
        inputs = self._windows_of(X)
        with torch.no_grad():
            pred = self.model_(inputs).cpu().numpy().astype(np.float64)
        return pred * self.std_ + self.mean_


_GRID_LOW, _GRID_SIZE, _MAX_EXTENSIONS = 1e-3, 6, 3
# Windows per Jacobian in GRNGC's read-out: p = 100, lag = 5 needs about 50 MB per chunk of 256.
_READOUT_CHUNK = 256
_PATH_ATTRIBUTES = ("lam_path_", "lam_path_val_loss_", "lam_path_scores_", "lam_path_extended_")


def _check_lam_grid(grid):
    """``lam_grid`` as a sorted array of distinct values, or a ValueError."""
    try:
        values = np.asarray(grid, dtype=float)
    except (TypeError, ValueError):
        values = None
    if (
        values is None or values.ndim != 1 or not np.all(np.isfinite(values))
        or np.any(values <= 0) or np.unique(values).size < 2
    ):  # fmt: skip
        raise ValueError(
            f"lam_grid must be None or a 1-D sequence of at least two distinct finite values > 0, got {grid!r}."
        )
    return np.unique(values)


def _check_hidden(hidden, model):
    if model == "mlp":
        widths = (hidden,) if isinstance(hidden, (int, np.integer)) else tuple(hidden)
        if not widths or any(isinstance(w, bool) or not isinstance(w, (int, np.integer)) or w < 1 for w in widths):
            raise ValueError(
                f"hidden must be a positive int or a tuple of positive ints for model='mlp', got {hidden!r}."
            )
        return tuple(int(w) for w in widths)
    return check_int(hidden, "hidden", 1)


class GRNGC(_Estimator):
    """Gradient-regularized neural Granger causality: one forecaster, L1 on its Jacobian.

    The model ``f`` forecasts all series at once, ``yhat(t) = f(x(t-1), ..., x(t-lag))``,
    and minimizes

    .. math::

        \\frac{1}{p} \\sum_{j=1}^{p} \\Big[ \\frac{1}{n} \\sum_t (\\hat y_j(t) - x_j(t))^2
        + \\lambda \\sum_{i=1}^{p} \\sum_{k=1}^{L}
        \\frac{1}{n} \\sum_t \\Big| \\frac{\\partial \\hat y_j(t)}{\\partial x_i(t-k)} \\Big| \\Big]

    with Adam on the whole training set per epoch. The Jacobian is exact: in closed form
    for the MLP (:func:`mlp_jacobian`, a few matrix products), by reverse mode for the
    LSTM and the KAN (:func:`input_jacobian`, :func:`torch.func.jacrev`); the same mean
    absolute Jacobian over all windows is the read-out.

    Parameters
    ----------
    lag : int, default 5
        Window length ``L``.
    model : {"mlp", "lstm", "kan"}, default "mlp"
        The forecaster: :class:`MLPForecaster`, :class:`LSTMForecaster` or :class:`KANForecaster`.
    hidden : int or tuple of int, optional
        Hidden width(s); default ``(64,)`` for the MLP, 32 for the LSTM, 16 for the KAN.
    lam : "auto" or float >= 0, default "auto"
        Weight ``lambda`` of the Jacobian penalty, in standardized units. ``"auto"``
        chooses it on a warm-started validation path (see Notes); the truth is never an
        input. A number fits once with that penalty.
    epochs : int, default 2000
        Maximum number of full-batch epochs.
    lr : float, default 3e-3
        Adam learning rate.
    val_fraction : float in (0, 0.5], default 0.2
        Fraction of windows, the last in time, held out for early stopping.
    check_every : int, default 10
        Epochs between validation checks.
    patience : int, default 20
        Checks without improvement before stopping.
    lag_aggregate : {"max", "mean"}, default "max"
        How ``scores_`` summarizes ``scores_by_lag_`` over lags.
    penalty_samples : int or None, default 64
        An int ``m`` computes the penalty each epoch on a fresh random subset of ``m``
        training windows: an unbiased estimate of the penalty and of its gradient at
        about ``m / n`` of its cost, the Jacobian being ``p`` times dearer than the
        forecast. ``None`` computes it exactly, on every training window (also what
        happens when ``m`` is at least the number of training windows). The forecast loss
        and the read-out always use all windows.
    seed : None, int or numpy.random.Generator
    device : str or torch.device, default "cpu"
    verbose : bool, default False
        Show a tqdm progress bar.
    lam_grid : sequence of float or None, default None
        Used only with ``lam="auto"``: the starting grid of the path (at least two
        distinct values > 0, any order). ``None`` scales a grid to the data (see Notes).
    warm_epochs : int or None, default None
        Used only with ``lam="auto"``: epoch budget of each warm-started point of the
        path after the first; ``None`` means ``max(1, epochs // 4)``.

    Attributes
    ----------
    scores_ : numpy.ndarray, shape (p, p)
        ``scores_[i, j]``: strength of ``i -> j`` (max or mean over lags).
    scores_by_lag_ : numpy.ndarray, shape (p, p, lag)
        ``scores_by_lag_[i, j, k-1] = mean_t |d yhat_j(t) / d x_i(t-k)|``, standardized units.
    loss_history_ : TrainingHistory
        With ``lam="auto"``: the history of the chosen point's last training run, its
        epochs counted from that run's (warm) start.
    val_loss_ : float
        Best validation MSE (standardized units, forecast error only: no penalty) of
        the kept parameters. With ``lam="auto"`` it is the chosen point's, the minimum of
        ``lam_path_val_loss_``.
    lam_ : float
        The penalty of the returned model: ``lam`` itself when it is a number, the
        chosen value when ``lam="auto"``.
    lam_path_ : numpy.ndarray, shape (m,)
        Only with ``lam="auto"``: the grid actually fitted (extensions included),
        increasing.
    lam_path_val_loss_ : numpy.ndarray, shape (m,)
        Only with ``lam="auto"``: ``val_loss_`` of the fit at each ``lam_path_`` value.
    lam_path_scores_ : numpy.ndarray, shape (m, p, p)
        Only with ``lam="auto"``: ``scores_`` of the fit at each ``lam_path_`` value.
    lam_path_extended_ : tuple of int
        Only with ``lam="auto"``: the number of values added below and above the
        starting grid (each at most 3).
    result_ : NeuralGCResult
        ``scores_``, ``scores_by_lag_``, ``lam_`` and the labels in the result shape
        shared by the package's methods (``method`` ``"grngc_mlp"``, ``"grngc_lstm"`` or
        ``"grngc_kan"``); no decision rule, so ``result_.adjacency`` needs a threshold.
    labels_ : list of str
        The variable names: a DataFrame's columns, else ``x0, x1, ...``.
    model_ : torch.nn.Module
        The trained forecaster (parameters of the best validation check).
    mean_, std_ : numpy.ndarray, shape (p,)
        Standardization statistics of the training part.
    fit_seconds_ : float
        Wall time of ``fit`` (the whole path with ``lam="auto"``).

    Notes
    -----
    **Choosing the penalty** (``lam="auto"``). The validation windows used for early
    stopping also choose ``lambda``; the true graph is never an input.

    1. *Grid.* ``lam_grid`` when given; otherwise the 6 values
       ``lam_max * geomspace(1e-3, 1, 6)`` (neighbours a factor of about 4 apart).
       ``lam_max`` is scaled to the data: it is the penalty at which the same penalty on
       a *linear* forecaster of the standardized training windows would set every
       coefficient to zero (the lasso's entry point), ``2 max_{i,j,k} |c_ijk|`` with
       ``c_ijk = mean_t x_i(t-k) x_j(t)``; for :class:`CMLP`, whose groups join the
       lags, ``2 max_{i,j} (sum_k c_ijk^2)^(1/2)``. A network is not linear, so this
       sets the scale, not the end points; the extension below corrects a grid that
       misses.
    2. *Warm starts.* The smallest value is fitted exactly as ``fit`` with that
       numeric ``lam`` would be (same initialization, ``epochs`` budget). Each larger
       value starts from the parameters kept at the previous one, with a fresh
       optimizer and a budget of ``warm_epochs``, so the path costs at most
       ``2 * epochs + (m - 2) * warm_epochs`` epochs (with step 5) instead of
       ``m * epochs`` for separate fits (:func:`lambda_path`). Every point uses the same early stopping as a single
       fit, so its validation loss has the same meaning.
    3. *Choice.* The value with the lowest validation loss (the forecast MSE of the
       point's kept parameters, no penalty); a tie goes to the smaller value.
    4. *Extension.* If the choice is the smallest (largest) value fitted, one more value
       is added beyond that end at the ratio of the two end values, warm-started from
       that end's parameters, and the choice is made again; at most 3 values are added
       at each end. A choice still at an end after 3 additions means the validation loss
       keeps falling that way: give a wider ``lam_grid``.
    5. *Final model.* Taken from the path, not refitted from the initialization: it
       is the model whose validation loss made the choice, while a refit would cost a
       full fit more and give a different model, with a validation loss nobody
       compared. One exception: if the chosen point is a warm fit that ran out of
       ``warm_epochs`` before the patience rule stopped it (its validation loss improved
       within the last ``patience`` checks, though not necessarily at the last), it is trained on
       from its parameters for up to ``epochs - warm_epochs`` more epochs (the budget
       of a single fit in all), with the same early stopping, and the result replaces
       that point of the path if its validation loss is lower; the choice stands,
       since that point's loss only went down.

    Above the chosen value the validation loss rises as the penalty starts to act, so
    early stopping keeps parameters from the first checks of those warm fits: their
    ``lam_path_scores_`` show where the penalty pushes, not fully converged fits.

    Examples
    --------
    >>> from gcbook.simulate import var
    >>> X, A = var(p=4, T=400, lag=2, seed=0)
    >>> est = GRNGC(lag=2, lam=0.01, epochs=200, seed=0).fit(X)
    >>> est.scores_.shape, est.scores_by_lag_.shape
    ((4, 4), (4, 4, 2))
    >>> est.lam_ == 0.01, hasattr(est, "lam_path_")
    (True, False)

    With ``lam="auto"`` the penalty is the one with the lowest validation loss on the
    path, and it lies inside the path unless the path ran out of extensions:

    >>> est = GRNGC(lag=2, hidden=(8,), lam="auto", epochs=100, lr=1e-2, seed=0).fit(X)
    >>> m = len(est.lam_path_)
    >>> est.lam_path_val_loss_.shape == (m,) and est.lam_path_scores_.shape == (m, 4, 4)
    True
    >>> bool(est.lam_ == est.lam_path_[est.lam_path_val_loss_.argmin()])
    True
    >>> below, above = est.lam_path_extended_
    >>> bool((est.lam_ > est.lam_path_[0] or below == 3) and (est.lam_ < est.lam_path_[-1] or above == 3))
    True
    """

    def __init__(
        self, *, lag=5, model="mlp", hidden=None, lam="auto", epochs=2000, lr=3e-3, val_fraction=0.2,
        check_every=10, patience=20, lag_aggregate="max", penalty_samples=64, seed=None, device="cpu",
        verbose=False, lam_grid=None, warm_epochs=None,
    ):  # fmt: skip
        self.lag, self.model, self.hidden, self.lam = lag, model, hidden, lam
        self.epochs, self.lr, self.val_fraction = epochs, lr, val_fraction
        self.check_every, self.patience, self.lag_aggregate = check_every, patience, lag_aggregate
        self.penalty_samples = penalty_samples
        self.seed, self.device, self.verbose = seed, device, verbose
        self.lam_grid, self.warm_epochs = lam_grid, warm_epochs

    def _build(self, p):
        kind = self.model  # checked in fit
        default = {"mlp": (64,), "lstm": 32, "kan": 16}[kind]
        hidden = _check_hidden(default if self.hidden is None else self.hidden, kind)
        cls = {"mlp": MLPForecaster, "lstm": LSTMForecaster, "kan": KANForecaster}[kind]
        return cls(p, self.lag, hidden).to(self._device)

    def fit(self, X):
        """Train the forecaster on ``X`` and read out the scores; returns ``self``.

        ``X`` has shape ``(T, p)``, or is a list of recordings of the same ``p`` series,
        shapes ``(T_r, p)`` (trials, subjects, experiments): one forecaster is trained on
        the windows of all of them, none crossing from one recording into the next, and the
        last ``val_fraction`` of each recording's windows are held out.

        With ``lam="auto"`` this fits the whole validation path (see Notes) and keeps the
        model at the chosen penalty.
        """
        check_choice(self.lag_aggregate, "lag_aggregate", AGGREGATES)
        check_choice(self.model, "model", MODELS)
        if self.penalty_samples is not None:
            check_int(self.penalty_samples, "penalty_samples", 1)
        self._fit_lam_scoped(X)
        self.scores_ = self._aggregate(self.scores_by_lag_)
        return self

    def _aggregate(self, scores_by_lag):
        reduce = np.max if self.lag_aggregate == "max" else np.mean
        return reduce(scores_by_lag, axis=-1)

    @staticmethod
    def _linear_lam_max(c):
        """Half the lasso's entry point, ``max |c|`` over ``c`` of shape ``(lag, p, p)``: one coefficient per lag."""
        return c.abs().max()

    def _new_model(self, p):
        return self._build(p)

    def _method_name(self) -> str:
        """``"grngc_<model>"`` of the fitted forecaster (not of ``model``, which ``set_params`` may change)."""
        kind = {MLPForecaster: "mlp", LSTMForecaster: "lstm", KANForecaster: "kan"}[type(self.model_)]
        return f"grngc_{kind}"

    def _fit_tensors(self, inputs, targets, n_train):
        model = self._build(inputs.shape[2])
        self._fit_lam(model, inputs, targets, n_train, self.lam, self.epochs)
        self.model_ = model
        self.scores_by_lag_ = self._read_scores(model, inputs)

    def _read_scores(self, model, inputs):
        """:func:`jacobian_scores` of all windows, summed a chunk at a time to bound memory."""
        total = 0.0
        for chunk in inputs.split(_READOUT_CHUNK):
            total = total + self._jacobian(model, chunk).abs().sum(0, dtype=torch.float64)
        return (total / len(inputs)).cpu().numpy().transpose(2, 0, 1)

    def _fit_lam(self, model, inputs, targets, n_train, lam, epochs):
        """Train ``model`` in place with penalty ``lam`` for at most ``epochs`` epochs (fresh Adam)."""
        x_tr, y_tr, x_val, y_val = inputs[:n_train], targets[:n_train], inputs[n_train:], targets[n_train:]
        optimizer = torch.optim.Adam(model.parameters(), lr=self.lr)
        p = inputs.shape[2]

        subsample = self.penalty_samples is not None and self.penalty_samples < n_train

        def step():
            optimizer.zero_grad()
            mse = torch.mean((model(x_tr) - y_tr) ** 2)
            if lam > 0:
                x_pen = x_tr[torch.randperm(n_train)[: self.penalty_samples].to(x_tr.device)] if subsample else x_tr
                penalty = self._jacobian(model, x_pen, create_graph=True).abs().mean(0).sum() / p
                loss = mse + lam * penalty
            else:
                loss = mse
            loss.backward()
            optimizer.step()
            return loss.item()

        self._train_for(model, step, lambda: torch.mean((model(x_val) - y_val) ** 2), "GRNGC", epochs)

    def jacobian(self, X):
        """Per-window Jacobians of the fitted forecaster on ``X``.

        Returns
        -------
        numpy.ndarray, shape (T - lag, p, lag, p)
            ``J[m, j, k-1, i] = d yhat_j / d x_i(t-k)`` at target time ``t = lag + m``,
            in standardized units.
        """
        inputs = self._windows_of(X)
        return self._jacobian(self.model_, inputs).cpu().numpy().astype(np.float64)

    @staticmethod
    def _jacobian(model, inputs, create_graph=False):
        """:func:`mlp_jacobian` for the MLP (a few matrix products), :func:`input_jacobian` otherwise."""
        if isinstance(model, MLPForecaster):
            if create_graph:
                return mlp_jacobian(model, inputs)
            with torch.no_grad():
                return mlp_jacobian(model, inputs)
        return input_jacobian(model, inputs, create_graph=create_graph)


class CMLP(_Estimator):
    """Component-wise MLP (Tank et al.): one network per target, group lasso on inputs.

    Network ``j`` forecasts ``x_j(t)`` from the window; the objective is

    .. math::

        \\sum_{j=1}^{p} \\Big[ \\frac{1}{n} \\sum_t (\\hat y_j(t) - x_j(t))^2
        + \\lambda \\sum_{i=1}^{p} \\| W^{(j)}_{:, :, i} \\|_F
        + \\lambda_{\\text{ridge}} \\| w^{(j)}_{\\text{out}} \\|^2 \\Big]

    where ``W^{(j)}_{:, :, i}`` are the first-layer weights (all hidden units, all lags)
    that read series ``i``. Each epoch is one full-batch proximal gradient (ISTA) step:
    a gradient step of size ``lr`` on the smooth part, then group soft-thresholding,
    which sets whole groups exactly to zero. The ``p`` networks are stored as batched
    tensors (:class:`ComponentwiseMLP`), so they train together without a Python loop.

    Parameters
    ----------
    lag : int, default 5
    hidden : int, default 100
        Hidden units per network.
    lam : "auto" or float >= 0, default "auto"
        Group-lasso weight; ``"auto"`` chooses it on a warm-started validation path, as
        in :class:`GRNGC` (Notes there; here ``lam_max`` is the group lasso's entry point).
        A number fits once with that penalty (0.002 is the value of the earlier default).
    lam_ridge : float, default 0.01
        Ridge weight on the output layer.
    epochs : int, default 2000
        Maximum number of ISTA steps.
    lr : float, default 0.05
        ISTA step size.
    val_fraction, check_every, patience, seed, device, verbose, lam_grid, warm_epochs
        As in :class:`GRNGC`.

    Attributes
    ----------
    scores_ : numpy.ndarray, shape (p, p)
        ``scores_[i, j] = ||W^{(j)}_{:, :, i}||_F``, the group norm that the penalty acts on.
    scores_by_lag_ : numpy.ndarray, shape (p, p, lag)
        ``scores_by_lag_[i, j, k-1] = ||W^{(j)}_{:, k-1, i}||_2``.
    loss_history_, val_loss_, model_, mean_, std_, fit_seconds_
        As in :class:`GRNGC`.
    lam_, lam_path_, lam_path_val_loss_, lam_path_scores_, lam_path_extended_
        As in :class:`GRNGC`; the ``lam_path_*`` attributes exist only after a fit with
        ``lam="auto"``.
    result_ : NeuralGCResult
        As in :class:`GRNGC`, with ``method`` ``"cmlp"``; ``result_.adjacency(threshold=0)``
        is the support the group lasso kept.
    labels_
        As in :class:`GRNGC`.

    Examples
    --------
    >>> from gcbook.simulate import var
    >>> X, A = var(p=4, T=400, lag=2, seed=0)
    >>> est = CMLP(lag=2, hidden=20, epochs=200, seed=0).fit(X)
    >>> est.scores_.shape
    (4, 4)
    >>> est = CMLP(lag=2, hidden=8, lam="auto", epochs=100, seed=0).fit(X)
    >>> bool(est.lam_ in est.lam_path_), est.lam_path_scores_.shape[1:]
    (True, (4, 4))
    """

    def __init__(
        self, *, lag=5, hidden=100, lam="auto", lam_ridge=0.01, epochs=2000, lr=0.05, val_fraction=0.2,
        check_every=10, patience=20, seed=None, device="cpu", verbose=False, lam_grid=None, warm_epochs=None,
    ):  # fmt: skip
        self.lag, self.hidden, self.lam, self.lam_ridge = lag, hidden, lam, lam_ridge
        self.epochs, self.lr, self.val_fraction = epochs, lr, val_fraction
        self.check_every, self.patience = check_every, patience
        self.seed, self.device, self.verbose = seed, device, verbose
        self.lam_grid, self.warm_epochs = lam_grid, warm_epochs

    def fit(self, X):
        """Train the ``p`` networks on ``X`` and read out the scores; returns ``self``.

        ``X`` has shape ``(T, p)`` or is a list of recordings, as in :meth:`GRNGC.fit`.

        With ``lam="auto"`` this fits the whole validation path (see :class:`GRNGC`, Notes)
        and keeps the networks at the chosen penalty.
        """
        check_int(self.hidden, "hidden", 1)
        check_real(self.lam_ridge, "lam_ridge", low=0.0)
        self._fit_lam_scoped(X)
        self.scores_ = self._aggregate(self.scores_by_lag_)
        return self

    @staticmethod
    def _aggregate(scores_by_lag):
        return np.sqrt((scores_by_lag**2).sum(axis=-1))

    @staticmethod
    def _linear_lam_max(c):
        """Half the group lasso's entry point, ``max_ij ||c[:, i, j]||``: one group per (cause, target), all lags."""
        return c.pow(2).sum(0).sqrt().max()

    def _new_model(self, p):
        return ComponentwiseMLP(p, self.lag, self.hidden).to(self._device)

    @staticmethod
    def _method_name() -> str:
        return "cmlp"

    def _fit_tensors(self, inputs, targets, n_train):
        model = self._new_model(inputs.shape[2])
        self._fit_lam(model, inputs, targets, n_train, self.lam, self.epochs)
        self.model_ = model
        self.scores_by_lag_ = self._read_scores(model, inputs)

    @staticmethod
    def _read_scores(model, inputs=None):
        W = model.weight_in.detach().cpu().numpy().astype(np.float64)
        return np.sqrt((W**2).sum(axis=1)).transpose(2, 0, 1)  # (i, j, k)

    def _fit_lam(self, model, inputs, targets, n_train, lam, epochs):
        """Train ``model`` in place with penalty ``lam`` for at most ``epochs`` ISTA steps."""
        x_tr, y_tr, x_val, y_val = inputs[:n_train], targets[:n_train], inputs[n_train:], targets[n_train:]
        params = list(model.parameters())

        def step():
            smooth = torch.mean((model(x_tr) - y_tr) ** 2, dim=0).sum()
            smooth = smooth + self.lam_ridge * (model.weight_out**2).sum()
            grads = torch.autograd.grad(smooth, params)
            with torch.no_grad():
                W = model.weight_in  # (p_out, hidden, lag, p_in); a group is W[j, :, :, i]
                # The objective is reported at the iterate this step starts from, penalty included.
                penalty = lam * torch.sqrt((W**2).sum(dim=(1, 2))).sum()
                for param, grad in zip(params, grads):
                    param -= self.lr * grad
                norms = torch.sqrt((W**2).sum(dim=(1, 2), keepdim=True))
                W *= torch.clamp(1 - self.lr * lam / norms.clamp_min(1e-30), min=0.0)
            return (smooth + penalty).item()

        self._train_for(model, step, lambda: torch.mean((model(x_val) - y_val) ** 2), "CMLP", epochs)


# ----------------------------------------------------------------------------- lambda path


@dataclasses.dataclass(frozen=True)
class LambdaPath:
    """Scores of one estimator fitted over a grid of penalty weights.

    Attributes
    ----------
    lams : numpy.ndarray, shape (m,)
    scores : numpy.ndarray, shape (m, p, p)
        ``scores[l]`` is ``scores_`` of the fit with ``lams[l]``.
    scores_by_lag : numpy.ndarray, shape (m, p, p, lag)
    val_loss : numpy.ndarray, shape (m,)
        Best validation MSE of each fit.
    fit_seconds : numpy.ndarray, shape (m,)
    """

    lams: np.ndarray
    scores: np.ndarray
    scores_by_lag: np.ndarray
    val_loss: np.ndarray
    fit_seconds: np.ndarray

    @property
    def selected(self) -> int:
        """Index of the penalty with the lowest validation loss (the only honest selector here)."""
        return int(np.argmin(self.val_loss))

    @property
    def selected_scores(self) -> np.ndarray:
        """``scores`` at :attr:`selected`, shape (p, p)."""
        return self.scores[self.selected]

    def __repr__(self):
        lam = self.lams[self.selected]
        return (
            f"LambdaPath({len(self.lams)} penalties, p={self.scores.shape[1]}; lowest validation loss at lam={lam:.3g})"
        )

    def plot(self, A_true=None, ax=None):
        """Each off-diagonal score against ``lam`` (log scale).

        With ``A_true`` the true edges are drawn in a second colour, to *show* how the
        path separates them; the selection itself never uses ``A_true``.
        """
        import matplotlib.pyplot as plt

        from gcbook.plotting import PALETTE

        if ax is None:
            _, ax = plt.subplots(figsize=(5.5, 3.5))
        p = self.scores.shape[1]
        off = ~np.eye(p, dtype=bool)
        curves = self.scores[:, off]
        truth = np.zeros(off.sum(), bool) if A_true is None else (np.asarray(A_true)[off] != 0)
        for edge in (False, True):
            cols = curves[:, truth == edge]
            if cols.size:
                color = PALETTE["truth"] if edge else PALETTE["neutral"]
                lines = ax.plot(self.lams, cols, color=color, lw=1.0, alpha=0.8)
                lines[0].set_label("true edge" if edge else ("non-edge" if A_true is not None else "pair"))
        ax.axvline(self.lams[self.selected], color="0.2", ls=":", label="lowest validation loss")
        ax.set_xscale("log")
        ax.set_xlabel(r"penalty $\lambda$")
        ax.set_ylabel("score")
        ax.legend(frameon=False, fontsize="small")
        return ax


def lambda_path(estimator, X, lams):
    """Fit copies of ``estimator`` for each penalty weight in ``lams``.

    Every fit starts from the same initialization (the estimator's ``seed``), so the
    path is reproducible and each point is independent of the others.

    Parameters
    ----------
    estimator : GRNGC or CMLP
        Its ``lam`` is replaced by each value in turn; the estimator itself is not changed.
    X : array_like, shape (T, p)
    lams : sequence of float, length m >= 1, each >= 0

    Returns
    -------
    LambdaPath

    Examples
    --------
    >>> from gcbook.simulate import var
    >>> X, A = var(p=3, T=300, lag=1, seed=1)
    >>> path = lambda_path(GRNGC(lag=1, epochs=100, seed=0), X, [0.0, 0.1])
    >>> path.scores.shape, path.val_loss.shape
    ((2, 3, 3), (2,))
    """
    if not isinstance(estimator, _Estimator):
        raise ValueError(f"estimator must be a GRNGC or CMLP, got {type(estimator).__name__}.")
    lams = np.atleast_1d(np.asarray(lams, dtype=float))
    if lams.ndim != 1 or lams.size == 0 or not np.all(np.isfinite(lams)) or np.any(lams < 0):
        raise ValueError(f"lams must be a non-empty 1-D sequence of finite values >= 0, got {lams!r}.")
    seed = seed_int(estimator.seed)
    fits = [copy.deepcopy(estimator).set_params(lam=float(lam), seed=seed).fit(X) for lam in lams]
    return LambdaPath(
        lams=lams,
        scores=np.stack([f.scores_ for f in fits]),
        scores_by_lag=np.stack([f.scores_by_lag_ for f in fits]),
        val_loss=np.array([f.val_loss_ for f in fits]),
        fit_seconds=np.array([f.fit_seconds_ for f in fits]),
    )
