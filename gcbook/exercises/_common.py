"""The checking machinery every checker of :mod:`gcbook.exercises` shares.

:class:`CheckReport` (made of :class:`CaseResult`) is what every checker returns; ``_run_cases``
calls the student's function on each hidden case, judges the answers, and reports a stub that
raises :class:`NotImplementedError` as not done; ``_as_float_array`` reads an answer (a torch tensor
too) as a float array, and ``_real_scalar`` reads it as one real number or says why it cannot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = [
    "CheckReport",
    "CaseResult",
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


def _as_float_array(got):
    if hasattr(got, "detach"):
        got = got.detach().cpu().numpy()
    return np.asarray(got, dtype=float)


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
