from datetime import date

import pytest

from sales_sheets.errors import UsageError
from sales_sheets.forms.periods import add_months, last_complete_quarter, month_end, parse_period


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


@pytest.mark.parametrize("text", ["2026-13", "0000", "0000-Q1", "0000-01", "2026-Q5",
                                  "2026-Q0", "2026-00", "26", "2026-1",
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


@pytest.mark.parametrize("day, count, first", [
    (date(2026, 11, 23), 1, date(2026, 12, 1)),
    (date(2026, 12, 31), 1, date(2027, 1, 1)),
    (date(2026, 1, 31), -1, date(2025, 12, 1)),
    (date(2026, 11, 1), -11, date(2025, 12, 1)),
    (date(2026, 3, 15), 0, date(2026, 3, 1)),
    (date(2026, 1, 1), -24, date(2024, 1, 1)),
    (date(2026, 5, 9), 20, date(2028, 1, 1)),
])
def test_months_are_added_to_the_first_of_a_month(day: date, count: int, first: date) -> None:
    assert add_months(day, count) == first


@pytest.mark.parametrize("day, end", [
    (date(2026, 2, 10), date(2026, 2, 28)),
    (date(2024, 2, 1), date(2024, 2, 29)),
    (date(2026, 12, 1), date(2026, 12, 31)),
    (date(2026, 4, 30), date(2026, 4, 30)),
])
def test_month_ends(day: date, end: date) -> None:
    assert month_end(day) == end


def test_the_periods_a_period_rolls_up_into() -> None:
    assert parse_period("2026-11").parents() == ["2026-Q4", "2026"]
    assert parse_period("2026-03").parents() == ["2026-Q1", "2026"]
    assert parse_period("2026-Q2").parents() == ["2026"]
    assert parse_period("2026").parents() == []
    assert parse_period("2026-Q4").months() == ["2026-10", "2026-11", "2026-12"]
