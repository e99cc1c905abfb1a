"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public data folder beside the project (``../shared/data``).

    Set ``SOCIALVALUE_SHARED_DATA`` to use another place. Tests that need it are skipped, with the
    reason, when it is absent; the files are read in place and never copied into the repository.
    """
    path = Path(os.environ.get("SOCIALVALUE_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
    if not path.is_dir():
        pytest.skip(f"shared test data not found at {path} (set SOCIALVALUE_SHARED_DATA)")
    return path


# --- web fixtures ------------------------------------------------------------------------------

ROLE_USERNAMES = {
    "admin": "alice",
    "officer": "olivia",
    "evaluator": "evan",
    "contract_manager": "connie",
    "analyst": "anna",
    "coordinator": "cora",
}


@pytest.fixture
def city(db: None) -> Any:
    """A buyer organisation that coordinates a network, with one member per buyer role."""
    from tests.factories import MembershipFactory, NetworkFactory, OrganisationFactory

    organisation = OrganisationFactory(name="Kingsbridge City Council", slug="city")
    for role, username in ROLE_USERNAMES.items():
        MembershipFactory(organisation=organisation, role=role, user__username=username)
    network = NetworkFactory(coordinator=organisation)
    network.members.add(organisation)
    return organisation


@pytest.fixture
def county(db: None) -> Any:
    """Another buyer organisation: its objects must be invisible to the city's people."""
    from tests.factories import MembershipFactory, OrganisationFactory

    organisation = OrganisationFactory(name="Westshire County Council", slug="county")
    MembershipFactory(organisation=organisation, role="admin", user__username="carl")
    return organisation


@pytest.fixture
def supplier_org(db: None) -> Any:
    from tests.factories import MembershipFactory, OrganisationFactory

    organisation = OrganisationFactory(name="Northgate Catering", slug="northgate", kind="supplier")
    MembershipFactory(organisation=organisation, role="supplier", user__username="sam")
    return organisation


def _client_for(username: str) -> Any:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def client_for(city: Any, county: Any, supplier_org: Any) -> Any:
    """``client_for("admin")``: a signed-in client for the city member with that role.

    ``"supplier"`` signs in the supplier organisation's member and ``"other_org"`` the
    county's admin.
    """

    def make(role: str) -> Any:
        username = {"supplier": "sam", "other_org": "carl", **ROLE_USERNAMES}[role]
        return _client_for(username)

    return make


@pytest.fixture
def admin_client_city(client_for: Any) -> Any:
    return client_for("admin")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # PBKDF2's deliberate slowness protects real passwords and only slows tests down.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Delete the run's temporary var folder (made in tests/settings.py) when the run ends.

    Under pytest-xdist each worker removes its own sub-folder and the controller the whole one.
    """
    import shutil

    folder = Path(os.environ.get("SOCIALVALUE_VAR_DIR", ""))
    if folder.name.startswith("socialvalue-test-") or folder.parent.name.startswith(
        "socialvalue-test-"
    ):
        shutil.rmtree(folder, ignore_errors=True)
