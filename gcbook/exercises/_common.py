"""The checking machinery every checker of :mod:`gcbook.exercises` shares.

:class:`CheckReport` (made of :class:`CaseResult`) is what every checker returns; ``run_cases``
calls the student's function on each hidden case, judges the answers, and reports a stub that
raises :class:`NotImplementedError` as not done; ``answer_array`` reads an answer (a torch tensor
too) as a float array, and ``real_scalar`` reads it as one real number or says why it cannot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = [
    "CheckReport",
    "CaseResult",
    "Forbidden",
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


def not_implemented_report(exercise: str, exc: NotImplementedError) -> CheckReport:
    return CheckReport(
        exercise,
        (CaseResult("all cases", False, f"not implemented yet ({exc}). Replace the stub with your code."),),
    )


def run_cases(
    exercise: str, func: Callable, cases, judge: Callable, verbose: bool, forbidden: "Forbidden | None" = None
) -> CheckReport:
    """Call ``func`` on every case and judge the answers.

    ``cases`` yields ``(name, args, expected, hints)``; ``judge(got, expected, hints)`` returns
    ``(passed, message)``. With ``forbidden`` (a :class:`Forbidden`), a case whose call of ``func``
    calls into a forbidden module fails, with a message that names the call (and still says whether
    the answer was right). Only the student's call is watched: the cases and the reference answers
    are computed outside it (``cases`` is consumed before each call).
    """
    if not callable(func):
        raise ValueError(f"Pass your function itself (not its result) to the checker, got {type(func).__name__}.")
    results = []
    for name, args, expected, hints in cases:
        watch = _CallWatch(forbidden or Forbidden())
        try:
            if forbidden is None:
                got = func(*args)
            else:
                with watch:
                    got = func(*args)
        except NotImplementedError as exc:
            report = not_implemented_report(exercise, exc)
            break
        except Exception as exc:  # the student's code may fail in any way: report it, do not crash
            message = f"your function raised {type(exc).__name__}: {exc}"
            if watch.calls():
                message = _forbidden_message(watch.calls(), False, message, forbidden.advice)
            results.append(CaseResult(name, False, message))
            continue
        passed, message = judge(got, expected, hints)
        if watch.calls():
            passed, message = False, _forbidden_message(watch.calls(), passed, message, forbidden.advice)
        results.append(CaseResult(name, passed, message))
    else:
        report = CheckReport(exercise, tuple(results))
    if verbose:
        print(report.summary())
    return report


def answer_array(got):
    if hasattr(got, "detach"):
        got = got.detach().cpu().numpy()
    return np.asarray(got, dtype=float)


def real_scalar(got, wanted_shape: str, wanted_type: str, quantity: str):
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


# --------------------------------------------------------------------------------------- forbidden shortcuts
@dataclass(frozen=True)
class Forbidden:
    """What one exercise forbids its solution to call.

    Attributes
    ----------
    modules : tuple of str
        Module prefixes (``"sklearn"``, ``"gcbook.sparse_var"``): a call into any function defined in
        one of these modules (or a submodule) counts, however it was imported.
    names : tuple of str
        Dotted paths of the forbidden functions or classes a report names when one of them is called
        (``"sklearn.linear_model.Lasso"``); they are resolved only from modules already imported.
    advice : str
        What the message tells the student to do instead.
    ignore_callers : tuple of str
        Module prefixes whose calls into a forbidden module do not count (``("torch",)``: a hidden
        model of :mod:`gcbook.neural` that torch runs when the student calls ``model(inputs)``).
    """

    modules: tuple = ()
    names: tuple = ()
    advice: str = "write it with NumPy"
    ignore_callers: tuple = ()


class _CallWatch:
    """Record the calls into forbidden modules made while the student's function runs.

    A profile hook (:func:`sys.setprofile`, and :func:`threading.setprofile` for threads started
    meanwhile) sees every Python function call, so it catches a shortcut however the student reached
    it: ``import sklearn`` at the top of the notebook, ``from gcbook.sparse_var import lasso`` inside
    the function, an alias, a helper of their own that calls it. Module code run by an import does
    not count, and neither do the forbidden module's calls to itself: only the entry points.
    """

    def __init__(self, forbidden: Forbidden):
        self.prefixes = tuple(forbidden.modules)
        self.ignored = tuple(forbidden.ignore_callers)
        self.names = tuple(forbidden.names)
        self.entries: list[str] = []
        self._home = None
        self.codes: dict = {}  # every code object of a forbidden module run, in the order first run

    def _in_forbidden(self, frame) -> bool:
        name = frame.f_globals.get("__name__") or ""
        return any(name == prefix or name.startswith(prefix + ".") for prefix in self.prefixes)

    def _profile(self, frame, event, arg):
        if event != "call" or not self._in_forbidden(frame):
            return
        code = frame.f_code
        self.codes.setdefault(code, frame.f_globals.get("__name__"))
        if code.co_name == "<module>":
            return
        caller = frame.f_back
        if caller is not None and self._in_forbidden(caller):
            return
        caller_module = (caller.f_globals.get("__name__") or "") if caller is not None else ""
        if any(caller_module == prefix or caller_module.startswith(prefix + ".") for prefix in self.ignored):
            return
        while caller is not None and caller is not self._home:  # up to the checker's frame: code run by an
            # import (module bodies, the import machinery) is no call of the student's
            if caller.f_code.co_name == "<module>" or (caller.f_globals.get("__name__") or "").startswith("importlib"):
                return
            caller = caller.f_back
        entry = f"{frame.f_globals.get('__name__')}.{getattr(code, 'co_qualname', code.co_name)}"
        if entry not in self.entries:
            self.entries.append(entry)

    def __enter__(self):
        import sys
        import threading

        self._home = sys._getframe(1)  # the frame of the with statement
        self._old = sys.getprofile(), threading.getprofile() if hasattr(threading, "getprofile") else None
        sys.setprofile(self._profile)
        threading.setprofile(self._profile)
        return self

    def __exit__(self, *exc):
        import sys
        import threading

        sys.setprofile(self._old[0])
        threading.setprofile(self._old[1])
        return False

    def calls(self) -> list[str]:
        """The forbidden names called: the documented names where known, else the entry points."""
        if not self.entries:
            return []
        first = {}
        for dotted in self.names:
            for code in _code_objects(dotted):
                first.setdefault(code, dotted)
        for code in self.codes:  # the documented name run first (the outermost), if any
            if code in first:
                return [first[code]]
        for code, module in self.codes.items():  # else the first public function run, past decorators and helpers
            qualname = getattr(code, "co_qualname", code.co_name)
            if "<" in qualname or qualname.split(".")[-1].startswith("_"):
                continue
            if any(part in {"utils", "_config", "callback", "base", "_param_validation"} for part in module.split(".")):
                continue
            return [f"{module}.{qualname}"]
        return self.entries[:1]


def _resolve(dotted: str):
    """The object at ``dotted`` from modules already imported (None when it is not reachable)."""
    import sys

    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        module = sys.modules.get(".".join(parts[:cut]))
        if module is None:
            continue
        obj = module
        for attribute in parts[cut:]:
            obj = getattr(obj, attribute, None)
            if obj is None:
                return None
        return obj
    return None


def _code_objects(dotted: str) -> list:
    """The code objects a call of ``dotted`` runs first: a function's (decorators unwrapped), a class's methods."""
    import inspect

    obj = _resolve(dotted)
    if obj is None:
        return []
    if inspect.isclass(obj):  # the methods the class itself defines (not inherited ones, nor functions attached)
        functions = [getattr(value, "__func__", value) for value in vars(obj).values()]
        functions = [value.fget if isinstance(value, property) else value for value in functions]
    else:
        functions = [obj]
    # the decorated functions themselves, not a decorator's wrapper (one code object shared by many functions)
    functions = [inspect.unwrap(function) for function in functions if callable(function)]
    if inspect.isclass(obj):
        functions = [
            function
            for function in functions
            if getattr(function, "__qualname__", "").startswith(obj.__qualname__ + ".")
        ]
    return [function.__code__ for function in functions if hasattr(function, "__code__")]


def _forbidden_message(names, judged_passed: bool, judged_message: str, advice: str = "write it with NumPy") -> str:
    called = " and ".join(names)
    message = f"your function calls {called}, which this exercise forbids: {advice}"
    if judged_passed:
        return message + " (its answer matches the reference, but the exercise is to write it yourself)."
    return message + ". Besides: " + judged_message
