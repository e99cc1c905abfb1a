"""Money and share formatting for spend pages: exact, from integer pence or decimal strings."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()


def _money(value: Decimal) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value).quantize(Decimal('0.01'), ROUND_HALF_UP):,}"


@register.filter
def pence(value: object) -> str:
    """``123456`` → ``£1,234.56``."""
    try:
        return _money(Decimal(int(str(value))) / 100)
    except (TypeError, ValueError):
        return ""


@register.filter
def pounds(value: object) -> str:
    """``"1234.5"`` → ``£1,234.50``."""
    try:
        return _money(Decimal(str(value)))
    except (InvalidOperation, TypeError, ValueError):
        return ""


@register.filter
def percent(value: object, places: int = 1) -> str:
    """A fraction (``0.182``) as ``18.2%``."""
    try:
        number = Decimal(str(value)) * 100
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"{number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)}%"


@register.filter
def share_of(part: object, whole: object) -> str:
    """``part / whole`` as a percentage to one place."""
    try:
        total = Decimal(str(whole))
        return percent(Decimal(str(part)) / total) if total else "0.0%"
    except (InvalidOperation, TypeError, ValueError):
        return ""


@register.filter
def humanise(value: object) -> str:
    return str(value).replace("_", " ")


@register.filter
def get_item(mapping: object, key: object) -> object:
    return mapping.get(key, key) if isinstance(mapping, dict) else key


@register.filter
def subtract(value: object, other: object) -> int:
    return int(str(value)) - int(str(other))
