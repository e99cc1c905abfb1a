"""GOV.UK Frontend form fields for Django forms: label, hint, inline error, input."""

from __future__ import annotations

from django import forms, template
from django.forms.boundfield import BoundField
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

register = template.Library()


def _widget_kind(field: BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "input"


@register.simple_tag
def govuk_field(
    field: BoundField, label_class: str = "govuk-label--s", width: str = ""
) -> SafeString:
    """Render one field with the GOV.UK classes and an ``id_<name>`` the error summary links to."""
    kind = _widget_kind(field)
    css = {
        "input": "govuk-input",
        "select": "govuk-select",
        "textarea": "govuk-textarea",
        "checkbox": "govuk-checkboxes__input",
        "radios": "govuk-radios__input",
    }[kind]
    if field.errors and kind in {"input", "select", "textarea"}:
        css += f" {css}--error"
    if width:
        css += f" govuk-input--width-{width}" if kind == "input" else ""
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}-hint")
    if field.errors:
        described_by.append(f"{field.auto_id}-error")
    attrs: dict[str, str | bool] = {"class": css}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    context = {
        "field": field,
        "kind": kind,
        "label_class": label_class,
        "widget": field.as_widget(attrs=attrs) if kind not in {"radios"} else "",
        "attrs": attrs,
    }
    return SafeString(render_to_string("includes/govuk_field.html", context))
