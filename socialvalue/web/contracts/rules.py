"""Who may do what with contracts, by role in the current organisation.

Buyers' contract managers and procurement officers read contracts (admins too); contract
managers manage them. Which *rows* each may read is decided in ``selectors.py``.
"""

import rules

from socialvalue.web.accounts.models import Role
from socialvalue.web.accounts.rules import has_role
from socialvalue.web.permissions import Perm
from socialvalue.web.tenders.rules import is_buyer

rules.add_perm(
    Perm.VIEW_CONTRACTS,
    has_role(Role.CONTRACT_MANAGER, Role.OFFICER, Role.ADMIN) & is_buyer,
)
rules.add_perm(Perm.MANAGE_CONTRACTS, has_role(Role.CONTRACT_MANAGER) & is_buyer)
