"""One FilterSet per list, shared by the HTML pages and the API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import Department, District, Street
from .scope import scope_of


def _visible_streets(request):
    return Street.objects.visible_to(request.user) if request else Street.objects.none()


def _visible_districts(request):
    return District.objects.visible_to(request.user) if request else District.objects.none()


class VisibleStreetField(forms.ModelChoiceField):
    """A street the person sees (Street.visible_to), by id. The person's own streets (where
    they hold a street role) are known without a query: a street official filtering by their
    street costs the list nothing more."""

    def __init__(self, *args, person=None, **kwargs):
        self.person = person
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value not in self.empty_values and self.person is not None:
            key = str(value).strip()
            if key.isascii() and key.isdigit() and int(key) in scope_of(self.person).street_ids:
                return Street(pk=int(key))
        return super().to_python(value)


@extend_schema_field(OpenApiTypes.INT)
class VisibleStreetFilter(django_filters.ModelChoiceFilter):
    """Every list's filter by street, on the pages and in the API alike: a street outside the
    person's scope is "not a valid choice" (the API: 400 naming the parameter; a page: the
    same error on its form, core.filters.filtered)."""

    field_class = VisibleStreetField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", _visible_streets)
        kwargs.setdefault("label", _("Street or township"))
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        request = self.get_request()
        self.extra["person"] = getattr(request, "user", None)
        return super().field


class StreetFilter(django_filters.FilterSet):
    district = django_filters.ModelChoiceFilter(queryset=_visible_districts)

    class Meta:
        model = Street
        fields = ["district", "kind"]


class DepartmentFilter(django_filters.FilterSet):
    # A street outside the caller's scope is "not a valid choice": 400 naming `street`.
    street = VisibleStreetFilter(method="filter_street")
    district = django_filters.ModelChoiceFilter(queryset=_visible_districts)

    class Meta:
        model = Department
        fields = ["street", "district", "kind"]

    def filter_street(self, queryset, name, street):
        return queryset.stationed_in(street) if street else queryset


def _visible_offices(request):
    from .offices import visible_offices

    if not request:
        return Street.objects.none()
    return visible_offices(request.user).select_related("street").order_by("street_id", "position")


class OfficeField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.street.name} · {obj.name}"


@extend_schema_field(OpenApiTypes.INT)
class OfficeFilter(django_filters.ModelChoiceFilter):
    """Filter by the street's office (六办一队三中心) on the whistles, the 12345 requests and the
    front-line reports: an office of a street outside the person's sight is "not a valid
    choice" (the API: 400 naming `office`)."""

    field_class = OfficeField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", _visible_offices)
        kwargs.setdefault("label", _("Office"))
        kwargs.setdefault("empty_label", _("Every office"))
        super().__init__(*args, **kwargs)
