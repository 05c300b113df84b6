"""The example async commands."""
