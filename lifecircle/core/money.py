"""Money is an integer number of fen (分, 1/100 yuan, CNY): never a float.

``parse_yuan`` reads what a person types ("12", "12.5", "¥1,234.56") into fen, refusing
fractions of a fen, signs and overflow; ``format_fen`` shows fen in the active (or given)
language with Babel, e.g. ``CN¥12.34`` in English and ``¥12.34`` in simplified Chinese.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from lifecircle.core.errors import validation_error

CURRENCY = "CNY"
# A sane ceiling for one amount (¥1,000,000,000): far below BigIntegerField's 9.2e18, so sums of
# many such amounts can never overflow the database column.
MAX_AMOUNT_FEN = 100_000_000_000

# Django language code -> Babel locale.
BABEL_LOCALES = {"en": "en", "zh-hans": "zh_Hans_CN", "zh-hant": "zh_Hant_TW"}

_YUAN = re.compile(r"^\d{1,12}(\.\d{1,2})?$")


def babel_locale(language: str | None = None) -> str:
    language = (language or translation.get_language() or "en").lower()
    if language in BABEL_LOCALES:
        return BABEL_LOCALES[language]
    return BABEL_LOCALES.get(language.split("-")[0], "en")


def format_fen(fen: int, language: str | None = None) -> str:
    """``1234`` -> ``CN¥12.34`` (en), ``¥12.34`` (zh-hans), ``CN¥12.34`` (zh-hant)."""
    return format_currency(Decimal(int(fen)).scaleb(-2), CURRENCY, locale=babel_locale(language))


def fen_to_yuan_str(fen: int) -> str:
    """A plain decimal string for forms and APIs: ``1234`` -> ``"12.34"``."""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def parse_yuan(text: str | None, *, field: str = "amount") -> int:
    """Parse a positive yuan amount typed by a person into fen.

    Accepts an optional ``¥``/``CN¥`` prefix, thousands separators and at most two decimals.
    Zero, negatives, fractions of a fen and amounts over ``MAX_AMOUNT_FEN`` are refused with a
    field error (``amount_invalid``, ``amount_not_positive``, ``amount_too_large``)."""
    raw = (text or "").strip().replace(",", "").replace("，", "")
    for prefix in ("CN¥", "￥", "¥"):
        if raw.startswith(prefix):
            raw = raw[len(prefix) :].strip()
    if raw.startswith("-"):
        raise validation_error(field, "amount_not_positive", _("Enter an amount greater than zero."))
    if not _YUAN.match(raw):
        raise validation_error(
            field, "amount_invalid", _("Enter an amount in yuan with at most two decimals, e.g. 12.50.")
        )
    try:
        fen = int((Decimal(raw) * 100).to_integral_exact())
    except InvalidOperation:  # pragma: no cover - the regex already guarantees a number
        raise validation_error(field, "amount_invalid", _("Enter a valid amount.")) from None
    return amount_check(fen, field=field)


def amount_check(fen, *, field: str = "amount_fen") -> int:
    """Check an amount already in fen (from the API): a positive integer no larger than the
    ceiling. Booleans and floats are refused even when they look whole."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise validation_error(field, "amount_invalid", _("Enter the amount as a whole number of fen."))
    if fen <= 0:
        raise validation_error(field, "amount_not_positive", _("Enter an amount greater than zero."))
    if fen > MAX_AMOUNT_FEN:
        raise validation_error(field, "amount_too_large", _("This amount is too large."))
    return fen
