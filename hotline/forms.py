"""Forms of the 12345 pages; they validate input shape only, the services decide (their
ValidationError is put back on the form's fields)."""

import re
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Community, DutyItem, Street
from core.forms import MultipleImageField

from .choices import Channel, RequestStatus, Satisfaction
from .models import RequestCategory


class StreetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, street):
        return f"{street.district.name} · {street.name}"


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, community):
        return f"{community.name}（{community.street.name}）"


def _streets():
    return Street.objects.select_related("district").order_by("district_id", "id")


class IntakeForm(forms.Form):
    """受理: what the operator types while the citizen is on the line."""

    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(v, label) for v, label in Channel.choices if v != Channel.OPEN311],
        initial=Channel.PHONE,
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=RequestCategory.objects.filter(active=True).order_by("id"),
        empty_label=_("Choose…"),
    )
    citizen_name = forms.CharField(label=_("Citizen's name"), max_length=60, required=False)
    citizen_phone = forms.CharField(
        label=_("Citizen's phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    citizen_email = forms.EmailField(label=_("Citizen's email"), required=False)
    description = forms.CharField(
        label=_("What the citizen asks"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    community = CommunityChoiceField(
        label=_("Community or village"),
        queryset=Community.objects.select_related("street").order_by(
            "street__district_id", "street_id", "id"
        ),
        required=False,
        empty_label=_("Not specified"),
    )
    street = StreetChoiceField(
        label=_("Street or township to dispatch to"),
        queryset=_streets(),
        required=False,
        empty_label=_("Not yet: leave it awaiting dispatch"),
    )
    photos = MultipleImageField(label=_("Photos"), required=False)
    latitude = forms.FloatField(
        required=False, widget=forms.HiddenInput, min_value=-90, max_value=90
    )
    longitude = forms.FloatField(
        required=False, widget=forms.HiddenInput, min_value=-180, max_value=180
    )


class SuggestForm(forms.Form):
    address = forms.CharField(max_length=200, required=False)
    community = forms.ModelChoiceField(
        queryset=Community.objects.select_related("street"), required=False
    )
    street = forms.ModelChoiceField(queryset=Street.objects.all(), required=False)


class ActionForm(forms.Form):
    """Every small form of the request page carries the status the person saw: if the request
    changed meanwhile, nothing is done."""

    seen_status = forms.ChoiceField(
        choices=RequestStatus.choices,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("The page was out of date: nothing was done. Try again."),
            "invalid_choice": _("The page was out of date: nothing was done. Try again."),
        },
    )


class AcceptForm(ActionForm):
    # checked against the street's list in force by the service (hotline/duties.py)
    duty_item = forms.ModelChoiceField(
        label=_("Duty item"), queryset=DutyItem.objects.all(), required=False
    )


class DispatchForm(ActionForm):
    street = StreetChoiceField(
        label=_("Street or township"), queryset=_streets(), empty_label=_("Choose…")
    )


class ContactForm(ActionForm):
    note = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)


class ReplyForm(ActionForm):
    reply = forms.CharField(
        label=_("Reply to the citizen"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReturnForm(ActionForm):
    reason = forms.CharField(
        label=_("Why it is not this street's matter"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _yes_no(value):
    return value == "yes"


class CallBackForm(forms.Form):
    reached = forms.TypedChoiceField(
        label=_("Was the citizen reached?"),
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the citizen was reached.")},
    )
    contacted = forms.TypedChoiceField(
        label=_("Did the street contact the citizen?"),
        choices=YES_NO,
        coerce=_yes_no,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    resolved = forms.TypedChoiceField(
        label=_("Is the matter resolved?"),
        choices=YES_NO,
        coerce=_yes_no,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction"),
        choices=Satisfaction.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reopen = forms.BooleanField(
        label=_("Dissatisfied: send the request back to the street (reopen)"), required=False
    )


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class RankingsForm(forms.Form):
    day = forms.DateField(
        label=_("Day"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    month = forms.CharField(
        label=_("Month"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )

    def clean_month(self):
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        match = _MONTH.match(value)
        if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2999:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."))
        return int(match[1]), int(match[2])

    def clean_day(self):
        day = self.cleaned_data.get("day")
        if day is not None and not date(2000, 1, 1) <= day <= date(2999, 12, 31):
            raise forms.ValidationError(_("Enter a valid date."))
        return day


class PhotoForm(forms.Form):
    photos = MultipleImageField(label=_("Photos"))
