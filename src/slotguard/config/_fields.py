"""Validators of single settings, each failing with the wording of a one-line problem."""

from __future__ import annotations

import ipaddress
import os
import uuid
from pathlib import Path

from pydantic import SecretStr

from slotguard.config._validation import fail, shown
from slotguard.config.clouds import https_root


def graph_url(value: str | None) -> str | None:
    return https_root(value, strip_version=True, example="https://graph.microsoft.com")


def authority_url(value: str | None) -> str | None:
    return https_root(value, strip_version=False, example="https://login.microsoftonline.com")


def guid(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        raise fail(
            f"must be a GUID such as 5b8e9c21-6d4f-4a3b-8e7d-2c1b0a9f8e7d (got {shown(value)})"
        ) from None


def tenant(value: str | None) -> str | None:
    """A tenant is its GUID or one of its verified domains (contoso.onmicrosoft.com)."""
    if value is None:
        return None
    text = value.strip().lower()
    try:
        return str(uuid.UUID(text))
    except ValueError:
        pass
    if text in {"common", "organizations", "consumers"}:
        raise fail(f"must name one tenant; {text!r} cannot use app-only access")
    labels = text.split(".")
    if len(labels) >= 2 and all(label and label.replace("-", "").isalnum() for label in labels):
        return text
    raise fail(
        "must be the directory (tenant) id, a GUID, or a verified domain such as "
        f"contoso.onmicrosoft.com (got {shown(value)})"
    )


def existing_file(value: Path | None) -> Path | None:
    if value is None:
        return None
    path = value.expanduser()
    try:
        found = path.is_file()
    except OSError as exc:  # a folder on the way this user may not enter
        raise fail(f"cannot read {path} ({exc.strerror}); make it readable for the user "
                   "slotguard runs as (under systemd: LoadCredential=)") from None
    if not found:
        raise fail(f"no such file: {path}; give the path of an existing file")
    return path


def database_url(value: SecretStr | None) -> SecretStr | None:
    # The URL may carry a password, so the message never repeats it.
    if value is None:
        return None
    scheme = value.get_secret_value().partition("://")[0]
    if not scheme or "://" not in value.get_secret_value():
        raise fail("must be an SQLAlchemy URL such as sqlite:///state/slotguard.db or "
                   "postgresql+psycopg://user@host/slotguard")
    dialect = scheme.partition("+")[0].lower()
    if dialect not in {"sqlite", "postgresql"}:
        raise fail(f"must use sqlite or postgresql (got {dialect!r})")
    return value


def default_state_dir() -> Path:
    """The platform's state directory for the user (``~/.local/state/slotguard`` on
    Linux): absolute, so the ledger never depends on the working directory."""
    import platformdirs

    return Path(platformdirs.user_state_dir("slotguard", appauthor=False))


def state_dir(value: Path) -> Path:
    """Made absolute once, when the settings are read: a relative SLOTGUARD_STATE_DIR means
    the directory it names from where slotguard was started, and nothing later moves it."""
    path = Path(os.path.abspath(value.expanduser()))
    if path.exists() and not path.is_dir():
        raise fail(f"{path} is a file, not a directory; point it at a directory "
                   "(it is created when missing)")
    return path


def listen_address(value: str) -> str:
    """``host:port`` for the daemon's HTTP endpoints; an IPv6 host goes in brackets
    (``[::1]:9180``), as in a URL. Returned as given, without surrounding blanks."""
    text = value.strip()
    example = "host:port such as 127.0.0.1:9180, 0.0.0.0:9180 or [::1]:9180"
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise fail(f"must be {example} (port 1-65535; got {shown(value)})")
    if host.startswith("[") and host.endswith("]"):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise fail(f"{host} is not an IPv6 address; use {example}") from None
    elif not _host_name(host):
        raise fail(f"{host!r} is not an IPv4 address or host name (an IPv6 address goes in "
                   f"brackets); use {example}")
    return text


def _host_name(host: str) -> bool:
    try:
        ipaddress.IPv4Address(host)
        return True
    except ValueError:
        pass
    labels = host.split(".")
    if all(label.isdigit() for label in labels):
        return False  # a mistyped IPv4 address, not a name
    return all(label and len(label) <= 63 and label.replace("-", "").isalnum()
               and label.isascii() and not label.startswith("-") for label in labels)
