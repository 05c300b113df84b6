"""The polls app's URLs."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "polls"

urlpatterns = [
    path("", views.index, name="index"),
    path("polls/<int:question_id>/", views.detail, name="detail"),
    path("polls/<int:question_id>/vote/", views.vote, name="vote"),
    path("polls/<int:question_id>/suggest/", views.suggest, name="suggest"),
    path("polls/<int:question_id>/results/", views.results, name="results"),
    path("choices/<int:choice_id>/", views.choice_detail, name="choice"),
    path("top/", views.top_answers, name="top"),
    path("guard/", views.guard, name="guard"),
]
