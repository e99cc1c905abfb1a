"""Demo tenders for Kingsbridge City Council: one open, one open in two lots, one at moderation
and one awarded.

Everything goes through the real services, with ``now`` passed where a step happened in the
past, so the audit trail reads as if the lifecycle had been walked. Loading is idempotent: a
tender whose reference exists is left alone. All people and organisations are fictional.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from socialvalue.web.accounts.models import Membership, Organisation, Role
from socialvalue.web.accounts.services import membership_create, user_create
from socialvalue.web.frameworks.models import Framework
from socialvalue.web.tenders import selectors, services
from socialvalue.web.tenders.models import Tender

BUYER = "kingsbridge-city"
SUPPLIERS = ("northgate-catering", "brightwork-fm")

#: Extra demo people the tender lifecycle needs: a second evaluator and a second supplier.
EXTRA_USERS = (
    ("evaluator2", "Ewan", "Brooks", BUYER, Role.EVALUATOR),
    ("supplier2", "Beth", "Hartley", "brightwork-fm", Role.SUPPLIER),
)

PART_B_COMMITMENTS = {
    "northgate-catering": {"1.1": Decimal(5), "4.1": Decimal(5), "5.2": Decimal(4)},
    "brightwork-fm": {"1.1": Decimal(3), "3.1": Decimal(4)},
}
PRICES = {"northgate-catering": 41_250_000, "brightwork-fm": 36_800_000}  # pence
ANSWERS = {
    "northgate-catering": (
        "A worker co-operative of 46 people in Kingsbridge. Menus are planned with a nutritionist, "
        "food is cooked fresh in our Mill Street kitchen and 70% of produce comes from Westshire "
        "farms. Every member is paid at least the Real Living Wage."
    ),
    "brightwork-fm": (
        "A national facilities company. We will use our Manchester hub and regional supply chain, "
        "with a dedicated contract manager and a mobilisation plan over six weeks."
    ),
}
SCORES = {  # evaluator -> supplier -> criterion key -> (score, reason)
    "evaluator": {
        "northgate-catering": {
            "quality": (
                Decimal(4),
                "Clear menus and a credible kitchen plan; staffing cover thin.",
            ),
            "sv_part_a": (Decimal(5), "Co-operative, Real Living Wage, local sourcing already."),
            "sv_part_b": (Decimal(4), "Strong local spend and fair-employment commitments."),
        },
        "brightwork-fm": {
            "quality": (Decimal(4), "Well-resourced mobilisation; menus generic."),
            "sv_part_a": (Decimal(2), "Policies exist but little evidence of practice here."),
            "sv_part_b": (Decimal(3), "Reasonable carbon commitment, little local content."),
        },
    },
    "evaluator2": {
        "northgate-catering": {
            "quality": (Decimal(3), "Good food plan; risk register is brief."),
            "sv_part_a": (Decimal(5), "Exceptional current practice for a firm of its size."),
            "sv_part_b": (Decimal(4), "Specific, measurable commitments."),
        },
        "brightwork-fm": {
            "quality": (Decimal(4), "Experienced operator with clear contingency plans."),
            "sv_part_a": (Decimal(2), "Generic statements."),
            "sv_part_b": (Decimal(2), "Commitments are vague on quantities."),
        },
    },
}


def _people(logins: list[tuple[str, str, str]]) -> int:
    from socialvalue.web.demo import DEMO_PASSWORD

    created = 0
    User = get_user_model()
    for username, first, last, slug, role in EXTRA_USERS:
        organisation = Organisation.objects.get(slug=slug)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                password=DEMO_PASSWORD,
                email=f"{username}@example.org",
                first_name=first,
                last_name=last,
                validate=False,
            )
            created += 1
        if not Membership.objects.filter(user=user, organisation=organisation).exists():
            membership_create(user=user, organisation=organisation, role=role)
            created += 1
        logins.append((username, role.label, organisation.name))
    return created


def _framework_version(city: Organisation, actor: Any) -> Any:
    from socialvalue.web.frameworks.services import framework_adopt

    framework = Framework.objects.filter(organisation=city, key="preston-2023").first()
    if framework is None:
        framework = framework_adopt(organisation=city, builtin_id="preston-2023", actor=actor)
    return framework.latest_version()


def _tender(
    city: Organisation,
    officer: Any,
    version: Any,
    *,
    reference: str,
    title: str,
    description: str,
    deadline: datetime,
    value: int,
    cpv: str,
) -> Tender:
    return services.tender_create(
        organisation=city,
        actor=officer,
        title=title,
        reference=reference,
        description=description,
        submission_deadline=deadline,
        clarification_deadline=deadline - timedelta(days=7),
        preset="preston",
        estimated_value_pence=value,
        cpv_codes=[cpv],
        framework_version=version,
    )


#: The open tender in lots: (number, title, description, estimated value in pence).
LOTS = (
    (
        1,
        "Schools",
        "Lunches and breakfast clubs for the 14 primary schools, about 3,900 meals a day in term "
        "time.",
        1_050_000_000,
    ),
    (
        2,
        "Civic buildings",
        "The civic centre café, the depot canteen and catering for about 120 council events a "
        "year.",
        310_000_000,
    ),
)


def _bid(tender: Tender, slug: str, username: str, at: datetime) -> None:
    supplier = Organisation.objects.get(slug=slug)
    user = get_user_model().objects.get(username=username)
    responses = {}
    for criterion in selectors.response_criteria(tender=tender):
        if criterion.part == "B":
            text = "Our commitments are listed below; we will report on them every quarter."
        else:
            text = ANSWERS[slug]
        responses[criterion.pk] = text
    services.bid_save(
        tender=tender,
        supplier=supplier,
        actor=user,
        price_pence=PRICES[slug],
        price_breakdown="Staff 58%, food 31%, transport and overheads 11%.",
        responses=responses,
        commitments=[services.CommitmentInput(m, q) for m, q in PART_B_COMMITMENTS[slug].items()],
        now=at,
    )
    services.bid_submit(tender=tender, supplier=supplier, actor=user, now=at)


def _to_moderation(tender: Tender, officer: Any, published_at: datetime) -> Tender:
    User = get_user_model()
    services.tender_publish(tender=tender, actor=officer, now=published_at)
    tender.refresh_from_db()
    _bid(tender, "northgate-catering", "supplier", published_at + timedelta(days=3))
    _bid(tender, "brightwork-fm", "supplier2", published_at + timedelta(days=5))
    scored = selectors.scored_criteria(tender=tender)
    for username in SCORES:
        services.evaluator_assign(
            tender=tender,
            actor=officer,
            evaluator=User.objects.get(username=username),
            criteria=scored,
        )
    tender = services.tender_close(tender=tender, actor=officer)
    tender = services.tender_start_evaluation(tender=tender, actor=officer)
    by_slug = {bid.supplier.slug: bid for bid in selectors.opened_bids(tender=tender)}
    for username, by_supplier in SCORES.items():
        evaluator = User.objects.get(username=username)
        assignment = tender.assignments.get(evaluator=evaluator)
        services.assignment_declare(assignment=assignment, actor=evaluator, has_conflict=False)
        for slug, by_criterion in by_supplier.items():
            for criterion in scored:
                value, reason = by_criterion[criterion.key]
                services.score_save(
                    assignment=assignment,
                    actor=evaluator,
                    bid=by_slug[slug],
                    criterion=criterion,
                    value=value,
                    reason=reason,
                )
        services.scores_submit(assignment=assignment, actor=evaluator)
    return tender


def _moderate(tender: Tender, officer: Any) -> None:
    for cell in selectors.moderation_cells(tender=tender):
        if cell.agreed:
            value, rationale = cell.scores[0].value, ""
        else:
            value = max(s.value for s in cell.scores)
            rationale = (
                "The panel agreed the higher score: the answer's evidence meets that level's "
                "descriptor."
            )
        services.moderation_save(
            tender=tender,
            actor=officer,
            bid=cell.bid,
            criterion=cell.criterion,
            value=value,
            rationale=rationale,
        )


def tenders_demo_load(*, logins: list[tuple[str, str, str]]) -> int:
    """Create the demo tenders that are missing; return how many objects were created."""
    created = _people(logins)
    city = Organisation.objects.get(slug=BUYER)
    officer = get_user_model().objects.get(username="officer")
    version = _framework_version(city, officer)
    now = timezone.now()
    existing = set(Tender.objects.filter(organisation=city).values_list("reference", flat=True))

    if "KCC-2026-101" not in existing:
        tender = _tender(
            city,
            officer,
            version,
            reference="KCC-2026-101",
            title="School meals for Kingsbridge primary schools",
            description="Fresh, healthy lunches for 14 primary schools, about 3,900 meals a day in "
            "term time, for three years with an option to extend by one.",
            deadline=now + timedelta(days=21),
            value=1_150_000_000,
            cpv="55524000-9",
        )
        services.tender_publish(tender=tender, actor=officer)
        created += 1

    if "KCC-2026-118" not in existing:
        # Published, not awarded: each award makes a contract, and the contracts demo has one.
        tender = _tender(
            city,
            officer,
            version,
            reference="KCC-2026-118",
            title="Catering for schools and civic buildings",
            description="Catering across the council's estate for four years, in two lots. "
            "Suppliers may bid for one lot or both; each lot is scored and awarded on its own, "
            "on the same criteria (Preston 2023: social value 20%).",
            deadline=now + timedelta(days=28),
            value=sum(lot[3] for lot in LOTS),
            cpv="55520000-1",
        )
        for number, title, description, value in LOTS:
            services.lot_add(
                tender=tender,
                actor=officer,
                number=number,
                title=title,
                description=description,
                estimated_value_pence=value,
            )
        services.tender_publish(tender=tender, actor=officer)
        created += 1

    if "KCC-2026-087" not in existing:
        tender = _tender(
            city,
            officer,
            version,
            reference="KCC-2026-087",
            title="Catering for council events and the civic centre café",
            description="Catering for about 120 council events a year and the civic centre café.",
            deadline=now - timedelta(days=2),
            value=42_000_000,
            cpv="55520000-1",
        )
        _to_moderation(tender, officer, now - timedelta(days=30))
        created += 1

    if "KCC-2026-042" not in existing:
        tender = _tender(
            city,
            officer,
            version,
            reference="KCC-2026-042",
            title="Staff canteen at the Kingsbridge depot",
            description="A staff canteen for about 300 depot staff, breakfast and lunch, five "
            "days a week, for two years.",
            deadline=now - timedelta(days=20),
            value=40_000_000,
            cpv="55510000-8",
        )
        tender = _to_moderation(tender, officer, now - timedelta(days=50))
        _moderate(tender, officer)
        services.tender_award(
            tender=tender,
            actor=officer,
            decision="Award the contract to the bidder ranked first, the most advantageous tender.",
            reasons="It scored highest overall: a slightly higher price was outweighed by its "
            "quality and social value, notably its current practice (Part A) and specific "
            "commitments on local spend and fair employment (Part B).",
            standstill_start=(now - timedelta(days=3)).date(),
        )
        created += 1
    return created
