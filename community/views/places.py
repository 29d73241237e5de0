"""The offices' pages: a street's front-line overview and its stewards, an alley, a
community (commissioners, tasks, households and visits), a district's comparison."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership
from config.errors import Conflict
from core.formats import percent
from core.forms import apply_service_errors
from core.ids import MAX_ID
from core.periods import BEIJING

from .. import figures, services
from ..choices import ReportStatus, StaffKind
from ..forms import (
    AdoptForm,
    AlleyForm,
    ChiefForm,
    HouseholdsForm,
    StaffForm,
    StewardForm,
    TaskForm,
    VisitForm,
)
from ..models import Adoption, Alley, AlleyChief, CommunityStaff, Steward, Visit
from ..querysets import communities_visible_to
from ..scope import office_districts, office_streets
from ._common import reports_of


def _street(user, pk):
    return get_object_or_404(office_streets(user).select_related("district"), pk=pk)


def _posted_id(request, name) -> int:
    """An id posted by a page's button: a whole number in range, else no such object (404)."""
    value = request.POST.get(name, "")
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_ID:
        raise Http404
    return int(value)


def _errors_to_messages(request, exc: ValidationError):
    for errors in exc.message_dict.values():
        for message in errors:
            messages.error(request, message)


@login_required
def street_overview(request, pk):
    user = request.user
    street = _street(user, pk)
    acts = services.acts_for_street(user, street.pk)
    form = AlleyForm(request.POST or None, street=street)
    if request.method == "POST":
        if not acts:
            raise PermissionDenied(_("Only the street's officials do this."))
        if form.is_valid():
            try:
                alley = services.create_alley(user, street=street, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("%(alley)s added: give it a chief.") % {"alley": alley.name}
                )
                return redirect("community:alley", pk=alley.pk)
    overview = figures.street_overview(street)
    for rate in overview.visits:
        rate.text = percent(rate.rate)
    return render(
        request,
        "community/street_overview.html",
        {
            "street": street,
            "o": overview,
            "acts": acts,
            "alley_form": form,
            "bar_percent": round(figures.bar() * 100),
            "status_rows": [
                (code, ReportStatus(code).label, n)
                for code, n in overview.reports_by_status.items()
            ],
        },
    )


@login_required
def district_comparison(request, pk):
    user = request.user
    district = get_object_or_404(office_districts(user), pk=pk)
    comparison = figures.district_comparison(district)
    for row in comparison.streets:
        row.rate_text = percent(row.visit_rate)
    for rate in comparison.communities:
        rate.text = percent(rate.rate)
    return render(
        request,
        "community/district_comparison.html",
        {"district": district, "c": comparison, "bar": figures.bar()},
    )


def _cadres(street):
    return (
        get_user_model()
        .objects.filter(pk__in=Membership.objects.filter(street=street).values("user_id"))
        .order_by("id")
    )


@login_required
def alley_detail(request, pk):
    user = request.user
    alley = get_object_or_404(
        Alley.objects.visible_to(user).select_related("street", "community"), pk=pk
    )
    acts = services.acts_for_street(user, alley.street_id)
    form = ChiefForm(request.POST or None, cadres=_cadres(alley.street))
    if request.method == "POST":
        if not acts:
            raise PermissionDenied(_("Only the street's officials do this."))
        if form.is_valid():
            try:
                services.assign_chief(user, alley, form.cleaned_data["chief"])
            except ValidationError as exc:
                _errors_to_messages(request, exc)
            else:
                messages.success(request, _("The alley has a new chief."))
            return redirect("community:alley", pk=pk)
    since = timezone.localtime(timezone.now(), BEIJING) - timezone.timedelta(days=30)
    return render(
        request,
        "community/alley_detail.html",
        {
            "alley": alley,
            "acts": acts,
            "form": form,
            "chiefs": AlleyChief.objects.filter(alley=alley).select_related("user")[:20],
            "adoptions": Adoption.objects.visible_to(user)
            .filter(alley=alley, end=None)
            .select_related("steward"),
            "reports": reports_of(user).filter(alley=alley)[:20],
            "patrols": alley.patrols.filter(started_at__gte=since).count(),
        },
    )


@login_required
def stewards(request, pk):
    """The street's stewards (phone and address for the street only), recruiting and adopting."""
    user = request.user
    street = _street(user, pk)
    acts = services.acts_for_street(user, street.pk)
    alleys = Alley.objects.filter(street=street).order_by("id")
    form = StewardForm(request.POST or None, alleys=alleys)
    if request.method == "POST":
        if not acts:
            raise PermissionDenied(_("Only the street's officials do this."))
        if form.is_valid():
            data = form.cleaned_data
            alley = data.pop("alley")
            try:
                steward, password = services.recruit_steward(user, street=street, **data)
                if alley is not None:
                    services.adopt(user, steward, alley)
            except ValidationError as exc:
                _errors_to_messages(request, exc)
            else:
                messages.success(
                    request,
                    _(
                        "%(name)s is a steward now. Sign-in name %(username)s, password %(password)s: hand it over once; it is not shown again."
                    )
                    % {
                        "name": steward.name,
                        "username": steward.user.username,
                        "password": password,
                    },
                )
                return redirect("community:stewards", pk=pk)
    rows = (
        Steward.objects.filter(street=street)
        .annotate(alleys=Count("adoptions", filter=Q(adoptions__end=None)))
        .order_by("left_on", "id")
    )
    kind = request.GET.get("kind", "")
    if kind:
        rows = rows.filter(kind=kind)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "community/stewards.html",
        {"street": street, "page": page, "acts": acts, "form": form, "kind": kind},
    )


@login_required
def steward_detail(request, pk):
    user = request.user
    steward = get_object_or_404(
        Steward.objects.visible_to(user).select_related("street", "user"), pk=pk
    )
    acts = services.acts_for_street(user, steward.street_id)
    form = AdoptForm(
        request.POST or None, alleys=Alley.objects.filter(street=steward.street).order_by("id")
    )
    if request.method == "POST":
        if not acts:
            raise PermissionDenied(_("Only the street's officials do this."))
        try:
            if "leave" in request.POST:
                services.steward_leaves(user, steward)
                messages.success(request, _("The steward has left; their adoptions ended."))
            elif "end" in request.POST:
                adoption = get_object_or_404(
                    Adoption.objects.filter(steward=steward), pk=_posted_id(request, "end")
                )
                services.end_adoption(user, adoption)
                messages.success(request, _("The adoption ended."))
            elif form.is_valid():
                services.adopt(user, steward, form.cleaned_data["alley"])
                messages.success(request, _("The steward now looks after the alley."))
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        except Conflict as exc:
            messages.error(request, exc.message)
        return redirect("community:steward", pk=pk)
    return render(
        request,
        "community/steward_detail.html",
        {
            "s": steward,
            "acts": acts,
            "me": steward.user_id == user.pk,
            "form": form,
            "adoptions": steward.adoptions.select_related("alley").order_by("end", "-start"),
            "reports": reports_of(user).filter(steward=steward)[:20],
            "patrols": steward.patrols.count(),
        },
    )


@login_required
def community_detail(request, pk):
    """A community: its commissioners and workers with their tasks, its households and the
    year's visit rate, the latest visits; the forms of the street and the staff."""
    user = request.user
    community = get_object_or_404(
        communities_visible_to(user).select_related("street__district"), pk=pk
    )
    acts = services.acts_for_street(user, community.street_id)
    serves = services.may_record_visits(user, community)
    today = timezone.localdate(timezone.now(), BEIJING)
    if request.method == "POST":
        if not serves:
            raise PermissionDenied(_("Only the street and the community's staff do this."))
        _community_post(request, community, today)
        return redirect("community:community", pk=pk)
    rate = figures.visit_rates(type(community).objects.filter(pk=community.pk), today.year)[0]
    rate.text = percent(rate.rate)
    return render(
        request,
        "community/community_detail.html",
        {
            "community": community,
            "acts": acts,
            "serves": serves,
            "rate": rate,
            "bar_percent": round(figures.bar() * 100),
            "staff": CommunityStaff.objects.filter(community=community, until=None)
            .select_related("user")
            .prefetch_related("tasks"),
            "tasks": community.commissioner_tasks.select_related("assignee__user").order_by(
                "done_at", "due_on", "id"
            )[:30],
            "visits": Visit.objects.filter(community=community)
            .select_related("household", "visited_by")
            .order_by("-visited_on", "-id")[:20],
            "alleys": Alley.objects.filter(community=community).order_by("id"),
            "staff_form": StaffForm(),
            "task_form": TaskForm(),
            "households_form": HouseholdsForm(
                initial={"year": today.year, "households": rate.households}
            ),
            "visit_form": VisitForm(initial={"visited_on": today}),
        },
    )


def _community_post(request, community, today):
    user = request.user
    action = request.POST.get("action")
    try:
        if action == "visit":
            form = VisitForm(request.POST)
            if form.is_valid():
                services.record_visit(user, community=community, **form.cleaned_data)
                messages.success(request, _("Visit recorded."))
            else:
                _form_errors(request, form)
        elif action == "households":
            form = HouseholdsForm(request.POST)
            if form.is_valid():
                services.set_households(user, community, **form.cleaned_data)
                messages.success(request, _("Households saved."))
            else:
                _form_errors(request, form)
        elif action == "task":
            form = TaskForm(request.POST)
            if form.is_valid():
                commissioner = CommunityStaff.objects.filter(
                    community=community, kind=StaffKind.COMMISSIONER, until=None
                ).first()
                services.add_task(user, community, assignee=commissioner, **form.cleaned_data)
                messages.success(request, _("Task added."))
            else:
                _form_errors(request, form)
        elif action == "done":
            task = get_object_or_404(community.commissioner_tasks, pk=_posted_id(request, "task"))
            services.complete_task(user, task)
            messages.success(request, _("Task done."))
        elif action == "staff":
            form = StaffForm(request.POST)
            if form.is_valid():
                person = (
                    get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
                )
                services.assign_staff(user, community, person, kind=form.cleaned_data["kind"])
                messages.success(request, _("Assigned to the community."))
            else:
                _form_errors(request, form)
        else:
            messages.error(request, _("Unknown action."))
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))


def _form_errors(request, form):
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for message in errors:
            messages.error(request, f"{label}：{message}" if label else message)


@login_required
def households_import(request, pk):
    """The street's officials bring its communities' household counts from a file."""
    from ..households import import_households
    from ..models import HouseholdCount

    user = request.user
    street = _street(user, pk)
    if not services.acts_for_street(user, street.pk):
        raise PermissionDenied(_("Only the street's officials do this."))
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a CSV or XLSX file."))
        else:
            result = import_households(user, street, upload)
            if result.ok:
                messages.success(
                    request,
                    _("%(n)d household counts saved.") % {"n": result.saved},
                )
                return redirect("community:households", pk=pk)
    counts = (
        HouseholdCount.objects.filter(community__street=street)
        .select_related("community")
        .order_by("-year", "community_id")[:100]
    )
    return render(
        request,
        "community/households_import.html",
        {"street": street, "result": result, "counts": counts},
    )
