"""Money and interest rates: one strict input grammar and one rounding rule.

Amounts are ``Decimal`` in yuan with two places (fen), never floats (STYLE.md rule 6).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

from app.rules.errors import InvalidInput

FEN = Decimal("0.01")
ROUNDING = ROUND_HALF_UP  # the one rounding rule: half a fen rounds away from zero
RATE_MAX = Decimal("1000")
MONEY_MAX = Decimal("9999999999.99")  # fits Numeric(14, 2)

# ASCII only ([0-9], not \d: full-width digits are refused). Either plain digits or
# digits in correct groups of three; no leading zeros except a lone "0"; the fraction,
# when present, has at least one digit (so "1." and ".5" are refused).
_INTEGER = r"(?:0|[1-9][0-9]*|[1-9][0-9]{0,2}(?:,[0-9]{3})+)"
_MONEY = re.compile(rf"[¥￥]?(?P<int>{_INTEGER})(?:\.(?P<frac>[0-9]+))?")
_RATE = re.compile(r"(?P<int>0|[1-9][0-9]*)(?:\.(?P<frac>[0-9]+))?%?")


def to_fen(x: Decimal) -> Decimal:
    """Round an amount to whole fen with the one named rounding rule (ROUND_HALF_UP)."""
    if not x.is_finite():
        raise ValueError("amount is not a finite number")
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, x.adjusted() + 4)  # never lose integer digits
        return x.quantize(FEN, rounding=ROUNDING)


def parse_money(raw: str, *, allow_zero: bool = False, maximum: Decimal = MONEY_MAX) -> Decimal:
    """Read an amount of yuan typed by a person, or refuse it with a machine code.

    Grammar: optional surrounding whitespace, an optional leading ``¥`` (or the
    full-width ``￥`` that Chinese input methods type), ASCII digits with optional
    thousands commas in correct groups, then optionally ``.`` and one or two digits.
    Codes: ``money_format`` (anything else: signs, exponents, NaN, full-width digits,
    Chinese numerals, ``"1."``, ``".5"``, leading zeros such as ``"007"``),
    ``money_precision`` (more than two decimals, even ``"1.230"``), ``money_zero``
    (zero unless ``allow_zero``), ``money_too_large`` (above ``maximum``).
    Returns the amount with exactly two decimal places.
    """
    match = _MONEY.fullmatch(raw.strip())
    if match is None:
        raise InvalidInput("money_format")
    frac = match["frac"] or ""
    if len(frac) > 2:
        raise InvalidInput("money_precision")
    # Built from the text with exactly two decimals, so no rounding and no context limit.
    amount = Decimal(match["int"].replace(",", "") + "." + frac.ljust(2, "0"))
    if amount == 0 and not allow_zero:
        raise InvalidInput("money_zero")
    if amount > maximum:
        raise InvalidInput("money_too_large")
    return amount


def parse_rate(raw: str) -> Decimal:
    """Read an annual interest rate in percent (``"18"``, ``"3.85"``, ``"24.0000"``).

    Same strictness as ``parse_money``: ASCII digits, no sign, no exponent, no leading
    zeros, at most four decimals; a trailing ``%`` is accepted because it states the
    unit the number is already in. Codes: ``rate_format`` (anything else, including a
    fifth decimal) and ``rate_range`` (above 1000%). Returns the rate with four places.
    """
    match = _RATE.fullmatch(raw.strip())
    if match is None or len(match["frac"] or "") > 4:
        raise InvalidInput("rate_format")
    rate = Decimal(match["int"] + "." + (match["frac"] or "").ljust(4, "0"))
    if rate > RATE_MAX:
        raise InvalidInput("rate_range")
    return rate
