"""Buyers' people read their frameworks; organisation admins adopt, upload and tweak them."""

import rules

from socialvalue.web.accounts.models import Role
from socialvalue.web.accounts.rules import has_role
from socialvalue.web.permissions import Perm

BUYER_ROLES = (
    Role.ADMIN,
    Role.OFFICER,
    Role.EVALUATOR,
    Role.CONTRACT_MANAGER,
    Role.ANALYST,
    Role.COORDINATOR,
)


@rules.predicate
def is_buyer(user: object, organisation: object) -> bool:
    return organisation is not None and getattr(organisation, "kind", None) == "buyer"


rules.add_perm(Perm.VIEW_FRAMEWORKS, has_role(*BUYER_ROLES) & is_buyer)
rules.add_perm(Perm.MANAGE_FRAMEWORKS, has_role(Role.ADMIN) & is_buyer)
