"""Believable demo data: a city's anchor network, a county council and local suppliers.

All organisations and people are fictional. Loading is idempotent: running it again creates
nothing new and changes nothing already there.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from socialvalue.web.accounts.models import (
    Membership,
    Network,
    Organisation,
    OrganisationKind,
    Role,
)
from socialvalue.web.accounts.services import (
    membership_create,
    organisation_create,
    user_create,
)
from socialvalue.web.audit.services import audit_record

DEMO_PASSWORD = "social-value-demo"  # noqa: S105 - printed for the demo; never in production

ORGANISATIONS = [
    # slug, name, kind, postcode
    ("kingsbridge-city", "Kingsbridge City Council", OrganisationKind.BUYER, "KB1 1AA"),
    ("kingsbridge-university", "University of Kingsbridge", OrganisationKind.BUYER, "KB2 4UK"),
    ("kingsbridge-college", "Kingsbridge and Ribble College", OrganisationKind.BUYER, "KB3 2CE"),
    ("kingsbridge-homes", "Kingsbridge Community Homes", OrganisationKind.BUYER, "KB4 7HA"),
    ("westshire-county", "Westshire County Council", OrganisationKind.BUYER, "WS1 3CC"),
    (
        "northgate-catering",
        "Northgate Catering Co-operative Ltd",
        OrganisationKind.SUPPLIER,
        "KB5 8NG",
    ),
    ("ribble-roofing", "Ribble Valley Roofing Ltd", OrganisationKind.SUPPLIER, "KB7 2RR"),
    (
        "greenway-transport",
        "Greenway Community Transport CIC",
        OrganisationKind.SUPPLIER,
        "KB6 1GT",
    ),
    ("brightwork-fm", "Brightwork Facilities Management plc", OrganisationKind.SUPPLIER, "M1 4BF"),
    ("pennine-digital", "Pennine Digital Ltd", OrganisationKind.SUPPLIER, "WS9 5PD"),
]

NETWORK: dict[str, str] = {
    "slug": "kingsbridge-anchors",
    "name": "Kingsbridge Anchor Network",
    "description": (
        "The city's anchor institutions, working together to spend more locally "
        "and to ask suppliers for social value."
    ),
    "coordinator": "kingsbridge-city",
}
NETWORK_MEMBERS = [
    "kingsbridge-city",
    "kingsbridge-university",
    "kingsbridge-college",
    "kingsbridge-homes",
    "westshire-county",
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    memberships: tuple[tuple[str, Role], ...]

    @property
    def email(self) -> str:
        return f"{self.username}@example.org"


USERS = [
    DemoUser("admin", "Amara", "Okafor", (("kingsbridge-city", Role.ADMIN),)),
    DemoUser("officer", "Owen", "Pritchard", (("kingsbridge-city", Role.OFFICER),)),
    DemoUser("evaluator", "Eleanor", "Shah", (("kingsbridge-city", Role.EVALUATOR),)),
    DemoUser("contracts", "Conor", "Walsh", (("kingsbridge-city", Role.CONTRACT_MANAGER),)),
    DemoUser(
        "analyst",
        "Anika",
        "Novak",
        (("kingsbridge-city", Role.ANALYST), ("westshire-county", Role.ANALYST)),
    ),
    DemoUser(
        "coordinator",
        "Corinne",
        "Hughes",
        (("kingsbridge-city", Role.COORDINATOR), ("kingsbridge-university", Role.ANALYST)),
    ),
    DemoUser("supplier", "Sam", "Fletcher", (("northgate-catering", Role.SUPPLIER),)),
    DemoUser("supplier-admin", "Priya", "Desai", (("northgate-catering", Role.ADMIN),)),
    DemoUser("county-admin", "Gareth", "Lloyd", (("westshire-county", Role.ADMIN),)),
]


@dataclass(frozen=True)
class DemoLoadResult:
    created: int
    logins: list[tuple[str, str, str]]  # (username, role, organisation), one per membership


@transaction.atomic
def demo_load() -> DemoLoadResult:
    """Create whatever part of the demo is missing and return the logins to print."""
    created = 0
    organisations: dict[str, Organisation] = {}
    for slug, name, kind, postcode in ORGANISATIONS:
        existing = Organisation.objects.filter(slug=slug).first()
        if existing is None:
            existing = organisation_create(name=name, slug=slug, kind=kind, postcode=postcode)
            created += 1
        organisations[slug] = existing

    network = Network.objects.filter(slug=NETWORK["slug"]).first()
    if network is None:
        network = Network.objects.create(
            slug=NETWORK["slug"],
            name=NETWORK["name"],
            description=NETWORK["description"],
            coordinator=organisations[NETWORK["coordinator"]],
        )
        network.members.set([organisations[slug] for slug in NETWORK_MEMBERS])
        audit_record(
            action="network.created",
            summary=f"Network {network.name} created with {len(NETWORK_MEMBERS)} members",
            organisation=network.coordinator,
            obj=network,
        )
        created += 1

    User = get_user_model()
    logins = []
    for demo in USERS:
        user = User.objects.filter(username=demo.username).first()
        if user is None:
            user = user_create(
                username=demo.username,
                password=DEMO_PASSWORD,
                email=demo.email,
                first_name=demo.first_name,
                last_name=demo.last_name,
                validate=False,
            )
            created += 1
        for slug, role in demo.memberships:
            organisation = organisations[slug]
            if not Membership.objects.filter(user=user, organisation=organisation).exists():
                membership_create(user=user, organisation=organisation, role=role)
                created += 1
        for slug, role in demo.memberships:
            logins.append((demo.username, role.label, organisations[slug].name))
    from socialvalue.web.tenders.demo import tenders_demo_load  # tenders' demo data (issue 8)

    created += tenders_demo_load(logins=logins)
    from socialvalue.web.spend.demo import spend_demo_load  # spend and suppliers (issues 5, 6)

    created += spend_demo_load()
    return DemoLoadResult(created=created, logins=logins)
