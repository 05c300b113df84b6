"""The demo's URLs: everything belongs to the polls app."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [path("", include("demo.polls.urls"))]
