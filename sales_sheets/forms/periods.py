"""Reporting periods: a month `2026-11`, a quarter `2026-Q4` or a year `2026`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..errors import UsageError

_FORMS = re.compile(r"^(?P<year>\d{4})(?:-(?:Q(?P<quarter>\d)|(?P<month>\d{2})))?$")


@dataclass(frozen=True)
class Period:
    label: str  # canonical: 2026, 2026-Q4, 2026-11
    start: date
    end: date  # inclusive

    @property
    def kind(self) -> str:
        return "year" if len(self.label) == 4 else "quarter" if "Q" in self.label else "month"

    def title(self, language: str) -> str:
        year = self.label[:4]
        if self.kind == "year":
            return f"{year}" if language == "en" else f"{year}年度"
        if self.kind == "quarter":
            quarter = self.label[-1]
            return f"{year} Q{quarter}" if language == "en" else f"{year}年第{quarter}季度"
        month = int(self.label[5:])
        return f"{self.start:%B %Y}" if language == "en" else f"{year}年{month}月"

    def months(self) -> list[str]:
        """The months the period covers, as `YYYY-MM`."""
        first, last = self.start.month, self.end.month
        return [f"{self.start.year}-{m:02d}" for m in range(first, last + 1)]

    def parents(self) -> list[str]:
        """The labels of the longer periods that contain this one: a month's quarter and year,
        a quarter's year, nothing for a year."""
        if self.kind == "year":
            return []
        year = self.label[:4]
        if self.kind == "quarter":
            return [year]
        return [f"{year}-Q{(self.start.month - 1) // 3 + 1}", year]

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def parse_period(text: str) -> Period:
    """Parse strictly; anything else is a UsageError that says what is accepted."""
    match = _FORMS.match(text.strip().upper())
    hint = "use a year (2026), a quarter (2026-Q4) or a month (2026-11)"
    if not match:
        raise UsageError(f"period {text!r} is not valid: {hint}")
    year = int(match["year"])
    if year < 1:
        raise UsageError(f"period {text!r}: there is no year 0; {hint}")
    if match["quarter"]:
        quarter = int(match["quarter"])
        if not 1 <= quarter <= 4:
            raise UsageError(f"period {text!r}: there is no quarter {quarter}; {hint}")
        first = date(year, 3 * quarter - 2, 1)
        return Period(f"{year}-Q{quarter}", first, month_end(date(year, 3 * quarter, 1)))
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise UsageError(f"period {text!r}: there is no month {month}; {hint}")
        first = date(year, month, 1)
        return Period(f"{year}-{month:02d}", first, month_end(first))
    return Period(str(year), date(year, 1, 1), date(year, 12, 31))


def last_complete_quarter(today: date) -> Period:
    quarter = (today.month - 1) // 3  # the current quarter is 0-based `quarter`; step back one
    year = today.year if quarter else today.year - 1
    return parse_period(f"{year}-Q{quarter or 4}")


def add_months(day: date, count: int) -> date:
    """The first day of the month `count` months after the month of `day` (before, if
    negative): `add_months(date(2026, 12, 31), 1)` is 2027-01-01."""
    index = day.year * 12 + day.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    """The last day of the month of `day`."""
    return add_months(day, 1) - timedelta(days=1)


def reply_by(period: Period, day: int) -> date:
    """When the reply to a period's statement (对账回函) is due: the given day of the month
    after the period, clamped to that month's length (and to its first day, for a day below 1)."""
    following = add_months(period.end, 1)
    return following.replace(day=max(1, min(day, month_end(following).day)))
