"""`GET duty-figures/`: the district's whistles by duty section and role, per street and
period (docs/duties.md)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import DutyRole
from core.periods import BEIJING, PERIOD_PATTERN, parse_period

from . import duties


class SectionFigureSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    whistles = serializers.IntegerField()


class RoleFigureSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=DutyRole.choices)
    whistles = serializers.IntegerField()


class LeadWhistleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    blown_at = serializers.DateTimeField()
    item_number = serializers.IntegerField()
    item_title = serializers.CharField()


class StreetFigureSerializer(serializers.Serializer):
    street = serializers.IntegerField(source="street.pk")
    street_name = serializers.CharField(source="street.name")
    district = serializers.IntegerField(source="street.district_id")
    whistles = serializers.IntegerField()
    uncited = serializers.IntegerField()
    sections = SectionFigureSerializer(many=True)
    roles = RoleFigureSerializer(many=True)
    lead_whistles = LeadWhistleSerializer(many=True)


class DutyFiguresSerializer(serializers.Serializer):
    period = serializers.CharField()
    results = StreetFigureSerializer(many=True)


def default_period() -> str:
    now = timezone.now().astimezone(BEIJING)
    return f"{now.year}-{now.month:02d}"


class DutyFiguresView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period",
                {"type": "string", "pattern": PERIOD_PATTERN},
                description="YYYY-MM, YYYY-Qn or YYYY (default: this month)",
            ),
            OpenApiParameter("district", int, required=False),
        ],
        responses=DutyFiguresSerializer,
    )
    def get(self, request):
        if not duties.may_see_figures(request.user):
            raise exceptions.PermissionDenied(_("The figures are for the district and the city."))
        code = request.query_params.get("period") or default_period()
        period = parse_period(code)
        if period is None:
            raise exceptions.ValidationError(
                {"period": [_("Write the period as YYYY-MM, YYYY-Qn or YYYY.")]}
            )
        raw = request.query_params.get("district", "")
        if raw and not raw.isdigit():
            raise exceptions.ValidationError({"district": [_("Give the district's id.")]})
        streets = duties.figure_streets(request.user, int(raw) if raw else None)
        rows = duties.figures(streets, period)
        return Response({"period": code, "results": StreetFigureSerializer(rows, many=True).data})
