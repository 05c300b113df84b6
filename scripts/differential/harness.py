"""The differential harness's worker, run inside `.venv-differential` by `differential.py`.

The rule it checks: `await obj.a.<name>` gives (or raises) what sync `obj.<name>` gives
(listed through `.all()` for a manager), and leaves the same caches on `obj`, whether
it is awaited alone, together with other instances in one `asyncio.gather`, or after
a peer's await loaded it.

For every model in the registry, every variant of instance it supports (`variants.py`)
and every name in `dir(obj.a)`, it compares on fresh, equivalent instances:

- `sync`: `obj.<name>` read with no event loop running, on each instance;
- `lone`: `await obj.a.<name>` on each instance alone;
- `batched`: every instance's `obj.a.<name>` awaited in one `asyncio.gather`;
- `peers`: instances from one `MultisyncQuerySet` evaluation, awaited one by one.

`comparing.py` says how values and caches are described and compared, `variants.py`
which instances each model gets, `seeding.py` where its rows come from. Every
difference is printed and counted; the exit status is 1 if there is any.

Usage: harness.py [--report PATH] [--verbose]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.db.models import Model
    from seeding import Seeded
    from variants import Variant

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEFAULT_REPORT = ROOT / ".cache" / "differential" / "report.json"
SHOWN_CHARACTERS = 300  # of each side of a difference, on the terminal (the JSON has all)

# The traps the harness's own app plants: (model, name, variant) -> what the case is.
PLANTED = {
    ("diffapp.CarouselPage", "carousel_items", "in-memory"): (
        "modelcluster children edited in memory"
    ),
    ("diffapp.Book", "author", "as-of"): "simple-history HistoricForeignKey on as_of()",
    ("diffapp.Pointer", "target", "saved"): "a nullable FK whose target row was deleted",
    ("diffapp.Refreshing", "name", "deferred"): "a refresh_from_db override",
}

# Checks known to differ, each with why. Keep it exact: an entry that no longer differs
# fails the run too, so that the list never hides a regression behind a stale excuse.
_DETACHED_CHILD_M2M = (
    "`Child(pk=x)` leaves the parent's own key unset, so Django's sync manager filters "
    "the through table on NULL and lists unrelated rows; prefetch_related, which obj.a "
    "uses to fill the cache that sync access reads afterwards, lists none"
)
KNOWN_DIFFERENCES = {
    ("cms.PageUser", "user_permissions", "detached"): _DETACHED_CHILD_M2M,
    ("cms.PageUserGroup", "permissions", "detached"): _DETACHED_CHILD_M2M,
}


@dataclass
class Tally:
    """Counts for one app label."""

    models: int = 0
    checked: int = 0  # (model, name, variant) triples
    lone_equal: int = 0
    batched_equal: int = 0
    peers_checked: int = 0
    peers_equal: int = 0
    differences: int = 0  # triples where any mode differs


@dataclass
class Report:
    """Everything the run found; written as JSON."""

    tallies: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    differences: list[dict[str, Any]] = field(default_factory=list)
    skipped_variants: dict[str, dict[str, str]] = field(default_factory=dict)
    not_offered: dict[str, list[str]] = field(default_factory=dict)
    unfilled_models: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def main(argv: list[str]) -> int:
    """Migrate, seed and compare in a temporary database; print and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=DEFAULT_REPORT, help="JSON output")
    parser.add_argument("--verbose", action="store_true", help="print each model as it runs")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="multisync-differential-") as folder:
        seeded = _set_up_django(Path(folder))
        report = compare_everything(seeded, verbose=args.verbose)
    report.seconds = round(time.monotonic() - started, 1)
    print_report(report)
    write_report(report, args.report)
    print(f"\nreport: {args.report}  ({report.seconds} s in the worker)")
    return 0 if judge(report) else 1


def judge(report: Report) -> bool:
    """Whether exactly the known differences differ; print what does not match."""
    found = set(_grouped(report.differences))
    unexpected = sorted(found - set(KNOWN_DIFFERENCES))
    stale = sorted(set(KNOWN_DIFFERENCES) - found)
    for model, name, variant in unexpected:
        print(f"UNEXPECTED difference: {model}.{name} [{variant}]")
    for model, name, variant in stale:
        print(f"known difference no longer differs: {model}.{name} [{variant}]")
    for (model, name, variant), reason in sorted(KNOWN_DIFFERENCES.items()):
        if (model, name, variant) in found:
            print(f"known difference: {model}.{name} [{variant}]: {reason}")
    return not unexpected and not stale


def _set_up_django(folder: Path) -> Seeded:
    """Point the settings at `folder`, set Django up, create the tables and the rows."""
    os.environ["DIFFERENTIAL_DB"] = str(folder / "db.sqlite3")
    os.environ["DIFFERENTIAL_MEDIA"] = str(folder / "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", run_syncdb=True, verbosity=0)
    from seeding import seed

    return seed()


# --- comparing --------------------------------------------------------------------------


def compare_everything(seeded: Seeded, *, verbose: bool) -> Report:
    """Compare every model of the registry, variant by variant, name by name."""
    from django.apps import apps
    from variants import variants_for

    report = Report(unfilled_models=dict(seeded.unfilled))
    with asyncio.Runner() as runner:
        for model in apps.get_models():
            label = model._meta.label  # noqa: SLF001
            if verbose:
                print(f"  {label}", file=sys.stderr, flush=True)
            tally = report.tallies[model._meta.app_label]  # noqa: SLF001
            tally.models += 1
            names, missing = offered_names(model)
            if missing:
                report.not_offered[label] = missing
            variants, skipped = variants_for(model, seeded.history_moment)
            if skipped:
                report.skipped_variants[label] = skipped
            for variant in variants:
                for name in names:
                    compare_name(runner, model, variant, name, report)
    return report


def offered_names(model: type[Model]) -> tuple[list[str], list[str]]:
    """The names `obj.a` offers, and the field and relation names it leaves out."""
    bare = object.__new__(model)  # the namespace's names belong to the class
    offered = dir(bare.a)
    expected = {"pk"}
    for model_field in model._meta.get_fields():  # noqa: SLF001
        if model_field.auto_created and not model_field.concrete:
            expected.add(model_field.get_accessor_name() or "+")
        else:
            expected.update({model_field.name, getattr(model_field, "attname", None) or "+"})
    # A hidden reverse relation (`related_name="+"`), or one that the project never
    # puts on the class (taggit's `Tag.photo_set`), is not there for sync code either.
    present = {name for name in expected if not name.endswith("+") and hasattr(model, name)}
    return offered, sorted(present - set(offered))


def compare_name(
    runner: asyncio.Runner, model: type[Model], variant: Variant, name: str, report: Report
) -> None:
    """Compare one name of one variant of `model` in every mode, and record the result."""
    from comparing import gathered_outcomes, sequential_outcomes, sync_outcome

    expected = [sync_outcome(instance, name) for instance in variant.build()]
    outcomes = {
        "lone": [
            runner.run(sequential_outcomes([variant.build()[index]], name))[0]
            for index in range(len(expected))
        ],
        "batched": runner.run(gathered_outcomes(variant.build(), name)),
    }
    if variant.build_peers is not None:
        outcomes["peers"] = runner.run(sequential_outcomes(variant.build_peers(), name))
    tally = report.tallies[model._meta.app_label]  # noqa: SLF001
    tally.checked += 1
    differs = False
    for mode, got in outcomes.items():
        found = list(_differences(expected, got))
        for index, parts in found:
            report.differences.append(
                _difference(
                    (model._meta.label, name, variant.name),  # noqa: SLF001
                    mode,
                    index,
                    (expected[index], got[index] if index < len(got) else None),
                    parts,
                )
            )
        differs = differs or bool(found)
        if mode == "peers":
            tally.peers_checked += 1
        if not found:
            setattr(tally, f"{mode}_equal", getattr(tally, f"{mode}_equal") + 1)
    tally.differences += differs


def _differences(expected: list[Any], got: list[Any]) -> Iterator[tuple[int, list[Any]]]:
    """(instance index, differing parts) for each instance whose outcome differs."""
    if len(expected) != len(got):
        yield 0, [("instances", None)]
        return
    for index, (sync, other) in enumerate(zip(expected, got, strict=True)):
        parts = sync.differences(other)
        if parts:
            yield index, parts


def _difference(
    check: tuple[str, str, str],
    mode: str,
    index: int,
    outcomes: tuple[Any, Any],
    parts: list[tuple[str, str | None]],
) -> dict[str, Any]:
    """One instance's difference as a JSON record: where, and both sides of each part."""
    model, name, variant = check
    sync, other = outcomes
    return {
        "model": model,
        "name": name,
        "variant": variant,
        "mode": mode,
        "instance": index,
        "parts": [
            {
                "part": part if key is None else f"{part}[{key}]",
                "sync": sync.part(part, key),
                "async": other.part(part, key) if other is not None else None,
            }
            for part, key in parts
        ],
    }


# --- reporting --------------------------------------------------------------------------


def print_report(report: Report) -> None:
    """Every difference, then the per-app table and the planted cases (the log's tail)."""
    grouped = _grouped(report.differences)
    for (model, name, variant), by_mode in grouped.items():
        modes = ", ".join(
            f"{mode} (instances {', '.join(str(d['instance']) for d in found)})"
            for mode, found in by_mode.items()
        )
        print(f"- {model}.{name} [{variant}]: {modes}")
        first = next(iter(by_mode.values()))[0]
        for part in first["parts"]:
            print(f"    {part['part']}:")
            print(f"      sync:  {_shown(part['sync'])}")
            print(f"      async: {_shown(part['async'])}")
    header = ("app", "models", "checked", "lone =", "batched =", "peers =", "differ")
    print("\n{:<22}{:>7}{:>9}{:>9}{:>11}{:>13}{:>8}".format(*header))
    total = Tally()
    for app_label in sorted(report.tallies):
        tally = report.tallies[app_label]
        _print_row(app_label, tally)
        for name, value in asdict(tally).items():
            setattr(total, name, getattr(total, name) + value)
    _print_row("TOTAL", total)
    print("\nplanted cases (the harness's own traps):")
    for check, case in PLANTED.items():
        verdict = f"DIFFERS ({', '.join(grouped[check])})" if check in grouped else "equal"
        model, name, variant = check
        print(f"  {case:<48} {model}.{name} [{variant}]: {verdict}")
    print(f"\n{len(grouped)} checks differ ({len(report.differences)} instance outcomes)")


def _grouped(
    differences: list[dict[str, Any]],
) -> dict[tuple[str, str, str], dict[str, list[dict[str, Any]]]]:
    """Differences by (model, name, variant), then by mode, in the order found."""
    grouped: dict[tuple[str, str, str], dict[str, list[dict[str, Any]]]] = {}
    for difference in differences:
        check = (difference["model"], difference["name"], difference["variant"])
        grouped.setdefault(check, {}).setdefault(difference["mode"], []).append(difference)
    return grouped


def _print_row(app_label: str, tally: Tally) -> None:
    peers = f"{tally.peers_equal}/{tally.peers_checked}"
    print(
        f"{app_label:<22}{tally.models:>7}{tally.checked:>9}{tally.lone_equal:>9}"
        f"{tally.batched_equal:>11}{peers:>13}{tally.differences:>8}"
    )


def _shown(value: Any) -> str:
    text = json.dumps(value, default=repr, sort_keys=True)
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + " ..."


def write_report(report: Report, path: Path) -> None:
    """Write the whole report as JSON (values that JSON lacks as their repr)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "seconds": report.seconds,
        "tallies": {label: asdict(tally) for label, tally in sorted(report.tallies.items())},
        "differences": report.differences,
        "skipped_variants": report.skipped_variants,
        "not_offered": report.not_offered,
        "unfilled_models": report.unfilled_models,
    }
    path.write_text(json.dumps(data, indent=1, default=repr, sort_keys=True) + "\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
