"""The street's structure page (六办一队三中心): offices by kind with their lead and people;
the street's officials add and change them."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.forms import apply_service_errors
from core.roles import STREET_ROLES

from . import offices
from .choices import OfficeKind
from .models import Membership, Street, StreetOffice


class OfficeForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=OfficeKind.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=offices.NAME_LIMIT)
    lead = forms.TypedChoiceField(
        label=gettext_lazy("Led by"), required=False, coerce=int, empty_value=None
    )
    position = forms.IntegerField(
        label=gettext_lazy("Position"), min_value=0, max_value=offices.POSITION_LIMIT, initial=0
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].choices = [("", _("No lead"))] + [
            (u.pk, u.full_name or u.username) for u in people
        ]


def _people(street):
    seen = {}
    for m in Membership.objects.filter(street=street).select_related("user").order_by("user_id"):
        seen.setdefault(m.user_id, m.user)
    return list(seen.values())


@login_required
def street_offices(request, pk):
    street = get_object_or_404(
        Street.objects.visible_to(request.user).select_related("district"), pk=pk
    )
    may_edit = offices.acts_for_street(request.user, street.pk)
    form = None
    if may_edit:
        form = OfficeForm(request.POST or None, people=_people(street))
        if request.method == "POST" and form.is_valid():
            try:
                offices.add_office(request.user, street, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Office added."))
                return redirect("org:offices", pk=street.pk)
    elif request.method == "POST":
        offices.require_street(request.user, street.pk)  # 403
    units = list(
        street.offices.select_related("lead").prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("user").order_by("user_id"),
            )
        )
    )
    groups = [
        {"label": kind.label, "offices": [o for o in units if o.kind == kind]}
        for kind in OfficeKind
    ]
    staff = []
    if may_edit:  # where each of the street's people works
        staff = list(
            Membership.objects.filter(street=street, role__in=STREET_ROLES)
            .select_related("user")
            .order_by("user_id", "id")
        )
    return render(
        request,
        "accounts/street_offices.html",
        {
            "street": street,
            "groups": groups,
            "form": form,
            "may_edit": may_edit,
            "units": units,
            "staff": staff,
        },
    )


@login_required
@require_POST
def membership_office(request, pk):
    """Name the office where a person of the street works (the street's people)."""
    membership = get_object_or_404(
        Membership.objects.filter(street__in=Street.objects.visible_to(request.user)), pk=pk
    )
    offices.require_street(request.user, membership.street_id)
    return assign(
        request,
        membership,
        offices.set_membership_office,
        redirect("org:offices", pk=membership.street_id),
    )


@login_required
def office_edit(request, pk):
    office = get_object_or_404(
        offices.visible_offices(request.user).select_related("street", "lead"), pk=pk
    )
    offices.require_street(request.user, office.street_id)
    form = OfficeForm(
        request.POST or None,
        people=_people(office.street),
        initial={
            "kind": office.kind,
            "name": office.name,
            "lead": office.lead_id,
            "position": office.position,
        },
    )
    form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            offices.change_office(
                request.user,
                office,
                name=data["name"],
                lead=data["lead"],
                position=data["position"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Office changed."))
            return redirect("org:offices", pk=office.street_id)
    return render(request, "accounts/office_edit.html", {"office": office, "form": form})


def assign(request, obj, run, back):
    """The assignment controls of the whistle, request and report pages: POST `office` (empty:
    none); the outcome comes back as a message. A post without the field changes nothing."""
    if "office" not in request.POST:
        messages.error(request, _("Choose an office (or none)."))
        return back
    try:
        run(request.user, obj, request.POST.get("office") or None)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for message in errors:
                messages.error(request, message)
    else:
        messages.success(request, _("Office assigned."))
    return back


def offices_of(street_id):
    return list(StreetOffice.objects.filter(street_id=street_id).order_by("position", "id"))
