from __future__ import annotations

from pathlib import Path

import pytest

from socialvalue.config import Settings, ensure_secret_key
from socialvalue.exceptions import ConfigurationError


def test_it_reads_the_documented_variable_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SOCIALVALUE_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)  # CI's PostgreSQL run sets it
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example.org, b.example.org")
    monkeypatch.setenv("DEBUG", "yes")
    settings = Settings()
    assert settings.resolved_var_dir == tmp_path
    assert settings.allowed_hosts == ["a.example.org", "b.example.org"]
    assert settings.debug is True
    assert settings.cookies_secure is False
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'socialvalue.sqlite3'}"


def test_it_secures_cookies_unless_debugging(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECURE_COOKIES", raising=False)
    monkeypatch.delenv("DEBUG", raising=False)
    assert Settings().cookies_secure is True


@pytest.mark.parametrize("value", ["maybe", "2", "tru"])
def test_it_refuses_a_boolean_it_cannot_read(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    from pydantic import ValidationError

    monkeypatch.setenv("DEBUG", value)
    with pytest.raises(ValidationError, match="DEBUG must be true or false"):
        Settings()


def test_it_generates_a_secret_key_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SOCIALVALUE_VAR_DIR", str(tmp_path))
    settings = Settings()
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        settings.resolved_secret_key()
    written = ensure_secret_key(settings)
    assert written == tmp_path / "secret_key"
    assert oct(written.stat().st_mode & 0o777) == "0o600"
    key = settings.resolved_secret_key()
    assert len(key) >= 50
    assert ensure_secret_key(settings) is None
    assert settings.resolved_secret_key() == key


def test_it_reads_the_secret_key_from_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    (tmp_path / "key").write_text("from-a-file\n")
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "key"))
    assert Settings().resolved_secret_key() == "from-a-file"
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigurationError, match="SECRET_KEY_FILE"):
        Settings().resolved_secret_key()
