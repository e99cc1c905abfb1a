"""Organisations, networks, memberships with roles, invitations and the login throttle log."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class OrganisationKind(models.TextChoices):
    BUYER = "buyer", "Buyer or anchor institution"
    SUPPLIER = "supplier", "Supplier"


class Role(models.TextChoices):
    """What a person may do inside one organisation (see docs/roles.md)."""

    ADMIN = "admin", "Organisation admin"
    OFFICER = "officer", "Procurement officer"
    EVALUATOR = "evaluator", "Evaluator"
    CONTRACT_MANAGER = "contract_manager", "Contract manager"
    ANALYST = "analyst", "Analyst"
    COORDINATOR = "coordinator", "Network coordinator"
    SUPPLIER = "supplier", "Supplier"


# A supplier organisation's people bid and report; buyers' people run procurement.
ROLES_BY_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.BUYER: frozenset(
        {
            Role.ADMIN,
            Role.OFFICER,
            Role.EVALUATOR,
            Role.CONTRACT_MANAGER,
            Role.ANALYST,
            Role.COORDINATOR,
        }
    ),
    OrganisationKind.SUPPLIER: frozenset({Role.ADMIN, Role.SUPPLIER}),
}


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    postcode = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Network(models.Model):
    """A group of organisations that share a baseline, such as a city's anchor institutions."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    coordinator = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="coordinated_networks",
        help_text="The organisation whose network coordinators see this network's aggregates.",
    )
    members = models.ManyToManyField(Organisation, related_name="networks", blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.organisation}"

    def clean(self) -> None:
        allowed = ROLES_BY_KIND[self.organisation.kind]
        if self.role not in allowed:
            raise ValidationError(
                {
                    "role": f"A {self.organisation.get_kind_display().lower()} cannot have "
                    f"the role {self.get_role_display().lower()}."
                },
                code="role_not_allowed",
            )


class Invitation(models.Model):
    """A link that lets someone join an organisation with a role, once, before it expires.

    Only a SHA-256 hash of the token is stored: a leaked database cannot be used to join.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.organisation}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class LoginFailure(models.Model):
    """One failed sign-in, kept to throttle guessing (see services.login_is_throttled)."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Failed sign-in for {self.username} at {self.created_at:%Y-%m-%d %H:%M}"
