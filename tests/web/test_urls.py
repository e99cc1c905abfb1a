"""Every URL declares who may use it, and each role gets what the table says.

Modelled on datasette's permission table: one row per (URL, role) with the expected status.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Views anyone may reach without signing in. Adding to this list needs a reason.
PUBLIC_VIEWS = {
    "accounts:login",  # the sign-in page itself
    "accounts:accept_invitation",  # the invitee has no account yet
    "accounts:healthz",  # load balancer health check, says only "ok"
    "tenders:opportunities",  # public contract notices: anyone may read what is open for bids
    "tenders:opportunity",  # one notice, its criteria and published answers; never a bid
    "tenders:public_document",  # a published tender's own documents; never a draft's or a bid's
    "tenders:supplier_register",  # a small business with no account yet registers to bid
}
# Django's admin has its own staff-only checks and is for site administrators.
ALLOWED_NAMESPACES = {"admin"}


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", pattern.callback


def test_it_finds_the_views_it_walks() -> None:
    names = {name for name, _ in _walk(get_resolver().url_patterns)}
    assert {"accounts:dashboard", "accounts:team", "audit:log"} <= names


def test_it_requires_every_view_to_declare_a_permission() -> None:
    undeclared = []
    for name, callback in _walk(get_resolver().url_patterns):
        if name.split(":")[0] in ALLOWED_NAMESPACES:
            continue
        declared = getattr(callback, "required_permission", None)
        if getattr(callback, "view_class", None) is not None and declared is None:
            declared = getattr(callback.view_class, "required_permission", None)
        is_public = getattr(callback, "is_public", False)
        if is_public and name not in PUBLIC_VIEWS:
            undeclared.append(f"{name} is public but not on the public allowlist")
        elif not is_public and declared is None:
            undeclared.append(f"{name} declares no permission")
    assert undeclared == []


def test_it_keeps_public_views_public() -> None:
    callbacks = dict(_walk(get_resolver().url_patterns))
    for name in PUBLIC_VIEWS:
        assert getattr(callbacks[name], "login_required", True) is False, name


# (url name, kwargs) → expected GET status per role. 302 is the sign-in redirect.
ROLES = [
    "anonymous",
    "admin",
    "officer",
    "evaluator",
    "contract_manager",
    "analyst",
    "coordinator",
    "supplier",
]
MATRIX: dict[str, dict[str, int]] = {
    "accounts:dashboard": {"anonymous": 302, **{r: 200 for r in ROLES[1:]}},
    "accounts:switch_organisation": {"anonymous": 302, **{r: 200 for r in ROLES[1:]}},
    "accounts:account": {"anonymous": 302, **{r: 200 for r in ROLES[1:]}},
    "accounts:team": {"anonymous": 302, "admin": 200, **{r: 403 for r in ROLES[2:]}},
    "accounts:invite": {"anonymous": 302, "admin": 200, **{r: 403 for r in ROLES[2:]}},
    "accounts:network": {
        "anonymous": 302,
        **{r: 403 for r in ROLES[1:]},
        "coordinator": 200,
    },
    "audit:log": {"anonymous": 302, "admin": 200, **{r: 403 for r in ROLES[2:]}},
    "accounts:login": {"anonymous": 200},
    "frameworks:list": {"anonymous": 302, **{r: 200 for r in ROLES[1:]}, "supplier": 403},
    "frameworks:upload": {"anonymous": 302, "admin": 200, **{r: 403 for r in ROLES[2:]}},
    "frameworks:adopt": {"anonymous": 302, **{r: 405 for r in ROLES[1:]}},
    "accounts:healthz": {r: 200 for r in ROLES},
    "tenders:list": {
        "anonymous": 302,
        **{r: 403 for r in ROLES[1:]},
        "admin": 200,
        "officer": 200,
    },
    "tenders:create": {"anonymous": 302, **{r: 403 for r in ROLES[1:]}, "officer": 200},
    "tenders:evaluations": {"anonymous": 302, **{r: 403 for r in ROLES[1:]}, "evaluator": 200},
    "tenders:my_bids": {"anonymous": 302, **{r: 403 for r in ROLES[1:]}, "supplier": 200},
    "tenders:opportunities": {r: 200 for r in ROLES},
    "contracts:list": {
        "anonymous": 302,
        **{r: 403 for r in ROLES[1:]},
        "admin": 200,
        "officer": 200,
        "contract_manager": 200,
    },
    "contracts:supplier_list": {"anonymous": 302, **{r: 403 for r in ROLES[1:]}, "supplier": 200},
    "spend:list": {
        "anonymous": 302,
        **{r: 200 for r in ROLES[1:]},
        "evaluator": 403,
        "supplier": 403,
    },
    "spend:create": {
        "anonymous": 302,
        **{r: 403 for r in ROLES[1:]},
        "admin": 200,
        "analyst": 200,
    },
    "suppliers:list": {
        "anonymous": 302,
        **{r: 403 for r in ROLES[1:]},
        "admin": 200,
        "analyst": 200,
    },
}


@pytest.mark.parametrize(
    ("url_name", "role", "expected"),
    [(url, role, status) for url, row in MATRIX.items() for role, status in row.items()],
)
def test_it_gives_each_role_the_expected_status(
    client_for: Any, client: Any, url_name: str, role: str, expected: int
) -> None:
    from django.urls import reverse

    http = client if role == "anonymous" else client_for(role)
    response = http.get(reverse(url_name))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("accounts:login"))


def test_it_covers_every_argument_free_page_in_the_matrix() -> None:
    from django.urls import reverse

    missing = []
    for name, _ in _walk(get_resolver().url_patterns):
        if name.split(":")[0] in ALLOWED_NAMESPACES or name in MATRIX:
            continue
        try:
            reverse(name)
        except Exception:  # noqa: S112 - needs arguments: covered by its own view tests
            continue
        if name != "accounts:logout":  # POST only, tested in test_views_login
            missing.append(name)
    assert missing == []
