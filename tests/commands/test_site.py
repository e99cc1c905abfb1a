from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from typer.testing import CliRunner

from socialvalue.commands import app
from socialvalue.exceptions import ConfigurationError
from socialvalue.web.accounts.models import Membership, Network, Organisation
from socialvalue.web.audit.services import audit_verify
from socialvalue.web.demo import ORGANISATIONS, USERS
from socialvalue.web.tenders.demo import EXTRA_USERS

runner = CliRunner()


def _run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    ours = {"SECRET_KEY", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "SOCIALVALUE_VAR_DIR"}
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    return subprocess.run(
        [sys.executable, "-m", "socialvalue", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_prints_the_version() -> None:
    from socialvalue import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"socialvalue {__version__}"


@pytest.mark.parametrize(
    "command", [[], ["init"], ["demo"], ["serve"], ["worker"], ["audit"], ["audit", "verify"]]
)
def test_it_has_help_for_every_command(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


@pytest.mark.django_db
def test_it_creates_the_first_admin_from_flags() -> None:
    result = runner.invoke(
        app,
        [
            "init",
            "--admin-username",
            "root",
            "--admin-email",
            "root@example.org",
            "--admin-password",
            "a-long-unusual-passphrase-42",
        ],
    )
    assert result.exit_code == 0, result.output
    user = get_user_model().objects.get(username="root")
    assert user.is_superuser
    assert user.check_password("a-long-unusual-passphrase-42")


@pytest.mark.django_db
def test_it_refuses_a_weak_admin_password() -> None:
    result = runner.invoke(
        app, ["init", "--admin-username", "root", "--admin-password", "password"]
    )
    assert result.exit_code != 0
    assert "Password not accepted" in str(result.exception)
    assert not get_user_model().objects.filter(username="root").exists()


@pytest.mark.django_db
def test_it_needs_a_username_when_not_interactive() -> None:
    result = runner.invoke(app, ["init"])
    assert isinstance(result.exception, ConfigurationError)
    assert "--admin-username" in str(result.exception)


@pytest.mark.django_db
def test_it_loads_the_demo_once() -> None:
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    counts = (Organisation.objects.count(), Membership.objects.count(), Network.objects.count())
    second = runner.invoke(app, ["demo"])
    assert second.exit_code == 0
    assert "nothing changed" in second.output
    assert counts == (
        Organisation.objects.count(),
        Membership.objects.count(),
        Network.objects.count(),
    )
    assert counts[0] == len(ORGANISATIONS)
    # The tender demo adds a second evaluator and a second supplier (web/tenders/demo.py).
    assert counts[1] == sum(len(user.memberships) for user in USERS) + len(EXTRA_USERS)
    for user in USERS:
        assert user.username in first.output
    assert audit_verify().ok


@pytest.mark.django_db
def test_it_gives_a_login_for_every_role() -> None:
    from socialvalue.web.accounts.models import Role

    runner.invoke(app, ["demo"])
    assert set(Membership.objects.values_list("role", flat=True)) == {r.value for r in Role}


def test_it_names_a_bad_setting_in_one_line(tmp_path: Path) -> None:
    result = _run_cli("demo", env={"DEBUG": "maybe"}, cwd=tmp_path)
    assert result.returncode == 1
    assert "DEBUG" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_it_names_a_missing_secret_key(tmp_path: Path) -> None:
    result = _run_cli("serve", env={"SOCIALVALUE_VAR_DIR": str(tmp_path)}, cwd=tmp_path)
    assert result.returncode == 1
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_refuses_to_serve_an_unmigrated_database(tmp_path: Path) -> None:
    env = {"SOCIALVALUE_VAR_DIR": str(tmp_path), "SECRET_KEY": "x" * 50}
    result = _run_cli("serve", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "socialvalue init" in result.stderr


def test_it_reports_an_unreachable_database(tmp_path: Path) -> None:
    env = {"SECRET_KEY": "x" * 50, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    result = _run_cli("init", "--no-admin", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_initialises_a_fresh_sqlite_database_end_to_end(tmp_path: Path) -> None:
    env = {"SOCIALVALUE_VAR_DIR": str(tmp_path / "var")}
    result = _run_cli(
        "init",
        "--admin-username",
        "root",
        "--admin-password",
        "a-long-unusual-passphrase-42",
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "var" / "secret_key").is_file()
    assert (tmp_path / "var" / "socialvalue.sqlite3").is_file()
    verify = _run_cli("audit", "verify", env=env, cwd=tmp_path)
    assert verify.returncode == 0, verify.stderr
    assert "1 events verified" in verify.stdout


def test_it_exits_with_a_usage_error_for_an_unknown_command(tmp_path: Path) -> None:
    result = _run_cli("bogus", env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert "No such command" in result.stderr
    assert "Traceback" not in result.stderr
