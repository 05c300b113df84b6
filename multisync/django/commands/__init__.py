"""Management commands for async code: `AsyncBaseCommand`, and the `ashell` shell.

```py
from multisync.django.commands import AsyncBaseCommand
```

The `ashell` command itself is found by Django under `multisync/management/commands/`,
which only re-exports `multisync.django.commands.shell.Command`.
"""

from multisync.django.commands.base import AsyncBaseCommand

__all__ = ["AsyncBaseCommand"]
