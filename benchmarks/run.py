"""Run the benchmarks and print each result as a ratio with its goal.

Usage: benchmarks/run.py [--quick] [--out DIR]

B1 runs in this process. The database benchmarks (B2-B7) run once per database,
SQLite always and PostgreSQL when it answers on 127.0.0.1, each in its own process
because Django is configured once per process; B6 runs once more on PostgreSQL with
Django's connection pool (Django 5.1+ and psycopg_pool), where its goal applies.
`--quick` runs a few rounds only, to prove the benchmarks work (CI does this). Results
are written as JSON and as a PNG chart to DIR (default: docs/assets, which the docs'
benchmarks page shows).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import b1_dispatch  # noqa: E402
from benchmarks.django_setup import pool_available, postgres_reachable  # noqa: E402
from benchmarks.harness import Absolute, Ratio  # noqa: E402


def describe(result: Ratio | Absolute) -> str:
    """One line of the report."""
    verdict = {True: "met", False: "MISSED", None: "recorded"}[result.met]
    goal = "" if result.goal is None else f"  goal <= {result.goal:g}"
    if isinstance(result, Ratio):
        detail = f"({result.unit_variant:,.1f} vs {result.unit_baseline:,.1f} {result.unit})"
        return f"{result.name:<58} {result.value:7.2f}x {detail:<30}{goal:<14} {verdict}"
    return f"{result.name:<58} {result.value:7.1f} {result.unit:<31}{goal:<14} {verdict}"


def run_database_benchmarks(backend: str, *, quick: bool) -> list[Ratio | Absolute]:
    """Run the database benchmarks of one backend, in a child process."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "results.json"
        command = [sys.executable, __file__, "--backend", backend, "--json", str(output)]
        subprocess.run([*command, *(["--quick"] if quick else [])], check=True)  # noqa: S603
        return [_from_json(item) for item in json.loads(output.read_text())]


def _from_json(item: dict[str, object]) -> Ratio | Absolute:
    kind = Ratio if "baseline" in item else Absolute
    return kind(**item)  # type: ignore[arg-type]


def child(backend: str, output: Path, *, quick: bool) -> None:
    """In a child process: configure Django for `backend`, run, write JSON."""
    from benchmarks import b7_memory, b_atomic, b_orm
    from benchmarks.django_setup import database

    results: list[Ratio | Absolute] = []
    with database(backend):
        if backend != "postgres-pool":  # the pool is there for B6
            results += asyncio.run(b_orm.run(quick=quick))
            results += b7_memory.run(quick=quick)
        results += asyncio.run(b_atomic.run(quick=quick))
    for result in results:
        result.name = f"{result.name} [{backend}]"
    output.write_text(json.dumps([asdict(r) for r in results]))


def write_table(results: list[Ratio | Absolute], python: str, path: Path) -> None:
    """The results as a Markdown table, which the docs' benchmarks page includes."""
    verdicts = {True: "met", False: "**missed**", None: "recorded"}
    lines = [
        f"Measured with Python {python}; each ratio is the median, over rounds, of the",
        "two variants timed side by side in the same round.",
        "",
        "| benchmark | result | measured | goal | |",
        "|---|---:|---|---:|---|",
    ]
    for r in results:
        if isinstance(r, Ratio):
            value = f"{r.value:.2f}x"
            detail = f"{r.unit_variant:,.1f} vs {r.unit_baseline:,.1f} {r.unit}"
            goal = "" if r.goal is None else f"<= {r.goal:g}x"
        else:
            value, detail, goal = (
                f"{r.value:,.1f} {r.unit}",
                "",
                "" if r.goal is None else f"<= {r.goal:g} {r.unit}",
            )
        lines.append(f"| {r.name} | {value} | {detail} | {goal} | {verdicts[r.met]} |")
    path.write_text("\n".join(lines) + "\n")


def write_chart(results: list[Ratio | Absolute], path: Path) -> None:
    """A horizontal bar chart of the ratios against their goals."""
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    ratios = [r for r in results if isinstance(r, Ratio)]
    fig, ax = plt.subplots(figsize=(9, 0.6 + 0.4 * len(ratios)))
    ax.barh([r.name for r in ratios], [r.value for r in ratios], color="#4051b5")
    for y, r in enumerate(ratios):
        if r.goal is not None:
            ax.plot([r.goal, r.goal], [y - 0.4, y + 0.4], color="#d33", linewidth=2)
    ax.set_xscale("log")
    ax.set_xlabel("ratio, measured side by side (log scale); red tick: goal")
    ax.tick_params(axis="y", labelsize=8)
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> int:
    """Run every benchmark, print the report, write JSON and the chart."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few rounds, for CI")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "assets")
    parser.add_argument("--backend", help=argparse.SUPPRESS)  # child process only
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)  # child process only
    args = parser.parse_args()
    if args.backend:
        child(args.backend, args.json, quick=args.quick)
        return 0

    print(f"Python {platform.python_version()} on {platform.machine()}; times include the loop")
    results: list[Ratio | Absolute] = []
    for result in b1_dispatch.run(quick=args.quick):
        print(describe(result), flush=True)
        results.append(result)
    backends = ["sqlite"]
    if postgres_reachable():
        backends += ["postgres", *(["postgres-pool"] if pool_available() else [])]
    for backend in backends:
        for result in run_database_benchmarks(backend, quick=args.quick):
            print(describe(result), flush=True)
            results.append(result)

    args.out.mkdir(parents=True, exist_ok=True)
    payload = {
        "python": platform.python_version(),
        "quick": args.quick,
        "results": [asdict(r) | {"met": r.met} for r in results],
    }
    (args.out / "benchmarks.json").write_text(json.dumps(payload, indent=2) + "\n")
    write_table(results, platform.python_version(), args.out / "benchmarks.md")
    write_chart(results, args.out / "benchmarks.png")
    missed = [r.name for r in results if r.met is False]
    if missed:
        print(f"goals missed: {len(missed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
