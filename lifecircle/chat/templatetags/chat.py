from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def epoch_ms(value) -> int:
    """A datetime as milliseconds since the epoch, for scripts (no date-string parsing)."""
    return int(value.timestamp() * 1000)
