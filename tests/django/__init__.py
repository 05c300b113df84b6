"""Tests of the Django layer."""
