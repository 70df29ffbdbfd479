"""Dynamic window-level Granger causality (DWGC): one Granger comparison per sliding window.

Taught in the chapter :ref:`chap-dwgc` (``book/dwgc.md``).

Zhang, Hu, Tian and Zhu (*Dynamic Window-level Granger Causality of Multi-channel
Time Series*) ask, for every window of ``k`` consecutive time points, whether the
past of a cause channel helps forecast an effect channel **in that window**. Two
forecasters of the effect are compared over the window's time points: one that
sees only the effect's own past (its mean squared error is ``L1``) and one that
also sees the cause's past (``L2``); the paper calls the window causal when
``F = L1 / L2`` exceeds a threshold ``epsilon`` (``> 1``).

Windows
-------
Window ``w`` holds the ``window`` *targets* ``t = s_w, ..., s_w + window - 1``;
each target is forecast from its past ``t - 1, ..., t - lag``, which may reach
before ``s_w`` (the paper's ``Y_{<t}``). Windows start at ``lag`` (so every
target has a full past) and then every ``step`` points while they fit.

Two forecasters
---------------
``model="linear"``
    Ordinary least squares *inside each window*: the restricted model regresses
    the effect on an intercept and its own ``lag`` lags, the full model adds the
    cause's ``lag`` lags. Besides the paper's ratio ``L1 / L2 = RSS_r / RSS_u``
    this gives the classical F statistic with its degrees of freedom,

    .. math:: F = \\frac{(\\mathrm{RSS}_r - \\mathrm{RSS}_u)/L}{\\mathrm{RSS}_u/(k - 2L - 1)}
              \\sim F(L,\\, k - 2L - 1) \\text{ under } H_0,

    and a p-value per window. Because the models are nested and fitted on the
    same points, ``L1 / L2 >= 1`` in every window: the paper's rule ``L1/L2 > 1``
    would call every window causal, so ``f_stat`` holds the classical ``F``
    (``F = (L1/L2 - 1)(k - 2L - 1)/L``). All windows are fitted in one batched QR
    factorisation, without a Python loop over windows.
``model="nar"``
    The paper's nonlinear autoregressive (NAR) forecasters: two one-hidden-layer
    networks fitted once on the whole series (standardized), evaluated window by
    window; ``f_stat = L1 / L2``. A global model can do better or worse than its
    average in a given window, so ``F < 1`` is possible. The networks are
    trained together as one batched tensor model.

    The errors are *in-sample*: the networks are evaluated on the points they were
    trained on (the paper does not say how it fits its forecasters on the
    simulations; this is our reading). In-sample errors are biased down, more so for
    the full network, which has the cause's lags as extra inputs, so ``L1 / L2`` is
    biased *up* compared with forecasters evaluated on held-out data (the setting of
    the paper's Theorem 1 and of its ENSO experiment): even without a link, more
    than half of the windows can have ``L1 / L2 > 1``.

Causality indexing (``indexing=True``, NAR only)
------------------------------------------------
The paper reweights the series by a causality index ``Phi`` (one positive
weight per time point and channel), ``A = Phi * Y``, to scale down the time
points where a channel's own autoregressive forecast is unusually bad. It
alternates (its Algorithm 1):

1. fit the NAR forecasters on ``A`` and compute every window's ``F``;
2. on the windows with ``F > epsilon``, fit ``Phi`` so that inside each window it
   follows ``h = alpha - tanh(u**2)`` of the channel's squared autoregressive errors
   ``u**2``, with ``alpha > 1`` (the paper uses ``alpha = 6/5``).

The paper's loss (9) is ``sum_windows sum_channels KL(Phi_window, h(u_window**2))``,
a KL divergence written between two positive vectors that need not sum to one.
What we minimise is **our interpretation** of it, and departs from the paper in
these points:

* both vectors are normalised within each window,
  ``KL(Phi_w / sum Phi_w || h_w / sum h_w)``, so the loss is a divergence between
  two distributions over the window's time points (>= 0, zero only at
  ``Phi_w proportional to h_w``). The paper's unnormalised expression
  ``sum_t Phi_t log(Phi_t / h_t)`` can be negative, and its minimum,
  ``Phi_w = h_w / e``, is also proportional to ``h_w`` but has a fixed scale; ours
  has the same shape inside each window and leaves the scale to the next point, so
  the two optima differ by one factor per window and channel (which does change
  ``A = Phi * Y``);
* the normalised loss leaves one factor per window free; a penalty on each window's
  squared mean of ``log Phi`` picks it (geometric mean 1 over each window when
  windows do not overlap) without moving the optimum of the loss. It keeps the
  reweighted series ``A = Phi * Y`` on the scale of ``Y``; the paper fixes no scale;
* ``h`` is evaluated on the errors of the *standardised* series (we standardise both
  channels before fitting). ``h`` is not scale-free, so the unit matters: here
  ``tanh`` saturates for errors above about one standard deviation of the series.
  The paper does not give the unit;
* the errors ``u`` are those of the autoregressive forecasters: the restricted
  network for the effect, a third network on its own past for the cause;
* the paper's Appendix C adds a regulariser (its eqs. 39-40) derived from the
  sufficient condition of its Theorem 2 (that some ``Phi`` improves the window
  test); its constants are not given, and we leave it out. ``n_rounds`` fixed
  rounds replace the paper's "until the two losses converge".

Finally, inside each window the paper places the cause and effect time points at
``argmax_{t1 < t2} Phi_cause[t1] + Phi_effect[t2]`` (its eq. 14).

Several recordings
------------------
``X`` may be a list of recordings of the same channels (trials, subjects). The windows
are laid out inside each recording (a window and its targets' pasts never cross from one
recording into the next) and listed recording after recording; ``WindowResult.recording``
says which recording each window belongs to, and ``starts`` count from that recording's
first time point. The linear model fits each window on its own, so its windows are those
of each recording tested alone. The NAR networks are fitted once on the windows of all
recordings pooled (standardised with the pooled mean and sd), and causality indexing
reweights every recording's time points, so ``phi`` is then a list of ``(T_r, 2)``
arrays, one per recording.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from numpy.lib.stride_tricks import sliding_window_view
from scipy import stats

from gcbook._utils import batches, resolve_device, seed_int
from gcbook._validation import as_recordings, check_int, check_lag, check_real, is_recording_list
from gcbook.granger import lag_matrix

__all__ = ["WindowResult", "window_granger", "window_starts", "window_mse", "localize_events", "fit_causality_index"]

_MODELS = ("linear", "nar")


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True, repr=False)
class WindowResult:
    """Window-level Granger statistics of one ordered pair ``cause -> effect``.

    Attributes
    ----------
    starts : numpy.ndarray of int, shape (n_windows,)
        First target time point of each window; window ``w`` covers ``[starts[w], starts[w] + window)``
        (in its recording's time, for a list of recordings).
    f_stat : numpy.ndarray of float, shape (n_windows,)
        ``model="linear"``: the classical F statistic of each window (NaN where a window's
        design is rank deficient). ``model="nar"``: the paper's ``L1 / L2``.
    p_value : numpy.ndarray of float, shape (n_windows,)
        ``P(F(df_num, df_den) > f_stat)`` for the linear model; all NaN for the NAR model,
        whose ratio has no known null distribution.
    mse_ratio : numpy.ndarray of float, shape (n_windows,)
        The paper's ``L1 / L2`` (restricted over full mean squared error), for both models.
    window, step, lag : int
    cause, effect : int
        Column indices of ``X`` that were tested (``cause -> effect``).
    model : str
        ``"linear"`` or ``"nar"``.
    indexing : bool
        Whether causality indexing was used.
    df_num, df_den : int or None
        Degrees of freedom of the linear F test (``lag`` and ``window - 2 lag - 1``); None for NAR.
    phi : numpy.ndarray of float, shape (T, 2), list of them, or None
        The causality index with indexing (column 0: effect, column 1: cause), one array per
        recording for a list of recordings; None otherwise.
    cause_time, effect_time : numpy.ndarray of int, shape (n_windows,), or None
        With indexing: the paper's localisation (eq. 14) of the cause and effect time points
        inside each window, as time indices of its recording; None otherwise.
    labels : tuple of str
        Names of (cause, effect).
    recording : numpy.ndarray of int, shape (n_windows,), or None
        For a list of recordings, the recording each window lies in; None for one series.
    """

    starts: np.ndarray
    f_stat: np.ndarray
    p_value: np.ndarray
    mse_ratio: np.ndarray
    window: int
    step: int
    lag: int
    cause: int
    effect: int
    model: str
    indexing: bool
    df_num: int | None = None
    df_den: int | None = None
    phi: np.ndarray | None = None
    cause_time: np.ndarray | None = None
    effect_time: np.ndarray | None = None
    labels: tuple = ("cause", "effect")
    recording: np.ndarray | None = None

    @property
    def centers(self) -> np.ndarray:
        """Middle of each window, ``starts + (window - 1) / 2``, shape (n_windows,)."""
        return self.starts + (self.window - 1) / 2

    def causal(self, threshold: float = 1.0) -> np.ndarray:
        """Windows called causal by the paper's rule ``f_stat > threshold``.

        Parameters
        ----------
        threshold : float, default 1.0
            The paper's ``epsilon``. For the linear model ``f_stat`` is the classical F,
            whose mean under no causality is ``df_den / (df_den - 2)``, a little above 1;
            prefer :meth:`significant` there.

        Returns
        -------
        numpy.ndarray of bool, shape (n_windows,)
            NaN statistics count as not causal.
        """
        threshold = check_real(threshold, "threshold")
        with np.errstate(invalid="ignore"):
            return np.asarray(self.f_stat > threshold)

    def significant(self, alpha: float = 0.05) -> np.ndarray:
        """Windows whose linear F test rejects "no causality" at level ``alpha`` (per window, uncorrected).

        Returns
        -------
        numpy.ndarray of bool, shape (n_windows,)

        Raises
        ------
        ValueError
            For the NAR model, which has no p-values.
        """
        if self.model != "linear":
            raise ValueError("p-values exist only for model='linear'; use causal(threshold) for the NAR ratio.")
        alpha = check_real(alpha, "alpha", low=0.0, high=1.0, low_open=True, high_open=True)
        with np.errstate(invalid="ignore"):
            return np.asarray(self.p_value < alpha)

    def to_frame(self):
        """The per-window numbers as a pandas DataFrame indexed by window start (and recording, for a list)."""
        import pandas as pd

        data = {"f_stat": self.f_stat, "p_value": self.p_value, "mse_ratio": self.mse_ratio}
        if self.cause_time is not None:
            data.update(cause_time=self.cause_time, effect_time=self.effect_time)
        if self.recording is not None:
            index = pd.MultiIndex.from_arrays([self.recording, self.starts], names=["recording", "start"])
            return pd.DataFrame(data, index=index)
        return pd.DataFrame(data, index=pd.Index(self.starts, name="start"))

    def plot(self, ax=None, threshold: float = 1.0, truth=None, time=None):
        """Plot the window statistic against the window centres, with the threshold.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        threshold : float, default 1.0
            Drawn as a dashed line; points above it are the windows called causal.
        truth : array_like of bool, shape (n_windows,), optional
            Windows that hold a causal event, shaded.
        time : array_like, shape (T,), optional
            Time stamps of the series (for example dates) used for the x axis.

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 3))
        x = self.centers if time is None else np.asarray(time)[np.round(self.centers).astype(int)]
        if truth is not None:
            truth = np.asarray(truth, dtype=bool)
            if truth.shape != self.starts.shape:
                raise ValueError(f"truth must have one entry per window ({self.starts.size}), got shape {truth.shape}.")
            ax.scatter(
                np.asarray(x)[truth], self.f_stat[truth], s=14, color="C3", label="window with an event", zorder=3
            )
        ax.plot(x, self.f_stat, color="C0", lw=1, label="F")
        ax.axhline(threshold, color="k", ls="--", lw=1, label=f"threshold {threshold:g}")
        ax.set_yscale("log")
        ax.set_ylabel("F" if self.model == "linear" else "L1 / L2")
        ax.set_xlabel("window centre" if time is None else "")
        ax.set_title(
            f"{self.labels[0]} -> {self.labels[1]}: window {self.window}, {self.model}"
            + (", indexing" if self.indexing else "")
        )
        ax.legend(frameon=False, fontsize=8)
        return ax

    def __repr__(self) -> str:
        finite = np.isfinite(self.f_stat)
        detected = int(np.sum(self.causal(1.0)))
        text = (
            f"WindowResult({self.labels[0]} -> {self.labels[1]}, model={self.model!r}, indexing={self.indexing}, "
            f"window={self.window}, step={self.step}, lag={self.lag}, n_windows={self.starts.size}, "
            + (f"recordings={int(self.recording.max()) + 1}, " if self.recording is not None else "")
            + f"F > 1 in {detected}"
        )
        if self.model == "linear":
            text += f", p < 0.05 in {int(np.sum(self.significant(0.05)))}, df=({self.df_num}, {self.df_den})"
        if not np.all(finite):
            text += f", undefined in {int(np.sum(~finite))}"
        return text + ")"


# ----------------------------------------------------------------------------- windows
def window_starts(T: int, window: int, lag: int, step: int) -> np.ndarray:
    """Start indices of the windows: ``lag, lag + step, ...`` while ``start + window <= T``.

    Parameters
    ----------
    T, window, lag, step : int
        Series length, window length (``> lag``), number of lags, distance between starts.

    Returns
    -------
    numpy.ndarray of int, shape (n_windows,)

    Raises
    ------
    ValueError
        If ``window <= lag``, ``step < 1``, or no window fits.

    Examples
    --------
    >>> window_starts(T=12, window=4, lag=2, step=3)
    array([2, 5, 8])
    """
    T = check_int(T, "T", 1)
    lag = check_lag(lag)
    window = check_int(window, "window", 1)
    step = check_int(step, "step", 1)
    if window <= lag:
        raise ValueError(f"window={window} must be longer than lag={lag}: a window has to hold a cause and its effect.")
    if window + lag > T:
        raise ValueError(
            f"window={window} is too long for the series: T={T} time points leave T - lag = {T - lag} "
            "forecast targets. Use a shorter window or a longer series."
        )
    return np.arange(lag, T - window + 1, step)


def _lag_design(effect: np.ndarray, cause: np.ndarray, lag: int) -> np.ndarray:
    """Rows ``t = lag..T-1`` of ``[1, effect(t-1..t-lag), cause(t-1..t-lag)]``, shape (T - lag, 2 lag + 1)."""
    _, lags = lag_matrix(np.column_stack([effect, cause]), lag)  # (T - lag, 2, lag), lags 1..lag
    return np.column_stack([np.ones(lags.shape[0]), lags.reshape(lags.shape[0], 2 * lag)])


def _linear_windows(effect: np.ndarray, cause: np.ndarray, lag: int, window: int, starts: np.ndarray):
    """Per-window nested least squares, batched: returns ``(RSS_r - RSS_u, RSS_u)``, each (n_windows,).

    The QR factorisation of the augmented window matrix ``[Z_u, y] = Q R`` holds both residual
    sums in its last column: ``R[:m, m] = Q_Zᵀ y`` are the coordinates of ``y`` in the column
    space of ``Z_u`` (the last ``lag`` of them belong to the cause's lags, which come last), and
    ``R[m, m]**2 = RSS_u``. So ``RSS_r - RSS_u`` is the squared norm of the cause's coordinates,
    computed without subtracting two large sums, and ``Q`` itself is never formed.

    A window whose full design is (numerically) rank deficient, or whose full model fits
    exactly, gets NaN in both.
    """
    design = _lag_design(effect, cause, lag)
    m = design.shape[1]
    augmented = np.column_stack([design, effect[lag:]])  # rows t = lag..T-1: [1, lags, y_t]
    rows = starts - lag  # row holding the window's first target
    views = sliding_window_view(augmented, window, axis=0)  # (n_rows - window + 1, m + 1, window), no copy
    extra = np.full(starts.size, np.nan)
    rss_u = np.full(starts.size, np.nan)
    for batch in batches(starts.size, window * (m + 1) * 8 * 2):
        block = views[rows[batch]].transpose(0, 2, 1)  # (b, window, m + 1), copied one batch at a time
        r = np.linalg.qr(block, mode="r")
        ss_extra = np.sum(r[:, lag + 1 : m, m] ** 2, axis=1)
        ss_u = r[:, m, m] ** 2
        # rank deficiency (a flat stretch of data) or an exact fit leaves F undefined
        diag = np.abs(np.diagonal(r[:, :m, :m], axis1=1, axis2=2))
        col_norm = np.maximum(np.linalg.norm(block[:, :, :m], axis=1), 1e-300)
        y_norm2 = np.maximum(np.sum(block[:, :, m] ** 2, axis=1), 1e-300)
        bad = np.any(diag < 1e-10 * col_norm, axis=1) | (ss_u <= 1e-24 * y_norm2)
        ss_extra[bad] = np.nan
        ss_u[bad] = np.nan
        extra[batch] = ss_extra
        rss_u[batch] = ss_u
    return extra, rss_u


def window_mse(errors, window: int, starts) -> np.ndarray:
    """Mean of squared errors over each window's targets.

    Parameters
    ----------
    errors : array_like, shape (..., n)
        Forecast errors of targets ``t = lag..T-1`` (position ``t - lag``), last axis time.
    window : int
    starts : array_like of int, shape (n_windows,)
        Window starts in the coordinates of ``errors`` (that is ``start - lag``).

    Returns
    -------
    numpy.ndarray, shape (..., n_windows)

    Examples
    --------
    >>> window_mse([1.0, 1.0, 2.0, 0.0], window=2, starts=[0, 2])
    array([1., 2.])
    """
    sq = np.square(np.asarray(errors, dtype=np.float64))
    csum = np.concatenate([np.zeros(sq.shape[:-1] + (1,)), np.cumsum(sq, axis=-1)], axis=-1)
    starts = np.asarray(starts)
    return (csum[..., starts + window] - csum[..., starts]) / window


# ----------------------------------------------------------------------------- NAR models
class PairNAR(torch.nn.Module):
    """Three one-hidden-layer NAR forecasters held as one batched tensor model.

    Every network sees the same input, the window ``[effect(t-1..t-L), cause(t-1..t-L)]``,
    through a fixed mask on its first layer:

    * network 0 (restricted): the effect from the effect's own past (gives ``L1``);
    * network 1 (full): the effect from both pasts (gives ``L2``);
    * network 2 (cause AR): the cause from its own past (its errors feed causality indexing).

    Parameters
    ----------
    lag : int
    hidden : int
        Hidden units per network (tanh activation).

    Examples
    --------
    >>> import torch
    >>> net = PairNAR(lag=3, hidden=8)
    >>> net(torch.zeros(5, 6)).shape
    torch.Size([3, 5])
    """

    def __init__(self, lag: int, hidden: int):
        super().__init__()
        own = torch.zeros(2 * lag)
        own[:lag] = 1.0
        other = 1.0 - own
        self.register_buffer("mask", torch.stack([own, torch.ones(2 * lag), other])[:, :, None])  # (3, 2L, 1)
        fan_in = self.mask.sum(dim=(1, 2))  # inputs each network really sees
        bound1 = (1.0 / fan_in.sqrt())[:, None, None]
        self.w1 = torch.nn.Parameter((torch.rand(3, 2 * lag, hidden) * 2 - 1) * bound1 * self.mask)
        self.b1 = torch.nn.Parameter((torch.rand(3, hidden) * 2 - 1) * bound1[:, :, 0])
        bound2 = 1.0 / hidden**0.5
        self.w2 = torch.nn.Parameter((torch.rand(3, hidden) * 2 - 1) * bound2)
        self.b2 = torch.nn.Parameter((torch.rand(3) * 2 - 1) * bound2)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """Forecasts of shape (3, n) from inputs of shape (n, 2 lag)."""
        hidden = torch.tanh(torch.einsum("nd,mdh->mnh", inputs, self.w1 * self.mask) + self.b1[:, None, :])
        return torch.einsum("mnh,mh->mn", hidden, self.w2) + self.b2[:, None]


def _nar_inputs(effect: np.ndarray, cause: np.ndarray, lag: int):
    """Inputs (n, 2 lag) and targets (3, n) of :class:`PairNAR` for ``t = lag..T-1``."""
    design = _lag_design(effect, cause, lag)[:, 1:]
    targets = np.stack([effect[lag:], effect[lag:], cause[lag:]])
    return design, targets


def _train_nar(net: PairNAR, inputs: torch.Tensor, targets: torch.Tensor, epochs: int, lr: float) -> np.ndarray:
    """Full-batch Adam on the summed MSE of the three networks; returns the errors (3, n)."""
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = torch.mean((net(inputs) - targets) ** 2, dim=1).sum()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        return (net(inputs) - targets).cpu().numpy().astype(np.float64)


# ----------------------------------------------------------------------------- indexing
def fit_causality_index(
    log_phi: torch.Tensor, sq_errors: torch.Tensor, index: torch.Tensor, alpha: float, steps: int
) -> torch.Tensor:
    """Fit the causality index: minimise our interpretation of loss (9) over ``log Phi``.

    The loss is ``sum_windows sum_channels KL(Phi_w / sum Phi_w || h_w / sum h_w)`` with
    ``h = alpha - tanh(sq_errors)``: the paper's loss (9) with both vectors normalised within
    each window (the paper writes an unnormalised ``KL(Phi, h)``; see the module docstring for
    every departure and why). This loss does not change when ``Phi`` is multiplied by a constant
    inside a window, so a penalty on each window's squared mean of ``log Phi`` picks that
    constant: it is zero along every direction that changes the loss, and with non-overlapping
    windows it makes the geometric mean of ``Phi`` over each window exactly 1 without moving the
    optimum. The paper's Appendix C regulariser is not included. The fit is by Adam (learning
    rate 0.05) on ``log Phi``, so ``Phi`` stays positive.

    Parameters
    ----------
    log_phi : torch.Tensor, shape (T, 2)
        Starting point (columns: effect, cause).
    sq_errors : torch.Tensor, shape (T, 2)
        Squared autoregressive errors per time point and channel (0 where undefined).
    index : torch.Tensor of int, shape (n_detected, window)
        Time points of each window with ``F > epsilon``.
    alpha : float
        The scale function is ``h = alpha - tanh(.)``.
    steps : int
        Adam steps.

    Returns
    -------
    torch.Tensor, shape (T, 2): the fitted ``log Phi``.

    Examples
    --------
    One window of 20 points in which one point of the effect is forecast badly: its weight
    relative to the others approaches ``h(9) / h(0.05)``.

    >>> import torch
    >>> sq = torch.full((20, 2), 0.05, dtype=torch.float64)
    >>> sq[12, 0] = 9.0
    >>> log_phi = fit_causality_index(torch.zeros(20, 2, dtype=torch.float64), sq, torch.arange(20)[None, :],
    ...                               alpha=1.2, steps=400)
    >>> log_phi.shape
    torch.Size([20, 2])
    >>> phi = log_phi.exp()
    >>> target = (1.2 - torch.tanh(torch.tensor(9.0))) / (1.2 - torch.tanh(torch.tensor(0.05)))
    >>> bool(abs(phi[12, 0] / phi[0, 0] - target) < 0.01)
    True
    """
    target = alpha - torch.tanh(sq_errors[index])  # (n_w, window, 2), the paper's h
    log_q = torch.log(target / target.sum(dim=1, keepdim=True))
    theta = log_phi.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([theta], lr=0.05)
    for _ in range(steps):
        optimizer.zero_grad()
        window_theta = theta[index]
        log_p = torch.log_softmax(window_theta, dim=1)  # Phi normalised within each window
        kl = torch.sum(log_p.exp() * (log_p - log_q))
        gauge = torch.sum(window_theta.mean(dim=1) ** 2)
        (kl + gauge).backward()
        optimizer.step()
    return theta.detach()


def localize_events(phi_cause, phi_effect, window: int, starts) -> tuple[np.ndarray, np.ndarray]:
    """The paper's eq. 14: ``argmax_{t1 < t2} phi_cause[t1] + phi_effect[t2]`` inside each window.

    Parameters
    ----------
    phi_cause, phi_effect : array_like, shape (T,)
        Causality index of the cause and of the effect channel.
    window : int
        Window length, ``>= 2``.
    starts : array_like of int, shape (n_windows,)
        Window start indices (time points ``[s, s + window)``).

    Returns
    -------
    cause_time, effect_time : numpy.ndarray of int, shape (n_windows,)
        Absolute time indices ``t1 < t2`` of each window.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([0.0, 5.0, 0.0, 0.0, 9.0, 0.0])
    >>> b = np.array([0.0, 0.0, 0.0, 4.0, 0.0, 0.0])
    >>> localize_events(a, b, window=6, starts=[0])     # 9 at t=4 has no later effect slot worth more
    (array([1]), array([3]))
    """
    window = check_int(window, "window", 2)
    starts = np.asarray(starts, dtype=np.int64)
    idx = starts[:, None] + np.arange(window)
    a = np.asarray(phi_cause, dtype=np.float64)[idx]
    b = np.asarray(phi_effect, dtype=np.float64)[idx]
    best_before = np.maximum.accumulate(a, axis=1)[:, :-1]  # max of a[:j] for j = 1..window-1
    score = b[:, 1:] + best_before
    t2 = np.argmax(score, axis=1) + 1
    before = np.where(np.arange(window)[None, :] < t2[:, None], a, -np.inf)
    t1 = np.argmax(before, axis=1)
    return starts + t1, starts + t2


# ----------------------------------------------------------------------------- public API
def _check_channel(value, p: int, labels: list[str], name: str) -> int:
    if isinstance(value, str):
        if value not in labels:
            raise ValueError(f"{name}={value!r} is not a column of X; the columns are {labels}.")
        return labels.index(value)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a column index (int) or a column name, got {value!r}.")
    if not 0 <= int(value) < p:
        raise ValueError(f"{name}={value} is not a column index of X, which has p={p} columns (0..{p - 1}).")
    return int(value)


def window_granger(
    X,
    cause,
    effect,
    window,
    step=None,
    model="linear",
    indexing=False,
    seed=None,
    *,
    lag=1,
    hidden=16,
    epochs=300,
    lr=0.01,
    n_rounds=3,
    epsilon=1.0,
    alpha=1.2,
    phi_steps=300,
    device="cpu",
) -> WindowResult:
    """Window-level Granger test of ``cause -> effect``, one statistic per sliding window.

    Parameters
    ----------
    X : array_like or pandas.DataFrame, shape (T, p), or a list of them
        Rows are time; ``p >= 2``. Only the columns ``cause`` and ``effect`` are used
        (the test is pairwise, as in the paper). A list of recordings ``(T_r, p)`` of the
        same channels gets windows inside each recording (see the module docstring).
    cause, effect : int or str
        Column index (or DataFrame column name) of the candidate cause and of the effect.
    window : int
        Number of forecast targets per window, ``> lag``; ``model="linear"`` needs
        ``window >= 2 lag + 2`` (one residual degree of freedom).
    step : int or None, default None
        Distance between window starts; ``None`` means ``window`` (non-overlapping
        windows, as in the paper).
    model : {"linear", "nar"}, default "linear"
        Per-window least squares with a classical F test, or the paper's NAR networks.
    indexing : bool, default False
        Causality indexing (``model="nar"`` only).
    seed : None, int or numpy.random.Generator
        Seeds the NAR networks (torch is seeded inside this call only); the linear model
        is deterministic.
    lag : int, default 1
        Number of past values of each channel the forecasters see.
    hidden, epochs, lr : int, int, float
        NAR networks: hidden units, full-batch Adam epochs per fit, learning rate.
    n_rounds : int, default 3
        Causality indexing: number of ``Phi`` updates (each followed by a refit).
    epsilon : float, default 1.0
        Causality indexing: windows with ``F > epsilon`` feed the ``Phi`` update.
    alpha : float, default 1.2
        Causality indexing: the scale function ``h = alpha - tanh(.)``, ``alpha > 1``.
    phi_steps : int, default 300
        Causality indexing: Adam steps per ``Phi`` update.
    device : str, default "cpu"
        Torch device of the NAR networks.

    Returns
    -------
    WindowResult
        ``starts``, ``f_stat``, ``p_value`` and ``mse_ratio`` per window (see its docstring),
        and ``recording`` for a list of recordings.

    Raises
    ------
    ValueError
        On NaN/inf or constant columns, bad channel indices (out of range, or
        ``cause == effect``), ``window <= lag``, a window longer than the series (or than
        one of the recordings), recordings of different channels, a linear window too short
        for an F test, an unknown model, indexing with the linear model, or bad
        hyper-parameters.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(400)
    >>> y = np.r_[0.0, 0.9 * x[:-1]] + 0.5 * rng.standard_normal(400)
    >>> res = window_granger(np.column_stack([y, x]), cause=1, effect=0, window=50)
    >>> res.starts[:3], res.df_num, res.df_den
    (array([  1,  51, 101]), 1, 47)
    >>> bool(res.significant(0.01).all())
    True

    Two recordings: the windows of each, none across the seam.

    >>> two = window_granger([np.column_stack([y, x])[:200], np.column_stack([y, x])[200:]], 1, 0, window=50)
    >>> two.recording, two.starts
    (array([0, 0, 0, 1, 1, 1]), array([  1,  51, 101,   1,  51, 101]))
    """
    recordings, labels = as_recordings(X)
    p = recordings[0].shape[1]
    cause = _check_channel(cause, p, labels, "cause")
    effect = _check_channel(effect, p, labels, "effect")
    if cause == effect:
        raise ValueError(f"cause and effect must be different columns, both are {cause}.")
    if model not in _MODELS:
        raise ValueError(f"model must be one of {_MODELS}, got {model!r}.")
    if not isinstance(indexing, (bool, np.bool_)):
        raise ValueError(f"indexing must be True or False, got {indexing!r}.")
    if indexing and model != "nar":
        raise ValueError(
            "causality indexing is built on the NAR forecasters' errors; use model='nar' with indexing=True."
        )
    lag = check_lag(lag)
    window = check_int(window, "window", 1)
    step = window if step is None else check_int(step, "step", 1)
    several = is_recording_list(X)
    starts_by_recording = []
    for index, rec in enumerate(recordings):
        try:
            starts_by_recording.append(window_starts(rec.shape[0], window, lag, step))
        except ValueError as error:
            if not several:
                raise
            raise ValueError(f"Recording {index}: {error}") from None
    starts = np.concatenate(starts_by_recording)
    recording = np.repeat(np.arange(len(recordings)), [s.size for s in starts_by_recording])
    # standardising (with the moments of all recordings pooled) leaves every ratio and F unchanged
    # for the linear model and helps the networks
    pairs = [rec[:, [effect, cause]] for rec in recordings]
    pooled = np.vstack(pairs)
    pairs = [(pair - pooled.mean(axis=0)) / pooled.std(axis=0) for pair in pairs]
    common = dict(
        starts=starts,
        window=window,
        step=step,
        lag=lag,
        cause=cause,
        effect=effect,
        model=model,
        indexing=bool(indexing),
        labels=(labels[cause], labels[effect]),
        recording=recording if several else None,
    )

    if model == "linear":
        df_num, df_den = lag, window - 2 * lag - 1
        if df_den < 1:
            raise ValueError(
                f"window={window} is too short for the linear F test with lag={lag}: the full model has "
                f"{2 * lag + 1} coefficients, so window must be at least {2 * lag + 2}."
            )
        extra, rss_u = (
            np.concatenate(parts)
            for parts in zip(
                *[
                    _linear_windows(pair[:, 0], pair[:, 1], lag, window, rec_starts)
                    for pair, rec_starts in zip(pairs, starts_by_recording)
                ]
            )
        )
        f_stat = (extra / df_num) / (rss_u / df_den)
        return WindowResult(
            f_stat=f_stat,
            p_value=stats.f.sf(f_stat, df_num, df_den),
            mse_ratio=(rss_u + extra) / rss_u,
            df_num=df_num,
            df_den=df_den,
            **common,
        )

    hidden = check_int(hidden, "hidden", 1)
    epochs = check_int(epochs, "epochs", 1)
    lr = check_real(lr, "lr", low=0.0, low_open=True)
    n_rounds = check_int(n_rounds, "n_rounds", 1)
    epsilon = check_real(epsilon, "epsilon", low=0.0, low_open=True)
    alpha = check_real(alpha, "alpha", low=1.0, low_open=True)
    phi_steps = check_int(phi_steps, "phi_steps", 1)
    torch_device = resolve_device(device)
    devices = [torch_device] if torch_device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.random.default_generator.manual_seed(seed_int(seed))
        f_stat, phis = _nar_windows(
            pairs,
            lag,
            window,
            starts_by_recording,
            hidden,
            epochs,
            lr,
            n_rounds if indexing else 0,
            epsilon,
            alpha,
            phi_steps,
            torch_device,
        )
    extra_fields = {}
    if indexing:
        cause_time, effect_time = (
            np.concatenate(parts)
            for parts in zip(
                *[
                    localize_events(phi[:, 1], phi[:, 0], window, rec_starts)
                    for phi, rec_starts in zip(phis, starts_by_recording)
                ]
            )
        )
        extra_fields = dict(phi=phis if several else phis[0], cause_time=cause_time, effect_time=effect_time)
    return WindowResult(
        f_stat=f_stat, p_value=np.full(starts.size, np.nan), mse_ratio=f_stat.copy(), **common, **extra_fields
    )


def _nar_windows(
    pairs, lag, window, starts_by_recording, hidden, epochs, lr, n_rounds, epsilon, alpha, phi_steps, device
):
    """Algorithm 1 of the paper; ``n_rounds = 0`` is the naive DWGC (one fit, no reweighting).

    ``pairs`` holds one standardised ``(T_r, 2)`` array per recording and ``starts_by_recording``
    its window starts. The networks are fitted on the targets of all recordings at once (each
    target's past from its own recording), and ``Phi`` lives on the recordings' time points
    stacked, so every window indexes its own recording only.

    Returns the final window ratios ``L1 / L2`` (n_windows,), recording after recording, and
    ``Phi``, one ``(T_r, 2)`` array per recording.
    """
    lengths = [pair.shape[0] for pair in pairs]
    offsets = np.cumsum([0] + lengths)  # first row of each recording in the stacked time points
    targets_offsets = np.cumsum([0] + [T - lag for T in lengths])  # first target of each recording
    stacked = np.vstack(pairs)
    net = PairNAR(lag, hidden).to(device=device, dtype=torch.float64)
    log_phi = torch.zeros(stacked.shape[0], 2, dtype=torch.float64, device=device)
    index = torch.as_tensor(
        np.concatenate(
            [offset + starts[:, None] + np.arange(window) for offset, starts in zip(offsets, starts_by_recording)]
        ),
        device=device,
    )
    for round_ in range(n_rounds + 1):
        reweighted = np.exp(log_phi.cpu().numpy()) * stacked  # A = Phi * Y (eq. 10)
        parts = [_nar_inputs(reweighted[a:b, 0], reweighted[a:b, 1], lag) for a, b in zip(offsets, offsets[1:])]
        inputs = np.vstack([design for design, _ in parts])
        targets = np.concatenate([target for _, target in parts], axis=1)
        errors = _train_nar(
            net, torch.as_tensor(inputs, device=device), torch.as_tensor(targets, device=device), epochs, lr
        )
        mse = np.concatenate(
            [
                window_mse(errors[:2, a:b], window, starts - lag)
                for a, b, starts in zip(targets_offsets, targets_offsets[1:], starts_by_recording)
            ],
            axis=1,
        )
        ratio = mse[0] / mse[1]
        if round_ == n_rounds:
            break
        detected = ratio > epsilon
        if not detected.any():
            break
        sq = np.zeros(stacked.shape)
        for a, b, first in zip(offsets, offsets[1:], targets_offsets):
            sq[a + lag : b, 0] = errors[0, first : first + b - a - lag] ** 2  # the effect's own-past errors
            sq[a + lag : b, 1] = errors[2, first : first + b - a - lag] ** 2  # the cause's own-past errors
        log_phi = fit_causality_index(
            log_phi,
            torch.as_tensor(sq, device=device),
            index[torch.as_tensor(detected, device=device)],
            alpha,
            phi_steps,
        )
    phi = np.exp(log_phi.cpu().numpy())
    return ratio, [phi[a:b] for a, b in zip(offsets, offsets[1:])]
