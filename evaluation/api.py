"""REST API of evaluations, vetoes and department scores (api-contract.md)."""

from django.db.models import F
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import Role
from accounts.models import District
from accounts.scope import scope_of
from config.api import valid_data as _valid
from core.idempotency import IDEMPOTENCY, replay_or_run
from core.ids import MAX_ID
from core.periods import PERIOD_PATTERN
from dispatch.models import CheckIn

from . import scoring, services
from .filters import EvaluationFilter
from .models import DepartmentScore, Evaluation
from .serializers import (
    AdjustSerializer,
    ConfirmSerializer,
    EvaluateSerializer,
    EvaluationSerializer,
    ScoreSerializer,
    VetoReviewSerializer,
)


def _evaluations(user):
    return Evaluation.objects.visible_to(user).select_related(
        "department", "evaluated_by", "veto_reviewed_by"
    )


class CheckInEvaluationView(APIView):
    """`POST check-ins/{id}/evaluation/`: the street's committee evaluates a check-in of its
    resolved whistle (every check-in, overdue ones included); the veto needs the granted power."""

    @extend_schema(
        request=EvaluateSerializer, responses={201: EvaluationSerializer}, parameters=[IDEMPOTENCY]
    )
    def post(self, request, pk):
        check_in = get_object_or_404(
            CheckIn.objects.visible_to(request.user).select_related("whistle__street"), pk=pk
        )
        services.require_evaluator(request.user, check_in)

        def run():
            data = _valid(EvaluateSerializer, request)
            evaluation = services.evaluate(request.user, check_in, **data)
            return Response(
                EvaluationSerializer(_evaluations(request.user).get(pk=evaluation.pk)).data,
                status=status.HTTP_201_CREATED,
            )

        return replay_or_run(request, run)


class EvaluationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilter

    def get_queryset(self):
        return _evaluations(self.request.user).order_by("-evaluated_at", "-id")

    @extend_schema(request=VetoReviewSerializer, responses=EvaluationSerializer)
    @action(detail=True, methods=["post"], url_path="veto-review")
    def veto_review(self, request, pk=None):
        evaluation = self.get_object()
        services.require_reviewer(request.user, evaluation.street.district_id)
        data = _valid(VetoReviewSerializer, request)
        services.review_veto(request.user, evaluation, **data)
        return Response(EvaluationSerializer(self.get_queryset().get(pk=evaluation.pk)).data)


DISTRICT = OpenApiParameter(
    "district",
    OpenApiTypes.INT,
    description="The district (required for reviewers of several districts).",
)
PERIOD = OpenApiParameter(
    "period",
    {"type": "string", "pattern": PERIOD_PATTERN},
    description="YYYY-MM, YYYY-Qn or YYYY (default: this month).",
)


class ScoreViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Department scores (部门考核) per period, ranked; every component beside the score."""

    serializer_class = ScoreSerializer

    def get_queryset(self):
        return (
            DepartmentScore.objects.visible_to(self.request.user)
            .select_related("department")
            .annotate(final=Coalesce(F("adjusted_score"), F("score")))
            .order_by("-final", "department_id")
        )

    def _district(self, value):
        try:
            pk = int(value)
            if not 1 <= pk <= MAX_ID:
                raise ValueError
        except (TypeError, ValueError):
            raise exceptions.ValidationError({"district": [_("Enter a whole number.")]}) from None
        return get_object_or_404(District.objects.visible_to(self.request.user), pk=pk)

    def _period(self, value):
        code = value or scoring.periods_of(timezone.now())[0]
        if scoring.parse_period(code) is None:
            raise exceptions.ValidationError(
                {"period": [_("Write the period as YYYY-MM, YYYY-Qn or YYYY.")]}
            )
        return code

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        params = self.request.query_params
        queryset = queryset.filter(period=self._period(params.get("period")))
        if params.get("district"):
            queryset = queryset.filter(district=self._district(params["district"]))
        return queryset

    @extend_schema(parameters=[DISTRICT, PERIOD])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=AdjustSerializer, responses=ScoreSerializer)
    @action(detail=True, methods=["post"])
    def adjust(self, request, pk=None):
        score = self.get_object()
        services.require_reviewer(request.user, score.district_id)
        data = _valid(AdjustSerializer, request)
        services.adjust_score(request.user, score, **data)
        return Response(ScoreSerializer(self.get_queryset().get(pk=score.pk)).data)

    @extend_schema(
        request=ConfirmSerializer,
        responses={200: {"type": "object", "properties": {"confirmed": {"type": "integer"}}}},
    )
    @action(detail=False, methods=["post"])
    def confirm(self, request):
        """Confirm (lock) every score of the district for the period."""
        if Role.DISTRICT_REVIEWER not in scope_of(request.user).roles:
            raise exceptions.PermissionDenied(_("Only the district's reviewers confirm scores."))
        data = _valid(ConfirmSerializer, request)
        district, period = data["district"], data["period"]
        services.require_reviewer(request.user, district.pk)
        count = services.confirm_period(request.user, district, period)
        return Response({"confirmed": count})
