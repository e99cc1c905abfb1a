"""Organisation admins read their organisation's audit log."""

import rules

from socialvalue.web.accounts.models import Role
from socialvalue.web.accounts.rules import has_role
from socialvalue.web.permissions import Perm

rules.add_perm(Perm.VIEW_AUDIT_LOG, has_role(Role.ADMIN))
