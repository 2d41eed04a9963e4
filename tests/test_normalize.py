from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_sheets.forms.kinds.base import Field, FieldType
from sales_sheets.forms.normalize import (
    CONVERTERS,
    Invalid,
    choice_value,
    convert_whole_column,
    to_code,
    to_date,
    to_integer,
    to_money,
    to_period,
    to_quantity,
    to_rate,
    to_yesno,
)
from sales_sheets.kinds import KINDS


@pytest.mark.parametrize("raw, expected", [
    ("1,234.50", "1234.50"), ("１，２３４．５", "1234.50"), ("¥ 1,000", "1000.00"),
    ("￥520", "520.00"), ("1200元", "1200.00"), ("  88 ", "88.00"), (12.3, "12.30"),
    (35.699999999999996, "35.70"), (7, "7.00"), ("(100)", "-100.00"), ("RMB 5", "5.00"),
])
def test_money_accepts_what_people_type(raw: object, expected: str) -> None:
    assert to_money(raw) == Decimal(expected)
    assert str(to_money(raw)) == expected


@pytest.mark.parametrize("raw", ["12.345", "abc", "1.2.3", "", "NaN", "inf", True])
def test_money_refuses_what_is_not_money(raw: object) -> None:
    with pytest.raises(Invalid):
        to_money(raw)


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_money_text_round_trips_exactly(fen: int) -> None:
    amount = Decimal(fen).scaleb(-2)
    assert to_money(f"{amount:,}") == amount
    assert to_money(str(amount)) == amount


@given(st.integers(min_value=0, max_value=10**11))
def test_money_from_a_float_cell_is_the_decimal_excel_stored(fen: int) -> None:
    amount = Decimal(fen).scaleb(-2)
    # a cell holds the shortest decimal text of a double; calamine hands us that double
    assert to_money(float(amount)) == amount


@pytest.mark.parametrize("raw", [
    "2026-11-03", "2026/11/3", "2026.11.3", "2026年11月3日", "20261103", 46329, 46329.0,
    "２０２６－１１－０３", "2026-11-03 14:30:00",
])
def test_dates(raw: object) -> None:
    assert to_date(raw) == date(2026, 11, 3)


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)))
def test_excel_serials_match_excels_calendar(day: date) -> None:
    serial = (day - date(1899, 12, 30)).days
    assert to_date(serial) == day
    assert to_date(day.isoformat()) == day


@pytest.mark.parametrize("raw", ["2026-02-30", "next week", "11/3", -5])
def test_bad_dates(raw: object) -> None:
    with pytest.raises(Invalid):
        to_date(raw)


def test_early_serials_skip_excels_fictitious_leap_day() -> None:
    assert to_date(1) == date(1900, 1, 1)
    assert to_date(61) == date(1900, 3, 1)
    assert to_date(60) - to_date(59) == timedelta(days=1)


@pytest.mark.parametrize("raw, expected", [
    ("是", True), ("否", False), ("Y", True), ("n", False), ("TRUE", True), ("false", False),
    (True, True), ("√", True), ("Yes", True), ("No", False), (1.0, True),
])
def test_yes_no(raw: object, expected: bool) -> None:
    assert to_yesno(raw) is expected


def test_codes_are_folded() -> None:
    assert to_code(" ｃ００１ ") == "C001"
    assert to_code(1001.0) == "1001"
    assert to_code("so - 1") == "SO-1"


@pytest.mark.parametrize("raw, expected", [
    ("2026", "2026"), (2026.0, "2026"), ("2026-Q4", "2026-Q4"), ("2026q4", "2026-Q4"),
    ("2026年第4季度", "2026-Q4"), ("2026-11", "2026-11"), ("2026-3", "2026-03"),
    ("2026年11月", "2026-11"), ("2026/11", "2026-11"),
])
def test_periods(raw: object, expected: str) -> None:
    assert to_period(raw) == expected


@pytest.mark.parametrize("raw", ["2026-13", "2026-Q5", "26-11", "Q4"])
def test_bad_periods(raw: str) -> None:
    with pytest.raises(Invalid):
        to_period(raw)


def test_rates_quantities_integers_and_choices() -> None:
    assert to_rate("13%") == Decimal("0.13") == to_rate(0.13) == to_rate(13)
    assert to_quantity("2.5") == Decimal("2.5")
    assert to_integer("30") == 30
    with pytest.raises(Invalid):
        to_integer("2.5")
    method = KINDS["order"].header_field("delivery_method")
    assert choice_value(method, "自提") == "pickup" == choice_value(method, "Pickup")
    with pytest.raises(Invalid):
        choice_value(method, "快递")


# Whole columns: the same values as the converter of each cell, or None (value by value).

def _per_value(field_type: FieldType, raw: list[object]) -> list[object] | None:
    try:
        converted = list(map(CONVERTERS[field_type], raw))
    except Invalid:
        return None
    return None if "" in converted else converted


def _same(whole: list[object] | None, expected: list[object] | None) -> bool:
    # str() as well: Decimal("5") == Decimal("5.00"), but the ledger and the contract differ.
    if whole is None:
        return True  # declining is always allowed: the column goes value by value
    return expected is not None and list(map(str, whole)) == list(map(str, expected)) \
        and list(map(type, whole)) == list(map(type, expected))


_NUMBERS = st.one_of(
    st.integers(-10**13, 10**13),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(-10**6, 10**6, places=2).map(float),
    st.decimals(-10**6, 10**6, places=3).map(float),
)
_CODES = st.text(st.sampled_from("abcXYZ09-_ .\t全角Ａ\x00"), max_size=8)


@given(st.lists(_NUMBERS, min_size=1, max_size=30))
def test_a_whole_money_column_is_what_each_cell_gives(raw: list[object]) -> None:
    whole = convert_whole_column(_field(FieldType.MONEY), raw, set(map(type, raw)))
    assert _same(whole, _per_value(FieldType.MONEY, raw))


@given(st.lists(st.one_of(_CODES, st.none(), st.floats(0, 100)), min_size=1, max_size=30))
def test_a_whole_code_or_text_column_is_what_each_cell_gives(raw: list[object]) -> None:
    for field_type in (FieldType.CODE, FieldType.TEXT):
        whole = convert_whole_column(_field(field_type), raw, set(map(type, raw)))
        assert _same(whole, _per_value(field_type, raw))


@pytest.mark.parametrize("field_type, raw, expected", [
    (FieldType.MONEY, [40769.01, 7, 0.1 + 0.2], ["40769.01", "7.00", "0.30"]),
    (FieldType.CODE, ["bk001", "C0024"], ["BK001", "C0024"]),
    (FieldType.TEXT, [" 银行转账 ", "现金"], ["银行转账", "现金"]),
])
def test_plain_columns_are_converted_whole(
    field_type: FieldType, raw: list[object], expected: list[str],
) -> None:
    whole = convert_whole_column(_field(field_type), raw, set(map(type, raw)))
    assert list(map(str, whole or [])) == expected


@pytest.mark.parametrize("field_type, raw", [
    (FieldType.MONEY, [1.0, 1.005]),  # below a cent: to_money refuses it, value by value
    (FieldType.MONEY, [1.0, True]), (FieldType.MONEY, [1.0, 1e12]),
    (FieldType.MONEY, [1.0, float("nan")]), (FieldType.MONEY, [1.0, "2"]),
    (FieldType.CODE, ["A 1"]), (FieldType.CODE, ["Ａ1"]), (FieldType.CODE, ["A1", ""]),
    (FieldType.CODE, ["A\x001"]), (FieldType.CODE, ["A1", None]), (FieldType.TEXT, [" "]),
    (FieldType.DATE, ["2026-11-01"]), (FieldType.MONEY, []),
])
def test_anything_else_goes_value_by_value(field_type: FieldType, raw: list[object]) -> None:
    assert convert_whole_column(_field(field_type), raw, set(map(type, raw))) is None


def _field(field_type: FieldType) -> Field:
    return Field("x", "x", "x", field_type)
