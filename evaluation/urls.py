from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("whistles/<int:pk>/", views.whistle, name="whistle"),
    path("check-ins/<int:pk>/", views.evaluate, name="evaluate"),
    path("vetoes/", views.vetoes, name="vetoes"),
    path("evaluations/<int:pk>/veto-review/", views.veto_review, name="veto-review"),
    path("scores/", views.scores, name="scores"),
    path("scores/export/", views.scores_export, name="scores-export"),
    path("scores/confirm/", views.scores_confirm, name="scores-confirm"),
    path("scores/<int:pk>/", views.score, name="score"),
    path("scores/<int:pk>/adjust/", views.score_adjust, name="score-adjust"),
]
