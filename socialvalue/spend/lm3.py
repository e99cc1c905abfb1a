"""LM3 (Local Multiplier 3, New Economics Foundation): a pure, documented calculator.

Source: Justin Sacks, *The Money Trail: measuring your impact on the local economy using LM3*,
NEF and The Countryside Agency, 2002 (ISBN 1 899407 60 X)::

    LM3 = (R1 + R2 + R3) / R1 = 1 + f2 + f2·f3      f2 = R2/R1, f3 = R3/R2
    1 ≤ LM3 ≤ 3

* **R1**, round 1: the starting income or spend (turnover less VAT, or total spend on
  suppliers, staff and utilities).
* **R2**, round 2: the part of R1 spent with local suppliers and on local staff.
* **R3**, round 3: what those local suppliers and staff re-spend locally (from a survey)::

    R3 = Σ_s pay_s · local_share_s + Σ_e wage_e · local_share_e

Survey rules (Plugging the Leaks workbook): with few respondents use each respondent's own local
share (:data:`PER_RESPONDENT`); with many, average the shares and apply the mean to the total
paid (:data:`AVERAGED`). Worked numbers: five staff who re-spend 42.1%, 50.5%, 63.1%, 37.8%
and 33.6% locally have a mean share of 45.42%; at a 40% share a £200,000 wage bill re-spends
£80,000 locally.

Money is :class:`~decimal.Decimal`; shares are fractions in [0, 1].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from socialvalue.exceptions import LM3InputError

PER_RESPONDENT = "per_respondent"
AVERAGED = "averaged"


@dataclass(frozen=True)
class Recipient:
    """A local supplier or member of staff paid in round 2, and their local re-spend share.

    ``local_share`` is ``None`` for someone paid but not surveyed (allowed with
    :data:`AVERAGED`, where the mean of the surveyed shares is applied to everyone).
    """

    paid: Decimal
    local_share: Decimal | None
    kind: str = "supplier"


@dataclass(frozen=True)
class LM3Result:
    """An LM3 score with every component, so it can be explained."""

    r1: Decimal
    r2: Decimal
    r3: Decimal
    rule: str
    mean_shares: tuple[tuple[str, Decimal], ...] = ()

    @property
    def score(self) -> Decimal:
        return (self.r1 + self.r2 + self.r3) / self.r1

    @property
    def f2(self) -> Decimal:
        return self.r2 / self.r1

    @property
    def f3(self) -> Decimal:
        return self.r3 / self.r2 if self.r2 else Decimal(0)

    def rounded(self, places: int = 2) -> Decimal:
        return self.score.quantize(Decimal(1).scaleb(-places))


def _check_share(share: Decimal, what: str) -> None:
    if not Decimal(0) <= share <= Decimal(1):
        raise LM3InputError(f"{what}: the local share {share} must be between 0 and 1 "
                            "(write 45% as 0.45)")


def lm3(r1: Decimal, r2: Decimal, r3: Decimal, rule: str = "given") -> LM3Result:
    """LM3 from the three rounds; checks ``0 < R1``, ``0 ≤ R2 ≤ R1`` and ``0 ≤ R3 ≤ R2``.

    >>> lm3(Decimal(100), Decimal(50), Decimal(25)).score
    Decimal('1.75')
    """
    if r1 <= 0:
        raise LM3InputError(f"R1 must be more than 0 (got {r1}): it is the starting income")
    if not Decimal(0) <= r2 <= r1:
        raise LM3InputError(f"R2 ({r2}) must be between 0 and R1 ({r1}): it is part of R1")
    if not Decimal(0) <= r3 <= r2:
        raise LM3InputError(f"R3 ({r3}) must be between 0 and R2 ({r2}): it is re-spent from R2")
    result = LM3Result(r1=r1, r2=r2, r3=r3, rule=rule)
    assert Decimal(1) <= result.score <= Decimal(3)
    return result


def mean_share(shares: Sequence[Decimal]) -> Decimal:
    """The arithmetic mean of local shares (the averaged rule's estimate)."""
    if not shares:
        raise LM3InputError("no survey responses with a local share: survey at least one "
                            "recipient or give R3 directly")
    for share in shares:
        _check_share(share, "survey response")
    return sum(shares, Decimal(0)) / len(shares)


def round3(recipients: Sequence[Recipient], rule: str = PER_RESPONDENT
           ) -> tuple[Decimal, tuple[tuple[str, Decimal], ...]]:
    """R3 from round-2 recipients under a survey rule; also the mean share per kind used."""
    for recipient in recipients:
        if recipient.paid < 0:
            raise LM3InputError(f"a {recipient.kind} was paid {recipient.paid}: amounts paid "
                                "cannot be negative")
    if rule == PER_RESPONDENT:
        total = Decimal(0)
        for recipient in recipients:
            if recipient.local_share is None:
                raise LM3InputError(
                    f"a {recipient.kind} paid {recipient.paid} has no local share; survey them, "
                    "or use the averaged rule"
                )
            _check_share(recipient.local_share, recipient.kind)
            total += recipient.paid * recipient.local_share
        return total, ()
    if rule == AVERAGED:
        total = Decimal(0)
        means = []
        for kind in sorted({r.kind for r in recipients}):
            group = [r for r in recipients if r.kind == kind]
            mean = mean_share([r.local_share for r in group if r.local_share is not None])
            means.append((kind, mean))
            total += sum((r.paid for r in group), Decimal(0)) * mean
        return total, tuple(means)
    raise LM3InputError(f"unknown survey rule {rule!r}: use {PER_RESPONDENT} or {AVERAGED}")


def lm3_from_survey(r1: Decimal, recipients: Sequence[Recipient],
                    rule: str = PER_RESPONDENT) -> LM3Result:
    """LM3 where R2 is what the local recipients were paid and R3 comes from their survey."""
    r2 = sum((r.paid for r in recipients), Decimal(0))
    r3, means = round3(recipients, rule)
    result = lm3(r1, r2, r3, rule)
    return LM3Result(r1=result.r1, r2=result.r2, r3=result.r3, rule=rule, mean_shares=means)
