"""Checker of the chapter "NOTEARS: learning DAGs by continuous optimisation" (``book/notears.md``).

:func:`check_acyclicity` (the acyclicity function h(W) and its gradient), built on
:mod:`gcbook.exercises._common`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import linalg

from gcbook.exercises._common import CheckReport, Forbidden, run_cases
from gcbook.notears import acyclicity

__all__ = [
    "check_acyclicity",
]


_ACYCLICITY_FORBIDDEN = Forbidden(
    modules=("gcbook.notears",),
    names=("gcbook.notears.acyclicity", "gcbook.notears.notears_objective", "gcbook.notears.notears_linear"),
    advice="write it with scipy.linalg.expm",
)


def _acyclicity_cases(seed=None):
    """Hidden cases for the NOTEARS acyclicity exercise: DAGs, short and long cycles, negative weights; drawn at each call.

    From ``np.random.default_rng(seed)`` (``seed=None``: fresh entropy); every non-zero weight has
    magnitude uniform in [0.5, 1.5] (the DAG's in [0.5, 2]) and a random sign unless said otherwise:

    1. a DAG on d uniform in 4..7 nodes: each entry above the diagonal non-zero with probability
       uniform in [0.5, 1], redrawn until it has at least three edges of both signs, the nodes then
       randomly permuted;
    2. a 3-cycle 0 -> 1 -> 2 -> 0 with at least one negative weight;
    3. a 2-cycle with opposite signs plus a chain: i <-> j, j -> k -> l on 4 nodes in random order;
    4. a self-loop: d in 2..3, one diagonal entry non-zero, plus one edge between two nodes;
    5. a dense d x d matrix, d in 5..7, entries N(0, s^2) with s uniform in [0.3, 0.5].
    """
    rng = np.random.default_rng(seed)

    def weights(size, low=0.5, high=1.5):
        return rng.uniform(low, high, size) * rng.choice([-1.0, 1.0], size)

    while True:  # a DAG with at least three edges, of both signs
        d = int(rng.integers(4, 8))
        dag = np.triu(weights((d, d), 0.5, 2.0) * (rng.random((d, d)) < rng.uniform(0.5, 1.0)), k=1)
        if np.count_nonzero(dag) >= 3 and (dag < 0).any() and (dag > 0).any():
            break
    order = rng.permutation(d)
    cycle3 = np.zeros((3, 3))
    w = weights(3)
    negative = int(rng.integers(3))
    w[negative] = -abs(w[negative])  # at least one negative weight
    cycle3[0, 1], cycle3[1, 2], cycle3[2, 0] = w
    i, j, k, m = rng.permutation(4)
    two_cycle = np.zeros((4, 4))
    two_cycle[i, j], two_cycle[j, i] = rng.uniform(0.5, 1.5), -rng.uniform(0.5, 1.5)
    two_cycle[j, k], two_cycle[k, m] = weights(2)
    d = int(rng.integers(2, 4))
    self_loop = np.zeros((d, d))
    a, b = rng.choice(d, size=2, replace=False)
    self_loop[a, a], self_loop[a, b] = weights(2)
    d = int(rng.integers(5, 8))
    dense = rng.uniform(0.3, 0.5) * rng.standard_normal((d, d))
    settings = [
        (f"a DAG on {len(order)} nodes, weights of both signs", dag[np.ix_(order, order)]),
        ("a 3-cycle with a negative weight", cycle3),
        ("a 2-cycle with opposite signs plus a chain", two_cycle),
        ("a self-loop", self_loop),
        (f"a dense {d}x{d} matrix", dense),
    ]
    for name, W in settings:
        h_true, grad_true = acyclicity(W)
        d = W.shape[0]
        E = linalg.expm(W * W)
        hints = {
            "h": [
                (
                    float(np.trace(linalg.expm(W))) - d,
                    "h uses exp(W) instead of exp(W o W): with negative weights the closed walks can cancel; square the "
                    "entries first (W * W, elementwise, not W @ W).",
                ),
                (
                    float(np.trace(linalg.expm(W @ W))) - d,
                    "you used the matrix product W @ W; NOTEARS squares elementwise, W * W.",
                ),
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


def check_acyclicity(func: Callable, verbose: bool = True, seed=None) -> CheckReport:
    """Check a student's NOTEARS acyclicity function and its gradient against hidden matrices drawn at check time.

    Parameters
    ----------
    func : callable
        ``func(W) -> (h, grad)`` with ``W`` of shape (d, d), ``h = tr(exp(W o W)) - d`` a float and
        ``grad = 2 W o exp(W o W)^T`` of shape (d, d); compared with
        :func:`gcbook.notears.acyclicity`. The exercise forbids :mod:`gcbook.notears`: a case whose
        call reaches it, however imported, fails with a message that names the call.
    verbose : bool
        Print the report.
    seed : None, int or numpy.random.Generator
        Where the five matrices are drawn from (their distributions: ``_acyclicity_cases``): a
        DAG, a 3-cycle and a 2-cycle with negative weights, a self-loop, a dense matrix. ``None``
        (the default) draws fresh matrices at every call; a seed repeats them.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> def my_acyclicity(W):
    ...     E = linalg.expm(W * W)
    ...     return np.trace(E) - len(W), 2 * W * E.T
    >>> check_acyclicity(my_acyclicity, verbose=False).passed
    True
    >>> print(check_acyclicity(acyclicity, verbose=False).cases[0].message)  # doctest: +ELLIPSIS
    your function calls gcbook.notears.acyclicity, which this exercise forbids: write it with scipy.linalg.expm (its ...
    >>> wrong = lambda W: (np.trace(linalg.expm(W)) - len(W), 2 * W * linalg.expm(W * W).T)
    >>> report = check_acyclicity(wrong, verbose=False)
    >>> report.passed, report.cases[0].passed
    (False, True)
    >>> "exp(W) instead of exp(W o W)" in report.cases[1].message
    True
    """
    return run_cases(
        "Exercise: the acyclicity function h(W)",
        func,
        _acyclicity_cases(seed),
        _judge_acyclicity,
        verbose,
        forbidden=_ACYCLICITY_FORBIDDEN,
    )
