"""Forms of the powers' pages. They check the shape of the input only; the services decide
(their ValidationError is put back on the fields with core.forms.apply_service_errors)."""

import re
from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Power
from accounts.models import Street
from core.ids import MAX_ID

from .choices import AssessmentGrade, PersonnelAction, PersonnelDecision, RecordKind

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def local_minutes(value):
    """A time as the datetime-local input shows it (the local time, to the minute)."""
    return timezone.localtime(value).replace(second=0, microsecond=0, tzinfo=None)


class StreetChoiceField(forms.ModelChoiceField):
    """Any street id is accepted here: whether the person may act on it is the view's
    question, answered with an error that names the street."""

    def label_from_instance(self, street):
        return f"{street.district.name} · {street.name}"

    def to_python(self, value):
        if value not in self.empty_values and (
            not re.fullmatch(r"[0-9]{1,19}", str(value)) or not 0 < int(value) <= MAX_ID
        ):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class GrantForm(forms.Form):
    street = StreetChoiceField(label=_("Street or township"), queryset=Street.objects.none())
    power = forms.ChoiceField(label=_("Power"), choices=Power.choices)
    note = forms.CharField(label=_("Note (basis of the grant)"), max_length=200, required=False)

    def __init__(self, *args, streets, **kwargs):
        super().__init__(*args, **kwargs)
        # offered: the person's streets; accepted: any street (refused with its name)
        self.fields["street"].queryset = Street.objects.select_related("district")
        self.fields["street"].widget.choices = [("", "---------")] + [
            (s.pk, f"{s.district.name} · {s.name}") for s in streets
        ]


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revoking"), max_length=200)


class IssueOrderForm(forms.Form):
    title = forms.CharField(label=_("What must be done (in a few words)"), max_length=120)
    content = forms.CharField(
        label=_("Details of the order"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    deadline = forms.DateTimeField(
        label=_("Answer by"),
        required=False,  # empty: the default time limit
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("What the department did or will do"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class PublishMatterForm(forms.Form):
    district = forms.ChoiceField(label=_("Published by"), required=False)
    title = forms.CharField(label=_("Title of the matter"), max_length=120)
    description = forms.CharField(
        label=_("Description"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
    )
    streets = forms.ModelMultipleChoiceField(
        label=_("Streets and townships it touches"),
        queryset=Street.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Name at least one street the matter touches.")},
    )
    opinions_until = forms.DateTimeField(
        label=_("Opinions accepted until"),
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )

    def __init__(self, *args, districts, city=False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(d.pk), d.name) for d in districts]
        if city:
            choices.insert(0, ("", _("The city (Beijing)")))
        self.fields["district"].choices = choices
        self.fields["district"].initial = choices[0][0] if choices else ""
        self.districts = {str(d.pk): d for d in districts}
        streets = Street.objects.select_related("district").order_by("district_id", "id")
        if not city:
            streets = streets.filter(district__in=districts)
        self.fields["streets"].queryset = streets
        self.fields["streets"].label_from_instance = (
            (lambda s: f"{s.district.name} · {s.name}") if len(choices) > 1 else (lambda s: s.name)
        )
        if not self.is_bound:
            default = timezone.now() + timedelta(days=7)
            self.fields["opinions_until"].initial = local_minutes(default)

    def clean_district(self):
        value = self.cleaned_data.get("district") or ""
        if value and value not in self.districts:
            raise forms.ValidationError(_("Choose one of your districts."))
        return self.districts.get(value)


class OpinionForm(forms.Form):
    content = forms.CharField(
        label=_("The committee's opinion or suggestion"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class OpinionAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RecommendForm(forms.Form):
    action = forms.ChoiceField(label=_("Recommendation"), choices=PersonnelAction.choices)
    subject = forms.CharField(label=_("About whom"), max_length=60)
    reason = forms.CharField(
        label=_("Reasons"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=PersonnelDecision.choices, widget=forms.RadioSelect
    )
    reply = forms.CharField(
        label=_("Explanation"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )


class RecordForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("What is recorded"), choices=RecordKind.choices)
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class AssessForm(forms.Form):
    period = forms.CharField(
        label=_("Period"),
        max_length=7,
        help_text=_("A month (2025-06), a quarter (2025-Q2) or a year (2025)."),
    )
    score = forms.DecimalField(
        label=_("Score (0–100)"), min_value=0, max_value=100, max_digits=4, decimal_places=1
    )
    grade = forms.ChoiceField(label=_("Grade"), choices=AssessmentGrade.choices)
    comment = forms.CharField(
        label=_("Comment"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].initial = timezone.localdate().strftime("%Y-%m")
        self.fields["period"].widget.attrs["placeholder"] = "2025-06"
