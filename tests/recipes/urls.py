"""The URLs of the recipes' views."""

from django.urls import path

from tests.recipes import permissions, views

urlpatterns = [
    path("members/", permissions.members),
    path("profile/", views.profile_bio),
    path("profile/sync/", views.profile_bio_sync),
]
