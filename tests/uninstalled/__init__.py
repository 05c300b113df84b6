"""A project that uses multisync.django without installing the app (multisync.E001)."""
