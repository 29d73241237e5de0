"""Who hears of something, and telling them: the audiences every app's notices go to (as Q
conditions on users, to combine with `|`), the link of a notice, and `tell`.

The apps say what happened and to whom (their notify.py); the people behind a role of a unit
are looked up here alike for all of them."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from accounts.models import DepartmentLeader
from core.roles import Role

from .services import notify


def users(condition: Q):
    return get_user_model().objects.filter(condition)


def dispatchers(department_id) -> Q:
    return Q(memberships__role=Role.DEPARTMENT_DISPATCHER, memberships__department_id=department_id)


def committee(street_id) -> Q:
    return Q(memberships__role=Role.COMMITTEE_MEMBER, memberships__street_id=street_id)


def district_role(role, district_id) -> Q:
    return Q(memberships__role=role, memberships__district_id=district_id)


def leaders(department_id) -> Q:
    return Q(
        pk__in=DepartmentLeader.objects.filter(
            department_id=department_id, user__isnull=False
        ).values("user_id")
    )


def link(page: str, api: str, pk: int) -> str:
    try:
        return reverse(page, args=[pk])
    except NoReverseMatch:  # the pages are not installed: the API's view of it
        return reverse(api, args=[pk])


def tell(condition: Q, *, kind: str, compose, link: str, dedupe_key: str) -> None:
    """`compose()` gives (title, body), written in the platform's language."""
    with translation.override(settings.LANGUAGE_CODE):
        title, body = compose()
    notify(users(condition), kind=kind, title=title, body=body, link=link, dedupe_key=dedupe_key)
