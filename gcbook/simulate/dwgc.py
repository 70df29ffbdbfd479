"""The two synthetic pairs of the DWGC paper: a switching linear AR pair and a nonlinear AR pair.

Zhang, Hu, Tian and Zhu (*Dynamic Window-level Granger Causality of Multi-channel
Time Series*, section 5.1) test window-level Granger causality on two simulated
pairs in which a cause ``T2`` acts on an effect ``T1`` through a coupling ``m1``
that is usually weak (0.9) and now and then strong (10). The time points where
the coupling is strong are the paper's *causal events* (the arrows of its
Figure 3 start "at the point when m1 takes an abnormally large value"), and a
window is causal when it holds one.

Orientation
-----------
Both simulators return ``X`` of shape ``(T, 2)`` with

* column 0: the **effect** ``T1`` (the paper's first series),
* column 1: the **cause** ``T2`` (the driver).

So the causal direction is ``1 -> 0``; in the book's orientation the channel-level
graph is ``A = [[0, 0], [1, 1]]`` (``A[1, 0] = 1``: the cause is the row; the
diagonal entry ``A[1, 1]`` is the driver's dependence on its own past), returned as
:attr:`PairSimulation.graph`. A window-level test of ``1 -> 0`` therefore takes
column 1 as the cause and column 0 as the effect.

What differs from the paper, and why
------------------------------------
The paper's equations 17 and 18 couple the two series *both ways*
(``T1`` from ``T2`` through ``m1`` and ``T2`` from ``T1`` through ``m2``). As
written, that feedback loop is explosive: in equation 17 the loop gain
``m1 m2`` has ``E[log m] = 0.95 log 0.9 + 0.05 log 10 = +0.015 > 0`` per
coupling, so the series grows without bound (from the paper's initial values,
in our runs ``|T1|`` passed ``1e11`` within 5000 steps at lag 9 and ``1e36`` at lag 1);
in equation 18, where ``m1 = 10`` about 14 % of the time, it grows even faster.
The paper only says "we first pre-process the data to make sure that the time
series are stationary", without saying how. We therefore keep the paper's
equation for the effect and make the pair one-directional, which is also what a
cause/effect ground truth needs:

* the cause follows the paper's equation for ``T2`` with its coupling frozen at
  the weak value ``driver_coef = 0.9`` and its input replaced by *its own* last
  value, i.e. a stable AR(1) (linear pair) or NAR(1) (nonlinear pair);
* the effect is the paper's equation for ``T1`` applied to that driver.

Stationarity, concretely: the recursion starts from the paper's initial values
(``T_t = t`` for ``t = 1..5``, ``11 - t`` for ``t = 6..10``, for both series) and
``burn_in`` further steps are simulated and discarded.

* Linear pair: ``x -> 0.9 x`` is a contraction, and the start is forgotten exactly
  like ``0.9 ** burn_in`` (about ``1e-23`` for the default 500).
* Nonlinear pair: ``x -> 0.9 f(x)`` with ``f(x) = Re sqrt(x**2 - 1)`` is *not* a
  contraction: ``f`` has unbounded slope at ``|x| = 1`` (``f(1.01) - f(1) = 0.14``).
  The bound ``|0.9 f(x)| <= 0.9 |x|`` is a drift condition instead: with the
  Gaussian noise it makes the chain geometrically ergodic (Foster-Lyapunov drift
  criterion with ``V(x) = 1 + |x|``), so it has a stationary distribution and
  forgets its start at a geometric rate, but that rate is not ``0.9``. What makes
  the start disappear in practice is that ``f = 0`` on ``(-1, 1)``: two copies of
  the recursion driven by the same noise coincide from the first step after both
  lie in ``(-1, 1)`` (the stationary driver lies there about half of the time).

In the linear pair
the strong-coupling indicator is i.i.d. and independent of the driver, so the
returned pair is strictly stationary. In the nonlinear pair the coupling follows
the deterministic clock ``sin(0.1 t)``; the pair is then *cyclostationary*
(stationary up to a period of ``2 pi / 0.1 ~ 63`` steps): it has no trend and
its time averages over long stretches agree; pass ``phase=None`` for a random
phase, which makes the process stationary over realisations.

Public functions
----------------
:func:`switching_ar_pair`
    Equation 17, the linear pair with a random strong coupling.
:func:`nonlinear_ar_pair`
    Equation 18, the nonlinear pair whose coupling is switched by ``sin(0.1 t)``.
:func:`window_events`
    Turn per-time-point events into per-window ground truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.signal import lfilter

from gcbook._validation import check_int, check_random_state, check_real

__all__ = ["PairSimulation", "nonlinear_ar_pair", "switching_ar_pair", "window_events"]

#: The paper's initial values for t = 1..10: t on [1, 5], 11 - t on [6, 10].
_TENT = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 5.0, 4.0, 3.0, 2.0, 1.0])


@dataclass(frozen=True, repr=False)
class PairSimulation:
    """A simulated cause/effect pair with its time-resolved ground truth.

    Unpacks as ``X, event = sim`` (the two fields most code needs).

    Attributes
    ----------
    X : numpy.ndarray of float64, shape (T, 2)
        Column 0 is the effect ``T1``, column 1 the cause ``T2`` (direction ``1 -> 0``).
    event : numpy.ndarray of bool, shape (T,)
        ``event[t]`` is True where the coupling is strong at ``t``: the effect
        ``X[t, 0]`` receives the strong causal input from ``X[t - lag[t], 1]``.
    lag : numpy.ndarray of int, shape (T,)
        The delay used at each ``t``: ``X[t, 0]`` depends on ``X[t - lag[t], 1]``.
        When ``t - lag[t] < 0`` the cause value lies in the discarded burn-in.
    coupling : numpy.ndarray of float64, shape (T,)
        The coupling ``m1`` at each ``t`` (``strong`` where ``event`` is True, ``weak`` elsewhere).
    noise : float
        Standard deviation of the Gaussian noise added to each series at each step.
    kind : str
        ``"linear"`` (equation 17) or ``"nonlinear"`` (equation 18).
    graph : numpy.ndarray of int, shape (2, 2)
        Channel-level truth in the book's orientation, ``[[0, 0], [1, 1]]``:
        ``graph[1, 0] = 1`` is cause -> effect, ``graph[1, 1] = 1`` the driver's own past.
    """

    X: np.ndarray
    event: np.ndarray
    lag: np.ndarray
    coupling: np.ndarray
    noise: float
    kind: str
    graph: np.ndarray = field(default_factory=lambda: np.array([[0, 0], [1, 1]]))

    def __iter__(self):
        return iter((self.X, self.event))

    def __repr__(self) -> str:
        T = self.X.shape[0]
        lags = np.unique(self.lag)
        lag_txt = str(int(lags[0])) if lags.size == 1 else f"{int(lags.min())}..{int(lags.max())} (per step)"
        return (
            f"PairSimulation(kind={self.kind!r}, T={T}, events={int(self.event.sum())} "
            f"({self.event.mean():.1%}), lag={lag_txt}, noise={self.noise:g}, "
            "columns=[effect T1, cause T2])"
        )


# ----------------------------------------------------------------------------- helpers
def _draw_lags(rng: np.random.Generator, lag, max_lag: int, per_step_lag: bool, n: int) -> np.ndarray:
    """Lag at each of the ``n`` simulated steps (constant unless ``per_step_lag``)."""
    max_lag = check_int(max_lag, "max_lag", 1)
    if not isinstance(per_step_lag, (bool, np.bool_)):
        raise ValueError(f"per_step_lag must be True or False, got {per_step_lag!r}.")
    if lag is not None:
        if per_step_lag:
            raise ValueError("Give either a fixed lag or per_step_lag=True, not both.")
        lag = check_int(lag, "lag", 1)
        if lag > max_lag:
            raise ValueError(f"lag must be <= max_lag={max_lag}, got {lag}; raise max_lag if you need it.")
        return np.full(n, lag, dtype=np.int64)
    if per_step_lag:
        return rng.integers(1, max_lag + 1, size=n)
    return np.full(n, int(rng.integers(1, max_lag + 1)), dtype=np.int64)


def _check_common(T, noise, driver_coef, strong, weak, burn_in, max_lag):
    max_lag = check_int(max_lag, "max_lag", 1)
    if max_lag > len(_TENT):
        raise ValueError(f"max_lag must be <= {len(_TENT)} (the paper's initial stretch), got {max_lag}.")
    T = check_int(T, "T", max_lag + 1)
    noise = check_real(noise, "noise", low=0.0, low_open=True)
    driver_coef = check_real(driver_coef, "driver_coef", low=-1.0, high=1.0, low_open=True, high_open=True)
    strong = check_real(strong, "strong")
    weak = check_real(weak, "weak")
    burn_in = check_int(burn_in, "burn_in", 0)
    return T, noise, driver_coef, strong, weak, burn_in, max_lag


def _effect(cause: np.ndarray, coupling: np.ndarray, lags: np.ndarray, noise: float, rng, transform) -> np.ndarray:
    """``T1[t] = coupling[t] * transform(cause[t - lag[t]]) + noise * N(0, 1)`` for ``t >= 10``."""
    n = cause.size
    t = np.arange(len(_TENT), n)
    effect = np.empty(n)
    effect[: len(_TENT)] = _TENT
    effect[len(_TENT) :] = coupling[t] * transform(cause[t - lags[t]]) + noise * rng.standard_normal(t.size)
    return effect


def _package(cause, effect, coupling, lags, strong_mask, T, noise, kind) -> PairSimulation:
    keep = slice(cause.size - T, None)
    X = np.column_stack([effect[keep], cause[keep]])
    return PairSimulation(
        X=X,
        event=strong_mask[keep].copy(),
        lag=lags[keep].copy(),
        coupling=coupling[keep].copy(),
        noise=noise,
        kind=kind,
    )


def _real_sqrt(x: np.ndarray) -> np.ndarray:
    """``Re(sqrt(x**2 - 1))``: ``sqrt(x**2 - 1)`` for ``|x| >= 1`` and 0 inside (-1, 1)."""
    return np.sqrt(np.maximum(x * x - 1.0, 0.0))


# ----------------------------------------------------------------------------- simulators
def switching_ar_pair(
    T,
    seed=None,
    *,
    strong=10.0,
    weak=0.9,
    p_strong=0.05,
    max_lag=9,
    lag=None,
    per_step_lag=False,
    noise=0.02,
    driver_coef=0.9,
    burn_in=500,
) -> PairSimulation:
    """Linear AR pair with a randomly switching coupling (equation 17 of the DWGC paper).

    The effect ``T1`` (column 0) and the cause ``T2`` (column 1) follow

    .. math::

        T_{2,t} &= c\\, T_{2,t-1} + \\sigma\\, \\eta_t, \\\\
        T_{1,t} &= m_{1,t}\\, T_{2,t-\\ell_t} + \\sigma\\, \\varepsilon_t, \\qquad
        m_{1,t} = \\begin{cases} 10 & \\text{with probability } 0.05 \\\\
                                   0.9 & \\text{with probability } 0.95 \\end{cases}

    with ``eta``, ``eps`` i.i.d. standard normal, ``sigma = noise = 0.02`` and the
    ``m_{1,t}`` drawn independently at each ``t``. The second line is the paper's
    equation for ``T1``; the first replaces the paper's feedback
    ``T2,t = m2 T1,t-lag + 0.02 N(0, 1)``, which makes equation 17 explode, by
    a stable AR(1) with the weak coupling ``c = driver_coef = 0.9`` (see the
    module docstring). Time points with ``m_{1,t} = 10`` are the causal events.

    Choices where the paper is ambiguous:

    * "a random lag value randomly picked from one to nine": by default **one**
      lag is drawn uniformly from ``{1, ..., max_lag}`` for the whole series;
      ``per_step_lag=True`` draws a fresh lag at every step; ``lag=k`` fixes it.
    * the weak coupling 0.9 also carries ``T2`` into ``T1``; only the strong
      ones count as events, as in the paper's Figure 3.
    * stationarity: the start from the paper's initial values is discarded
      with ``burn_in`` steps; the returned pair is strictly stationary
      (``Var T2 = sigma**2 / (1 - c**2)``,
      ``Var T1 = E[m**2] Var T2 + sigma**2`` with ``E[m**2] = 5.7695``).

    Parameters
    ----------
    T : int
        Number of time points returned, ``T >= max_lag + 1``.
    seed : None, int or numpy.random.Generator
        Source of randomness; the global NumPy state is never used.
    strong, weak : float, default 10.0 and 0.9
        The two values of the coupling ``m1``.
    p_strong : float, default 0.05
        Probability of the strong coupling at each time point, in [0, 1].
    max_lag : int, default 9
        Lags are drawn from ``{1, ..., max_lag}``; at most 10.
    lag : None or int, default None
        A fixed lag instead of a random one.
    per_step_lag : bool, default False
        Draw a new lag at every time point instead of one for the series.
    noise : float, default 0.02
        Standard deviation of the Gaussian noise of both series, ``> 0``.
    driver_coef : float, default 0.9
        AR(1) coefficient ``c`` of the cause, ``|c| < 1``.
    burn_in : int, default 500
        Steps simulated after the initial values and discarded, ``>= 0``.

    Returns
    -------
    PairSimulation
        ``X`` (T, 2) with columns [effect, cause], ``event`` (T,) bool, ``lag``
        (T,) int, ``coupling`` (T,) float. Unpacks as ``X, event = ...``.

    Raises
    ------
    ValueError
        If ``T`` is too short, ``noise <= 0``, ``|driver_coef| >= 1``,
        ``p_strong`` outside [0, 1], or a lag outside ``{1, ..., max_lag}``.

    Examples
    --------
    >>> from gcbook.simulate import switching_ar_pair
    >>> X, event = switching_ar_pair(2000, seed=0)
    >>> X.shape, event.shape, event.dtype
    ((2000, 2), (2000,), dtype('bool'))
    >>> sim = switching_ar_pair(2000, seed=0)
    >>> t = 100                                          # effect = coupling * lagged cause + noise
    >>> resid = sim.X[t, 0] - sim.coupling[t] * sim.X[t - sim.lag[t], 1]
    >>> bool(abs(resid) < 6 * sim.noise)
    True
    """
    T, noise, driver_coef, strong, weak, burn_in, max_lag = _check_common(
        T, noise, driver_coef, strong, weak, burn_in, max_lag
    )
    p_strong = check_real(p_strong, "p_strong", low=0.0, high=1.0)
    rng = check_random_state(seed)
    n = len(_TENT) + burn_in + T
    lags = _draw_lags(rng, lag, max_lag, per_step_lag, n)
    strong_mask = rng.random(n) < p_strong
    strong_mask[: len(_TENT)] = False
    coupling = np.where(strong_mask, strong, weak)

    cause = np.empty(n)
    cause[: len(_TENT)] = _TENT
    # AR(1) from the last initial value: y[t] = c y[t-1] + sigma e[t]
    cause[len(_TENT) :] = lfilter(
        [1.0], [1.0, -driver_coef], noise * rng.standard_normal(n - len(_TENT)), zi=[driver_coef * _TENT[-1]]
    )[0]
    effect = _effect(cause, coupling, lags, noise, rng, transform=lambda x: x)
    return _package(cause, effect, coupling, lags, strong_mask, T, noise, "linear")


def nonlinear_ar_pair(
    T,
    seed=None,
    *,
    strong=10.0,
    weak=0.9,
    threshold=0.9,
    frequency=0.1,
    phase=0.0,
    max_lag=9,
    lag=None,
    per_step_lag=False,
    noise=1.0,
    driver_coef=0.9,
    burn_in=500,
) -> PairSimulation:
    """Nonlinear AR pair switched by a sine clock (equation 18 of the DWGC paper).

    With ``f(x) = Re(sqrt(x**2 - 1))`` (that is ``sqrt(x**2 - 1)`` for
    ``|x| >= 1`` and 0 inside (-1, 1)), the effect ``T1`` (column 0) and the
    cause ``T2`` (column 1) follow

    .. math::

        T_{2,t} &= c\\, f(T_{2,t-1}) + \\sigma\\, \\eta_t, \\\\
        T_{1,t} &= m_{1,t}\\, f(T_{2,t-\\ell_t}) + \\sigma\\, \\varepsilon_t, \\\\
        m_{1,t} &= \\begin{cases} 10 & T_{3,t} > 0.9 \\\\ 0.9 & \\text{otherwise,} \\end{cases}
        \\qquad T_{3,t} = \\sin(0.1\\, t + \\phi),

    with ``eta``, ``eps`` i.i.d. standard normal and ``sigma = noise = 1`` (the
    paper's ``N(0, 1)``). The second line is the paper's equation for ``T1``;
    the first replaces the paper's feedback ``T2,t = m2 f(T1,t-lag) + N(0, 1)``,
    which makes equation 18 explode, by a stable NAR(1) with the weak coupling
    ``c = driver_coef = 0.9`` (``|c f(x)| <= c |x|``: not a contraction, since
    ``f`` has unbounded slope at ``|x| = 1``, but a drift condition that makes the
    driver geometrically ergodic; see the module docstring). The
    strong coupling holds where ``sin(0.1 t) > 0.9``: runs of about 9 steps
    every ``2 pi / 0.1 ~ 63`` steps, a fraction
    ``(pi - 2 arcsin 0.9) / (2 pi) ~ 14.4 %`` of the time. Those time points are
    the causal events.

    Choices where the paper is ambiguous:

    * ``t`` counts the returned rows from 0 (the paper's clock starts at 1);
      ``phase`` shifts it, ``phase=None`` draws it uniformly from [0, 2 pi).
    * the lag: one per series by default, as in :func:`switching_ar_pair`.
    * an event is a time point with strong coupling, as in the paper's Figure 3,
      even where ``|T2,t-lag| < 1`` makes ``f`` (and so the causal input) zero;
      use ``sim.coupling * f(...)`` if you want only the effective inputs.
    * stationarity: the start from the paper's initial values is discarded with
      ``burn_in`` steps; the driver is then stationary, the effect
      cyclostationary with the clock's period (stationary for ``phase=None``).

    Parameters
    ----------
    T : int
        Number of time points returned, ``T >= max_lag + 1``.
    seed : None, int or numpy.random.Generator
        Source of randomness; the global NumPy state is never used.
    strong, weak : float, default 10.0 and 0.9
        The two values of the coupling ``m1``.
    threshold : float, default 0.9
        The coupling is strong where ``sin(frequency * t + phase) > threshold``.
    frequency : float, default 0.1
        Angular frequency of the clock ``T3``, ``> 0``.
    phase : float or None, default 0.0
        Phase of the clock; ``None`` draws it from ``seed``.
    max_lag : int, default 9
        Lags are drawn from ``{1, ..., max_lag}``; at most 10.
    lag : None or int, default None
        A fixed lag instead of a random one.
    per_step_lag : bool, default False
        Draw a new lag at every time point instead of one for the series.
    noise : float, default 1.0
        Standard deviation of the Gaussian noise of both series, ``> 0``.
    driver_coef : float, default 0.9
        Coefficient ``c`` of the cause's own NAR(1), ``|c| < 1``.
    burn_in : int, default 500
        Steps simulated after the initial values and discarded, ``>= 0``.

    Returns
    -------
    PairSimulation
        ``X`` (T, 2) with columns [effect, cause], ``event`` (T,) bool, ``lag``
        (T,) int, ``coupling`` (T,) float. Unpacks as ``X, event = ...``.

    Raises
    ------
    ValueError
        If ``T`` is too short, ``noise <= 0``, ``|driver_coef| >= 1``,
        ``frequency <= 0``, or a lag outside ``{1, ..., max_lag}``.

    Examples
    --------
    >>> import numpy as np
    >>> from gcbook.simulate import nonlinear_ar_pair
    >>> X, event = nonlinear_ar_pair(1000, seed=0)
    >>> X.shape
    (1000, 2)
    >>> bool(np.array_equal(event, np.sin(0.1 * np.arange(1000)) > 0.9))
    True
    >>> print(f"{event.mean():.2f}")
    0.14
    """
    T, noise, driver_coef, strong, weak, burn_in, max_lag = _check_common(
        T, noise, driver_coef, strong, weak, burn_in, max_lag
    )
    threshold = check_real(threshold, "threshold")
    frequency = check_real(frequency, "frequency", low=0.0, low_open=True)
    rng = check_random_state(seed)
    if phase is None:
        phase = float(rng.uniform(0.0, 2.0 * np.pi))
    else:
        phase = check_real(phase, "phase")
    n = len(_TENT) + burn_in + T
    lags = _draw_lags(rng, lag, max_lag, per_step_lag, n)
    clock = np.sin(frequency * (np.arange(n) - (n - T)) + phase)  # t = 0 at the first returned row
    strong_mask = clock > threshold
    strong_mask[: len(_TENT)] = False
    coupling = np.where(strong_mask, strong, weak)

    shocks = noise * rng.standard_normal(n)
    cause = np.empty(n)
    cause[: len(_TENT)] = _TENT
    prev = _TENT[-1]
    for t in range(len(_TENT), n):  # a nonlinear recursion: one step at a time
        prev = driver_coef * np.sqrt(max(prev * prev - 1.0, 0.0)) + shocks[t]
        cause[t] = prev
    effect = _effect(cause, coupling, lags, noise, rng, transform=_real_sqrt)
    return _package(cause, effect, coupling, lags, strong_mask, T, noise, "nonlinear")


# ----------------------------------------------------------------------------- windows
def window_events(events, window, step=1, *, lag=None, starts=None) -> np.ndarray:
    """Per-window ground truth from per-time-point causal events.

    Window ``w`` covers the time points ``[s_w, s_w + window)``; by default
    ``s_w = 0, step, 2 step, ...`` as long as the window fits, so there are
    ``(T - window) // step + 1`` windows (the DWGC paper uses ``step = window``).
    A window carries an event if any event falls inside it. With ``lag`` given,
    the paper's stricter reading "a causality pair in this window" is used: the
    event at ``t`` counts only if its cause time ``t - lag[t]`` is inside too.

    Parameters
    ----------
    events : array_like of bool, shape (T,)
        ``events[t]`` is True where the effect receives a causal input at ``t``
        (for example the ``event`` of a :class:`PairSimulation`).
    window : int
        Window length, ``1 <= window <= T``.
    step : int, default 1
        Distance between consecutive window starts, ``>= 1``; ignored if ``starts`` is given.
    lag : None, int or array_like of int, shape (T,), optional
        Delay of the cause behind each event (for example the ``lag`` of a :class:`PairSimulation`).
    starts : None or array_like of int, shape (n_windows,), optional
        Explicit window starts, each in ``[0, T - window]``.

    Returns
    -------
    truth : numpy.ndarray of bool, shape (n_windows,)
        ``truth[w]`` is True if window ``w`` holds an event.

    Raises
    ------
    ValueError
        If ``events`` is not 1-D boolean (or 0/1), if ``window`` is not in
        ``[1, T]``, if ``step < 1``, or if ``lag`` or ``starts`` are malformed.

    Examples
    --------
    >>> import numpy as np
    >>> events = np.array([0, 0, 1, 0, 0, 0, 0, 1], dtype=bool)
    >>> window_events(events, window=3)             # starts 0..5
    array([ True,  True,  True, False, False,  True])
    >>> window_events(events, window=4, step=4)     # the paper's non-overlapping windows
    array([ True,  True])
    >>> window_events(events, window=4, step=4, lag=3)  # cause at t - 3 must be inside too
    array([False,  True])
    """
    ev = np.asarray(events)
    if ev.ndim != 1:
        raise ValueError(f"events must be 1-D with shape (T,), got shape {ev.shape}.")
    if ev.dtype != bool:
        if not np.issubdtype(ev.dtype, np.number) or not np.all((ev == 0) | (ev == 1)):
            raise ValueError("events must be boolean (or 0/1), one entry per time point.")
        ev = ev.astype(bool)
    T = ev.size
    window = check_int(window, "window", 1)
    if window > T:
        raise ValueError(f"window={window} is longer than the series (T={T}); use a window <= T.")
    if starts is None:
        step = check_int(step, "step", 1)
        s = np.arange(0, T - window + 1, step)
    else:
        s = np.asarray(starts)
        if s.ndim != 1 or not np.issubdtype(s.dtype, np.integer):
            raise ValueError("starts must be a 1-D array of int window start indices.")
        if s.size and (s.min() < 0 or s.max() > T - window):
            raise ValueError(f"starts must lie in [0, T - window] = [0, {T - window}].")
    if lag is None:
        counts = np.r_[0, np.cumsum(ev)]
        return counts[s + window] > counts[s]

    lag_arr = np.asarray(lag)
    if lag_arr.ndim == 0:
        lag_arr = np.full(T, lag_arr)
    if lag_arr.shape != (T,) or not np.issubdtype(lag_arr.dtype, np.integer) or np.any(lag_arr < 0):
        raise ValueError(f"lag must be a non-negative int or an int array of shape ({T},).")
    # the pair (t - lag[t], t) lies in [s, s + window) iff t - window + 1 <= s <= t - lag[t]
    t = np.flatnonzero(ev)
    lo = np.maximum(t - window + 1, 0)
    hi = t - lag_arr[t]
    ok = hi >= lo
    diff = np.zeros(T + 1, dtype=np.int64)
    np.add.at(diff, lo[ok], 1)
    np.add.at(diff, hi[ok] + 1, -1)
    covering = np.cumsum(diff)[:-1]  # number of pairs inside the window starting at each s
    return covering[s] > 0
