"""REST API of the organisation (api-contract.md): every queryset is restricted to the
caller's scope before lookup, so an object outside it answers 404."""

from django.db.models import Prefetch
from rest_framework import generics, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import ScopedRateThrottle

from .filters import DepartmentFilter, StreetFilter
from .models import Department, District, Membership, Street, User
from .serializers import (
    DepartmentSerializer,
    DistrictSerializer,
    MeSerializer,
    StreetSerializer,
)


class TokenView(ObtainAuthToken):
    """`POST auth/token/` with username and password answers `{"token": "…"}`."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"


class MeView(generics.RetrieveAPIView):
    serializer_class = MeSerializer

    def get_object(self):
        memberships = Membership.objects.select_related("city", "district", "street", "department")
        return User.objects.prefetch_related(Prefetch("memberships", queryset=memberships)).get(
            pk=self.request.user.pk
        )


class DistrictViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DistrictSerializer

    def get_queryset(self):
        return District.objects.visible_to(self.request.user).order_by("id")


class StreetViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StreetSerializer
    filterset_class = StreetFilter

    def get_queryset(self):
        return (
            Street.objects.visible_to(self.request.user).select_related("district").order_by("id")
        )


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilter

    def get_queryset(self):
        return (
            Department.objects.visible_to(self.request.user)
            .select_related("district")
            .order_by("id")
        )
