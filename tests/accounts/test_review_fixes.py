"""Edge cases found in review: each of these once answered 500 or leaked a power."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.models import Department, Membership, Street
from accounts.orgimport import import_org
from tests.factories import DistrictFactory, MembershipFactory, StreetFactory, UserFactory


@pytest.mark.django_db
def test_a_next_pointing_at_the_sign_in_page_goes_home_instead_of_looping(demo):
    client = Client()
    client.force_login(demo["street_longtan"])
    answer = client.get("/accounts/login/?next=/accounts/login/")
    assert answer.status_code == 302 and answer["Location"] == "/"


@pytest.mark.django_db
@pytest.mark.empty_db
def test_renaming_a_street_renames_its_committee_and_frees_the_name():
    district = DistrictFactory(name="平谷区")
    street = StreetFactory(district=district, name="滨河街道")
    group = street.committee
    street.name = "滨河新街道"
    street.save()
    group.refresh_from_db()
    assert group.name == "平谷区滨河新街道党工委"
    newcomer = StreetFactory(district=district, name="滨河街道")
    assert newcomer.committee_id != group.pk
    assert newcomer.committee.name == "平谷区滨河街道党工委"


@pytest.mark.django_db
def test_a_committee_group_edited_by_hand_follows_the_memberships_again():
    street = StreetFactory()
    member, outsider = UserFactory(), UserFactory()
    MembershipFactory(user=member, role=Role.COMMITTEE_MEMBER, street=street)
    street.committee.user_set.add(outsider)
    member.groups.remove(street.committee)
    assert set(street.committee.user_set.all()) == {member}
    street.committee.user_set.clear()
    assert set(street.committee.user_set.all()) == {member}


@pytest.mark.django_db
def test_a_city_departments_dispatcher_sees_its_department():
    department = Department.objects.create(name="市级测试局", kind="functional")
    user = UserFactory()
    Membership.objects.create(user=user, role=Role.DEPARTMENT_DISPATCHER, department=department)
    client = APIClient()
    client.force_authenticate(user)
    assert client.get(f"/api/v1/departments/{department.pk}/").status_code == 200


@pytest.mark.django_db
def test_the_schema_documents_the_mode_of_stationed_departments():
    schema = APIClient().get("/api/schema/").content.decode()
    department = schema[schema.index("    Department:") :][:3000]
    for field in ("mode:", "station:", "duty_contact:", "duty_phone:"):
        assert field in department


@pytest.mark.django_db
@pytest.mark.empty_db
def test_seed_demo_refuses_a_known_superuser_password_in_production(settings):
    settings.DEBUG = False
    settings.DEMO_PASSWORD_SET = False
    with pytest.raises(CommandError, match="DEMO_PASSWORD"):
        call_command("seed_demo", verbosity=0)
    assert not Street.objects.exists()


@pytest.mark.django_db
def test_guessing_passwords_through_the_token_endpoint_is_locked_out(demo, settings):
    import secrets

    assert settings.AXES_FAILURE_LIMIT == 10
    # counted per address too: a fresh one, so no other test's tries count
    client = APIClient(REMOTE_ADDR=f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.7")
    answers = [
        client.post(
            "/api/v1/auth/token/", {"username": "admin", "password": f"guess{i}"}
        ).status_code
        for i in range(12)
    ]
    assert answers[:9] == [400] * 9
    assert answers[9:] == [429] * 3  # the tenth failure locks (docs/security.md)


@pytest.mark.django_db
def test_api_not_found_is_translated(demo):
    client = APIClient()
    client.force_authenticate(demo["street_jinhaihu"])
    answer = client.get("/api/v1/departments/999999/")
    assert answer.status_code == 404
    assert answer.json()["detail"] == "未找到。"


@pytest.mark.django_db
def test_control_characters_in_an_import_are_a_line_error(tmp_path):
    path = tmp_path / "org.csv"
    path.write_text("type,district\ndistrict,平谷\x00区\n", encoding="utf-8")
    result = import_org(path)
    assert [e.line for e in result.errors] == [2]
    assert "控制字符" in str(result.errors[0])  # the message, in the default language
