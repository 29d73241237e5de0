from django.urls import path

from . import views_campaigns
from .views import agencies, grants, hub, matters, officers, orders, stations

app_name = "powers"
urlpatterns = [
    path("", hub.index, name="index"),
    path("grants/", grants.grants, name="grants"),
    path("grants/<int:pk>/revoke/", grants.grant_revoke, name="grant-revoke"),
    path("stations/<int:pk>/", stations.station, name="station"),
    path("orders/", orders.orders, name="orders"),
    path("orders/<int:pk>/", orders.order, name="order"),
    path("matters/", matters.matters, name="matters"),
    path("matters/new/", matters.matter_new, name="matter-new"),
    path("matters/<int:pk>/", matters.matter, name="matter"),
    path("opinions/<int:pk>/answer/", matters.opinion_answer, name="opinion-answer"),
    path("agencies/<int:pk>/", agencies.agency, name="agency"),
    path("recommendations/", agencies.recommendations, name="recommendations"),
    path("recommendations/<int:pk>/", agencies.recommendation, name="recommendation"),
    path("officers/", officers.officers, name="officers"),
    path("officers/<int:pk>/", officers.officer, name="officer"),
    path("officers/<int:pk>/assess/", officers.officer_assess, name="officer-assess"),
    path("campaigns/", views_campaigns.campaigns, name="campaigns"),
    path("campaigns/new/", views_campaigns.campaign_new, name="campaign-new"),
    path("campaigns/<int:pk>/", views_campaigns.campaign, name="campaign"),
    path("campaigns/<int:pk>/edit/", views_campaigns.campaign_edit, name="campaign-edit"),
]
