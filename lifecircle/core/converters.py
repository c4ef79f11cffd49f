"""URL converters. ``<id:…>`` is an integer that fits a database id: a longer number is a
404 like any missing object, not an overflow deep in the database driver."""

from django.urls import register_converter

MAX_ID = 2**63 - 1  # the largest BigAutoField id; SQLite overflows (a 500) beyond it


def id_in_range(value) -> bool:
    """An int that can be a database id (URLs, JSON bodies, socket frames all check this
    before a query, so an absurd number is a 404 rather than an overflow in the driver)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


def form_id(value) -> int:
    """An id from a form field: a valid id, or 0 (which matches nothing)."""
    try:
        number = int(str(value or "").strip())
    except ValueError:
        return 0
    return number if id_in_range(number) else 0


register_converter(IdConverter, "id")
