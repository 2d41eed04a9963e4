"""How values read in documents: dates, quantities, rates and payment terms, in both languages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..text import Text


def show_date(day: date | None, language: str) -> str:
    if day is None:
        return ""
    return day.isoformat() if language == "en" else f"{day.year}年{day.month:02d}月{day.day:02d}日"


def show_quantity(quantity: Decimal) -> str:
    return f"{quantity.normalize():,f}"


def show_rate(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


_PREPAID = Text("款到发货，买方于发货前付清全部货款。", "Payment in full before delivery.")
_ON_CREDIT = Text("货到后 {days} 天内付清全部货款。",
                  "Payment in full within {days} days of delivery.")


def payment_terms(days: int, language: str) -> str:
    return _PREPAID(language) if days <= 0 else _ON_CREDIT.format(language, days=days)
