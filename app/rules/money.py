"""Money and interest rates: one strict input grammar and one rounding rule.

Amounts are ``Decimal`` in yuan with two places (fen), never floats (STYLE.md rule 6).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, getcontext, localcontext

from app.rules.errors import InvalidInput

FEN = Decimal("0.01")
ROUNDING = ROUND_HALF_UP  # the one rounding rule: half a fen rounds away from zero
RATE_MAX = Decimal("1000")
MONEY_MAX = Decimal("9999999999.99")  # fits Numeric(14, 2)

# After normalising (``_normalise``): ASCII digits, either plain or in correct groups of
# three; no leading zeros except a lone "0"; the fraction, when present, has at least one
# digit (so "1." and ".5" are refused).
_INTEGER = r"(?:0|[1-9][0-9]*|[1-9][0-9]{0,2}(?:,[0-9]{3})+)"
_NUMBER = re.compile(rf"(?P<int>{_INTEGER})(?:\.(?P<frac>[0-9]+))?")
# What people type around the number: a currency mark in front, a unit and 元 behind.
_PREFIXES = ("人民币", "RMB", "¥")
_UNITS = {"万": 10_000, "千": 1_000}
_SUFFIXES = ("元",)
# Separators that can be read two ways: commas not in groups of three ("12,00" is 1200
# or 12.00? "1,2,3", "1234,567") or a second decimal point ("1.2.3").
_AMBIGUOUS = re.compile(r"[0-9]+(?:,[0-9]+)+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+){2,}")
_MAX_TYPED = 40  # longer input is not an amount anyone types; keeps the arithmetic exact
_RATE = re.compile(r"(?P<int>0|[1-9][0-9]*)(?:\.(?P<frac>[0-9]+))?%?")


def to_fen(x: Decimal) -> Decimal:
    """Round an amount to whole fen with the one named rounding rule (ROUND_HALF_UP)."""
    if not x.is_finite():
        raise ValueError("amount is not a finite number")
    if x.adjusted() + 4 <= getcontext().prec:  # the usual case: no wider context needed
        return x.quantize(FEN, rounding=ROUNDING)
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, x.adjusted() + 4)  # never lose integer digits
        return x.quantize(FEN, rounding=ROUNDING)


def parse_money(raw: str, *, allow_zero: bool = False, maximum: Decimal = MONEY_MAX) -> Decimal:
    """Read an amount of yuan as a person types it, on any keyboard, or refuse it with a
    machine code. The one reader of typed amounts: every form's money field uses it.

    Accepted, after Unicode NFKC (full-width ``１２０００``, ``，``, ``．`` and ``￥`` become
    ASCII) and with spaces ignored around the parts: an optional ``¥``, ``RMB`` or ``人民币``
    in front; ASCII digits, plain or with thousands commas in correct groups (a space
    between digits counts as such a comma); optionally ``.`` and digits; then optionally one
    unit, ``万`` (×10,000) or ``千`` (×1,000), and ``元``. So ``1.2万`` is 12,000.00,
    ``0.3万`` 3,000.00, ``3千`` 3,000.00 and ``￥12,000.50`` 12,000.50.

    Refused, never guessed: ``money_negative`` (a minus sign), ``money_grouping`` (commas
    or points that do not separate thousands and decimals unambiguously: ``12,00``,
    ``1,2,3``, ``1.2.3``), ``money_unit`` (more than one unit: ``1万万``, ``1万2千``),
    ``money_precision`` (more than two decimals once the unit is applied: ``1.23456万``
    is fine, ``0.0000001万`` is not; ``1.230`` too), ``money_zero`` (zero unless
    ``allow_zero``), ``money_too_large`` (above ``maximum``) and ``money_format``
    (anything else: exponents, NaN, Chinese numerals such as ``一万``, ``1.``, ``.5``,
    leading zeros such as ``007``). Returns the amount with exactly two decimal places.
    """
    text = _normalise(raw)
    if text.startswith(("-", "−")):
        raise InvalidInput("money_negative")
    text, multiplier = _strip_marks(text)
    match = _NUMBER.fullmatch(text)
    if match is None:
        raise InvalidInput("money_grouping" if _AMBIGUOUS.fullmatch(text) else "money_format")
    frac = match["frac"] or "0"
    if multiplier == 1 and len(frac) > 2:
        raise InvalidInput("money_precision")  # "1.230" too: nobody types fen that way
    digits = match["int"].replace(",", "") + "." + frac
    with localcontext() as ctx:
        ctx.prec = 2 * _MAX_TYPED  # exact for every input short enough to get here
        amount = Decimal(digits) * multiplier
        if amount != amount.quantize(FEN):
            raise InvalidInput("money_precision")
        amount = amount.quantize(FEN)
    if amount == 0 and not allow_zero:
        raise InvalidInput("money_zero")
    if amount > maximum:
        raise InvalidInput("money_too_large")
    return amount


def _normalise(raw: str) -> str:
    """Full-width forms to ASCII (NFKC), whitespace runs to one space, none at the ends
    nor next to anything but a digit; a space left between digits is a thousands comma."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", raw)).strip()
    if len(text) > _MAX_TYPED:
        raise InvalidInput("money_too_large" if text.isdigit() else "money_format")
    text = re.sub(r" (?=[^0-9])|(?<=[^0-9]) ", "", text)
    return text.replace(" ", ",")


def _strip_marks(text: str) -> tuple[str, int]:
    """The number without its currency mark, unit and 元, and the unit's multiplier."""
    for prefix in _PREFIXES:
        if text.upper().startswith(prefix):
            text = text[len(prefix) :]
            break
    for suffix in _SUFFIXES:
        text = text.removesuffix(suffix)
    units = [ch for ch in text if ch in _UNITS]
    if len(units) > 1:
        raise InvalidInput("money_unit")
    if units and not text.endswith(units[0]):
        raise InvalidInput("money_unit")  # "1万2": a unit inside the number
    return (text[:-1], _UNITS[units[0]]) if units else (text, 1)


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


def format_rate(rate: Decimal, places: int | None = None) -> str:
    """An annual rate in percent as people write it: ``9.6000`` → ``9.6%``, ``12.0000`` →
    ``12%``, ``12.3456`` → ``12.3456%`` (a stored rate is never rounded away). With
    ``places``, a computed rate is first rounded to that many decimals with the one
    rounding rule, so ``26.7397`` → ``26.74%`` and a rate compared as shown reads the same."""
    if not isinstance(rate, Decimal) or not rate.is_finite():
        raise TypeError("a rate is a finite Decimal")
    value = rate if places is None else rate.quantize(Decimal(1).scaleb(-places), ROUNDING)
    return f"{value.normalize():f}%"
