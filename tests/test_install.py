"""The dependencies pyproject.toml declares are the ones the package needs.

``pip install gcbook`` must give a package whose every public module imports (issue 18): the built
wheel is installed into a fresh virtual environment that can see only the declared dependencies
(and theirs), and every public module is imported there. The dependencies come from this
environment, linked in, so the test needs no network; a package that gcbook imports but does not
declare is simply absent there. A second, static check maps every third-party import anywhere in
the package (lazy ones inside functions too) to a declared dependency or optional group.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _closure(requirements, extras=()) -> set[str]:
    """Normalised names of the distributions the requirements need, transitively, as installed here."""
    seen, todo = set(), [(Requirement(r), set(extras)) for r in requirements]
    while todo:
        requirement, wanted = todo.pop()
        if requirement.marker is not None and not any(
            requirement.marker.evaluate({"extra": extra}) for extra in (wanted or {""})
        ):
            continue
        name = _normal(requirement.name)
        if name == "gcbook":  # a group that names another group of the project
            groups = PROJECT["optional-dependencies"]
            todo += [(Requirement(r), set()) for extra in requirement.extras for r in groups[extra]]
            continue
        if name in seen:
            continue
        seen.add(name)
        dist = metadata.distribution(requirement.name)
        todo += [(Requirement(r), set(requirement.extras)) for r in (dist.requires or [])]
    return seen


def _top_level_names(distribution: str) -> set[str]:
    dist = metadata.distribution(distribution)
    names = set()
    for file in dist.files or []:
        first = file.parts[0]
        if first.endswith((".dist-info", ".egg-info", ".data")) or first in ("..", "__pycache__", "bin"):
            continue
        names.add(first[:-3] if first.endswith(".py") else first)
    return names


def _third_party_imports() -> dict[str, set[str]]:
    """{top-level module: files that import it} over the whole package, function bodies included."""
    found = {}
    for path in (ROOT / "gcbook").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "gcbook":
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_import_of_the_package_is_declared():
    providers = metadata.packages_distributions()
    core = _closure(PROJECT["dependencies"])
    everything = _closure(PROJECT["dependencies"] + [f"gcbook[{','.join(PROJECT['optional-dependencies'])}]"])
    undeclared = {
        module: sorted(files)
        for module, files in _third_party_imports().items()
        if not {_normal(d) for d in providers.get(module, [module])} & everything
    }
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"
    for module in ("torch", "causallearn", "tigramite", "nbformat", "sklearn", "statsmodels"):
        assert {_normal(d) for d in providers[module]} & core, f"{module} must be a core dependency"


def test_the_built_wheel_imports_every_public_module_with_only_its_declared_dependencies(tmp_path):
    import gcbook

    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    (wheel,) = wheels.glob("gcbook-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    # Only the declared dependencies (and theirs) of this environment are linked into the new one.
    deps = tmp_path / "deps"
    deps.mkdir()
    site = Path(sys.prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    for distribution in _closure(PROJECT["dependencies"]):
        info = Path(metadata.distribution(distribution)._path)  # its .dist-info: packages read their own metadata
        (deps / info.name).symlink_to(info)
        for name in _top_level_names(distribution):
            for candidate in (site / name, site / f"{name}.py"):
                if candidate.exists() and not (deps / candidate.name).exists():
                    (deps / candidate.name).symlink_to(candidate)
    target_site = next((venv / "lib").glob("python*/site-packages"))
    (target_site / "declared_dependencies.pth").write_text(str(deps) + "\n")
    modules = [f"gcbook.{name}" for name in gcbook.__all__]
    code = (
        "import importlib, gcbook\n"
        "assert 'site-packages' in gcbook.__file__ and 'venv' in gcbook.__file__, gcbook.__file__\n"
        f"for name in {modules!r}:\n    importlib.import_module(name)\n"
        "print('imported', len(" + repr(modules) + "))"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == f"imported {len(modules)}"
