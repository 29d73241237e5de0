from rest_framework import serializers

from .choices import StationMode
from .models import Department, District, Membership, Street, User


class RoleSerializer(serializers.ModelSerializer):
    unit_type = serializers.CharField(read_only=True)
    unit_id = serializers.IntegerField(read_only=True)
    unit_name = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["role", "unit_type", "unit_id", "unit_name"]

    def get_unit_name(self, membership) -> str:
        return membership.unit.name


class MeSerializer(serializers.ModelSerializer):
    roles = RoleSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "is_superuser", "roles"]


class DistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["id", "name", "code"]


class StreetSerializer(serializers.ModelSerializer):
    district_name = serializers.CharField(source="district.name", read_only=True)

    class Meta:
        model = Street
        fields = ["id", "name", "short_name", "kind", "district", "district_name"]


class DepartmentSerializer(serializers.ModelSerializer):
    """A department; listed with `?street=`, also its station there: the 1+4+N `mode`, the
    station id and the duty contact (null otherwise)."""

    district_name = serializers.CharField(
        source="district.name", read_only=True, default=None, allow_null=True
    )
    mode = serializers.ChoiceField(
        choices=StationMode.choices, read_only=True, allow_null=True, default=None
    )
    station = serializers.IntegerField(
        source="station_id", read_only=True, allow_null=True, default=None
    )
    duty_contact = serializers.CharField(read_only=True, allow_null=True, default=None)
    duty_phone = serializers.CharField(read_only=True, allow_null=True, default=None)

    class Meta:
        model = Department
        fields = [
            "id",
            "name",
            "kind",
            "district",
            "district_name",
            "mode",
            "station",
            "duty_contact",
            "duty_phone",
        ]
