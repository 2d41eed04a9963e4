"""The labels of the periods a run covers, and reading them back strictly: a month `2026-11` and
a quarter `2026-Q4` (`forms.periods`), an ISO week `2026-W49` and a day `2026-12-07` (here: only
the calendar has runs per week and per day).

ISO weeks start on Monday and belong to the year of their Thursday: 2026 has a week 53 (Monday
2026-12-28 to Sunday 2027-01-03), and 2027-W01 starts on 2027-01-04.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..errors import UsageError
from ..forms.periods import Period, add_months, month_end, parse_period
from .jobs import Every

_WEEK = re.compile(r"^(?P<year>\d{4})-W(?P<week>\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: How each kind of label is written, for the messages that reject one.
FORMS: dict[Every, str] = {
    "month": "a month, YYYY-MM (e.g. 2026-11)",
    "quarter": "a quarter, YYYY-Qn (e.g. 2026-Q4)",
    "week": "an ISO week, YYYY-Www (e.g. 2026-W49)",
    "day": "a day, YYYY-MM-DD (e.g. 2026-12-07)",
}


@dataclass(frozen=True)
class Span:
    """One period of a kind: its label and its days (`end` inclusive)."""

    every: Every
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.every == "month":
            return f"{self.start:%Y-%m}"
        if self.every == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.every == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return self.start.isoformat()

    def period(self) -> Period | None:
        """The `forms.periods.Period` of a month or a quarter; None for a week or a day."""
        if self.every in ("month", "quarter"):
            return Period(self.label, self.start, self.end)
        return None

    def step(self, count: int) -> Span:
        """The span `count` periods later (earlier, if negative)."""
        if self.every == "month":
            start = add_months(self.start, count)
        elif self.every == "quarter":
            start = add_months(self.start, 3 * count)
        else:
            start = self.start + timedelta(days=count * (7 if self.every == "week" else 1))
        return span_from(self.every, start)


def span_containing(every: Every, day: date) -> Span:
    """The month, quarter, ISO week or day that `day` falls in."""
    if every == "month":
        start = day.replace(day=1)
    elif every == "quarter":
        start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    elif every == "week":
        start = day - timedelta(days=day.weekday())
    else:
        start = day
    return span_from(every, start)


def span_from(every: Every, start: date) -> Span:
    if every == "month":
        end = month_end(start)
    elif every == "quarter":
        end = month_end(add_months(start, 2))
    elif every == "week":
        end = start + timedelta(days=6)
    else:
        end = start
    return Span(every, start, end)


def parse_span(every: Every, text: str) -> Span:
    """Read a label of the kind `every`, strictly.

    Raises:
        UsageError: `text` is not a label of that kind; the message says which form is expected.
    """
    label = text.strip().upper()
    try:
        if every in ("month", "quarter"):
            period = parse_period(label)
            if period.kind != every:
                raise ValueError
            return span_from(every, period.start)
        if every == "week":
            match = _WEEK.match(label)
            if not match:
                raise ValueError
            # fromisocalendar refuses week 0 and a week 53 in a year of 52 weeks.
            return span_from(every, date.fromisocalendar(int(match["year"]), int(match["week"]), 1))
        if not _DAY.match(label):
            raise ValueError
        return span_from(every, date.fromisoformat(label))
    except (ValueError, UsageError):
        raise UsageError(f"period {text!r} is not {FORMS[every]}") from None
