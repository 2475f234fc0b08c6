"""Graph's error body and the problems handlers raise to produce it.

Shape (learn.microsoft.com/graph/errors):
{"error": {"code", "message", "innerError": {"date", "request-id", "client-request-id"}}}
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


class GraphProblem(Exception):
    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_body(code: str, message: str, request_id: str, client_request_id: str) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request_id,
                "client-request-id": client_request_id,
            },
        }
    }


def not_found(what: str = "The specified object was not found in the store.") -> GraphProblem:
    return GraphProblem(404, "ErrorItemNotFound", what)


def bad_request(code: str, message: str) -> GraphProblem:
    return GraphProblem(400, code, message)


def invalid_user(key: str) -> GraphProblem:
    return GraphProblem(404, "ErrorInvalidUser", f"The requested user '{key}' is invalid.")


def mailbox_not_enabled() -> GraphProblem:
    return GraphProblem(
        404,
        "MailboxNotEnabledForRESTAPI",
        "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
    )


def access_denied() -> GraphProblem:
    return GraphProblem(403, "ErrorAccessDenied", "Access to OData is disabled.")


def throttled(retry_after: float, message: str) -> GraphProblem:
    return GraphProblem(
        429, "ApplicationThrottled", message, {"Retry-After": _seconds(retry_after)}
    )


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.3f}".rstrip("0")
