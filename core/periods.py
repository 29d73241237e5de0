"""Beijing time and the periods counted in it.

Whistle years, score periods, the days and months of the 12345 rates: all follow Beijing
time (Asia/Shanghai, the zone's name in the tz database), whatever the server's zone.

A period of the department scores and of the stationed officers' assessments is a month
(YYYY-MM), a quarter (YYYY-Qn) or a year (YYYY) of 2000-2999, in ASCII digits only (\\d would
take full-width ２０２５ as another period)."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")

# A month, a quarter or a year of 2000-2999 (the schema documents this pattern)
PERIOD_PATTERN = r"^(2[0-9]{3})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$"
PERIOD = re.compile(PERIOD_PATTERN, re.ASCII)


@dataclass(frozen=True)
class Period:
    code: str
    start: date  # first day
    end: date  # first day after

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes in Beijing time."""
        return (
            datetime.combine(self.start, datetime.min.time(), BEIJING),
            datetime.combine(self.end, datetime.min.time(), BEIJING),
        )


def parse_period(code: str) -> Period | None:
    match = PERIOD.fullmatch(code or "") if isinstance(code, str) else None
    if not match:
        return None
    year, month, quarter = int(match[1]), match[2], match[3]
    if not 2000 <= year <= 2999:
        return None
    if month:
        first, months = int(month), 1
    elif quarter:
        first, months = (int(quarter) - 1) * 3 + 1, 3
    else:
        first, months = 1, 12
    last = first + months  # month after, may be 13
    end = date(year + (last > 12), (last - 1) % 12 + 1, 1)
    return Period(code, date(year, first, 1), end)


def periods_of(moment: datetime) -> list[str]:
    """The month, quarter and year a moment belongs to, in Beijing time."""
    local = moment.astimezone(BEIJING)
    return [
        f"{local.year}-{local.month:02d}",
        f"{local.year}-Q{(local.month - 1) // 3 + 1}",
        f"{local.year}",
    ]


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def months_ending(month: str, count: int) -> list[str]:
    """The codes of `count` months, oldest first, the last being `month` (YYYY-MM)."""
    year, number = int(month[:4]), int(month[5:])
    codes = []
    for _i in range(count):
        codes.append(f"{year}-{number:02d}")
        year, number = previous_month(year, number)
    return codes[::-1]
