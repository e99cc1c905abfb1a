"""Criteria a new tender starts from: Preston 2023 (20%, Part A and B), PPN 002 (10%), custom.

Weights follow the evaluation engine: top-level criteria in points of 100, parts as percentages
of their parent. The buyer can change every weight while the tender is a draft.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from socialvalue.web.tenders.models import CriterionKind, Preset, PriceMethod


@dataclass(frozen=True)
class CriterionSpec:
    key: str
    name: str
    kind: str
    weight: Decimal
    question: str = ""
    scale_max: Decimal = Decimal(5)
    threshold: Decimal | None = None
    price_method: str = ""
    part: str = ""
    children: tuple[CriterionSpec, ...] = field(default=())


def _price(weight: int) -> CriterionSpec:
    return CriterionSpec(
        "price",
        "Price",
        CriterionKind.PRICE,
        Decimal(weight),
        price_method=PriceMethod.RELATIVE_TO_LOWEST,
    )


def _quality(weight: int) -> CriterionSpec:
    return CriterionSpec(
        "quality",
        "Quality",
        CriterionKind.QUALITY,
        Decimal(weight),
        question="Describe how you will deliver the service, the people who will do it and how "
        "you will manage risks.",
        threshold=Decimal(2),
    )


PRESETS: dict[str, tuple[CriterionSpec, ...]] = {
    Preset.PRESTON: (
        _price(50),
        _quality(30),
        CriterionSpec(
            "social_value",
            "Social value",
            CriterionKind.SOCIAL_VALUE,
            Decimal(20),
            children=(
                CriterionSpec(
                    "sv_part_a",
                    "Part A: current practice",
                    CriterionKind.SOCIAL_VALUE,
                    Decimal(50),
                    part="A",
                    question="How does your organisation's current practice support fair "
                    "employment, the local economy, communities and the environment?",
                ),
                CriterionSpec(
                    "sv_part_b",
                    "Part B: commitments",
                    CriterionKind.SOCIAL_VALUE,
                    Decimal(50),
                    part="B",
                    question="Which of the framework's measures will you commit to on this "
                    "contract, and how much of each? Give the numbers in your commitments.",
                ),
            ),
        ),
    ),
    Preset.PPN_002: (
        _price(50),
        _quality(40),
        CriterionSpec(
            "social_value",
            "Social value",
            CriterionKind.SOCIAL_VALUE,
            Decimal(10),
            question="Describe the social value you will deliver on this contract and how you "
            "will measure it.",
        ),
    ),
    Preset.CUSTOM: (_price(60), _quality(40)),
}
