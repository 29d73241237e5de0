"""Forms of the evaluation pages. They check the shape of the input only; the services decide
(their ValidationError goes back on the fields with core.forms.apply_service_errors)."""

from django import forms
from django.utils.translation import gettext_lazy as _

RATINGS = [(n, str(n)) for n in range(1, 6)]
RATING_ERRORS = {
    "required": _("Give a rating from 1 to 5."),
    "invalid_choice": _("Give a rating from 1 to 5."),
}


class RatingField(forms.TypedChoiceField):
    widget = forms.RadioSelect

    def __init__(self, **kwargs):
        super().__init__(choices=RATINGS, coerce=int, error_messages=RATING_ERRORS, **kwargs)


class EvaluateForm(forms.Form):
    """One form per check-in on the whistle's page: `auto_id` keeps the ids unique there."""

    response = RatingField(
        label=_("Response"), help_text=_("How fast and how well it answered the whistle.")
    )
    cooperation = RatingField(
        label=_("Cooperation"), help_text=_("How it worked with the street and the others.")
    )
    result = RatingField(label=_("Result"), help_text=_("What it achieved on the matter."))
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    veto = forms.BooleanField(label=_("Veto this department on this whistle"), required=False)
    veto_reason = forms.CharField(
        label=_("Reason for the veto"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, check_in_id, **kwargs):
        kwargs.setdefault("auto_id", f"c{check_in_id}-%s")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("veto") and not (data.get("veto_reason") or "").strip():
            self.add_error("veto_reason", _("A veto needs its reason."))
        return data


DECISIONS = [("uphold", _("Uphold the veto")), ("overturn", _("Overturn the veto"))]


class VetoReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=DECISIONS,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say whether the veto is upheld."),
            "invalid_choice": _("Say whether the veto is upheld."),
        },
    )
    reason = forms.CharField(
        label=_("Reason of the review"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason of the review.")},
    )


class AdjustForm(forms.Form):
    adjusted_score = forms.DecimalField(
        label=_("Adjusted score"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
        error_messages={"required": _("The adjusted score is a number from 0 to 100.")},
    )
    reason = forms.CharField(
        label=_("Reason for the adjustment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for the adjustment.")},
    )
