from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin

from .models import (
    City,
    Community,
    Department,
    DepartmentLeader,
    DispatchedAgency,
    District,
    Membership,
    PowerGrant,
    Station,
    StationedOfficer,
    Street,
    TimelineEvent,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["district", "street", "department"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Contact"), {"fields": ("full_name", "phone")}),
    )
    list_display = ("username", "full_name", "phone", "is_staff", "is_active")
    search_fields = ("username", "full_name", "phone")
    inlines = [MembershipInline]


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ("name",)


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "city")
    search_fields = ("name",)


class CommunityInline(admin.TabularInline):
    model = Community
    extra = 0


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ("name", "district", "kind", "short_name", "committee")
    list_filter = ("district", "kind")
    search_fields = ("name", "short_name")
    list_select_related = ("district", "committee")
    inlines = [CommunityInline]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "street")
    list_filter = ("kind", "street__district")
    search_fields = ("name", "street__name")
    list_select_related = ("street",)
    autocomplete_fields = ["street"]


class LeaderInline(admin.TabularInline):
    model = DepartmentLeader
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "district", "kind")
    list_filter = ("district", "kind")
    search_fields = ("name",)
    list_select_related = ("district",)
    inlines = [LeaderInline]


@admin.register(DepartmentLeader)
class DepartmentLeaderAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "phone", "department")
    search_fields = ("name", "department__name")
    list_select_related = ("department",)
    autocomplete_fields = ["department", "user"]


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ("street", "department", "mode", "duty_contact", "duty_phone")
    list_filter = ("mode", "street__district")
    search_fields = ("street__name", "department__name", "duty_contact")
    list_select_related = ("street", "department")
    autocomplete_fields = ["street", "department"]


@admin.register(DispatchedAgency)
class DispatchedAgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "department", "street", "leader_name", "leader_phone")
    list_filter = ("street__district",)
    search_fields = ("name", "leader_name")
    list_select_related = ("street", "department")
    autocomplete_fields = ["street", "department"]


@admin.register(StationedOfficer)
class StationedOfficerAdmin(admin.ModelAdmin):
    list_display = ("name", "position", "department", "street", "staffing", "active")
    list_filter = ("active", "street__district")
    search_fields = ("name", "department__name", "street__name")
    list_select_related = ("street", "department")
    autocomplete_fields = ["street", "department", "user"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "city", "district", "street", "department")
    list_filter = ("role",)
    search_fields = ("user__username", "user__full_name")
    list_select_related = ("user", "city", "district", "street", "department")
    autocomplete_fields = ["user", "district", "street", "department"]


class PowerGrantForm(forms.ModelForm):
    class Meta:
        model = PowerGrant
        fields = ("street", "power", "note")

    def clean(self):
        data = super().clean()
        street, power = data.get("street"), data.get("power")
        if (
            street
            and power
            and PowerGrant.objects.filter(street=street, power=power, revoked_at=None).exists()
        ):
            raise forms.ValidationError(
                _("%(street)s already holds this power.") % {"street": street.name}
            )
        return data


@admin.register(PowerGrant)
class PowerGrantAdmin(admin.ModelAdmin):
    """Grants are added here or on the grants page, through the service (which keeps the
    object permissions in step and records the event); they are revoked, never edited or
    deleted: the record is the history."""

    form = PowerGrantForm
    list_display = ("street", "power", "granted_by", "granted_at", "revoked_by", "revoked_at")
    list_filter = ("power", "street__district", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("street__name",)
    list_select_related = ("street", "granted_by", "revoked_by")
    autocomplete_fields = ["street"]
    readonly_fields = (
        "granted_by",
        "granted_at",
        "revoked_by",
        "revoked_at",
        "revoke_reason",
    )
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        from .services import grant_power

        granted = grant_power(
            request.user, form.cleaned_data["street"], form.cleaned_data["power"], obj.note
        )
        obj.pk = granted.pk

    @admin.action(description=_("Revoke the selected grants"))
    def revoke(self, request, queryset):
        from .services import revoke_power

        count = 0
        for grant in queryset.filter(revoked_at=None).select_related("street__district"):
            try:
                revoke_power(request.user, grant, _("Revoked in the administration"))
            except PermissionDenied:
                continue
            count += 1
        self.message_user(
            request, _("%(count)d grants revoked.") % {"count": count}, messages.SUCCESS
        )


@admin.register(TimelineEvent)
class TimelineEventAdmin(ReadOnlyAdmin):
    """Append-only: read here, written by the services."""

    list_display = ("at", "type", "street", "subject_type", "subject_id", "actor")
    list_filter = ("type",)
    list_select_related = ("street", "subject_type", "actor")
