"""Who may do what with tenders, by role in the current organisation.

Buyers' officers run tenders (admins may read them); evaluators score what they are assigned;
suppliers' people bid. Which *rows* each may read is decided in ``selectors.py``.
"""

import rules

from socialvalue.web.accounts.models import Role
from socialvalue.web.accounts.rules import has_role
from socialvalue.web.permissions import Perm


@rules.predicate
def is_buyer(user: object, organisation: object) -> bool:
    return organisation is not None and getattr(organisation, "kind", None) == "buyer"


@rules.predicate
def is_supplier(user: object, organisation: object) -> bool:
    return organisation is not None and getattr(organisation, "kind", None) == "supplier"


rules.add_perm(Perm.VIEW_TENDERS, has_role(Role.OFFICER, Role.ADMIN) & is_buyer)
rules.add_perm(Perm.MANAGE_TENDERS, has_role(Role.OFFICER) & is_buyer)
rules.add_perm(Perm.EVALUATE_TENDERS, has_role(Role.EVALUATOR) & is_buyer)
rules.add_perm(Perm.MANAGE_BIDS, has_role(Role.SUPPLIER, Role.ADMIN) & is_supplier)
