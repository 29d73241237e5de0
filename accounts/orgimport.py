"""Import a district's own organisation from a CSV or XLSX file: districts, streets (街道/镇/乡),
communities and villages, departments and the 1+4+N stations.

One sheet, a header row, one record per row with a `type` column (docs/import-org.md). The
work is read → validate every row → write, all or nothing. Plain functions, so the management
command and a future upload page share them::

    result = import_org(path_or_uploaded_file)
    if result.errors:  # nothing was saved
        ...

Records are matched by natural keys (district name; street by district + name; community by
street + name; department by district + name; station by street + department), so importing
the same file twice changes nothing.
"""

import csv
import io
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .choices import CommunityKind, DepartmentKind, StationMode, StreetKind
from .models import (
    City,
    Community,
    Department,
    District,
    Station,
    Street,
    street_short_name,
)
from .services import upsert

CITY_NAME = "北京市"
TYPES = ("district", "street", "community", "department", "station")

# Canonical column → other accepted header spellings (compared after _norm, so case, spaces,
# hyphens and full-width characters do not matter).
COLUMNS = {
    "type": ("类型", "记录类型"),
    "district": ("区", "所属区", "区名"),
    "district_code": ("区划代码", "代码", "code"),
    "street": ("街乡", "街道", "乡镇", "街乡镇"),
    "street_kind": ("街乡类型", "街道类型"),
    "community": ("社区", "村", "社区村", "社区(村)"),
    "community_kind": ("社区类型", "社区村类型"),
    "department": ("部门",),
    "department_kind": ("部门类型",),
    "mode": ("模式", "1+4+n", "驻点方式"),
    "duty_contact": ("值班联系人", "联系人"),
    "duty_phone": ("值班电话", "电话"),
    # Free text for the clerk's own notes; never read.
    "note": ("notes", "remark", "remarks", "备注"),
}

TYPE_ALIASES = {
    "district": ("区",),
    "street": ("街乡", "街道", "乡镇", "镇", "乡"),
    "community": ("village", "社区", "村", "社区村"),
    "department": ("部门",),
    "station": ("驻点", "站点", "1+4+n"),
}

# The natural key of each type, in the order it is written in messages.
KEY_COLUMNS = {
    "district": ("district",),
    "street": ("district", "street"),
    "community": ("district", "street", "community"),
    "department": ("district", "department"),
    "station": ("district", "street", "department"),
}
REQUIRED = {
    **KEY_COLUMNS,
    "department": (*KEY_COLUMNS["department"], "department_kind"),
    "station": (*KEY_COLUMNS["station"], "mode", "duty_contact", "duty_phone"),
}
OPTIONAL = {
    "district": ("district_code",),
    "street": ("street_kind",),
    "community": ("community_kind",),
    "department": (),
    "station": (),
}

# Where each column is stored: its length limit comes from the model, never a copy here.
STORED_AS = {
    "district": (District, "name"),
    "district_code": (District, "code"),
    "street": (Street, "name"),
    "community": (Community, "name"),
    "department": (Department, "name"),
    "duty_contact": (Station, "duty_contact"),
    "duty_phone": (Station, "duty_phone"),
}

STREET_KINDS = {
    StreetKind.SUBDISTRICT: ("街道",),
    StreetKind.TOWN: ("镇",),
    StreetKind.TOWNSHIP: ("乡",),
}
COMMUNITY_KINDS = {
    CommunityKind.COMMUNITY: ("社区", "居委会"),
    CommunityKind.VILLAGE: ("村", "村委会"),
}
DEPARTMENT_KINDS = {
    DepartmentKind.ENFORCEMENT: ("执法", "执法部门"),
    DepartmentKind.FUNCTIONAL: ("职能", "职能部门"),
    DepartmentKind.PUBLIC_SERVICE: ("公共服务", "公共服务部门"),
}
MODES = {
    StationMode.RESIDENT: ("1", "常驻"),
    StationMode.STATIONED: ("4", "派驻", "进驻"),
    StationMode.ON_CALL: ("n", "oncall", "随叫随到"),
}

# Name suffixes that tell the kind when the kind column is empty. 地区 (an 地区办事处 is both a
# street office and a township) is deliberately absent: the clerk must say which.
STREET_SUFFIXES = (
    ("街道办事处", StreetKind.SUBDISTRICT),
    ("街道", StreetKind.SUBDISTRICT),
    ("镇", StreetKind.TOWN),
    ("乡", StreetKind.TOWNSHIP),
)
COMMUNITY_SUFFIXES = (
    ("社区", CommunityKind.COMMUNITY),
    ("居委会", CommunityKind.COMMUNITY),
    ("居民委员会", CommunityKind.COMMUNITY),
    ("村", CommunityKind.VILLAGE),
    ("村委会", CommunityKind.VILLAGE),
    ("村民委员会", CommunityKind.VILLAGE),
)

# Excel shows a long number typed into a General cell as 1.39123E+10 and saves it that way in
# a CSV: the digits are gone, so the row must be fixed in the sheet.
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?e\+?\d+$", re.IGNORECASE)


class ImportFileError(Exception):
    """The file as a whole cannot be read (missing, wrong format, undecodable, empty)."""


@dataclass(frozen=True)
class RowError:
    line: int  # the physical line of the CSV / the row of the sheet; the header is line 1
    message: str

    def __str__(self):
        return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class Record:
    type: str
    line: int
    key: tuple[str, ...]
    values: dict = field(default_factory=dict)  # the model fields to write besides the key


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    # type → Counter of "created" / "updated" / "unchanged"; empty when nothing was saved.
    counts: dict[str, Counter] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary_lines(self) -> list[str]:
        return [
            _("%(type)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
            % {
                "type": t,
                "created": self.counts[t]["created"],
                "updated": self.counts[t]["updated"],
                "unchanged": self.counts[t]["unchanged"],
            }
            for t in TYPES
            if t in self.counts
        ]


# --- reading ---------------------------------------------------------------------------------


def _norm(value: str) -> str:
    """A code or header as typed by a person → its comparable form (full-width → ASCII)."""
    value = unicodedata.normalize("NFKC", value).strip().lower()
    return re.sub(r"[\s\-]+", "_", value)


def _lookup(table: dict) -> dict[str, str]:
    """{canonical: aliases} → {normalised spelling: canonical}."""
    result = {}
    for canonical, aliases in table.items():
        for spelling in (str(canonical), *aliases):
            result[_norm(spelling)] = str(canonical)
    return result


_COLUMN_LOOKUP = _lookup(COLUMNS)
_TYPE_LOOKUP = _lookup(TYPE_ALIASES)


def _read_source(source, filename: str | None) -> tuple[bytes, str]:
    """A path, or an open/uploaded file (anything with .read() and ideally .name)."""
    if hasattr(source, "read"):
        data = source.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        return data, filename or getattr(source, "name", "") or ""
    path = Path(source)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(_("file not found: %(path)s") % {"path": path}) from None
    except OSError as exc:
        raise ImportFileError(
            _("cannot read %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror or exc}
        ) from None
    return data, filename or path.name


def _decode_csv(data: bytes) -> str:
    # Excel writes "CSV UTF-8" with a BOM, a Chinese Excel's plain "CSV" in GBK (GB18030 is
    # its superset), and "Unicode text" in UTF-16 with a BOM.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("cannot decode the CSV file: save it as UTF-8 (CSV UTF-8) or GBK")
        ) from None


def _csv_rows(data: bytes) -> list[tuple[int, list[str]]]:
    text = _decode_csv(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    # Excel in some locales separates with semicolons; tabs come from pasted text.
    delimiter = max((",", ";", "\t"), key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    line = 1
    try:
        for cells in reader:
            # A quoted cell may span lines: the record starts where the previous one ended.
            rows.append((line, [cell.strip() for cell in cells]))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(
            _("line %(line)d: the CSV is malformed: %(reason)s") % {"line": line, "reason": exc}
        ) from None
    return rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    # Excel stores every number as a float: a phone 13912345678 must not become "1.39e10".
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _xlsx_rows(data: bytes) -> list[tuple[int, list[str]]]:
    import openpyxl  # only needed for XLSX files

    try:
        # Not read_only: a read-only sheet cannot tell merged cells or exact row numbers.
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or non-XLSX file
        raise ImportFileError(
            _("cannot read the XLSX file: %(reason)s") % {"reason": exc}
        ) from None
    sheet = workbook.worksheets[0]
    # Clerks merge a column's cells (one district over many rows): every cell of the merge
    # means the top-left value.
    merged = {}
    for cell_range in sheet.merged_cells.ranges:
        value = sheet.cell(cell_range.min_row, cell_range.min_col).value
        for row in range(cell_range.min_row, cell_range.max_row + 1):
            for col in range(cell_range.min_col, cell_range.max_col + 1):
                merged[(row, col)] = value
    rows = []
    for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_cell_text(merged.get((line, col), value)) for col, value in enumerate(values, 1)]
        rows.append((line, cells))
    return rows


def read_rows(data: bytes, filename: str) -> list[tuple[int, list[str]]]:
    """(line, cells) of every non-blank row, the header first."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(data)
    elif suffix == ".xlsx":
        rows = _xlsx_rows(data)
    else:
        raise ImportFileError(
            _('unsupported file type "%(suffix)s": use a .csv or .xlsx file')
            % {"suffix": suffix or filename}
        )
    rows = [(line, cells) for line, cells in rows if any(cells)]
    if not rows:
        raise ImportFileError(_("the file is empty"))
    if len(rows) == 1:
        raise ImportFileError(_("the file has a header but no records"))
    return rows


# --- validating ------------------------------------------------------------------------------


def _max_length(column: str) -> int:
    model, name = STORED_AS[column]
    return model._meta.get_field(name).max_length


def _parse_header(line: int, cells: list[str]) -> tuple[list[str | None], list[RowError]]:
    columns: list[str | None] = []
    errors = []
    for cell in cells:
        if not cell:
            columns.append(None)
            continue
        column = _COLUMN_LOOKUP.get(_norm(cell))
        if column is None:
            errors.append(
                RowError(
                    line,
                    _('unknown column "%(column)s"; the columns are: %(known)s')
                    % {"column": cell, "known": ", ".join(COLUMNS)},
                )
            )
        elif column in columns:
            errors.append(
                RowError(line, _('column "%(column)s" appears twice') % {"column": column})
            )
        columns.append(column)
    if "type" not in columns:
        errors.append(RowError(line, _('the header (the first row) has no "type" column')))
    return columns, errors


def _choice(value: str, choices: dict) -> str | None:
    return _lookup(choices).get(_norm(value))


def _infer(name: str, suffixes) -> str | None:
    return next((kind for suffix, kind in suffixes if name.endswith(suffix)), None)


def _describe(type_: str, key: tuple[str, ...]) -> str:
    """How a record is named in a message: 金海湖镇 in 平谷区."""
    if type_ == "district":
        return f'"{key[0]}"'
    if type_ in ("street", "department"):
        return f'"{key[1]}" in {key[0]}'
    if type_ == "community":
        return f'"{key[2]}" in {key[0]} {key[1]}'
    return f'"{key[1]} · {key[2]}" in {key[0]}'


def _parse_row(line: int, columns: list, cells: list[str]) -> tuple[Record | None, list[str]]:
    """The row as a record (None when its type or key is unusable) and its problems."""
    problems = []
    values = {}
    for index, cell in enumerate(cells):
        column = columns[index] if index < len(columns) else None
        if column is not None:
            values[column] = cell
        elif cell:
            problems.append(
                _('value "%(value)s" in column %(number)d, which has no header')
                % {"value": cell, "number": index + 1}
            )
    for column, value in values.items():
        # NUL breaks PostgreSQL, line breaks make names nobody can type: refuse them in every
        # stored column (the free-text note is not stored).
        if column != "note" and any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            problems.append(
                _("%(column)s contains a control character or a line break") % {"column": column}
            )
            values[column] = "".join(ch for ch in value if ord(ch) >= 32 and ord(ch) != 127)
    raw_type = values.get("type", "")
    if not raw_type:
        return None, [
            *problems,
            _("missing type; use one of: %(types)s") % {"types": ", ".join(TYPES)},
        ]
    type_ = _TYPE_LOOKUP.get(_norm(raw_type))
    if type_ is None:
        return None, [
            *problems,
            _('unknown type "%(type)s"; use one of: %(types)s')
            % {"type": raw_type, "types": ", ".join(TYPES)},
        ]

    missing = [c for c in REQUIRED[type_] if not values.get(c)]
    if missing:
        message = _("missing %(columns)s") % {"columns": ", ".join(missing)}
        absent = [c for c in missing if c not in columns]
        if absent:
            message += " " + _("(the header has no column %(columns)s)") % {
                "columns": ", ".join(absent)
            }
        problems.append(message)
    too_long = set()
    for column in (*REQUIRED[type_], *OPTIONAL[type_]):
        value = values.get(column, "")
        if column in STORED_AS and len(value) > _max_length(column):
            too_long.add(column)
            problems.append(
                _('%(column)s "%(value)s" is longer than %(max)d characters')
                % {"column": column, "value": value, "max": _max_length(column)}
            )

    record_values = {}
    if type_ == "district":
        code = values.get("district_code", "")
        if code and not code.isdigit():
            problems.append(
                _('district_code "%(code)s" must be digits (e.g. 110117)') % {"code": code}
            )
        if code:
            record_values["code"] = code
    elif type_ == "street" and values.get("street"):
        name = values["street"]
        kind = _kind(values, "street_kind", STREET_KINDS, name, STREET_SUFFIXES, problems)
        record_values["kind"] = kind
        short_max = Street._meta.get_field("short_name").max_length
        if "street" not in too_long and len(street_short_name(name)) > short_max:
            problems.append(
                _('street "%(name)s" without its suffix is longer than %(max)d characters')
                % {"name": name, "max": short_max}
            )
    elif type_ == "community" and values.get("community"):
        name = values["community"]
        kind = _kind(values, "community_kind", COMMUNITY_KINDS, name, COMMUNITY_SUFFIXES, problems)
        record_values["kind"] = kind
    elif type_ == "department" and values.get("department_kind"):
        kind = _choice(values["department_kind"], DEPARTMENT_KINDS)
        if kind is None:
            problems.append(_unknown_value("department_kind", values, DEPARTMENT_KINDS))
        record_values["kind"] = kind
    elif type_ == "station":
        if values.get("mode"):
            mode = _choice(values["mode"], MODES)
            if mode is None:
                problems.append(_unknown_value("mode", values, MODES, extra="1, 4, N"))
            record_values["mode"] = mode
        phone = values.get("duty_phone", "")
        if phone and _SCIENTIFIC.match(phone):
            problems.append(
                _(
                    'duty_phone "%(phone)s" was turned into a number by Excel; format the '
                    "column as Text and type the number again"
                )
                % {"phone": phone}
            )
        elif phone and not any(ch.isdigit() for ch in phone):
            problems.append(_('duty_phone "%(phone)s" has no digits') % {"phone": phone})
        record_values["duty_contact"] = values.get("duty_contact", "")
        record_values["duty_phone"] = phone

    key_columns = KEY_COLUMNS[type_]
    if any(not values.get(c) or c in too_long for c in key_columns):
        return None, [f"{type_}: {p}" for p in problems]
    key = tuple(values[c] for c in key_columns)
    return Record(type_, line, key, record_values), [f"{type_}: {p}" for p in problems]


def _unknown_value(column: str, values: dict, choices: dict, extra: str = "") -> str:
    allowed = ", ".join(str(c) for c in choices)
    if extra:
        allowed += ", " + extra
    return _('unknown %(column)s "%(value)s"; use one of: %(allowed)s') % {
        "column": column,
        "value": values[column],
        "allowed": allowed,
    }


def _kind(values, column, choices, name, suffixes, problems) -> str | None:
    """The kind column, or the kind the name's suffix tells (金海湖镇 → town)."""
    if values.get(column):
        kind = _choice(values[column], choices)
        if kind is None:
            problems.append(_unknown_value(column, values, choices))
        return kind
    kind = _infer(name, suffixes)
    if kind is None:
        problems.append(
            _('cannot tell the kind of "%(name)s" from its name; fill in %(column)s')
            % {"name": name, "column": column}
        )
    return kind


def _check_references(records: list[Record]) -> list[RowError]:
    """Every district, street and department named must be in the file or the database."""
    in_file = defaultdict(set)
    for record in records:
        in_file[record.type].add(record.key)
    names = {r.key[0] for r in records}
    districts = {k[0] for k in in_file["district"]} | set(
        District.objects.filter(name__in=names).values_list("name", flat=True)
    )
    streets = in_file["street"] | set(
        Street.objects.filter(district__name__in=names).values_list("district__name", "name")
    )
    wanted_departments = {r.key[2] for r in records if r.type == "station"}
    departments = in_file["department"] | set(
        Department.objects.filter(name__in=wanted_departments).values_list("district__name", "name")
    )
    districts_of_department = defaultdict(set)
    for district, name in departments:
        districts_of_department[name].add(district)

    errors = []
    for record in records:
        district = record.key[0]
        prefix = f"{record.type}: "
        if district not in districts:
            errors.append(
                RowError(
                    record.line,
                    prefix + _('unknown district "%(district)s"') % {"district": district},
                )
            )
            continue
        if record.type in ("community", "station") and record.key[:2] not in streets:
            errors.append(
                RowError(
                    record.line,
                    prefix
                    + _('unknown street "%(street)s" in %(district)s')
                    % {"street": record.key[1], "district": district},
                )
            )
        if record.type == "station" and (district, record.key[2]) not in departments:
            name = record.key[2]
            # A city department has no district (None): it cannot be named by this file.
            elsewhere = sorted(d for d in districts_of_department[name] if d)
            if elsewhere:
                message = _(
                    'department "%(department)s" belongs to %(other)s, not to %(district)s '
                    "(the street's district)"
                ) % {"department": name, "other": ", ".join(elsewhere), "district": district}
            else:
                message = _('unknown department "%(department)s" in %(district)s') % {
                    "department": name,
                    "district": district,
                }
            errors.append(RowError(record.line, prefix + message))
    return errors


def validate(rows: list[tuple[int, list[str]]]) -> tuple[list[Record], list[RowError]]:
    """Every row's problems, in line order; the records are only fit to load without any."""
    header_line, header = rows[0]
    columns, errors = _parse_header(header_line, header)
    if errors:
        return [], errors
    records = []
    first_line = {}
    for line, cells in rows[1:]:
        record, problems = _parse_row(line, columns, cells)
        errors += [RowError(line, p) for p in problems]
        if record is None:
            continue
        first = first_line.setdefault((record.type, record.key), line)
        if first != line:
            errors.append(
                RowError(
                    line,
                    f"{record.type}: "
                    + _("duplicate: %(what)s is already on line %(first)d")
                    % {"what": _describe(record.type, record.key), "first": first},
                )
            )
            continue
        records.append(record)
    errors += _check_references(records)
    errors.sort(key=lambda e: e.line)  # stable: a row's own problems keep their order
    return records, errors


# --- writing ---------------------------------------------------------------------------------


class LoadError(Exception):
    def __init__(self, error):
        super().__init__(str(error))
        self.error = error


def load(records: list[Record]) -> dict[str, Counter]:
    """Write validated records; call inside a transaction."""
    counts = {t: Counter() for t in TYPES}
    by_type = defaultdict(list)
    for record in records:
        by_type[record.type].append(record)
    city, _created = City.objects.get_or_create(name=CITY_NAME)

    cache = {}

    def district(name):
        if ("district", name) not in cache:
            cache[("district", name)] = District.objects.get(name=name)
        return cache[("district", name)]

    def street(district_name, name):
        if ("street", district_name, name) not in cache:
            cache[("street", district_name, name)] = Street.objects.get(
                district=district(district_name), name=name
            )
        return cache[("street", district_name, name)]

    def department(district_name, name):
        if ("department", district_name, name) not in cache:
            cache[("department", district_name, name)] = Department.objects.get(
                district=district(district_name), name=name
            )
        return cache[("department", district_name, name)]

    def write(record, model, lookup, values):
        try:
            with transaction.atomic():
                obj, status = upsert(model, lookup, values)
        except IntegrityError as exc:
            raise LoadError(
                RowError(
                    record.line,
                    _("conflicts with data already saved: %(reason)s")
                    % {"reason": str(exc).splitlines()[0]},
                )
            ) from None
        counts[record.type][status] += 1
        cache[(record.type, *record.key)] = obj

    # Parents before children, whatever order the rows came in.
    for r in by_type["district"]:
        write(r, District, {"name": r.key[0]}, {"city_id": city.id, **r.values})
    for r in by_type["department"]:
        write(r, Department, {"district": district(r.key[0]), "name": r.key[1]}, r.values)
    for r in by_type["street"]:
        write(r, Street, {"district": district(r.key[0]), "name": r.key[1]}, r.values)
    for r in by_type["community"]:
        write(r, Community, {"street": street(*r.key[:2]), "name": r.key[2]}, r.values)
    for r in by_type["station"]:
        lookup = {"street": street(*r.key[:2]), "department": department(r.key[0], r.key[2])}
        write(r, Station, lookup, r.values)
    return counts


def import_org(source, filename: str | None = None, *, dry_run: bool = False) -> ImportResult:
    """Read, validate and load a file; a path or an uploaded file. With any bad row, or with
    dry_run, nothing is saved. Raises ImportFileError when the file cannot be read at all."""
    data, name = _read_source(source, filename)
    rows = read_rows(data, name)
    with transaction.atomic():
        records, errors = validate(rows)
        if errors:
            return ImportResult(errors=errors, dry_run=dry_run)
        try:
            counts = load(records)
        except LoadError as exc:
            transaction.set_rollback(True)
            return ImportResult(errors=[exc.error], dry_run=dry_run)
        if dry_run:
            transaction.set_rollback(True)
    return ImportResult(counts=counts, dry_run=dry_run)
