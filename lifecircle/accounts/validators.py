"""Pure checks on what people type: mobile numbers, usernames, resident ID numbers, PINs.

They return normalized values or raise :class:`ApplicationError` with a field name, so the
same checks serve the API and the pages.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.core.errors import validation_error

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,29}$")
PIN_RE = re.compile(r"^[0-9]{6}$")  # not \d: that matches full-width digits too

# GB 11643-1999: the 18th character is a mod-11 checksum of the first 17 weighted digits.
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK_CHARS = "10X98765432"
# Province-level codes (GB/T 2260) that may start a resident ID number.
ID_PROVINCES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
    "83",
    "91",
}


def normalize_mobile(raw: str) -> str:
    """Accept ``13812345678``, ``138 1234 5678``, ``+86 138-1234-5678``; return 11 digits."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def mobile_clean(raw: str, *, field: str = "mobile") -> str:
    mobile = normalize_mobile(raw)
    if not MOBILE_RE.match(mobile):
        raise validation_error(
            field, "mobile_invalid", _("Enter an 11-digit mainland mobile number starting with 13–19.")
        )
    return mobile


def username_clean(raw: str, *, field: str = "username") -> str:
    username = (raw or "").strip()
    if not USERNAME_RE.match(username):
        raise validation_error(
            field,
            "username_invalid",
            _("A username has 4–30 letters, digits or underscores and starts with a letter."),
        )
    return username


def looks_like_mobile(identifier: str) -> bool:
    return bool(re.fullmatch(r"\+?[0-9\s\-()]+", (identifier or "").strip()))


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def id_birth_date(id_number: str) -> dt.date:
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def resident_id_clean(raw: str, *, field: str = "id_number") -> str:
    """Return the 18-character ID (upper-case ``X``) or raise ``id_number_invalid``."""
    value = re.sub(r"\s", "", raw or "").upper()
    invalid = validation_error(
        field, "id_number_invalid", _("This is not a valid 18-digit resident ID number.")
    )
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value) or value[:2] not in ID_PROVINCES:
        raise invalid
    try:
        born = id_birth_date(value)
    except ValueError:
        raise invalid from None
    if born < dt.date(1900, 1, 1) or born > timezone.localdate():
        raise invalid
    if id_check_char(value[:17]) != value[17]:
        raise validation_error(
            field, "id_number_checksum", _("The ID number's check digit does not match; check for typos.")
        )
    return value


def legal_name_clean(raw: str, *, field: str = "legal_name") -> str:
    name = re.sub(r"\s+", " ", (raw or "").strip())
    # Chinese names (with the middle dot of ethnic-minority names) or Latin-script names.
    if not (
        re.fullmatch(r"[\u3400-\u9fff\u00b7\u30fb]{2,20}", name)
        or re.fullmatch(r"[A-Za-z][A-Za-z .'\-]{1,58}[A-Za-z.]", name)
    ):
        raise validation_error(field, "legal_name_invalid", _("Enter your legal name as on your ID card."))
    return name


def _is_sequence(pin: str) -> bool:
    steps = {(int(b) - int(a)) for a, b in itertools.pairwise(pin)}
    return steps in ({1}, {-1})


def _is_repetition(pin: str) -> bool:
    return any(pin == pin[:period] * (6 // period) for period in (1, 2, 3))


def pin_clean(raw: str, *, avoid: tuple[str, ...] = (), field: str = "pin") -> str:
    """A 6-digit PIN that is not trivially guessed: no repeated or consecutive digits, no
    short pattern repeated (121212, 123123), nothing from ``avoid`` (e.g. the owner's birth
    date or the tail of their ID number)."""
    pin = (raw or "").strip()
    if not PIN_RE.match(pin):
        raise validation_error(field, "pin_format", _("The payment PIN must be exactly 6 digits."))
    if _is_sequence(pin) or _is_repetition(pin) or pin in avoid:
        raise validation_error(
            field,
            "pin_trivial",
            _("This PIN is too easy to guess. Avoid repeats, sequences and your birthday."),
        )
    return pin


def mask_name(name: str) -> str:
    """``张明`` → ``*明``, ``欧阳明`` → ``**明``: everything but the last character hidden."""
    if not name:
        return ""
    return "*" * (len(name) - 1) + name[-1]
