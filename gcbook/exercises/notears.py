"""Checker of the chapter "NOTEARS: learning DAGs by continuous optimisation" (``book/notears.md``).

:func:`check_acyclicity` (the acyclicity function h(W) and its gradient), built on
:mod:`gcbook.exercises._common`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import linalg

from gcbook.exercises._common import CheckReport, _run_cases
from gcbook.notears import acyclicity

__all__ = [
    "check_acyclicity",
]


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
