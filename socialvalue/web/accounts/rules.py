"""Who may do what, by role in the current organisation.

Predicates take ``(user, organisation)``; the organisation is ``request.org`` (see
``socialvalue.web.permissions``). Roles are read from the memberships the middleware loaded,
so a permission check costs no query.
"""

from __future__ import annotations

from typing import Any

import rules

from socialvalue.web.accounts.models import Role
from socialvalue.web.permissions import Perm


def role_in(user: Any, organisation: Any) -> str | None:
    """The user's role in ``organisation``, or ``None`` when not a member."""
    if organisation is None or not getattr(user, "is_authenticated", False):
        return None
    roles: dict[int, str] | None = getattr(user, "_roles_by_org", None)
    if roles is None:
        roles = dict(user.memberships.values_list("organisation_id", "role"))
        user._roles_by_org = roles
    return roles.get(organisation.pk)


def has_role(*allowed: Role) -> rules.Predicate:
    names = "_or_".join(str(role) for role in allowed)

    @rules.predicate(name=f"has_role_{names}")
    def predicate(user: Any, organisation: Any) -> bool:
        return role_in(user, organisation) in allowed

    return predicate


@rules.predicate
def is_member(user: Any, organisation: Any) -> bool:
    return role_in(user, organisation) is not None


@rules.predicate
def coordinates_a_network(user: Any, organisation: Any) -> bool:
    return organisation is not None and organisation.coordinated_networks.exists()


rules.add_perm(Perm.VIEW_DASHBOARD, rules.is_authenticated)
rules.add_perm(Perm.SWITCH_ORGANISATION, rules.is_authenticated)
rules.add_perm(Perm.MANAGE_TEAM, has_role(Role.ADMIN))
rules.add_perm(Perm.VIEW_NETWORK, has_role(Role.COORDINATOR) & coordinates_a_network)
