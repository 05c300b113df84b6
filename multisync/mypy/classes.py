"""The class hook: what the plugin adds to a class before mypy analyses its body.

It runs as mypy's `get_customize_class_mro_hook`, the one class hook that sees the
class body before it is analysed (so a method's fallback type can still be set) and
that django-stubs leaves free for models and plain classes. django-stubs claims it
for managers, querysets and fields, and so does not this plugin: with the two never
claiming the same class, the order of `plugins` does not matter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from multisync.mypy import _fullnames as names
from multisync.mypy import pairs, relations, siblings

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy.nodes import Expression, SymbolTableNode, TypeInfo
    from mypy.plugin import ClassDefContext

__all__ = ["prepare_class", "wants_class"]


def wants_class(info: TypeInfo, lookup: Callable[[str], SymbolTableNode | None]) -> bool:
    """Whether the class hook has anything to do for `info` (and may claim it).

    `lookup` finds a fully qualified name; decorators are resolved in the module's
    scope (a `@multisync` imported inside a function is not seen).
    """
    if any(info.has_base(base) for base in names.DJANGO_STUBS_CLASS_HOOK_BASES):
        return False
    if pairs.is_model(info) or pairs.inherited_pair_names(info):
        return True

    def resolve(name: str, _expr: Expression) -> SymbolTableNode | None:
        return lookup(f"{info.module_name}.{name}")

    return any(pairs.is_multisync_decorated(node, resolve) for node in info.defn.defs.body)


def prepare_class(ctx: ClassDefContext) -> None:
    """Make plain overrides pairs, add `m_async` spellings, and give `Model` its `a`."""
    info = ctx.cls.info
    decorated = pairs.multisync_decorated(ctx)
    overrides = pairs.make_plain_overrides_pairs(ctx)
    if decorated or overrides:
        pairs.record_pairs(info, [node.name for node in decorated] + overrides)
    siblings.add_siblings(ctx, decorated)
    if info.fullname == names.MODEL:
        relations.add_namespace(ctx)
        siblings.add_model_siblings(ctx)
