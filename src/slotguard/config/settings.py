"""Environment settings (``SLOTGUARD_*``, also read from ``.env``), validated up front.

Everything an operator sets per deployment lives here: which tenant and cloud, how to
authenticate, where state goes, how hard to push Graph. What the business decided (teams,
blocks, policy) lives in the rules file instead (``config.rules``).

Secrets are ``SecretStr`` and the model hides input values in its own error text, so a
secret cannot leak through a repr, a log line or a validation message. Under systemd a
setting can also come from a credential (``LoadCredential=``): a file in
``$CREDENTIALS_DIRECTORY`` named like its variable, readable by the service's own user even
when that user is a ``DynamicUser``.
"""

from __future__ import annotations

import contextlib
import difflib
import os
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from dotenv import dotenv_values
from pydantic import AfterValidator, Field, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SecretsSettingsSource,
    SettingsConfigDict,
)

from slotguard.config import _fields as check
from slotguard.config._validation import choice, describe
from slotguard.config.clouds import CLOUDS, GRAPH_VERSION, Cloud, CloudEndpoints
from slotguard.errors import ConfigError

__all__ = [
    "CLOUDS", "ENV_PREFIX", "Cloud", "CloudEndpoints", "LogFormat", "LogLevel", "Settings",
    "credentials_dir", "load_settings", "settings_from", "settings_problems",
    "unknown_variables",
]

ENV_PREFIX = "SLOTGUARD_"
# Set by systemd for a unit with LoadCredential=/SetCredential= (systemd.exec(5),
# "Credentials"); https://systemd.io/CREDENTIALS/
CREDENTIALS_VARIABLE = "CREDENTIALS_DIRECTORY"


class LogFormat(StrEnum):
    CONSOLE = "console"
    JSON = "json"


class LogLevel(StrEnum):
    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


def credentials_dir() -> Path | None:
    """The service's credentials directory, when the service manager gave it one."""
    value = os.environ.get(CREDENTIALS_VARIABLE)
    if not value or not Path(value).is_dir():
        return None
    return Path(value)


class _CredentialFiles(SecretsSettingsSource):
    """Settings from credential files, read after the environment and ``.env`` (which win).
    A file that cannot be read is one problem line naming it, not a traceback."""

    def __call__(self) -> dict[str, Any]:
        self._problems: list[str] = []
        values = super().__call__()
        if self._problems:
            raise ConfigError(self._problems)
        return values

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        name = f"{ENV_PREFIX}{field_name.upper()}"
        try:
            return super().get_field_value(field, field_name)
        except UnicodeDecodeError:
            self._problems.append(f"{name}: the credential file in ${CREDENTIALS_VARIABLE} is "
                                  "not UTF-8 text; write the value as plain text")
        except OSError as exc:
            self._problems.append(f"{name}: cannot read the credential file in "
                                  f"${CREDENTIALS_VARIABLE} ({exc.strerror}); check its "
                                  "LoadCredential= line")
        return None, field_name, False


GraphUrl = Annotated[str | None, AfterValidator(check.graph_url)]
AuthorityUrl = Annotated[str | None, AfterValidator(check.authority_url)]
ExistingFile = Annotated[Path | None, AfterValidator(check.existing_file)]


class Settings(BaseSettings):
    """Deployment settings. Construct through ``load_settings`` to get one-line problems."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        case_sensitive=False,
        env_ignore_empty=True,  # ".env.example" copied as-is leaves secrets empty = unset
        extra="ignore",
        frozen=True,
        hide_input_in_errors=True,
    )

    tenant_id: Annotated[str | None, AfterValidator(check.tenant)] = None
    client_id: Annotated[str | None, AfterValidator(check.guid)] = None
    client_secret: SecretStr | None = None
    client_certificate_path: ExistingFile = None
    client_certificate_password: SecretStr | None = None
    cloud: Annotated[Cloud, choice(Cloud)] = Cloud.GLOBAL
    graph_url: GraphUrl = None
    authority_url: AuthorityUrl = None
    ca_bundle: ExistingFile = None
    database_url: Annotated[SecretStr | None, AfterValidator(check.database_url)] = None
    state_dir: Annotated[Path, AfterValidator(check.state_dir)] = Field(
        default_factory=check.default_state_dir)
    rules_file: Path = Path("slotguard.toml")
    log_format: Annotated[LogFormat, choice(LogFormat)] = LogFormat.CONSOLE
    log_level: Annotated[LogLevel, choice(LogLevel)] = LogLevel.INFO
    log_personal_data: bool = False
    dry_run: bool = False
    scan_interval_seconds: int = Field(300, ge=30, le=86_400)
    concurrency: int = Field(32, ge=1, le=512)
    # Exchange Online allows 4 concurrent requests per app and mailbox.
    mailbox_concurrency: int = Field(4, ge=1, le=4)
    http_timeout_seconds: float = Field(30.0, gt=0, le=600)
    retry_max_attempts: int = Field(5, ge=1, le=20)
    retry_max_wait_seconds: float = Field(60.0, gt=0, le=3600)
    lease_seconds: int = Field(120, ge=10, le=86_400)
    # None: a stable id per host and state directory (service/identity.py).
    replica_id: str | None = Field(None, min_length=1, max_length=200)
    # The daemon's /healthz, /readyz and /metrics. Loopback unless asked: the container
    # image and the Kubernetes manifests set 0.0.0.0:9180 for probes and Prometheus.
    http_listen: Annotated[str, AfterValidator(check.listen_address)] = "127.0.0.1:9180"

    given_only: ClassVar[bool] = False  # _GivenOnly: no environment, .env or credentials

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        if cls.given_only:
            return (init_settings,)
        # The directory is looked up per construction: it is the process's environment
        # at the time, as for every other setting.
        return (init_settings, env_settings, dotenv_settings,
                _CredentialFiles(settings_cls, secrets_dir=credentials_dir()))

    @property
    def http_host(self) -> str:
        """The host part of ``http_listen``, an IPv6 address without its brackets."""
        return self.http_listen.rpartition(":")[0].removeprefix("[").removesuffix("]")

    @property
    def http_port(self) -> int:
        return int(self.http_listen.rpartition(":")[2])

    @property
    def endpoints(self) -> CloudEndpoints:
        return CLOUDS[self.cloud]

    @property
    def graph_root(self) -> str:
        """Graph without version, e.g. ``https://graph.microsoft.com``."""
        return self.graph_url or self.endpoints.graph_root

    @property
    def graph_base_url(self) -> str:
        """What the SDK's request adapter uses as ``base_url`` (no trailing "/")."""
        return f"{self.graph_root}/{GRAPH_VERSION}"

    @property
    def graph_host(self) -> str:
        """Bare host name, as kiota's ``AllowedHostsValidator`` wants it (no scheme, no port)."""
        host = urlsplit(self.graph_root).hostname
        assert host is not None  # guaranteed by _https_root and the cloud table
        return host

    @property
    def graph_scope(self) -> str:
        return f"{self.graph_root}/.default"

    @property
    def authority_host(self) -> str:
        return self.authority_url or self.endpoints.authority_host

    @property
    def authority(self) -> str:
        """msal's authority: host + "/" + tenant."""
        if self.tenant_id is None:
            raise ConfigError([_missing("TENANT_ID", "the directory (tenant) id of the app")])
        return f"{self.authority_host}/{self.tenant_id}"

    @property
    def database_url_resolved(self) -> str:
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{(self.state_dir / 'slotguard.db').as_posix()}"

    @property
    def database_url_display(self) -> str:
        """The database URL with any password masked, for humans and logs."""
        parts = urlsplit(self.database_url_resolved)
        if parts.password is None:
            return self.database_url_resolved
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        return urlunsplit(parts._replace(netloc=netloc))

    @property
    def credential_kind(self) -> str | None:
        """``"secret"``, ``"certificate"`` or None (not configured or ambiguous)."""
        if self.client_secret is not None and self.client_certificate_path is None:
            return "secret"
        if self.client_certificate_path is not None and self.client_secret is None:
            return "certificate"
        return None

    def credential_problems(self) -> list[str]:
        """Why an app-only token cannot be requested with these settings (empty: it can)."""
        problems: list[str] = []
        if self.tenant_id is None:
            problems.append(_missing("TENANT_ID", "the directory (tenant) id of the app"))
        if self.client_id is None:
            problems.append(_missing("CLIENT_ID", "the application (client) id"))
        has_secret = self.client_secret is not None
        has_cert = self.client_certificate_path is not None
        if has_secret and has_cert:
            problems.append(
                f"{ENV_PREFIX}CLIENT_SECRET: set either it or {ENV_PREFIX}CLIENT_CERTIFICATE_PATH,"
                " not both; remove one"
            )
        elif not has_secret and not has_cert:
            problems.append(
                f"{ENV_PREFIX}CLIENT_SECRET: not set; set it or {ENV_PREFIX}CLIENT_CERTIFICATE_PATH"
                " (a PEM or PFX file) so the app can sign in"
            )
        if self.client_certificate_password is not None and not has_cert:
            problems.append(
                f"{ENV_PREFIX}CLIENT_CERTIFICATE_PASSWORD: set without "
                f"{ENV_PREFIX}CLIENT_CERTIFICATE_PATH; set the path or remove the password"
            )
        return problems

    def require_credentials(self) -> None:
        """Raise ConfigError unless the app can authenticate (what ``scan`` needs)."""
        problems = self.credential_problems()
        if problems:
            raise ConfigError(problems)


_SECRET_FIELDS = frozenset({"client_secret", "client_certificate_password", "database_url"})


def _missing(name: str, what: str) -> str:
    return f"{ENV_PREFIX}{name}: not set; set it to {what}"


def settings_problems(exc: ValidationError) -> list[str]:
    """One line per error, named by environment variable; secret inputs are never echoed."""
    lines = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        where = f"{ENV_PREFIX}{field.upper()}" if field else "settings"
        lines.append(f"{where}: {describe(error, show_input=field not in _SECRET_FIELDS)}")
    return lines


def unknown_variables(environ: Mapping[str, str] | None = None,
                      env_file: Path | None = Path(".env"),
                      credentials: Path | None = None) -> list[str]:
    """``SLOTGUARD_*`` names in the environment, ``.env`` or the credentials directory
    (default: ``$CREDENTIALS_DIRECTORY``) that are not settings: typos that would otherwise
    be ignored silently. ``SLOTGUARD_TEST_*`` belongs to the test suite."""
    names = set(os.environ if environ is None else environ)
    if env_file is not None and env_file.is_file():
        # An unreadable .env is load_settings' problem to report.
        with contextlib.suppress(OSError, UnicodeDecodeError):
            names |= set(dotenv_values(env_file))
    folder = credentials if credentials is not None else credentials_dir()
    if folder is not None:
        with contextlib.suppress(OSError):
            names |= {entry.name for entry in folder.iterdir()}
    known = {f"{ENV_PREFIX}{field.upper()}" for field in Settings.model_fields}
    lines = []
    for name in sorted(n.upper() for n in names):
        if not name.startswith(ENV_PREFIX) or name in known or name.startswith("SLOTGUARD_TEST_"):
            continue
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {close[0]}?" if close else "see docs/configuration.md"
        lines.append(f"{name}: not a slotguard setting and ignored; {hint}")
    return lines


class _GivenOnly(Settings):
    """Settings from the values given, nothing from the environment, ``.env`` or
    credentials (the demo's: its own tenant, whatever the operator has set)."""

    given_only: ClassVar[bool] = True


def settings_from(variables: Mapping[str, str]) -> Settings:
    """Settings from ``SLOTGUARD_*`` variables alone, as if they were the whole
    environment; ConfigError with one line per problem."""
    values: dict[str, Any] = {name.removeprefix(ENV_PREFIX).lower(): value
              for name, value in variables.items() if name.startswith(ENV_PREFIX)}
    try:
        return _GivenOnly(**values)
    except ValidationError as exc:
        raise ConfigError(settings_problems(exc)) from None


def load_settings(**overrides: Any) -> Settings:
    """Read the environment and ``.env``; ``overrides`` (field names) win over both.

    Raises ``ConfigError`` with one line per problem. Credentials are not required here:
    call ``require_credentials()`` where Graph is used.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        # ``from None``: the pydantic error stays out of tracebacks and logs.
        raise ConfigError(settings_problems(exc)) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([f".env: byte {exc.start} is not UTF-8; save the file as UTF-8"]
                          ) from None
    except OSError as exc:
        raise ConfigError([f".env: cannot read it ({exc.strerror}); check its permissions"]
                          ) from None
