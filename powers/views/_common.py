"""What the powers' pages share: the querysets in the person's scope, open-first ordering,
paging and filtering, and who administers or publishes for which districts."""

from django.core.paginator import Paginator
from django.db.models import F, Prefetch

from accounts.choices import Role
from accounts.models import District, Street
from accounts.scope import scope_of

from ..models import MajorMatter, PersonnelRecommendation, SupervisionOrder

PAGE_SIZE = 20
HUB_ROWS = 10


def _orders(user):
    return SupervisionOrder.objects.visible_to(user).select_related(
        "street", "department", "station", "issued_by", "answered_by"
    )


def _recommendations(user):
    return PersonnelRecommendation.objects.visible_to(user).select_related(
        "street", "department", "agency", "recommended_by", "answered_by"
    )


def _matters(user):
    return (
        MajorMatter.objects.visible_to(user)
        .select_related("district", "published_by")
        .prefetch_related(Prefetch("streets", queryset=Street.objects.order_by("id")))
    )


def _open_first(queryset):
    """Unanswered first (overdue before the others), then the nearest deadline."""
    return queryset.order_by(
        F("answered_at").asc(nulls_first=True),
        F("overdue_at").asc(nulls_last=True),
        "deadline",
        "-id",
    )


def _page(request, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _roles_units(user, *roles):
    scope = scope_of(user)
    return sorted({unit for role, unit in scope.role_units if role in roles})


def _admin_districts(user):
    """The districts whose streets the person grants powers to and publishes matters for."""
    if user.is_superuser:
        return list(District.objects.order_by("id"))
    return list(District.objects.filter(pk__in=_roles_units(user, Role.DISTRICT_ADMIN)))


def _may_publish_somewhere(user) -> bool:
    """Publishes major matters for some district (or, a superuser, for the city)."""
    return user.is_superuser or scope_of(user).has_role(Role.DISTRICT_ADMIN)
