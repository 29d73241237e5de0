from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularSwaggerSplitView

from accounts import api as accounts_api
from accounts import api_offices, duty_api
from accounts import views as accounts_views
from accounts.auth_views import SignInView
from community import api as community_api
from community import api_cogovern, api_dual
from dispatch import api as dispatch_api
from dispatch import api_duties as dispatch_api_duties
from evaluation import api as evaluation_api
from hotline import api as hotline_api
from notifications import api as notifications_api
from powers import api as powers_api
from powers import api_campaigns as powers_api_campaigns

from .api import Router
from .health import healthz
from .schema_view import SchemaView

router = Router()
router.register("districts", accounts_api.DistrictViewSet, basename="district")
router.register("streets", accounts_api.StreetViewSet, basename="street")
router.register("departments", accounts_api.DepartmentViewSet, basename="department")
router.register("offices", api_offices.OfficeViewSet, basename="office")
router.register("whistles", dispatch_api.WhistleViewSet, basename="whistle")
router.register("check-ins", dispatch_api.CheckInViewSet, basename="check-in")
router.register("notifications", notifications_api.NotificationViewSet, basename="notification")
router.register("stations", powers_api.StationViewSet, basename="station")
router.register("agencies", powers_api.AgencyViewSet, basename="agency")
router.register("officers", powers_api.OfficerViewSet, basename="officer")
router.register("power-grants", powers_api.PowerGrantViewSet, basename="power-grant")
router.register(
    "supervision-orders", powers_api.SupervisionOrderViewSet, basename="supervision-order"
)
router.register("major-matters", powers_api.MajorMatterViewSet, basename="major-matter")
router.register("campaigns", powers_api_campaigns.CampaignViewSet, basename="campaign")
router.register("opinions", powers_api.OpinionViewSet, basename="opinion")
router.register(
    "personnel-recommendations",
    powers_api.PersonnelRecommendationViewSet,
    basename="personnel-recommendation",
)
router.register("evaluations", evaluation_api.EvaluationViewSet, basename="evaluation")
router.register("scores", evaluation_api.ScoreViewSet, basename="score")
router.register("requests", hotline_api.RequestViewSet, basename="service-request")
router.register("request-categories", hotline_api.CategoryViewSet, basename="request-category")
router.register("officer-records", powers_api.OfficerRecordViewSet, basename="officer-record")
router.register(
    "officer-assessments", powers_api.OfficerAssessmentViewSet, basename="officer-assessment"
)
router.register("alleys", community_api.AlleyViewSet, basename="alley")
router.register("stewards", community_api.StewardViewSet, basename="steward")
router.register("adoptions", community_api.AdoptionViewSet, basename="adoption")
router.register(
    "frontline-reports", community_api.FrontlineReportViewSet, basename="frontline-report"
)
router.register("patrols", community_api.PatrolViewSet, basename="patrol")
router.register("community-staff", community_api.CommunityStaffViewSet, basename="community-staff")
router.register(
    "commissioner-tasks", community_api.CommissionerTaskViewSet, basename="commissioner-task"
)
router.register("household-counts", community_api.HouseholdCountViewSet, basename="household-count")
router.register("visits", community_api.VisitViewSet, basename="visit")
router.register("party-units", api_dual.PartyUnitViewSet, basename="party-unit")
router.register(
    "unit-registrations", api_dual.UnitRegistrationViewSet, basename="unit-registration"
)
router.register("party-members", api_dual.PartyMemberViewSet, basename="party-member")
router.register(
    "member-registrations", api_dual.MemberRegistrationViewSet, basename="member-registration"
)
router.register("culture-spaces", api_dual.CultureSpaceViewSet, basename="culture-space")
router.register("community-needs", api_dual.CommunityNeedViewSet, basename="community-need")
router.register("service-activities", api_dual.ServiceActivityViewSet, basename="service-activity")
router.register("sign-ups", api_dual.SignUpViewSet, basename="sign-up")
router.register("employer-reports", api_dual.EmployerReportViewSet, basename="employer-report")
router.register("committees", api_cogovern.CommitteeViewSet, basename="committee")
router.register(
    "committee-members", api_cogovern.CommitteeMemberViewSet, basename="committee-member"
)
router.register("duty-lists", duty_api.DutyListViewSet, basename="duty-list")
router.register("meetings", api_cogovern.MeetingViewSet, basename="meeting")
router.register("follow-ups", api_cogovern.FollowUpViewSet, basename="follow-up")
router.register("resources", api_cogovern.ResourceViewSet, basename="resource")
router.register("list-needs", api_cogovern.ListNeedViewSet, basename="list-need")
router.register("projects", api_cogovern.ProjectViewSet, basename="project")
router.register("exchanges", api_cogovern.ExchangeViewSet, basename="exchange")
router.register(
    "mutual-evaluations", api_cogovern.MutualEvaluationViewSet, basename="mutual-evaluation"
)

api_v1 = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="token"),
    path("auth/logout/", accounts_api.SignOutView.as_view(), name="sign-out"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("whistle-kinds/", dispatch_api.WhistleKindsView.as_view(), name="whistle-kinds"),
    path(
        "whistles/<int:whistle_pk>/photos/<int:pk>/",
        dispatch_api.WhistlePhotoFileView.as_view(),
        name="whistle-photo-file",
    ),
    path(
        "check-ins/<int:pk>/evaluation/",
        evaluation_api.CheckInEvaluationView.as_view(),
        name="check-in-evaluation",
    ),
    path("hotline-rates/", hotline_api.RatesView.as_view(), name="hotline-rates"),
    path("duty-items/", duty_api.StreetDutyItemsView.as_view(), name="duty-items"),
    path("duty-figures/", dispatch_api_duties.DutyFiguresView.as_view(), name="duty-figures"),
    path(
        "requests/<int:request_pk>/photos/<int:pk>/",
        hotline_api.RequestPhotoFileView.as_view(),
        name="request-photo-file",
    ),
    path(
        "frontline-reports/<int:report_pk>/photos/<int:pk>/",
        community_api.ReportPhotoFileView.as_view(),
        name="frontline-report-photo-file",
    ),
    path("frontline/me/", community_api.FrontlineMeView.as_view(), name="frontline-me"),
    path(
        "frontline/overview/",
        community_api.FrontlineOverviewView.as_view(),
        name="frontline-overview",
    ),
    path(
        "frontline/comparison/",
        community_api.FrontlineComparisonView.as_view(),
        name="frontline-comparison",
    ),
    *router.urls,
]

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", accounts_views.logout_view, name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("org/", include("accounts.urls")),
    path("", include("dispatch.urls")),
    path("notifications/", include("notifications.urls")),
    path("powers/", include("powers.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("hotline/", include("hotline.urls")),
    path("frontline/", include("community.urls")),
    path("open311/v2/", include("hotline.open311_urls")),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]

handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
