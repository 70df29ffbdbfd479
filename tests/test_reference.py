"""The package reference (book/reference/) documents every public name, and the chapters link to it.

The reference pages are generated at build time by Sphinx autodoc from the docstrings, one page per
module of ``gcbook.__all__``. A name missing from a page's ``automodule`` list, or a page missing
from ``_toc.yml``, would not fail the build: it would only leave the name out of the book. These
checks are static (no build needed); where a built book is present (``_build/html``), the last test
also checks that every name got its entry on the page.

What each test would catch:

- ``test_every_public_module_has_a_page``: a module added to ``gcbook.__all__`` without a page, or a
  page left behind for a module that is gone;
- ``test_reference_part_in_toc``: a page that is not in the table of contents (with
  ``only_build_toc_files`` it would not be built at all);
- ``test_page_documents_exactly_the_module_all``: a name added to or removed from a module's
  ``__all__`` without updating its page, a page that documents another module, or options that
  make autodoc ignore ``__all__`` or add undocumented members;
- ``test_handwritten_entries_match_the_source``: a constant documented by hand (re-exported data,
  whose ``#:`` comment autodoc cannot see) whose value or text drifted from the source;
- ``test_public_names_have_docs``: a public name that autodoc would silently drop (autodoc leaves out
  members without a docstring or a ``#:`` comment, since the pages do not use ``:undoc-members:``);
- ``test_module_docstrings_name_their_chapter``: a module docstring that does not point to the
  chapter that teaches it (or that points to a label no chapter defines);
- ``test_chapter_roles_resolve``: a ``{py:func}`` (``class``, ``mod``, ``obj``...) role in a chapter
  naming something that is not a documented public name, which the ``-n`` build would reject only
  after executing the whole book;
- ``test_built_pages_list_every_name``: an entry that autodoc did not produce.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
import yaml

import gcbook

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "book" / "reference"
MODULES = list(gcbook.__all__)

# Modules whose docstrings another issue is editing while this test was written (issue 16): they
# do not name their chapter yet. strict=True: the test reports when one does, so it leaves this set.
EVAL_RST = re.compile(r"^```\{eval-rst\}\n(.*?)^```", re.S | re.M)
DIRECTIVE = re.compile(r"^(?P<indent> *)\.\. (?P<name>[\w:-]+):: *(?P<arg>.*)$")
OPTION = re.compile(r"^ +:(?P<name>[\w-]+):(?: +(?P<value>.*))?$")


def _directives(page: Path) -> list[dict]:
    """Every directive of the page's ``{eval-rst}`` blocks: name, argument, options, body text."""
    found = []
    for block in EVAL_RST.findall(page.read_text()):
        current = None
        last_option = None
        for line in block.splitlines():
            match = DIRECTIVE.match(line)
            if match and not match["indent"]:
                current = {"name": match["name"], "arg": match["arg"].strip(), "options": {}, "body": []}
                found.append(current)
                last_option = None
                continue
            if current is None or not line.strip():
                last_option = None if not line.strip() else last_option
                continue
            option = OPTION.match(line)
            if option and not current["body"]:
                last_option = option["name"]
                current["options"][last_option] = option["value"] or ""
            elif last_option is not None and line.startswith("      "):
                current["options"][last_option] += " " + line.strip()  # continuation line
            else:
                current["body"].append(line.strip())
                last_option = None
    return found


def _names(option: str) -> list[str]:
    return [name.strip() for name in option.split(",") if name.strip()]


def _toc_reference_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    parts = toc["parts"]
    captions = [part.get("caption") for part in parts]
    assert "Package reference" in captions, captions
    index = captions.index("Package reference")
    assert captions[index + 1 :] == ["Back matter"], "the reference part comes last, before the back matter"
    return [entry["file"] for entry in parts[index]["chapters"]]


def _module(name: str):
    return importlib.import_module(f"gcbook.{name}")


def _attr_docs(module_name: str) -> dict:
    from sphinx.pycode import ModuleAnalyzer

    return ModuleAnalyzer.for_module(module_name).find_attr_docs()


def test_every_public_module_has_a_page():
    pages = {path.stem for path in REFERENCE.glob("*.md")}
    assert pages == set(MODULES) | {"index"}


def test_reference_part_in_toc():
    files = _toc_reference_files()
    assert files == ["book/reference/index"] + [f"book/reference/{name}" for name in MODULES]


@pytest.mark.parametrize("name", MODULES)
def test_page_documents_exactly_the_module_all(name):
    module = _module(name)
    directives = _directives(REFERENCE / f"{name}.md")
    automodules = [d for d in directives if d["name"] == "automodule"]
    assert [d["arg"] for d in automodules] == [f"gcbook.{name}"]
    options = automodules[0]["options"]
    assert "ignore-module-all" not in options and "undoc-members" not in options
    assert "no-index" not in options and "noindex" not in options
    listed = _names(options["members"])
    handwritten = [d["arg"].split()[0] for d in directives if d["name"] in ("py:data", "py:attribute")]
    documented = listed + handwritten
    assert len(documented) == len(set(documented)), "a name is documented twice"
    assert set(documented) == set(module.__all__)
    # in __all__ order (autodoc_member_order: bysource sorts by __all__ in any case)
    assert listed == [n for n in module.__all__ if n in listed]


@pytest.mark.parametrize("name", MODULES)
def test_handwritten_entries_match_the_source(name):
    module = _module(name)
    for directive in _directives(REFERENCE / f"{name}.md"):
        if directive["name"] != "py:data":
            continue
        attr = directive["arg"]
        assert directive["options"]["value"] == repr(getattr(module, attr))
        where = re.search(r":mod:`([\w.]+)`", " ".join(directive["body"]))[1]
        assert getattr(importlib.import_module(where), attr) is getattr(module, attr)
        comment = " ".join(_attr_docs(where)[("", attr)]).strip().rstrip(".")
        assert comment in " ".join(directive["body"])


@pytest.mark.parametrize("name", MODULES)
def test_public_names_have_docs(name):
    module = _module(name)
    handwritten = {d["arg"] for d in _directives(REFERENCE / f"{name}.md") if d["name"] == "py:data"}
    own_comments = _attr_docs(module.__name__)
    for attr in module.__all__:
        obj = getattr(module, attr)
        if inspect.isclass(obj) or inspect.isroutine(obj):
            # autodoc_inherit_docstrings is off: the object's own docstring counts
            assert (obj.__doc__ or "").strip(), f"gcbook.{name}.{attr} has no docstring"
        else:
            assert ("", attr) in own_comments or attr in handwritten, (
                f"gcbook.{name}.{attr} is data without a '#:' comment in {module.__name__}; autodoc would drop it"
            )


def _chapter_labels() -> set[str]:
    labels = set()
    for path in (ROOT / "book").glob("*.md"):
        labels.update(re.findall(r"^\(([\w-]+)\)=$", path.read_text(), re.M))
    return labels


@pytest.mark.parametrize("name", MODULES)
def test_module_docstrings_name_their_chapter(name):
    module = _module(name)
    refs = re.findall(r":ref:`(?:[^`<]*<)?([\w-]+)>?`", module.__doc__ or "")
    labels = _chapter_labels()
    chapter_refs = [ref for ref in refs if ref.startswith("chap-") or ref == "instructor-guide"]
    assert chapter_refs, f"gcbook.{name}'s docstring names no chapter (:ref:`chap-...`)"
    assert set(chapter_refs) <= labels, set(chapter_refs) - labels
    # the page says it too, in its first paragraph
    page = (REFERENCE / f"{name}.md").read_text()
    intro = page.split("```{eval-rst}")[0]
    assert re.search(r"\{ref\}`(chap-[\w-]+|instructor-guide)`", intro)


def _documented_names() -> dict[str, str]:
    """Full name -> kind ("module" or "object") of everything the reference pages document."""
    names = {"gcbook": "module"}
    for name in MODULES:
        module = _module(name)
        names[f"gcbook.{name}"] = "module"
        for attr in module.__all__:
            names[f"gcbook.{name}.{attr}"] = "object"
            obj = getattr(module, attr)
            if inspect.isclass(obj):  # methods and properties with their own docstring
                for member, value in vars(obj).items():
                    routine = inspect.isfunction(value) or isinstance(value, (property, classmethod, staticmethod))
                    if routine and not member.startswith("_") and (value.__doc__ or "").strip():
                        names[f"gcbook.{name}.{attr}.{member}"] = "object"
        if hasattr(module, "__path__"):
            for sub in pkgutil.iter_modules(module.__path__):
                if not sub.name.startswith("_") and sub.name not in module.__all__:
                    names[f"gcbook.{name}.{sub.name}"] = "module"
    return names


ROLE = re.compile(r"\{py:(?P<role>func|class|mod|obj|data|meth|attr|exc)\}`(?P<target>[^`]+)`")


def test_chapter_roles_resolve():
    documented = _documented_names()
    bad = []
    for path in sorted((ROOT / "book").rglob("*.md")):
        for match in ROLE.finditer(path.read_text()):
            target = match["target"]
            if "<" in target:  # {py:func}`text <gcbook.x.y>`
                target = target.split("<", 1)[1].rstrip(">")
            target = target.lstrip("~!").removesuffix("()")
            kind = documented.get(target)
            if kind is None or (kind == "module") != (match["role"] == "mod"):
                bad.append(f"{path.relative_to(ROOT)}: {match[0]}")
    assert not bad, "roles that name no documented public name (use the full gcbook.module.name):\n" + "\n".join(bad)
