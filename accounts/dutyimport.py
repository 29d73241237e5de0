"""Import a version of the street's duty list (街道职责清单) from a CSV or XLSX file.

One sheet, a header row, one item per row (docs/duties.md). As accounts/orgimport.py (whose
file reading it shares): read → validate every row → publish, all or nothing. Each problem names
its line and its column::

    result = import_duty_list(upload, actor=user, district=district, version="2025",
                              title="…", effective_from=date(2025, 1, 1))
    if result.errors:  # nothing was saved
        ...
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import duties
from .choices import DutyRole
from .models import DutyItem, DutySection
from .orgimport import ImportFileError, _lookup, _norm, _read_source, read_rows

CITY_NAMES = ("北京市", "北京", "市级", "city")

COLUMNS = {
    "section_number": ("板块编号", "板块序号", "section_no", "section"),
    "section_title": ("板块", "板块名称", "section_name"),
    "item_number": ("序号", "事项编号", "编号", "item_no", "item"),
    "item_title": ("事项", "职责", "职责事项", "item_name", "duty"),
    "role": ("职责类型", "角色", "类型", "role_type"),
    "categories": ("类别", "分类", "category"),
    "district": ("区", "所属区"),
    "note": ("notes", "remark", "备注"),
}
REQUIRED = ("section_number", "section_title", "item_number", "item_title", "role")
ROLES = {
    DutyRole.LEAD: ("负责", "承担", "负责/承担", "主责"),
    DutyRole.ORGANISE: ("organize", "组织", "协调", "组织/协调", "牵头"),
    DutyRole.ASSIST: ("参与", "协助", "参与/协助", "配合"),
}
_COLUMN_LOOKUP = _lookup(COLUMNS)
_ROLE_LOOKUP = _lookup(ROLES)
_SPLIT = re.compile(r"[\s,;，；、|]+")


@dataclass(frozen=True)
class RowError:
    line: int  # the physical line of the CSV / the row of the sheet; the header is line 1
    column: str  # the canonical column name; "" for the row as a whole
    message: str

    def __str__(self):
        if self.column:
            return _("line %(line)d, column %(column)s: %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}

    def as_dict(self):
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    duty_list: object = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _max(model, name):
    return model._meta.get_field(name).max_length


def _number(value: str) -> int | None:
    value = value.strip()
    if value.endswith(".0"):  # Excel's float
        value = value[:-2]
    if not value.isdigit() or not 0 < int(value) < 32768:
        return None
    return int(value)


def _district_matches(value: str, district) -> bool:
    if district is None:
        return _norm(value) in {_norm(n) for n in CITY_NAMES}
    return _norm(value) in {_norm(district.name), _norm(district.name.removesuffix("区"))}


def validate(rows, district) -> tuple[list[tuple[int, str]], list[dict], list[RowError]]:
    """(sections, items, errors) of the rows: sections and items are only fit to publish when
    there is no error."""
    header_line, header = rows[0]
    errors = []
    columns: list[str | None] = []
    for cell in header:
        column = _COLUMN_LOOKUP.get(_norm(cell)) if cell else None
        if cell and column is None:
            errors.append(
                RowError(
                    header_line,
                    cell,
                    _('unknown column "%(column)s"; the columns are: %(known)s')
                    % {"column": cell, "known": ", ".join(COLUMNS)},
                )
            )
        elif column and column in columns:
            errors.append(RowError(header_line, column, _("the column appears twice")))
        columns.append(column)
    for column in REQUIRED:
        if column not in columns:
            errors.append(
                RowError(
                    header_line,
                    column,
                    _("the header has no column %(column)s") % {"column": column},
                )
            )
    if errors:
        return [], [], errors

    known = duties.known_categories()
    sections: dict[int, tuple[int, str]] = {}  # number → (first line, title)
    items_line: dict[int, int] = {}
    items = []
    for line, cells in rows[1:]:
        values = {}
        for index, cell in enumerate(cells):
            column = columns[index] if index < len(columns) else None
            if column:
                values[column] = cell
            elif cell:
                errors.append(
                    RowError(
                        line,
                        str(index + 1),
                        _('value "%(value)s" in a column without a header') % {"value": cell},
                    )
                )
        for column in REQUIRED:
            if not values.get(column):
                errors.append(RowError(line, column, _("empty")))
        for column, value in values.items():
            if column != "note" and any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
                errors.append(RowError(line, column, _("contains a control character")))
        if values.get("district") and not _district_matches(values["district"], district):
            errors.append(
                RowError(
                    line,
                    "district",
                    _('"%(value)s" is not %(unit)s, the unit this list is published for')
                    % {
                        "value": values["district"],
                        "unit": district.name if district else "北京市",
                    },
                )
            )
        section_number = item_number = role = None
        if values.get("section_number"):
            section_number = _number(values["section_number"])
            if section_number is None:
                errors.append(RowError(line, "section_number", _("not a whole number above 0")))
        section_title = values.get("section_title", "")
        if len(section_title) > _max(DutySection, "title"):
            errors.append(RowError(line, "section_title", _("too long")))
        if section_number is not None and section_title:
            first = sections.setdefault(section_number, (line, section_title))
            if first[1] != section_title:
                errors.append(
                    RowError(
                        line,
                        "section_title",
                        _('section %(number)d is "%(title)s" on line %(first)d')
                        % {"number": section_number, "title": first[1], "first": first[0]},
                    )
                )
        if values.get("item_number"):
            item_number = _number(values["item_number"])
            if item_number is None:
                errors.append(RowError(line, "item_number", _("not a whole number above 0")))
            elif item_number in items_line:
                errors.append(
                    RowError(
                        line,
                        "item_number",
                        _("duplicate: item %(number)d is already on line %(first)d")
                        % {"number": item_number, "first": items_line[item_number]},
                    )
                )
                item_number = None
            else:
                items_line[item_number] = line
        item_title = values.get("item_title", "")
        if len(item_title) > _max(DutyItem, "title"):
            errors.append(RowError(line, "item_title", _("too long")))
        if values.get("role"):
            role = _ROLE_LOOKUP.get(_norm(values["role"]))
            if role is None:
                errors.append(
                    RowError(
                        line,
                        "role",
                        _('unknown role type "%(value)s"; use one of: %(allowed)s')
                        % {"value": values["role"], "allowed": ", ".join(DutyRole.values)},
                    )
                )
        categories = [c for c in _SPLIT.split(values.get("categories", "")) if c]
        unknown = [c for c in categories if c not in known]
        if unknown:
            errors.append(
                RowError(
                    line,
                    "categories",
                    _("unknown category %(codes)s") % {"codes": ", ".join(unknown)},
                )
            )
        if None not in (section_number, item_number, role) and section_title and item_title:
            items.append(
                {
                    "section": section_number,
                    "number": item_number,
                    "title": item_title,
                    "role": role,
                    "categories": list(dict.fromkeys(categories)),
                }
            )
    section_list = sorted((number, title) for number, (_line, title) in sections.items())
    return section_list, items, errors


def import_duty_list(
    source,
    filename: str | None = None,
    *,
    actor,
    district,
    version: str,
    title: str,
    effective_from: date,
) -> ImportResult:
    """Read, validate and publish a file as a new version. With any bad row nothing is saved.
    Raises ImportFileError when the file cannot be read at all, PermissionDenied when the actor
    may not publish for the unit, ValidationError for a bad version, title or date."""
    if actor is not None and not duties.may_publish(actor, district):
        raise PermissionDenied(_("You cannot publish a duty list for this unit."))
    data, name = _read_source(source, filename)
    rows = read_rows(data, name)
    sections, items, errors = validate(rows, district)
    if errors:
        return ImportResult(errors=errors)
    with transaction.atomic():
        duty_list = duties.publish(
            actor,
            district=district,
            version=version,
            title=title,
            effective_from=effective_from,
            sections=sections,
            items=items,
        )
    return ImportResult(duty_list=duty_list)


__all__ = ["ImportFileError", "ImportResult", "RowError", "ValidationError", "import_duty_list"]
