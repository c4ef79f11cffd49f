from django import template

from lifecircle.core.money import fen_to_yuan_str, format_fen

register = template.Library()


@register.filter
def fen(value) -> str:
    """``{{ 1234|fen }}`` -> ``CN¥12.34`` / ``¥12.34``, in the active language."""
    if value in (None, ""):
        return ""
    return format_fen(int(value))


@register.filter
def signed_fen(value) -> str:
    """Like ``fen`` with an explicit ``+`` for money in."""
    value = int(value)
    return ("+" if value > 0 else "") + format_fen(value)


@register.filter
def yuan(value) -> str:
    """A plain decimal for form fields: ``1234`` -> ``12.34``."""
    return "" if value in (None, "") else fen_to_yuan_str(int(value))
