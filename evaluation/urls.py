from django.urls import path

from .views import score, scores, vetoes, whistles

app_name = "evaluation"
urlpatterns = [
    path("whistles/<int:pk>/", whistles.whistle, name="whistle"),
    path("check-ins/<int:pk>/", whistles.evaluate, name="evaluate"),
    path("vetoes/", vetoes.vetoes, name="vetoes"),
    path("evaluations/<int:pk>/veto-review/", vetoes.veto_review, name="veto-review"),
    path("scores/", scores.scores, name="scores"),
    path("scores/export/", scores.scores_export, name="scores-export"),
    path("scores/confirm/", scores.scores_confirm, name="scores-confirm"),
    path("scores/<int:pk>/", score.score, name="score"),
    path("scores/<int:pk>/adjust/", score.score_adjust, name="score-adjust"),
]
