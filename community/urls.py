from django.urls import path

from .views import home, places, reports

app_name = "community"
urlpatterns = [
    path("", home.index, name="index"),
    path("report/", reports.report_new, name="report-new"),
    path("patrol/", reports.patrol_new, name="patrol-new"),
    path("queue/", reports.queue, name="queue"),
    path("queue/items/", reports.queue_items, name="queue-items"),
    path("reports/", reports.report_list, name="reports"),
    path("reports/<int:pk>/", reports.report_detail, name="report"),
    path("reports/<int:pk>/accept/", reports.report_accept, name="report-accept"),
    path("reports/<int:pk>/resolve/", reports.report_resolve, name="report-resolve"),
    path("reports/<int:pk>/whistle/", reports.report_whistle, name="report-whistle"),
    path("reports/<int:pk>/order/", reports.report_order, name="report-order"),
    path("reports/<int:pk>/photos/<int:photo_pk>/", reports.report_photo, name="report-photo"),
    path("streets/<int:pk>/", places.street_overview, name="street"),
    path("streets/<int:pk>/stewards/", places.stewards, name="stewards"),
    path("streets/<int:pk>/households/", places.households_import, name="households"),
    path("stewards/<int:pk>/", places.steward_detail, name="steward"),
    path("alleys/<int:pk>/", places.alley_detail, name="alley"),
    path("communities/<int:pk>/", places.community_detail, name="community"),
    path("districts/<int:pk>/", places.district_comparison, name="district"),
]
