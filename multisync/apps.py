"""Lets Django find the app configuration for `INSTALLED_APPS = [..., "multisync"]`.

Only Django imports this module; `import multisync` does not.
"""

from multisync.django.apps import MultisyncConfig

__all__ = ["MultisyncConfig"]
