"""Writing contracts: every change goes through here and is audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from socialvalue.web.tenders.models import Award


def contract_create_from_award(*, award: Award, actor: Any) -> None:
    """Carry an award's winning bid and its commitments forward to a contract record.

    Called by ``tenders.services.tender_award`` inside the award's transaction. The contracts
    helper session fills this in.
    """
