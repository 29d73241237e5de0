"""import_org: a district loads its own organisation from CSV or XLSX, all or nothing."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import translation

from accounts.choices import CommunityKind, DepartmentKind, StationMode, StreetKind
from accounts.models import City, Community, Department, District, Station, Street
from accounts.orgimport import import_org
from tests.factories import DepartmentFactory, StreetFactory

# the organisation is imported into an empty database: these tests count what it made
pytestmark = pytest.mark.empty_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "org-example.csv"

HEADER = (
    "type,district,district_code,street,street_kind,community,community_kind,"
    "department,department_kind,mode,duty_contact,duty_phone,note"
)
# Stations and communities come before the streets and departments they name: references
# may point anywhere in the file.
GOOD_ROWS = [
    "station,平谷区,,金海湖镇,,,,平谷公安分局,,4,李志强,13800000102,",
    "station,平谷区,,金海湖镇,,,,平谷区城管执法局,,1,王建军,010-69991234,",
    "station,平谷区,,熊儿寨乡,,,,平谷区规划国土,,N,郭芳,13800000203,",
    "community,平谷区,,金海湖镇,,海子村,,,,,,,",
    "community,平谷区,,金海湖镇,,金海湖社区,,,,,,,",
    "community,平谷区,,渔阳地区,,北小区,community,,,,,,",
    "district,平谷区,110117,,,,,,,,,,",
    "street,平谷区,,金海湖镇,,,,,,,,,",
    "street,平谷区,,熊儿寨乡,,,,,,,,,",
    "street,平谷区,,渔阳地区,subdistrict,,,,,,,,",
    "department,平谷区,,,,,,平谷区城管执法局,enforcement,,,,",
    "department,平谷区,,,,,,平谷公安分局,执法,,,,",
    "department,平谷区,,,,,,平谷区规划国土,functional,,,,",
]


@pytest.fixture(autouse=True)
def english():
    # The assertions read the English messages, whatever LANGUAGE_CODE says.
    with translation.override("en"):
        yield


def write_csv(tmp_path, rows, name="org.csv", encoding="utf-8", header=HEADER):
    path = tmp_path / name
    path.write_bytes("\n".join([header, *rows]).encode(encoding) + b"\n")
    return path


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_org", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(path, *args):
    """The command's CommandError message and what it printed to stderr before it."""
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_org", str(path), *args, stdout=io.StringIO(), stderr=err)
    return str(exc.value), err.getvalue()


def snapshot():
    """Everything the import can write, as plain values."""
    return {
        "cities": list(City.objects.values_list("name")),
        "districts": list(District.objects.values_list("id", "name", "code", "city_id")),
        "streets": list(
            Street.objects.values_list(
                "id", "district_id", "name", "kind", "short_name", "committee_id"
            )
        ),
        "communities": list(Community.objects.values_list("id", "street_id", "name", "kind")),
        "departments": list(Department.objects.values_list("id", "district_id", "name", "kind")),
        "stations": list(
            Station.objects.values_list(
                "id", "street_id", "department_id", "mode", "duty_contact", "duty_phone"
            )
        ),
        "groups": list(Group.objects.values_list("id", "name")),
    }


def assert_nothing_saved():
    for model in (City, District, Street, Community, Department, Station, Group):
        assert model.objects.count() == 0, model


@pytest.mark.django_db
def test_good_csv_loads_everything(tmp_path):
    out, err = run(write_csv(tmp_path, GOOD_ROWS))

    assert err == ""
    district = District.objects.get()
    assert (district.name, district.code, district.city.name) == ("平谷区", "110117", "北京市")
    streets = {s.name: s for s in Street.objects.all()}
    # Kinds come from the name's suffix, or from street_kind where 地区 says nothing.
    assert {n: s.kind for n, s in streets.items()} == {
        "金海湖镇": StreetKind.TOWN,
        "熊儿寨乡": StreetKind.TOWNSHIP,
        "渔阳地区": StreetKind.SUBDISTRICT,
    }
    # Street.save() ran: short name and the party-committee group.
    assert streets["金海湖镇"].short_name == "金海湖"
    assert streets["金海湖镇"].committee.name == "平谷区金海湖镇党工委"
    assert Group.objects.count() == 3
    assert {(c.street.name, c.name, c.kind) for c in Community.objects.all()} == {
        ("金海湖镇", "海子村", CommunityKind.VILLAGE),
        ("金海湖镇", "金海湖社区", CommunityKind.COMMUNITY),
        ("渔阳地区", "北小区", CommunityKind.COMMUNITY),
    }
    assert dict(Department.objects.values_list("name", "kind")) == {
        "平谷区城管执法局": DepartmentKind.ENFORCEMENT,
        "平谷公安分局": DepartmentKind.ENFORCEMENT,
        "平谷区规划国土": DepartmentKind.FUNCTIONAL,
    }
    assert set(
        Station.objects.values_list(
            "street__name", "department__name", "mode", "duty_contact", "duty_phone"
        )
    ) == {
        ("金海湖镇", "平谷公安分局", StationMode.STATIONED, "李志强", "13800000102"),
        ("金海湖镇", "平谷区城管执法局", StationMode.RESIDENT, "王建军", "010-69991234"),
        ("熊儿寨乡", "平谷区规划国土", StationMode.ON_CALL, "郭芳", "13800000203"),
    }
    assert "street: 3 created, 0 updated, 0 unchanged" in out
    assert "station: 3 created, 0 updated, 0 unchanged" in out


@pytest.mark.django_db
def test_importing_twice_changes_nothing(tmp_path):
    path = write_csv(tmp_path, GOOD_ROWS)
    run(path)
    before = snapshot()

    out, _err = run(path)

    assert snapshot() == before
    assert "community: 0 created, 0 updated, 3 unchanged" in out
    assert "station: 0 created, 0 updated, 3 unchanged" in out


@pytest.mark.django_db
def test_existing_records_are_updated_not_duplicated(tmp_path):
    run(write_csv(tmp_path, GOOD_ROWS))
    station = Station.objects.get(department__name="平谷公安分局")
    rows = [
        "street,平谷区,,熊儿寨乡,town,,,,,,,,",
        "station,平谷区,,金海湖镇,,,,平谷公安分局,,N,新值班员,13900000000,",
    ]

    out, _err = run(write_csv(tmp_path, rows, name="update.csv"))

    assert Street.objects.count() == 3
    assert Street.objects.get(name="熊儿寨乡").kind == StreetKind.TOWN
    station.refresh_from_db()
    assert (station.mode, station.duty_contact, station.duty_phone) == (
        StationMode.ON_CALL,
        "新值班员",
        "13900000000",
    )
    assert Station.objects.count() == 3
    assert "street: 0 created, 1 updated, 0 unchanged" in out


@pytest.mark.django_db
def test_rows_may_name_records_already_in_the_database(tmp_path):
    street = StreetFactory(name="龙潭街道", district__name="东城区")
    DepartmentFactory(name="东城区城管执法局", district=street.district)
    rows = [
        "community,东城区,,龙潭街道,,夕照寺社区,,,,,,,",
        "station,东城区,,龙潭街道,,,,东城区城管执法局,,resident,赵立新,13800000001,",
    ]

    run(write_csv(tmp_path, rows))

    assert Community.objects.get().street == street
    assert Station.objects.get().street == street
    assert Street.objects.count() == 1
    assert District.objects.count() == 1


@pytest.mark.django_db
def test_the_documented_example_loads():
    out, _err = run(EXAMPLE)

    assert Street.objects.get(name="渔阳地区").kind == StreetKind.SUBDISTRICT
    jinhaihu = Street.objects.get(name="金海湖镇")
    assert jinhaihu.communities.count() == 5
    # The whole 1+4+N of the origin township.
    assert sorted(jinhaihu.stations.values_list("mode", flat=True)) == sorted(
        [StationMode.RESIDENT] + [StationMode.STATIONED] * 4 + [StationMode.ON_CALL] * 4
    )
    assert "Import done." in out


@pytest.mark.django_db
def test_good_xlsx_loads(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        ["类型", "区", "街乡", "社区", "部门", "部门类型", "模式", "值班联系人", "值班电话"]
    )
    sheet.append(["区", "平谷区"])
    sheet.append([])  # an empty row is skipped
    sheet.append(["街乡", "平谷区", "金海湖镇"])
    sheet.append(["社区", "平谷区", "金海湖镇", "上宅村"])
    sheet.append(["部门", "平谷区", None, None, "平谷公安分局", "执法"])
    # A phone typed as a number, a mode typed as the number 4.
    sheet.append(
        ["station", "平谷区", "金海湖镇", None, "平谷公安分局", None, 4, "李志强", 13800000102]
    )
    path = tmp_path / "org.xlsx"
    workbook.save(path)

    run(path)

    assert Street.objects.get().kind == StreetKind.TOWN
    assert Community.objects.get().kind == CommunityKind.VILLAGE
    station = Station.objects.get()
    assert (station.mode, station.duty_phone) == (StationMode.STATIONED, "13800000102")


@pytest.mark.django_db
def test_xlsx_merged_cells_and_sheet_row_numbers(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["type", "district", "street"])
    sheet.append([])
    sheet.append(["district", "平谷区"])
    sheet.append(["street", "平谷区", "金海湖镇"])
    sheet.append(["street", None, "峪口镇"])
    sheet.append(["street", "平谷区", "某某地区"])
    sheet.merge_cells("B4:B5")  # one district cell over two streets
    path = tmp_path / "org.xlsx"
    workbook.save(path)

    message, err = run_failing(path)

    # Row 6 of the sheet (the empty row 2 still counts).
    assert err.splitlines() == [
        'line 6: street: cannot tell the kind of "某某地区" from its name; fill in street_kind'
    ]
    assert "1 bad row; nothing was saved." in message
    assert_nothing_saved()

    sheet["C6"] = "渔阳镇"
    workbook.save(path)
    run(path)
    assert set(Street.objects.values_list("name", flat=True)) == {"金海湖镇", "峪口镇", "渔阳镇"}


@pytest.mark.django_db
def test_one_bad_row_in_the_middle_saves_nothing(tmp_path):
    # The note on the second row spans two physical lines: line numbers are physical lines.
    rows = [
        *GOOD_ROWS[6:9],
        'street,平谷区,,滨河街道,,,,,,,,,"a note',
        'over two lines"',
        "station,平谷区,,xx,,,,平谷公安分局,,4,李志强,13800000102,",
        *GOOD_ROWS[9:],
        *GOOD_ROWS[:6],
    ]
    path = write_csv(tmp_path, rows)

    message, err = run_failing(path)

    assert err.splitlines() == ['line 7: station: unknown street "xx" in 平谷区']
    assert message == "1 bad row; nothing was saved."
    assert_nothing_saved()


@pytest.mark.django_db
def test_gbk_encoded_csv(tmp_path):
    path = write_csv(tmp_path, GOOD_ROWS, encoding="gbk")
    run(path)
    assert set(Street.objects.values_list("name", flat=True)) == {
        "金海湖镇",
        "熊儿寨乡",
        "渔阳地区",
    }
    assert Station.objects.filter(duty_contact="郭芳").exists()


@pytest.mark.django_db
def test_csv_with_excel_bom(tmp_path):
    path = write_csv(tmp_path, GOOD_ROWS, encoding="utf-8-sig")
    run(path)
    assert District.objects.get().name == "平谷区"


@pytest.mark.django_db
def test_missing_required_column(tmp_path):
    header = "type,district,street,department,mode,duty_contact"
    rows = [
        "district,平谷区",
        "street,平谷区,金海湖镇",
        "department,平谷区,,平谷公安分局",
        "station,平谷区,金海湖镇,平谷公安分局,4,",
    ]
    path = write_csv(tmp_path, rows, header=header)

    message, err = run_failing(path)

    assert err.splitlines() == [
        "line 4: department: missing department_kind (the header has no column department_kind)",
        "line 5: station: missing duty_contact, duty_phone (the header has no column duty_phone)",
    ]
    assert message == "2 bad rows; nothing was saved."
    assert_nothing_saved()


ROW_ERRORS = [
    ("site,平谷区,,,,,,,,,,,", 'unknown type "site"'),
    (",平谷区,,,,,,,,,,,", "missing type"),
    ("street,平谷区,,峪口镇,city,,,,,,,,", 'street: unknown street_kind "city"'),
    ("community,平谷区,,金海湖镇,,海子,,,,,,,", 'cannot tell the kind of "海子"'),
    ("community,平谷区,,金海湖镇,,上宅村,hamlet,,,,,,", 'unknown community_kind "hamlet"'),
    ("department,平谷区,,,,,,平谷区文旅局,cultural,,,,", 'unknown department_kind "cultural"'),
    ("station,平谷区,,熊儿寨乡,,,,平谷公安分局,,5,李志强,13800000102,", 'unknown mode "5"'),
    (
        "station,平谷区,,熊儿寨乡,,,,平谷公安分局,,4,李志强,1.38E+10,",
        "turned into a number by Excel",
    ),
    ("street,东城区,,龙潭街道,,,,,,,,,", 'street: unknown district "东城区"'),
    ("community,平谷区,,峪口镇,,西营村,,,,,,,", 'community: unknown street "峪口镇" in 平谷区'),
    (
        "station,平谷区,,金海湖镇,,,,平谷区水务局,,N,李志强,13800000102,",
        'station: unknown department "平谷区水务局" in 平谷区',
    ),
    (
        "street,平谷区,,金海湖镇,,,,,,,,,",
        'street: duplicate: "金海湖镇" in 平谷区 is already on line',
    ),
    ("district,顺义区,11O113,,,,,,,,,,", 'district_code "11O113" must be digits'),
    ("street,平谷区,,平谷" + "长" * 60 + "镇,,,,,,,,,", "is longer than 50 characters"),
    ("station,平谷区,,熊儿寨乡,,,,平谷公安分局,,4,李志强," + "1" * 31 + ",", "longer than 30"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "reason"), ROW_ERRORS)
def test_bad_row_reasons(tmp_path, row, reason):
    # The bad row goes last, after the 13 good rows: line 15.
    path = write_csv(tmp_path, [*GOOD_ROWS, row])

    _message, err = run_failing(path)

    [error] = err.splitlines()
    assert error.startswith("line 15: ")
    assert reason in error
    assert_nothing_saved()


@pytest.mark.django_db
def test_station_department_of_another_district(tmp_path):
    other = DepartmentFactory(name="东城区城管执法局", district__name="东城区")
    rows = [*GOOD_ROWS, "station,平谷区,,金海湖镇,,,,东城区城管执法局,,1,王建军,13800000101,"]

    _message, err = run_failing(write_csv(tmp_path, rows))

    assert err.splitlines() == [
        'line 15: station: department "东城区城管执法局" belongs to 东城区, not to 平谷区 '
        "(the street's district)"
    ]
    assert not Street.objects.exists()
    assert Department.objects.get() == other


@pytest.mark.django_db
def test_all_errors_are_reported_in_line_order(tmp_path):
    rows = [
        "station,平谷区,,xx,,,,平谷公安分局,,4,李志强,13800000102,",
        *GOOD_ROWS,
        "community,平谷区,,金海湖镇,,海子村,,,,,,,",
    ]
    _message, err = run_failing(write_csv(tmp_path, rows))
    lines = err.splitlines()
    assert [line.split(":")[0] for line in lines] == ["line 2", "line 16"]
    assert 'duplicate: "海子村" in 平谷区 金海湖镇 is already on line 6' in lines[1]


@pytest.mark.django_db
def test_chinese_headers_and_values(tmp_path):
    header = "类型,区,区划代码,街乡,街乡类型,社区,社区类型,部门,部门类型,模式,值班联系人,值班电话"
    rows = [
        "区,平谷区,110117,,,,,,,,,",
        "街乡,平谷区,,渔阳地区,街道,,,,,,,",
        "社区,平谷区,,渔阳地区,,某小区,社区,,,,,",
        "部门,平谷区,,,,,,平谷区文化和旅游局,公共服务,,,",
        "驻点,平谷区,,渔阳地区,,,,平谷区文化和旅游局,,随叫随到,吴静,13800000109",
    ]
    run(write_csv(tmp_path, rows, header=header))
    assert Street.objects.get().kind == StreetKind.SUBDISTRICT
    assert Department.objects.get().kind == DepartmentKind.PUBLIC_SERVICE
    assert Station.objects.get().mode == StationMode.ON_CALL


@pytest.mark.django_db
def test_unknown_column_is_reported_on_the_header(tmp_path):
    path = write_csv(tmp_path, GOOD_ROWS, header=HEADER.replace("duty_phone", "dutyphone"))
    _message, err = run_failing(path)
    assert err.splitlines()[0].startswith('line 1: unknown column "dutyphone"')
    assert_nothing_saved()


@pytest.mark.django_db
def test_unknown_extension(tmp_path):
    path = tmp_path / "org.xls"
    path.write_bytes(b"anything")
    message, _err = run_failing(path)
    assert message == 'unsupported file type ".xls": use a .csv or .xlsx file'


@pytest.mark.django_db
def test_missing_file(tmp_path):
    message, _err = run_failing(tmp_path / "nowhere.csv")
    assert message == f"file not found: {tmp_path / 'nowhere.csv'}"


@pytest.mark.django_db
def test_damaged_xlsx(tmp_path):
    path = tmp_path / "org.xlsx"
    path.write_bytes(b"not a zip file")
    message, _err = run_failing(path)
    assert message.startswith("cannot read the XLSX file")


@pytest.mark.django_db
def test_dry_run_saves_nothing(tmp_path):
    out, _err = run(write_csv(tmp_path, GOOD_ROWS), "--dry-run")
    assert "station: 3 created" in out
    assert "Dry run: nothing was saved." in out
    assert_nothing_saved()


@pytest.mark.django_db
def test_import_org_takes_an_uploaded_file():
    # What a future upload page hands over: a file object with a name.
    upload = io.BytesIO("\n".join([HEADER, *GOOD_ROWS]).encode())
    upload.name = "upload.csv"
    result = import_org(upload)
    assert result.ok
    assert result.counts["station"]["created"] == 3
    assert Station.objects.count() == 3
