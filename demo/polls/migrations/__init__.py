"""The polls app's migrations."""
