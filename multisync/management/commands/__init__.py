"""The `multisync` app's management commands: thin modules over `multisync.django.commands`."""
