"""factory_boy factories for the organisation; tests build data through them or services."""

import factory
from factory.django import DjangoModelFactory

from accounts import models
from accounts.choices import DepartmentKind, Role, StationMode, StreetKind


class CityFactory(DjangoModelFactory):
    class Meta:
        model = models.City
        django_get_or_create = ("name",)

    name = "北京市"


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = models.District

    city = factory.SubFactory(CityFactory)
    name = factory.Sequence(lambda n: f"测试{n}区")


class StreetFactory(DjangoModelFactory):
    class Meta:
        model = models.Street

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"测试{n}街道")
    kind = StreetKind.SUBDISTRICT


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = models.Community

    street = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"测试{n}社区")


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = models.Department

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"测试{n}局")
    kind = DepartmentKind.FUNCTIONAL


class StationFactory(DjangoModelFactory):
    class Meta:
        model = models.Station

    street = factory.SubFactory(StreetFactory)
    department = factory.SubFactory(
        DepartmentFactory, district=factory.SelfAttribute("..street.district")
    )
    mode = StationMode.ON_CALL
    duty_contact = factory.Sequence(lambda n: f"值班员{n}")
    duty_phone = factory.Sequence(lambda n: f"010-6{n:07d}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = models.User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-2026")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = models.Membership

    user = factory.SubFactory(UserFactory)
    role = Role.STREET_OFFICIAL
    street = factory.SubFactory(StreetFactory)
