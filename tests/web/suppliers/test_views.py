"""Matching a dataset's suppliers to registers, the review queue and its decisions."""

from __future__ import annotations

from typing import Any

import pyarrow.parquet as pq
import pytest
from django.urls import reverse

from socialvalue.web.audit.models import AuditEvent
from socialvalue.web.suppliers import selectors
from socialvalue.web.suppliers.models import RunStatus, SupplierDecision, SupplierMatchRun
from tests.web.spend.conftest import import_files, make_spend_file
from tests.web.suppliers.conftest import register_upload

pytestmark = pytest.mark.django_db


def _match(client: Any, dataset: Any, upload: Any = None) -> SupplierMatchRun:
    response = client.post(
        reverse("suppliers:dataset", args=[dataset.pk]),
        {"registers": [upload or register_upload()]},
    )
    assert response.status_code == 302
    return SupplierMatchRun.objects.filter(dataset=dataset).latest("created_at")


def _records(dataset: Any) -> dict[str, dict[str, Any]]:
    table = pq.read_table(selectors.results_dir(dataset) / "suppliers.parquet").to_pylist()
    return {row["supplier_key"]: row for row in table}


def test_it_matches_in_the_background_and_keeps_the_records(client_for: Any, imported: Any) -> None:
    run = _match(client_for("analyst"), imported)
    assert run.status == RunStatus.DONE, run.error
    records = _records(imported)
    assert records["acme"]["status"] == "accepted"
    assert records["acme"]["registered_office_postcode"] == "PR1 2RL"
    assert set(records["acme"]["raw_names"]) == {"ACME LTD", "Acme Limited"}
    assert run.counts["accepted"] >= 2
    assert AuditEvent.objects.filter(action="suppliers.matched").count() == 1


def test_it_queues_the_uncertain_ones_largest_spend_first(
    client_for: Any, imported: Any, city: Any
) -> None:
    _match(client_for("analyst"), imported)
    queue = selectors.review_queue(dataset=imported, organisation=city)
    assert [item.result.supplier_key for item in queue] == ["ribble catering"]
    assert len(queue[0].result.candidates) == 2
    response = client_for("analyst").get(reverse("suppliers:review", args=[imported.pk]))
    assert response.context["item"].result.supplier_key == "ribble catering"
    assert b'data-shortcut="a"' in response.content


def test_it_applies_an_accepted_decision_to_the_records(
    client_for: Any, imported: Any, city: Any
) -> None:
    client = client_for("analyst")
    _match(client, imported)
    response = client.post(
        reverse("suppliers:decide", args=[imported.pk]),
        {"supplier_key": "ribble catering", "choice": "pick:2"},
    )
    assert response.status_code == 302
    decision = SupplierDecision.objects.get()
    assert decision.organisation == city
    assert decision.action == "pick"
    assert decision.shared is True
    chosen = decision.decision["entry"]["postcode"]
    record = _records(imported)["ribble catering"]
    assert record["status"] == "accepted"
    assert record["registered_office_postcode"] == chosen
    assert selectors.review_queue(dataset=imported, organisation=city) == []
    assert AuditEvent.objects.filter(action="suppliers.decided").count() == 1


def test_it_feeds_decisions_to_the_spend_dashboard(
    client_for: Any, imported: Any, spend_file: Any
) -> None:
    client = client_for("analyst")
    _match(client, imported)
    client.post(
        reverse("suppliers:decide", args=[imported.pk]),
        {"supplier_key": "ribble catering", "choice": "reject"},
    )
    response = client.get(reverse("spend:dashboard", args=[imported.pk]), {"place": "Preston"})
    (preston,) = response.context["analysis"].places
    acme = spend_file.by_supplier["ACME LTD"] + spend_file.by_supplier["Acme Limited"]
    roofing = spend_file.by_supplier["Preston Roofing Ltd"]
    assert preston.local_pence == int((acme + roofing) * 100)  # Ribble Catering rejected


def test_it_answers_htmx_with_the_next_card(client_for: Any, imported: Any) -> None:
    client = client_for("analyst")
    _match(client, imported)
    response = client.post(
        reverse("suppliers:decide", args=[imported.pk]),
        {"supplier_key": "ribble catering", "choice": "accept", "private": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="card"')
    assert 'data-testid="queue-empty"' in text
    assert SupplierDecision.objects.get().shared is False


def test_it_reuses_decisions_on_a_later_import(client_for: Any, imported: Any) -> None:
    client = client_for("analyst")
    _match(client, imported)
    client.post(
        reverse("suppliers:decide", args=[imported.pk]),
        {"supplier_key": "ribble catering", "choice": "pick:2"},
    )
    import_files(client, imported, make_spend_file(name="q2.csv", count=12, seed=3))
    record = _records(imported)["ribble catering"]
    assert record["status"] == "accepted"
    assert record["rows"] > 7  # the new file's rows are in the refreshed records


def test_it_uses_decisions_shared_in_a_network(
    client_for: Any, imported: Any, city: Any, county: Any
) -> None:
    from django.contrib.auth import get_user_model

    from socialvalue.suppliers.decisions import decide
    from socialvalue.web.accounts.models import Network

    _match(client_for("analyst"), imported)
    (result,) = [
        r for r in selectors.raw_results(dataset=imported) if r.supplier_key == "ribble catering"
    ]
    shared = decide(result, "pick", candidate_index=1, decided_by="carl")
    carl = get_user_model().objects.get(username="carl")
    SupplierDecision.objects.create(
        organisation=county,
        supplier_key=shared.supplier_key,
        action="pick",
        decision=shared.to_dict(),
        decided_by=carl,
    )
    assert selectors.decisions_for(organisation=city) == []  # not in a network together yet
    Network.objects.get(coordinator=city).members.add(county)
    assert [d.entry_id for d in selectors.decisions_for(organisation=city)] == [shared.entry_id]
    SupplierDecision.objects.update(shared=False)
    assert selectors.decisions_for(organisation=city) == []


def test_it_reports_a_register_it_cannot_read(client_for: Any, imported: Any) -> None:
    run = _match(
        client_for("analyst"), imported, register_upload("title,number\nAcme,1\n", name="odd.csv")
    )
    assert run.status == RunStatus.FAILED
    assert run.error_code == "register_format"
    assert "odd.csv" in run.error


def test_it_asks_for_a_register_file(client_for: Any, imported: Any) -> None:
    response = client_for("analyst").post(reverse("suppliers:dataset", args=[imported.pk]), {})
    assert response.status_code == 200, response.status_code
    assert response.context["form"].errors.as_data()["registers"][0].code == "required"
    assert b"Error: " in response.content


def test_it_refuses_a_bad_choice(client_for: Any, imported: Any) -> None:
    client = client_for("analyst")
    _match(client, imported)
    response = client.post(
        reverse("suppliers:decide", args=[imported.pk]),
        {"supplier_key": "ribble catering", "choice": "pick:9"},
    )
    assert response.status_code == 302  # no 9th candidate: nothing saved, message shown
    assert SupplierDecision.objects.count() == 0


def test_it_shows_the_run_as_a_fragment_to_htmx(client_for: Any, imported: Any) -> None:
    client = client_for("analyst")
    _match(client, imported)
    response = client.get(reverse("suppliers:dataset", args=[imported.pk]), HTTP_HX_REQUEST="true")
    assert response.content.decode().lstrip().startswith('<div id="run"')


# --- the 404/403/405 trio ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["suppliers:dataset", "suppliers:review"])
def test_it_hides_another_organisations_dataset(client_for: Any, imported: Any, name: str) -> None:
    _match(client_for("analyst"), imported)
    assert client_for("other_org").get(reverse(name, args=[imported.pk])).status_code == 404
    response = client_for("other_org").post(
        reverse("suppliers:decide", args=[imported.pk]),
        {"supplier_key": "acme", "choice": "accept"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["officer", "contract_manager", "coordinator", "supplier"])
def test_it_refuses_other_roles(client_for: Any, imported: Any, role: str) -> None:
    client = client_for(role)
    assert client.get(reverse("suppliers:dataset", args=[imported.pk])).status_code == 403
    assert client.get(reverse("suppliers:review", args=[imported.pk])).status_code == 403
    assert client.post(reverse("suppliers:decide", args=[imported.pk])).status_code == 403


def test_it_refuses_the_wrong_method(client_for: Any, imported: Any) -> None:
    client = client_for("analyst")
    assert client.get(reverse("suppliers:decide", args=[imported.pk])).status_code == 405
    assert client.post(reverse("suppliers:review", args=[imported.pk])).status_code == 405
    assert client.post(reverse("suppliers:list")).status_code == 405


def test_it_has_no_queue_before_matching(client_for: Any, imported: Any) -> None:
    assert (
        client_for("analyst").get(reverse("suppliers:review", args=[imported.pk])).status_code
        == 404
    )


def _big_national_key(dataset: Any) -> str:
    return next(
        key for key, row in _records(dataset).items() if "BIG NATIONAL PLC" in row["raw_names"]
    )


def test_it_counts_an_added_branch_as_local_based_or_branched_only(
    client_for: Any, imported: Any, spend_file: Any
) -> None:
    client = client_for("analyst")
    _match(client, imported)
    key = _big_national_key(imported)  # registered office in Manchester
    dashboard = reverse("spend:dashboard", args=[imported.pk])
    before = client.get(dashboard, {"place": "Preston"}).context["analysis"].places[0]
    response = client.post(
        f"{reverse('suppliers:record', args=[imported.pk])}?supplier={key}",
        {"supplier": key, "basis": "branch", "postcode": "pr1 1aa"},
    )
    assert response.status_code == 302
    assert _records(imported)[key]["branch_postcodes"] == ["PR1 1AA"]
    after = client.get(dashboard, {"place": "Preston"}).context["analysis"].places[0]
    big = int(spend_file.by_supplier["BIG NATIONAL PLC"] * 100)
    assert after.local_pence == before.local_pence + big
    assert (
        after.local_pence_by_rule["registered_office"]
        == before.local_pence_by_rule["registered_office"]
    )
    assert AuditEvent.objects.filter(action="suppliers.address_added").count() == 1


def test_it_refuses_a_postcode_that_is_not_one(client_for: Any, imported: Any) -> None:
    client = client_for("analyst")
    _match(client, imported)
    key = _big_national_key(imported)
    response = client.post(
        f"{reverse('suppliers:record', args=[imported.pk])}?supplier={key}",
        {"supplier": key, "basis": "branch", "postcode": "PR1 XYZ"},
    )
    assert response.status_code == 200
    codes = {e.code for e in response.context["form"].errors.as_data()["postcode"]}
    assert codes == {"postcode_invalid"}
    assert _records(imported)[key]["branch_postcodes"] == []


def test_it_removes_an_address(client_for: Any, imported: Any) -> None:
    client = client_for("analyst")
    _match(client, imported)
    key = _big_national_key(imported)
    record = f"{reverse('suppliers:record', args=[imported.pk])}?supplier={key}"
    client.post(record, {"supplier": key, "basis": "trading_address", "postcode": "PR2 8AA"})
    address = client.get(record).context["addresses"].get()
    client.post(reverse("suppliers:remove_address", args=[imported.pk, address.pk]))
    assert _records(imported)[key]["trading_postcodes"] == []


def test_it_gives_404_for_an_unknown_supplier_and_403_to_other_roles(
    client_for: Any, imported: Any
) -> None:
    _match(client_for("analyst"), imported)
    record = reverse("suppliers:record", args=[imported.pk])
    assert client_for("analyst").get(record, {"supplier": "nobody"}).status_code == 404
    assert client_for("evaluator").get(record, {"supplier": "acme"}).status_code == 403
    assert client_for("other_org").get(record, {"supplier": "acme"}).status_code == 404


def test_it_finds_a_supplier_by_a_spelling_in_the_spend(client_for: Any, imported: Any) -> None:
    client = client_for("analyst")
    _match(client, imported)
    response = client.get(
        reverse("suppliers:record", args=[imported.pk]), {"supplier": "big national plc"}
    )
    assert response.status_code == 200
    assert response.context["result"].supplier_key == _big_national_key(imported)
