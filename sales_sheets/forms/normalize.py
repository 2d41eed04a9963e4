"""Turn what people type into clean typed values, or say what was expected.

A value that normalises cleanly is never an error: full-width digits and punctuation, thousands
separators, currency marks, numbers stored as text, Excel date serials and Chinese date text are
all accepted. Money never passes through binary floating point once it leaves the reader: a float
from a cell is converted through its shortest repr, which is the decimal text Excel stored.
"""

from __future__ import annotations

import math
import operator
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import repeat
from typing import cast

from .kinds.base import Field, FieldType

CENT = Decimal("0.01")
QUANTITY_PLACES = Decimal("0.0001")
RATE_PLACES = Decimal("0.0001")
_EXCEL_EPOCH = date(1899, 12, 30)
_FLOAT_NOISE = 1e-9


class Invalid(ValueError):
    """The value cannot be read as the field's type; `expected` names the type for messages."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


class OutOfRange(Invalid):
    """A number no form could mean (a card number typed into an amount, 1e30)."""

    def __init__(self, expected: str, limit: Decimal) -> None:
        super().__init__(expected)
        self.limit = limit


# Beyond these the value is a typing accident, and it would not fit the ledger's integers.
LIMITS = {"money": Decimal(10) ** 12, "quantity": Decimal(10) ** 9, "integer": Decimal(10) ** 9,
          "rate": Decimal(10)}


def clean_text(value: object) -> str:
    """NFKC-fold (full-width to half-width) and trim; an integral float loses its `.0`."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return text.strip()


def is_blank(value: object) -> bool:
    return value is None or value == "" or (type(value) is str and value.isspace())


def to_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def to_code(value: object) -> str:
    if type(value) is str and value.isascii():
        # NFKC leaves ASCII alone: the common case skips it.
        return "".join(value.split()).upper()
    return "".join(clean_text(value).split()).upper()


_NUMBER_JUNK = re.compile(r"[,\s¥$元]|RMB|CNY", re.IGNORECASE)


def _decimal(value: object, expected: str) -> Decimal:
    if isinstance(value, bool):
        raise Invalid(expected)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise Invalid(expected)
        return Decimal(repr(value))
    if type(value) is str and value.isascii() and value.replace(",", "").replace(".", "", 1
                                                                           ).strip().isdigit():
        return Decimal(value.replace(",", "").strip())
    text = _NUMBER_JUNK.sub("", clean_text(value))
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = "-" + text[1:-1]
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise Invalid(expected) from None
    if not number.is_finite():
        raise Invalid(expected)
    return number


def _bounded(number: Decimal, expected: str) -> Decimal:
    if abs(number) >= LIMITS[expected]:
        raise OutOfRange(expected, LIMITS[expected])
    return number


def _to_places(number: Decimal, places: Decimal, expected: str, from_float: bool) -> Decimal:
    rounded = _bounded(number, expected).quantize(places, rounding=ROUND_HALF_UP)
    if rounded == number:
        return rounded
    # A float from a formula cell (=B7*C7 giving 35.699999999999996) is noise around an exact
    # value; typed text with too many decimals is a real mistake.
    if from_float and abs(rounded - number) < Decimal(_FLOAT_NOISE):
        return rounded
    raise Invalid(expected)


def to_money(value: object) -> Decimal:
    if type(value) is float and value == value and abs(value) < 1e12:
        cents = round(value * 100)
        if abs(cents - value * 100) < 1e-6:
            return Decimal(cents).scaleb(-2)
    return _to_places(_decimal(value, "money"), CENT, "money", isinstance(value, float))


def to_quantity(value: object) -> Decimal:
    return _to_places(
        _decimal(value, "quantity"), QUANTITY_PLACES, "quantity", isinstance(value, float)
    )


def to_integer(value: object) -> int:
    number = _bounded(_decimal(value, "integer"), "integer")
    if number != number.to_integral_value():
        raise Invalid("integer")
    return int(number)


def to_rate(value: object) -> Decimal:
    text = clean_text(value) if isinstance(value, str) else None
    if text is not None and text.endswith("%"):
        number = _decimal(text[:-1], "rate") / 100
    else:
        number = _decimal(value, "rate")
        if number > 1:
            number = number / 100
    if not Decimal(0) <= number <= Decimal(1):
        raise Invalid("rate")
    return _to_places(number, RATE_PLACES, "rate", isinstance(value, float))


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def to_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # Excel's 1900 date system; serials below 61 sit before its fictitious 1900-02-29.
        if 1 <= value < 2958466:
            serial = int(value)
            return _EXCEL_EPOCH + timedelta(days=serial if serial >= 61 else serial + 1)
        raise Invalid("date")
    text = clean_text(value)
    match = _DATE_TEXT.match(text) or _DATE_COMPACT.match(text)
    if not match:
        raise Invalid("date")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise Invalid("date") from None


_YES = {"是", "Y", "YES", "TRUE", "1", "√", "✓", "T", "对"}
_NO = {"否", "N", "NO", "FALSE", "0", "×", "✗", "X", "F", "不"}


def to_yesno(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = clean_text(value).upper()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise Invalid("yesno")


_PERIOD_PATTERNS = (
    (re.compile(r"^(\d{4})年?$"), "{0}"),
    (re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$"), "{0}-Q{1}"),
    (re.compile(r"^(\d{4})年第?([1-4])季度?$"), "{0}-Q{1}"),
    (re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})月?$"), "{0}-{1:0>2}"),
)


def to_period(value: object) -> str:
    """A plan period in canonical form: `2026`, `2026-Q4` or `2026-11`."""
    text = clean_text(value).upper()
    for pattern, form in _PERIOD_PATTERNS:
        match = pattern.match(text)
        if match:
            groups = match.groups()
            if len(groups) == 2 and form.endswith("0>2}") and not 1 <= int(groups[1]) <= 12:
                break
            return form.format(*groups)
    raise Invalid("period")


def choice_value(field: Field, value: object) -> str:
    text = clean_text(value).casefold()
    for choice in field.choices:
        if text in (choice.value.casefold(), choice.zh.casefold(), choice.en.casefold()):
            return choice.value
    raise Invalid("choice")


Converter = Callable[[object], object]

CONVERTERS: dict[FieldType, Converter] = {
    FieldType.TEXT: to_text,
    FieldType.CODE: to_code,
    FieldType.MONEY: to_money,
    FieldType.QUANTITY: to_quantity,
    FieldType.INTEGER: to_integer,
    FieldType.DATE: to_date,
    FieldType.YESNO: to_yesno,
    FieldType.PERIOD: to_period,
    FieldType.RATE: to_rate,
}


def converter_for(field: Field) -> Converter:
    if field.type is FieldType.ENUM:
        return lambda value: choice_value(field, value)
    return CONVERTERS[field.type]


# Whole columns -------------------------------------------------------------------------------
#
# A 100,000-line file spends most of its normalisation calling a converter per cell. Most
# columns hold only the plain values a converter merely tidies; those are converted here in a
# few passes in C, giving exactly what the converter gives each value.

_Whole = Callable[[list[object], set[type]], list[object] | None]
_SPACE = re.compile(r"\s")


def _codes(raw: list[object], types: set[type]) -> list[object] | None:
    """ASCII text without spaces: to_code only upper-cases it."""
    if types != {str}:
        return None
    joined = "\0".join(cast(list[str], raw))
    if not joined.isascii() or _SPACE.search(joined):
        return None
    codes: list[object] = list(joined.upper().split("\0"))
    return codes if len(codes) == len(raw) and "" not in codes else None


def _texts(raw: list[object], types: set[type]) -> list[object] | None:
    """Text: to_text only trims it."""
    if types != {str}:
        return None
    texts: list[object] = list(map(str.strip, cast(list[str], raw)))
    return None if "" in texts else texts


def _money(raw: list[object], types: set[type]) -> list[object] | None:
    """Numbers of whole cents, as to_money's first branch takes them: within 1e-6 of a whole
    number of cents and below 1e12."""
    if not types <= {float, int}:
        return None
    numbers = cast(list[float], raw)
    if not all(map(math.isfinite, numbers)) or max(map(abs, numbers)) >= 1e12:
        return None
    scaled = [v * 100 for v in numbers]
    cents = list(map(round, scaled))
    if max(map(abs, map(operator.sub, cents, scaled))) >= 1e-6:
        return None
    return list(map(Decimal.scaleb, map(Decimal, cents), repeat(-2)))


_WHOLE_COLUMN: dict[FieldType, _Whole] = {
    FieldType.CODE: _codes,
    FieldType.TEXT: _texts,
    FieldType.MONEY: _money,
}


def convert_whole_column(
    field: Field, raw: list[object], types: set[type]
) -> list[object] | None:
    """Every value of a column converted as `converter_for(field)` would, when all are plain
    values of one kind and none is blank; None otherwise (the column then goes value by
    value). `types` are the types of its values, found once by the caller."""
    whole = _WHOLE_COLUMN.get(field.type)
    return whole(raw, types) if whole and raw else None
