from django.urls import path

from . import views

app_name = "powers"
urlpatterns = [
    path("", views.index, name="index"),
    path("grants/", views.grants, name="grants"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant-revoke"),
    path("stations/<int:pk>/", views.station, name="station"),
    path("orders/", views.orders, name="orders"),
    path("orders/<int:pk>/", views.order, name="order"),
    path("matters/", views.matters, name="matters"),
    path("matters/new/", views.matter_new, name="matter-new"),
    path("matters/<int:pk>/", views.matter, name="matter"),
    path("opinions/<int:pk>/answer/", views.opinion_answer, name="opinion-answer"),
    path("agencies/<int:pk>/", views.agency, name="agency"),
    path("recommendations/", views.recommendations, name="recommendations"),
    path("recommendations/<int:pk>/", views.recommendation, name="recommendation"),
    path("officers/", views.officers, name="officers"),
    path("officers/<int:pk>/", views.officer, name="officer"),
    path("officers/<int:pk>/assess/", views.officer_assess, name="officer-assess"),
]
