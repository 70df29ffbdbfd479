#!/usr/bin/env python3
"""Check that binder/requirements.txt pins the same versions as the root requirements.txt.

Every package pinned (``name==version``) in the root file must be pinned to the same version in
the Binder file. torch is the one planned difference: Binder installs PyTorch's CPU-only wheel,
``torch==X+cpu`` from the CPU index, so torch is compared without its local label and must carry
``+cpu`` there; and the Binder file must name the CPU index while the root file must not.
Packages that only the Binder file pins (its "Binder only" section) are allowed and listed.

Usage: python binder/check_requirements.py [--root requirements.txt] [--binder binder/requirements.txt]
Exit status 0 when the files agree, 1 (with one line per problem) when they do not.
Standard library only, so it runs with any Python 3.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
CPU_PACKAGES = {"torch"}  # compared without the local label, which must be "+cpu" on Binder

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)$")


def normalize(name: str) -> str:
    """The PEP 503 normalized form of a distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse(text: str, label: str) -> tuple[dict[str, str], list[str], list[str]]:
    """Return ({normalized name: version}, option lines, problems) for a requirements file."""
    pins: dict[str, str] = {}
    options: list[str] = []
    problems: list[str] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-"):
            options.append(line)
            continue
        match = _PIN.match(line)
        if match is None:
            problems.append(f"{label}:{lineno}: not an exact pin (name==version): {raw.strip()!r}")
            continue
        name, version = normalize(match.group(1)), match.group(2)
        if name in pins:
            problems.append(f"{label}:{lineno}: {match.group(1)} is pinned twice")
        pins[name] = version
    return pins, options, problems


def compare(
    root_text: str,
    binder_text: str,
    root_label: str = "requirements.txt",
    binder_label: str = "binder/requirements.txt",
) -> tuple[list[str], list[str]]:
    """Return (problems, Binder-only packages). No problems means the files agree."""
    root, root_options, problems = parse(root_text, root_label)
    binder, binder_options, binder_problems = parse(binder_text, binder_label)
    problems += binder_problems

    for name, version in root.items():
        if name not in binder:
            problems.append(f"{name}=={version} is pinned in {root_label} but missing from {binder_label}")
            continue
        theirs = binder[name]
        if name in CPU_PACKAGES:
            public, _, local = theirs.partition("+")
            if local != "cpu":
                problems.append(f"{binder_label} must pin the CPU build {name}=={version}+cpu, not {name}=={theirs}")
            elif public != version.partition("+")[0]:
                problems.append(
                    f"{name}: {root_label} pins {version}, {binder_label} pins {theirs} "
                    f"(expected {version.partition('+')[0]}+cpu)"
                )
        elif theirs != version:
            problems.append(f"{name}: {root_label} pins {version}, {binder_label} pins {theirs}")

    if not any(CPU_INDEX in option for option in binder_options):
        problems.append(f"{binder_label} must name PyTorch's CPU index: --extra-index-url {CPU_INDEX}")
    if any(CPU_INDEX in option for option in root_options):
        problems.append(f"{root_label} must not name PyTorch's CPU index (it belongs in {binder_label} only)")

    extra = sorted(f"{name}=={binder[name]}" for name in binder.keys() - root.keys())
    return problems, extra


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO / "requirements.txt")
    parser.add_argument("--binder", type=Path, default=REPO / "binder" / "requirements.txt")
    args = parser.parse_args(argv)
    problems, extra = compare(
        args.root.read_text(encoding="utf-8"), args.binder.read_text(encoding="utf-8"), str(args.root), str(args.binder)
    )
    if problems:
        print(f"{args.binder} is out of step with {args.root}:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        print("Edit binder/requirements.txt to the root pins (torch as X+cpu) and run this again.", file=sys.stderr)
        return 1
    print(
        f"OK: {args.binder} pins every package of {args.root} at the same version"
        + (f"; Binder only: {', '.join(extra)}" if extra else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
