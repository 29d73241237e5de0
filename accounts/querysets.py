"""Reused reads of the organisation: each list is restricted to the caller's scope first."""

from django.db import models

from .scope import scope_of


class DistrictQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = scope_of(user)
        if scope.everything:
            return self
        return self.filter(id__in=scope.home_district_ids)


class StreetQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The streets of every district the person works in."""
        scope = scope_of(user)
        if scope.everything:
            return self
        return self.filter(district_id__in=scope.home_district_ids)


class DepartmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The departments of every district the person works in, and city departments."""
        scope = scope_of(user)
        if scope.everything:
            return self
        if not (scope.home_district_ids or scope.department_ids):
            return self.none()
        return self.filter(
            models.Q(district_id__in=scope.home_district_ids)
            | models.Q(district=None)
            | models.Q(id__in=scope.department_ids)  # a city department's own dispatcher
        )

    def summonable_by(self, user, street):
        """The departments `user` may summon to a whistle in `street`: those stationed there
        on whose station the user holds the power to coordinate (统筹协调和督办权), which a
        street's party committee members get when the street is granted it."""
        from .choices import Power, Role
        from .grants import with_power
        from .models import Station

        if not scope_of(user).has_role(Role.COMMITTEE_MEMBER, street.pk):
            return self.none()
        stations = with_power(user, Power.COORDINATE_DEPARTMENTS, Station.objects.all())
        return self.stationed_in(street, stations=stations)

    def stationed_in(self, street, stations=None):
        """The departments with a station in the street (optionally only those stations), with
        the station's mode and duty contact (a department has at most one station per street)."""
        condition = {"stations__street": street}
        if stations is not None:  # in the same filter(): the same join as the annotations
            condition["stations__in"] = stations.values("pk")
        return self.filter(**condition).annotate(
            mode=models.F("stations__mode"),
            station_id=models.F("stations__id"),
            duty_contact=models.F("stations__duty_contact"),
            duty_phone=models.F("stations__duty_phone"),
        )


class StreetUnitQuerySet(models.QuerySet):
    """Stations, dispatched agencies and stationed officers: seen as their street is (the
    streets of every district the person works in), and by their own department."""

    def visible_to(self, user):
        scope = scope_of(user)
        if scope.everything:
            return self
        return self.filter(
            models.Q(street__district_id__in=scope.home_district_ids)
            | models.Q(department_id__in=scope.department_ids)
        )

    def with_powers_of(self, user, *powers):
        """Annotate `has_<power>` (bool) for each power: one subquery each, no per-row query."""
        from .grants import with_power

        return self.annotate(
            **{
                f"has_{p}": models.Exists(
                    with_power(user, p, self.model.objects.all()).filter(pk=models.OuterRef("pk"))
                )
                for p in powers
            }
        )


class PowerGrantQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A street's grants: seen by its district's and its own people, and the city."""
        scope = scope_of(user)
        if scope.everything:
            return self
        return self.filter(
            models.Q(street__district_id__in=scope.district_ids)
            | models.Q(street_id__in=scope.street_ids)
        )
