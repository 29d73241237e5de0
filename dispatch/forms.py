"""Forms of the street's and the department's pages; they validate input shape only, the
services decide (their ValidationError is put back on the form's fields:
core.forms.apply_service_errors)."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.choices import StationMode
from accounts.duties import list_in_force, suggest
from accounts.models import Community, Department, DutyItem
from core.forms import MultipleImageField
from core.ids import MAX_ID
from whistle.choices import KIND_CATEGORIES, Category, WhistleKind


class DepartmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, department):
        return department.name

    def _check_values(self, value):
        # An id the database cannot hold is not a choice: an error on the field, not an
        # overflow in the driver.
        for pk in value:
            if not str(pk).isdigit() or not 0 < int(pk) <= MAX_ID:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


MODE_BADGE = {StationMode.RESIDENT: "1", StationMode.STATIONED: "4", StationMode.ON_CALL: "N"}


class BlowWhistleForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of whistle"), choices=WhistleKind.choices, widget=forms.RadioSelect
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    title = forms.CharField(label=_("What is the matter"), max_length=120)
    location = forms.CharField(label=_("Where"), max_length=200)
    community = forms.ModelChoiceField(
        label=_("Community or village"),
        queryset=Community.objects.none(),
        required=False,
        empty_label=_("Not specified"),
    )
    latitude = forms.FloatField(
        required=False, widget=forms.HiddenInput, min_value=-90, max_value=90
    )
    longitude = forms.FloatField(
        required=False, widget=forms.HiddenInput, min_value=-180, max_value=180
    )
    description = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = MultipleImageField(label=_("Photos"), required=False)
    # one key per form drawn: a second POST of the same form (a double tap, a retry after a
    # lost answer) finds the whistle the first made instead of blowing another
    idempotency_key = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput, initial=lambda: uuid.uuid4().hex
    )
    # optional: the duty (街道职责清单) the matter falls under, from the street's list in force
    duty_item = forms.ModelChoiceField(
        label=_("Duty item (optional)"),
        queryset=DutyItem.objects.none(),
        required=False,
        empty_label=_("Not specified"),
    )
    departments = DepartmentChoiceField(
        label=_("Departments to summon"),
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Summon at least one department.")},
    )

    def __init__(self, *args, street, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.street = street
        self.fields["community"].queryset = street.communities.order_by("id")
        self.summonable = list(Department.objects.summonable_by(user, street))
        self.fields["departments"].queryset = Department.objects.summonable_by(user, street)
        duty_list = list_in_force(street)
        items = (
            DutyItem.objects.filter(duty_list=duty_list) if duty_list else DutyItem.objects.none()
        )
        self.fields["duty_item"].queryset = items
        self.duty_items = list(items)

    def duty_item_groups(self) -> dict:
        """The select's options: the items answering the chosen category first (建议)."""
        chosen = str(self["duty_item"].value() or "")
        return {
            "suggested": suggest(self.duty_items, self["category"].value()),
            "items": self.duty_items,
            "chosen": chosen,
        }

    def clean(self):
        data = super().clean()
        kind, category = data.get("kind"), data.get("category")
        if kind and category and category not in KIND_CATEGORIES[kind]:
            self.add_error("category", _("This category does not belong to this kind of whistle."))
        return data

    WHISTLE_FIELDS = (
        "kind",
        "category",
        "title",
        "location",
        "description",
        "community",
        "latitude",
        "longitude",
    )

    def whistle_fields(self) -> dict:
        """The cleaned fields as blow_whistle (and blow_from_request) take them."""
        data = self.cleaned_data
        return {
            **{name: data[name] for name in self.WHISTLE_FIELDS},
            "departments": list(data["departments"]),
        }

    @staticmethod
    def kind_categories() -> dict:
        """Each kind's categories with their names, for the page script that narrows the
        category list to the chosen kind."""
        labels = dict(Category.choices)
        return {
            kind: [{"code": c, "name": str(labels[c])} for c in codes]
            for kind, codes in KIND_CATEGORIES.items()
        }

    def blown(self, whistle) -> str:
        """What the page says once the whistle is blown."""
        count = len(self.cleaned_data["departments"])
        return ngettext(
            "Whistle %(number)s blown: %(count)d department summoned.",
            "Whistle %(number)s blown: %(count)d departments summoned.",
            count,
        ) % {"number": whistle.number, "count": count}

    def department_rows(self):
        """The summonable departments with their 1+4+N badge and duty contact, in the order
        1, 4, N, each with whether it is ticked."""
        chosen = {str(v) for v in (self["departments"].value() or [])}
        return [
            {
                "department": d,
                "badge": MODE_BADGE.get(d.mode, "N"),
                "mode": d.mode,
                "checked": str(d.pk) in chosen,
            }
            for d in sorted(self.summonable, key=lambda d: (list(MODE_BADGE).index(d.mode), d.pk))
        ]


class SummonForm(forms.Form):
    departments = DepartmentChoiceField(
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Summon at least one department.")},
    )

    def __init__(self, *args, street, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.summonable_by(user, street)


class ResolveForm(forms.Form):
    summary = forms.CharField(
        label=_("How was it resolved"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why cancel"), max_length=2000)


class AcknowledgeForm(forms.Form):
    responder_name = forms.CharField(label=_("Who goes"), max_length=60)
    responder_phone = forms.CharField(label=_("Their phone"), max_length=30, required=False)


class ArriveForm(forms.Form):
    latitude = forms.FloatField(
        required=False, widget=forms.HiddenInput, min_value=-90, max_value=90
    )
    longitude = forms.FloatField(
        required=False, widget=forms.HiddenInput, min_value=-180, max_value=180
    )
