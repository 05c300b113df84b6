"""Tests of the Django-free core."""
