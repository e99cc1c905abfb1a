"""Uploads: stored outside the web root, type and size limits, served only through checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from socialvalue.exceptions import TenderError
from socialvalue.web.tenders import services
from socialvalue.web.tenders.models import Document, Tender
from tests.web.tenders.conftest import move_deadline_to_past, user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def _pdf(name: str = "spec.pdf", size: int = 100) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 " + b"x" * size, content_type="application/pdf")


def _client(username: str) -> Client:
    client = Client()
    client.force_login(user(username))
    return client


def test_it_stores_uploads_under_the_var_folder_with_a_random_name(
    draft: Tender, client_for: Any, tmp_path: Path
) -> None:
    client_for("officer").post(
        reverse("tenders:document_add", args=[draft.pk]), {"document": _pdf("../../evil.pdf")}
    )
    document = Document.objects.get()
    path = Path(document.file.path)
    assert path.is_relative_to(tmp_path / "uploads")
    assert document.title == "evil.pdf"
    assert "evil" not in path.name


def test_it_refuses_a_wrong_type_and_a_large_file(draft: Tender) -> None:
    exe = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(TenderError) as error:
        services.document_add(tender=draft, actor=user("olivia"), upload=exe)
    assert error.value.code == "file_type"
    big = _pdf(size=services.UPLOAD_MAX_BYTES)
    with pytest.raises(TenderError) as error:
        services.document_add(tender=draft, actor=user("olivia"), upload=big)
    assert error.value.code == "file_size"
    assert not Document.objects.exists()


def test_it_serves_a_tender_document_to_the_public_only_once_published(
    draft: Tender, client: Any
) -> None:
    document = services.document_add(tender=draft, actor=user("olivia"), upload=_pdf())
    url = reverse("tenders:public_document", args=[draft.pk, document.pk])
    assert client.get(url).status_code == 404
    services.tender_publish(tender=draft, actor=user("olivia"))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="spec.pdf"')


def test_it_seals_bid_attachments_like_the_bid(
    published: Tender, client_for: Any, second_supplier: Any
) -> None:
    client_for("supplier").post(
        reverse("tenders:bid_document_add", args=[published.pk]), {"document": _pdf("plan.pdf")}
    )
    document = Document.objects.get()
    bid = document.bid
    assert bid is not None
    own = reverse("tenders:bid_document", args=[published.pk, document.pk])
    assert client_for("supplier").get(own).status_code == 200
    assert _client("rita").get(own).status_code == 404  # another supplier
    public = reverse("tenders:public_document", args=[published.pk, document.pk])
    assert _client("rita").get(public).status_code == 404
    buyer = reverse("tenders:bid_document_for_buyer", args=[published.pk, bid.pk, document.pk])
    assert client_for("officer").get(buyer).status_code == 404  # sealed
    assert client_for("supplier").get(buyer).status_code == 403
    move_deadline_to_past(published)
    late = _pdf("late.pdf")
    with pytest.raises(TenderError) as error:
        services.bid_document_add(
            tender=published, supplier=bid.supplier, actor=user("sam"), upload=late
        )
    assert error.value.code == "deadline_passed"


def test_it_opens_bid_attachments_with_the_bids(with_bids: Tender, client_for: Any) -> None:
    bid = with_bids.bids.get(supplier__slug="northgate")
    services.bid_withdraw(tender=with_bids, supplier=bid.supplier, actor=user("sam"))
    document = services.bid_document_add(
        tender=with_bids, supplier=bid.supplier, actor=user("sam"), upload=_pdf("plan.pdf")
    )
    services.bid_submit(tender=with_bids, supplier=bid.supplier, actor=user("sam"))
    move_deadline_to_past(with_bids)
    services.tender_close(tender=with_bids, actor=user("olivia"))
    url = reverse("tenders:bid_document_for_buyer", args=[with_bids.pk, bid.pk, document.pk])
    response = client_for("officer").get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client_for("other_org").get(url).status_code == 404
