"""Check the package's layers, and count the frames of one uncached relation load.

1. The import graph of `multisync/`, every import included (module level, inside
   functions, under `TYPE_CHECKING`): no module imports another in a circle; the core
   (`multisync/core/`) imports neither Django, mypy nor the layers above it; and the
   layers above it (`multisync.django`, `multisync.mypy`, ...) use the core only
   through the names `multisync.core` exports, never a private name or a submodule.
2. `--frames`: how many multisync frames the event loop's thread enters for one
   `await choice.a.question` that is not loaded (goal: at most `FRAME_BUDGET`), and for
   one that is (goal: `LOADED_FRAME_BUDGET`, and no thread hop).

Usage: scripts/layers.py [--frames]; exits 1 if a rule is broken.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "multisync"
CORE = "multisync.core"
FORBIDDEN_IN_CORE = ("django", "mypy", "multisync.django", "multisync.mypy", "multisync.test")
FRAME_BUDGET = 12
LOADED_FRAME_BUDGET = 2


def module_name(path: Path) -> str:
    """`multisync/core/override.py` -> `multisync.core.override`."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[str, str | None]]:
    """Every (module, name) that the file imports; name is None for `import x`."""
    found: list[tuple[str, str | None]] = []
    package = module_name(path) if path.name == "__init__.py" else module_name(path.parent)
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the file's package
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found += [(base, alias.name) for alias in node.names]
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the multisync modules it imports (a submodule named in `from` counts)."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py*") if p.suffix in {".py", ".pyi"}}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for module, imported in imports_of(path):
            target = f"{module}.{imported}" if f"{module}.{imported}" in modules else module
            if target in modules and target != name:
                graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles in `graph`, each once, as the modules along it."""
    found: list[list[str]] = []
    seen: set[frozenset[str]] = set()

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt in path:
                circle = path[path.index(nxt) :]
                if frozenset(circle) not in seen:
                    seen.add(frozenset(circle))
                    found.append([*circle, nxt])
            elif len(path) < len(graph):
                visit(nxt, [*path, nxt])

    for start in sorted(graph):
        visit(start, [start])
    return found


def layer_violations() -> list[str]:
    """Imports that break the layering rules, as printable lines."""
    problems: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py*")):
        if path.suffix not in {".py", ".pyi"}:
            continue
        name = module_name(path)
        in_core = name == CORE or name.startswith(f"{CORE}.")
        for module, imported in imports_of(path):
            if in_core and module.startswith(FORBIDDEN_IN_CORE):
                problems.append(f"{name} imports {module}: the core stays free of it")
            if not in_core and module.startswith(f"{CORE}."):
                problems.append(f"{name} imports {module}: use the names `{CORE}` exports")
            if not in_core and module == CORE and imported and imported.startswith("_"):
                problems.append(f"{name} imports the private {CORE}.{imported}")
    return problems


def count_frames() -> tuple[int, int, int]:
    """Multisync frames in the loop's thread: uncached load, loaded load, loaded hops."""
    import os

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from frames import measure  # scripts/frames.py: needs Django set up

    return measure()


def main(argv: list[str]) -> int:
    """Print the checks; 1 if any rule is broken."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", action="store_true", help="also count the frames")
    args = parser.parse_args(argv)
    graph = import_graph()
    problems = layer_violations()
    problems += [f"import circle: {' -> '.join(circle)}" for circle in cycles(graph)]
    edges = sum(len(targets) for targets in graph.values())
    print(f"import graph: {len(graph)} modules, {edges} imports, {len(cycles(graph))} circles")
    if args.frames:
        uncached, loaded, hops = count_frames()
        print(f"await choice.a.question: {uncached} multisync frames uncached, {loaded} loaded")
        if uncached > FRAME_BUDGET:
            problems.append(f"uncached load enters {uncached} frames (budget {FRAME_BUDGET})")
        if loaded > LOADED_FRAME_BUDGET or hops:
            problems.append(f"loaded value: {loaded} frames and {hops} thread hops")
    for problem in problems:
        print(f"  BROKEN {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
