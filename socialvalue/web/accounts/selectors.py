"""Reads for organisations, memberships, invitations and networks."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from socialvalue.web.accounts.models import Invitation, Membership, Network, Organisation


def memberships_for_user(*, user: Any) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def memberships_for_organisation(*, organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by(
        "user__last_name", "user__username"
    )


def invitations_pending(*, organisation: Organisation) -> list[Invitation]:
    return [
        invitation
        for invitation in organisation.invitations.select_related("invited_by")
        if invitation.status in {"pending", "expired"}
    ]


def networks_coordinated_by(*, organisation: Organisation) -> QuerySet[Network]:
    return organisation.coordinated_networks.prefetch_related("members").order_by("name")


def network_member_summary(*, network: Network) -> list[dict[str, Any]]:
    """Per member organisation: its name, kind and how many people it has, by role.

    Only aggregates cross the organisation boundary; no member's own records are read.
    """
    members = network.members.annotate(people=Count("memberships")).order_by("name")
    return [
        {"organisation": member, "kind": member.get_kind_display(), "people": member.people}
        for member in members
    ]


def organisation_summary(*, organisation: Organisation) -> dict[str, Any]:
    counts = dict(
        organisation.memberships.values_list("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    return {
        "people": sum(counts.values()),
        "people_by_role": counts,
        "networks": list(organisation.networks.order_by("name")),
    }
