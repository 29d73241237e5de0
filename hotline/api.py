"""REST API of the 12345 requests (docs/hotline.md). Open311 GeoReport v2 is hotline/open311.py."""

import re
from datetime import date

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_offices import AssignOfficeSerializer
from accounts.duties import item_by_id
from accounts.duty_api import CiteDutyItemSerializer
from config.api import valid_data as _valid
from core.idempotency import IDEMPOTENCY, replay_or_run
from core.photos import private_image
from dispatch.serializers import PhotoUploadSerializer, WhistleSerializer

from . import rates, services
from .choices import RequestStatus
from .duties import cite_on_request
from .filters import RequestFilter
from .models import RequestCategory, ServiceRequest
from .serializers import (
    CallBackInputSerializer,
    CallBackSerializer,
    CategorySerializer,
    DispatchSerializer,
    NoteSerializer,
    RatesSerializer,
    RequestDetailSerializer,
    RequestPhotoSerializer,
    RequestReplySerializer,
    RequestSerializer,
    ReturnSerializer,
    TakeSerializer,
)


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CategorySerializer
    queryset = RequestCategory.objects.filter(active=True).order_by("id")


class RequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """12345 requests: the city's operators see all, a street those dispatched to it, a
    district those of its streets. Lists mask the citizen's contact; the detail shows it to
    those who handle the request."""

    filterset_class = RequestFilter  # the list page's too

    def get_queryset(self):
        return (
            ServiceRequest.objects.visible_to(self.request.user)
            .select_related("category", "street")
            .order_by("-received_at", "-id")
        )

    def get_serializer_class(self):
        return RequestDetailSerializer if self.action != "list" else RequestSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "full_contact": self.action != "list"}

    def _answer(self, obj, code=status.HTTP_200_OK):
        obj = self.get_queryset().prefetch_related("callbacks", "photos").get(pk=obj.pk)
        return Response(
            RequestDetailSerializer(
                obj, context=self.get_serializer_context() | {"full_contact": True}
            ).data,
            status=code,
        )

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_queryset().prefetch_related("callbacks", "photos")
        obj = get_object_or_404(obj, pk=kwargs["pk"])
        return Response(RequestDetailSerializer(obj, context=self.get_serializer_context()).data)

    @extend_schema(
        request=TakeSerializer, responses={201: RequestDetailSerializer}, parameters=[IDEMPOTENCY]
    )
    def create(self, request):
        services.require_operator(request.user)

        def run():
            data = _valid(TakeSerializer, request)
            obj = services.take_request(request.user, **data)
            return self._answer(obj, status.HTTP_201_CREATED)

        return replay_or_run(request, run)

    @extend_schema(request=DispatchSerializer, responses=RequestDetailSerializer)
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_to(self, request, pk=None):  # not `dispatch`: that is APIView's own
        obj = self.get_object()
        services.require_operator(request.user)
        data = _valid(DispatchSerializer, request)
        return self._answer(services.dispatch_request(request.user, obj, data["street"]))

    @extend_schema(request=None, responses=RequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        obj = self.get_object()
        return self._answer(services.accept(request.user, obj))

    @extend_schema(request=AssignOfficeSerializer, responses=RequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def office(self, request, pk=None):
        """Give the request to an office of its street (六办一队三中心); null: to none."""
        obj = self.get_object()
        services.require_street(request.user, obj)
        data = _valid(AssignOfficeSerializer, request)
        return self._answer(services.assign_office(request.user, obj, data["office"]))

    @extend_schema(request=CiteDutyItemSerializer, responses=RequestDetailSerializer)
    @action(detail=True, methods=["post"], url_path="duty-item")
    def duty_item(self, request, pk=None):
        """Cite the item of the street's duty list the request answers; null: none."""
        obj = self.get_object()
        services.require_street(request.user, obj)
        data = _valid(CiteDutyItemSerializer, request)
        item = item_by_id(data["duty_item"])
        return self._answer(cite_on_request(request.user, obj, item))

    @extend_schema(request=NoteSerializer, responses=RequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def contact(self, request, pk=None):
        obj = self.get_object()
        services.require_street(request.user, obj)
        data = _valid(NoteSerializer, request)
        return self._answer(services.contact(request.user, obj, note=data["note"]))

    @extend_schema(request=RequestReplySerializer, responses=RequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        obj = self.get_object()
        services.require_street(request.user, obj)
        data = _valid(RequestReplySerializer, request)
        return self._answer(services.reply(request.user, obj, reply=data["reply"]))

    @extend_schema(request=ReturnSerializer, responses=RequestDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        obj = self.get_object()
        services.require_street(request.user, obj)
        data = _valid(ReturnSerializer, request)
        return self._answer(services.return_request(request.user, obj, reason=data["reason"]))

    @extend_schema(request=CallBackInputSerializer, responses={201: CallBackSerializer})
    @action(detail=True, methods=["post"])
    def callbacks(self, request, pk=None):
        obj = self.get_object()
        services.require_operator(request.user)
        data = _valid(CallBackInputSerializer, request)
        callback = services.call_back(request.user, obj, **data)
        return Response(CallBackSerializer(callback).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PhotoUploadSerializer, responses={201: RequestPhotoSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photos(self, request, pk=None):
        """A photo of the request (the 12345 centre or the street handling it)."""
        obj = self.get_object()
        if not services.may_add_photo(request.user, obj):
            raise exceptions.PermissionDenied(
                _("Only those who handle the request add photos to it.")
            )
        data = _valid(PhotoUploadSerializer, request)
        photo = services.add_photo(request.user, obj, data["file"])
        return Response(RequestPhotoSerializer(photo).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: WhistleSerializer})
    @action(detail=True, methods=["post"])
    def whistle(self, request, pk=None):
        """Blow a whistle for the request (the street holding the power to summon)."""
        from dispatch.serializers import BlowWhistleSerializer

        obj = self.get_object()
        services.require_street(request.user, obj)
        body = {**request.data, "street": obj.street_id}
        if "location" not in body:
            body["location"] = obj.address or obj.street.name
        serializer = BlowWhistleSerializer(data=body, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k != "street"}
        whistle = services.blow_from_request(request.user, obj, **data)
        return Response(WhistleSerializer(whistle, context={"request": request}).data, status=201)

    @extend_schema(
        parameters=[
            OpenApiParameter("address", OpenApiTypes.STR),
            OpenApiParameter("community", OpenApiTypes.INT),
        ],
        responses={
            200: {
                "type": "object",
                "properties": {
                    "street": {"type": "integer", "nullable": True},
                    "street_name": {"type": "string"},
                },
            }
        },
    )
    @action(detail=False, methods=["get"], url_path="suggest-street", url_name="suggest-street")
    def suggest_street(self, request):
        """The street suggested for an address or a community (the operator confirms)."""
        from accounts.models import Community

        community = None
        raw = request.query_params.get("community")
        if raw:
            if not re.fullmatch(r"[0-9]{1,18}", raw):
                raise exceptions.ValidationError({"community": [_("Enter a whole number.")]})
            community = Community.objects.filter(pk=int(raw)).select_related("street").first()
            if community is None:
                raise exceptions.ValidationError({"community": [_("Unknown community.")]})
        address = request.query_params.get("address", "")
        if "\x00" in address:
            raise exceptions.ValidationError(
                {"address": [_("This text contains a character that cannot be stored.")]}
            )
        street = services.suggest_street(address, community)
        return Response(
            {"street": street.pk if street else None, "street_name": street.name if street else ""}
        )


class RequestPhotoFileView(APIView):
    """A request's photo, for whoever sees the request (never a public media URL)."""

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    def get(self, request, request_pk, pk):
        from .models import RequestPhoto

        owner = get_object_or_404(ServiceRequest.objects.visible_to(request.user), pk=request_pk)
        photo = get_object_or_404(RequestPhoto, request=owner, pk=pk)
        return private_image(photo.image, photo.content_type)


# A month (YYYY-MM) or a day (YYYY-MM-DD) of the years 2000-2999, days that exist only: the
# schema documents exactly what is accepted (February 29th in leap years alone).
_MONTH_DAY = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
_LEAP_YEAR = r"(?:2[0-9](?:0[48]|[2468][048]|[13579][26])|2[048]00)"
PERIOD = rf"^(?:2[0-9]{{3}}-(?:0[1-9]|1[0-2])|2[0-9]{{3}}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)$"
PERIOD_RE = re.compile(PERIOD, re.ASCII)


class RatesTableSerializer(serializers.Serializer):
    period = serializers.CharField()
    top = RatesSerializer(
        many=True, required=False, help_text="A day only: the top 10 streets by volume."
    )
    results = RatesSerializer(many=True)


class RatesView(APIView):
    """`GET hotline-rates/?period=YYYY-MM` (the monthly ranking with categories) or
    `?period=YYYY-MM-DD` (the day: every street's rates; `top` = the top 10 by volume)."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period",
                {"type": "string", "pattern": PERIOD},
                description="YYYY-MM or YYYY-MM-DD (default: this month)",
            )
        ],
        responses=RatesTableSerializer,
    )
    def get(self, request):
        raw = request.query_params.get("period") or timezone.localdate().strftime("%Y-%m")
        if not PERIOD_RE.match(raw):
            raise exceptions.ValidationError(
                {"period": [_("Write the period as YYYY-MM or YYYY-MM-DD.")]}
            )
        year, month, *day = (int(part) for part in raw.split("-"))
        if day:
            table = rates.daily(date(year, month, day[0]))
            return Response(
                {
                    "period": raw,
                    "top": RatesSerializer(table["top"], many=True).data,
                    "results": RatesSerializer(table["streets"], many=True).data,
                }
            )
        table = rates.monthly(year, month)
        return Response(
            {"period": raw, "results": RatesSerializer(table["streets"], many=True).data}
        )


OPEN = [
    s.value
    for s in (
        RequestStatus.NEW,
        RequestStatus.DISPATCHED,
        RequestStatus.ACCEPTED,
        RequestStatus.RETURNED,
    )
]
