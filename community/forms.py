"""The front line's forms: they check the shape of the input; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Station
from core.forms import MultipleImageField

from .choices import ReportCategory, StaffKind, StewardKind, VisitPurpose

LOCAL_DT = "%Y-%m-%dT%H:%M"


def _dt_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_DT)


class ReportForm(forms.Form):
    """Phone first: the alley (preselected when there is one), the category as big buttons, a
    photo from the camera, the position from the phone, a line of text."""

    alley = forms.ModelChoiceField(
        queryset=None, label=_("Alley"), widget=forms.RadioSelect, empty_label=None
    )
    category = forms.ChoiceField(
        choices=ReportCategory.choices, label=_("What kind of problem"), widget=forms.RadioSelect
    )
    photos = MultipleImageField(label=_("Photo"), required=False)
    text = forms.CharField(
        label=_("In a line"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "enterkeyhint": "send"}),
    )
    latitude = forms.DecimalField(required=False, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, alleys, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alley"].queryset = alleys
        if len(alleys) == 1 and not self.is_bound:  # one alley: nothing to choose
            self.initial["alley"] = alleys[0].pk


class PatrolForm(forms.Form):
    alley = forms.ModelChoiceField(
        queryset=None, label=_("Alley"), widget=forms.RadioSelect, empty_label=None
    )
    started_at = forms.DateTimeField(
        label=_("Started"), widget=_dt_input(), input_formats=[LOCAL_DT, "%Y-%m-%d %H:%M"]
    )
    ended_at = forms.DateTimeField(
        label=_("Ended"), widget=_dt_input(), input_formats=[LOCAL_DT, "%Y-%m-%d %H:%M"]
    )
    found = forms.CharField(label=_("What you found"), required=False, max_length=2000)
    dissuaded = forms.CharField(label=_("What you dissuaded"), required=False, max_length=2000)
    dissuaded_count = forms.IntegerField(
        label=_("Times dissuaded"), min_value=0, max_value=1000, initial=0, required=False
    )

    def __init__(self, *args, alleys, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alley"].queryset = alleys
        if not self.is_bound:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("ended_at", now)
            self.initial.setdefault("started_at", now - timezone.timedelta(minutes=30))
            if len(alleys) == 1:
                self.initial["alley"] = alleys[0].pk


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class OrderForm(forms.Form):
    station = forms.ModelChoiceField(queryset=None, label=_("Department"))
    title = forms.CharField(label=_("Title"), max_length=120)
    content = forms.CharField(
        label=_("What the department must do"), widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline = forms.DateTimeField(
        label=_("Answer by"),
        required=False,
        widget=_dt_input(),
        input_formats=[LOCAL_DT, "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, street, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = Station.objects.filter(street=street).select_related(
            "department"
        )
        self.fields["station"].label_from_instance = lambda s: s.department.name


class AlleyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    community = forms.ModelChoiceField(queryset=None, label=_("Community"), required=False)
    description = forms.CharField(label=_("Where it runs"), max_length=200, required=False)

    def __init__(self, *args, street, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = street.communities.order_by("id")


class ChiefForm(forms.Form):
    chief = forms.ModelChoiceField(queryset=None, label=_("New chief"))

    def __init__(self, *args, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chief"].queryset = cadres
        self.fields["chief"].label_from_instance = lambda u: f"{u} ({u.username})"


class StewardForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    phone = forms.CharField(label=_("Phone"), max_length=30)
    kind = forms.ChoiceField(label=_("Kind"), choices=StewardKind.choices)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    employer = forms.CharField(label=_("Employer"), max_length=100, required=False)
    username = forms.CharField(
        label=_("Sign-in name"),
        max_length=150,
        required=False,
        help_text=_("Leave empty to have one made."),
    )
    alley = forms.ModelChoiceField(queryset=None, label=_("Adopts the alley"), required=False)

    def __init__(self, *args, alleys, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alley"].queryset = alleys


class AdoptForm(forms.Form):
    alley = forms.ModelChoiceField(queryset=None, label=_("Alley"))

    def __init__(self, *args, alleys, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alley"].queryset = alleys


class StaffForm(forms.Form):
    username = forms.CharField(label=_("Sign-in name"), max_length=150)
    kind = forms.ChoiceField(label=_("As"), choices=StaffKind.choices)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=120)
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class HouseholdsForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    households = forms.IntegerField(label=_("Households"), min_value=1, max_value=1_000_000)


class VisitForm(forms.Form):
    household_ref = forms.CharField(
        label=_("Household (building-unit-door)"),
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 3号楼2单元401")}),
    )
    visited_on = forms.DateField(
        label=_("Visited on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=VisitPurpose.choices)
    follow_up = forms.CharField(
        label=_("Follow-up"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
