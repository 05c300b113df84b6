"""Django looks for the `multisync` app's management commands here."""
