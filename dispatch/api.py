"""REST API of whistles and check-ins (api-contract.md). Querysets are restricted to the
caller's scope before lookup (outside: 404); services decide who may act (in scope, not yours:
403) and what the state allows (409)."""

from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import mixins, status, viewsets
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
from whistle import services as whistle_services
from whistle.choices import KIND_CATEGORIES, Category, WhistleKind
from whistle.models import Event, Whistle, WhistlePhoto

from . import duties, services
from .filters import CheckInFilter, WhistleFilter
from .models import CheckIn
from .serializers import (
    AcknowledgeSerializer,
    ArriveSerializer,
    BlowWhistleSerializer,
    CancelSerializer,
    CheckInSerializer,
    PhotoSerializer,
    PhotoUploadSerializer,
    ResolveSerializer,
    SummonSerializer,
    WhistleKindSerializer,
    WhistleSerializer,
)


class WhistleKindsView(APIView):
    @extend_schema(responses=WhistleKindSerializer(many=True))
    def get(self, request):
        labels = dict(Category.choices)
        return Response(
            [
                {
                    "code": kind.value,
                    "name": str(kind.label),
                    "categories": [
                        {"code": c, "name": str(labels[c])} for c in KIND_CATEGORIES[kind]
                    ],
                }
                for kind in WhistleKind
            ]
        )


class WhistleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = WhistleSerializer
    filterset_class = WhistleFilter

    def get_queryset(self):
        return (
            Whistle.objects.visible_to(self.request.user)
            .select_related("street", "blown_by")
            .prefetch_related(
                Prefetch("check_ins", queryset=CheckIn.objects.select_related("department")),
                Prefetch("events", queryset=Event.objects.select_related("actor")),
                "photos",
            )
        )

    def _answer(self, whistle, code=status.HTTP_200_OK):
        whistle = self.get_queryset().get(pk=whistle.pk)
        return Response(
            WhistleSerializer(whistle, context={"request": self.request}).data, status=code
        )

    @extend_schema(
        request=BlowWhistleSerializer, responses={201: WhistleSerializer}, parameters=[IDEMPOTENCY]
    )
    def create(self, request):
        def run():
            data = _valid(BlowWhistleSerializer, request)
            item = item_by_id(data.pop("duty_item", None))
            with transaction.atomic():
                whistle = services.blow_whistle(request.user, **data)
                if item is not None:  # 街道职责清单
                    duties.cite_on_whistle(request.user, whistle, item)
            return self._answer(whistle, status.HTTP_201_CREATED)

        return replay_or_run(request, run)

    @extend_schema(
        request=SummonSerializer, responses={201: WhistleSerializer}, parameters=[IDEMPOTENCY]
    )
    @action(detail=True, methods=["post"])
    def summon(self, request, pk=None):
        whistle = self.get_object()
        services.require_coordinate(request.user, whistle)

        def run():
            data = _valid(SummonSerializer, request)
            services.summon(request.user, whistle, data["departments"])
            return self._answer(whistle, status.HTTP_201_CREATED)

        return replay_or_run(request, run)

    @extend_schema(request=ResolveSerializer, responses=WhistleSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        whistle = self.get_object()
        services.require_street(request.user, whistle)
        data = _valid(ResolveSerializer, request)
        return self._answer(services.resolve(request.user, whistle, summary=data["summary"]))

    @extend_schema(request=CancelSerializer, responses=WhistleSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        whistle = self.get_object()
        services.require_street(request.user, whistle)
        data = _valid(CancelSerializer, request)
        return self._answer(services.cancel(request.user, whistle, reason=data["reason"]))

    @extend_schema(request=None, responses=WhistleSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._answer(services.close(request.user, self.get_object()))

    @extend_schema(request=AssignOfficeSerializer, responses=WhistleSerializer)
    @action(detail=True, methods=["post"])
    def office(self, request, pk=None):
        """Give the whistle to an office of its street (六办一队三中心); null: to none."""
        whistle = self.get_object()
        services.require_street(request.user, whistle)
        data = _valid(AssignOfficeSerializer, request)
        return self._answer(services.assign_office(request.user, whistle, data["office"]))

    @extend_schema(request=CiteDutyItemSerializer, responses=WhistleSerializer)
    @action(detail=True, methods=["post"], url_path="duty-item")
    def duty_item(self, request, pk=None):
        """Cite the item of the street's duty list the whistle answers; null: none."""
        whistle = self.get_object()
        services.require_street(request.user, whistle)
        data = _valid(CiteDutyItemSerializer, request)
        item = item_by_id(data["duty_item"])
        return self._answer(duties.cite_on_whistle(request.user, whistle, item))

    @extend_schema(request=PhotoUploadSerializer, responses={201: PhotoSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photos(self, request, pk=None):
        whistle = self.get_object()
        services.require_street(request.user, whistle)
        data = _valid(PhotoUploadSerializer, request)
        photo = whistle_services.add_photo(whistle, data["file"], request.user)
        return Response(PhotoSerializer(photo).data, status=status.HTTP_201_CREATED)


class WhistlePhotoFileView(APIView):
    """The photo's bytes, for whoever may see the whistle (never a public media URL)."""

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    def get(self, request, whistle_pk, pk):
        whistle = get_object_or_404(Whistle.objects.visible_to(request.user), pk=whistle_pk)
        photo = get_object_or_404(WhistlePhoto, whistle=whistle, pk=pk)
        return private_image(photo.image, photo.content_type)


class CheckInViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CheckInSerializer
    filterset_class = CheckInFilter

    def get_queryset(self):
        return CheckIn.objects.visible_to(self.request.user).select_related(
            "department", "whistle__street"
        )

    def _answer(self, check_in):
        check_in = self.get_queryset().get(pk=check_in.pk)
        return Response(CheckInSerializer(check_in).data)

    @extend_schema(request=AcknowledgeSerializer, responses=CheckInSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        check_in = self.get_object()
        services.require_department(request.user, check_in)
        data = _valid(AcknowledgeSerializer, request)
        return self._answer(services.acknowledge(request.user, check_in, **data))

    @extend_schema(request=ArriveSerializer, responses=CheckInSerializer)
    @action(detail=True, methods=["post"])
    def arrive(self, request, pk=None):
        check_in = self.get_object()
        services.require_department(request.user, check_in)
        data = _valid(ArriveSerializer, request)
        return self._answer(services.arrive(request.user, check_in, **data))

    @extend_schema(request=None, responses=CheckInSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        return self._answer(services.leave(request.user, self.get_object()))
