"""URL converters. ``<id:…>`` is an integer that fits a database id: a longer number is a
404 like any missing object, not an overflow deep in the database driver."""

from django.urls import register_converter

MAX_ID = 2**62


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
    return number if 0 < number < MAX_ID else 0


register_converter(IdConverter, "id")
