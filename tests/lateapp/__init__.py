"""An app the suite installs only while a test runs, as Django's test runner does."""
