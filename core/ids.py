"""Database ids as the API and the pages take them: whole numbers from 1 to MAX_ID, and ids
looked up among the objects the caller may use."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MAX_ID = 2**63 - 1  # a larger id is not an id: 400, never an overflow in the database driver


@extend_schema_field(OpenApiTypes.INT)
class ScopedId(serializers.PrimaryKeyRelatedField):
    """An id looked up in `scoped(request)`: anything else is "does not exist" (400). The
    schema says an integer (the queryset depends on the caller)."""

    def __init__(self, scoped, **kwargs):
        self.scoped = scoped
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scoped(self.context["request"])

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            value = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= value <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(value)
