"""Campaigns (专项行动, docs/campaigns.md): the list and one campaign's page with its figures,
where the commanders and the covered streets' officials record results and readings and put
whistles in. Outside the person's sight: 404; in sight without the right: 403."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import campaigns as accounts_campaigns
from accounts.models import CampaignIndicator
from accounts.services import timeline
from config.errors import Conflict
from core.forms import apply_service_errors
from whistle.models import Whistle

from . import campaigns as services


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


FORMS = {"counter": CounterForm, "reading": ReadingForm, "whistle": LinkForm}


def _campaigns(user):
    return services.with_details(accounts_campaigns.visible_campaigns(user))


@login_required
def campaigns(request):
    rows = list(_campaigns(request.user).order_by("-starts_on", "-id"))
    for row in rows:
        row.days = services.day_count(row)
    return render(request, "powers/campaigns.html", {"campaigns": rows})


def _forms(request, campaign, data=None, which=None):
    made = {}
    for key, form_class in FORMS.items():
        bound = data if key == which else None
        kwargs = {"prefix": key}
        if key == "reading":
            kwargs["campaign"] = campaign
        if key == "whistle":
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
    services.link_whistle(user, campaign, data["whistle"])
    return _("Whistle put into the campaign.")


@login_required
def campaign(request, pk):
    user = request.user
    campaign = get_object_or_404(_campaigns(user), pk=pk)
    streets = [s.pk for s in campaign.streets.all()]
    records = accounts_campaigns.may_record(user, campaign, streets)
    which = request.POST.get("form") if request.method == "POST" else None
    if request.method == "POST" and not records:
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
            "events": list(timeline(campaign)),
        },
    )
