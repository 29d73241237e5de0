from django.urls import path

from .views import cogovern, dual, home, places, reports

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
    path("reports/<int:pk>/office/", reports.report_office, name="report-office"),
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
    # 双报到: members (phone first), the community's and the street's pages, employer reports
    path("party/", dual.party_home, name="party"),
    path("party/record/", dual.my_record, name="my-record"),
    path("party/members/<int:pk>/", dual.member_record, name="member"),
    path("party/activities/<int:pk>/", dual.activity_detail, name="activity"),
    path("party/communities/<int:pk>/", dual.party_community, name="party-community"),
    path("party/streets/<int:pk>/", dual.party_street, name="party-street"),
    path("party/reports/", dual.employer_reports, name="employer-reports"),
    path("party/reports/<int:pk>/", dual.employer_report, name="employer-report"),
    path("party/reports/<int:pk>/xlsx/", dual.employer_report_xlsx, name="employer-report-xlsx"),
    # committees, the three lists, the two-ways
    path("committees/", cogovern.committees, name="committees"),
    path("committees/<int:pk>/", cogovern.committee_detail, name="committee"),
    path("committees/<int:pk>/lists/", cogovern.committee_lists, name="lists"),
    path("committees/<int:pk>/meetings/new/", cogovern.meeting_new, name="meeting-new"),
    path("meetings/<int:pk>/", cogovern.meeting_detail, name="meeting"),
    path("list-needs/<int:pk>/", cogovern.need_detail, name="need"),
    path("projects/<int:pk>/", cogovern.project_detail, name="project"),
]
