"""The plugin's error codes: `# type: ignore[multisync-relation]` silences one of them.

Both are sub-codes of `attr-defined`, so an `attr-defined` ignore covers them too
(mypy's `--strict` then asks for the narrower code).
"""

from __future__ import annotations

from typing import Final

from mypy import errorcodes as codes

__all__ = ["MULTISYNC_FIELD", "MULTISYNC_RELATION"]

MULTISYNC_RELATION: Final = codes.ErrorCode(
    "multisync-relation",
    "Check that a name read under `obj.a` is a relation of the model",
    "multisync",
    sub_code_of=codes.ATTR_DEFINED,
)
MULTISYNC_FIELD: Final = codes.ErrorCode(
    "multisync-field",
    "Check that a name read under `obj.a` is a relation, not a plain field",
    "multisync",
    sub_code_of=codes.ATTR_DEFINED,
)
