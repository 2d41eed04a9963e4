"""The opening-balance rule, kept in one place (rules/balance.py) for positions, statements
and the ageing sheet."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sales_sheets.rules.balance import Item, opening_item


def _customer(balance: str | None, opening: date | None) -> dict[str, object]:
    return {"opening_balance": Decimal(balance) if balance is not None else None,
            "opening_date": opening, "created": date(2026, 3, 5)}


def test_the_opening_balance_is_a_debit_on_its_opening_date() -> None:
    customer = _customer("86400.00", date(2026, 8, 1))
    assert opening_item(customer, date(2026, 8, 1)) == Item(
        date(2026, 8, 1), Decimal("86400.00"), "opening")
    assert opening_item(customer, date(2026, 12, 31)) == Item(
        date(2026, 8, 1), Decimal("86400.00"), "opening")


def test_it_does_not_count_before_its_day() -> None:
    assert opening_item(_customer("86400.00", date(2026, 8, 1)), date(2026, 7, 31)) is None


def test_without_an_opening_date_it_dates_from_the_customers_creation() -> None:
    customer = _customer("500.00", None)
    assert opening_item(customer, date(2026, 3, 5)) == Item(
        date(2026, 3, 5), Decimal("500.00"), "opening")
    assert opening_item(customer, date(2026, 3, 4)) is None


def test_a_zero_or_missing_balance_is_no_item() -> None:
    assert opening_item(_customer("0.00", date(2026, 1, 1)), date(2026, 12, 31)) is None
    assert opening_item(_customer(None, date(2026, 1, 1)), date(2026, 12, 31)) is None
