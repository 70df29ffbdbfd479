"""The package's shared contract: estimators behave alike, and no module reaches into another's private names."""

from __future__ import annotations

import ast
import copy
import inspect
from pathlib import Path

import numpy as np
import pytest

from gcbook._base import BaseEstimator, NotFittedError, check_is_fitted, clone
from gcbook.imaging import SparseVARAutoencoder
from gcbook.neural import CMLP, GRNGC

PACKAGE = Path(__file__).resolve().parents[1] / "gcbook"

# Every estimator of the package, with small settings for a quick fit and the data it fits on.
ESTIMATORS = [
    (GRNGC, dict(lag=2, hidden=(8,), lam=0.01, epochs=20, check_every=5, seed=0), "series"),
    (CMLP, dict(lag=2, hidden=8, lam=0.01, epochs=20, check_every=5, seed=0), "series"),
    (SparseVARAutoencoder, dict(n_factors=2, channels=4, epochs=3, seed=0), "movie"),
]


def _data(kind):
    rng = np.random.default_rng(0)
    if kind == "series":
        return rng.normal(size=(120, 3))
    return rng.normal(size=(60, 8, 8))


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def private_cross_imports(root: Path = PACKAGE) -> list[str]:
    """``"importer: module.name"`` for every private name one gcbook module imports from another."""
    found = []
    for path in sorted(root.rglob("*.py")):
        module = _module_name(path, root)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                source = node.module or ""
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    source = ".".join(base + ([source] if source else []))
                if source.startswith("gcbook") and source != module:
                    found += [f"{module}: {source}.{alias.name}" for alias in node.names if alias.name.startswith("_")]
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                chain, value = [node.attr], node.value
                while isinstance(value, ast.Attribute):
                    chain.append(value.attr)
                    value = value.value
                if isinstance(value, ast.Name) and value.id == "gcbook":
                    found.append(f"{module}: gcbook.{'.'.join(reversed(chain))}")
    return found


def test_no_module_imports_another_modules_private_names():
    """Shared helpers live in the private modules (_utils, _validation, _base, ..._common) under public names."""
    assert private_cross_imports() == []


def test_the_import_walk_finds_a_private_import(tmp_path):
    """The walk above is not vacuous: it flags each form of reaching into another module."""
    package = tmp_path / "gcbook"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def _helper():\n    pass\n")
    (package / "b.py").write_text("from gcbook.a import _helper\nfrom gcbook._utils import batches\n")
    (package / "sub" / "__init__.py").write_text("from ..a import _helper\n")
    (package / "sub" / "c.py").write_text("import gcbook.a\nx = gcbook.a._helper\n")
    assert private_cross_imports(package) == [
        "gcbook.b: gcbook.a._helper",
        "gcbook.sub: gcbook.a._helper",
        "gcbook.sub.c: gcbook.a._helper",
    ]


@pytest.mark.parametrize("cls, params, kind", ESTIMATORS, ids=lambda v: getattr(v, "__name__", ""))
def test_estimator_contract(cls, params, kind):
    assert issubclass(cls, BaseEstimator)
    signature = inspect.signature(cls.__init__)
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for name, p in signature.parameters.items() if name != "self")
    with pytest.raises(TypeError):
        cls(2)  # settings are keyword-only
    estimator = cls(**params)
    # parameters round-trip, and the repr shows them
    assert set(estimator.get_params()) == set(signature.parameters) - {"self"}
    assert estimator.get_params() == {
        **{n: p.default for n, p in signature.parameters.items() if n != "self"},
        **params,
    }
    assert cls(**estimator.get_params()).get_params() == estimator.get_params()
    assert repr(estimator).startswith(f"{cls.__name__}(") and "seed=0" in repr(estimator)
    with pytest.raises(ValueError, match="has no parameter 'nonsense'"):
        estimator.set_params(nonsense=1)
    assert estimator.set_params(seed=1) is estimator and estimator.seed == 1
    estimator.set_params(seed=0)
    # unfitted: a NotFittedError, which is both a ValueError and an AttributeError
    with pytest.raises(NotFittedError, match="not fitted yet"):
        estimator._check_fitted()
    assert issubclass(NotFittedError, ValueError) and issubclass(NotFittedError, AttributeError)
    # fit returns self; clone and deepcopy give an unfitted / an equal fitted copy
    fitted = estimator.fit(_data(kind))
    assert fitted is estimator
    fresh = clone(estimator)
    assert type(fresh) is cls and fresh.get_params() == estimator.get_params() and fresh is not estimator
    with pytest.raises(NotFittedError):
        fresh._check_fitted()
    twin = copy.deepcopy(estimator)
    twin._check_fitted()
    assert twin.get_params() == estimator.get_params()


def test_base_rejects_positional_settings_and_clone_copies_deeply():
    class Positional(BaseEstimator):
        def __init__(self, lag=1):
            self.lag = lag

    with pytest.raises(TypeError, match="keyword-only"):
        Positional().get_params()

    class Holder(BaseEstimator):
        def __init__(self, *, grid=None):
            self.grid = grid

    original = Holder(grid=[1, 2])
    copied = clone(original)
    copied.grid.append(3)
    assert original.grid == [1, 2]
    with pytest.raises(ValueError, match="gcbook estimator"):
        clone(object())
    with pytest.raises(NotFittedError, match=r"call fit\(X\) first"):
        check_is_fitted(original, "model_")
