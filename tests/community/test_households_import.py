"""Household counts from a file: all rows or none, every bad row named."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from community.households import import_households
from community.models import HouseholdCount

pytestmark = pytest.mark.django_db


def _csv(text: str, name="households.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), "text/csv")


def test_a_good_file_sets_every_count(demo, longtan):
    result = import_households(
        demo["street_longtan"],
        longtan,
        _csv("社区,年份,户数\n光明社区,2025,870\n夕照寺社区,2025,1190\n"),
    )
    assert result.ok and result.saved == 2
    count = HouseholdCount.objects.get(community__name="光明社区", year=2025)
    assert count.households == 870 and count.source == "imported"


def test_an_xlsx_file_works_too(demo, longtan):
    book = Workbook()
    sheet = book.active
    sheet.append(["community", "year", "households"])
    sheet.append(["龙潭北里社区", 2025, 1400])
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("h.xlsx", data.getvalue())
    assert import_households(demo["street_longtan"], longtan, upload).saved == 1


def test_bad_rows_are_named_and_nothing_is_saved(demo, longtan):
    before = list(HouseholdCount.objects.values_list("pk", "households"))
    text = (
        "社区,年份,户数\n"
        "光明社区,2025,870\n"  # good, but the file fails: not saved
        "海子村,2025,300\n"  # a village of 金海湖镇
        "夕照寺社区,twenty,100\n"
        "板厂南里社区,2025,0\n"
        "光明社区,2025,880\n"  # the same community and year again
    )
    result = import_households(demo["street_longtan"], longtan, _csv(text))
    assert not result.ok and result.saved == 0
    messages = [str(e) for e in result.errors]
    assert [e.line for e in result.errors] == [3, 4, 5, 6]
    assert "海子村" in messages[0]  # not a community of the street
    # line 6 names line 2, the first 光明社区 2025 (whatever the language)
    assert re.findall(r"[0-9]+", messages[3].replace("2025", "")) == ["6", "2"]
    assert list(HouseholdCount.objects.values_list("pk", "households")) == before


def test_a_missing_column_and_an_unknown_one(demo, longtan):
    result = import_households(
        demo["street_longtan"], longtan, _csv("社区,户数,备注x\n光明社区,1,\n")
    )
    assert {e.line for e in result.errors} == {1} and len(result.errors) == 2


def test_through_the_page_and_the_api(client, demo, longtan):
    client.force_login(demo["street_longtan"])
    url = f"/frontline/streets/{longtan.pk}/households/"
    answer = client.post(url, {"file": _csv("社区,年份,户数\n光明社区,2024,800\n")})
    assert answer.status_code == 302
    assert HouseholdCount.objects.filter(community__name="光明社区", year=2024).exists()
    page = client.post(url, {"file": _csv("社区,年份,户数\n无此社区,2024,800\n")})
    assert page.status_code == 200 and "无此社区" in page.content.decode()
    api = client.post(
        "/api/v1/household-counts/import/",
        {"street": longtan.pk, "file": _csv("社区,年份,户数\n无此社区,2024,800\n")},
    )
    assert api.status_code == 400 and "file" in api.json()
    ok = client.post(
        "/api/v1/household-counts/import/",
        {"street": longtan.pk, "file": _csv("社区,年份,户数\n光明社区,2023,790\n")},
    )
    assert ok.status_code == 200 and ok.json() == {"saved": 1}
    client.force_login(demo["chief_longtan"])
    assert client.get(url).status_code == 404  # the street's office page: not the chief's
    client.force_login(demo["district_dongcheng"])
    assert client.get(url).status_code == 403  # seen by the district, imported by the street
    client.force_login(demo["street_jinhaihu"])
    assert client.get(url).status_code == 404
