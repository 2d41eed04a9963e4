from datetime import date

import pytest

from sales_sheets.errors import UsageError
from sales_sheets.forms.periods import last_complete_quarter, parse_period


@pytest.mark.parametrize("text, start, end", [
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
    ("2026-q4", date(2026, 10, 1), date(2026, 12, 31)),
    ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
])
def test_periods(text: str, start: date, end: date) -> None:
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "2026-Q0", "2026-00", "26", "2026-1",
                                  "2026/11", "next month", ""])
def test_strict_parsing_says_what_is_accepted(text: str) -> None:
    with pytest.raises(UsageError, match="2026-Q4"):
        parse_period(text)


def test_the_last_complete_quarter() -> None:
    assert last_complete_quarter(date(2026, 11, 23)).label == "2026-Q3"
    assert last_complete_quarter(date(2026, 1, 5)).label == "2025-Q4"
    assert last_complete_quarter(date(2026, 4, 1)).label == "2026-Q1"


def test_titles() -> None:
    assert parse_period("2026-Q3").title("zh") == "2026年第3季度"
    assert parse_period("2026-11").title("zh") == "2026年11月"
    assert parse_period("2026").title("en") == "2026"
