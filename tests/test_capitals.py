"""RMB in capitals and in figures: golden examples, rounding, rejection, and a read-back property.

The golden cases are the PBOC rules' own worked examples plus the usual textbook ones
(《正确填写票据和结算凭证的基本规定》). The property test reads every generated string back with
a small parser written here, independently of the writer, so a wrong digit or unit cannot hide.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_sheets.documents.capitals import MAX_CAPITALS, format_money, rmb_capitals

CENT = Decimal("0.01")
DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = "拾佰仟万亿元角分"
_DIGIT_VALUE = {char: value for value, char in enumerate(DIGITS)}
_SMALL_UNITS = {"拾": 10, "佰": 100, "仟": 1000}
_FEN_UNITS = {"角": 10, "分": 1}


def parse_capitals(text: str) -> Decimal:
    """Read capitals back into an amount, knowing nothing of how they were written.

    Args:
        text: Capitals such as ``"负壹万零壹亿元整"``.

    Returns:
        The amount in yuan with two decimals.

    Raises:
        ValueError: On a character or a sequence that capitals cannot contain.
    """
    sign = 1
    if text.startswith("负"):
        sign, text = -1, text[1:]
    above_yi = below_yi_wan = section = digit = 0
    yuan = cents = 0
    for char in text:
        if char in "零整":
            continue
        if char in _DIGIT_VALUE:
            if digit:
                raise ValueError(f"two digits in a row in {text!r}")
            digit = _DIGIT_VALUE[char]
        elif char in _SMALL_UNITS:
            section += digit * _SMALL_UNITS[char]
            digit = 0
        elif char == "万":
            below_yi_wan += (section + digit) * 10**4
            section = digit = 0
        elif char == "亿":
            above_yi = (above_yi + below_yi_wan + section + digit) * 10**8
            below_yi_wan = section = digit = 0
        elif char == "元":
            yuan = above_yi + below_yi_wan + section + digit
            above_yi = below_yi_wan = section = digit = 0
        elif char in _FEN_UNITS:
            cents += digit * _FEN_UNITS[char]
            digit = 0
        else:
            raise ValueError(f"unexpected {char!r} in {text!r}")
    if digit or section or below_yi_wan or above_yi:
        raise ValueError(f"digits without a unit in {text!r}")
    return Decimal(sign * (yuan * 100 + cents)).scaleb(-2)


# --- golden examples -------------------------------------------------------------------------

@pytest.mark.parametrize("amount, capitals", [
    # the PBOC rules' own examples
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("1409.50", "壹仟肆佰零玖元伍角"),
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("100000", "壹拾万元整"),
    # the rest of the PBOC and textbook examples
    ("107000.53", "壹拾万柒仟元伍角叁分"),
    ("1004.00", "壹仟零肆元整"),
    ("30001.10", "叁万零壹元壹角"),
    ("1409", "壹仟肆佰零玖元整"),
    ("0.05", "伍分"),
    ("0.50", "伍角"),
    ("0.55", "伍角伍分"),
    ("0", "零元整"),
    ("0.00", "零元整"),
    ("1", "壹元整"),
    ("10", "壹拾元整"),
    ("15", "壹拾伍元整"),
    ("100.05", "壹佰元零伍分"),
    ("100.50", "壹佰元伍角"),
    # zeros inside the yuan and around 万 / 亿
    ("1010000", "壹佰零壹万元整"),
    ("10010", "壹万零壹拾元整"),
    ("1000010", "壹佰万零壹拾元整"),
    ("100200", "壹拾万零贰佰元整"),
    ("10000000", "壹仟万元整"),
    ("100000001", "壹亿零壹元整"),
    ("100001000", "壹亿零壹仟元整"),
    ("101000000", "壹亿零壹佰万元整"),
    ("110000000", "壹亿壹仟万元整"),
    ("1000000000000", "壹万亿元整"),
    ("1000000000001", "壹万亿零壹元整"),
    ("1000000010000", "壹万亿零壹万元整"),
    ("1000100000000", "壹万零壹亿元整"),
    ("1234567890123.45", "壹万贰仟叁佰肆拾伍亿陆仟柒佰捌拾玖万零壹佰贰拾叁元肆角伍分"),
    ("9999999999999999.99",
     "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    # negative amounts (credit balances)
    ("-12.30", "负壹拾贰元叁角"),
    ("-100000", "负壹拾万元整"),
    ("-0.05", "负伍分"),
])
def test_golden_capitals(amount: str, capitals: str) -> None:
    assert rmb_capitals(Decimal(amount)) == capitals
    assert parse_capitals(capitals) == Decimal(amount)


@pytest.mark.parametrize("amount, capitals", [
    ("1409.50", "壹仟肆佰零玖元伍角整"),
    ("0.50", "伍角整"),
    ("-12.30", "负壹拾贰元叁角整"),
    ("30001.10", "叁万零壹元壹角整"),
    # 整 after 元 and never after 分, whatever the option says
    ("100000", "壹拾万元整"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("6007.14", "陆仟零柒元壹角肆分"),
])
def test_jiao_zheng_writes_the_optional_zheng_after_jiao(amount: str, capitals: str) -> None:
    assert rmb_capitals(Decimal(amount), jiao_zheng=True) == capitals


# --- rounding and rejection ------------------------------------------------------------------

@pytest.mark.parametrize("amount, rounded", [
    ("12.345", "12.35"), ("12.344", "12.34"), ("12.3450001", "12.35"), ("0.005", "0.01"),
    ("0.004", "0.00"), ("-12.345", "-12.35"), ("2.675", "2.68"), ("9.995", "10.00"),
])
def test_rounds_half_up_to_the_fen(amount: str, rounded: str) -> None:
    assert rmb_capitals(Decimal(amount)) == rmb_capitals(Decimal(rounded))
    assert format_money(Decimal(amount)) == format_money(Decimal(rounded))


def test_rounding_examples_in_capitals() -> None:
    assert rmb_capitals(Decimal("12.345")) == "壹拾贰元叁角伍分"
    assert rmb_capitals(Decimal("12.344")) == "壹拾贰元叁角肆分"
    assert rmb_capitals(Decimal("-0.004")) == "零元整"  # no 负 on an amount that rounds to zero


@pytest.mark.parametrize("value", [12.5, 0.0, 10, True, "12.50", None])
def test_rejects_anything_but_decimal(value: object) -> None:
    with pytest.raises(TypeError):
        rmb_capitals(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_money(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_rejects_nan_and_infinity(value: str) -> None:
    with pytest.raises(ValueError):
        rmb_capitals(Decimal(value))
    with pytest.raises(ValueError):
        format_money(Decimal(value))


@pytest.mark.parametrize("value", ["1E+16", "9999999999999999.995", "-1E+16", "1E+30", "1E+999"])
def test_rejects_amounts_beyond_wan_yi(value: str) -> None:
    with pytest.raises(ValueError, match="too large"):
        rmb_capitals(Decimal(value))


def test_limit_is_just_below_ten_to_the_sixteen() -> None:
    assert MAX_CAPITALS == Decimal(10) ** 16
    assert rmb_capitals(Decimal("9999999999999999.994")).endswith("玖元玖角玖分")


def test_independent_of_the_callers_decimal_context() -> None:
    with localcontext() as context:
        context.prec = 6
        assert rmb_capitals(Decimal("1234567890123.45")) == (
            "壹万贰仟叁佰肆拾伍亿陆仟柒佰捌拾玖万零壹佰贰拾叁元肆角伍分"
        )
        assert format_money(Decimal("1234567890123.455")) == "1,234,567,890,123.46"


# --- figures ---------------------------------------------------------------------------------

@pytest.mark.parametrize("amount, figures", [
    ("12345.67", "12,345.67"), ("0", "0.00"), ("-0.00", "0.00"), ("-0.001", "0.00"),
    ("5", "5.00"), ("999.995", "1,000.00"), ("1234567.8", "1,234,567.80"),
    ("-1234.5", "-1,234.50"), ("1E+3", "1,000.00"), ("0.1", "0.10"),
])
def test_format_money(amount: str, figures: str) -> None:
    assert format_money(Decimal(amount)) == figures


# --- properties ------------------------------------------------------------------------------

def _from_fen(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


# Uniform integers rarely hold runs of zeros, so also build amounts from zero-heavy digit
# strings, up to the full sixteen yuan digits.
fen_amounts = st.one_of(
    st.integers(min_value=0, max_value=10**15),
    st.lists(st.sampled_from("00000000123456789"), min_size=1, max_size=18).map(
        lambda digits: int("".join(digits))
    ),
).map(_from_fen)
signed_amounts = st.tuples(fen_amounts, st.booleans()).map(
    lambda pair: -pair[0] if pair[1] else pair[0]
)


@given(signed_amounts, st.booleans())
def test_capitals_read_back_to_the_amount(amount: Decimal, jiao_zheng: bool) -> None:
    assert parse_capitals(rmb_capitals(amount, jiao_zheng=jiao_zheng)) == amount


@given(signed_amounts, st.booleans())
def test_capitals_structure(amount: Decimal, jiao_zheng: bool) -> None:
    text = rmb_capitals(amount, jiao_zheng=jiao_zheng)
    fen_total = int(abs(amount).scaleb(2))
    jiao, fen = divmod(fen_total % 100, 10)

    assert "零零" not in text
    assert "分整" not in text
    assert ("整" in text) == (fen == 0 and (jiao == 0 or jiao_zheng))
    if "整" in text:
        assert text.endswith("整") and text.count("整") == 1
    body = text.removeprefix("负")
    assert text.startswith("负") == (amount < 0 and fen_total > 0)
    assert not body.startswith("零") or text == "零元整"
    # Every digit carries its unit, and 零 only ever stands between two written digits.
    for index, char in enumerate(body):
        following = body[index + 1] if index + 1 < len(body) else ""
        if char in DIGITS[1:]:
            assert following in UNITS, text
        if char == "零" and text != "零元整":
            assert following in DIGITS[1:], text
    assert set(text) <= set(DIGITS + UNITS + "整负")


@given(st.decimals(min_value=-10**13, max_value=10**13, places=4,
                   allow_nan=False, allow_infinity=False))
def test_rounding_happens_first(amount: Decimal) -> None:
    rounded = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    assert rmb_capitals(amount) == rmb_capitals(rounded)
    assert parse_capitals(rmb_capitals(amount)) == rounded


@given(signed_amounts)
def test_figures_read_back_to_the_amount(amount: Decimal) -> None:
    figures = format_money(amount)
    whole = figures.lstrip("-").split(".")[0]
    assert whole == f"{int(whole.replace(',', '')):,}"  # separators every three digits
    assert Decimal(figures.replace(",", "")) == amount
