"""Reused reads of the front line: every list is restricted to the caller's scope first (an
object outside it answers 404)."""

from django.db import models
from django.db.models import Q

from .scope import frontline_of, office, sees_everything


class AlleyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The street's and the district's people; a chief their alleys; a steward the alleys
        they look after; community staff the alleys of their community."""
        if sees_everything(user):
            return self
        me = frontline_of(user)
        condition = office(user) | Q(pk__in=me.chief_alley_ids)
        condition |= Q(community_id__in=me.staff_community_ids)
        if me.steward_id:
            condition |= Q(adoptions__steward_id=me.steward_id, adoptions__end=None)
        return self.filter(condition).distinct() if me.steward_id else self.filter(condition)

    def with_chief_and_stewards(self):
        """`chief_id`, `chief_name`, `chief_username` (the open term) and `steward_count` (open
        adoptions), in the list's one query."""
        from .models import Adoption, AlleyChief

        chief = AlleyChief.objects.filter(alley=models.OuterRef("pk"), until=None)
        return self.annotate(
            chief_id=models.Subquery(chief.values("user_id")[:1]),
            chief_name=models.Subquery(chief.values("user__full_name")[:1]),
            chief_username=models.Subquery(chief.values("user__username")[:1]),
            steward_count=models.Subquery(
                Adoption.objects.filter(alley=models.OuterRef("pk"), end=None)
                .values("alley")
                .annotate(n=models.Count("pk"))
                .values("n")[:1],
                output_field=models.IntegerField(),
            ),
        )


class StewardQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The street's and the district's people; a chief the stewards of their alleys; a
        steward themselves."""
        if sees_everything(user):
            return self
        me = frontline_of(user)
        condition = office(user) | Q(pk=me.steward_id or 0)
        if me.chief_alley_ids:
            from .models import Adoption

            condition |= Q(
                pk__in=Adoption.objects.filter(alley_id__in=me.chief_alley_ids, end=None).values(
                    "steward_id"
                )
            )
        return self.filter(condition)


class AdoptionQuerySet(models.QuerySet):
    """Who looks after which alley: the street's and the district's people; the chief those of
    their alleys; community staff those of their community; a steward their own (not the other
    stewards of their alleys: they are citizens too)."""

    def visible_to(self, user):
        if sees_everything(user):
            return self
        me = frontline_of(user)
        condition = office(user, "alley__street") | Q(alley_id__in=me.chief_alley_ids)
        if me.staff_community_ids:
            condition |= Q(alley__community_id__in=me.staff_community_ids)
        if me.steward_id:
            condition |= Q(steward_id=me.steward_id)
        return self.filter(condition)


class FrontlineQuerySet(models.QuerySet):
    """Reports and patrols: the street's and the district's people; the chief those of the
    alleys they lead; community staff those of their community's alleys; a steward their own."""

    def visible_to(self, user):
        if sees_everything(user):
            return self
        me = frontline_of(user)
        condition = office(user) | Q(alley_id__in=me.chief_alley_ids)
        if me.staff_community_ids:
            condition |= Q(alley__community_id__in=me.staff_community_ids)
        if me.steward_id:
            condition |= Q(steward_id=me.steward_id)
        return self.filter(condition)


class CommunityScopedQuerySet(models.QuerySet):
    """Visits and tasks: the street's and the district's people, and the community's staff."""

    def visible_to(self, user):
        if sees_everything(user):
            return self
        me = frontline_of(user)
        return self.filter(
            office(user, "community__street") | Q(community_id__in=me.staff_community_ids)
        )


def communities_visible_to(user, queryset=None):
    """The communities whose front-line page the person sees."""
    from accounts.models import Community

    queryset = Community.objects.all() if queryset is None else queryset
    if sees_everything(user):
        return queryset
    me = frontline_of(user)
    return queryset.filter(office(user) | Q(pk__in=me.staff_community_ids))
