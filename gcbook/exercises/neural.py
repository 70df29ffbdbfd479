"""Checker of the chapter "Neural Granger causality" (``book/neural_gc.md``).

:func:`check_jacobian_readout` (Granger scores from the input Jacobian of a forecaster), built on
:mod:`gcbook.exercises._common`. torch is imported only when the checker runs.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from gcbook.exercises._common import CheckReport, _as_float_array, _run_cases

__all__ = [
    "check_jacobian_readout",
]


_AXES = ("i", "j", "k-1")
_HINT_TRANSPOSED = (
    "you put the effect on the rows: S[i, j, k-1] has the cause i (an input series) on the rows and the effect j "
    "(a forecast) on the columns."
)
_HINT_SIGNED = (
    "you averaged the signed derivatives: take the absolute value of each sample's derivative first, or effects of "
    "opposite sign cancel."
)
_HINT_ABS_OF_MEAN = (
    "you took |mean| of the derivatives; the score is the mean of |d yhat_j / d x_i(t-k)|: absolute value first, "
    "then the mean."
)
_HINT_REVERSED_LAGS = (
    "your lags are in reversed order: inputs[:, k-1] holds x(t-k), so S[:, :, 0] is lag 1, the most recent value."
)


def _jacobian_models(seed=2025):
    """The hidden forecasters of the Jacobian read-out exercise, as ``(name, model, inputs)``.

    They are built inside :func:`torch.random.fork_rng` from the CPU generator seeded with ``seed``,
    so the cases are the same on every run and the caller's torch random state is left as it was.
    """
    import torch
    from torch import nn

    from gcbook.neural import LSTMForecaster

    class Square(nn.Module):
        def forward(self, x):
            return x**2

    def mlp(p, lag, hidden, activation):
        return nn.Sequential(nn.Flatten(), nn.Linear(p * lag, hidden), activation, nn.Linear(hidden, p))

    settings = [
        ("a linear forecaster, p=3, lag=2", 3, 2, 8, lambda p, lag: nn.Sequential(nn.Flatten(), nn.Linear(p * lag, p))),
        ("a tanh MLP, p=3, lag=3", 3, 3, 16, lambda p, lag: mlp(p, lag, 8, nn.Tanh())),
        ("squared hidden units, so derivatives change sign across samples, p=2, lag=2", 2, 2, 40,
         lambda p, lag: mlp(p, lag, 4, Square())),
        ("a tanh MLP with more lags than series, p=2, lag=5", 2, 5, 12, lambda p, lag: mlp(p, lag, 6, nn.Tanh())),
        ("an LSTM, p=4, lag=2", 4, 2, 10, lambda p, lag: LSTMForecaster(p, lag, hidden=5)),
    ]
    with torch.random.fork_rng(devices=[]):
        torch.random.default_generator.manual_seed(seed)
        return [(name, build(p, lag), torch.randn(n, lag, p)) for name, p, lag, n, build in settings]


def _jacobian_readout_cases():
    """Hidden cases for the Jacobian read-out exercise, with the answers of known mistakes."""
    from gcbook.neural import input_jacobian, jacobian_scores

    for name, model, inputs in _jacobian_models():
        J = input_jacobian(model, inputs).numpy().astype(float)
        yield name, (model, inputs.clone()), jacobian_scores(J), _readout_mistakes(J)


def _readout_mistakes(J):
    """What typical wrong read-outs of the Jacobian ``J[m, j, k-1, i]`` return, each with its hint.

    Returns
    -------
    dict
        ``"values"``: list of ``(wrong S, hint)``; ``"shapes"``: wrong shape -> hint.
    """
    n, p, lag, _ = J.shape
    S = np.abs(J).mean(axis=0).transpose(2, 0, 1)
    values = [
        (S.transpose(1, 0, 2), _HINT_TRANSPOSED),
        (J.mean(axis=0).transpose(2, 0, 1), _HINT_SIGNED),
        (np.abs(J.mean(axis=0)).transpose(2, 0, 1), _HINT_ABS_OF_MEAN),
        (n * S, f"you summed over the n={n} samples; average over them instead."),
        (S[:, :, ::-1], _HINT_REVERSED_LAGS),
    ]
    for order in ((0, 2, 1), (1, 2, 0), (2, 0, 1), (2, 1, 0)):
        named = ", ".join(_AXES[axis] for axis in order)
        values.append((S.transpose(order), f"your axes are in the order [{named}]; the answer is S[i, j, k-1]: "
                                           "cause, effect, lag."))
    shapes = {
        J.shape: "that is the per-sample Jacobian: take |.| and average over the samples (axis 0).",
        (p, p): "you combined the lags; return one score per lag.",
        (p, lag, p): "that is the Jacobian's axis order [j, k-1, i]; move the axes to [i, j, k-1].",
        (lag, p, p): "put the lag last: S[i, j, k-1].",
    }
    return {"values": values, "shapes": shapes}


def _judge_jacobian_readout(got, expected, hints):
    wanted = f"return an array of shape (p, p, lag) = {expected.shape}"
    if got is None:
        return False, f"your function returned None: {wanted} (did you forget the return statement?)."
    try:
        got = _as_float_array(got)
    except (TypeError, ValueError, RuntimeError):
        return False, f"{wanted}, got {type(got).__name__}."
    if got.shape != expected.shape:
        hint = hints["shapes"].get(got.shape)
        return False, f"{wanted}, got shape {got.shape}" + (f": {hint}" if hint else ".")
    if np.allclose(got, expected, rtol=1e-4, atol=1e-6):
        return True, "ok"
    matching = [
        text for value, text in hints["values"]
        if value.shape == got.shape and np.allclose(got, value, rtol=1e-4, atol=1e-6)
    ]
    if matching:
        return False, "S is wrong: " + " Or: ".join(matching)
    worst = np.unravel_index(np.argmax(np.abs(got - expected)), expected.shape)
    return False, (f"S differs most at [i, j, k-1] = {tuple(int(a) for a in worst)}: expected "
                   f"{expected[worst]:.6g}, got {got[worst]:.6g}.")


def check_jacobian_readout(func: Callable, verbose: bool = True) -> CheckReport:
    """Check a student's Granger scores from a forecaster's input Jacobian against hidden models.

    Parameters
    ----------
    func : callable
        ``func(model, inputs) -> S`` where ``model`` is a :class:`torch.nn.Module` mapping a float32
        tensor of shape (n, lag, p) to the forecasts (n, p), ``inputs[m, k-1, i]`` is ``x_i(t_m - k)``,
        and ``S`` is array-like of shape (p, p, lag) with ``S[i, j, k-1]`` the mean over the n samples of
        ``|d yhat_j(t_m) / d x_i(t_m - k)|`` (cause on the rows); compared with
        ``jacobian_scores(input_jacobian(model, inputs))`` from :mod:`gcbook.neural`.
    verbose : bool
        Print the report.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> from gcbook.neural import input_jacobian, jacobian_scores
    >>> def readout(model, inputs):
    ...     return jacobian_scores(input_jacobian(model, inputs))
    >>> report = check_jacobian_readout(readout, verbose=False)
    >>> report.passed
    True
    >>> def effect_on_rows(model, inputs):
    ...     return readout(model, inputs).transpose(1, 0, 2)
    >>> report = check_jacobian_readout(effect_on_rows, verbose=False)
    >>> report.passed
    False
    >>> print(report.cases[0].message)
    S is wrong: you put the effect on the rows: S[i, j, k-1] has the cause i (an input series)
    on the rows and the effect j (a forecast) on the columns.
    """
    return _run_cases(
        "Exercise: Granger scores from the input Jacobian", func, _jacobian_readout_cases(),
        _judge_jacobian_readout, verbose,
    )
