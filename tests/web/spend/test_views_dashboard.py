"""The dashboard: totals, local shares side by side, top suppliers, the rows behind each figure,
reports, and the user's own supplier list."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.web.spend.conftest import import_files

pytestmark = pytest.mark.django_db

SUPPLIER_LIST = (
    "name,postcode,type,basis\n"
    "Acme Ltd,PR1 2RL,SME,registered_office\n"  # Preston
    "Big National plc,M1 1AA,,registered_office\n"  # Manchester
)


@pytest.fixture
def imported(client_for: Any, dataset: Any, spend_file: Any) -> Any:
    import_files(client_for("analyst"), dataset, spend_file)
    dataset.refresh_from_db()
    return dataset


def _with_supplier_list(client: Any, dataset: Any) -> None:
    response = client.post(
        reverse("spend:supplier_list", args=[dataset.pk]),
        {"file": SimpleUploadedFile("suppliers.csv", SUPPLIER_LIST.encode())},
    )
    assert response.status_code == 302


def _pence(amount: Decimal) -> int:
    return int(amount * 100)


def test_it_shows_the_total_and_top_suppliers(client_for: Any, imported: Any,
                                              spend_file: Any) -> None:
    response = client_for("analyst").get(reverse("spend:dashboard", args=[imported.pk]))
    analysis = response.context["analysis"]
    assert analysis.total_pence == _pence(spend_file.loaded)
    acme = spend_file.by_supplier["ACME LTD"] + spend_file.by_supplier["Acme Limited"]
    top = {s.supplier_key: s.total_pence for s in analysis.top_suppliers}
    assert top["acme"] == _pence(acme)  # both spellings, one supplier
    assert [p.place_name for p in analysis.places] == ["Preston", "Lancashire-14"]


def test_it_computes_local_shares_side_by_side(client_for: Any, imported: Any,
                                               spend_file: Any) -> None:
    client = client_for("analyst")
    _with_supplier_list(client, imported)
    response = client.get(reverse("spend:dashboard", args=[imported.pk]),
                          {"place": ["Preston", "Greater Manchester"], "top": "2"})
    analysis = response.context["analysis"]
    acme = spend_file.by_supplier["ACME LTD"] + spend_file.by_supplier["Acme Limited"]
    national = spend_file.by_supplier["BIG NATIONAL PLC"]
    local = {p.place_name: p.local_pence for p in analysis.places}
    assert local == {"Preston": _pence(acme), "Greater Manchester": _pence(national)}
    assert len(analysis.top_suppliers) == 2


def test_it_links_a_figure_to_the_rows_behind_it(client_for: Any, imported: Any,
                                                 spend_file: Any) -> None:
    client = client_for("analyst")
    _with_supplier_list(client, imported)
    response = client.get(reverse("spend:transactions", args=[imported.pk]),
                          {"place": "Preston", "in": "E07000123", "local": "yes"})
    page = response.context["page"]
    acme = spend_file.by_supplier["ACME LTD"] + spend_file.by_supplier["Acme Limited"]
    assert page.total_pence == _pence(acme)
    assert {row["supplier_key"] for row in page.rows} == {"acme"}
    everything = client.get(reverse("spend:transactions", args=[imported.pk]))
    assert everything.context["page"].count == spend_file.loaded_rows
    assert everything.context["page"].total_pence == _pence(spend_file.loaded)


def test_it_pages_the_rows_with_htmx(client_for: Any, imported: Any, spend_file: Any) -> None:
    client = client_for("analyst")
    response = client.get(reverse("spend:transactions", args=[imported.pk]),
                          {"page": "2"}, HTTP_HX_REQUEST="true")
    page = response.context["page"]
    assert page.number == 1  # 40 rows fit on one page, so page 2 is clamped to 1
    assert len(page.rows) == spend_file.loaded_rows
    assert response.content.decode().lstrip().startswith('<div id="rows"')


def test_it_downloads_the_reports(client_for: Any, imported: Any) -> None:
    client = client_for("officer")  # viewers may download too
    html = client.get(reverse("spend:report", args=[imported.pk]), {"format": "html"})
    assert html.status_code == 200
    assert "attachment" in html["Content-Disposition"]
    assert b"<html" in html.content.lower()
    xlsx = client.get(reverse("spend:report", args=[imported.pk]), {"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert client.get(reverse("spend:report", args=[imported.pk]),
                      {"format": "pdf"}).status_code == 404


def test_it_refuses_a_supplier_list_without_postcodes(client_for: Any, imported: Any) -> None:
    response = client_for("analyst").post(
        reverse("spend:supplier_list", args=[imported.pk]),
        {"file": SimpleUploadedFile("suppliers.csv", b"name\nAcme\n")},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_it_reports_an_unknown_place_with_a_code(client_for: Any, imported: Any) -> None:
    response = client_for("analyst").get(reverse("spend:dashboard", args=[imported.pk]),
                                         {"place": "Atlantis"})
    assert response.context["form"].errors.as_data()["place"][0].code == "invalid_choice"


def test_it_lets_viewers_see_but_not_upload(client_for: Any, imported: Any) -> None:
    assert client_for("officer").get(
        reverse("spend:dashboard", args=[imported.pk])).status_code == 200
    assert client_for("evaluator").get(
        reverse("spend:dashboard", args=[imported.pk])).status_code == 403
    assert client_for("supplier").get(
        reverse("spend:dashboard", args=[imported.pk])).status_code == 403
    assert client_for("officer").post(
        reverse("spend:supplier_list", args=[imported.pk])).status_code == 403


@pytest.mark.parametrize("name", ["spend:transactions", "spend:report"])
def test_it_hides_another_organisations_rows(client_for: Any, imported: Any, name: str) -> None:
    assert client_for("other_org").get(reverse(name, args=[imported.pk])).status_code == 404


def test_it_refuses_posts_to_read_only_pages(client_for: Any, imported: Any) -> None:
    client = client_for("analyst")
    for name in ("spend:transactions", "spend:report"):
        assert client.post(reverse(name, args=[imported.pk])).status_code == 405
