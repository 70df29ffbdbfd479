"""Package-wide rules: no import-time side effects, shared validation, public modules import."""

import importlib
import subprocess
import sys

import numpy as np
import pytest

import gcbook
from gcbook._validation import as_time_series, check_lag, check_random_state

# Every public module, as gcbook.__all__ lists them.
PUBLIC_MODULES = [f"gcbook.{name}" for name in gcbook.__all__]


def test_import_has_no_side_effects():
    code = (
        "import numpy as np, matplotlib as mpl\n"
        "state = np.random.get_state()[1].copy(); rc = dict(mpl.rcParams)\n"
        "import gcbook, " + ", ".join(PUBLIC_MODULES) + "\n"
        "assert (np.random.get_state()[1] == state).all(), 'global numpy random state changed'\n"
        "changed = [k for k in rc if str(rc[k]) != str(mpl.rcParams[k])]\n"
        "assert not changed, changed\n"
        "import sys; assert 'ipywidgets' not in sys.modules, 'ipywidgets imported eagerly'\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout == ""


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_public_modules_have_all(name):
    module = importlib.import_module(name)
    assert module.__all__, name
    for attr in module.__all__:
        assert getattr(module, attr).__doc__, f"{name}.{attr} has no docstring"


def test_check_random_state():
    assert isinstance(check_random_state(None), np.random.Generator)
    assert check_random_state(3).integers(1000) == np.random.default_rng(3).integers(1000)
    rng = np.random.default_rng(0)
    assert check_random_state(rng) is rng
    for bad in (-1, 1.5, "seed", True, np.random.RandomState(0)):
        with pytest.raises(ValueError, match="seed"):
            check_random_state(bad)


def test_as_time_series_labels_and_copy():
    import pandas as pd

    raw = np.arange(12.0).reshape(6, 2) ** 2
    arr, labels = as_time_series(raw)
    assert labels == ["x0", "x1"] and arr is not raw and arr.dtype == np.float64
    arr, labels = as_time_series(pd.DataFrame(raw, columns=["a", 7]))
    assert labels == ["a", "7"]
    with pytest.raises(ValueError, match="constant column\\(s\\) a"):
        as_time_series(pd.DataFrame({"a": np.ones(5), "b": np.arange(5.0)}))
    with pytest.raises(ValueError, match="at least 3 time points"):
        as_time_series(np.ones((2, 2)))


def test_check_lag():
    assert check_lag(np.int64(2), 10) == 2
    with pytest.raises(ValueError, match="T=3 must exceed lag \\+ 1 = 3"):
        check_lag(2, 3)
