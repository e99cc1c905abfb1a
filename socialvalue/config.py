"""Settings read from the environment, shared by the web app and the CLI.

Names are the plain environment variables a deployer expects (``DATABASE_URL``, ``SECRET_KEY``,
``ALLOWED_HOSTS``, ``DEBUG``). Secrets may also come from ``<NAME>_FILE``. Every problem is
reported as a :class:`~socialvalue.exceptions.ConfigurationError` naming the setting.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from socialvalue.exceptions import ConfigurationError

SECRET_KEY_FILENAME = "secret_key"  # noqa: S105 - a file name, not a secret


def _parse_bool(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes", "on"}:
        return True
    if text in {"false", "0", "no", "off", ""}:
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


class Settings(BaseSettings):
    """Deployment settings.

    Attributes
    ----------
    debug
        ``DEBUG``: show tracebacks and relax cookie security. Off unless asked for.
    var_dir
        ``SOCIALVALUE_VAR_DIR``: where the SQLite database and the generated secret key live.
    database_url
        ``DATABASE_URL``: ``sqlite:///path`` or ``postgresql://user@host:port/name``. Defaults to
        SQLite in ``var_dir``.
    secret_key
        ``SECRET_KEY`` (or ``SECRET_KEY_FILE``). When unset, the key ``socialvalue init`` wrote
        to ``var_dir/secret_key`` is used.
    allowed_hosts
        ``ALLOWED_HOSTS``: comma-separated host names.
    secure_cookies
        ``SECURE_COOKIES``: send session and CSRF cookies over HTTPS only.
        Defaults to ``not debug``.
    """

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    debug: bool = False
    var_dir: Path = Field(default=Path("var"), validation_alias="SOCIALVALUE_VAR_DIR")
    database_url: str = ""
    secret_key: str = ""
    allowed_hosts: Annotated[list[str], NoDecode] = ["127.0.0.1", "localhost"]
    csrf_trusted_origins: Annotated[list[str], NoDecode] = []
    secure_cookies: bool | None = None
    time_zone: str = "Europe/London"
    docs_url: str = "https://github.com/social-value-toolkit/socialvalue/tree/main/docs"
    login_failure_limit: int = 5
    login_failure_window_minutes: int = 15
    invitation_valid_days: int = 7

    @field_validator("debug", "secure_cookies", mode="before")
    @classmethod
    def _strict_bool(cls, value: object, info: object) -> bool | None:
        if value is None:
            return None
        return _parse_bool(getattr(info, "field_name", "setting").upper(), value)

    @field_validator("allowed_hosts", "csrf_trusted_origins", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> list[str]:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return list(value)  # type: ignore[call-overload]

    @classmethod
    def environment_names(cls) -> dict[str, str]:
        """Field name → the environment variable that sets it (for docs and their test)."""
        return {
            name: str(field.validation_alias or name).upper()
            for name, field in cls.model_fields.items()
        }

    @property
    def resolved_var_dir(self) -> Path:
        return self.var_dir.expanduser().resolve()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_var_dir / 'socialvalue.sqlite3'}"

    @property
    def cookies_secure(self) -> bool:
        return (not self.debug) if self.secure_cookies is None else self.secure_cookies

    def resolved_secret_key(self) -> str:
        """The secret key from the environment, a ``*_FILE``, or the one ``init`` generated."""
        if self.secret_key:
            return self.secret_key
        key_file = os.environ.get("SECRET_KEY_FILE")
        if key_file:
            try:
                return Path(key_file).read_text().strip()
            except OSError as error:
                raise ConfigurationError(
                    f"SECRET_KEY_FILE points to {key_file}, which cannot be read ({error.strerror})"
                ) from error
        generated = self.resolved_var_dir / SECRET_KEY_FILENAME
        if generated.is_file():
            return generated.read_text().strip()
        raise ConfigurationError(
            "SECRET_KEY is not set: set the SECRET_KEY environment variable, "
            "or run `socialvalue init` to generate one in " + str(generated)
        )


def ensure_secret_key(settings: Settings) -> Path | None:
    """Write a random secret key to ``var_dir/secret_key`` unless one is configured already.

    Returns the path written, or ``None`` when nothing was needed.
    """
    if settings.secret_key or os.environ.get("SECRET_KEY_FILE"):
        return None
    path = settings.resolved_var_dir / SECRET_KEY_FILENAME
    if path.is_file():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secrets.token_urlsafe(50))
    path.chmod(0o600)
    return path


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the settings once, turning validation errors into a one-line message."""
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "setting"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigurationError(f"{name} is not valid: {message}") from None
