"""REST API of one's own notifications: GET /api/v1/notifications/ (newest first, `?unread=1`
for the unread only), POST /api/v1/notifications/{id}/read/, POST .../read-all/. Someone
else's notification answers 404."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import services
from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at", "unread"]
        read_only_fields = fields

    def get_unread(self, obj) -> bool:
        return obj.read_at is None


UNREAD_VALUES = {"1": True, "true": True, "0": False, "false": False}
UNREAD = OpenApiParameter(
    "unread",
    {"type": "string", "enum": list(UNREAD_VALUES)},
    description="1 or true: only the unread notifications.",
)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        notifications = Notification.objects.of(self.request.user)
        if self.action == "list":
            unread = self.request.query_params.get("unread") or "false"
            if unread not in UNREAD_VALUES:
                raise exceptions.ValidationError({"unread": [_("Enter 1, true, 0 or false.")]})
            if UNREAD_VALUES[unread]:
                notifications = notifications.unread()
        return notifications

    @extend_schema(parameters=[UNREAD])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.mark_read(request.user, pk)
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        request=None,
        responses=inline_serializer("ReadAll", {"marked": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.mark_all_read(request.user)})
