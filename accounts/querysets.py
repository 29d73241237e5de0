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
        """The departments `user` may summon to a whistle in `street`: for now, those stationed
        in the street, for its officials (the powers issue narrows it to granted committees)."""
        from .choices import Role

        scope = scope_of(user)
        if not (
            scope.has_role(Role.STREET_OFFICIAL, street.pk)
            or scope.has_role(Role.COMMITTEE_MEMBER, street.pk)
        ):
            return self.none()
        return self.stationed_in(street)

    def stationed_in(self, street):
        """The departments with a station in the street, with the station's mode and duty
        contact (a department has at most one station per street)."""
        return self.filter(stations__street=street).annotate(
            mode=models.F("stations__mode"),
            station_id=models.F("stations__id"),
            duty_contact=models.F("stations__duty_contact"),
            duty_phone=models.F("stations__duty_phone"),
        )
