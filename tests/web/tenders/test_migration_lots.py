"""An award made before tenders had lots (migration 0003) survives migration 0004_lots.

The database is migrated back to 0003 with Django's ``MigrationExecutor``, rows are written with
the historical models of that state (a tender without lots, two bids, an award), and the database
is migrated forward to the latest migrations. Nothing here is specific to one database: the test
runs on SQLite by default and on PostgreSQL when ``DATABASE_URL`` points at one.

It needs a transactional test (schema changes cannot run inside the test's transaction on
SQLite), and always migrates forward again, even when an assertion fails, so the tests after it
find the schema they expect.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from socialvalue.web.tenders.models import Award, Bid, Tender

BEFORE_LOTS = ("tenders", "0003_criterion_sv_scoring")


def _migrate(targets: list[tuple[str, str]] | None = None) -> MigrationExecutor:
    """Migrate to ``targets`` (every app's latest migration when ``None``)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


def _award_before_lots(apps: Any) -> dict[str, int]:
    """A tender awarded the way it was before lots: one award per tender (a one-to-one)."""
    Organisation = apps.get_model("accounts", "Organisation")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    Tender = apps.get_model("tenders", "Tender")
    Bid = apps.get_model("tenders", "Bid")
    Award = apps.get_model("tenders", "Award")
    city = Organisation.objects.create(name="Kingsbridge City Council", slug="city", kind="buyer")
    northgate = Organisation.objects.create(name="Northgate", slug="northgate", kind="supplier")
    ribble = Organisation.objects.create(name="Ribble", slug="ribble", kind="supplier")
    officer = User.objects.create(username="olivia")
    tender = Tender.objects.create(
        organisation=city,
        title="Staff canteen",
        reference="KCC-2025-009",
        submission_deadline=datetime(2025, 6, 2, 12, tzinfo=UTC),
        status="awarded",
    )
    winner = Bid.objects.create(
        tender=tender, supplier=northgate, price_pence=41_250_000, status="submitted"
    )
    Bid.objects.create(tender=tender, supplier=ribble, price_pence=36_800_000, status="submitted")
    award = Award.objects.create(
        tender=tender,
        winning_bid=winner,
        decision="Award to Northgate.",
        reasons="Highest total.",
        standstill_start=date(2025, 6, 16),
        standstill_end=date(2025, 6, 26),
        evaluation_document={"criteria": [], "bids": []},
        decided_by=officer,
    )
    return {"tender": tender.pk, "award": award.pk, "winner": winner.pk}


@pytest.mark.django_db(transaction=True)
def test_an_award_made_before_lots_survives_the_lots_migration() -> None:
    try:
        executor = _migrate([BEFORE_LOTS])
        old_apps = executor.loader.project_state([BEFORE_LOTS]).apps
        assert not any(f.name == "lot" for f in old_apps.get_model("tenders", "Award")._meta.fields)
        ids = _award_before_lots(old_apps)
    finally:
        _migrate()

    tender = Tender.objects.get(pk=ids["tender"])
    award = tender.award  # the award of a tender without lots
    assert award is not None
    assert award.pk == ids["award"]
    assert (award.lot, award.winning_bid_id, award.decision) == (
        None,
        ids["winner"],
        "Award to Northgate.",
    )
    assert (award.standstill_start, award.standstill_end) == (date(2025, 6, 16), date(2025, 6, 26))
    assert award.evaluation_document == {"criteria": [], "bids": []}
    assert (tender.status, tender.has_lots) == ("awarded", False)
    assert list(tender.bids.order_by("price_pence").values_list("lot", "price_pence")) == [
        (None, 36_800_000),
        (None, 41_250_000),
    ]
    # The one-to-one became a foreign key with a conditional unique constraint: still one award
    # (and one bid per supplier) for a tender without lots.
    with pytest.raises(IntegrityError), transaction.atomic():
        Award.objects.create(
            tender=tender,
            winning_bid=award.winning_bid,
            decision="Again.",
            reasons="Again.",
            standstill_start=date(2025, 6, 16),
            standstill_end=date(2025, 6, 26),
            evaluation_document={},
            decided_by=award.decided_by,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Bid.objects.create(tender=tender, supplier=award.winning_bid.supplier)
