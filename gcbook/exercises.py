"""Auto-checked exercises: run a student's function on hidden cases and explain what is wrong.

A checker calls the student's function on cases generated here (the notebook never shows them),
compares each answer with the reference implementation in :mod:`gcbook`, prints one line per case
(which case, expected vs got, and a hint when the answer matches a known mistake), and returns a
:class:`CheckReport` whose ``passed`` attribute a grading script can read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy import linalg, stats

from gcbook.granger import granger_strength, granger_test
from gcbook.notears import acyclicity

__all__ = [
    "CheckReport",
    "CaseResult",
    "check_granger_f",
    "check_benjamini_hochberg",
    "check_acyclicity",
    "check_jacobian_readout",
    "check_window_f",
    "check_lasso",
    "check_auprc",
    "check_geweke_strength",
]


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one hidden case.

    Attributes
    ----------
    name : str
        A description of the case that does not reveal its data.
    passed : bool
    message : str
        ``"ok"``, or what went wrong (expected vs got, a hint, or the exception raised).
    """

    name: str
    passed: bool
    message: str


@dataclass(frozen=True)
class CheckReport:
    """All cases of one checker run.

    Attributes
    ----------
    exercise : str
    cases : tuple of CaseResult
    """

    exercise: str
    cases: tuple = field(default=())

    @property
    def passed(self) -> bool:
        """True when every case passed."""
        return bool(self.cases) and all(case.passed for case in self.cases)

    @property
    def n_passed(self) -> int:
        return sum(case.passed for case in self.cases)

    def summary(self) -> str:
        """The report as the text the checker prints."""
        lines = [f"{self.exercise}: {self.n_passed} of {len(self.cases)} hidden cases passed."]
        for number, case in enumerate(self.cases, start=1):
            mark = "PASS" if case.passed else "FAIL"
            lines.append(f"  [{mark}] case {number} ({case.name}): {case.message}")
        if self.passed:
            lines.append("Well done: every case matches the reference.")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def _not_implemented_report(exercise: str, exc: NotImplementedError) -> CheckReport:
    return CheckReport(
        exercise,
        (CaseResult("all cases", False, f"not implemented yet ({exc}). Replace the stub with your code."),),
    )


def _run_cases(exercise: str, func: Callable, cases, judge: Callable, verbose: bool) -> CheckReport:
    """Call ``func`` on every case and judge the answers.

    ``cases`` yields ``(name, args, expected, hints)``; ``judge(got, expected, hints)`` returns
    ``(passed, message)``.
    """
    if not callable(func):
        raise ValueError(f"Pass your function itself (not its result) to the checker, got {type(func).__name__}.")
    results = []
    for name, args, expected, hints in cases:
        try:
            got = func(*args)
        except NotImplementedError as exc:
            report = _not_implemented_report(exercise, exc)
            break
        except Exception as exc:  # the student's code may fail in any way: report it, do not crash
            results.append(CaseResult(name, False, f"your function raised {type(exc).__name__}: {exc}"))
            continue
        passed, message = judge(got, expected, hints)
        results.append(CaseResult(name, passed, message))
    else:
        report = CheckReport(exercise, tuple(results))
    if verbose:
        print(report.summary())
    return report


def _granger_pair_cases():
    """Hidden cases for the F-statistic exercise: short and long series, coupled and not."""
    settings = [
        ("T=40, lag=1, no coupling", 40, 1, 0.0, 11),
        ("T=120, lag=2, strong coupling", 120, 2, 0.8, 12),
        ("T=60, lag=4, weak coupling", 60, 4, 0.3, 13),
        ("T=500, lag=3, no coupling, large mean", 500, 3, 0.0, 14),
        ("T=35, lag=5, coupling at lag 5 only", 35, 5, 0.9, 15),
    ]
    for name, T, lag, coupling, seed in settings:
        rng = np.random.default_rng(seed)
        cause = rng.standard_normal(T) + (100.0 if "large mean" in name else 0.0)
        effect = rng.standard_normal(T)
        delay = 5 if "lag 5" in name else 1
        effect[delay:] += coupling * cause[:-delay]
        result = granger_test(np.column_stack([cause, effect]), lag)
        f_true, p_true = result.f_stat[0, 1], result.p_value[0, 1]
        n = T - lag
        # Common mistakes, recognised by recomputing F with the wrong degrees of freedom.
        hints = [
            (f_true * (n - 2 * lag) / result.df_den,
             "your F looks right except for the denominator degrees of freedom: did you forget the intercept "
             "(k_u = 2L + 1)?"),
            (f_true * (T - 2 * lag - 1) / result.df_den,
             "your F uses T instead of n = T - L usable rows in the degrees of freedom."),
            (f_true * lag, "you did not divide the numerator by its degrees of freedom L."),
        ]
        yield name, (cause.copy(), effect.copy(), lag), (f_true, p_true), hints


def _judge_f(got, expected, hints):
    try:
        f_got, p_got = (float(v) for v in got)
    except (TypeError, ValueError):
        return False, f"return a pair (F, p_value) of numbers, got {got!r}."
    f_true, p_true = expected
    f_ok = np.isclose(f_got, f_true, rtol=1e-6, atol=1e-10)
    p_ok = np.isclose(p_got, p_true, rtol=1e-6, atol=1e-12)
    if f_ok and p_ok:
        return True, "ok"
    matching = [hint for wrong_f, hint in hints if np.isclose(f_got, wrong_f, rtol=1e-6)]
    if matching:
        return False, f"expected F={f_true:.6g}, got {f_got:.6g}: " + " Or: ".join(matching)
    if f_ok:
        return False, (f"F is right ({f_got:.6g}) but expected p={p_true:.6g}, got {p_got:.6g}: the p-value is the "
                       "upper tail of F(L, n - 2L - 1), scipy.stats.f.sf(F, dfn, dfd).")
    if p_ok:
        return False, f"p-value is right but expected F={f_true:.6g}, got {f_got:.6g}."
    return False, f"expected F={f_true:.6g} and p={p_true:.6g}, got F={f_got:.6g} and p={p_got:.6g}."


def check_granger_f(func: Callable, verbose: bool = True) -> CheckReport:
    """Check a student's pairwise Granger F-test against hidden cases.

    Parameters
    ----------
    func : callable
        ``func(cause, effect, lag) -> (F, p_value)`` where ``cause`` and ``effect`` are arrays of
        shape (T,) and the test is whether ``cause`` Granger-causes ``effect`` with ``lag`` lags and
        an intercept in both regressions.
    verbose : bool
        Print the report.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> def my_test(cause, effect, lag):
    ...     res = granger_test(np.column_stack([cause, effect]), lag)
    ...     return res.f_stat[0, 1], res.p_value[0, 1]
    >>> check_granger_f(my_test, verbose=False).passed
    True
    """
    return _run_cases("Exercise: the Granger F statistic", func, _granger_pair_cases(), _judge_f, verbose)


def _bh_cases():
    """Hidden cases for Benjamini-Hochberg: signals among nulls, ties, and nothing significant."""
    rng = np.random.default_rng(2024)
    mixed = np.concatenate([rng.uniform(0, 1, 40), rng.uniform(0, 1e-3, 10)])
    rng.shuffle(mixed)
    settings = [
        ("50 p-values, 10 strong signals, q=0.05", mixed, 0.05),
        ("only nulls, q=0.1", rng.uniform(0, 1, 30), 0.1),
        ("ties at the threshold, q=0.05", np.array([0.01, 0.02, 0.02, 0.03, 0.5, 0.04]), 0.05),
        ("step-up beats step-down, q=0.05", np.array([0.049, 0.049, 0.049, 0.049]), 0.05),
        ("a single test, q=0.05", np.array([0.03]), 0.05),
    ]
    for name, p_values, q in settings:
        adjusted = stats.false_discovery_control(p_values, method="bh")
        expected = adjusted <= q
        naive = p_values <= q
        bonferroni = p_values * p_values.size <= q
        step_down = _step_down(p_values, q)
        hints = {}
        for mistake, hint in [
            (naive, "you rejected every p-value below q: that is no correction at all."),
            (bonferroni, "that is Bonferroni (p * m <= q), which controls the FWER, not BH."),
            (step_down, "you stopped at the first p_(k) > kq/m; BH is a step-UP rule: find the "
                        "LARGEST k with p_(k) <= kq/m and reject all p-values up to it."),
        ]:
            if not np.array_equal(mistake, expected):
                hints.setdefault(mistake.tobytes(), []).append(hint)
        yield name, (p_values.copy(), q), expected, hints


def _step_down(p_values, q):
    order = np.argsort(p_values)
    m = p_values.size
    below = p_values[order] <= q * np.arange(1, m + 1) / m
    k = m if below.all() else int(np.argmin(below))
    rejected = np.zeros(m, dtype=bool)
    rejected[order[:k]] = True
    return rejected


def _judge_bh(got, expected, hints):
    got = np.asarray(got)
    if got.shape != expected.shape:
        return False, f"return a boolean array of shape {expected.shape}, got shape {got.shape}."
    got = got.astype(bool)
    if np.array_equal(got, expected):
        return True, "ok"
    hint = " Or: ".join(hints.get(got.tobytes(), []))
    hint = hint[:1].upper() + hint[1:]
    return False, (f"expected {int(expected.sum())} rejections, got {int(got.sum())} "
                   f"({int((got & ~expected).sum())} too many, {int((~got & expected).sum())} missed). {hint}").strip()


def check_benjamini_hochberg(func: Callable, verbose: bool = True) -> CheckReport:
    """Check a student's Benjamini-Hochberg procedure against hidden cases.

    Parameters
    ----------
    func : callable
        ``func(p_values, q) -> rejected`` with ``p_values`` of shape (m,) and ``rejected`` a
        boolean array of shape (m,), True where the hypothesis is rejected at FDR level ``q``.
    verbose : bool
        Print the report.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> report = check_benjamini_hochberg(lambda p_values, q: p_values <= q, verbose=False)
    >>> report.passed
    False
    >>> print(report.cases[1].message)
    expected 0 rejections, got 2 (2 too many, 0 missed). You rejected every p-value below q: that is no correction at all.
    """
    return _run_cases("Exercise: Benjamini-Hochberg", func, _bh_cases(), _judge_bh, verbose)


def _acyclicity_cases():
    """Hidden cases for the NOTEARS acyclicity exercise: DAGs, short and long cycles, negative weights."""
    rng = np.random.default_rng(31)
    dag = np.triu(rng.uniform(0.5, 2.0, (5, 5)) * rng.choice([-1, 1], (5, 5)), k=1)
    order = rng.permutation(5)
    cycle3 = np.zeros((3, 3))
    cycle3[0, 1], cycle3[1, 2], cycle3[2, 0] = 0.9, -1.2, 0.7
    two_cycle = np.array([[0.0, 1.0, 0.0, 0.0], [-0.8, 0.0, 0.5, 0.0], [0.0, 0.0, 0.0, 1.3], [0.0, 0.0, 0.0, 0.0]])
    self_loop = np.array([[0.6, 0.3], [0.0, 0.0]])
    dense = 0.4 * rng.standard_normal((6, 6))
    settings = [
        ("a DAG on 5 nodes, weights of both signs", dag[np.ix_(order, order)]),
        ("a 3-cycle with a negative weight", cycle3),
        ("a 2-cycle with opposite signs plus a chain", two_cycle),
        ("a self-loop", self_loop),
        ("a dense 6x6 matrix", dense),
    ]
    for name, W in settings:
        h_true, grad_true = acyclicity(W)
        d = W.shape[0]
        E = linalg.expm(W * W)
        hints = {
            "h": [
                (float(np.trace(linalg.expm(W))) - d,
                 "h uses exp(W) instead of exp(W o W): with negative weights the closed walks can cancel; square the "
                 "entries first (W * W, elementwise, not W @ W)."),
                (float(np.trace(linalg.expm(W @ W))) - d,
                 "you used the matrix product W @ W; NOTEARS squares elementwise, W * W."),
                (h_true + d, "you forgot to subtract d (tr(exp(0)) = d, so a DAG must give h = 0)."),
            ],
            "grad": [
                (2 * W * E, "your gradient uses exp(W o W) without the transpose: it is 2 W o exp(W o W)^T."),
                (W * E.T, "your gradient misses the factor 2 from d(W_ij^2)/dW_ij = 2 W_ij."),
                (2 * E.T, "your gradient misses the elementwise factor W (chain rule through W o W)."),
            ],
        }
        yield name, (W.copy(),), (h_true, grad_true), hints


def _judge_acyclicity(got, expected, hints):
    h_true, grad_true = expected
    try:
        h_got, grad_got = got
        h_got = float(h_got)
        grad_got = np.asarray(grad_got, dtype=float)
    except (TypeError, ValueError):
        return False, f"return a pair (h, grad) with h a number and grad a (d, d) array, got {type(got).__name__}."
    if grad_got.shape != grad_true.shape:
        return False, f"grad must have the shape of W, {grad_true.shape}, got {grad_got.shape}."
    h_ok = np.isclose(h_got, h_true, rtol=1e-6, atol=1e-9)
    grad_ok = np.allclose(grad_got, grad_true, rtol=1e-6, atol=1e-9)
    if h_ok and grad_ok:
        return True, "ok"
    problems = []
    if not h_ok:
        hint = [text for value, text in hints["h"] if np.isclose(h_got, value, rtol=1e-6, atol=1e-9)]
        problems.append(f"expected h={h_true:.6g}, got {h_got:.6g}" + (": " + hint[0] if hint else "."))
    if not grad_ok:
        hint = [text for value, text in hints["grad"] if np.allclose(grad_got, value, rtol=1e-6, atol=1e-9)]
        worst = np.unravel_index(np.argmax(np.abs(grad_got - grad_true)), grad_true.shape)
        problems.append(
            f"grad differs most at entry {tuple(int(i) for i in worst)}: expected {grad_true[worst]:.6g}, "
            f"got {grad_got[worst]:.6g}" + (": " + hint[0] if hint else ".")
        )
    if h_ok:
        problems.insert(0, "h is right")
    elif grad_ok:
        problems.append("the gradient is right")
    return False, "; ".join(problems)


def check_acyclicity(func: Callable, verbose: bool = True) -> CheckReport:
    """Check a student's NOTEARS acyclicity function and its gradient against hidden matrices.

    Parameters
    ----------
    func : callable
        ``func(W) -> (h, grad)`` with ``W`` of shape (d, d), ``h = tr(exp(W o W)) - d`` a float and
        ``grad = 2 W o exp(W o W)^T`` of shape (d, d); compared with
        :func:`gcbook.notears.acyclicity`.
    verbose : bool
        Print the report.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> check_acyclicity(acyclicity, verbose=False).passed
    True
    >>> wrong = lambda W: (np.trace(linalg.expm(W)) - len(W), 2 * W * linalg.expm(W * W).T)
    >>> report = check_acyclicity(wrong, verbose=False)
    >>> report.passed, report.cases[0].passed
    (False, True)
    >>> "exp(W) instead of exp(W o W)" in report.cases[1].message
    True
    """
    return _run_cases("Exercise: the acyclicity function h(W)", func, _acyclicity_cases(), _judge_acyclicity, verbose)


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


def _as_float_array(got):
    if hasattr(got, "detach"):
        got = got.detach().cpu().numpy()
    return np.asarray(got, dtype=float)


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


def _window_f_by_lstsq(X, cause, effect, start, window, lag, *, intercept=True, df_den=None):
    """Classical F of one window by two :func:`numpy.linalg.lstsq` fits: the mistakes' calculator.

    Targets ``t = start..start+window-1``, regressors ``t-1..t-lag`` of the effect (restricted)
    and of the effect and the cause (full); ``df_den`` defaults to ``window - 2 lag - 1``.
    Returns ``(F, RSS_r, RSS_u)``.
    """
    t = np.arange(start, start + window)
    own = np.column_stack([X[t - k, effect] for k in range(1, lag + 1)])
    other = np.column_stack([X[t - k, cause] for k in range(1, lag + 1)])
    y = X[t, effect]
    if intercept:
        own = np.column_stack([np.ones(window), own])

    def rss(design):
        beta = np.linalg.lstsq(design, y, rcond=None)[0]
        return float(np.sum((y - design @ beta) ** 2))

    rss_r, rss_u = rss(own), rss(np.column_stack([own, other]))
    df_den = window - 2 * lag - 1 if df_den is None else df_den
    return (rss_r - rss_u) / lag / (rss_u / df_den), rss_r, rss_u


_HINT_MSE_RATIO = (
    "that is the paper's ratio L1 / L2 = RSS_r / RSS_u, not the F statistic: "
    "F = ((RSS_r - RSS_u) / L) / (RSS_u / (window - 2L - 1))."
)
_HINT_DF = (
    "your F is right except for the denominator degrees of freedom: the full model has 2L + 1 coefficients "
    "(intercept, L effect lags, L cause lags) fitted on the window's {window} targets, so df_den = "
    "window - 2L - 1 = {df}, not {wrong}."
)
_HINT_NO_INTERCEPT = "you left out the intercept: both regressions need a column of ones."
_HINT_INSIDE = (
    "you took the lags only from inside the window (targets from start + L on). The window's targets are "
    "t = start, ..., start + window - 1, all {window} of them; their lags t - 1, ..., t - L may reach before start."
)
_HINT_SWAPPED = "you swapped cause and effect: regress X[:, effect] on its own lags, then add the lags of X[:, cause]."
_HINT_P_VALUE = "that is the p-value of the test; return the F statistic itself."


def _window_f_cases():
    """Hidden cases for the window F exercise, from the DWGC simulations, with known mistakes' values.

    Yields ``(name, (X, cause, effect, start, window, lag), F, hints)`` where ``hints`` is a list of
    ``(wrong F, hint)``.
    """
    from gcbook.simulate import nonlinear_ar_pair, switching_ar_pair
    from gcbook.window import window_granger

    rng = np.random.default_rng(77)
    linear1 = switching_ar_pair(300, seed=101, lag=1)
    linear2 = switching_ar_pair(300, seed=102, lag=2)
    nonlinear3 = nonlinear_ar_pair(300, seed=103, lag=3)
    nonlinear1 = nonlinear_ar_pair(200, seed=104, lag=1)
    linear3 = switching_ar_pair(250, seed=105, lag=3)
    first_event = int(np.flatnonzero(linear2.event[40:])[0]) + 40
    settings = [
        # name, X, cause, effect, start, window, lag
        ("switching linear pair, lag=1, window=20", linear1.X, 1, 0, 57, 20, 1),
        ("switching linear pair, lag=2, window=30 holding a causal event", linear2.X, 1, 0, first_event - 10, 30, 2),
        ("nonlinear pair, lag=3, window=40", nonlinear3.X, 1, 0, 120, 40, 3),
        ("cause in column 0, effect in column 1, lag=2, window=25", linear2.X[:, ::-1], 0, 1, 150, 25, 2),
        ("3 columns (the middle one is not part of the test), lag=1, window=12",
         np.column_stack([nonlinear1.X[:, 0], rng.standard_normal(200), nonlinear1.X[:, 1]]), 2, 0, 80, 12, 1),
        ("the first window of the series (start = lag), lag=3, window=16", linear3.X, 1, 0, 3, 16, 3),
    ]
    for name, X, cause, effect, start, window, lag in settings:
        res = window_granger(X, cause, effect, window, step=1, lag=lag)
        (index,) = np.flatnonzero(res.starts == start)
        f_true = float(res.f_stat[index])
        df = window - 2 * lag - 1
        hints = [(float(res.mse_ratio[index]), _HINT_MSE_RATIO), (float(res.p_value[index]), _HINT_P_VALUE)]
        for wrong in sorted({window - 2 * lag, window - lag - 1, window - 2 * lag - 2, window - 1}):
            if wrong != df and wrong > 0:
                hints.append((f_true * wrong / df, _HINT_DF.format(window=window, df=df, wrong=wrong)))
        for df_den in (df, window - 2 * lag):
            hints.append((_window_f_by_lstsq(X, cause, effect, start, window, lag, intercept=False,
                                             df_den=df_den)[0], _HINT_NO_INTERCEPT))
        inside = window - lag  # targets start + lag .. start + window - 1, lags from inside the window
        for df_den in sorted({inside - 2 * lag - 1, df}):
            if df_den > 0:
                hints.append((_window_f_by_lstsq(X, cause, effect, start + lag, inside, lag, df_den=df_den)[0],
                              _HINT_INSIDE.format(window=window)))
        if start + lag + window <= X.shape[0]:  # the whole window shifted by lag
            (shifted,) = np.flatnonzero(res.starts == start + lag)
            hints.append((float(res.f_stat[shifted]), _HINT_INSIDE.format(window=window)))
        swapped = window_granger(X, effect, cause, window, step=1, lag=lag)
        hints.append((float(swapped.f_stat[index]), _HINT_SWAPPED))
        yield name, (X.copy(), cause, effect, start, window, lag), f_true, hints


def _real_scalar(got, wanted_shape: str, wanted_type: str, quantity: str):
    """A student's answer as one real number: ``(value, None)``, or ``(None, message)`` saying why not.

    ``wanted_shape`` opens the message for an answer that is not a single value (an array, a
    list), ``wanted_type`` the one for an answer that is no number at all, and ``quantity`` names
    the number for a complex answer. Torch scalars are accepted.
    """
    if hasattr(got, "detach"):  # a torch scalar
        got = got.detach().cpu().numpy()
    try:
        shape = None if isinstance(got, (str, bytes)) else np.shape(got)
    except ValueError:  # a ragged list
        shape = None
    if shape != ():
        shape_text = f" of shape {shape}" if shape else ""
        return None, f"{wanted_shape}, got {type(got).__name__}{shape_text}."
    try:
        value = complex(got)
    except (TypeError, ValueError):
        return None, f"{wanted_type}, got {type(got).__name__}."
    if value.imag != 0:
        return None, f"{quantity} is a real number, got {got!r}."
    return value.real, None


def _judge_window_f(got, expected, hints):
    if got is None:
        return False, ("your function returned None: return the F statistic, a float "
                       "(did you forget the return statement?).")
    wanted = "return a single number, the F statistic of the window"
    f_got, problem = _real_scalar(got, wanted, wanted, "F")
    if problem:
        return False, problem
    if not np.isfinite(f_got):
        return False, f"expected F={expected:.6g}, got {f_got}: is the full model's RSS zero, or a 0 / 0 somewhere?"
    if np.isclose(f_got, expected, rtol=1e-6, atol=1e-10):
        return True, "ok"
    matching = []
    for wrong_f, hint in hints:
        if np.isclose(f_got, wrong_f, rtol=1e-6, atol=1e-10) and hint not in matching:
            matching.append(hint)
    message = f"expected F={expected:.6g}, got {f_got:.6g}"
    if matching:
        return False, message + ": " + " Or: ".join(matching)
    return False, message + "."


def check_window_f(func: Callable, verbose: bool = True) -> CheckReport:
    """Check a student's F statistic of one window against hidden cases.

    Parameters
    ----------
    func : callable
        ``func(X, cause, effect, start, window, lag) -> F`` with ``X`` an array of shape (T, p),
        ``cause`` and ``effect`` column indices, and ``F`` (a float) the classical F statistic of
        the window whose forecast targets are ``t = start, ..., start + window - 1``: the effect
        regressed on an intercept and its own lags ``t-1, ..., t-lag`` (restricted) and also on
        the cause's lags (full), each lag possibly before ``start`` (``start >= lag``); with ``L = lag``,

        .. math:: F = \\frac{(\\mathrm{RSS}_r - \\mathrm{RSS}_u)/L}{\\mathrm{RSS}_u/(\\text{window} - 2L - 1)}.

        Other columns of ``X`` are ignored. Compared with
        ``window_granger(X, cause, effect, window, step=1, lag=lag)`` from :mod:`gcbook.window`,
        relative tolerance ``1e-6``.
    verbose : bool
        Print the report.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> from gcbook.window import window_granger
    >>> def window_f(X, cause, effect, start, window, lag):
    ...     res = window_granger(X, cause, effect, window, step=1, lag=lag)
    ...     return res.f_stat[start - lag]                # windows start at lag, lag + 1, ...
    >>> check_window_f(window_f, verbose=False).passed
    True
    >>> def mse_ratio(X, cause, effect, start, window, lag):
    ...     return window_granger(X, cause, effect, window, step=1, lag=lag).mse_ratio[start - lag]
    >>> report = check_window_f(mse_ratio, verbose=False)
    >>> report.n_passed, "L1 / L2" in report.cases[0].message
    (0, True)
    """
    return _run_cases("Exercise: the F statistic of one window", func, _window_f_cases(), _judge_window_f, verbose)


# ----------------------------------------------------------------------------- the lasso by coordinate descent
_HINT_LASSO_N_STRONG = (
    "your penalty is n times too strong (you solved the lasso for n * alpha): the factor n belongs in the "
    "update once, b_k = S(z_k^T r_k, n alpha) / ||z_k||^2 or equally S(z_k^T r_k / n, alpha) / (||z_k||^2 / n), "
    "with r_k the residual without coordinate k."
)
_HINT_LASSO_N_WEAK = (
    "your penalty is n times too weak: you minimised 1/2 ||y - Zb||^2 + alpha ||b||_1, without the 1/n. "
    "Threshold z_k^T r_k at n alpha (or z_k^T r_k / n at alpha)."
)
_HINT_LASSO_TWICE = (
    "your penalty is twice too strong: the 1/2 in (1/(2n)) ||y - Zb||^2 cancels the 2 of its derivative, "
    "so threshold z_k^T r_k at n alpha, not 2 n alpha."
)
_HINT_LASSO_HALF = (
    "your penalty is half as strong as it should be: you minimised (1/n) ||y - Zb||^2 + alpha ||b||_1. "
    "The squared error carries 1/(2n), so threshold z_k^T r_k at n alpha, not n alpha / 2."
)
_HINT_LASSO_ONE_STEP = (
    "that is a single soft-thresholding step, right only for orthogonal columns of Z. Iterate coordinate "
    "descent until the coefficients stop changing: update each b_k in turn from the current partial residual "
    "r_k = y - sum_{j != k} z_j b_j."
)
_HINT_LASSO_INTERCEPT = (
    "you fitted an intercept (centred Z and y): this exercise has none, so use Z and y as given."
)
_HINT_LASSO_HARD = (
    "you used hard thresholding (keep a value if it is large, else 0). The lasso's update is soft "
    "thresholding, S(x, t) = sign(x) * max(|x| - t, 0), which also shrinks the values it keeps."
)
_HINT_LASSO_UNIT_NORM = (
    "your update b_k = S(z_k^T r_k / n, alpha) assumes every column has ||z_k||^2 / n = 1; divide by it: "
    "b_k = S(z_k^T r_k / n, alpha) / (||z_k||^2 / n)."
)


def _lasso_close(got, reference):
    """The exercise's tolerance: ``max|got - reference| <= 1e-6 * max(1, max|reference|)``."""
    return bool(np.max(np.abs(got - reference)) <= 1e-6 * max(1.0, float(np.max(np.abs(reference)))))


def _mistaken_coordinate_descent(Z, y, alpha, update, max_sweeps=1000):
    """Cyclic coordinate descent from zero with a mistaken ``update(rho_k, ||z_k||^2, n, alpha)``.

    ``rho_k = z_k^T r_k`` with ``r_k`` the residual without coordinate ``k``. Returns the fixed point a
    student's loop would reach, or None when the iteration diverges or does not settle.
    """
    n, m = Z.shape
    G = Z.T @ Z
    c = Z.T @ y
    b = np.zeros(m)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging iteration is an expected outcome
        for _ in range(max_sweeps):
            change = 0.0
            for k in range(m):
                new = update(c[k] - G[k] @ b + G[k, k] * b[k], G[k, k], n, alpha)
                change = max(change, abs(new - b[k]))
                b[k] = new
            if not np.all(np.isfinite(b)) or np.max(np.abs(b)) > 1e12:
                return None
            if change <= 1e-13 * max(1.0, float(np.max(np.abs(b)))):
                return b
    return None


def _hard_update(rho, col_sq, n, alpha):
    """Hard instead of soft thresholding: keep ``rho / ||z_k||^2`` when ``|rho| > n alpha``."""
    return rho / col_sq if abs(rho) > n * alpha else 0.0


def _unit_norm_update(rho, col_sq, n, alpha):
    """The update for unit-norm columns, ``S(rho / n, alpha)``, that forgets to divide by ``||z_k||^2 / n``."""
    return math.copysign(max(abs(rho) / n - alpha, 0.0), rho)


def _lasso_mistakes(Z, y, alpha, expected):
    """What typical wrong lasso solvers return on ``(Z, y, alpha)``, each with its hint.

    Returns a list of ``(wrong b, hint)``, leaving out the answers that equal ``expected`` (a right
    answer must never get a hint) and the ones that are not finite.
    """
    from gcbook.sparse_var import lasso, soft_threshold

    n, m = Z.shape
    col_sq = np.sum(Z * Z, axis=0)
    candidates = [
        (lasso(Z, y, alpha * n, fit_intercept=False)[0], _HINT_LASSO_N_STRONG),
        # with m > n, alpha / n is all but interpolation, slow to solve: that mistake is recognised elsewhere
        (lasso(Z, y, alpha / n, fit_intercept=False)[0] if n > m else None, _HINT_LASSO_N_WEAK),
        (lasso(Z, y, 2 * alpha, fit_intercept=False)[0], _HINT_LASSO_TWICE),
        (lasso(Z, y, alpha / 2, fit_intercept=False)[0], _HINT_LASSO_HALF),
        (lasso(Z, y, alpha, fit_intercept=True)[0], _HINT_LASSO_INTERCEPT),
        (soft_threshold(Z.T @ y / n, alpha), _HINT_LASSO_ONE_STEP),
        (soft_threshold(Z.T @ y, n * alpha) / col_sq, _HINT_LASSO_ONE_STEP),
        (_mistaken_coordinate_descent(Z, y, alpha, _hard_update), _HINT_LASSO_HARD),
        (_mistaken_coordinate_descent(Z, y, alpha, _unit_norm_update), _HINT_LASSO_UNIT_NORM),
    ]
    if n > m and np.linalg.matrix_rank(Z) == m:  # a unique least-squares solution
        ols = np.linalg.lstsq(Z, y, rcond=None)[0]
        candidates += [
            (soft_threshold(ols, alpha), _HINT_LASSO_ONE_STEP),
            (np.where(np.abs(ols) > alpha, ols, 0.0), _HINT_LASSO_HARD),
        ]
    return [
        (np.asarray(wrong, dtype=float), hint) for wrong, hint in candidates
        if wrong is not None and np.all(np.isfinite(wrong)) and not _lasso_close(wrong, expected)
    ]


def _lasso_cases():
    """Hidden cases for the lasso exercise, with the answers of known mistakes.

    Yields ``(name, (Z, y, alpha), b, hints)`` with ``b`` the reference
    ``gcbook.sparse_var.lasso(Z, y, alpha, fit_intercept=False)[0]`` and ``hints`` a list of
    ``(wrong b, hint)``.
    """
    from gcbook.granger import lag_matrix
    from gcbook.simulate import var
    from gcbook.sparse_var import lasso

    rng = np.random.default_rng(4242)
    settings = []

    Z = rng.standard_normal((100, 8))
    b = np.zeros(8)
    b[[1, 4, 6]] = [1.5, -2.0, 0.8]
    y = Z @ b + 0.5 * rng.standard_normal(100) + 1.0  # a non-zero mean: fitting an intercept changes b
    settings.append(("Gaussian design, n=100, m=8, a sparse truth", Z, y, 0.1))

    Z = rng.standard_normal((80, 6))
    Z[:, 1] *= 10.0
    Z[:, 4] *= 0.1
    y = Z @ np.array([0.7, 0.15, 0.0, -1.0, 6.0, 0.0]) + 0.5 * rng.standard_normal(80)
    settings.append(("columns on very different scales, n=80, m=6", Z, y, 0.05))

    corr = np.full((5, 5), 0.9) + 0.1 * np.eye(5)
    Z = rng.standard_normal((120, 5)) @ np.linalg.cholesky(corr).T
    y = Z @ np.array([1.0, 0.0, -0.5, 0.0, 0.8]) + 0.3 * rng.standard_normal(120)
    settings.append(("strongly correlated columns (correlation 0.9), n=120, m=5", Z, y, 0.05))

    Z = rng.standard_normal((50, 6))
    y = Z[:, 2] - 0.5 * Z[:, 0] + rng.standard_normal(50) + 2.0
    settings.append(("alpha exactly at max|Z^T y| / n, n=50, m=6", Z, y, float(np.max(np.abs(Z.T @ y))) / 50))

    Z = rng.standard_normal((60, 5))
    y = Z @ rng.standard_normal(5) + rng.standard_normal(60) - 1.5
    settings.append(("alpha = 0 (least squares), n=60, m=5", Z, y, 0.0))

    X = var(p=3, T=203, lag=2, sparsity=0.4, seed=4243)[0] + np.array([1.0, -2.0, 0.5])
    targets, lags = lag_matrix(X, 2)
    design = lags.transpose(0, 2, 1).reshape(len(targets), 6)  # column (k-1)*p + i holds x_i(t-k)
    settings.append(("the lagged design of a 3-variable VAR(2), n=201, m=6", design, targets[:, 1].copy(), 0.05))

    Z = rng.standard_normal((30, 60))
    b = np.zeros(60)
    b[[3, 17, 42, 55]] = [2.0, -1.5, 1.0, 0.7]
    y = Z @ b + 0.2 * rng.standard_normal(30)
    settings.append(("more predictors than samples, n=30, m=60", Z, y, 0.2))

    for name, Z, y, alpha in settings:
        expected = lasso(Z, y, alpha, fit_intercept=False)[0]
        yield name, (Z.copy(), y.copy(), alpha), expected, _lasso_mistakes(Z, y, alpha, expected)


def _format_vector(v):
    return "[" + ", ".join(f"{x + 0.0:.4g}" for x in v) + "]"  # + 0.0 prints -0.0 as 0


def _shape_or_none(x):
    try:
        return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)
    except (TypeError, ValueError):  # a ragged list
        return None


def _judge_lasso(got, expected, hints):
    m = expected.size
    wanted = f"return the coefficient vector b, an array of shape ({m},)"
    if got is None:
        return False, f"your function returned None: {wanted} (did you forget the return statement?)."
    if isinstance(got, tuple) and len(got) == 2 and _shape_or_none(got[0]) in ((m,), (m, 1)):
        try:
            right = _lasso_close(_as_float_array(got[0]).ravel(), expected)
        except (TypeError, ValueError, RuntimeError):
            right = False
        return False, (f"return only the coefficient vector b of shape ({m},), not a pair (coef, intercept): "
                       "this lasso has no intercept" + (" (your coefficients are right)." if right else "."))
    try:
        values = np.asarray(got.detach().cpu().numpy() if hasattr(got, "detach") else got)  # torch: to numpy
        if values.dtype.kind == "c":
            if np.any(values.imag != 0):
                return False, f"{wanted} of real numbers, got complex numbers."
            values = values.real
        values = values.astype(float)
    except (TypeError, ValueError, RuntimeError):
        return False, f"{wanted}, got {type(got).__name__}."
    if values.shape != expected.shape:
        if values.shape in ((m, 1), (1, m)):
            right = " (the values are right)" if _lasso_close(values.ravel(), expected) else ""
            return False, f"{wanted}, got shape {values.shape}: flatten it, b.ravel(){right}."
        return False, f"{wanted}, one coefficient per column of Z, got shape {values.shape}."
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        return False, (f"your b contains NaN or inf (first at coefficient {bad[0]}): a division by zero, or an "
                       "iteration that diverged (does each update divide by ||z_k||^2 / n?).")
    if _lasso_close(values, expected):
        return True, "ok"
    worst = int(np.argmax(np.abs(values - expected)))
    message = f"b differs most at coefficient {worst}: expected {expected[worst]:.6g}, got {values[worst]:.6g}"
    if m <= 8:
        message += f"; expected b = {_format_vector(expected)}, got {_format_vector(values)}"
    matching = []
    for wrong, hint in hints:
        if _lasso_close(values, wrong) and hint not in matching:
            matching.append(hint)
    if matching:
        return False, message + ". " + " Or: ".join(hint[:1].upper() + hint[1:] for hint in matching)
    return False, message + "."


def check_lasso(func: Callable, verbose: bool = True) -> CheckReport:
    """Check a student's lasso solver (no intercept) against hidden cases.

    Parameters
    ----------
    func : callable
        ``func(Z, y, alpha) -> b`` with ``Z`` an array of shape (n, m), ``y`` of shape (n,) and
        ``alpha >= 0`` a float, returning the coefficient vector ``b`` of shape (m,) (a NumPy array,
        a list or a torch tensor) that minimises

        .. math:: \\frac{1}{2n} \\lVert y - Z b \\rVert_2^2 + \\alpha \\lVert b \\rVert_1

        with no intercept (scikit-learn's scale of ``alpha``), typically by cyclic coordinate
        descent with soft-thresholding, ``b_k = S(z_k^T r_k, n alpha) / ||z_k||^2``. Compared with
        ``lasso(Z, y, alpha, fit_intercept=False)[0]`` from :mod:`gcbook.sparse_var`: a case passes
        when ``max|b - b_ref| <= 1e-6 * max(1, max|b_ref|)``.
    verbose : bool
        Print the report.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> from gcbook.sparse_var import lasso, soft_threshold
    >>> def my_lasso(Z, y, alpha):
    ...     return lasso(Z, y, alpha, fit_intercept=False)[0]
    >>> check_lasso(my_lasso, verbose=False).passed
    True
    >>> def one_step(Z, y, alpha):
    ...     return soft_threshold(Z.T @ y / len(y), alpha)
    >>> report = check_lasso(one_step, verbose=False)
    >>> [case.passed for case in report.cases]
    [False, False, False, True, False, False, False]
    >>> "until the coefficients stop changing" in report.cases[2].message
    True
    """
    return _run_cases("Exercise: the lasso by coordinate descent", func, _lasso_cases(), _judge_lasso, verbose)


# ----------------------------------------------------------------------------- average precision of edge scores
_AUPRC_TOL = 1e-9
_HINT_AUPRC_DIAGONAL = (
    "you included the diagonal: the self-loops i -> i are not edges between variables. Evaluate the "
    "off-diagonal entries only, e.g. keep = ~np.eye(p, dtype=bool), then A_true[keep] and scores[keep]."
)
_HINT_AUPRC_TRAPEZOID = (
    "you interpolated the precision-recall curve linearly (trapezoids, as sklearn.metrics.auc(recall, precision) "
    "does). Average precision is the step sum AP = sum_k (R_k - R_{k-1}) P_k: each threshold's precision "
    "times the recall it adds, with no interpolation between the points of the curve."
)
_HINT_AUPRC_TIES = (
    "you ranked tied scores one at a time (in some order, e.g. by index); entries with the same score cross "
    "the threshold together. Take each distinct score t once, in decreasing order, predict every entry with "
    "score >= t, and add one step (R_k - R_{k-1}) P_k per distinct score."
)
_HINT_AUPRC_AUROC = (
    "that is the AUROC (true against false positive rate). The AUPRC uses precision and recall: "
    "AP = sum_k (R_k - R_{k-1}) P_k, whose chance level is the edge density, not 0.5."
)
_HINT_AUPRC_ABS = (
    "you took |scores|: use the scores as given, higher = more confident; a large negative score is a "
    "confident 'no edge'."
)
_HINT_AUPRC_TRANSPOSED = (
    "you compared the score of i -> j with A_true[j, i]: both matrices have the cause on the rows "
    "(A_true[i, j] = 1 means i -> j), so compare scores[i, j] with A_true[i, j], without a transpose."
)
_HINT_AUPRC_FIXED = (
    "that is the precision at a single threshold, not the area under the curve: AP adds up the precision P_k "
    "at every distinct score threshold, each weighted by the recall it adds, R_k - R_{k-1}."
)
_HINT_AUPRC_MEAN_PRECISION = (
    "you averaged the precisions of the thresholds with equal weights; weight each P_k by the recall it adds, "
    "R_k - R_{k-1}, so thresholds that add no true edge count for nothing."
)
_HINT_AUPRC_REVERSED = (
    "you ranked the scores in increasing order: a higher score means more confident, so the first threshold "
    "is the largest score."
)


def _pr_steps(y, s):
    """Precision and recall at each distinct score of 1-D labels ``y`` and scores ``s``, highest score first."""
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order].astype(float)
    last = np.r_[np.flatnonzero(np.diff(s)), s.size - 1]  # the last entry of each run of tied scores
    tps = np.cumsum(y)[last]
    return tps / (last + 1.0), tps / tps[-1]


def _ap_one_at_a_time(y, order):
    """Average precision with every entry its own threshold, in the given ``order`` (ties broken by it)."""
    y = y[order].astype(float)
    precision = np.cumsum(y) / np.arange(1.0, y.size + 1.0)
    return float(np.sum(precision * y) / y.sum())


def _trapezoids(recall, precision):
    """The trapezoidal area under the points ``(recall[k], precision[k])``, recall non-decreasing."""
    return float(np.sum(np.diff(recall) * (precision[1:] + precision[:-1]) / 2.0))


def _auprc_methods(y, s, y_columns, s_columns):
    """What typical (right or wrong) AUPRC computations return on 1-D labels and scores, as ``(value, hint)``.

    ``hint`` is None for the right method, average precision. ``y_columns``, ``s_columns`` are the
    same entries in column-major order, for ties broken by that order.
    """
    precision, recall = _pr_steps(y, s)
    values = [(float(np.sum(np.diff(np.r_[0.0, recall]) * precision)), None)]
    trapezoid = _trapezoids(np.r_[0.0, recall], np.r_[1.0, precision])
    values += [
        (trapezoid, _HINT_AUPRC_TRAPEZOID),
        (-trapezoid, _HINT_AUPRC_TRAPEZOID),  # np.trapz(precision, recall) on scikit-learn's decreasing recall
        (_trapezoids(recall, precision), _HINT_AUPRC_TRAPEZOID),  # without the point (0, 1)
        (_trapezoids(np.r_[0.0, recall], np.r_[precision[0], precision]), _HINT_AUPRC_TRAPEZOID),  # from (0, P_1)
    ]
    for labels, scores in ((y, s), (y_columns, s_columns)):
        for order in (np.argsort(-scores, kind="stable"), np.argsort(-scores),
                      np.argsort(scores, kind="stable")[::-1], np.argsort(scores)[::-1]):
            values.append((_ap_one_at_a_time(labels, order), _HINT_AUPRC_TIES))
    values += [
        (_ap_one_at_a_time(y, np.lexsort((-y.astype(float), -s))), _HINT_AUPRC_TIES),  # true edges first in a tie
        (_ap_one_at_a_time(y, np.lexsort((y.astype(float), -s))), _HINT_AUPRC_TIES),  # true edges last in a tie
    ]
    ranks = stats.rankdata(s)
    n_pos = int(y.sum())
    values.append(((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * (y.size - n_pos)), _HINT_AUPRC_AUROC))
    predictions = [s > 0, s >= 0, s > 0.5, s >= 0.5, s >= s.max(), s >= np.sort(s)[::-1][n_pos - 1]]
    for ranking in (np.argsort(-s, kind="stable"), np.argsort(-s), np.argsort(s)[::-1]):  # the top n_pos entries
        predictions.append(np.isin(np.arange(s.size), ranking[:n_pos]))
    values += [(float(np.mean(y[chosen])), _HINT_AUPRC_FIXED) for chosen in predictions if chosen.any()]
    values.append((float(np.mean(precision)), _HINT_AUPRC_MEAN_PRECISION))
    return values


def _auprc_mistakes(A, S, expected):
    """What typical wrong AUPRC functions return on the truth ``A`` and scores ``S``, each with its hints.

    Every wrong input (the diagonal, |scores|, the truth transposed, the ranking reversed) is combined
    with every method of :func:`_auprc_methods`. Returns a list of ``(wrong value, hints)`` with
    ``hints`` a tuple of one or two hint texts, leaving out the values within the tolerance of
    ``expected`` (a right answer must never get a hint).
    """
    p = A.shape[0]
    off = ~np.eye(p, dtype=bool)
    everything = np.ones((p, p), dtype=bool)
    inputs = [
        (A, S, off, None),
        (A, S, everything, _HINT_AUPRC_DIAGONAL),
        (A, np.abs(S), off, _HINT_AUPRC_ABS),
        (A.T, S, off, _HINT_AUPRC_TRANSPOSED),
        (A, -S, off, _HINT_AUPRC_REVERSED),
    ]
    mistakes = []
    for truth, scores, keep, input_hint in inputs:
        truth = truth.astype(bool)
        for value, method_hint in _auprc_methods(truth[keep], scores[keep], truth.T[keep], scores.T[keep]):
            hints = tuple(hint for hint in (input_hint, method_hint) if hint is not None)
            if hints and np.isfinite(value) and abs(value - expected) > _AUPRC_TOL:
                mistakes.append((float(value), hints))
    return mistakes


def _auprc_cases():
    """Hidden cases for the average-precision exercise, with the answers of known mistakes.

    Yields ``(name, (A_true, scores), AP, hints)`` with ``AP`` the reference
    ``gcbook.metrics.auprc(A_true, scores, include_diagonal=False)`` and ``hints`` a list of
    ``(wrong AP, hints)``.
    """
    from gcbook.metrics import auprc

    rng = np.random.default_rng(8128)
    settings = []

    p = 10
    A = (rng.random((p, p)) < 0.2).astype(int)
    np.fill_diagonal(A, 1)  # self-loops, as simulators put them, with high scores
    S = np.abs(rng.standard_normal((p, p))) + 1.5 * A * rng.random((p, p))
    settings.append(("a random sparse graph with self-loops, continuous scores, p=10", A, S))

    p = 9
    A = (rng.random((p, p)) < 0.25).astype(int)
    np.fill_diagonal(A, 1)
    found = rng.random((p, p)) < np.where(A == 1, 0.7, 0.12)  # what a lasso keeps; the rest is exactly 0
    S = np.where(found, rng.uniform(0.02, 1.0, (p, p)), 0.0)
    np.fill_diagonal(S, rng.uniform(0.3, 0.9, p))
    settings.append(("|lasso coefficients|: many exact zeros (tied), p=9", A, S))

    p = 7
    order = rng.permutation(p)
    A = np.triu((rng.random((p, p)) < 0.4).astype(int), k=1)[np.ix_(order, order)]  # a DAG
    S = np.zeros((p, p))
    for i, j in zip(*np.nonzero(A)):
        u = rng.random()
        if u < 0.45:
            S[i, j] = 1.0  # oriented right
        elif u < 0.75:
            S[i, j] = S[j, i] = 0.5  # left undirected
        elif u < 0.9:
            S[j, i] = 1.0  # oriented the wrong way
    for i, j in zip(*np.nonzero(np.triu(A + A.T == 0, k=1))):
        if rng.random() < 0.15:  # a false adjacency
            S[i, j] = S[j, i] = 0.5
    settings.append(("a CPDAG read as scores (1 directed, 0.5 undirected, 0 absent), p=7", A, S))

    p = 6
    A = (rng.random((p, p)) < 0.3).astype(int)
    A[np.diag_indices(p)] = [1, 1, 0, 1, 1, 0]
    S = rng.random((p, p)) + 0.4 * A
    S[np.diag_indices(p)] = rng.uniform(3.0, 5.0, p)  # the largest scores are all self-loops
    settings.append(("true self-loops, with the largest scores on the diagonal, p=6", A, S))

    p = 9
    A = (rng.random((p, p)) < 0.2).astype(int)
    np.fill_diagonal(A, 0)
    S = np.where(A == 1, rng.uniform(1.5, 3.0, (p, p)), rng.uniform(0.0, 1.4, (p, p)))
    np.fill_diagonal(S, 0.0)
    settings.append(("a perfect ranking, p=9", A, S))

    p = 8
    A = (rng.random((p, p)) < 0.25).astype(int)
    np.fill_diagonal(A, 0)
    S = np.where(A == 1, rng.normal(0.5, 0.8, (p, p)), rng.normal(-1.5, 1.0, (p, p)))  # signed, e.g. a t-statistic
    settings.append(("negative scores (higher = more confident), p=8", A, S))

    p = 12
    A = np.zeros((p, p), dtype=int)
    A[7, 2] = 1
    S = rng.random((p, p))
    ranked = np.sort(S[~np.eye(p, dtype=bool)])[::-1]
    S[7, 2] = (ranked[1] + ranked[2]) / 2.0  # the third highest off-diagonal score: AP = 1/3
    settings.append(("a single true edge, p=12", A, S))

    for name, A, S in settings:
        expected = auprc(A, S, include_diagonal=False)
        yield name, (A.copy(), S.copy()), expected, _auprc_mistakes(A, S, expected)


def _format_two(expected, got):
    """``expected`` and ``got`` with enough digits to tell them apart."""
    for digits in (6, 9, 12, 17):
        a, b = f"{expected:.{digits}g}", f"{got:.{digits}g}"
        if a != b:
            break
    return a, b


def _judge_auprc(got, expected, hints):
    wanted = "return the AUPRC, a single number"
    if got is None:
        return False, f"your function returned None: {wanted} (did you forget the return statement?)."
    if isinstance(got, (bool, np.bool_)):
        return False, f"{wanted} between 0 and 1, got the boolean {got}."
    if hasattr(got, "detach"):  # a torch scalar
        got = got.detach().cpu().numpy()
    if isinstance(got, (tuple, list)) and len(got) in (2, 3) and all(np.ndim(part) == 1 for part in got):
        return False, (f"that looks like the curve itself (precision, recall, ...): {wanted}, the area "
                       "AP = sum_k (R_k - R_{k-1}) P_k.")
    ap, problem = _real_scalar(got, f"{wanted} for all the off-diagonal entries together", wanted, "the AUPRC")
    if problem:
        return False, problem
    if not np.isfinite(ap):
        return False, (f"expected AP={expected:.6g}, got {ap}: a 0 / 0 somewhere? The precision of a threshold that "
                       "predicts no edge is undefined: start at the largest score, so every threshold predicts one.")
    if abs(ap - expected) <= _AUPRC_TOL:
        return True, "ok"
    shown_expected, shown_got = _format_two(expected, ap)
    message = f"expected AP={shown_expected}, got {shown_got}"
    matching = [found for value, found in hints if abs(ap - value) <= _AUPRC_TOL]
    if matching:
        fewest = min(len(found) for found in matching)
        texts = []
        for found in matching:
            text = " And: ".join(found)
            if len(found) == fewest and text not in texts:
                texts.append(text)
        return False, message + ": " + " Or: ".join(texts)
    if abs(ap - expected) <= 1e-6:
        return False, message + (": close, but not within 1e-9; compute in float64 (float32 keeps only about "
                                 "7 digits).")
    if not 0.0 <= ap <= 1.0:
        return False, message + ": AP is a weighted average of precisions, so it lies between 0 and 1."
    return False, message + "."


def check_auprc(func: Callable, verbose: bool = True) -> CheckReport:
    """Check a student's area under the precision-recall curve (average precision) against hidden cases.

    Parameters
    ----------
    func : callable
        ``func(A_true, scores) -> AP`` with ``A_true`` a binary array of shape (p, p)
        (``A_true[i, j] = 1`` means ``i -> j``; the diagonal may hold self-loops) and ``scores`` a
        float array of the same shape (higher = more confident, used as given, possibly negative),
        returning a float: the average precision of the **off-diagonal** entries,

        .. math:: \\mathrm{AP} = \\sum_k (R_k - R_{k-1}) P_k,

        where ``k`` runs over the distinct scores in decreasing order (tied scores form one
        threshold), ``P_k`` and ``R_k`` are the precision and recall of predicting every entry
        with ``score >= t_k``, and ``R_0 = 0``: the step-wise definition of
        :func:`sklearn.metrics.average_precision_score`, with no interpolation. Compared with
        ``auprc(A_true, scores, include_diagonal=False)`` from :mod:`gcbook.metrics`: a case passes
        when ``|AP - AP_ref| <= 1e-9``.
    verbose : bool
        Print the report.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> from gcbook.metrics import auprc
    >>> def my_auprc(A_true, scores):
    ...     return auprc(A_true, scores)
    >>> check_auprc(my_auprc, verbose=False).passed
    True
    >>> def with_diagonal(A_true, scores):
    ...     return auprc(A_true, scores, include_diagonal=True)
    >>> report = check_auprc(with_diagonal, verbose=False)
    >>> [case.passed for case in report.cases]
    [False, False, False, False, True, True, False]
    >>> print(report.cases[3].message)
    expected AP=0.837361, got 0.780551: you included the diagonal: the self-loops i -> i are not edges
    between variables. Evaluate the off-diagonal entries only, e.g. keep = ~np.eye(p, dtype=bool), then
    A_true[keep] and scores[keep].
    """
    return _run_cases("Exercise: average precision of edge scores", func, _auprc_cases(), _judge_auprc, verbose)


# --- Geweke's measure of Granger causality (chapter "Granger causality in practice") ---------------

_GEWEKE_TOL = dict(rtol=1e-6, atol=1e-10)


def _geweke_cases():
    """Hidden cases for Geweke's measure: short and long series, coupled and not, a large mean."""
    settings = [
        ("T=60, lag=1, no coupling", 60, 1, 0.0, 21),
        ("T=150, lag=2, strong coupling", 150, 2, 0.8, 22),
        ("T=80, lag=3, weak coupling and feedback", 80, 3, 0.3, 23),
        ("T=400, lag=2, coupling, large mean", 400, 2, 0.5, 24),
        ("T=50, lag=4, coupling at lag 4 only", 50, 4, 0.9, 25),
    ]
    for name, T, lag, coupling, seed in settings:
        rng = np.random.default_rng(seed)
        cause = rng.standard_normal(T)
        effect = rng.standard_normal(T)
        delay = 4 if "lag 4" in name else 1
        effect[delay:] += coupling * cause[:-delay]
        if "feedback" in name:
            cause[1:] += 0.4 * effect[:-1]
        if "large mean" in name:
            cause, effect = cause + 50.0, effect - 20.0
        X = np.column_stack([cause, effect])
        res = granger_strength(X, lag)
        F, F_back, n = float(res.strength[0, 1]), float(res.strength[1, 0]), res.n
        f_test = granger_test(X, lag)
        rss_ratio = math.exp(F)
        df_r, df_u = n - lag - 1, n - 2 * lag - 1
        # Common mistakes, as (wrong value, hint) pairs.
        hints = [
            (rss_ratio, "that is the ratio RSS_r / RSS_u itself: Geweke's measure is its natural logarithm."),
            (-F, "you took ln(RSS_u / RSS_r): the restricted model (without the cause) goes on top, so F >= 0."),
            (F / 2, "that is F / 2, the Gaussian transfer entropy: Geweke's measure is twice that."),
            (F / math.log(10), "you used log10: the measure is in nats, with the natural logarithm (np.log)."),
            (math.log(rss_ratio * df_u / df_r),
             "you divided each RSS by its degrees of freedom: use the maximum-likelihood variances RSS / n, "
             "whose common 1/n cancels, so F = ln(RSS_r / RSS_u)."),
            (n * F, "that is n F, the likelihood-ratio statistic: divide by the n = T - L rows."),
            (F_back, "you swapped cause and effect: the target of both regressions is the effect."),
            (float(f_test.f_stat[0, 1]), "that is the F statistic of the F-test, not Geweke's measure."),
        ]
        yield name, (cause.copy(), effect.copy(), lag), F, hints


def _judge_geweke(got, expected, hints):
    wanted = "return Geweke's measure, a single number (nats)"
    if got is None:
        return False, f"your function returned None: {wanted} (did you forget the return statement?)."
    value, problem = _real_scalar(got, wanted, wanted, "the measure")
    if problem:
        return False, problem
    if np.isclose(value, expected, **_GEWEKE_TOL):
        return True, "ok"
    message = f"expected F={expected:.6g}, got {value:.6g}"
    matching = [hint for wrong, hint in hints if np.isclose(value, wrong, **_GEWEKE_TOL)]
    if matching:
        return False, message + ": " + " Or: ".join(matching)
    return False, message + (": check that both regressions have an intercept, L lags and the same "
                             "n = T - L rows.")


def check_geweke_strength(func: Callable, verbose: bool = True) -> CheckReport:
    """Check a student's Geweke measure of Granger causality against hidden cases.

    Parameters
    ----------
    func : callable
        ``func(cause, effect, lag) -> F`` where ``cause`` and ``effect`` are arrays of shape (T,),
        returning ``F = ln(RSS_r / RSS_u)`` (nats): the restricted regression of ``effect(t)`` on an
        intercept and its own ``lag`` lags, the unrestricted one adding ``lag`` lags of ``cause``,
        both on the same ``n = T - lag`` rows. Compared with
        :func:`gcbook.granger.granger_strength`: a case passes within a relative tolerance of 1e-6.
    verbose : bool
        Print the report.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> def my_strength(cause, effect, lag):
    ...     return granger_strength(np.column_stack([cause, effect]), lag).strength[0, 1]
    >>> check_geweke_strength(my_strength, verbose=False).passed
    True
    >>> def half(cause, effect, lag):
    ...     return my_strength(cause, effect, lag) / 2
    >>> report = check_geweke_strength(half, verbose=False)
    >>> report.n_passed
    0
    >>> "transfer entropy" in report.cases[1].message
    True
    """
    return _run_cases("Exercise: Geweke's measure of Granger causality", func, _geweke_cases(), _judge_geweke,
                      verbose)
