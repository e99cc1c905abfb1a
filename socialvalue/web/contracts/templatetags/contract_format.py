"""Display rules for contract figures, applied once here: money to the penny, quantities plain."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template

from socialvalue.evaluation.explain import display_money

register = template.Library()

UNIT_LABELS = {
    "count": "",
    "FTE": "FTE",
    "hours": "hours",
    "weeks": "weeks",
    "GBP": "£",
    "percent": "%",
    "tCO2e": "tCO2e",
    "yes_no": "yes or no",
    "level_1_5": "level 1 to 5",
}


@register.filter
def contract_money(value: Decimal | None, currency: str = "GBP") -> str:
    """An exact amount to the penny, halves up: ``Decimal("412500")`` → ``£412,500.00``."""
    if value is None:
        return "–"
    rounded = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"£{rounded:,}" if currency == "GBP" else display_money(rounded, currency)


@register.filter
def quantity(value: Any, unit: str = "") -> str:
    """A target without trailing zeros (``12.500`` → ``12.5``); yes/no as words."""
    if value is None:
        return "–"
    number = Decimal(value)
    if unit == "yes_no":
        return "Yes" if number else "No"
    text = format(number.normalize(), "f")
    return f"{Decimal(text):,}"


@register.filter
def unit_label(unit: str) -> str:
    """How a measure's unit reads in a table heading or cell."""
    return UNIT_LABELS.get(unit, unit) if unit else "–"
