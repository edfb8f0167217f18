"""Chinese numerals: amounts in capital numerals (大写金额) and small ordinary numbers.

The capital form follows 中国人民银行《支付结算办法》(银发〔1997〕393号) 附件一《正确填写票据和
结算凭证的基本规定》, quoted here because every choice below rests on it:

- item 二: "中文大写金额数字到'元'为止的,在'元'之后,应写'整'(或'正')字,
  在'角'之后可以不写'整'(或'正')字。大写金额数字有'分'的,'分'后面不写'整'(或'正')字。"
- item 三: "中文大写金额数字前应标明'人民币'字样,大写金额数字应紧接'人民币'字样填写,
  不得留有空白。"
- item 四 (zeros): (一) a zero between digits is written 零 (¥1,409.50 → 壹仟肆佰零玖元伍角);
  (二) a run of zeros is written as one 零 (¥6,007.14 → 陆仟零柒元壹角肆分); (三) when the
  万 or 元 digit is 0 but the 仟 or 角 digit is not, 零 may be written once or left out
  (¥107,000.53 → 壹拾万柒仟元零伍角叁分 or 壹拾万零柒仟元伍角叁分; ¥1,680.32 →
  壹仟陆佰捌拾元零叁角贰分 or 壹仟陆佰捌拾元叁角贰分); (四) when the 角 digit is 0 and the 分
  digit is not, 零 must follow 元 (¥16,409.02 → 壹万陆仟肆佰零玖元零贰分).

Choices taken where the rules allow two forms, each matching one of the rules' examples:
- 整 after 元 only; nothing after 角 (allowed by item 二) and never after 分.
- Case (三) at the 万 boundary: no 零 when the section below starts with a non-zero 仟
  digit (壹拾万柒仟, ordinary spoken Chinese); 零 when it starts with zeros (壹万零伍拾).
- Case (三) at the 元 boundary: 零 after 元 whenever the 元 digit is 0 and 角 or 分
  follow (100,000.10 → 壹拾万元零壹角, not 壹拾万元壹角). Both are lawful, but this is the
  first form the rules give in both of their examples (壹仟陆佰捌拾元零叁角贰分,
  壹拾万柒仟元零伍角叁分), so every example in the rules comes out exactly as its first
  form. The mandatory case (四) always gets its 零 (壹万零伍拾元零伍分).
- A leading ten is 壹拾 (壹拾元整, 壹拾万), as in the rules' example 壹拾万柒仟, so that no
  digit can be written in front of a bare 拾.
- An amount under one yuan has no 零元 (伍角, 伍分).
"""

from __future__ import annotations

from decimal import Decimal

from app.rules.money import MONEY_MAX, to_fen

CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
CAPITAL_UNITS = ("", "拾", "佰", "仟")
PLAIN_DIGITS = "零一二三四五六七八九"
PLAIN_UNITS = ("", "十", "百", "千")
_SECTIONS = ("", "万", "亿")  # MONEY_MAX is below 一百亿, so 亿 is the largest needed
RMB_PREFIX = "人民币"


def rmb_capital(amount: Decimal, *, prefix: bool = True) -> str:
    """An amount of yuan in capital numerals, e.g. ``Decimal("12000")`` →
    ``人民币壹万贰仟元整`` (rules and choices: module docstring, 《支付结算办法》附件一).

    ``prefix`` puts 人民币 directly in front, as item 三 requires wherever the capital
    amount stands alone; pass ``prefix=False`` where 人民币 is already printed right
    before it (a table column headed 人民币). Zero is 零元整.

    Raises ``ValueError`` for an amount that is not a finite ``Decimal``, is negative,
    is not whole fen (never rounded: an agreed amount is never changed) or is above
    ``money.MONEY_MAX`` (the largest amount the database stores).
    """
    _check_amount(amount)
    fen_total = int(to_fen(amount) * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    words = _integer_words(yuan, CAPITAL_DIGITS, CAPITAL_UNITS, leading_one=True)
    if yuan:
        words += "元"
    if yuan and (jiao or fen) and (yuan % 10 == 0 or not jiao):
        words += "零"  # item 四(三) at the 元 digit, first form; 四(四) when 角 is 0
    if jiao:
        words += CAPITAL_DIGITS[jiao] + "角"
    if fen:
        words += CAPITAL_DIGITS[fen] + "分"
    if not jiao and not fen:
        words = (words or "零元") + "整"
    return RMB_PREFIX + words if prefix else words


def cn_number(n: int) -> str:
    """A whole number 0–99,999,999 in ordinary Chinese numerals, as used for article
    numbers and periods in legal text: 1 → 一, 10 → 十, 15 → 十五, 30 → 三十, 101 → 一百零一.
    A leading ten is 十, not 一十, as in 第十五条 and 三十日 (CPL Art. 205)."""
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n < 10**8:
        raise ValueError("cn_number takes a whole number from 0 to 99,999,999")
    return _integer_words(n, PLAIN_DIGITS, PLAIN_UNITS, leading_one=False) or "零"


def _check_amount(amount: Decimal) -> None:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValueError("the amount must be a finite Decimal")
    if amount < 0:
        raise ValueError("a negative amount has no capital form")
    if amount > MONEY_MAX:
        raise ValueError("the amount is above the largest amount stored")
    if amount != to_fen(amount):
        raise ValueError("the amount is not whole fen")


def _integer_words(n: int, digits: str, units: tuple[str, ...], *, leading_one: bool) -> str:
    """Sections of four digits (个, 万, 亿), highest first. One 零 stands for any run of
    zeros between non-zero digits, inside a section or across a section boundary when
    the lower section starts with zeros (item 四(一)(二)); nothing for trailing zeros."""
    sections: list[int] = []
    while n:
        n, low = divmod(n, 10_000)
        sections.append(low)
    words, pending_zero = "", False
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        if section == 0:
            pending_zero = bool(words)
            continue
        if words and (pending_zero or section < 1000):
            words += digits[0]
        words += _section_words(section, digits, units, first=not words, leading_one=leading_one)
        words += _SECTIONS[index]
        pending_zero = False
    return words


def _section_words(
    section: int, digits: str, units: tuple[str, ...], *, first: bool, leading_one: bool
) -> str:
    """One section of 1–9999 without leading zeros (the caller writes that 零)."""
    text, zero = "", False
    for place in range(3, -1, -1):
        digit = section // 10**place % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += digits[0]
            zero = False
        bare_ten = place == 1 and digit == 1 and not text and first and not leading_one
        text += ("" if bare_ten else digits[digit]) + units[place]
    return text
