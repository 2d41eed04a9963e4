"""Money as it is written on documents: RMB in Chinese capitals (人民币大写) and figures.

The capitals follow the People's Bank of China rules for writing amounts on bills and vouchers
(《支付结算办法》附件《正确填写票据和结算凭证的基本规定》), and the choices those rules leave open
are made the way banks and cn2an write them:

* 整 follows 元 when there is no 角 and no 分 ("壹拾万元整"). After 角 with no 分 it is optional;
  by default it is left out ("壹仟肆佰零玖元伍角", as the rules' own example writes it), and
  ``jiao_zheng=True`` writes it ("壹仟肆佰零玖元伍角整"). 整 never follows 分.
* A run of zeros inside the yuan is one 零 ("壹仟肆佰零玖", "壹亿零壹"). Zeros that end a section
  closed by 万 or 亿 add no 零 when the next section starts at its 仟 digit ("壹拾万柒仟",
  "壹佰零壹万"); the rules make that 零 optional and leaving it out is the common form.
* When 角 is zero and 分 is not, 零 is written after 元 ("壹万陆仟肆佰零玖元零贰分"). When only
  the 元 digit is zero and 角 is not ("壹佰元伍角") the optional 零 is left out.
* Below one yuan no "零元" is written ("伍角", "伍分"); zero itself is "零元整".
* 壹 is always written before a leading 拾 ("壹拾伍元整"), so no digit can be added in front.
* Negative amounts (credit balances on statements) get the prefix 负 ("负壹拾贰元叁角").

Amounts are rounded to the fen with ROUND_HALF_UP first. Only :class:`~decimal.Decimal` is
accepted: money never passes through binary floating point, so a float is a programming error.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

__all__ = ["MAX_CAPITALS", "format_money", "rmb_capitals"]

CENT = Decimal("0.01")
#: Amounts must be smaller than this in absolute value (after rounding): the largest unit
#: written is 万亿 (10^12), so the yuan part has at most sixteen digits.
MAX_CAPITALS = Decimal(10) ** 16

# Holds any amount below MAX_CAPITALS in fen exactly, whatever the caller's context says.
_FEN_CONTEXT = Context(prec=28)

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
# The unit that closes the four-digit section ending at this power of ten, and the modulus
# that decides whether it is written: 万 only when its own section is non-zero (壹亿零壹, not
# 壹亿零万零壹), 亿 whenever anything stands above it (壹万亿 = 10^12).
_SECTION_UNITS = {4: ("万", 10**4), 8: ("亿", 10**8), 12: ("万", 10**4)}


def _checked(amount: Decimal) -> Decimal:
    """Validate an amount and round it to the fen.

    Args:
        amount: The amount in yuan.

    Returns:
        The amount quantized to 0.01 with ROUND_HALF_UP; negative zero becomes zero.

    Raises:
        TypeError: If ``amount`` is not a Decimal (a float, an int, a string, ...).
        ValueError: If ``amount`` is NaN or infinite.
    """
    # bool and int would be exact, but accepting them invites `rmb_capitals(price * 1.1)`
    # mistakes elsewhere; one type at the boundary keeps the callers honest.
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be a Decimal, not {type(amount).__name__}")
    if not amount.is_finite():
        raise ValueError(f"money must be a finite amount, not {amount}")
    # Enough precision for any finite Decimal, so quantize never fails for lack of digits
    # under a caller's narrow decimal context.
    context = Context(prec=max(28, amount.adjusted() + 4))
    rounded = amount.quantize(CENT, rounding=ROUND_HALF_UP, context=context)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _yuan_capitals(yuan: int) -> str:
    """Write a positive whole number of yuan (below 10^16) in capitals, without 元.

    Args:
        yuan: The integer part, ``1 <= yuan < 10**16``.

    Returns:
        The capitals, e.g. ``"壹仟肆佰零玖"`` for 1409.
    """
    digits = str(yuan)
    parts: list[str] = []
    pending_zero = False
    for index, char in enumerate(digits):
        power = len(digits) - 1 - index
        digit = int(char)
        if digit == 0:
            pending_zero = True
        else:
            if pending_zero:
                parts.append("零")
            parts.append(_DIGITS[digit] + _SMALL_UNITS[power % 4])
            pending_zero = False
        section = _SECTION_UNITS.get(power)
        if section is not None:
            unit, modulus = section
            if (yuan // 10**power) % modulus:
                parts.append(unit)
                # Trailing zeros of a section closed by its unit need no 零 of their own.
                pending_zero = False
    return "".join(parts)


def rmb_capitals(amount: Decimal, *, jiao_zheng: bool = False) -> str:
    """Write an amount of RMB in Chinese capitals (人民币大写) for bills and vouchers.

    Args:
        amount: The amount in yuan. It is rounded to the fen with ROUND_HALF_UP first.
        jiao_zheng: Write 整 after 角 when there is no 分 ("伍角整"). The PBOC rules make it
            optional; the default leaves it out, as their own example does ("壹仟肆佰零玖元伍角").

    Returns:
        The capitals, e.g. ``"壹万陆仟肆佰零玖元零贰分"`` for 16409.02, ``"伍角"`` for 0.50,
        ``"零元整"`` for 0 and ``"负壹拾贰元叁角"`` for -12.30.

    Raises:
        TypeError: If ``amount`` is not a Decimal.
        ValueError: If ``amount`` is NaN or infinite, or its rounded absolute value is not
            below :data:`MAX_CAPITALS` (10^16 yuan).

    Examples:
        >>> rmb_capitals(Decimal("100000"))
        '壹拾万元整'
        >>> rmb_capitals(Decimal("1409.50"), jiao_zheng=True)
        '壹仟肆佰零玖元伍角整'
    """
    rounded = _checked(amount)
    if rounded.copy_abs() >= MAX_CAPITALS:
        raise ValueError(f"amount {amount} is too large to write in capitals (limit 10^16 yuan)")
    fen_total = int(rounded.copy_abs().scaleb(2, context=_FEN_CONTEXT))
    yuan, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)
    if fen_total == 0:
        return "零元整"

    parts = ["负"] if rounded < 0 else []
    if yuan:
        parts.append(_yuan_capitals(yuan) + "元")
    if jiao:
        parts.append(_DIGITS[jiao] + "角")
    elif fen and yuan:
        parts.append("零")  # 元零贰分: the zero 角 must show so no digit can be slipped in.
    if fen:
        parts.append(_DIGITS[fen] + "分")
    elif not jiao or jiao_zheng:
        parts.append("整")
    return "".join(parts)


def format_money(amount: Decimal) -> str:
    """Write an amount in figures for documents: two decimals and thousands separators.

    Args:
        amount: The amount in yuan. It is rounded to the fen with ROUND_HALF_UP first.

    Returns:
        The figures, e.g. ``"12,345.67"``, ``"-1,000.00"``, ``"0.00"``.

    Raises:
        TypeError: If ``amount`` is not a Decimal.
        ValueError: If ``amount`` is NaN or infinite.
    """
    return format(_checked(amount), ",.2f")
