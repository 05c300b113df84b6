"""Run the benchmarks and print each result as a ratio with its goal.

Usage: benchmarks/run.py [--quick] [--out DIR]

`--quick` runs a few rounds only, to prove the benchmarks work (CI does this). The
results are written as JSON and as a PNG chart to DIR (default: docs/assets, where
the docs' benchmarks page reads them).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import b1_dispatch  # noqa: E402
from benchmarks.harness import Absolute, Ratio  # noqa: E402

BENCHMARKS = [b1_dispatch]


def describe(result: Ratio | Absolute) -> str:
    """One line of the report."""
    verdict = {True: "met", False: "MISSED", None: "recorded"}[result.met]
    goal = "" if result.goal is None else f"  goal <= {result.goal:g}"
    if isinstance(result, Ratio):
        detail = f"({result.unit_variant:,.1f} vs {result.unit_baseline:,.1f} {result.unit})"
        return f"{result.name:<48} {result.value:7.2f}x {detail:<28}{goal:<14} {verdict}"
    return f"{result.name:<48} {result.value:7.2f} {result.unit:<28}{goal:<14} {verdict}"


def write_chart(results: list[Ratio | Absolute], path: Path) -> None:
    """A horizontal bar chart of the ratios against their goals."""
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    ratios = [r for r in results if isinstance(r, Ratio)]
    fig, ax = plt.subplots(figsize=(8, 0.5 + 0.45 * len(ratios)))
    names = [r.name for r in ratios]
    ax.barh(names, [r.value for r in ratios], color="#4051b5")
    for y, r in enumerate(ratios):
        if r.goal is not None:
            ax.plot([r.goal, r.goal], [y - 0.4, y + 0.4], color="#d33", linewidth=2)
    ax.set_xscale("log")
    ax.set_xlabel("ratio (log scale); red tick: goal")
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> int:
    """Run every benchmark, print the report, write JSON and the chart."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few rounds, for CI")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "assets")
    args = parser.parse_args()
    results: list[Ratio | Absolute] = []
    print(f"Python {platform.python_version()} on {platform.machine()}")
    for module in BENCHMARKS:
        for result in module.run(quick=args.quick):
            print(describe(result), flush=True)
            results.append(result)
    args.out.mkdir(parents=True, exist_ok=True)
    payload = {
        "python": platform.python_version(),
        "quick": args.quick,
        "results": [vars(r) | {"met": r.met} for r in results],
    }
    (args.out / "benchmarks.json").write_text(json.dumps(payload, indent=2) + "\n")
    write_chart(results, args.out / "benchmarks.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
