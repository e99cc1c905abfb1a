"""Buyers' people read spend dashboards; analysts (and admins) import, fix and analyse.

Evaluators score bids independently and have no use for the spend ledger; suppliers see none of it.
"""

import rules

from socialvalue.web.accounts.models import Role
from socialvalue.web.accounts.rules import has_role
from socialvalue.web.frameworks.rules import is_buyer
from socialvalue.web.permissions import Perm

VIEWER_ROLES = (Role.ADMIN, Role.ANALYST, Role.OFFICER, Role.CONTRACT_MANAGER, Role.COORDINATOR)
MANAGER_ROLES = (Role.ADMIN, Role.ANALYST)

rules.add_perm(Perm.VIEW_SPEND, has_role(*VIEWER_ROLES) & is_buyer)
rules.add_perm(Perm.MANAGE_SPEND, has_role(*MANAGER_ROLES) & is_buyer)
