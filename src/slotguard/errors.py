"""slotguard's own exceptions. Foreign ones (kiota, httpx, msal, SQLAlchemy) are
translated into these once, at the adapter that meets them, with ``raise ... from``."""

from __future__ import annotations


class SlotguardError(Exception):
    """Base of everything slotguard raises on purpose."""


class ConfigError(SlotguardError):
    """Bad settings or rules. ``problems`` are one-line messages naming the field and the fix."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class LedgerUnavailable(SlotguardError):
    """The ledger's database cannot be reached or used (server down, disk gone)."""


class GraphError(SlotguardError):
    """A Microsoft Graph call failed. ``code`` is Graph's error code when it gave one."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        self.status = status
        self.code = code
        super().__init__(message)


class TransientGraphError(GraphError):
    """Throttling (429), 503/504 or a network fault: worth retrying later."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code)
        self.retry_after = retry_after


class AuthError(GraphError):
    """The app could not get a token, or Graph refused the one it had. ``entra_code``: the
    AADSTS number Entra ID gave for a refused sign-in (7000222: the secret has expired)."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 entra_code: int | None = None) -> None:
        super().__init__(message, status=status, code=code)
        self.entra_code = entra_code


class MailboxUnavailable(GraphError):
    """The seller's mailbox cannot be used: ``reason`` is missing | access_denied (outside
    the app's access policy) | not_permitted (a permission the app lacks, or an Exchange
    RBAC scope) | not_found (no such user: never existed, or deleted)."""

    def __init__(self, message: str, *, reason: str, status: int | None = None,
                 code: str | None = None) -> None:
        super().__init__(message, status=status, code=code)
        self.reason = reason


class SyncStateExpired(GraphError):
    """A stored delta link is no longer valid: read the window in full again."""


class BadGraphData(GraphError):
    """Graph answered with data slotguard cannot use (missing fields, end before start...)."""
