"""The API's JSON parser (a module of its own: DRF imports it while rest_framework.views is
still being imported, so it must not import that module)."""

import json
import math

from django.conf import settings
from rest_framework import exceptions
from rest_framework.parsers import JSONParser


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400: no field holds it, and int() of it overflows
        raise ValueError(f"number out of range: {text[:40]}")
    return value


class StrictJSONParser(JSONParser):
    """JSON bodies, refusing with a 400 what would otherwise reach a field as a 500: numbers
    beyond a float (1e400 is infinity) and nesting deeper than Python's recursion allows."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(
                stream.read().decode(encoding), parse_float=_finite, parse_constant=_refuse
            )
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply") from None
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None


def _refuse(name: str):
    raise ValueError(f"{name} is not valid JSON")
