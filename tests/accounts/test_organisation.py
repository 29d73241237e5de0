import pytest
from django.db import IntegrityError, transaction

from accounts.choices import Role
from accounts.models import Department, District, Membership, Street, street_short_name
from accounts.scope import scope_of
from tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    StreetFactory,
    UserFactory,
)


@pytest.mark.parametrize(
    ("name", "short"),
    [("金海湖镇", "金海湖"), ("龙潭街道", "龙潭"), ("熊儿寨乡", "熊儿寨"), ("渔阳地区", "渔阳")],
)
def test_the_short_name_drops_the_suffix(name, short):
    assert street_short_name(name) == short


@pytest.mark.django_db
def test_a_membership_must_name_the_unit_of_its_role():
    user = UserFactory()
    street = StreetFactory()
    department = DepartmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.DEPARTMENT_DISPATCHER, street=street)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=user, role=Role.STREET_OFFICIAL, street=street, department=department
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.DISTRICT_REVIEWER)
    Membership.objects.create(user=user, role=Role.DEPARTMENT_DISPATCHER, department=department)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.DEPARTMENT_DISPATCHER, department=department)


@pytest.mark.django_db
def test_the_committee_group_follows_the_committee_memberships():
    street, other = StreetFactory(), StreetFactory()
    user = UserFactory()
    MembershipFactory(user=user, role=Role.STREET_OFFICIAL, street=street)
    assert not street.committee.user_set.exists()
    membership = MembershipFactory(user=user, role=Role.COMMITTEE_MEMBER, street=street)
    assert list(street.committee.user_set.all()) == [user]
    membership.street = other  # moved to another street's committee, e.g. in the admin
    membership.save()
    assert not street.committee.user_set.exists()
    assert list(other.committee.user_set.all()) == [user]
    membership.delete()
    assert not other.committee.user_set.exists()
    assert Membership.objects.filter(user=user).count() == 1  # the official role stays


@pytest.mark.django_db
def test_scope_covers_the_districts_a_person_works_in():
    street = StreetFactory()
    own_district = street.district
    other_street = StreetFactory()
    user = UserFactory()
    MembershipFactory(user=user, role=Role.STREET_OFFICIAL, street=street)
    scope = scope_of(user)
    assert scope.street_ids == {street.pk}
    assert scope.home_district_ids == {own_district.pk}
    assert scope.has_role(Role.STREET_OFFICIAL, street.pk)
    assert not scope.has_role(Role.COMMITTEE_MEMBER)
    assert set(Street.objects.visible_to(user)) == set(own_district.streets.all())
    assert other_street not in Street.objects.visible_to(user)
    assert list(District.objects.visible_to(user)) == [own_district]


@pytest.mark.django_db
def test_a_dispatcher_sees_its_departments_district_and_city_departments():
    department = DepartmentFactory()
    city_department = Department.objects.create(name="市级部门", kind="functional")
    elsewhere = DepartmentFactory()
    user = UserFactory()
    Membership.objects.create(user=user, role=Role.DEPARTMENT_DISPATCHER, department=department)
    visible = set(Department.objects.visible_to(user))
    assert department in visible and city_department in visible
    assert elsewhere not in visible


@pytest.mark.django_db
def test_nobody_without_a_role_sees_anything_and_an_inactive_user_neither():
    StreetFactory.create_batch(2)
    nobody = UserFactory()
    assert not Street.objects.visible_to(nobody).exists()
    assert not Department.objects.visible_to(nobody).exists()
    street = StreetFactory()
    gone = UserFactory(is_active=False)
    MembershipFactory(user=gone, role=Role.STREET_OFFICIAL, street=street)
    assert not Street.objects.visible_to(gone).exists()
