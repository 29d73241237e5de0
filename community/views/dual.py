"""双报到's pages. Phone first for in-service party members: register, find an activity, sign
up, their record. Desktop for the community (confirm members, spaces, needs, activities,
check-in) and the street (units, its communities). The reports to employers, printable and as
XLSX. Sight as in the API (community/serializers_dual.py): outside it, 404."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Community, Street
from accounts.scope import scope_of
from config.errors import Conflict
from core.forms import apply_service_errors

from .. import dual, feedback, services
from ..choices import EndReason, RegistrationStatus
from ..forms_dual import (
    ActivityForm,
    CheckInForm,
    NeedForm,
    RegisterMemberForm,
    RegisterUnitForm,
    SpaceForm,
)
from ..models import (
    MemberRegistration,
    PartyMember,
    ServiceActivity,
    SignUp,
    UnitRegistration,
)
from ..scope import frontline_of, office_streets
from ..serializers_dual import _of_communities, visible_members
from .places import _errors_to_messages, _posted_id

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPCOMING_DAYS = 30


def _served_communities(user):
    """The communities whose 双报到 the person runs: their staff's, their streets' (and their
    districts'), every one for the city."""
    if scope_of(user).everything:
        return Community.objects.all()
    return Community.objects.filter(
        Q(pk__in=frontline_of(user).staff_community_ids) | Q(street__in=office_streets(user))
    )


def _period_bounds(code):
    start, end = feedback._period(code).bounds
    return start, end


def _open_registration(member):
    if member is None:
        return None
    return (
        member.registrations.exclude(status=RegistrationStatus.ENDED)
        .select_related("community__street")
        .first()
    )


def _refused(request, exc):
    if isinstance(exc, ValidationError):
        _errors_to_messages(request, exc)
    else:
        messages.error(request, str(exc))


# --- the member's pages (phone first) --------------------------------------------------------


@login_required
def party_home(request):
    """A member's home: their registration, the coming activities of their community with the
    places left, this period's service. Someone not yet registered gets the form; the offices
    get the links to their communities, streets and reports."""
    user = request.user
    member = dual.member_of(user)
    registration = _open_registration(member)
    context = {"member": member, "registration": registration}
    if registration is None:
        form = _register_form(request, member)
        if form is not None and request.method == "POST" and form.is_valid():
            try:
                dual.register_member(user, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Registered: the community will confirm you."))
                return redirect("community:party")
        context["form"] = form
        context["streets"] = Street.objects.select_related("district").order_by("district_id", "id")
        context["street_id"] = _chosen_street(request)
    elif request.method == "POST":  # sent twice: the registration is there
        messages.info(
            request,
            _("You are already registered with %(community)s.")
            % {"community": registration.community.name},
        )
        return redirect("community:party")
    else:
        now = timezone.now()
        code = feedback.period_of(now)
        start, end = _period_bounds(code)
        context.update(
            period=code,
            served=dual.service_record(member, start, end),
            activities=_upcoming(member, registration, now),
        )
    communities = _served_communities(user).select_related("street").order_by("street_id", "id")
    context["communities"] = communities[:30]
    context["streets_run"] = office_streets(user).order_by("id")[:30]
    context["reports"] = feedback.employer_view(user).exists()
    return render(request, "community/party_home.html", context)


def _chosen_street(request):
    value = request.POST.get("street") or request.GET.get("street") or ""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _register_form(request, member):
    street_id = _chosen_street(request)
    communities = Community.objects.filter(street_id=street_id).order_by("name")
    initial = {}
    if member is not None:
        initial = {"name": member.name, "phone": member.phone, "employer": member.employer.name}
    return RegisterMemberForm(
        request.POST if request.method == "POST" else None,
        communities=communities,
        initial=initial,
    )


def _upcoming(member, registration, now):
    """The community's activities from now on, the places taken, and the member's own place."""
    if registration.status != RegistrationStatus.CONFIRMED:
        return []
    return list(
        ServiceActivity.objects.filter(
            community_id=registration.community_id,
            cancelled_at=None,
            ends_at__gt=now,
            starts_at__lt=now + timedelta(days=UPCOMING_DAYS),
        )
        .select_related("space")
        .annotate(
            taken=Count("sign_ups", filter=Q(sign_ups__cancelled_at=None)),
            mine=Count("sign_ups", filter=Q(sign_ups__member=member, sign_ups__cancelled_at=None)),
        )
        .order_by("starts_at", "id")[:50]
    )


def _activity_of(user, pk):
    """In sight: the community's (as in the API), and any activity the person signed up for
    (a member who moved still opens their record's activities)."""
    activities = _of_communities(
        user, ServiceActivity.objects.all()
    ) | ServiceActivity.objects.filter(
        pk__in=SignUp.objects.filter(member__user=user).values("activity_id")
    )
    return get_object_or_404(activities.select_related("community__street", "space", "need"), pk=pk)


@login_required
def activity_detail(request, pk):
    """An activity: the member signs up or gives the place up; the community's staff see the
    places and check members in with their hours."""
    user = request.user
    activity = _activity_of(user, pk)
    member = dual.member_of(user)
    serves = dual.serves_community(user, activity.community)
    if request.method == "POST":
        if member is None and not serves:
            raise PermissionDenied(_("Activities are for in-service party members."))
        action = request.POST.get("action", "")
        try:
            if action == "sign-up":
                dual.sign_up(user, activity)
                messages.success(request, _("Signed up. See you there."))
            elif action == "cancel":
                place = get_object_or_404(
                    SignUp, activity=activity, member__user=user, cancelled_at=None
                )
                dual.cancel_sign_up(user, place)
                messages.success(request, _("Your place is given up."))
            elif action in ("check-in", "release"):
                if not serves:
                    raise PermissionDenied(
                        _("Only the community's staff and the street's officials do this.")
                    )
                place = get_object_or_404(activity.sign_ups.all(), pk=_posted_id(request, "place"))
                if action == "check-in":
                    form = CheckInForm(request.POST)
                    if not form.is_valid():
                        raise ValidationError(form.errors)
                    dual.check_in(user, place, hours=form.cleaned_data["hours"])
                    messages.success(
                        request, _("%(name)s checked in.") % {"name": place.member.name}
                    )
                else:
                    dual.cancel_sign_up(user, place)
                    messages.success(request, _("The place is given up."))
            else:
                messages.error(request, _("Unknown action."))
        except (ValidationError, Conflict) as exc:
            _refused(request, exc)
        return redirect("community:activity", pk=activity.pk)
    places = activity.sign_ups.filter(cancelled_at=None).select_related("member")
    taken = places.count() if not serves else None
    mine = None
    if member is not None:
        mine = activity.sign_ups.filter(member=member, cancelled_at=None).first()
    context = {
        "activity": activity,
        "serves": serves,
        "mine": mine,
        "member": member,
        "now": timezone.now(),
        "check_in_opens": activity.starts_at - timedelta(hours=1),
    }
    if serves:
        context["places"] = list(places.order_by("signed_up_at", "id"))
        context["taken"] = len(context["places"])
    else:
        context["taken"] = taken
    context["left"] = max(activity.capacity - context["taken"], 0)
    return render(request, "community/activity.html", context)


@login_required
def my_record(request):
    member = dual.member_of(request.user)
    if member is None:
        messages.info(request, _("Register first: your record starts with your first activity."))
        return redirect("community:party")
    return redirect("community:member", pk=member.pk)


@login_required
def member_record(request, pk):
    """One page per member: registrations with their history, every activity served with the
    hours, the totals by quarter. The member moves or leaves here; the community confirms or
    ends a registration."""
    user = request.user
    member = get_object_or_404(
        visible_members(user, PartyMember.objects.select_related("employer")), pk=pk
    )
    own = member.user_id == user.pk
    registrations = list(
        member.registrations.select_related("community__street").order_by("-registered_at", "-id")
    )
    open_registration = next(
        (r for r in registrations if r.status != RegistrationStatus.ENDED), None
    )
    runs = [r for r in registrations if dual.serves_community(user, r.community)]
    if request.method == "POST":
        if not (own or runs):
            raise PermissionDenied(_("Only the member and their community's staff do this."))
        return _member_action(request, member, own, open_registration)
    served = list(
        SignUp.objects.filter(member=member, checked_in_at__isnull=False)
        .select_related("activity__community")
        .order_by("-activity__starts_at", "-id")[:200]
    )
    totals = SignUp.objects.filter(member=member, checked_in_at__isnull=False).aggregate(
        activities=Count("pk"), hours=Sum("hours")
    )
    quarters = {}
    for place in served:
        code = feedback.period_of(place.activity.starts_at, "quarter")
        row = quarters.setdefault(code, {"period": code, "activities": 0, "hours": 0})
        row["activities"] += 1
        row["hours"] += place.hours or 0
    sees_contact = own or any(r.status != RegistrationStatus.ENDED for r in runs)
    moving = own and open_registration is not None
    street_id = _chosen_street(request) if moving else None
    move_communities = Community.objects.filter(street_id=street_id).order_by("name")
    return render(
        request,
        "community/member_record.html",
        {
            "member": member,
            "own": own,
            "registrations": registrations,
            "open_registration": open_registration,
            "runs": bool(runs),
            "served": served,
            "totals": totals,
            "quarters": sorted(quarters.values(), key=lambda r: r["period"], reverse=True),
            "phone": member.phone if sees_contact else member.masked_phone,
            "address": member.address if sees_contact else ("***" if member.address else ""),
            "streets": Street.objects.select_related("district").order_by("district_id", "id")
            if moving
            else (),
            "move_communities": move_communities if street_id else (),
        },
    )


def _member_action(request, member, own, registration):
    user = request.user
    action = request.POST.get("action", "")
    if registration is None:
        messages.error(request, _("This registration has already ended."))
        return redirect("community:member", pk=member.pk)
    try:
        if action == "leave":
            dual.end_member(user, registration, reason=EndReason.LEFT)
            messages.success(request, _("The registration has ended; its history is kept."))
        elif action == "move":
            if not own:
                raise PermissionDenied(_("Members move their own registration."))
            community = (
                Community.objects.filter(pk=_posted_id(request, "community"))
                .select_related("street")
                .first()
            )
            if community is None:
                raise ValidationError({"community": _("Choose the community where you live.")})
            dual.move_member(user, registration, community=community)
            messages.success(request, _("Moved: the new community will confirm you."))
        elif action in ("confirm", "refuse"):
            if action == "confirm":
                dual.confirm_member(user, registration)
                messages.success(request, _("Confirmed."))
            else:
                dual.end_member(user, registration, reason=EndReason.REFUSED)
                messages.success(request, _("Not confirmed: the registration has ended."))
        else:
            messages.error(request, _("Unknown action."))
    except (ValidationError, Conflict) as exc:
        _refused(request, exc)
    return redirect("community:member", pk=member.pk)


# --- the community's page (desktop) ----------------------------------------------------------


def _community_of(user, pk):
    return get_object_or_404(_served_communities(user).select_related("street__district"), pk=pk)


FORMS = {"space": SpaceForm, "need": NeedForm, "activity": ActivityForm}


@login_required
def party_community(request, pk):
    """The community's 双报到: registrations to confirm, its members and their service this
    period, who served at nothing (约束机制), its culture spaces, needs and activities."""
    user = request.user
    community = _community_of(user, pk)
    acts = dual.serves_community(user, community)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = {
        name: (
            cls(request.POST if action == name else None, community=community)
            if cls is ActivityForm
            else cls(request.POST if action == name else None)
        )
        for name, cls in FORMS.items()
    }
    if request.method == "POST":
        if not acts:
            raise PermissionDenied(
                _("Only the community's staff and the street's officials do this.")
            )
        done = _community_action(request, community, action, forms)
        if done:
            return redirect("community:party-community", pk=community.pk)
    now = timezone.now()
    code = feedback.period_of(now)
    start, end = _period_bounds(code)
    registrations = MemberRegistration.objects.filter(community=community).exclude(
        status=RegistrationStatus.ENDED
    )
    pending = list(
        registrations.filter(status=RegistrationStatus.PENDING)
        .select_related("member__employer")
        .order_by("registered_at", "id")[:100]
    )
    confirmed = (
        registrations.filter(status=RegistrationStatus.CONFIRMED)
        .select_related("member__employer")
        .annotate(
            period_hours=Sum(
                "member__sign_ups__hours",
                filter=Q(
                    member__sign_ups__checked_in_at__isnull=False,
                    member__sign_ups__activity__starts_at__gte=start,
                    member__sign_ups__activity__starts_at__lt=end,
                ),
            )
        )
        .order_by("member__name", "id")
    )
    page = Paginator(confirmed, 50).get_page(request.GET.get("page"))
    idle = dual.idle_members([community], start, min(end, now))
    activities = (
        community.activities.select_related("space")
        .annotate(
            taken=Count("sign_ups", filter=Q(sign_ups__cancelled_at=None)),
            attended=Count("sign_ups", filter=Q(sign_ups__checked_in_at__isnull=False)),
        )
        .order_by("-starts_at", "-id")
    )
    return render(
        request,
        "community/party_community.html",
        {
            "community": community,
            "acts": acts,
            "period": code,
            "pending": pending,
            "page": page,
            "idle": list(idle.order_by("member__name")[:100]),
            "idle_count": idle.count(),
            "spaces": list(community.culture_spaces.order_by("name")),
            "needs": list(community.needs.filter(closed_at=None).order_by("-published_at")[:50]),
            "coming": list(activities.filter(ends_at__gt=now).reverse()[:50]),
            "past": list(activities.filter(ends_at__lte=now)[:20]),
            "forms": forms,
        },
    )


def _community_action(request, community, action, forms) -> bool:
    """Run a POST of the community's page; True when it is done (redirect), False to show the
    form again with its errors."""
    user = request.user
    if action in ("confirm", "refuse"):
        registration = get_object_or_404(
            MemberRegistration.objects.filter(community=community),
            pk=_posted_id(request, "registration"),
        )
        try:
            if action == "confirm":
                dual.confirm_member(user, registration)
                messages.success(request, _("Confirmed."))
            else:
                dual.end_member(user, registration, reason=EndReason.REFUSED)
                messages.success(request, _("Not confirmed: the registration has ended."))
        except (ValidationError, Conflict) as exc:
            _refused(request, exc)
        return True
    form = forms.get(action)
    if form is None:
        messages.error(request, _("Unknown action."))
        return True
    if not form.is_valid():
        return False
    publish = {
        "space": dual.add_space,
        "need": dual.publish_need,
        "activity": dual.publish_activity,
    }
    try:
        made = publish[action](user, community, **form.cleaned_data)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return False
    messages.success(request, _("%(what)s published.") % {"what": made})
    return True


# --- the street's page (desktop) --------------------------------------------------------------


@login_required
def party_street(request, pk):
    """The street's 双报到: the units registered with it (confirm; register one), its
    communities with their members and this period's service."""
    user = request.user
    street = get_object_or_404(office_streets(user).select_related("district"), pk=pk)
    acts = services.acts_for_street(user, street.pk)
    form = RegisterUnitForm(request.POST if request.POST.get("action") == "unit" else None)
    if request.method == "POST":
        if not acts:
            raise PermissionDenied(_("Only the street's officials do this."))
        action = request.POST.get("action", "")
        if action == "confirm":
            registration = get_object_or_404(
                UnitRegistration.objects.filter(street=street),
                pk=_posted_id(request, "registration"),
            )
            try:
                dual.confirm_unit(user, registration)
                messages.success(request, _("Confirmed."))
            except Conflict as exc:
                _refused(request, exc)
            return redirect("community:party-street", pk=street.pk)
        if action == "unit" and form.is_valid():
            try:
                dual.register_unit(user, street=street, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Registered."))
                return redirect("community:party-street", pk=street.pk)
        elif action != "unit":
            messages.error(request, _("Unknown action."))
            return redirect("community:party-street", pk=street.pk)
    now = timezone.now()
    code = feedback.period_of(now)
    start, end = _period_bounds(code)
    units = (
        UnitRegistration.objects.filter(street=street)
        .exclude(status=RegistrationStatus.ENDED)
        .select_related("unit")
        .order_by("status", "unit__name")
    )
    communities = (
        Community.objects.filter(street=street)
        .annotate(
            members=Count(
                "member_registrations",
                filter=Q(member_registrations__status=RegistrationStatus.CONFIRMED),
                distinct=True,
            ),
            pending=Count(
                "member_registrations",
                filter=Q(member_registrations__status=RegistrationStatus.PENDING),
                distinct=True,
            ),
            period_activities=Count(
                "activities",
                filter=Q(
                    activities__starts_at__gte=start,
                    activities__starts_at__lt=end,
                    activities__cancelled_at=None,
                ),
                distinct=True,
            ),
        )
        .order_by("name")
    )
    return render(
        request,
        "community/party_street.html",
        {
            "street": street,
            "acts": acts,
            "period": code,
            "units": list(units[:300]),
            "communities": communities,
            "form": form,
        },
    )


# --- reports to employers ---------------------------------------------------------------------


@login_required
def employer_reports(request):
    """The reports a person sees (a unit's contact: their unit's), newest period first."""
    reports = feedback.employer_view(request.user).order_by("-deadline", "unit__name")
    period = request.GET.get("period", "")
    if period:
        reports = reports.filter(period=period)
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    return render(request, "community/employer_reports.html", {"page": page, "period": period})


def _report_of(user, pk):
    return get_object_or_404(feedback.employer_view(user), pk=pk)


@login_required
def employer_report(request, pk):
    """The printable report: the unit, the period, a row per member, the idle, the totals."""
    report = _report_of(request.user, pk)
    return render(request, "community/employer_report.html", feedback.report_context(report))


@login_required
def employer_report_xlsx(request, pk):
    report = _report_of(request.user, pk)
    response = HttpResponse(feedback.report_xlsx(report), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="employer-report-{report.unit_id}-{report.period}.xlsx"'
    )
    return response
