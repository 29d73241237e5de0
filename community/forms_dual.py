"""双报到's forms: they check the shape of the input; the services in community.dual decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Community

from .choices import NeedCategory, SpaceKind, UnitKind
from .forms import LOCAL_DT, _dt_input
from .models import PartyUnit

DT_FORMATS = [LOCAL_DT, "%Y-%m-%d %H:%M"]


class RegisterMemberForm(forms.Form):
    """Phone first: the community where the member lives (of the street chosen first), the
    employer by its registered name, the member's name and phone."""

    community = forms.ModelChoiceField(queryset=Community.objects.none(), label=_("Community"))
    employer = forms.CharField(
        label=_("Your employer (its registered name)"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "units", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_("Your name"), max_length=60)
    phone = forms.CharField(
        label=_("Phone"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    address = forms.CharField(label=_("Address (optional)"), max_length=200, required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities

    def clean_employer(self):
        name = self.cleaned_data["employer"].strip()
        unit = PartyUnit.objects.filter(name=name).first()
        if unit is None:
            raise forms.ValidationError(
                _("No registered unit has this name: ask your unit's party organisation.")
            )
        return unit


class MoveForm(forms.Form):
    community = forms.ModelChoiceField(queryset=Community.objects.none(), label=_("New community"))

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class RegisterUnitForm(forms.Form):
    name = forms.CharField(label=_("Unit"), max_length=100)
    party_organisation = forms.CharField(label=_("Party organisation"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    central = forms.BooleanField(label=_("Central unit"), required=False)
    contact_name = forms.CharField(label=_("Contact"), max_length=60)
    contact_phone = forms.CharField(label=_("Contact's phone"), max_length=30)


class SpaceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=SpaceKind.choices)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    capacity = forms.IntegerField(
        label=_("Capacity"), min_value=1, max_value=10_000, required=False
    )


class NeedForm(forms.Form):
    title = forms.CharField(label=_("Need"), max_length=120)
    category = forms.ChoiceField(label=_("Category"), choices=NeedCategory.choices)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2})
    )


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Activity"), max_length=120)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=_dt_input(), input_formats=DT_FORMATS)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=_dt_input(), input_formats=DT_FORMATS)
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=10_000)
    space = forms.ModelChoiceField(queryset=None, label=_("Space"), required=False)
    place = forms.CharField(label=_("Or another place"), max_length=200, required=False)
    need = forms.ModelChoiceField(queryset=None, label=_("Answers the need"), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = community.culture_spaces.order_by("name")
        self.fields["need"].queryset = community.needs.filter(closed_at=None).order_by(
            "-published_at"
        )


class CheckInForm(forms.Form):
    hours = forms.DecimalField(
        label=_("Hours"), min_value=0.1, max_value=24, decimal_places=1, required=False
    )
