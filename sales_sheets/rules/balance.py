"""Open items of a customer: debits paid oldest first by the credits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

OPENING = "opening"  # the ref of the opening balance's item


@dataclass(frozen=True)
class Item:
    """A debit: the opening balance or an accepted order."""

    day: date
    amount: Decimal
    ref: str


@dataclass(frozen=True)
class OpenItem:
    day: date
    due: date
    open: Decimal
    ref: str


@dataclass(frozen=True)
class Position:
    as_of: date
    outstanding: Decimal
    overdue: Decimal
    items: tuple[OpenItem, ...]


def opening_item(customer: Mapping[Any, Any], as_of: date) -> Item | None:
    """The customer's opening balance as a debit, once its day has come by `as_of`.

    It is dated on the opening date, or on the day the customer was created when the master
    data gives none; a zero or missing balance is no item at all.
    """
    day = customer["opening_date"] or customer["created"]
    if customer["opening_balance"] and day <= as_of:
        return Item(day, customer["opening_balance"], OPENING)
    return None


def position(
    debits: list[Item], credits: Decimal, payment_days: int, as_of: date
) -> Position:
    """Apply `credits` to the oldest debits first; an item is overdue after day + payment_days."""
    remaining = credits
    open_items: list[OpenItem] = []
    for item in sorted(debits, key=lambda i: (i.day, i.ref)):
        paid = min(item.amount, max(remaining, Decimal(0)))
        remaining -= paid
        if item.amount - paid > 0:
            due = item.day + timedelta(days=payment_days)
            open_items.append(OpenItem(item.day, due, item.amount - paid, item.ref))
    total_debits = sum((i.amount for i in debits), Decimal(0))
    outstanding = total_debits - credits
    overdue = sum((i.open for i in open_items if i.due < as_of), Decimal(0))
    return Position(as_of, outstanding, overdue, tuple(open_items))
