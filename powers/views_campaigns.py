"""Campaigns (专项行动, docs/campaigns.md): the list and one campaign's page with its figures,
where the commanders and the covered streets' officials record results and readings and put
whistles in. Outside the person's sight: 404; in sight without the right: 403."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import campaigns as accounts_campaigns
from accounts.choices import CampaignRole, Role
from accounts.models import CampaignIndicator, Department, District, Membership, Street, User
from accounts.scope import scope_of
from accounts.services import timeline
from config.errors import Conflict
from core.forms import apply_service_errors
from whistle.models import Whistle

from . import campaigns as services
from .models import SupervisionOrder


class CounterForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Result"), max_length=60)
    value = forms.DecimalField(label=gettext_lazy("Value"), max_digits=14, decimal_places=2)
    unit = forms.CharField(label=gettext_lazy("Unit"), max_length=20, required=False)
    source = forms.CharField(label=gettext_lazy("Source"), max_length=200, required=False)


class ReadingForm(forms.Form):
    indicator = forms.ModelChoiceField(
        label=gettext_lazy("Indicator"), queryset=CampaignIndicator.objects.none()
    )
    on = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.DecimalField(label=gettext_lazy("Value"), max_digits=14, decimal_places=3)
    label = forms.CharField(label=gettext_lazy("As read"), max_length=30, required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = campaign.indicators.all()


class LinkForm(forms.Form):
    whistle = forms.ModelChoiceField(label=gettext_lazy("Whistle"), queryset=Whistle.objects.none())

    def __init__(self, *args, user, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        # any whistle the person sees: a whistle of a street not covered is the service's 400
        self.fields["whistle"].queryset = (
            Whistle.objects.visible_to(user).filter(campaign=None).order_by("-blown_at")
        )
        self.fields["whistle"].label_from_instance = lambda w: f"{w.number} {w.title}"


class OrderLinkForm(forms.Form):
    order = forms.ModelChoiceField(
        label=gettext_lazy("Supervision order"), queryset=SupervisionOrder.objects.none()
    )

    def __init__(self, *args, user, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        # the covered streets' orders not in a campaign yet
        self.fields["order"].queryset = (
            SupervisionOrder.objects.visible_to(user)
            .filter(campaign=None, street__in=campaign.streets.all())
            .select_related("department")
            .order_by("-id")
        )
        self.fields["order"].label_from_instance = lambda o: f"{o.title} ({o.department.name})"


class IndicatorForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Indicator"), max_length=60)
    unit = forms.CharField(label=gettext_lazy("Unit"), max_length=20, required=False)
    source = forms.CharField(label=gettext_lazy("Source"), max_length=200)


class PostForm(forms.Form):
    """A person of the campaign's district (its district, streets or departments) on the
    command post or the temporary party branch."""

    user = forms.ModelChoiceField(label=gettext_lazy("Person"), queryset=User.objects.none())
    role = forms.ChoiceField(label=gettext_lazy("Post"), choices=CampaignRole.choices)
    department = forms.ModelChoiceField(
        label=gettext_lazy("From the department"),
        queryset=Department.objects.none(),
        required=False,
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        district = campaign.district_id
        self.fields["user"].queryset = User.objects.filter(
            is_active=True,
            pk__in=_people_of_district(district),
        ).order_by("first_name", "username")
        self.fields["department"].queryset = Department.objects.filter(
            district_id=district
        ).order_by("name")


class EndForm(forms.Form):
    ends_on = forms.DateField(
        label=gettext_lazy("Ends on"),
        required=False,
        help_text=gettext_lazy("Empty: today."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _people_of_district(district_id):
    return Membership.objects.filter(
        Q(district_id=district_id)
        | Q(street__district_id=district_id)
        | Q(department__district_id=district_id)
    ).values("user_id")


def _districts_set_up_by(user):
    """The districts whose campaigns the person sets up (the superuser: all)."""
    districts = District.objects.order_by("name")
    if user.is_superuser:
        return districts
    admin_of = [unit for role, unit in scope_of(user).role_units if role == Role.DISTRICT_ADMIN]
    return districts.filter(pk__in=admin_of)


class CampaignForm(forms.Form):
    """Setting up (or changing) a campaign: the district's administrators."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    district = forms.ModelChoiceField(
        label=gettext_lazy("District"), queryset=District.objects.none()
    )
    streets = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Streets covered"),
        queryset=Street.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    starts_on = forms.DateField(
        label=gettext_lazy("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Ends on"),
        required=False,
        help_text=gettext_lazy("Empty while it runs."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    aims = forms.CharField(
        label=gettext_lazy("Aims"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, user, campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        districts = _districts_set_up_by(user)
        if campaign is not None:
            # the district of a campaign does not change
            districts = districts.filter(pk=campaign.district_id)
            self.fields["district"].disabled = True
        self.fields["district"].queryset = districts
        # the streets of the districts offered; another district's street is the service's 400
        self.fields["streets"].queryset = (
            Street.objects.filter(district__in=districts)
            .select_related("district")
            .order_by("district__name", "name")
        )
        if districts.count() > 1:
            self.fields["streets"].label_from_instance = lambda s: f"{s.district.name} {s.name}"


FORMS = {
    "counter": CounterForm,
    "reading": ReadingForm,
    "whistle": LinkForm,
    "order": OrderLinkForm,
    "indicator": IndicatorForm,
    "post": PostForm,
    "end": EndForm,
}
# the forms of the district's administrators; the rest are for who records
SET_UP = {"post", "end"}


def _campaigns(user):
    return services.with_details(accounts_campaigns.visible_campaigns(user))


@login_required
def campaigns(request):
    rows = list(_campaigns(request.user).order_by("-starts_on", "-id"))
    for row in rows:
        row.days = services.day_count(row)
    return render(
        request,
        "powers/campaigns.html",
        {"campaigns": rows, "may_set_up": accounts_campaigns.may_set_up_somewhere(request.user)},
    )


def _campaign_page(request, form, campaign=None):
    return render(request, "powers/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
def campaign_new(request):
    """A district's administrators set up a campaign; a form error keeps what was typed."""
    user = request.user
    if not accounts_campaigns.may_set_up_somewhere(user):
        raise PermissionDenied(_("Only the district's administrators set up campaigns."))
    form = CampaignForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = accounts_campaigns.create_campaign(user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Campaign set up."))
            return redirect("powers:campaign", pk=campaign.pk)
    return _campaign_page(request, form)


@login_required
def campaign_edit(request, pk):
    user = request.user
    campaign = get_object_or_404(_campaigns(user), pk=pk)
    if not accounts_campaigns.may_set_up(user, campaign.district_id):
        raise PermissionDenied(_("Only the district's administrators set up campaigns."))
    initial = {
        "name": campaign.name,
        "district": campaign.district,
        "streets": list(campaign.streets.all()),
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "aims": campaign.aims,
    }
    form = CampaignForm(request.POST or None, user=user, campaign=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k != "district"}
        try:
            accounts_campaigns.change_campaign(user, campaign, **changes)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Campaign changed."))
            return redirect("powers:campaign", pk=campaign.pk)
    return _campaign_page(request, form, campaign)


def _forms(request, campaign, data=None, which=None):
    made = {}
    for key, form_class in FORMS.items():
        bound = data if key == which else None
        kwargs = {"prefix": key}
        if key in ("reading", "post"):
            kwargs["campaign"] = campaign
        if key in ("whistle", "order"):
            kwargs.update(user=request.user, campaign=campaign)
        made[key] = form_class(bound, **kwargs)
    return made


def _run(request, campaign, which, form):
    data = form.cleaned_data
    user = request.user
    if which == "counter":
        accounts_campaigns.set_counter(user, campaign, **data)
        return _("Result recorded.")
    if which == "reading":
        accounts_campaigns.record_reading(
            user, data["indicator"], on=data["on"], value=data["value"], label=data["label"]
        )
        return _("Reading recorded.")
    if which == "order":
        services.link_order(user, campaign, data["order"])
        return _("Supervision order put into the campaign.")
    if which == "indicator":
        accounts_campaigns.add_indicator(user, campaign, **data)
        return _("Indicator added.")
    if which == "post":
        accounts_campaigns.add_post(user, campaign, **data)
        return _("Post filled.")
    if which == "end":
        accounts_campaigns.end_campaign(user, campaign, data["ends_on"])
        return _("Campaign ended.")
    services.link_whistle(user, campaign, data["whistle"])
    return _("Whistle put into the campaign.")


@login_required
def campaign(request, pk):
    user = request.user
    campaign = get_object_or_404(_campaigns(user), pk=pk)
    streets = [s.pk for s in campaign.streets.all()]
    records = accounts_campaigns.may_record(user, campaign, streets)
    sets_up = accounts_campaigns.may_set_up(user, campaign.district_id)
    which = request.POST.get("form") if request.method == "POST" else None
    if request.method == "POST":
        if which in SET_UP and not sets_up:
            raise PermissionDenied(_("Only the district's administrators set up campaigns."))
        if which not in SET_UP and not records:
            raise PermissionDenied(
                _("Only the command post's commanders and the covered streets' officials record.")
            )
    forms_ = _forms(request, campaign, request.POST if which in FORMS else None, which)
    if request.method == "POST":
        form = forms_.get(which)
        if form is None:
            messages.error(request, _("Choose what to record."))
        elif form.is_valid():
            try:
                done = _run(request, campaign, which, form)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect("powers:campaign", pk=pk)
            else:
                messages.success(request, done)
                return redirect("powers:campaign", pk=pk)
    return render(
        request,
        "powers/campaign.html",
        {
            "campaign": campaign,
            "figures": services.figures(campaign),
            "forms": forms_ if records else None,
            "setup_forms": forms_ if sets_up else None,
            "events": list(timeline(campaign)),
        },
    )
