"""`manage.py ashell`: implemented in `multisync.django.commands.shell`."""

from multisync.django.commands.shell import Command

__all__ = ["Command"]
