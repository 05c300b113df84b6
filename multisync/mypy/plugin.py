"""`MultisyncPlugin`: routes mypy's hooks to the module of each concept.

- `classes`: the class hook (plain overrides become pairs, `m_async`, `Model.a`);
- `pairs`: `obj.save.a` on plain methods that are pairs at runtime;
- `siblings`: `obj.m_async`;
- `relations`: `await obj.a.<relation>`;
- `decorators`: `@multisync` over `@classmethod` / `@staticmethod`, and `Self`;
- `redispatch`: django-stubs' checks on calls through a pair.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mypy.build import PRI_MED
from mypy.nodes import TypeInfo
from mypy.plugin import Plugin

from multisync.mypy import _fullnames as names
from multisync.mypy import classes, decorators, pairs, redispatch, relations, siblings

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy.nodes import MypyFile
    from mypy.plugin import AttributeContext, ClassDefContext, FunctionContext, MethodContext
    from mypy.types import Type

__all__ = ["MultisyncPlugin"]


class MultisyncPlugin(Plugin):
    """Types the spellings that multisync adds at runtime.

    Stateless: everything it learns about a class lives in that class's metadata,
    which mypy's cache keeps.
    """

    def get_additional_deps(self, file: MypyFile) -> list[tuple[int, str, int]]:
        """`Model` gets attributes typed with the core's descriptor and protocol classes."""
        if file.fullname == names.MODEL_MODULE:
            return [(PRI_MED, names.DESCRIPTORS_MODULE, -1)]
        return []

    def get_customize_class_mro_hook(
        self, fullname: str
    ) -> Callable[[ClassDefContext], None] | None:
        """The class hook, for the classes that need it (see `classes`)."""
        info = self._type_info(fullname)
        if info is not None and classes.wants_class(info, self.lookup_fully_qualified):
            return classes.prepare_class
        return None

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        """`@multisync` over `@classmethod` / `@staticmethod`."""
        if fullname == names.MULTISYNC_DECORATOR:
            return decorators.multisync_method_type
        return None

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        """Calls through a pair keep the checks of the plain method."""
        if fullname == names.BOUND_MULTISYNC_CALL:
            return redispatch.sync_call
        if fullname == names.ASYNC_HALF_CALL:
            return redispatch.async_call
        return None

    def get_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        """`obj.save.a`, `obj.a.<relation>` and `obj.m_async`."""
        if fullname == names.MULTISYNC_FUNCTION_A:
            return pairs.async_half_of_method
        class_name, _, attribute = fullname.rpartition(".")
        if class_name == names.ASYNC_RELATIONS:
            return relations.relation_type
        return self._sibling_hook(class_name, attribute)

    def get_class_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        """`Cls.m_async`."""
        class_name, _, attribute = fullname.rpartition(".")
        return self._sibling_hook(class_name, attribute)

    def _sibling_hook(
        self, class_name: str, attribute: str
    ) -> Callable[[AttributeContext], Type] | None:
        if not attribute.endswith(names.ASYNC_SUFFIX):
            return None
        info = self._type_info(class_name)
        if info is not None and siblings.sibling_of(info, attribute) is not None:
            return siblings.async_sibling
        return None

    def _type_info(self, fullname: str) -> TypeInfo | None:
        symbol = self.lookup_fully_qualified(fullname)
        return symbol.node if symbol is not None and isinstance(symbol.node, TypeInfo) else None
