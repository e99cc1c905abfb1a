from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from socialvalue.web.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_it_shows_only_the_organisations_events(client_for: Any, city: Any, county: Any) -> None:
    audit_record(action="test.city", summary="city thing", organisation=city)
    audit_record(action="test.county", summary="county thing", organisation=county)
    html = client_for("admin").get(reverse("audit:log")).content.decode()
    assert "city thing" in html
    assert "county thing" not in html


def test_it_filters_by_kind_with_an_htmx_fragment(client_for: Any, city: Any) -> None:
    audit_record(action="auth.login", summary="someone signed in", organisation=city)
    audit_record(action="invitation.created", summary="someone invited", organisation=city)
    response = client_for("admin").get(
        reverse("audit:log"), {"action": "invitation."}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.strip().startswith('<div id="events">')
    assert "someone invited" in html
    assert "someone signed in" not in html


def test_it_ignores_an_unknown_filter(client_for: Any, city: Any) -> None:
    audit_record(action="auth.login", summary="someone signed in", organisation=city)
    response = client_for("admin").get(reverse("audit:log"), {"action": "bogus"})
    assert response.context["action"] == ""
    assert "someone signed in" in response.content.decode()


def test_it_refuses_post(client_for: Any) -> None:
    assert client_for("admin").post(reverse("audit:log")).status_code == 405
