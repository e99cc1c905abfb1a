"""Forms for supplier matching (GOV.UK wording)."""

from __future__ import annotations

from typing import Any

from django import forms

from socialvalue.web.spend.forms import MultipleFileField

REGISTER_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet")


class MatchForm(forms.Form):
    registers = MultipleFileField(
        label="Register files",
        help_text="Companies House BasicCompanyData, a Charity Commission extract, the Gender Pay "
        "Gap download, or your own CSV with a name column (and company_number, postcode, sic, "
        "type if you have them). You can choose several.",
        error_messages={"required": "Select at least one register file"},
    )

    def clean_registers(self) -> Any:
        uploads = self.cleaned_data["registers"]
        for upload in uploads:
            if not upload.name.lower().endswith(REGISTER_SUFFIXES):
                raise forms.ValidationError(f"“{upload.name}” must be a CSV file", code="file_type")
        return uploads


class DecisionForm(forms.Form):
    """What the reviewer pressed: ``accept``, ``reject`` or ``pick:<candidate number>``."""

    supplier_key = forms.CharField(max_length=300)
    choice = forms.RegexField(
        regex=r"^(accept|reject|pick:[1-9][0-9]?)$",
        error_messages={
            "invalid": "Choose accept, reject or a candidate",
            "required": "Choose accept, reject or a candidate",
        },
    )
    private = forms.BooleanField(required=False)

    def action(self) -> tuple[str, int]:
        choice = self.cleaned_data["choice"]
        if choice.startswith("pick:"):
            return "pick", int(choice.split(":")[1]) - 1
        return choice, 0


class AddressForm(forms.Form):
    basis = forms.ChoiceField(
        label="What kind of address is it?",
        widget=forms.RadioSelect,
        choices=[
            ("trading_address", "Trading address – where the supplier works from"),
            ("branch", "Branch – a local office, depot or shop of a bigger supplier"),
        ],
        error_messages={"required": "Select what kind of address it is"},
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        error_messages={"required": "Enter a postcode"},
    )

    def clean_postcode(self) -> str:
        from socialvalue.exceptions import SupplierMatchingError
        from socialvalue.web.suppliers.services import normalise_postcode

        try:
            return normalise_postcode(self.cleaned_data["postcode"])
        except SupplierMatchingError as error:
            raise forms.ValidationError(str(error), code="postcode_invalid") from None
