"""Working days: Monday to Friday, minus `[schedule] holidays`, plus `[schedule] workdays` (the
weekend days worked in exchange for a longer holiday, 调休).

China publishes each year's holidays and 调休 days only in the autumn before, and this package
carries no table of them. Until the department lists the year's dates in config.toml, a working
day is simply Monday to Friday, so "the last working day of the month" (`month_end_reminder`)
and "every working day" (`approval_digest`) are approximations: around the Spring Festival and
National Day they can be off by days. (`chinesecalendar` on PyPI tracks the published dates,
but its pin needs refreshing every December; the department's own list is the one it controls.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from ..errors import ConfigError
from ..forms.periods import month_end

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class WorkingDays:
    holidays: frozenset[date] = frozenset()  # weekdays that are not working days
    workdays: frozenset[date] = frozenset()  # weekend days that are

    @classmethod
    def from_settings(cls, holidays: Iterable[str], workdays: Iterable[str]) -> WorkingDays:
        """The working days of `[schedule] holidays` and `workdays` (ISO dates, YYYY-MM-DD).

        Raises:
            ConfigError: a value is not a date, or a date is both a holiday and a workday.
        """
        off = frozenset(_dates("holidays", holidays))
        on = frozenset(_dates("workdays", workdays))
        both = sorted(off & on)
        if both:
            listed = ", ".join(day.isoformat() for day in both)
            raise ConfigError(
                f"[schedule] {listed} is listed both in holidays and in workdays; keep it in one"
            )
        return cls(off, on)

    def is_working(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def last_in_month(self, day: date) -> date:
        """The last working day of the month of `day`; the month's last day if none of its
        days is a working day (only a misconfigured month has none)."""
        last = month_end(day)
        candidate = last
        while candidate.month == last.month:
            if self.is_working(candidate):
                return candidate
            candidate -= timedelta(days=1)
        return last


def _dates(key: str, values: Iterable[str]) -> list[date]:
    found = []
    for value in values:
        text = value.strip()
        try:
            if not _ISO_DATE.match(text):
                raise ValueError
            found.append(date.fromisoformat(text))
        except ValueError:
            raise ConfigError(
                f"[schedule] {key}: {value!r} is not a date; write it as YYYY-MM-DD, "
                f"e.g. \"2027-01-01\""
            ) from None
    return found
