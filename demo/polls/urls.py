"""The polls app's URLs."""

from __future__ import annotations

from django.urls import path, register_converter

from . import views
from .converters import PrimaryKeyConverter

register_converter(PrimaryKeyConverter, "pk")

app_name = "polls"

urlpatterns = [
    path("", views.index, name="index"),
    path("polls/<pk:question_id>/", views.detail, name="detail"),
    path("polls/<pk:question_id>/vote/", views.vote, name="vote"),
    path("polls/<pk:question_id>/suggest/", views.suggest, name="suggest"),
    path("polls/<pk:question_id>/results/", views.results, name="results"),
    path("choices/<pk:choice_id>/", views.choice_detail, name="choice"),
    path("top/", views.top_answers, name="top"),
    path("guard/", views.guard, name="guard"),
]
