"""B1: the cost of a sync call and of attribute access through `@multisync`.

Compared side by side with a plain method and with `wrapt.FunctionWrapper`, the
reference descriptor design. Goals: a sync call costs at most 10x a plain bound
method call and at most half of a `wrapt.FunctionWrapper` call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import wrapt

from benchmarks.harness import Absolute, Ratio, paired, round_robin
from multisync import multisync

if TYPE_CHECKING:
    from collections.abc import Callable


class Plain:
    def save(self) -> None:
        return None


class WithMultisync:
    @multisync
    def save(self) -> None:
        return None


def _pass_through(
    wrapped: Callable[..., None],
    instance: object,
    args: tuple[object, ...],
    kwargs: dict[str, object],
) -> None:
    return wrapped(*args, **kwargs)


def _plain_save(self: object) -> None:
    return None


class WithWrapt:
    save = wrapt.FunctionWrapper(_plain_save, _pass_through)


def _calls(obj: object) -> Callable[[int], None]:
    def loop(n: int) -> None:
        for _ in range(n):
            obj.save()  # type: ignore[attr-defined]

    return loop


def _attribute(obj: object, path: str) -> Callable[[int], None]:
    if path == "save":

        def loop(n: int) -> None:
            for _ in range(n):
                obj.save  # type: ignore[attr-defined]  # noqa: B018

    else:

        def loop(n: int) -> None:
            for _ in range(n):
                obj.save.a  # type: ignore[attr-defined]  # noqa: B018

    return loop


def _empty(n: int) -> None:
    for _ in range(n):
        pass


def run(*, quick: bool) -> list[Ratio | Absolute]:
    """Measure B1 and return its ratios."""
    plain, ours, wrapped = Plain(), WithMultisync(), WithWrapt()
    timings = round_robin(
        {
            "loop": _empty,
            "plain call": _calls(plain),
            "multisync call": _calls(ours),
            "wrapt call": _calls(wrapped),
            "plain attr": _attribute(plain, "save"),
            "multisync attr": _attribute(ours, "save"),
            "multisync .a attr": _attribute(ours, "save.a"),
            "wrapt attr": _attribute(wrapped, "save"),
        },
        rounds=3 if quick else 25,
        number=2_000 if quick else 200_000,
    )
    # As in research/perf.md, every time includes the loop around the operation;
    # the loop's own cost is reported beside the ratios.
    loop_ns = timings.median("loop")

    return [
        Absolute("B1 empty loop (included in every time below)", loop_ns, None, "ns"),
        paired(timings, "B1 sync call vs plain method", "multisync call", "plain call", 10.0),
        paired(
            timings, "B1 sync call vs wrapt.FunctionWrapper", "multisync call", "wrapt call", 0.5
        ),
        paired(timings, "B1 obj.save access vs plain method", "multisync attr", "plain attr", None),
        paired(timings, "B1 obj.save access vs wrapt", "multisync attr", "wrapt attr", None),
        paired(
            timings,
            "B1 obj.save.a access vs plain obj.save",
            "multisync .a attr",
            "plain attr",
            None,
        ),
    ]
