from django import template

from lifecircle.ious.present import capitals as _capitals
from lifecircle.ious.services import percent

register = template.Library()


@register.filter
def rate_percent(bp) -> str:
    """``{{ 365|rate_percent }}`` -> ``3.65%``."""
    return "" if bp in (None, "") else percent(int(bp))


@register.filter
def capitals(fen) -> str:
    """``{{ 120000|capitals }}`` -> ``壹仟贰佰元整`` (traditional characters in 繁體中文)."""
    return "" if fen in (None, "") else _capitals(int(fen))
