"""Pages of the street committee's powers (domain.md, "The powers").

Every object is looked up through `visible_to(request.user)` first (outside the person's
scope: 404); in scope without the power or the role: 403; then the service decides (its
ValidationError goes back on the form, a Conflict becomes a message)."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Power, Role, StationMode
from accounts.grants import holds_power, with_power
from accounts.models import (
    DispatchedAgency,
    District,
    PowerGrant,
    Station,
    StationedOfficer,
    Street,
)
from accounts.scope import scope_of
from accounts.services import grant_power, may_grant, revoke_power, timeline
from config.errors import Conflict
from core.forms import apply_service_errors
from core.ids import MAX_ID
from core.roles import DISTRICT_ROLES

from . import services
from .filters import OfficerFilter, OrderFilter, RecommendationFilter
from .forms import (
    AssessForm,
    DecisionForm,
    GrantForm,
    IssueOrderForm,
    OpinionAnswerForm,
    OpinionForm,
    PublishMatterForm,
    RecommendForm,
    RecordForm,
    ReplyForm,
    RevokeForm,
    local_minutes,
)
from .models import (
    MajorMatter,
    OfficerAssessment,
    OfficerRecord,
    Opinion,
    PersonnelRecommendation,
    SupervisionOrder,
)

PAGE_SIZE = 20
MODE_ORDER = [StationMode.RESIDENT, StationMode.STATIONED, StationMode.ON_CALL]  # 1, 4, N
HUB_ROWS = 10


# --- querysets ---------------------------------------------------------------------------


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


def _filtered(filterset_class, request, base):
    filterset = filterset_class(request.GET or None, queryset=base, request=request)
    if filterset.is_bound and filterset.is_valid():
        return filterset, filterset.qs
    return filterset, base


# --- the hub -------------------------------------------------------------------------------


@login_required
def index(request):
    """What this person can do with the powers, one section per role they hold."""
    user = request.user
    now = timezone.now()
    context = {"now": now, "Power": Power}

    committee_streets = _roles_units(user, Role.COMMITTEE_MEMBER)
    if committee_streets:
        streets = list(Street.objects.filter(pk__in=committee_streets).order_by("id"))
        grants = (
            PowerGrant.objects.filter(street_id__in=committee_streets, revoked_at=None)
            .select_related("street")
            .order_by("street_id", "power")
        )
        held = {}
        for g in grants:
            held.setdefault(g.street_id, {})[g.power] = g
        own_opinion = Opinion.objects.filter(matter=OuterRef("pk"), street_id__in=committee_streets)
        context["committee"] = {
            "streets": [
                {
                    "street": s,
                    "powers": [
                        {"power": p, "grant": held.get(s.pk, {}).get(p.value)} for p in Power
                    ],
                }
                for s in streets
            ],
            "stations": sorted(
                with_power(
                    user,
                    Power.COORDINATE_DEPARTMENTS,
                    Station.objects.filter(street_id__in=committee_streets),
                ).select_related("department", "street"),
                key=lambda s: (s.street_id, MODE_ORDER.index(s.mode), s.department_id),
            ),
            "agencies": list(
                with_power(
                    user,
                    Power.RECOMMEND_PERSONNEL,
                    DispatchedAgency.objects.filter(street_id__in=committee_streets),
                )
                .select_related("department", "street")
                .order_by("street_id", "id")
            ),
            "officers": list(
                with_power(
                    user,
                    Power.ASSESS_STATIONED_STAFF,
                    StationedOfficer.objects.filter(street_id__in=committee_streets, active=True),
                )
                .select_related("department", "street")
                .order_by("street_id", "department_id", "id")
            ),
            "orders": list(
                _open_first(_orders(user).filter(street_id__in=committee_streets))[:HUB_ROWS]
            ),
            "recommendations": list(
                _open_first(_recommendations(user).filter(street_id__in=committee_streets))[
                    :HUB_ROWS
                ]
            ),
            "matters": list(
                with_power(user, Power.ADVISE_MAJOR_MATTER, _matters(user))
                .filter(opinions_until__gt=now)
                .exclude(Exists(own_opinion))
                .order_by("opinions_until", "id")[:HUB_ROWS]
            ),
        }

    departments = _roles_units(user, Role.DEPARTMENT_DISPATCHER)
    if departments:
        context["department"] = {
            "orders": list(
                _open_first(_orders(user).filter(department_id__in=departments))[:HUB_ROWS]
            ),
            "recommendations": list(
                _open_first(_recommendations(user).filter(department_id__in=departments))[:HUB_ROWS]
            ),
            "assessments": list(
                OfficerAssessment.objects.filter(department_id__in=departments)
                .select_related("officer", "street")
                .order_by("-assessed_at", "-id")[:HUB_ROWS]
            ),
        }

    district_ids = _roles_units(user, *DISTRICT_ROLES)
    admin_ids = _roles_units(user, Role.DISTRICT_ADMIN)
    if district_ids or user.is_superuser:
        in_district = Q() if user.is_superuser else Q(street__district_id__in=district_ids)
        published = MajorMatter.objects.all()
        awaiting = Opinion.objects.filter(answered_at=None)
        if not user.is_superuser:
            published = published.filter(district_id__in=district_ids)
            awaiting = awaiting.filter(matter__district_id__in=admin_ids)
        context["district"] = {
            "may_grant": user.is_superuser or bool(admin_ids),
            "may_publish": _may_publish_somewhere(user),
            "matters": list(
                published.select_related("district")
                .prefetch_related(Prefetch("streets", queryset=Street.objects.order_by("id")))
                .order_by("-published_at", "-id")[:HUB_ROWS]
            ),
            "opinions": list(
                awaiting.select_related("matter", "street").order_by("submitted_at", "id")[
                    :HUB_ROWS
                ]
            ),
            "overdue_orders": list(
                _orders(user)
                .filter(in_district, answered_at=None, overdue_at__isnull=False)
                .order_by("deadline", "id")[:HUB_ROWS]
            ),
            "overdue_recommendations": list(
                _recommendations(user)
                .filter(in_district, answered_at=None, overdue_at__isnull=False)
                .order_by("deadline", "id")[:HUB_ROWS]
            ),
        }
    return render(request, "powers/index.html", context)


# --- grants --------------------------------------------------------------------------------


def _grants_context(user, districts, form):
    streets = list(
        Street.objects.filter(district__in=districts).select_related("district").order_by("id")
    )
    active = {
        (g.street_id, g.power): g
        for g in PowerGrant.objects.filter(street__in=streets, revoked_at=None).select_related(
            "granted_by"
        )
    }
    rows = [
        {
            "street": s,
            "powers": [{"power": p, "grant": active.get((s.pk, p.value))} for p in Power],
        }
        for s in streets
    ]
    revoked = (
        PowerGrant.objects.filter(street__in=streets)
        .exclude(revoked_at=None)
        .select_related("street", "revoked_by")
        .order_by("-revoked_at", "-id")[:HUB_ROWS]
    )
    return {
        "districts": districts,
        "rows": rows,
        "form": form,
        "revoke_form": RevokeForm(),
        "revoked": list(revoked),
    }


@login_required
def grants(request):
    user = request.user
    districts = _admin_districts(user)
    if not districts:
        raise PermissionDenied(_("Only district administrators grant powers to streets."))
    streets = Street.objects.filter(district__in=districts).select_related("district")
    form = GrantForm(request.POST or None, streets=streets.order_by("id"))
    if request.method == "POST" and form.is_valid():
        street, power = form.cleaned_data["street"], form.cleaned_data["power"]
        if not may_grant(user, street):
            form.add_error(
                "street",
                _("%(street)s (%(district)s) is not a street of your district.")
                % {"street": street.name, "district": street.district.name},
            )
        else:
            try:
                grant_power(user, street, power, form.cleaned_data["note"])
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect("powers:grants")
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Granted to %(street)s: %(power)s.")
                    % {"street": street.name, "power": Power(power).label},
                )
                return redirect(f"{reverse('powers:grants')}#street-{street.pk}")
    return render(request, "powers/grants.html", _grants_context(user, districts, form))


@login_required
@require_POST
def grant_revoke(request, pk):
    grant = get_object_or_404(
        PowerGrant.objects.visible_to(request.user).select_related("street__district"), pk=pk
    )
    if not may_grant(request.user, grant.street):
        raise PermissionDenied(_("Only the district's administrators revoke its streets' powers."))
    form = RevokeForm(request.POST)
    target = f"{reverse('powers:grants')}#street-{grant.street_id}"
    if not form.is_valid():
        messages.error(request, _("Give the reason for revoking, then revoke."))
        return redirect(target)
    try:
        revoke_power(request.user, grant, form.cleaned_data["reason"])
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Revoked from %(street)s: %(power)s.")
            % {"street": grant.street.name, "power": grant.get_power_display()},
        )
    return redirect(target)


# --- 统筹协调和督办权: stations and supervision orders --------------------------------------


@login_required
def station(request, pk):
    user = request.user
    station = get_object_or_404(
        Station.objects.visible_to(user)
        .select_related("street__district", "department")
        .with_powers_of(user, Power.COORDINATE_DEPARTMENTS),
        pk=pk,
    )
    may_issue = station.has_coordinate_departments
    if request.method == "POST" and not may_issue:
        raise PermissionDenied(
            _("Your street's party committee does not hold this power over %(object)s: %(power)s.")
            % {"object": station, "power": Power.COORDINATE_DEPARTMENTS.label}
        )
    form = IssueOrderForm(
        request.POST or None,
        initial={"deadline": local_minutes(services.order_deadline_default())},
    )
    if request.method == "POST" and form.is_valid():
        try:
            order = services.issue_order(user, station=station, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Supervision order sent to %(department)s.")
                % {"department": station.department.name},
            )
            return redirect("powers:order", pk=order.pk)
    orders = _open_first(_orders(user).filter(station=station))[:50]
    return render(
        request,
        "powers/station.html",
        {
            "station": station,
            "orders": list(orders),
            "form": form if may_issue else None,
            "may_blow": scope_of(user).has_role(Role.COMMITTEE_MEMBER, station.street_id)
            and may_issue,
            "now": timezone.now(),
        },
    )


@login_required
def orders(request):
    filterset, queryset = _filtered(OrderFilter, request, _orders(request.user))
    page, query = _page(request, queryset.order_by("-issued_at", "-id"))
    return render(
        request,
        "powers/orders.html",
        {"filter": filterset, "page": page, "query": query, "now": timezone.now()},
    )


@login_required
def order(request, pk):
    user = request.user
    order = get_object_or_404(_orders(user), pk=pk)
    answers = services.answers_for(user, order.department_id)
    if request.method == "POST" and not answers:
        raise PermissionDenied(
            _("Only %(department)s answers this.") % {"department": order.department.name}
        )
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_order(user, order, reply=form.cleaned_data["reply"])
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("powers:order", pk=pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Answer sent to %(street)s.") % {"street": order.street})
            return redirect("powers:order", pk=pk)
    return render(
        request,
        "powers/order.html",
        {
            "order": order,
            "events": list(timeline(order)),
            "form": form if answers and not order.answered_at else None,
            "now": timezone.now(),
        },
    )


# --- 意见建议权: major matters and opinions -----------------------------------------------


@login_required
def matters(request):
    user = request.user
    queryset = _matters(user).order_by("-published_at", "-id")
    street = request.GET.get("street", "")
    if re.fullmatch(r"[0-9]{1,19}", street) and int(street) <= MAX_ID:
        queryset = queryset.filter(streets=int(street))
    page, query = _page(request, queryset)
    return render(
        request,
        "powers/matters.html",
        {
            "page": page,
            "query": query,
            "now": timezone.now(),
            "may_publish": _may_publish_somewhere(user),
        },
    )


@login_required
def matter_new(request):
    user = request.user
    if not _may_publish_somewhere(user):
        raise PermissionDenied(_("Only district administrators publish major matters."))
    districts = _admin_districts(user)
    form = PublishMatterForm(request.POST or None, districts=districts, city=user.is_superuser)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            matter = services.publish_matter(
                user,
                district=data["district"],
                title=data["title"],
                description=data["description"],
                streets=list(data["streets"]),
                opinions_until=data["opinions_until"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Published. The streets named were told and may now give their opinions."),
            )
            return redirect("powers:matter", pk=matter.pk)
    return render(request, "powers/matter_new.html", {"form": form, "districts": districts})


@login_required
def matter(request, pk):
    user = request.user
    matter = get_object_or_404(_matters(user), pk=pk)
    may_advise = holds_power(user, Power.ADVISE_MAJOR_MATTER, matter)
    if request.method == "POST" and not may_advise:
        raise PermissionDenied(
            _("Your street's party committee does not hold this power over %(object)s: %(power)s.")
            % {"object": matter, "power": Power.ADVISE_MAJOR_MATTER.label}
        )
    form = OpinionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_opinion(user, matter, content=form.cleaned_data["content"])
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("powers:matter", pk=pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Your opinion was sent. The publisher must answer it."))
            return redirect("powers:matter", pk=pk)
    opinions = list(
        Opinion.objects.visible_to(user)
        .filter(matter=matter)
        .select_related("street", "submitted_by", "answered_by")
        .order_by("submitted_at", "id")
    )
    for opinion in opinions:
        opinion.matter = matter
        opinion.may_answer = not opinion.answered_at and services.may_answer_opinion(user, opinion)
    now = timezone.now()
    return render(
        request,
        "powers/matter.html",
        {
            "matter": matter,
            "opinions": opinions,
            "is_open": now <= matter.opinions_until,
            "form": form if may_advise and now <= matter.opinions_until else None,
            "answer_form": OpinionAnswerForm(),
            "now": now,
        },
    )


@login_required
@require_POST
def opinion_answer(request, pk):
    user = request.user
    opinion = get_object_or_404(
        Opinion.objects.visible_to(user).select_related("matter", "street"), pk=pk
    )
    if not services.may_answer_opinion(user, opinion):
        raise PermissionDenied(_("Only the publisher of the matter answers its opinions."))
    target = f"{reverse('powers:matter', args=[opinion.matter_id])}#opinion-{opinion.pk}"
    form = OpinionAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the answer, then send it."))
        return redirect(target)
    try:
        services.answer_opinion(user, opinion, answer=form.cleaned_data["answer"])
    except Conflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(request, _("Answer sent to %(street)s.") % {"street": opinion.street.name})
    return redirect(target)


# --- 人事建议权: dispatched agencies and personnel recommendations -------------------------


@login_required
def agency(request, pk):
    user = request.user
    agency = get_object_or_404(
        DispatchedAgency.objects.visible_to(user)
        .select_related("street__district", "department")
        .with_powers_of(user, Power.RECOMMEND_PERSONNEL),
        pk=pk,
    )
    may_recommend = agency.has_recommend_personnel
    if request.method == "POST" and not may_recommend:
        raise PermissionDenied(
            _("Your street's party committee does not hold this power over %(object)s: %(power)s.")
            % {"object": agency, "power": Power.RECOMMEND_PERSONNEL.label}
        )
    form = RecommendForm(request.POST or None, initial={"subject": agency.leader_name})
    if request.method == "POST" and form.is_valid():
        try:
            rec = services.recommend_personnel(user, agency=agency, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Recommendation sent to %(department)s, which must answer it.")
                % {"department": agency.department.name},
            )
            return redirect("powers:recommendation", pk=rec.pk)
    recommendations = _open_first(_recommendations(user).filter(agency=agency))[:50]
    return render(
        request,
        "powers/agency.html",
        {
            "agency": agency,
            "recommendations": list(recommendations),
            "form": form if may_recommend else None,
            "now": timezone.now(),
        },
    )


@login_required
def recommendations(request):
    filterset, queryset = _filtered(RecommendationFilter, request, _recommendations(request.user))
    page, query = _page(request, queryset.order_by("-recommended_at", "-id"))
    return render(
        request,
        "powers/recommendations.html",
        {"filter": filterset, "page": page, "query": query, "now": timezone.now()},
    )


@login_required
def recommendation(request, pk):
    user = request.user
    rec = get_object_or_404(_recommendations(user), pk=pk)
    answers = services.answers_for(user, rec.department_id)
    if request.method == "POST" and not answers:
        raise PermissionDenied(
            _("Only %(department)s answers this.") % {"department": rec.department.name}
        )
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_recommendation(user, rec, **form.cleaned_data)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("powers:recommendation", pk=pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Answer sent to %(street)s.") % {"street": rec.street})
            return redirect("powers:recommendation", pk=pk)
    return render(
        request,
        "powers/recommendation.html",
        {
            "rec": rec,
            "events": list(timeline(rec)),
            "form": form if answers and not rec.answered_at else None,
            "now": timezone.now(),
        },
    )


# --- 日常管理考核权: the stationed-staff assessment -----------------------------------------


def _latest_assessment(user):
    return Prefetch(
        "assessments",
        queryset=OfficerAssessment.objects.visible_to(user).order_by("-assessed_at", "-id")[:1],
        to_attr="latest",
    )


@login_required
def officers(request):
    user = request.user
    base = (
        StationedOfficer.objects.visible_to(user)
        .filter(active=True)
        .select_related("street", "department")
        .with_powers_of(user, Power.ASSESS_STATIONED_STAFF)
        .prefetch_related(_latest_assessment(user))
        .order_by("street_id", "department_id", "id")
    )
    filterset, queryset = _filtered(OfficerFilter, request, base)
    page, query = _page(request, queryset)
    street_ids = StationedOfficer.objects.visible_to(user).values("street_id")
    streets = Street.objects.filter(pk__in=street_ids).order_by("district_id", "id")
    return render(
        request,
        "powers/officers.html",
        {
            "page": page,
            "query": query,
            "streets": list(streets),
            "street": request.GET.get("street", ""),
            "filter": filterset,
        },
    )


def _officer_page(request, officer, record_form, assess_form):
    user = request.user
    records = (
        OfficerRecord.objects.visible_to(user)
        .filter(officer=officer)
        .select_related("recorded_by")
        .order_by("-date", "-id")[:60]
    )
    assessments = (
        OfficerAssessment.objects.visible_to(user)
        .filter(officer=officer)
        .select_related("assessed_by")
        .order_by("-assessed_at", "-id")
    )
    may_assess = officer.has_assess_stationed_staff
    return render(
        request,
        "powers/officer.html",
        {
            "officer": officer,
            "records": list(records),
            "assessments": list(assessments),
            "record_form": record_form if may_assess else None,
            "assess_form": assess_form if may_assess else None,
        },
    )


def _officer(request, pk):
    user = request.user
    officer = get_object_or_404(
        StationedOfficer.objects.visible_to(user)
        .select_related("street__district", "department")
        .with_powers_of(user, Power.ASSESS_STATIONED_STAFF),
        pk=pk,
    )
    if request.method == "POST" and not officer.has_assess_stationed_staff:
        raise PermissionDenied(
            _("Your street's party committee does not hold this power over %(object)s: %(power)s.")
            % {"object": officer, "power": Power.ASSESS_STATIONED_STAFF.label}
        )
    return officer


@login_required
def officer(request, pk):
    officer = _officer(request, pk)
    form = RecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_officer(request.user, officer=officer, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Recorded."))
            return redirect("powers:officer", pk=pk)
    return _officer_page(request, officer, form, AssessForm())


@login_required
@require_POST
def officer_assess(request, pk):
    officer = _officer(request, pk)
    form = AssessForm(request.POST)
    if form.is_valid():
        try:
            services.assess_officer(request.user, officer=officer, **form.cleaned_data)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect(f"{reverse('powers:officer', args=[pk])}#assessments")
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Assessment of %(officer)s for %(period)s saved.")
                % {"officer": officer.name, "period": form.cleaned_data["period"]},
            )
            return redirect(f"{reverse('powers:officer', args=[pk])}#assessments")
    return _officer_page(request, officer, RecordForm(), form)
