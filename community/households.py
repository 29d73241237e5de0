"""Households counts imported from a CSV or XLSX file (the street's register): one row per
community and year. The file is read as accounts' organisation import reads it (encodings,
sheets, line numbers); a bad row stops the import, every bad row is named with its column,
and nothing is saved."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Community
from accounts.orgimport import ImportFileError, RowError, _norm, _read_source, read_rows

from . import services
from .choices import HouseholdSource

COLUMNS = {
    "community": ("社区", "村", "社区（村）", "community_name"),
    "year": ("年份", "年度"),
    "households": ("户数", "住户数", "households_count"),
}
_LOOKUP = {
    _norm(a): canonical for canonical, aliases in COLUMNS.items() for a in (canonical, *aliases)
}


@dataclass
class HouseholdsImport:
    errors: list[RowError] = field(default_factory=list)
    saved: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def import_households(user, street, source, filename: str | None = None) -> HouseholdsImport:
    """Read the file, check every row, then save all of it or nothing."""
    services.require_street(user, street.pk)
    result = HouseholdsImport()
    try:
        data, name = _read_source(source, filename)
        rows = read_rows(data, name)
    except ImportFileError as exc:
        result.errors.append(RowError(1, str(exc)))
        return result
    (header_line, header), records = rows[0], rows[1:]
    columns = [_LOOKUP.get(_norm(cell)) for cell in header]
    for cell, column in zip(header, columns, strict=True):
        if cell and column is None:
            result.errors.append(
                RowError(header_line, _('unknown column "%(column)s"') % {"column": cell})
            )
    for column in {c for c in columns if c and columns.count(c) > 1}:
        result.errors.append(
            RowError(header_line, _('the column "%(column)s" appears twice') % {"column": column})
        )
    missing = [c for c in COLUMNS if c not in columns]
    for column in missing:
        result.errors.append(
            RowError(header_line, _('the column "%(column)s" is missing') % {"column": column})
        )
    if result.errors:
        return result
    communities = {c.name: c for c in Community.objects.filter(street=street)}
    wanted, seen = [], {}
    for line, cells in records:
        values = dict(zip(columns, cells, strict=False))
        name = (values.get("community") or "").strip()
        community = communities.get(name)
        if community is None:
            result.errors.append(
                RowError(
                    line,
                    _('community: "%(name)s" is not a community of %(street)s')
                    % {"name": name, "street": street.name},
                )
            )
        year = _whole(values.get("year"))
        if year is None:
            result.errors.append(RowError(line, _("year: not a year")))
        households = _whole(values.get("households"))
        if households is None or households <= 0:
            result.errors.append(RowError(line, _("households: not a number of households")))
        if community is not None and year is not None:
            if (community.pk, year) in seen:
                result.errors.append(
                    RowError(
                        line,
                        _("community: %(name)s %(year)s is also on line %(other)d")
                        % {"name": name, "year": year, "other": seen[(community.pk, year)]},
                    )
                )
            seen[(community.pk, year)] = line
            wanted.append((line, community, year, households))
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for line, community, year, households in wanted:
                try:
                    services.set_households(
                        user,
                        community,
                        year=year,
                        households=households,
                        source=HouseholdSource.IMPORTED,
                    )
                except ValidationError as exc:
                    for column, messages in exc.message_dict.items():
                        for message in messages:
                            result.errors.append(RowError(line, f"{column}: {message}"))
            if result.errors:
                raise _Rollback
    except _Rollback:
        return result
    result.saved = len(wanted)
    return result


class _Rollback(Exception):
    pass


def _whole(value) -> int | None:
    text = _norm(str(value or "")).removesuffix(".0")
    return int(text) if text.isascii() and text.isdigit() else None
