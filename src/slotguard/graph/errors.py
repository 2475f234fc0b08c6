"""Foreign failures (kiota ODataError/APIError, httpx, msal) become slotguard's own, here
and nowhere else. Branching is on Graph's error ``code``, never on its message, except for
the one denial Graph only tells apart by message (application access policy)."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import Any

import httpx
from kiota_abstractions.api_error import APIError

from slotguard.errors import (
    AuthError,
    BadGraphData,
    GraphError,
    MailboxUnavailable,
    SlotguardError,
    SyncStateExpired,
    TransientGraphError,
)


class Target(Enum):
    """What the failed request addressed: the same 404 means different things."""

    MAILBOX = "mailbox"  # anything under /users/{upn}/...
    DIRECTORY = "directory"  # /groups/...
    ANY = "any"


class ItemNotFound(GraphError):
    """404 ErrorItemNotFound: the item (event, task) is already gone. Callers that delete
    or look up treat it as done; it never reaches the service layer."""


TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
_MAILBOX_MISSING = frozenset({"mailboxnotenabledforrestapi", "mailboxnotfound"})
_USER_GONE = frozenset(
    {"errorinvaliduser", "resourcenotfound", "request_resourcenotfound", "errornonexistentmailbox"}
)
_SYNC_EXPIRED = frozenset({"syncstatenotfound", "resyncrequired", "syncstateinvalid"})
_ITEM_GONE = frozenset({"erroritemnotfound", "itemnotfound"})


def translate(exc: BaseException, *, target: Target = Target.ANY, who: str = "") -> SlotguardError:
    """The slotguard error for ``exc``; ``who`` (a UPN or group id) goes into messages."""
    if isinstance(exc, SlotguardError):
        return exc
    if isinstance(exc, APIError):
        return _from_api_error(exc, target, who)
    if isinstance(exc, httpx.TimeoutException):
        return TransientGraphError(f"Graph did not answer in time ({type(exc).__name__})")
    if isinstance(exc, httpx.TransportError):
        return TransientGraphError(f"cannot reach Graph: {type(exc).__name__}: {exc}")
    return GraphError(f"unexpected failure talking to Graph: {type(exc).__name__}: {exc}")


def _from_api_error(exc: APIError, target: Target, who: str) -> SlotguardError:
    code, message = _code_and_message(exc)
    return classify(exc.response_status_code, code, message, exc.response_headers,
                    target=target, who=who)


def classify(
    status: int | None,
    code: str | None,
    message: str,
    headers: Any = None,
    *,
    target: Target = Target.ANY,
    who: str = "",
) -> SlotguardError:
    """The slotguard error for a failed Graph response, whether it came back on its own
    or as one item of a $batch."""
    lcode = (code or "").lower()
    where = f" for {who}" if who else ""
    text = f"Graph {status} {code or 'error'}{where}: {message}"
    if status is not None and status in TRANSIENT_STATUSES:
        return TransientGraphError(
            text, status=status, code=code, retry_after=retry_after(headers)
        )
    if status == 410 or lcode in _SYNC_EXPIRED:
        return SyncStateExpired(text, status=status, code=code)
    if status == 401:
        return AuthError(
            f"Graph refused the app's token{where} ({code or 'InvalidAuthenticationToken'}):"
            f" {message}. Check admin consent and the app's credentials.",
            status=status,
            code=code,
        )
    if lcode in _ITEM_GONE:
        return ItemNotFound(text, status=status, code=code)
    if target is Target.MAILBOX:
        if lcode in _MAILBOX_MISSING:
            return MailboxUnavailable(text, reason="missing", status=status, code=code)
        if status == 404 and (lcode in _USER_GONE or not code):
            # Graph cannot tell a user that never existed from a deleted one.
            return MailboxUnavailable(text, reason="not_found", status=status, code=code)
        if status == 403 and lcode == "erroraccessdenied":
            return MailboxUnavailable(text, reason=denial_reason(message), status=status,
                                      code=code)
    if status == 403:
        return AuthError(
            f"{text}. The app lacks a permission or admin consent.", status=status, code=code
        )
    if status is not None and 200 <= status < 300:
        return BadGraphData(text, status=status, code=code)
    return GraphError(text, status=status, code=code)


# The application access policy's denial (concepts/auth-limit-mailbox-access, its sample
# response); Graph gives the same code for a call the token's roles do not cover ("Access
# is denied. Check credentials and try again."), and only the message tells them apart.
_POLICY_DENIAL = "access to odata is disabled"


def denial_reason(message: str) -> str:
    """``access_denied`` for a mailbox outside the app's access policy, ``not_permitted``
    for any other 403 ErrorAccessDenied: a permission the token lacks, or an Exchange RBAC
    for Applications scope that leaves the mailbox out (Microsoft does not document the
    answer of the latter)."""
    return "access_denied" if _POLICY_DENIAL in message.lower() else "not_permitted"


def _code_and_message(exc: APIError) -> tuple[str | None, str]:
    main: Any = getattr(exc, "error", None)  # ODataError.error is a MainError
    if main is not None:
        return getattr(main, "code", None), getattr(main, "message", None) or ""
    return None, exc.message or "no error body"


def retry_after(headers: Any, *, now: float | None = None) -> float | None:
    """Retry-After in seconds as a float ("2.128" is a documented value), or from an HTTP
    date; None when absent or unreadable."""
    if not headers:
        return None
    if isinstance(headers, dict):  # $batch item headers: a plain, case-sensitive dict
        headers = {str(k).lower(): v for k, v in headers.items()}
    value = headers.get("retry-after") if hasattr(headers, "get") else None
    if value is None:
        return None
    text = str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
