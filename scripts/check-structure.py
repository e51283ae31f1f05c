#!/usr/bin/env python3
"""The two structural rules of ARCHITECTURE.md, checked in `make test`.

1. Layers run one way. In stackdeck's `src/`, each top-level module may name (`crate::x` or
   `stackdeck::x`) only the modules listed for it in LAYERS.
   A reference the other way is a backward import and fails the check, with the line that has it.
2. No file is too long: a source file has at most 400 lines, a test file (under `tests/`, or named
   `tests.rs` / `*_tests.rs`) at most 600.

Usage: scripts/check-structure.py [ROOT]   (exit 0: both rules hold; 1: a violation, each printed)
"""

import pathlib
import re
import sys

# What each top-level module of src/ may depend on. The runners (the binary's entry points and
# the effects runner) sit on top and may use everything.
RUNNERS = {"tui", "tui_switch", "tui_clip", "tui_exec", "picker_tui", "terminal", "cli", "status", "doctor", "logs_cmd", "timeline_cmd", "refresh", "main", "lib"}
LAYERS = {
    "model": set(),
    "config": set(),
    "theme": {"config"},
    "aws": {"model", "config"},
    "ops": {"model", "aws", "config"},
    "app": {"model", "config", "theme"},
    "ui": {"model", "config", "theme", "app"},
}
MODULES = set(LAYERS) | RUNNERS

SOURCE_MAX = 400
TEST_MAX = 600
# Where the line limits apply: every crate's sources, tests and benchmark programs.
SIZE_ROOTS = ["src", "tests", "bench", "service/src", "service/tests", "devstack/src", "devstack/tests"]

REFERENCE = re.compile(r"\b(?:crate|stackdeck)::([a-z_]+)")


def layer_of(path: pathlib.Path, src: pathlib.Path) -> str:
    first = path.relative_to(src).parts[0]
    return first[:-3] if first.endswith(".rs") else first


def strip_comments(line: str) -> str:
    return line.split("//", 1)[0]


def check_layers(root: pathlib.Path) -> list[str]:
    src = root / "src"
    problems = []
    for path in sorted(src.rglob("*.rs")):
        layer = layer_of(path, src)
        if layer in RUNNERS:
            continue
        allowed = LAYERS.get(layer)
        if allowed is None:
            problems.append(f"{path.relative_to(root)}: module `{layer}` has no place in LAYERS "
                            "(scripts/check-structure.py): add it there and to ARCHITECTURE.md")
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for used in REFERENCE.findall(strip_comments(line)):
                if used in MODULES and used != layer and used not in allowed:
                    problems.append(
                        f"{path.relative_to(root)}:{number}: `{layer}` must not use `{used}` "
                        f"(it may use: {', '.join(sorted(allowed)) or 'nothing else in the crate'}): "
                        f"{line.strip()}")
    return problems


def is_test(path: pathlib.Path) -> bool:
    return ("tests" in path.parts or path.name == "tests.rs" or path.stem.endswith("_tests"))


def check_sizes(root: pathlib.Path) -> list[str]:
    problems = []
    for base in SIZE_ROOTS:
        for path in sorted((root / base).rglob("*.rs")):
            lines = len(path.read_text().splitlines())
            limit = TEST_MAX if is_test(path.relative_to(root)) else SOURCE_MAX
            if lines > limit:
                kind = "test file" if limit == TEST_MAX else "source file"
                problems.append(f"{path.relative_to(root)}: {lines} lines, over the {limit} a "
                                f"{kind} may have: split it by job")
    return problems


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    problems = check_layers(root) + check_sizes(root)
    for problem in problems:
        print(problem)
    if problems:
        print(f"check-structure: {len(problems)} problem(s); the rules are in ARCHITECTURE.md")
        return 1
    print("check-structure: layers run one way, no file over its line limit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
