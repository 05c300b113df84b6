"""The mypy plugin for multisync.

Enable it next to django-stubs' plugin, in either order:

```toml
[tool.mypy]
plugins = ["mypy_django_plugin.main", "multisync.mypy"]
```

This is the only part of multisync that imports mypy.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from mypy.plugin import Plugin

__all__ = ["__version__", "plugin"]

# The mypy releases the plugin is tested with; it uses a few of mypy's internals.
SUPPORTED_MYPY: Final = ((2, 4),)


def _source_digest() -> str:
    """A digest of the plugin's modules.

    mypy invalidates its cache when a plugin's entry module or its `__version__`
    changes, and this package is split into modules: the digest makes any change to
    any of them a new version.
    """
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


__version__: Final = f"0.1.0+{_source_digest()}"


def plugin(version: str) -> type[Plugin]:
    """Return the plugin class for this mypy `version` (mypy's entry point)."""
    major_minor = tuple(int(part) for part in version.split("+", maxsplit=1)[0].split(".")[:2])
    if major_minor not in SUPPORTED_MYPY:
        supported = ", ".join(".".join(map(str, v)) for v in SUPPORTED_MYPY)
        msg = (
            f"multisync.mypy supports mypy {supported}, not {version}: install a "
            "supported mypy, or remove multisync.mypy from mypy's plugins."
        )
        raise RuntimeError(msg)
    from multisync.mypy.plugin import MultisyncPlugin  # only after the version check

    return MultisyncPlugin
