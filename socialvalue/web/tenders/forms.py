"""Tender forms with GOV.UK error wording; field errors carry codes the tests assert."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from socialvalue.web.tenders.models import (
    CriterionKind,
    ModerationRule,
    Preset,
    PriceMethod,
    SocialValueScoring,
    Tender,
)

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(
    label: str, help_text: str, *, required: bool = True, required_message: str = ""
) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        help_text=help_text,
        required=required,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(format=DATETIME_FORMAT, attrs={"type": "datetime-local"}),
        error_messages={
            "required": required_message,
            "invalid": f"{label} must be a real date and time",
        },
    )


class MoneyField(forms.CharField):
    """Pounds and pence typed by a person (£12,500.50), cleaned to integer pence."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip().replace(",", "").lstrip("£").strip()
        if not text:
            return None
        if not re.fullmatch(r"\d{1,13}(\.\d{1,2})?", text):
            raise forms.ValidationError(
                "Enter an amount in pounds and pence, like 12500 or 12500.50", code="invalid"
            )
        try:
            pence = int(Decimal(text) * 100)
        except InvalidOperation as error:  # pragma: no cover - regex already guards this
            raise forms.ValidationError("Enter an amount", code="invalid") from error
        return pence


class TenderForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter a title"}
    )
    reference = forms.CharField(
        label="Reference",
        max_length=60,
        help_text="Your own reference, like KCC-2026-014.",
        error_messages={"required": "Enter a reference"},
    )
    description = forms.CharField(
        label="Description",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="What you are buying, in plain words. Suppliers read this first.",
    )
    estimated_value = MoneyField(
        label="Estimated value (£)", required=False, help_text="Excluding VAT."
    )
    cpv_codes = forms.CharField(
        label="CPV codes",
        required=False,
        help_text="Common Procurement Vocabulary codes, separated by commas, like 55520000-1.",
    )
    clarification_deadline = _datetime_field(
        "Clarification deadline", "The last moment suppliers can ask questions.", required=False
    )
    submission_deadline = _datetime_field(
        "Submission deadline",
        "Bids stay sealed until this moment, by the server's clock.",
        required_message="Enter the submission deadline",
    )
    framework_version = forms.ChoiceField(
        label="Social value framework",
        required=False,
        help_text="Suppliers commit to measures from this framework version.",
    )
    moderation_rule = forms.ChoiceField(
        label="How evaluators' scores become one score",
        choices=ModerationRule.choices,
        initial=ModerationRule.CONSENSUS,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how scores are moderated"},
    )

    def __init__(self, *args: Any, versions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["framework_version"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "None")] + [(str(v.pk), str(v)) for v in versions]
        self.versions = {str(v.pk): v for v in versions}

    def clean_cpv_codes(self) -> list[str]:
        text = self.cleaned_data.get("cpv_codes") or ""
        codes = [c.strip() for c in text.split(",") if c.strip()]
        for code in codes:
            if not re.fullmatch(r"\d{8}(-\d)?", code):
                raise forms.ValidationError(
                    f"Enter CPV codes like 55520000-1; '{code}' is not one", code="invalid_cpv"
                )
        return codes

    def clean_framework_version(self) -> Any:
        value = self.cleaned_data.get("framework_version") or ""
        return self.versions.get(value)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        clarification = data.get("clarification_deadline")
        submission = data.get("submission_deadline")
        if clarification and submission and clarification > submission:
            self.add_error(
                "clarification_deadline",
                forms.ValidationError(
                    "The clarification deadline must be before the submission deadline",
                    code="clarification_after_submission",
                ),
            )
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "estimated_value_pence": data["estimated_value"],
            "cpv_codes": data["cpv_codes"],
            "clarification_deadline": data["clarification_deadline"],
            "submission_deadline": data["submission_deadline"],
            "framework_version": data["framework_version"],
            "moderation_rule": data["moderation_rule"],
        }

    @classmethod
    def initial_for(cls, tender: Tender) -> dict[str, Any]:
        return {
            "title": tender.title,
            "reference": tender.reference,
            "description": tender.description,
            "estimated_value": ""
            if tender.estimated_value_pence is None
            else f"{Decimal(tender.estimated_value_pence) / 100:.2f}",
            "cpv_codes": ", ".join(tender.cpv_codes),
            "clarification_deadline": tender.clarification_deadline,
            "submission_deadline": tender.submission_deadline,
            "framework_version": str(tender.framework_version_id or ""),
            "moderation_rule": tender.moderation_rule,
        }


class TenderCreateForm(TenderForm):
    preset = forms.ChoiceField(
        label="Start the criteria from",
        choices=Preset.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select where the criteria start from"},
    )


class WeightsForm(forms.Form):
    """One weight field per criterion, named ``weight_<pk>``."""

    def __init__(self, *args: Any, criteria: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for row in criteria:
            criterion = row.criterion
            unit = "points of 100" if criterion.parent_id is None else "% of its parent"
            self.fields[f"weight_{criterion.pk}"] = forms.DecimalField(
                label=f"{criterion.name} ({unit})",
                initial=criterion.weight.normalize(),
                min_value=0,
                max_value=100,
                max_digits=7,
                decimal_places=3,
                error_messages={
                    "required": f"Enter a weight for {criterion.name}",
                    "invalid": f"Enter a weight for {criterion.name} as a number",
                    "min_value": f"The weight for {criterion.name} must be 0 or more",
                    "max_value": f"The weight for {criterion.name} must be 100 or less",
                },
            )

    def weights(self) -> dict[int, Decimal]:
        return {
            int(name.removeprefix("weight_")): value for name, value in self.cleaned_data.items()
        }


class CriterionForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter a name"}
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=CriterionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of criterion"},
    )
    weight = forms.DecimalField(
        label="Weight",
        min_value=0,
        max_value=100,
        help_text="Points of 100 at the top level; a percentage of its parent for a part.",
        error_messages={"required": "Enter a weight", "invalid": "Enter the weight as a number"},
    )
    parent = forms.ChoiceField(label="Part of", required=False)
    question = forms.CharField(
        label="Question for bidders", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    scale_max = forms.DecimalField(
        label="Highest score",
        initial=5,
        min_value=1,
        max_value=100,
        error_messages={"required": "Enter the highest score"},
    )
    threshold = forms.DecimalField(
        label="Minimum score (optional)",
        required=False,
        min_value=0,
        help_text="A bid scoring below this is excluded.",
    )
    price_method = forms.ChoiceField(
        label="Price method (price only)", choices=[("", "–"), *PriceMethod.choices], required=False
    )
    measure_id = forms.CharField(
        label="Framework measure (optional)", required=False, max_length=60
    )
    sv_scoring = forms.ChoiceField(
        label="How social value is scored (social value only)",
        choices=SocialValueScoring.choices,
        initial=SocialValueScoring.LEVELS,
        required=False,
        help_text="Commitments are scored by the engine from the bids' commitments to the "
        "framework measure above, or to every measure when none is given.",
    )

    def __init__(
        self,
        *args: Any,
        parents: list[Any],
        scoring_choices: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["parent"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Top level")] + [(str(p.pk), p.name) for p in parents]
        self.parents = {str(p.pk): p for p in parents}
        scoring = self.fields["sv_scoring"]
        assert isinstance(scoring, forms.ChoiceField)
        if scoring_choices is not None:
            scoring.choices = scoring_choices

    def clean_parent(self) -> Any:
        return self.parents.get(self.cleaned_data.get("parent") or "")

    def clean_sv_scoring(self) -> str:
        return self.cleaned_data.get("sv_scoring") or SocialValueScoring.LEVELS


class ScoringForm(forms.Form):
    """How one social value criterion is scored."""

    sv_scoring = forms.ChoiceField(label="Scoring", choices=SocialValueScoring.choices)

    def __init__(self, *args: Any, scoring_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scoring = self.fields["sv_scoring"]
        assert isinstance(scoring, forms.ChoiceField)
        scoring.choices = scoring_choices


class BidForm(forms.Form):
    price = MoneyField(
        label="Your price (£)",
        help_text="The total price for the contract, excluding VAT.",
        error_messages={"required": "Enter your price"},
    )
    price_breakdown = forms.CharField(
        label="Price breakdown",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="How the price is made up, like staff, food and transport. 5,000 characters "
        "or fewer.",
        error_messages={"max_length": "The price breakdown must be 5,000 characters or fewer"},
    )

    price_lines = forms.CharField(
        label="Your price in lines (optional)",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text="One item on each line: what it is, how many, and the price of one in £, "
        "separated by |. For example: Cook, one day | 200 | 180.00. The lines must add up to "
        "your price exactly.",
        error_messages={"max_length": "Your price lines must be 20,000 characters or fewer"},
    )

    def __init__(
        self, *args: Any, questions: list[Any], measures: list[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.measures = measures
        for criterion in questions:
            self.fields[f"response_{criterion.pk}"] = forms.CharField(
                label=criterion.name,
                required=False,
                max_length=criterion.response_limit,
                widget=forms.Textarea(attrs={"rows": 6}),
                help_text=f"{criterion.question} {criterion.response_limit:,} characters or "
                "fewer.".strip(),
                error_messages={
                    "max_length": f"Your answer to {criterion.name} must be "
                    f"{criterion.response_limit:,} characters or fewer"
                },
            )
        for measure in measures:
            self.fields[f"commit_{measure.id}"] = forms.DecimalField(
                label=f"{measure.id} {measure.title}",
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=3,
                help_text=_measure_help(measure),
                error_messages={
                    "invalid": f"Enter your commitment to {measure.id} as a number",
                    "min_value": f"Your commitment to {measure.id} must be 0 or more",
                },
            )

    def clean_price_lines(self) -> list[Any]:
        return parse_price_lines(self.cleaned_data.get("price_lines") or "")

    def clean(self) -> dict[str, Any]:
        from socialvalue.web.tenders.services import price_lines_problem

        cleaned = super().clean() or {}
        lines = cleaned.get("price_lines") or []
        if lines and "price" in cleaned and "price_lines" not in self.errors:
            problem = price_lines_problem(lines, cleaned["price"])
            if problem is not None:
                self.add_error("price_lines", forms.ValidationError(problem, code="total"))
        return cleaned

    def response_fields(self) -> list[Any]:
        return [self[f"response_{c.pk}"] for c in self.questions]

    def commitment_fields(self) -> list[Any]:
        return [self[f"commit_{m.id}"] for m in self.measures]

    def responses(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"response_{c.pk}") or "" for c in self.questions}

    def commitments(self) -> list[tuple[str, Decimal]]:
        out = []
        for measure in self.measures:
            value = self.cleaned_data.get(f"commit_{measure.id}")
            if value is not None and value > 0:
                out.append((measure.id, value))
        return out


def parse_price_lines(text: str) -> list[Any]:
    """Price lines typed as ``description | quantity | unit price in £``, one a line.

    Raises ``ValidationError`` naming the first line that is malformed. Blank lines are skipped.
    """
    from socialvalue.web.tenders.services import PriceLineInput

    lines = []
    for n, raw in enumerate((r for r in text.splitlines() if r.strip()), start=1):
        parts = [p.strip() for p in raw.split("|")]
        if len(parts) != 3 or not all(parts):
            raise forms.ValidationError(
                f"Line {n} of your price must be a description, a quantity and a unit price, "
                "separated by |",
                code="malformed",
            )
        description, quantity_text, unit_text = parts
        if len(description) > 200:
            raise forms.ValidationError(
                f"The description on line {n} must be 200 characters or fewer", code="malformed"
            )
        quantity_text = quantity_text.replace(",", "")
        if not re.fullmatch(r"\d{1,9}(\.\d{1,3})?", quantity_text) or Decimal(quantity_text) <= 0:
            raise forms.ValidationError(
                f"The quantity on line {n} must be a number above 0 with up to 3 decimal places",
                code="malformed",
            )
        unit_text = unit_text.replace(",", "").lstrip("£").strip()
        if not re.fullmatch(r"\d{1,13}(\.\d{1,2})?", unit_text):
            raise forms.ValidationError(
                f"The unit price on line {n} must be an amount in pounds and pence, like 180.00",
                code="malformed",
            )
        line = PriceLineInput(description, Decimal(quantity_text), int(Decimal(unit_text) * 100))
        if line.total % 1:
            raise forms.ValidationError(
                f"Line {n} of your price comes to part of a penny: change the quantity or the "
                "unit price so it comes to whole pence",
                code="part_penny",
            )
        lines.append(line)
    return lines


def _measure_help(measure: Any) -> str:
    unit = str(getattr(measure.unit, "value", measure.unit))
    plain = {
        "level_1_5": "Give a level from 1 (poor) to 5 (exceptional).",
        "fte": "Count full-time equivalents: a person working half time is 0.5.",
        "count": "Give a whole number.",
        "gbp": "Give an amount in pounds.",
        "percent": "Give a percentage from 0 to 100.",
        "yes_no": "Enter 1 for yes or 0 for no.",
        "hours": "Give a number of hours.",
    }.get(unit, f"Give a number in {unit}.")
    return f"{plain} Leave it empty if you do not commit to this measure."


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why are you cancelling this tender?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Enter why you are cancelling the tender"},
    )


class AssignForm(forms.Form):
    evaluator = forms.ChoiceField(
        label="Evaluator", error_messages={"required": "Select an evaluator"}
    )
    criteria = forms.MultipleChoiceField(
        label="Criteria they score",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one criterion"},
    )

    def __init__(
        self, *args: Any, evaluators: list[Any], criteria: list[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        ev = self.fields["evaluator"]
        assert isinstance(ev, forms.ChoiceField)
        ev.choices = [("", "Select an evaluator")] + [
            (str(u.pk), u.get_full_name() or u.username) for u in evaluators
        ]
        cr = self.fields["criteria"]
        assert isinstance(cr, forms.MultipleChoiceField)
        cr.choices = [(str(c.pk), c.name) for c in criteria]
        self._evaluators = {str(u.pk): u for u in evaluators}
        self._criteria = {str(c.pk): c for c in criteria}

    def clean_evaluator(self) -> Any:
        return self._evaluators.get(self.cleaned_data.get("evaluator") or "")

    def clean_criteria(self) -> list[Any]:
        return [self._criteria[pk] for pk in self.cleaned_data.get("criteria") or []]


class DeclarationForm(forms.Form):
    has_conflict = forms.ChoiceField(
        label="Do you have a conflict of interest with any bidder?",
        choices=[("no", "No"), ("yes", "Yes")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if you have a conflict of interest"},
    )
    details = forms.CharField(
        label="Describe the conflict",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, a family member works for a bidder.",
    )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("has_conflict") == "yes" and not (data.get("details") or "").strip():
            self.add_error(
                "details",
                forms.ValidationError("Describe the conflict of interest", code="details_required"),
            )
        return data


class ScoreForm(forms.Form):
    """One score and its reason (prefixed per bid and criterion)."""

    value = forms.DecimalField(
        label="Score",
        min_value=0,
        max_digits=6,
        decimal_places=2,
        error_messages={
            "required": "Enter a score",
            "invalid": "Enter the score as a number",
            "min_value": "The score must be 0 or more",
        },
    )
    reason = forms.CharField(
        label="Reason for the score",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": "Enter the reason for your score"},
    )

    def __init__(self, *args: Any, criterion: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        value = self.fields["value"]
        assert isinstance(value, forms.DecimalField)
        value.validators.append(_max_validator(criterion.scale_max))
        if criterion.kind == CriterionKind.PASS_FAIL:
            value.label = "Score (1 for pass, 0 for fail)"
            value.validators.append(_max_validator(Decimal(1)))
        else:
            value.label = f"Score from 0 to {criterion.scale_max.normalize()}"


def _max_validator(maximum: Decimal) -> Any:
    def check(value: Decimal) -> None:
        if value is not None and value > maximum:
            raise forms.ValidationError(
                f"The score must be {maximum.normalize()} or less", code="max_value"
            )

    return check


class ModerationForm(forms.Form):
    value = forms.DecimalField(
        label="Moderated score",
        min_value=0,
        max_digits=6,
        decimal_places=2,
        error_messages={
            "required": "Enter the moderated score",
            "invalid": "Enter the moderated score as a number",
        },
    )
    rationale = forms.CharField(
        label="Rationale",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required where the score differs from any evaluator's.",
    )
    #: The moderated score's version the page showed (0: none yet); see ``moderation_save``.
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class AwardForm(forms.Form):
    decision = forms.CharField(
        label="Decision",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the award decision"},
    )
    reasons = forms.CharField(
        label="Reasons for the decision",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="These go to every bidder with their assessment summary.",
        error_messages={"required": "Enter the reasons for the decision"},
    )
    standstill_start = forms.DateField(
        label="Standstill starts on",
        help_text="The day the award notice is sent. The standstill lasts 8 working days.",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date the standstill starts",
            "invalid": "Standstill start must be a real date",
        },
    )
    standstill_end = forms.DateField(
        label="Standstill ends on (optional)",
        required=False,
        help_text="Leave blank to end it 8 working days after it starts, skipping bank holidays "
        "in any part of the UK. Give a later date only if a local closure (or another holiday) "
        "applies.",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"invalid": "Standstill end must be a real date"},
    )
    standstill_reason = forms.CharField(
        label="Why does the standstill end later? (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only when you give a later end. It is kept in the audit trail.",
    )


class ClarificationForm(forms.Form):
    question = forms.CharField(
        label="Your question",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The question and answer are published to every bidder without your name.",
        error_messages={
            "required": "Enter your question",
            "max_length": "Your question must be 2,000 characters or fewer",
        },
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="Answer",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the answer"},
    )


class DocumentForm(forms.Form):
    document = forms.FileField(
        label="Upload a file",
        help_text="PDF, Word, Excel, OpenDocument, CSV, text, PNG or JPEG, smaller than 10MB.",
        error_messages={
            "required": "Select a file",
            "empty": "The selected file is empty",
            "invalid": "Select a file",
        },
    )


class DocumentRemoveForm(forms.Form):
    reason = forms.CharField(
        label="Why are you removing this document?",
        help_text="Kept in the audit trail. Bidders who downloaded it are not told: publish a "
        "clarification if they need to know.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Enter why you are removing the document"},
    )


class BidDocumentForm(DocumentForm):
    """A bid's attachment, for the bid as a whole or for one of its questions."""

    question = forms.TypedChoiceField(
        label="What is the file for?",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Evaluators scoring that question see the file beside your answer.",
    )

    def __init__(self, *args: Any, questions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["question"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "The bid as a whole")] + [(c.pk, c.name) for c in questions]


class SupplierRegistrationForm(forms.Form):
    """A small business registers its organisation and its first user from an opportunity.

    The checks here give every error at once; :func:`services.supplier_register` repeats the ones
    that matter (a form is not a lock), so nothing is created if they fail there.
    """

    organisation_name = forms.CharField(
        label="Organisation name",
        max_length=200,
        help_text="As it appears on your invoices, for example Northgate Catering Ltd.",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={"required": "Enter your organisation's name"},
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=20,
        help_text="Where your organisation is based.",
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
        error_messages={
            "required": "Enter your organisation's postcode",
            "max_length": "Enter a real postcode, like PR1 2RL",
        },
    )
    first_name = forms.CharField(
        label="First name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": "Enter your first name"},
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": "Enter your last name"},
    )
    email = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    username = forms.RegexField(
        label="Username",
        regex=r"^[\w.@+-]+$",
        max_length=150,
        help_text="Letters, digits and . @ + - _ only. You will sign in with this.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
        error_messages={
            "required": "Enter a username",
            "invalid": "Enter a username using only letters, digits and . @ + - _",
        },
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. Avoid common passwords.",
        error_messages={"required": "Enter a password"},
    )

    def clean_organisation_name(self) -> str:
        return " ".join(self.cleaned_data["organisation_name"].split())

    def clean_postcode(self) -> str:
        from socialvalue.geography.postcodes import normalise_postcode

        postcode = normalise_postcode(self.cleaned_data["postcode"])
        if postcode is None:
            raise forms.ValidationError(
                "Enter a real postcode, like PR1 2RL", code="postcode_invalid"
            )
        return postcode

    def clean(self) -> dict[str, Any]:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.password_validation import validate_password

        from socialvalue.web.tenders.services import registration_problems

        data: dict[str, Any] = super().clean() or {}
        for field, error in registration_problems(
            organisation_name=data.get("organisation_name") or "",
            postcode=data.get("postcode") or "",
            email=data.get("email") or "",
            username=data.get("username") or "",
        ).items():
            if field in data:
                self.add_error(field, error)
        password = data.get("password")
        if password:
            person = get_user_model()(
                username=data.get("username") or "",
                email=data.get("email") or "",
                first_name=data.get("first_name") or "",
                last_name=data.get("last_name") or "",
            )
            try:
                validate_password(password, person)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


class LotForm(forms.Form):
    number = forms.IntegerField(
        label="Lot number",
        min_value=1,
        max_value=999,
        required=False,
        help_text="Leave empty to number it after the last lot.",
        error_messages={
            "invalid": "Lot number must be a whole number, like 2",
            "min_value": "Lot number must be 1 or more",
            "max_value": "Lot number must be 999 or less",
        },
    )
    title = forms.CharField(
        label="Lot title",
        max_length=200,
        error_messages={
            "required": "Enter the lot title",
            "max_length": "The lot title must be 200 characters or fewer",
        },
    )
    description = forms.CharField(
        label="What the lot covers",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The description must be 5,000 characters or fewer"},
    )
    estimated_value = MoneyField(
        label="Estimated value of the lot (£)",
        required=False,
        help_text="Excluding VAT.",
    )
