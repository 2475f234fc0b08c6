"""Everything that can be checked before slotguard touches Graph or the ledger — one path
for ``check-config`` and for ``scan``/``run``, so what check-config passes, a scan does not
reject later, and a scan with bad settings has created nothing on disk when it stops.

Nothing here writes: the state directory and the SQLite file are only looked at (do they
exist, are they writable, is the would-be parent writable).
"""

from __future__ import annotations

import os
import ssl
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from slotguard.config.rules import RulesFile
from slotguard.config.settings import ENV_PREFIX, Cloud, Settings
from slotguard.errors import ConfigError


def problems(settings: Settings, rules_file: RulesFile, *,
             need_credentials: bool) -> list[str]:
    """One line per problem. ``need_credentials``: missing credentials are a problem too
    (scan, run); check-config only shows them as incomplete."""
    found = _credential_problems(settings, need_credentials)
    found += _ca_bundle_problems(settings.ca_bundle)
    found += storage_problems(settings)
    if settings.cloud is Cloud.CHINA and rules_file.follow_up_enabled:
        found.append("follow_up.enabled: Microsoft To Do is not available with "
                     "SLOTGUARD_CLOUD=china; set enabled = false")
    return found


def require(settings: Settings, rules_file: RulesFile) -> None:
    """Raise ConfigError unless a scan can start (the check ``scan`` and ``run`` make)."""
    found = problems(settings, rules_file, need_credentials=True)
    if found:
        raise ConfigError(found)


def _credential_problems(settings: Settings, need_credentials: bool) -> list[str]:
    found = settings.credential_problems()
    if not need_credentials:
        # Not set at all is "incomplete" for check-config; contradictions are errors.
        found = [line for line in found if "not set;" not in line]
    if settings.client_certificate_path is not None and not found:
        from slotguard.graph.auth import load_certificate

        password = settings.client_certificate_password
        try:
            load_certificate(settings.client_certificate_path,
                             password.get_secret_value() if password else None)
        except ConfigError as error:
            found += error.problems
    return found


def _ca_bundle_problems(bundle: Path | None) -> list[str]:
    if bundle is None:
        return []
    try:
        ssl.create_default_context(cafile=str(bundle))
    except (ssl.SSLError, ValueError):
        return [f"{ENV_PREFIX}CA_BUNDLE: {bundle} holds no PEM certificates; give a file of "
                "-----BEGIN CERTIFICATE----- blocks"]
    except OSError as exc:
        return [f"{ENV_PREFIX}CA_BUNDLE: cannot read {bundle} ({exc.strerror}); check its "
                "permissions"]
    return []


def storage_problems(settings: Settings) -> list[str]:
    found = _writable_dir(settings.state_dir, f"{ENV_PREFIX}STATE_DIR")
    try:
        url = make_url(settings.database_url_resolved)
    except ArgumentError:
        return [*found, f"{ENV_PREFIX}DATABASE_URL: not a database URL; use sqlite:///PATH or "
                        "postgresql+psycopg://user@host/db"]
    if url.get_backend_name() != "sqlite":
        return found
    database = url.database or ""
    name = f"{ENV_PREFIX}DATABASE_URL" if settings.database_url else f"{ENV_PREFIX}STATE_DIR"
    if database in ("", ":memory:") or database.startswith("file::memory:"):
        return [*found, f"{ENV_PREFIX}DATABASE_URL: an in-memory SQLite database forgets "
                        "every write when the process ends; give a file, sqlite:///PATH"]
    path = Path(database).expanduser()
    if path.is_dir():
        return [*found, f"{name}: {path} is a directory; the ledger must be a file"]
    if path.exists() and not os.access(path, os.R_OK | os.W_OK, effective_ids=True):
        found.append(f"{name}: {path} is read-only for this user; let slotguard write it "
                     "(chmod u+rw) or run as its owner")
    if path.parent != settings.state_dir:
        # SQLite writes its -wal and -shm files beside the database.
        found += _writable_dir(path.parent, name, create=not path.exists())
    return found


def _writable_dir(path: Path, name: str, *, create: bool = True) -> list[str]:
    """A directory slotguard can write in, or (``create``) one it can make."""
    if path.exists():
        if not path.is_dir():
            return [f"{name}: {path} is a file, not a directory; point it at a directory"]
        if not os.access(path, os.W_OK | os.X_OK, effective_ids=True):
            return [f"{name}: {path} is not writable for this user; fix its permissions or "
                    "choose another directory"]
        return []
    if not create:
        return [f"{name}: {path} does not exist"]
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK, effective_ids=True):
        return [f"{name}: {path} cannot be created ({parent} is not a writable directory); "
                "create it or choose another directory"]
    return []
