"""Contract forms with GOV.UK error wording; field errors carry codes the tests assert."""

from __future__ import annotations

from typing import Any

from django import forms

from socialvalue.web.contracts.models import STATUS_FLOW, Contract, ContractStatus

DATE_FORMAT = "%Y-%m-%d"


def _date_field(label: str, help_text: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text,
        required=False,
        input_formats=[DATE_FORMAT],
        widget=forms.DateInput(format=DATE_FORMAT, attrs={"type": "date"}),
        error_messages={"invalid": f"{label} must be a real date"},
    )


class ManagerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class ContractForm(forms.Form):
    start_date = _date_field("Start date", "The day the supplier starts delivering.")
    end_date = _date_field("End date", "The last day of the contract, before any extension.")
    contract_manager = ManagerChoiceField(
        label="Contract manager",
        queryset=None,
        required=False,
        empty_label="No contract manager yet",
        help_text="One of your organisation's contract managers.",
        error_messages={"invalid_choice": "Select one of your organisation's contract managers"},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=ContractStatus.choices,
        widget=forms.RadioSelect,
        help_text="A contract moves from mobilising to active to ended, never back.",
        error_messages={
            "required": "Select the contract's status",
            "invalid_choice": "Select the contract's status",
        },
    )

    def __init__(self, *args: Any, managers: Any, contract: Contract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["contract_manager"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = managers
        # Offer only the statuses the contract can still move to; the service checks again.
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        allowed = STATUS_FLOW[contract.status]
        status.choices = [
            (value, label) for value, label in ContractStatus.choices if value in allowed
        ]

    @staticmethod
    def initial_for(contract: Contract) -> dict[str, Any]:
        return {
            "start_date": contract.start_date,
            "end_date": contract.end_date,
            "contract_manager": contract.contract_manager_id,
            "status": contract.status,
        }
