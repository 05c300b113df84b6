"""The mypy plugin for multisync.

Enable it next to django-stubs' plugin, in either order:

```toml
[tool.mypy]
plugins = ["mypy_django_plugin.main", "multisync.mypy"]
```

This is the only part of multisync that imports mypy. It uses a few of mypy's
internals, so it supports the mypy releases in `SUPPORTED_MYPY` only. Under any other
release, importing it fails, and mypy reports that as one error on the `plugins` line
of its configuration (an exception from `plugin()` would be an internal error).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Final

import mypy.version

if TYPE_CHECKING:
    from mypy.plugin import Plugin

__all__ = ["__version__", "plugin"]

# The first and the last mypy minor release the plugin supports. CI runs the typing
# tests at both ends, each with its django-stubs (docs/guide/typing.md); the `mypy`
# extra in pyproject.toml says the same.
SUPPORTED_MYPY: Final = ((1, 19), (2, 4))


def _check_mypy_version(version: str) -> None:
    """Raise `ImportError`, with the line mypy shows, unless mypy `version` is supported."""
    first, last = SUPPORTED_MYPY
    found = re.match(r"(\d+)\.(\d+)", version)
    if found is None or not first <= (int(found[1]), int(found[2])) <= last:
        msg = (
            f"multisync.mypy supports mypy {_dotted(first)} to {_dotted(last)}, not "
            f"{version}: install a supported mypy, or remove multisync.mypy from mypy's plugins"
        )
        raise ImportError(msg)


def _dotted(release: tuple[int, int]) -> str:
    return ".".join(map(str, release))


_check_mypy_version(mypy.version.__version__)


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
    """Return the plugin class (mypy's entry point; the import checked `version`)."""
    del version  # the same as `mypy.version.__version__`, checked on import
    from multisync.mypy.plugin import MultisyncPlugin  # only after the version check

    return MultisyncPlugin
