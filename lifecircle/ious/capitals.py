"""Amounts in Chinese capital numerals (大写金额), as written on IOUs and cheques.

``amount_in_capitals(120000)`` → ``壹仟贰佰元整``. The rules followed are those of the PBoC's
payment-settlement measures (《支付结算办法》附一):

* capital digits 零壹贰叁肆伍陆柒捌玖 and units 拾佰仟万亿; ``10`` is written 壹拾;
* one 零 stands for any run of zeros between two non-zero digits (壹仟零伍元), also across a
  万 or 亿 section (壹亿零壹万元), and none is written for trailing zeros (壹仟元);
* an amount with no 角 or 分 ends in 整; one that ends in 角 ends in 角整; one with 分 has no 整;
* a zero 元 digit before a 角, or a zero 角 between 元 and 分, is written 零
  (壹佰伍拾元零叁角整, 壹元零伍分) — the form the measures allow that leaves no gap to alter;
* amounts under one yuan start at the 角 or 分 (伍角整, 伍分); zero is 零元整.

``traditional=True`` gives the same text in traditional characters (壹仟貳佰元整, 萬, 億).
"""

from __future__ import annotations

SIMPLIFIED = {
    "digits": "零壹贰叁肆伍陆柒捌玖",
    "small": ("", "拾", "佰", "仟"),
    "big": ("", "万", "亿", "万亿"),
}
TRADITIONAL = {
    "digits": "零壹貳參肆伍陸柒捌玖",
    "small": ("", "拾", "佰", "仟"),
    "big": ("", "萬", "億", "萬億"),
}


def _section(n: int, digits: str, small: tuple[str, ...]) -> str:
    """One group of four digits (1 ≤ n ≤ 9999), without leading 零."""
    out, pending_zero = "", False
    for pos in (3, 2, 1, 0):
        d = n // 10**pos % 10
        if d == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out += digits[0]
            pending_zero = False
        out += digits[d] + small[pos]
    return out


def _integer(n: int, digits: str, small: tuple[str, ...], big: tuple[str, ...]) -> str:
    sections = []
    while n:
        sections.append(n % 10_000)
        n //= 10_000
    if len(sections) > len(big):
        raise ValueError("amount too large to write in capitals")
    out, gap = "", False
    for i in reversed(range(len(sections))):
        section = sections[i]
        if section == 0:
            gap = bool(out)
            continue
        if out and (gap or section < 1000):
            out += digits[0]
        out += _section(section, digits, small) + big[i]
        gap = False
    return out


def amount_in_capitals(fen: int, *, traditional: bool = False) -> str:
    """A non-negative whole number of fen in capital numerals (see the module docstring)."""
    if isinstance(fen, bool) or not isinstance(fen, int) or fen < 0:
        raise ValueError("a non-negative whole number of fen")
    style = TRADITIONAL if traditional else SIMPLIFIED
    digits = style["digits"]
    yuan, rest = divmod(fen, 100)
    jiao, fen_digit = divmod(rest, 10)
    text = _integer(yuan, digits, style["small"], style["big"])
    if yuan:
        text += "元"
    if not jiao and not fen_digit:
        return (text or digits[0] + "元") + "整"
    if jiao:
        if yuan and yuan % 10 == 0:
            text += digits[0]
        text += digits[jiao] + "角"
        return text + (digits[fen_digit] + "分" if fen_digit else "整")
    if yuan:
        text += digits[0]
    return text + digits[fen_digit] + "分"
