"""Checker of the chapter "Neural Granger causality" (``book/neural_gc.md``).

:func:`check_jacobian_readout` (Granger scores from the input Jacobian of a forecaster), built on
:mod:`gcbook.exercises._common`. torch is imported only when the checker runs.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from gcbook.exercises._common import CheckReport, Forbidden, answer_array, run_cases

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


_READOUT_FORBIDDEN = Forbidden(
    modules=("gcbook.neural",),
    names=(
        "gcbook.neural.input_jacobian",
        "gcbook.neural.jacobian_scores",
        "gcbook.neural.GRNGC",
        "gcbook.neural.CMLP",
    ),
    advice="write it with torch.autograd.grad",
    ignore_callers=("torch",),  # the hidden LSTM is a gcbook.neural model: running it is no shortcut
)


def _jacobian_models(seed=None):
    """The hidden forecasters of the Jacobian read-out exercise, drawn at each call, as ``(name, model, inputs)``.

    The sizes are drawn from ``np.random.default_rng(seed)`` (``seed=None``: fresh entropy), the
    weights (PyTorch's default initialisation) and the N(0, 1) inputs inside
    :func:`torch.random.fork_rng` from a torch seed drawn from it, so the caller's torch random
    state is left as it was:

    1. a linear forecaster, p uniform in 2..4, lag in 2..3, n in 6..10 windows;
    2. a tanh MLP, p in 2..4, lag in 2..4, 6 to 10 hidden units, n in 12..20;
    3. squared hidden units, p in 2..3, lag 2, 3 to 5 hidden units, n in 30..50;
    4. a tanh MLP with more lags than series, p = 2, lag in 4..6, 4 to 8 hidden units, n in 10..16;
    5. an LSTM (:class:`gcbook.neural.LSTMForecaster`), p in 3..5, lag in 2..3, 4 to 6 hidden units,
       n in 8..12.

    Each nonlinear model is redrawn until some derivative changes sign across the samples (so
    that |mean| and mean |.| differ and that mistake can be named).
    """
    import torch
    from torch import nn

    from gcbook.neural import LSTMForecaster, input_jacobian

    class Square(nn.Module):
        def forward(self, x):
            return x**2

    def mlp(p, lag, hidden, activation):
        return nn.Sequential(nn.Flatten(), nn.Linear(p * lag, hidden), activation, nn.Linear(hidden, p))

    rng = np.random.default_rng(seed)

    def size(low, high):
        return int(rng.integers(low, high + 1))

    kinds = [
        (
            "a linear forecaster",
            lambda: (size(2, 4), size(2, 3), size(6, 10), None),
            lambda p, lag, hidden: nn.Sequential(nn.Flatten(), nn.Linear(p * lag, p)),
        ),
        (
            "a tanh MLP",
            lambda: (size(2, 4), size(2, 4), size(12, 20), size(6, 10)),
            lambda p, lag, hidden: mlp(p, lag, hidden, nn.Tanh()),
        ),
        (
            "squared hidden units, so derivatives change sign across samples",
            lambda: (size(2, 3), 2, size(30, 50), size(3, 5)),
            lambda p, lag, hidden: mlp(p, lag, hidden, Square()),
        ),
        (
            "a tanh MLP with more lags than series",
            lambda: (2, size(4, 6), size(10, 16), size(4, 8)),
            lambda p, lag, hidden: mlp(p, lag, hidden, nn.Tanh()),
        ),
        (
            "an LSTM",
            lambda: (size(3, 5), size(2, 3), size(8, 12), size(4, 6)),
            lambda p, lag, hidden: LSTMForecaster(p, lag, hidden=hidden),
        ),
    ]
    models = []
    with torch.random.fork_rng(devices=[]):
        for number, (kind, sizes, build) in enumerate(kinds):
            while True:
                p, lag, n, hidden = sizes()
                torch.random.default_generator.manual_seed(int(rng.integers(2**62)))
                model, inputs = build(p, lag, hidden), torch.randn(n, lag, p)
                if number == 0:
                    break
                J = input_jacobian(model, inputs).numpy().astype(float)
                if not np.allclose(np.abs(J.mean(0)), np.abs(J).mean(0), rtol=1e-3, atol=1e-5):
                    break
            models.append((f"{kind}, p={p}, lag={lag}", model, inputs))
    return models


def _jacobian_readout_cases(seed=None):
    """Hidden cases for the Jacobian read-out exercise, with the answers of known mistakes."""
    from gcbook.neural import input_jacobian, jacobian_scores

    for name, model, inputs in _jacobian_models(seed):
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
        values.append(
            (
                S.transpose(order),
                f"your axes are in the order [{named}]; the answer is S[i, j, k-1]: cause, effect, lag.",
            )
        )
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
        got = answer_array(got)
    except (TypeError, ValueError, RuntimeError):
        return False, f"{wanted}, got {type(got).__name__}."
    if got.shape != expected.shape:
        hint = hints["shapes"].get(got.shape)
        return False, f"{wanted}, got shape {got.shape}" + (f": {hint}" if hint else ".")
    if np.allclose(got, expected, rtol=1e-4, atol=1e-6):
        return True, "ok"
    matching = [
        text
        for value, text in hints["values"]
        if value.shape == got.shape and np.allclose(got, value, rtol=1e-4, atol=1e-6)
    ]
    if matching:
        return False, "S is wrong: " + " Or: ".join(matching)
    worst = np.unravel_index(np.argmax(np.abs(got - expected)), expected.shape)
    return False, (
        f"S differs most at [i, j, k-1] = {tuple(int(a) for a in worst)}: expected "
        f"{expected[worst]:.6g}, got {got[worst]:.6g}."
    )


def check_jacobian_readout(func: Callable, verbose: bool = True, seed=None) -> CheckReport:
    """Check a student's Granger scores from a forecaster's input Jacobian against hidden models drawn at check time.

    Parameters
    ----------
    func : callable
        ``func(model, inputs) -> S`` where ``model`` is a :class:`torch.nn.Module` mapping a float32
        tensor of shape (n, lag, p) to the forecasts (n, p), ``inputs[m, k-1, i]`` is ``x_i(t_m - k)``,
        and ``S`` is array-like of shape (p, p, lag) with ``S[i, j, k-1]`` the mean over the n samples of
        ``|d yhat_j(t_m) / d x_i(t_m - k)|`` (cause on the rows); compared with
        ``jacobian_scores(input_jacobian(model, inputs))`` from :mod:`gcbook.neural`. The exercise
        forbids :mod:`gcbook.neural`: a case whose call reaches it (other than by running the
        model, which may be one of its forecasters), however imported, fails with a message that
        names the call.
    verbose : bool
        Print the report.
    seed : None, int or numpy.random.Generator
        Where the five models are drawn from (their distributions: ``_jacobian_models``): a
        linear forecaster, tanh MLPs, squared hidden units, an LSTM, of drawn sizes. ``None`` (the
        default) draws fresh models at every call; a seed repeats them.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> import torch
    >>> def readout(model, inputs):
    ...     x = inputs.clone().requires_grad_(True)
    ...     yhat = model(x)
    ...     rows = [torch.autograd.grad(yhat[:, j].sum(), x, retain_graph=True)[0] for j in range(yhat.shape[1])]
    ...     J = torch.stack(rows, dim=1).abs().mean(0)  # [j, k-1, i]: the samples are independent
    ...     return J.permute(2, 0, 1).numpy()
    >>> report = check_jacobian_readout(readout, verbose=False)
    >>> report.passed
    True
    >>> from gcbook.neural import input_jacobian, jacobian_scores
    >>> def shortcut(model, inputs):
    ...     return jacobian_scores(input_jacobian(model, inputs))
    >>> print(check_jacobian_readout(shortcut, verbose=False).cases[0].message)  # doctest: +ELLIPSIS
    your function calls gcbook.neural.input_jacobian, which this exercise forbids: write it with torch.autograd.grad (its ...
    >>> def effect_on_rows(model, inputs):
    ...     return readout(model, inputs).transpose(1, 0, 2)
    >>> report = check_jacobian_readout(effect_on_rows, verbose=False)
    >>> report.passed
    False
    >>> print(report.cases[0].message)
    S is wrong: you put the effect on the rows: S[i, j, k-1] has the cause i (an input series)
    on the rows and the effect j (a forecast) on the columns.
    """
    return run_cases(
        "Exercise: Granger scores from the input Jacobian",
        func,
        _jacobian_readout_cases(seed),
        _judge_jacobian_readout,
        verbose,
        forbidden=_READOUT_FORBIDDEN,
    )
