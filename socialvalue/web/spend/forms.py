"""Forms for spend datasets (GOV.UK wording)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms

SPEND_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".zip")
MAX_UPLOAD = 500 * 1024 * 1024
IGNORE = "ignore"


class DatasetForm(forms.Form):
    name = forms.CharField(
        label="Dataset name",
        max_length=200,
        help_text="For example, Kingsbridge payments over £500, 2023 to 2025.",
        error_messages={"required": "Enter a dataset name"},
    )
    publisher = forms.CharField(
        label="Publisher",
        max_length=200,
        help_text="Who publishes the files, such as Kingsbridge City Council. Column fixes are "
        "remembered for each publisher.",
        error_messages={"required": "Enter who publishes the files"},
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(item, initial) for item in data]
        if isinstance(data, list | tuple):
            data = None
        return [single(data, initial)] if data else single(data, initial)


class UploadForm(forms.Form):
    uploads = MultipleFileField(
        label="Spend files",
        help_text="CSV, XLSX or ZIP files. You can choose several at once.",
        error_messages={"required": "Select at least one spend file"},
    )
    publisher = forms.CharField(
        label="Publisher",
        max_length=200,
        help_text="Who published these files.",
        error_messages={"required": "Enter who published the files"},
    )
    replace = forms.BooleanField(
        label="Replace files already imported (same content or same name)",
        required=False,
        help_text="Replacing a file drops the corrections made to its quarantined rows.",
    )

    def __init__(self, *args: Any, known: Mapping[str, Mapping[str, Any]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.known = known or {}

    def clean_uploads(self) -> Any:
        uploads = self.cleaned_data["uploads"]
        for upload in uploads:
            name = upload.name.lower()
            if not name.endswith(SPEND_SUFFIXES):
                raise forms.ValidationError(
                    f"“{upload.name}” must be a CSV, XLSX or ZIP file", code="file_type"
                )
            if upload.size > MAX_UPLOAD:
                raise forms.ValidationError(
                    f"“{upload.name}” must be smaller than 500MB", code="file_size"
                )
        return uploads

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("replace") or "uploads" not in data:
            return data
        for upload in data["uploads"]:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            earlier = self.known.get(digest.hexdigest())
            if earlier is not None:
                self.add_error(
                    "uploads",
                    forms.ValidationError(
                        f"“{upload.name}” is already in this dataset (imported as "
                        f"“{earlier['name']}” on {str(earlier['imported_at'])[:10]}). Choose "
                        "“Replace files already imported” to import it again",
                        code="duplicate",
                    ),
                )
        return data


class ColumnsForm(forms.Form):
    """One select per header: which standard field the column holds."""

    def __init__(self, *args: Any, headers: Sequence[tuple[str, str]] = (),
                 fields: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Not used"), *((f, f.replace("_", " ")) for f in fields)]
        self.headers = list(headers)
        for index, (header, automatic) in enumerate(self.headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=f"Field for the column “{header}”",
                choices=choices,
                required=False,
                initial=automatic,
            )

    def overrides(self) -> dict[str, str]:
        """Only the columns whose field the user changed: they are saved for the publisher."""
        chosen: dict[str, str] = {}
        for index, (header, automatic) in enumerate(self.headers):
            if f"column_{index}" not in self.data:
                continue  # not sent: keep what the toolkit found
            value = self.cleaned_data.get(f"column_{index}", "")
            if value != automatic:
                chosen[header] = value or IGNORE
        return chosen

    def rows(self) -> list[tuple[str, Any]]:
        return [(header, self[f"column_{i}"]) for i, (header, _) in enumerate(self.headers)]


class PlacesForm(forms.Form):
    place = forms.MultipleChoiceField(
        label="Places",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Choose one or more places to compare side by side.",
    )
    top = forms.IntegerField(
        label="Top suppliers to list",
        min_value=1,
        max_value=5000,
        required=False,
        error_messages={
            "invalid": "Enter the number of top suppliers as a whole number",
            "min_value": "Top suppliers must be 1 or more",
            "max_value": "Top suppliers must be 5,000 or fewer",
        },
    )

    def __init__(self, *args: Any, choices: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place = self.fields["place"]
        assert isinstance(place, forms.MultipleChoiceField)
        place.choices = list(choices)
        place.error_messages["invalid_choice"] = "Select a place from the list"


class SupplierListForm(forms.Form):
    file = forms.FileField(
        label="Supplier list",
        help_text="A CSV with the columns name and postcode, and optionally company_number, "
        "sic, type and basis.",
        error_messages={"required": "Select a supplier list"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The selected file must be a CSV", code="file_type")
        return upload


#: What to tell the analyst when a corrected row still fails, by the reason it fails.
CORRECTION_MESSAGES = {
    "amount_missing": "Enter the amount",
    "amount_invalid": "Enter the amount in pounds and pence, such as 1,234.56, or (20.00) for "
    "a credit",
    "date_missing": "Enter the payment date",
    "date_invalid": "Enter a real payment date between 1990 and 2100, such as 30/09/2024",
    "supplier_missing": "Enter the supplier’s name",
    "duplicate_of_loaded": "{rows}: the same payment (date, amount, supplier, reference and "
    "description) is already loaded from another file. Change a value, or leave the row "
    "quarantined",
    "duplicate_in_batch": "{rows}: comes out the same as another row corrected with it from "
    "another file. Correct it on its own, or leave it quarantined",
    "repeated_header": "{rows}: repeats the file’s header and is not a payment, so it stays "
    "quarantined. Remove it from your selection",
}


class CorrectionForm(forms.Form):
    """New values for one or more quarantined rows; a blank field keeps the value as written."""

    row = forms.MultipleChoiceField(widget=forms.MultipleHiddenInput, error_messages={
        "required": "Select at least one quarantined row",
        "invalid_choice": "A selected row is no longer quarantined: open the quarantined rows "
        "again",
    })
    payment_date = forms.CharField(
        label="Payment date", required=False, max_length=50,
        help_text="For example, 30/09/2024.",
    )
    amount = forms.CharField(
        label="Amount", required=False, max_length=50,
        help_text="In pounds, such as 1,234.56. Write a credit as -20.00 or (20.00).",
    )
    supplier_name = forms.CharField(label="Supplier", required=False, max_length=300)
    note = forms.CharField(
        label="Why you corrected it (optional)", required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example, the date on the invoice. Kept with the corrected rows.",
    )

    def __init__(self, *args: Any, tokens: Sequence[str] = (),
                 raw: Mapping[str, str | None] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        row = self.fields["row"]
        assert isinstance(row, forms.MultipleChoiceField)
        row.choices = [(t, t) for t in tokens]
        # One row: the values as written, to edit. Several: blank keeps each row's own value.
        self.raw = dict(raw or {})
        if raw is None:
            for name in ("payment_date", "amount", "supplier_name"):
                self.fields[name].help_text = (
                    (self.fields[name].help_text + " " if self.fields[name].help_text else "")
                    + "Leave blank to keep each row’s value as written."
                )

    def entered(self) -> dict[str, str | None]:
        """The values that change something: ``None`` for blank or unchanged fields."""
        values: dict[str, str | None] = {}
        for name in ("payment_date", "amount", "supplier_name"):
            value = self.cleaned_data.get(name, "")
            unchanged = name in self.raw and value == (self.raw[name] or "").strip()
            values[name] = None if unchanged or (not value and not self.raw) else value
        return values

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and all(v is None for v in self.entered().values()):
            raise forms.ValidationError(
                "Enter a corrected payment date, amount or supplier", code="nothing_entered"
            )
        return data

    def add_outcomes(self, checked: Sequence[Any]) -> None:
        """Errors for the rows that still fail, on the field each reason is about."""
        failing: dict[str, list[Any]] = {}
        for row in checked:
            if not row.loads:
                failing.setdefault(row.reason, []).append(row)
        for reason, rows in failing.items():
            names = ", ".join(row.describe() for row in rows[:5])
            if len(rows) > 5:
                names += f" and {len(rows) - 5} more"
            message = CORRECTION_MESSAGES[reason].format(rows=names[:1].upper() + names[1:])
            field = rows[0].field or None
            if field and len(checked) > 1:
                message = f"{message} ({len(rows)} of the rows: {names})"
            self.add_error(field, forms.ValidationError(message, code=reason))
