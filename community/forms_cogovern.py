"""The forms of the committees' pages: they check the shape of the input; the services in
cogovern.py decide (area, membership, permissions)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CommitteeLevel, Direction, NeedSource, ProjectStatus, ResourceCategory
from .forms import LOCAL_DT, _dt_input

DT_FORMATS = [LOCAL_DT, "%Y-%m-%d %H:%M"]


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CommitteeForm(forms.Form):
    """A committee for a level the person runs: the area is one of those offered."""

    area = forms.ChoiceField(label=_("For"))
    name = forms.CharField(label=_("Name"), max_length=100)
    director_name = forms.CharField(label=_("Director"), max_length=60)
    director_title = forms.CharField(label=_("Director's post"), max_length=100)
    director_from_above = forms.BooleanField(
        label=_("The director is a party leader of the level above"), required=False, initial=True
    )

    def __init__(self, *args, areas, **kwargs):
        """`areas`: (value, label) pairs like `street:12`, `community:40`, `district:3`."""
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = areas

    def clean_area(self):
        level, _sep, pk = self.cleaned_data["area"].partition(":")
        if level not in CommitteeLevel.values or not pk.isdigit():
            raise forms.ValidationError(_("Choose the level and its area."))
        return level, int(pk)


class MemberForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=None,
        label=_("Unit"),
        required=False,
        help_text=_("Leave empty for the level's own organisation."),
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=100, required=False)
    representative = forms.CharField(label=_("Representative"), max_length=60)
    post = forms.CharField(label=_("Post"), max_length=100, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ExchangeForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=None, label=_("Unit"))
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    is_service = forms.TypedChoiceField(
        label=_("Kind"),
        choices=[("1", _("Service")), ("0", _("Communication"))],
        coerce=lambda v: v == "1",
    )
    held_on = forms.DateField(label=_("Date"), widget=_date_input())
    subject = forms.CharField(label=_("Subject"), max_length=200)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class EvaluationForm(forms.Form):
    """The area rates a unit for a period (the unit's side is given by its contact)."""

    unit = forms.ModelChoiceField(queryset=None, label=_("Unit"))
    period = forms.CharField(
        label=_("Period"), max_length=8, widget=forms.TextInput(attrs={"placeholder": "2026-Q1"})
    )
    score = forms.TypedChoiceField(
        label=_("Score"), choices=[(str(i), str(i)) for i in range(5, 0, -1)], coerce=int
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class PublishForm(forms.Form):
    period = forms.CharField(label=_("Period"), max_length=8)


class MeetingForm(forms.Form):
    held_at = forms.DateTimeField(label=_("Held at"), widget=_dt_input(), input_formats=DT_FORMATS)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    agenda = forms.CharField(
        label=_("Agenda"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    present = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Present"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    decisions = forms.CharField(
        label=_("Decisions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = members
        self.fields["present"].label_from_instance = lambda m: (
            f"{m.organisation} · {m.representative}"
        )


class FollowUpForm(forms.Form):
    """One follow-up row of a meeting: an empty row is no item."""

    title = forms.CharField(label=_("Follow-up"), max_length=200, required=False)
    owner = forms.ModelChoiceField(queryset=None, label=_("Owner"), required=False)
    deadline = forms.DateTimeField(
        label=_("Due"), widget=_dt_input(), input_formats=DT_FORMATS, required=False
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members
        self.fields["owner"].label_from_instance = lambda m: (
            f"{m.representative} ({m.organisation})"
        )

    def item(self):
        data = self.cleaned_data
        if not (data.get("title") or data.get("owner") or data.get("deadline")):
            return None
        return data.get("title") or "", data.get("owner"), data.get("deadline")


FOLLOW_UP_ROWS = 3


def follow_up_forms(data, members):
    return [
        FollowUpForm(data, prefix=f"f{i}", members=members, use_required_attribute=False)
        for i in range(FOLLOW_UP_ROWS)
    ]


class ResourceForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=None, label=_("Unit"))
    category = forms.ChoiceField(label=_("Kind"), choices=ResourceCategory.choices)
    title = forms.CharField(label=_("What is offered"), max_length=120)
    capacity = forms.CharField(label=_("Capacity"), max_length=60, required=False)
    latitude = forms.DecimalField(label=_("Latitude"), required=False, max_digits=9)
    longitude = forms.DecimalField(label=_("Longitude"), required=False, max_digits=9)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class NeedForm(forms.Form):
    source = forms.ChoiceField(label=_("From"), choices=NeedSource.choices)
    unit = forms.ModelChoiceField(
        queryset=None,
        label=_("Unit"),
        required=False,
        help_text=_("For a unit's need."),
    )
    category = forms.ChoiceField(label=_("Resource needed"), choices=ResourceCategory.choices)
    title = forms.CharField(label=_("What is needed"), max_length=120)
    latitude = forms.DecimalField(label=_("Latitude"), required=False, max_digits=9)
    longitude = forms.DecimalField(label=_("Longitude"), required=False, max_digits=9)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class MatchForm(forms.Form):
    """The resources are offered as the suggestions, nearest first; any resource id is taken
    and the service refuses those outside the committee's area (a field error)."""

    resources = forms.ModelMultipleChoiceField(
        queryset=None, label=_("Resources"), widget=forms.CheckboxSelectMultiple
    )
    title = forms.CharField(label=_("Project"), max_length=120)
    owner = forms.ModelChoiceField(queryset=None, label=_("Owner"))

    def __init__(self, *args, resources, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resources"].queryset = resources
        self.fields["owner"].queryset = members
        self.fields["owner"].label_from_instance = lambda m: (
            f"{m.representative} ({m.organisation})"
        )


class ProjectForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"))
    result = forms.CharField(
        label=_("Result"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, ProjectStatus(s).label) for s in statuses]
