"""REST API of the organisation (api-contract.md): every queryset is restricted to the
caller's scope before lookup, so an object outside it answers 404."""

from django.contrib.auth import authenticate
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView

from .authentication import expired
from .filters import DepartmentFilter, StreetFilter
from .models import Department, District, Membership, Street, User
from .serializers import (
    DepartmentSerializer,
    DistrictSerializer,
    MeSerializer,
    StreetSerializer,
)


class _TokenSerializer(AuthTokenSerializer):
    """Django's `authenticate` with the request Django made (not DRF's wrapper), so that
    django-axes counts a failure and marks a lockout where its middleware sees it."""

    def validate(self, attrs):
        request = self.context["request"]
        user = authenticate(
            request=getattr(request, "_request", request),
            username=attrs.get("username"),
            password=attrs.get("password"),
        )
        if user is None:
            raise exceptions.ValidationError(
                _("Unable to sign in with these credentials."), code="authorization"
            )
        attrs["user"] = user
        return attrs


class TokenView(ObtainAuthToken):
    """`POST auth/token/` with username and password answers `{"token": "…"}`. Failed tries
    are counted by django-axes (per username and per address, then a cool-off); a right
    password is never throttled. A token lives API_TOKEN_HOURS, then a new one is issued."""

    serializer_class = _TokenSerializer

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        if expired(token):
            token.delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key})


class SignOutView(APIView):
    """`POST auth/logout/`: the token that signed this request dies (204)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if isinstance(request.auth, Token):
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


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
