"""The duty list's pages (街道职责清单): the versions, one version with its sections, items, role
badges and shares, and the import (docs/duties.md)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import apply_service_errors

from . import duties
from .dutyimport import ImportFileError, import_duty_list
from .models import DutyItem, DutySection


@login_required
def duty_lists(request):
    lists = duties.lists_visible_to(request.user).annotate(item_count=Count("items"))
    return render(
        request,
        "accounts/duty_lists.html",
        {
            "lists": lists.order_by("district_id", "-effective_from", "-id"),
            "may_import": bool(duties.publishable_districts(request.user)),
            "today": duties.today(),
        },
    )


@login_required
def duty_list_detail(request, pk):
    duty_list = get_object_or_404(
        duties.lists_visible_to(request.user).prefetch_related(
            Prefetch(
                "sections",
                DutySection.objects.prefetch_related(
                    Prefetch("items", DutyItem.objects.order_by("number"))
                ),
            )
        ),
        pk=pk,
    )
    sections = list(duty_list.sections.all())
    items = [i for s in sections for i in s.items.all()]
    return render(
        request,
        "accounts/duty_list_detail.html",
        {
            "duty_list": duty_list,
            "sections": sections,
            "item_count": len(items),
            "shares": duties.role_shares(items),
        },
    )


class DutyImportForm(forms.Form):
    unit = forms.ChoiceField(label=gettext_lazy("Published for"))
    version = forms.CharField(label=gettext_lazy("Version"), max_length=30)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=100)
    effective_from = forms.DateField(
        label=gettext_lazy("In force from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {("" if u is None else str(u.pk)): u for u in units}
        self.fields["unit"].choices = [
            ("" if u is None else str(u.pk), _("北京市 (the city's list)") if u is None else u.name)
            for u in units
        ]
        self.fields["unit"].required = False


@login_required
def duty_import(request):
    units = duties.publishable_districts(request.user)
    if not units:
        raise PermissionDenied(
            _("Only the city and the districts' administrators publish duty lists.")
        )
    form = DutyImportForm(request.POST or None, request.FILES or None, units=units)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = import_duty_list(
                data["file"],
                actor=request.user,
                district=form.units.get(data["unit"] or ""),
                version=data["version"],
                title=data["title"],
                effective_from=data["effective_from"],
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if result.errors:
                row_errors = result.errors
                form.add_error(
                    "file",
                    _("%(count)d problems: nothing was saved.") % {"count": len(row_errors)},
                )
            else:
                messages.success(request, _("Duty list published."))
                return redirect("org:duty-list", pk=result.duty_list.pk)
    return render(request, "accounts/duty_import.html", {"form": form, "row_errors": row_errors})
