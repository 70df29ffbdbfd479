"""The saved results of the book's benchmarks, shipped with the package.

Used by every chapter that shows a benchmark, for example :ref:`chap-capstone`
(``book/capstone.md``).

The benchmark scripts in ``benchmarks/`` take minutes to hours; the chapters load their saved
results instead of recomputing them, so every chapter runs in full in class. The results live in
the package (``gcbook/data/benchmarks/<name>.json``, written there by the scripts) and are read
with :mod:`importlib.resources`, so a chapter's notebook finds them wherever it runs: in a clone of
the repository, on Binder, on Colab, or downloaded on its own with ``gcbook`` installed.
"""

from __future__ import annotations

import json
from importlib import resources

__all__ = ["benchmark_names", "load_benchmark"]


def _folder():
    return resources.files("gcbook") / "data" / "benchmarks"


def benchmark_names() -> list[str]:
    """The names of the saved benchmark results, sorted.

    Returns
    -------
    list of str
        Each name ``n`` has a file ``gcbook/data/benchmarks/n.json``
        (``"capstone"``, ``"neural_gc"``, ...).

    Examples
    --------
    >>> "capstone" in benchmark_names()
    True
    """
    return sorted(entry.name[: -len(".json")] for entry in _folder().iterdir() if entry.name.endswith(".json"))


def load_benchmark(name: str) -> dict:
    """The saved result of one benchmark script, as the script wrote it.

    Parameters
    ----------
    name : str
        The script's name without ``.py``: ``benchmarks/capstone.py`` saves ``"capstone"``
        (:func:`benchmark_names` lists them).

    Returns
    -------
    dict
        The parsed JSON: the settings the script ran with, the machine and package versions, and
        its figures (each script's docstring describes its keys).

    Raises
    ------
    ValueError
        If no result of that name is saved.

    Examples
    --------
    >>> "machine" in load_benchmark("notears_speed")
    True
    """
    if not isinstance(name, str) or name not in benchmark_names():
        raise ValueError(f"No saved benchmark result named {name!r}; the saved ones are {benchmark_names()}.")
    return json.loads((_folder() / f"{name}.json").read_text())
