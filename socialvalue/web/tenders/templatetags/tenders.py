"""Display rules for tender figures: money from pence, points and scores, rounded once here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from socialvalue.evaluation.explain import display_money, display_percent, display_points

register = template.Library()


@register.filter
def pence(value: int | None, currency: str = "GBP") -> str:
    """Integer pence as money: 1234550 → "£12,345.50"."""
    if value is None:
        return "–"
    amount = Decimal(value) / 100
    if currency == "GBP":
        return f"£{amount:,.2f}"
    return display_money(amount, currency)


@register.filter
def points(value: Any) -> str:
    return display_points(value) if value is not None else "–"


@register.filter
def number(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "pass" if value else "fail"
    return format(Decimal(value).normalize(), "f")


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def money(value: Decimal | None, currency: str = "GBP") -> str:
    """An exact amount rounded to the penny, halves up (the engine's display rule)."""
    if value is None:
        return "–"
    rounded = Decimal(value).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    return f"£{rounded:,.2f}" if currency == "GBP" else display_money(rounded, currency)


@register.filter
def percent(value: Any) -> str:
    """A share from 0 to 1 as a percentage, the engine's display rule: 0.4125 → "41.3%"."""
    return "–" if value is None else display_percent(Decimal(value) * 100)
