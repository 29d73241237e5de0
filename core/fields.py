"""Serializer fields whose schema says exactly what they accept (tests/test_schema_conformance.py)."""

import decimal
import math
import re

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.fields import Field

# Decimal strings within the bounds of each kind of number, any number of decimals
SCORE = r"^(?:100(?:\.0+)?|[0-9]{1,2}(?:\.[0-9]+)?)$"  # 0-100
LATITUDE = r"^-?(?:90(?:\.0+)?|[0-8]?[0-9](?:\.[0-9]+)?)$"  # -90-90
LONGITUDE = r"^-?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[0-9]{1,2})(?:\.[0-9]+)?)$"  # -180-180


class BoundedDecimalField(serializers.DecimalField):
    """A decimal between min_value and max_value, as a JSON number or a decimal string matching
    `pattern`, rounded half up to decimal_places (85.55 is 85.6). Nothing else: no exponent,
    no NaN, no "" for null, no boolean."""

    def __init__(self, *, pattern: str, **kwargs):
        kwargs.setdefault("rounding", decimal.ROUND_HALF_UP)
        self.pattern = pattern
        self._pattern = re.compile(pattern, re.ASCII)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        return Field.validate_empty_values(self, data)  # only null is null

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        if isinstance(data, str) and not self._pattern.fullmatch(data):
            self.fail("invalid")
        if isinstance(data, float) and not math.isfinite(data):
            self.fail("invalid")
        value = decimal.Decimal(str(data))
        if value < self.min_value:
            self.fail("min_value", min_value=self.min_value)
        if value > self.max_value:
            self.fail("max_value", max_value=self.max_value)
        return self.quantize(value)


def _plain(value: decimal.Decimal) -> int | float:
    return int(value) if value == int(value) else float(value)


class BoundedDecimalExtension(OpenApiSerializerFieldExtension):
    target_class = BoundedDecimalField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        number = {
            "type": "number",
            "minimum": _plain(field.min_value),
            "maximum": _plain(field.max_value),
        }
        if direction == "response":  # answered as the decimal string DRF writes
            return {"type": "string", "format": "decimal"}
        return {
            "anyOf": [number, {"type": "string", "pattern": field.pattern}],
            "description": f"Rounded to {field.decimal_places} decimal places.",
        }
