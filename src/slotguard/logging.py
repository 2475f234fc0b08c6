"""Logging: structlog for slotguard's own events, the same renderer for libraries' records.

Events have stable dotted names (``scan.seller_skipped``) and key-value context. Two
guarantees hold whatever a caller passes as context:

* personal data — meeting subjects, bodies, attendee and organizer addresses — is replaced
  by ``<redacted>`` unless ``SLOTGUARD_LOG_PERSONAL_DATA`` is set;
* secrets are never written: keys that name a secret, ``SecretStr`` values, and the
  configured secret values themselves wherever they appear in a rendered line.

Everything goes to stderr: stdout belongs to command output (tables, JSON reports).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Mapping
from typing import IO, TYPE_CHECKING, Any

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

if TYPE_CHECKING:
    from slotguard.config.settings import Settings

__all__ = ["PERSONAL_KEYS", "REDACTED", "SECRET", "SECRET_KEYS", "Redactor", "configure_logging"]

REDACTED = "<redacted>"
SECRET = "<secret>"

# Context keys whose values describe meetings or the people in them. Seller UPNs (``seller``)
# are operational data and stay: an operator must know whose calendar failed.
PERSONAL_KEYS = frozenset({
    "subject", "meeting", "meetings", "meeting_subject", "title", "meeting_title",
    "body", "body_preview", "location", "attendee", "attendees", "organizer",
    "customer", "customers", "participants", "web_link",
})
SECRET_KEYS = frozenset({
    "secret", "client_secret", "password", "client_certificate_password", "passphrase",
    "token", "access_token", "refresh_token", "id_token", "authorization",
    "client_assertion", "assertion", "private_key", "database_url",
})

# Libraries that log request URLs (which carry UPNs) or protocol chatter at INFO; Alembic
# announces its plugins and migration context on every command that opens the ledger.
_CHATTY = ("httpx", "httpcore", "msal", "urllib3", "kiota_http", "kiota_abstractions",
           "azure", "apscheduler", "alembic")
_MARK = "_slotguard_handler"


class Redactor:
    """A structlog processor that removes personal data and secrets from the event dict."""

    def __init__(self, personal_data: bool) -> None:
        self.personal_data = personal_data

    def __call__(self, _logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
        for key, value in event_dict.items():
            if key != "event":
                event_dict[key] = self._clean(key, value)
        return event_dict

    def _clean(self, key: str, value: Any) -> Any:
        name = key.lower()
        if name in SECRET_KEYS or hasattr(value, "get_secret_value"):
            return SECRET
        if not self.personal_data and name in PERSONAL_KEYS:
            return REDACTED
        if isinstance(value, Mapping):
            return {k: self._clean(str(k), v) for k, v in value.items()}
        if isinstance(value, list | tuple) and any(isinstance(v, Mapping) for v in value):
            return [self._clean(key, v) for v in value]
        return value


class _Scrub:
    """Last stage: no configured secret value survives in a rendered line, even inside an
    exception message or a URL a library logged."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def __call__(self, _logger: WrappedLogger, _method: str, rendered: Any) -> Any:
        if isinstance(rendered, str):
            for secret in self.secrets:
                rendered = rendered.replace(secret, SECRET)
        return rendered


def _secret_values(settings: Settings) -> list[str]:
    values = []
    for secret in (settings.client_secret, settings.client_certificate_password):
        if secret is not None:
            values.append(secret.get_secret_value())
    if settings.database_url is not None:
        from urllib.parse import urlsplit

        password = urlsplit(settings.database_url.get_secret_value()).password
        if password:
            values.append(password)
    return values


def configure_logging(
    format: str | Settings = "console",
    level: str = "info",
    personal_data: bool = False,
    *,
    secrets: Iterable[str] = (),
    stream: IO[str] | None = None,
) -> None:
    """Set up structlog and the standard library's root logger; safe to call again.

    ``configure_logging(settings)`` takes format, level, personal data and the secret
    values to scrub from ``Settings``.
    """
    if not isinstance(format, str):
        settings = format
        format, level = settings.log_format.value, settings.log_level.value
        personal_data = settings.log_personal_data
        secrets = [*secrets, *_secret_values(settings)]
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ValueError(f"log level {level!r}: use debug, info, warning or error")
    out = stream if stream is not None else sys.stderr

    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        Redactor(personal_data),
    ]
    if format == "json":
        renderer: list[Processor] = [structlog.processors.dict_tracebacks,
                                     structlog.processors.JSONRenderer()]
    elif format == "console":
        colors = hasattr(out, "isatty") and out.isatty()
        renderer = [structlog.dev.ConsoleRenderer(colors=colors)]
    else:
        raise ValueError(f"log format {format!r}: use console or json")

    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderer,
                    _Scrub(secrets)],
    )
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter)
    setattr(handler, _MARK, True)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in _CHATTY:
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))

    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        # Not cached: tests and a reconfiguring CLI must see the current configuration.
        cache_logger_on_first_use=False,
    )
