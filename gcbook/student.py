"""Generate the student edition: the book's chapters as notebooks with the solutions taken out.

Described in the :ref:`instructor-guide` (``book/instructor_guide.md``), section "Handing out the
student edition".

The public book and the student edition come from the same MyST Markdown sources, so a solution
is written once. In a chapter, an exercise is written as

- an ``{exercise}`` directive (the task),
- optionally a code cell tagged ``student-stub`` with the starting code, e.g. a function that
  raises ``NotImplementedError("Exercise: ...")``,
- a solution, either an ``{solution}`` directive (prose and math) or a gated
  ``{solution-start}`` ... ``{solution-end}`` pair around code cells.

The student edition keeps the tasks and the stubs and removes every solution. It is meant to run
anywhere a notebook runs (plain JupyterLab, Binder, Colab, a downloaded file), so it contains no
MyST-only syntax:

- exercise, admonition and proof directives become Markdown headings and block quotes;
- ``{cite:p}``/``{cite:t}`` become author-year citations, with a reference list at the end;
- ``{ref}``, ``{numref}``, ``{eq}``, ``{prf:ref}`` and ``{doc}`` become the title or number of
  their target, and ``{py:func}`` and the other links to the package reference the name as code (equations get ``\\tag{n}``, figures a numbered caption after their cell);
- ``{literalinclude}`` becomes the included source as a code block;
- ``{glue:text}`` becomes the value the book computed, taken from an executed build
  (``executed=``), or the glued name in brackets where no build is given;
- the book's MathJax macros (``\\R``, ...) are written out;
- ``from myst_nb import glue`` becomes :func:`gcbook.glue.glue`, so myst-nb is not needed;
- a first code cell installs ``gcbook`` and the chapter's other imports where they are missing.

Run it as ``python -m gcbook.student --out student_edition`` (see ``--help``).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

__all__ = [
    "student_notebook",
    "solution_text",
    "build_student_edition",
    "chapter_sources",
    "install_cell_source",
    "main",
]

STUB_TAG = "student-stub"
INSTALL_TAG = "install"
#: Where the install cell gets gcbook when it is not installed.
GCBOOK_SOURCE = "gcbook @ git+https://github.com/gcbook/gcbook"

_FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)$")
_OPTION = re.compile(r"^\s*:(?P<key>\w[\w-]*):\s*(?P<value>.*)$")
_ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<body>[^`]*)`")
_TITLED_TARGET = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)
_PRF_NAMES = {
    "definition": "Definition",
    "theorem": "Theorem",
    "proposition": "Proposition",
    "corollary": "Corollary",
    "lemma": "Lemma",
    "algorithm": "Algorithm",
    "proof": "Proof",
    "remark": "Remark",
    "example": "Example",
}


def _directive_blocks(lines: list[str], name: str | None = None):
    """Yield ``(start, stop)`` line ranges (stop exclusive) of every top-level ``{name}`` directive.

    With ``name=None``, every directive. Nested directives (inside a longer fence) are skipped
    over together with their parent.
    """
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index].strip())
        if match:
            fence = match["fence"]
            stop = index + 1
            while stop < len(lines) and lines[stop].strip() != fence:
                stop += 1
            if stop == len(lines):
                raise ValueError(
                    f"The {{{match['name']}}} directive opened at line {index + 1} is never closed with {fence}."
                )
            if name is None or match["name"] == name:
                yield index, stop + 1
            index = stop + 1
        else:
            index += 1


def _find_directive(lines: list[str], name: str) -> tuple[int, int] | None:
    return next(_directive_blocks(lines, name), None)


def _without_blocks(lines: list[str], name: str) -> list[str]:
    kept, last = [], 0
    for start, stop in _directive_blocks(lines, name):
        kept.extend(lines[last:start])
        last = stop
    kept.extend(lines[last:])
    return kept


def _split_directive(lines: list[str]):
    """``(name, argument, options, body lines)`` of one directive block."""
    head = _FENCE.match(lines[0].strip())
    body = lines[1:-1]
    options = {}
    while body and _OPTION.match(body[0]):
        option = _OPTION.match(body[0])
        options[option["key"]] = option["value"].strip()
        body = body[1:]
    while body and not body[0].strip():
        body = body[1:]
    return head["name"], head["arg"].strip(), options, body


def _split_gated(cells):
    """Drop everything between ``{solution-start}`` and ``{solution-end}``, across cells."""
    kept, inside = [], False
    for cell in cells:
        if cell.cell_type != "markdown":
            if not inside:
                kept.append(cell)
            continue
        lines, out = cell.source.splitlines(), []
        while lines:
            target = "solution-end" if inside else "solution-start"
            block = _find_directive(lines, target)
            if block is None:
                if not inside:
                    out.extend(lines)
                break
            start, stop = block
            if not inside:
                out.extend(lines[:start])
            lines = lines[stop:]
            inside = not inside
        if "\n".join(out).strip():
            kept.append(nbformat.v4.new_markdown_cell("\n".join(out).strip("\n")))
    if inside:
        raise ValueError("A {solution-start} directive has no matching {solution-end}.")
    return kept


# ------------------------------------------------------------------------------------ the book's labels
@dataclass
class _Target:
    kind: str  # "chapter", "section", "exercise", "equation", "figure", "prf"
    title: str
    chapter: str  # the document's name: its path from the book's root, without suffix
    number: int | None = None


@dataclass
class _Book:
    """What converting one chapter needs to know about the whole book."""

    targets: dict = field(default_factory=dict)  # label -> _Target
    chapter_titles: dict = field(default_factory=dict)  # document name -> title
    bibliography: dict = field(default_factory=dict)  # key -> (short authors, year, full entry)
    macros: dict = field(default_factory=dict)  # name -> TeX
    executed: Path | None = None
    root: Path = Path(".")

    def docname(self, path: Path) -> str:
        return Path(path).resolve().relative_to(self.root.resolve()).with_suffix("").as_posix()


def _strip_markup(text: str) -> str:
    """A heading's or title's text without emphasis and code marks (underscores inside words stay)."""
    return re.sub(r"[*`]|(?<!\w)_|_(?!\w)", "", text).strip()


def _chapter_targets(path: Path, docname: str) -> tuple[str, dict]:
    """The title of one page and the labels it defines (``docname`` names the page in them)."""
    import jupytext

    stem, lines = docname, path.read_text().splitlines()
    targets, title, pending = {}, None, []
    n_equation = 0
    fences = []  # open fences, innermost last: (marks, is_code)
    for index, line in enumerate(lines):
        fence_line = re.match(r"^\s*(`{3,}|~{3,})(?P<info>.*)$", line)
        if fence_line:
            marks, info = fence_line[1], fence_line["info"].strip()
            if fences and not info and marks.startswith(fences[-1][0]):
                fences.pop()
            elif not (fences and fences[-1][1]):
                fences.append((marks, info.startswith("{code-cell}") or not info.startswith("{")))
            pending = []
            if fences and fences[-1][1] or not fence_line["info"].strip().startswith("{"):
                continue
        if fences and fences[-1][1]:  # inside a code cell or code block: no headings, labels or equations
            continue
        label = re.match(r"^\((?P<label>[\w:.-]+)\)=\s*$", line)
        heading = re.match(r"^(?P<hashes>#{1,6})\s+(?P<text>.+)$", line)
        if label:
            pending.append(label["label"])
        elif heading:
            text = _strip_markup(heading["text"])
            if title is None and len(heading["hashes"]) == 1:
                title = text
            for name in pending:
                targets[name] = _Target("section", text, stem)
            pending = []
        elif line.strip():
            pending = []
        equation = re.match(r"^\$\$\s*\((?P<label>[\w:.-]+)\)\s*$", line)
        if equation:
            n_equation += 1
            targets[equation["label"]] = _Target("equation", f"({n_equation})", stem, n_equation)
        fence = _FENCE.match(line.strip())
        if fence and (fence["name"] == "exercise" or fence["name"].startswith("prf:")):
            for option_line in lines[index + 1 : index + 8]:
                option = _OPTION.match(option_line)
                if not option:
                    break
                if option["key"] == "label":
                    kind = "exercise" if fence["name"] == "exercise" else "prf"
                    word = (
                        "Exercise"
                        if kind == "exercise"
                        else _PRF_NAMES.get(fence["name"][4:], fence["name"][4:].title())
                    )
                    name = f"{word} ({_strip_markup(fence['arg'])})" if fence["arg"].strip() else word
                    if kind == "exercise":
                        name = f"the exercise “{_strip_markup(fence['arg'])}”"
                    targets[option["value"].strip()] = _Target(kind, name, stem)
    n_figure = 0
    for cell in jupytext.read(path, fmt="md:myst").cells:
        figure = cell.metadata.get("mystnb", {}).get("figure", {}) if cell.cell_type == "code" else {}
        if figure:
            n_figure += 1
            if figure.get("name"):
                targets[figure["name"]] = _Target("figure", f"Figure {n_figure}", stem, n_figure)
    if title is None:
        raise ValueError(f"{path}: no top-level heading to use as the chapter's title.")
    targets[stem] = _Target("chapter", title, stem)
    return title, targets


def _plain_tex(text: str) -> str:
    """BibTeX text as plain Unicode: accents decoded (``L{\\"u}tkepohl`` -> Lütkepohl), braces dropped."""
    import codecs

    import latexcodec  # noqa: F401  (registers the "ulatex" codec; pybtex depends on it)

    return codecs.decode(text, "ulatex").replace("{", "").replace("}", "")


def _bibliography(path: Path) -> dict:
    """``{key: (authors for a citation, year, reference-list entry)}`` from a BibTeX file."""
    from pybtex.database import parse_file

    found = {}
    for key, entry in parse_file(str(path)).entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        last = [_plain_tex(" ".join(person.last_names)) for person in people]
        if not last:
            short = _plain_tex(entry.fields.get("organization", entry.fields.get("title", key)))
        elif len(last) == 1:
            short = last[0]
        elif len(last) == 2:
            short = f"{last[0]} and {last[1]}"
        else:
            short = f"{last[0]} et al."
        year = entry.fields.get("year", "n.d.")
        title = _plain_tex(entry.fields.get("title", ""))
        where = next(
            (
                entry.fields[name]
                for name in ("journal", "booktitle", "publisher", "howpublished", "url")
                if name in entry.fields
            ),
            "",
        )
        authors = ", ".join(last) if last else short
        full = f"{authors} ({year}). {title}." + (f" *{_plain_tex(where)}*." if where else "")
        found[key] = (short, year, full)
    return found


def _mathjax_macros(config: Path) -> dict:
    import yaml

    settings = yaml.safe_load(config.read_text()) if config.exists() else {}
    sphinx_config = ((settings or {}).get("sphinx") or {}).get("config") or {}
    return dict(((sphinx_config.get("mathjax3_config") or {}).get("tex") or {}).get("macros") or {})


def _read_book(toc: Path, executed: str | Path | None = None) -> _Book:
    root = toc.parent
    book = _Book(executed=Path(executed) if executed is not None else None, root=root)
    for path in _toc_paths(toc):
        title, targets = _chapter_targets(path, book.docname(path))
        book.chapter_titles[book.docname(path)] = title
        book.targets.update(targets)
    bib = root / "references.bib"
    if bib.exists():
        book.bibliography = _bibliography(bib)
    book.macros = _mathjax_macros(root / "_config.yml")
    return book


# ------------------------------------------------------------------------------------ MyST to Markdown
@dataclass
class _Chapter:
    """Converting one chapter: the book, the chapter's file, and what it has cited so far."""

    book: _Book
    path: Path
    glued: dict
    cited: list = field(default_factory=list)
    placeholders: int = 0

    @property
    def docname(self) -> str:
        return self.book.docname(self.path)

    def where(self, target: _Target) -> str:
        if target.chapter == self.docname or target.kind == "chapter":
            return ""
        return f" of the chapter “{self.book.chapter_titles[target.chapter]}”"

    def target(self, label: str, role: str) -> _Target:
        if label not in self.book.targets:
            raise ValueError(f"{self.path.name}: {{{role}}}`{label}` names no label of the book.")
        return self.book.targets[label]

    # -------------------------------------------------------------------- roles
    def role(self, match: re.Match) -> str:
        role, body = match["role"], match["body"]
        if role == "glue:text":
            return self.glue_text(body)
        if role in ("cite:p", "cite:t"):
            return self.cite(role, body)
        if role in ("ref", "numref", "doc", "prf:ref", "eq"):
            titled = _TITLED_TARGET.match(body)
            text, label = (titled["text"], titled["target"]) if titled else (None, body)
            label = label.strip()
            if role == "doc":  # a path relative to this page's folder
                label = os.path.normpath(os.path.join(os.path.dirname(self.docname), label)).replace(os.sep, "/")
            target = self.target(label, role)
            if text:
                return text.replace("%s", str(target.number or "")).strip()
            if role == "eq":
                return f"{target.title}{self.where(target)}"
            if target.kind == "chapter":
                return f"the chapter “{target.title}”"
            if target.kind == "section":
                return f"the section “{target.title}”{self.where(target)}"
            return f"{target.title}{self.where(target)}"
        if role.startswith("py:"):  # a link to the package reference: the name as code
            titled = _TITLED_TARGET.match(body)
            if titled:
                return titled["text"].strip()
            name = body.strip().lstrip("!")
            return f"`{name[1:].rsplit('.', 1)[-1] if name.startswith('~') else name}`"
        raise ValueError(f"{self.path.name}: the role {{{role}}} has no plain-Markdown form in the student edition.")

    def glue_text(self, body: str) -> str:
        key, _, spec = body.partition(":")
        if key not in self.glued:
            self.placeholders += 1
            return f"`[{key}]`"
        from myst_nb.core.variables import format_plain_text

        return format_plain_text(self.glued[key], spec)

    def cite(self, role: str, body: str) -> str:
        parts = []
        for key in (key.strip() for key in body.split(",")):
            if key not in self.book.bibliography:
                raise ValueError(f"{self.path.name}: no reference {key!r} in the bibliography.")
            if key not in self.cited:
                self.cited.append(key)
            short, year, _ = self.book.bibliography[key]
            parts.append(f"{short} ({year})" if role == "cite:t" else f"{short}, {year}")
        return ", ".join(parts) if role == "cite:t" else "(" + "; ".join(parts) + ")"

    def inline(self, text: str) -> str:
        text = _ROLE.sub(self.role, text)
        for name, tex in self.book.macros.items():
            text = re.sub(r"\\" + name + r"(?![A-Za-z])", lambda _, tex=tex: tex, text)
        return text

    # -------------------------------------------------------------------- directives
    def directive(self, lines: list[str]) -> list[str]:
        name, argument, options, body = _split_directive(lines)
        if name == "exercise":
            heading = f"### Exercise: {argument}" if argument else "### Exercise"
            return [heading, ""] + self.block(body)
        if name == "admonition" or name in ("note", "tip", "warning", "important", "caution"):
            title = argument or name.title()
            return _quoted([f"**{title}**", ""] + self.block(body))
        if name.startswith("prf:"):
            kind = name[4:]
            word = _PRF_NAMES.get(kind, kind.title())
            if kind == "proof":
                return _quoted(["*Proof.* "] + self.block(body) + ["", "∎"])
            head = f"**{word} ({argument}).**" if argument else f"**{word}.**"
            return _quoted([head, ""] + self.block(body))
        if name == "literalinclude":
            return self.included(argument, options)
        if name == "bibliography":
            return []
        if name in ("solution", "solution-start", "solution-end"):
            raise ValueError(f"{self.path.name}: a {{{name}}} directive was left in the student edition.")
        raise ValueError(
            f"{self.path.name}: the directive {{{name}}} has no plain-Markdown form in the student edition."
        )

    def included(self, argument: str, options: dict) -> list[str]:
        """The code a ``{literalinclude}`` shows, selected as Sphinx selects it."""
        unknown = set(options) - {"language", "pyobject", "start-at", "end-at", "dedent"}
        if unknown:
            raise ValueError(f"{self.path.name}: literalinclude options {sorted(unknown)} are not supported.")
        source = (self.path.parent / argument).resolve()
        lines = source.read_text().splitlines()
        if "pyobject" in options:
            lines = _python_object(lines, options["pyobject"], source)
        if "start-at" in options:
            lines = lines[_first_containing(lines, options["start-at"], source) :]
        if "end-at" in options:
            lines = lines[: _first_containing(lines, options["end-at"], source) + 1]
        if "dedent" in options:
            lines = [line[int(options["dedent"]) :] for line in lines]
        return [f"```{options.get('language', '')}", *textwrap.dedent("\n".join(lines)).splitlines(), "```"]

    def block(self, lines: list[str]) -> list[str]:
        """Plain Markdown for a run of MyST lines."""
        out, index = [], 0
        blocks = list(_directive_blocks(lines))
        for start, stop in blocks:
            out.extend(self.prose(lines[index:start]))
            out.extend(self.directive(lines[start:stop]))
            index = stop
        out.extend(self.prose(lines[index:]))
        return out

    def prose(self, lines: list[str]) -> list[str]:
        """Markdown lines outside directives: labels dropped, equations tagged, roles written out.

        Roles are replaced on whole runs of prose, since a role's text may wrap onto the next line;
        code blocks are left as they are.
        """
        out, text, fence = [], [], None

        def flush():
            out.extend(self.inline("\n".join(text)).split("\n") if text else [])
            text.clear()

        for line in lines:
            code_fence = re.match(r"^\s*(`{3,}|~{3,})", line)
            if fence is not None:
                out.append(line)
                if code_fence and code_fence[1].startswith(fence) and not line.strip()[len(code_fence[1]) :].strip():
                    fence = None
                continue
            if code_fence:
                flush()
                fence = code_fence[1]
                out.append(line)
                continue
            if re.match(r"^\([\w:.-]+\)=\s*$", line):
                continue
            equation = re.match(r"^(?P<indent>\s*)\$\$\s*\((?P<label>[\w:.-]+)\)\s*$", line)
            if equation:
                target = self.target(equation["label"], "eq")
                text.extend([f"{equation['indent']}\\tag{{{target.number}}}", f"{equation['indent']}$$"])
                continue
            text.append(line)
        flush()
        return out


def _quoted(lines: list[str]) -> list[str]:
    return [f"> {line}" if line.strip() else ">" for line in lines]


def _python_object(lines: list[str], dotted: str, source: Path) -> list[str]:
    """The lines of a function or class (``Class.method`` too) of a Python file, decorators included."""
    nodes = ast.parse("\n".join(lines)).body
    node = None
    for part in dotted.split("."):
        node = next(
            (
                item
                for item in nodes
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and item.name == part
            ),
            None,
        )
        if node is None:
            raise ValueError(f"{source.name} defines no {dotted!r} to include.")
        nodes = node.body
    first = min([node.lineno] + [decorator.lineno for decorator in node.decorator_list])
    return lines[first - 1 : node.end_lineno]


def _first_containing(lines: list[str], text: str, source: Path) -> int:
    index = next((index for index, line in enumerate(lines) if text in line), None)
    if index is None:
        raise ValueError(f"{source.name}: no line contains {text!r} in the included part.")
    return index


# ------------------------------------------------------------------------------------ the notebook
def _imports(tree: ast.AST, package: str = "") -> list[str]:
    """Dotted names of every module a syntax tree imports (in functions too), in order.

    Relative imports are resolved against ``package``; ``importlib.util.find_spec("name")`` counts
    as an import of ``name`` (how :mod:`gcbook.datasets` finds the ``cdt`` files).
    """
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            names = [base] + [f"{base}.{alias.name}" for alias in node.names] if base else []
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "find_spec"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        found.extend(name for name in names if name and name not in found)
    return found


def _gcbook_file(module: str) -> Path | None:
    root = Path(__file__).resolve().parent.parent
    for candidate in (root / (module.replace(".", "/") + ".py"), root / module.replace(".", "/") / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _third_party_modules(code_cells) -> tuple[list[str], list[str]]:
    """``(direct, through_gcbook)``: top-level modules outside the standard library that the code
    cells import themselves, and those that the :mod:`gcbook` modules they import need in turn."""
    import sys

    def third_party(names):
        tops = []
        for name in names:
            top = name.split(".")[0]
            if top not in sys.stdlib_module_names and top not in ("gcbook", "__future__") and top not in tops:
                tops.append(top)
        return tops

    direct_names = []
    for cell in code_cells:
        code = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        try:
            direct_names.extend(_imports(ast.parse(code)))
        except SyntaxError:
            continue
    seen, queue, indirect = set(), [name for name in direct_names if name.split(".")[0] == "gcbook"], []
    while queue:
        module = queue.pop()
        path = _gcbook_file(module)
        if path is None or path in seen:
            continue
        seen.add(path)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        names = _imports(ast.parse(path.read_text()), package)
        queue.extend(name for name in names if name.split(".")[0] == "gcbook")
        indirect.extend(names)
    direct = third_party(direct_names)
    return direct, [name for name in third_party(indirect) if name not in direct]


def _pins(requirements: Path | None) -> dict:
    """``{normalised distribution name: "name==version"}`` from a requirements file."""
    pins = {}
    if requirements is not None and requirements.exists():
        for line in requirements.read_text().splitlines():
            match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)", line.strip())
            if match:
                pins[re.sub(r"[-_.]+", "-", match[1]).lower()] = f"{match[1]}=={match[2]}"
    return pins


def install_cell_source(direct: list[str], indirect: list[str] = (), requirements: str | Path | None = None) -> str:
    """The first code cell of a student notebook: install what is missing, and nothing else.

    Parameters
    ----------
    direct : list of str
        Top-level modules the notebook imports itself; each must be installed here, to look up
        the distribution that provides it.
    indirect : list of str
        Modules that the :mod:`gcbook` modules it imports need; those not installed here (optional
        ones) are left out.
    requirements : str or pathlib.Path, optional
        A pinned requirements file (the book's ``requirements.txt``): each distribution is
        installed at the version pinned there.

    Returns
    -------
    str
        Python source. Run where every module is importable (a clone of the repository after
        ``make test``, Binder), it installs nothing; elsewhere (Colab, a fresh JupyterLab) it
        installs with pip each missing module's distribution (PyTorch as its CPU-only wheel on
        Linux, which would otherwise bring gigabytes of CUDA), then ``gcbook`` from its repository
        without its dependencies, so that an installed PyTorch (Colab's) is kept.
    """
    from importlib.metadata import packages_distributions

    pins = _pins(Path(requirements) if requirements is not None else None)
    distributions = packages_distributions()
    needed = {}
    for module in [*direct, *indirect]:
        names = distributions.get(module)
        if not names:
            if module in direct:
                raise ValueError(
                    f"No installed distribution provides the module {module!r}; cannot write its install line."
                )
            continue
        needed[module] = pins.get(re.sub(r"[-_.]+", "-", names[0]).lower(), names[0])
    lines = [
        "# Run this cell first. Where a package this notebook uses is missing (on Colab, in a fresh",
        "# JupyterLab), it installs it with pip; where everything is installed, it does nothing.",
        "import importlib.util, subprocess, sys",
        "",
        "NEEDED = {",
    ]
    lines += [f"    {module!r}: {requirement!r}," for module, requirement in needed.items()]
    lines += [
        "}",
        "missing = [requirement for module, requirement in NEEDED.items() if importlib.util.find_spec(module) is None]",
        "options = []",
        "if sys.platform == 'linux' and any(requirement.startswith('torch==') for requirement in missing):",
        "    missing = [requirement + '+cpu' if requirement.startswith('torch==') else requirement for requirement in missing]",
        "    options = ['--extra-index-url', 'https://download.pytorch.org/whl/cpu']",
        "if missing:",
        "    subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--quiet', *options, *missing])",
        "# gcbook itself without its dependencies: the line above installed those this notebook needs,",
        "# and an installed PyTorch (Colab's) is kept.",
        "if importlib.util.find_spec('gcbook') is None:",
        f"    subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--quiet', '--no-deps', {GCBOOK_SOURCE!r}])",
        f"    missing.append({GCBOOK_SOURCE!r})",
        "print('installed: ' + ', '.join(missing) if missing else 'everything this notebook needs is installed')",
    ]
    return "\n".join(lines)


def _glued_values(book: _Book, stem: str) -> dict:
    if book.executed is None:
        return {}
    path = book.executed / "book" / f"{stem}.glue.json"
    if not path.exists():
        path = book.executed / f"{stem}.glue.json"
    if not path.exists():
        return {}
    return {
        key: output["data"]["text/plain"]
        for key, output in json.loads(path.read_text()).items()
        if "text/plain" in output.get("data", {})
    }


def _student_code(source: str) -> str:
    return re.sub(r"^from myst_nb import glue\s*$", "from gcbook.glue import glue", source, flags=re.MULTILINE)


def student_notebook(
    source: str | Path,
    toc: str | Path | None = None,
    executed: str | Path | None = None,
    requirements: str | Path | None = None,
    *,
    _book: _Book | None = None,
) -> nbformat.NotebookNode:
    """Turn one MyST Markdown chapter into a student notebook without solutions, in plain Markdown.

    Parameters
    ----------
    source : str or pathlib.Path
        Path to a MyST Markdown notebook (``.md`` with a jupytext header).
    toc : str or pathlib.Path, optional
        The book's ``_toc.yml``, for references to other chapters, the bibliography
        (``references.bib`` next to it) and the MathJax macros (``_config.yml``). Default: the
        ``_toc.yml`` in the chapter's parent folder's parent, else the chapter alone.
    executed : str or pathlib.Path, optional
        A built book's ``_build/jupyter_execute``: glued values are read from its
        ``book/<chapter>.glue.json``. Without it, each glued value shows as ``[name]``.
    requirements : str or pathlib.Path, optional
        The pinned ``requirements.txt`` for the install cell's versions. Default: the one next to
        ``toc``.

    Returns
    -------
    nbformat.NotebookNode
        An install cell, then the chapter's Markdown and code cells in order, no outputs, every
        ``{solution}`` block and gated solution removed, stub cells kept, MyST written as Markdown.
    """
    import jupytext

    source = Path(source)
    if _book is None:
        toc = Path(toc) if toc is not None else source.resolve().parent.parent / "_toc.yml"
        _book = _read_book(toc, executed) if toc.exists() else _single_chapter_book(source)
        if requirements is None and toc.exists():
            requirements = toc.parent / "requirements.txt"
    chapter = _Chapter(_book, source, _glued_values(_book, source.stem))
    notebook = jupytext.read(source, fmt="md:myst")
    cells = _split_gated(notebook.cells)
    student_cells = []
    for cell in cells:
        if cell.cell_type == "markdown":
            lines = _without_blocks(cell.source.splitlines(), "solution")
            text = "\n".join(chapter.block(lines)).strip("\n")
            if text.strip():
                student_cells.append(nbformat.v4.new_markdown_cell(text))
        elif cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(_student_code(cell.source))
            tags = [tag for tag in cell.metadata.get("tags", []) if tag != "skip-execution"]
            if tags:
                new.metadata["tags"] = tags
            student_cells.append(new)
            figure = cell.metadata.get("mystnb", {}).get("figure", {})
            if figure:
                number = sum(
                    "mystnb" in c.metadata and "figure" in c.metadata["mystnb"]
                    for c in cells[: cells.index(cell) + 1]
                    if c.cell_type == "code"
                )
                caption = " ".join(chapter.inline(figure.get("caption", "")).split())
                student_cells.append(nbformat.v4.new_markdown_cell(f"**Figure {number}.** {caption}".strip()))
    code = [cell for cell in student_cells if cell.cell_type == "code"]
    title = _book.chapter_titles.get(_book.docname(source), source.stem)
    intro = nbformat.v4.new_markdown_cell(
        f"*Student edition of the chapter “{title}” of* Causal Discovery from Time Series. "
        "Run the cells from the top; the first one installs what is missing. Exercises are headed "
        "**Exercise**; write your answer in the cell under each one, where a stub is given, and run "
        "the checker cell that follows it."
        + (
            ""
            if not chapter.placeholders
            else " Numbers that the online book prints in the text appear here "
            "as the name of the value in brackets, e.g. `[name]`; the cells compute them."
        )
    )
    install = nbformat.v4.new_code_cell(install_cell_source(*_third_party_modules(code), requirements=requirements))
    install.metadata["tags"] = [INSTALL_TAG]
    tail = []
    if chapter.cited:
        entries = [f"- {_book.bibliography[key][2]}" for key in chapter.cited]
        tail = [nbformat.v4.new_markdown_cell("## References\n\n" + "\n".join(sorted(entries)))]
    student = nbformat.v4.new_notebook(cells=[intro, install, *student_cells, *tail])
    student.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    student.metadata["language_info"] = {"name": "python"}
    return student


def _single_chapter_book(source: Path) -> _Book:
    book = _Book(root=source.parent)
    title, targets = _chapter_targets(source, book.docname(source))
    book.targets, book.chapter_titles = targets, {book.docname(source): title}
    return book


def solution_text(source: str | Path) -> list[str]:
    """Every line of solution text in a chapter (used to test the student edition).

    Returns
    -------
    list of str
        The stripped, non-empty lines inside ``{solution}`` directives and inside gated
        ``{solution-start}``/``{solution-end}`` regions, code cells included.
    """
    text = Path(source).read_text().splitlines()
    found = []
    for start, stop in _directive_blocks(text, "solution"):
        found.extend(text[start + 1 : stop - 1])
    starts = [start for start, _ in _directive_blocks(text, "solution-start")]
    ends = [start for start, _ in _directive_blocks(text, "solution-end")]
    if len(starts) != len(ends):
        raise ValueError(f"{source}: {len(starts)} {{solution-start}} but {len(ends)} {{solution-end}} directives.")
    for start, end in zip(starts, ends):
        found.extend(text[start + 1 : end])
    return [line.strip() for line in found if line.strip() and not re.match(r"^\s*(:\w[\w-]*:|`{3,}|:{3,})", line)]


def _toc_paths(toc: Path) -> list[Path]:
    """Every page of the table of contents, in order."""
    import yaml

    root = toc.parent

    def walk(node):
        if isinstance(node, dict):
            if "root" in node:
                yield node["root"]
            if "file" in node:
                yield node["file"]
            for value in node.values():
                if isinstance(value, (list, dict)):
                    yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    paths = []
    for name in walk(yaml.safe_load(toc.read_text())):
        path = root / (name if name.endswith(".md") else f"{name}.md")
        if path.exists() and path not in paths:
            paths.append(path)
    return paths


def chapter_sources(toc: str | Path = "_toc.yml") -> list[Path]:
    """The book's MyST notebooks in table-of-contents order (pages with code cells only)."""
    return [path for path in _toc_paths(Path(toc)) if "```{code-cell}" in path.read_text()]


def build_student_edition(
    out_dir: str | Path,
    toc: str | Path = "_toc.yml",
    executed: str | Path | None = None,
    requirements: str | Path | None = None,
) -> list[Path]:
    """Write the student notebooks of every chapter in the table of contents.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Folder for the ``.ipynb`` files (created if needed).
    toc : str or pathlib.Path
        The book's ``_toc.yml``.
    executed : str or pathlib.Path, optional
        A built book's ``_build/jupyter_execute``, for the glued values (see
        :func:`student_notebook`).
    requirements : str or pathlib.Path, optional
        The pinned requirements for the install cell (default: ``requirements.txt`` next to ``toc``).

    Returns
    -------
    list of pathlib.Path
        The notebooks written.
    """
    out_dir, toc = Path(out_dir), Path(toc)
    book = _read_book(toc, executed)
    requirements = Path(requirements) if requirements is not None else toc.parent / "requirements.txt"
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for source in chapter_sources(toc):
        target = out_dir / f"{source.stem}.ipynb"
        nbformat.write(student_notebook(source, requirements=requirements, _book=book), target)
        written.append(target)
    if not written:
        raise ValueError(f"No chapters with code cells found through {toc}.")
    return written


def main(argv=None) -> int:
    """Command-line entry point: ``python -m gcbook.student --out student_edition``."""
    parser = argparse.ArgumentParser(description="Generate the student edition (solutions removed) as .ipynb files.")
    parser.add_argument("--out", default="student_edition", help="output folder (default: student_edition)")
    parser.add_argument("--toc", default="_toc.yml", help="the book's table of contents (default: _toc.yml)")
    parser.add_argument(
        "--executed",
        default=None,
        help="a built book's _build/jupyter_execute, to write the computed numbers into the text",
    )
    args = parser.parse_args(argv)
    for path in build_student_edition(args.out, args.toc, executed=args.executed):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
