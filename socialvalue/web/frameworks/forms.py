"""Forms for uploading and tweaking frameworks (GOV.UK wording)."""

from __future__ import annotations

from typing import Any

from django import forms

from socialvalue.frameworks.model import ScoringMode, Unit


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Framework file",
        help_text="YAML, JSON, CSV or XLSX, as written by the export or described in the docs.",
        error_messages={"required": "Select a framework file"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".yaml", ".yml", ".json", ".csv", ".xlsx")):
            raise forms.ValidationError(
                "The selected file must be YAML, JSON, CSV or XLSX", code="file_type"
            )
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(
                "The selected file must be smaller than 5MB", code="file_size"
            )
        return upload


class MeasureEditForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=300, error_messages={"required": "Enter a title"}
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    note = forms.CharField(
        label="What changed and why",
        max_length=300,
        help_text="Kept with the new version, for people who read the history.",
        error_messages={"required": "Enter what changed and why"},
    )


class MeasureAddForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", error_messages={"required": "Select an outcome"})
    id = forms.SlugField(
        label="Measure id",
        max_length=60,
        help_text="A short code, unique in the framework, such as kb-local-apprentices.",
        error_messages={
            "required": "Enter a measure id",
            "invalid": "Enter a measure id using letters, numbers, hyphens or underscores",
        },
    )
    title = forms.CharField(
        label="Title", max_length=300, error_messages={"required": "Enter a title"}
    )
    unit = forms.ChoiceField(
        label="Unit",
        choices=[(u.value, u.value) for u in Unit],
        error_messages={"required": "Select a unit"},
    )
    scoring_mode = forms.ChoiceField(
        label="Scored by",
        choices=[(m.value, m.value) for m in ScoringMode],
        error_messages={"required": "Select how it is scored"},
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, outcomes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        outcome_field = self.fields["outcome"]
        assert isinstance(outcome_field, forms.ChoiceField)
        outcome_field.choices = outcomes


class DefaultsForm(forms.Form):
    weight_percent = forms.DecimalField(
        label="Default social value weight (%)",
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text="Where a tender's social value weight starts. Officers can change it per tender.",
        error_messages={
            "required": "Enter a weight",
            "invalid": "Enter the weight as a number, like 20",
            "min_value": "The weight must be 0 or more",
            "max_value": "The weight must be 100 or less",
        },
    )
    note = forms.CharField(
        label="What changed and why",
        max_length=300,
        error_messages={"required": "Enter what changed and why"},
    )
