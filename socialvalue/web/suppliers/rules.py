"""Analysts (and admins) of a buyer match suppliers and review the uncertain matches."""

import rules

from socialvalue.web.accounts.models import Role
from socialvalue.web.accounts.rules import has_role
from socialvalue.web.frameworks.rules import is_buyer
from socialvalue.web.permissions import Perm

rules.add_perm(Perm.REVIEW_SUPPLIERS, has_role(Role.ADMIN, Role.ANALYST) & is_buyer)
