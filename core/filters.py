"""Filters of the lists (pages and API alike) whose schema says exactly what they accept."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from .ids import MAX_ID


class StrictBooleanField(forms.Field):
    """`true` or `false` as the schema says (empty: no filter); anything else is a 400 naming
    the parameter (django-filter's own boolean takes any word as "no filter")."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "false"):
            return value == "true"
        raise forms.ValidationError(_("Enter true or false."), code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """A whole number that fits a database id (NumberFilter would take 1.5 or 10**20)."""

    field_class = forms.IntegerField


def filtered(filterset_class, request, queryset):
    """A list page's filter, as the API answers it: (filterset, rows). Valid (or no filter
    asked for): the filtered rows. Invalid, e.g. a street outside the person's scope, which
    the API answers 400 naming the parameter: the page shows the same error on its form and
    lists nothing (not the unfiltered list, which would pass for the filtered one)."""
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    if not filterset.is_bound:
        return filterset, queryset
    return filterset, (filterset.qs if filterset.is_valid() else queryset.none())
