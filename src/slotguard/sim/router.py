"""Graph request dispatch shared by plain HTTP requests and $batch items.

Handlers are plain functions of (context, request, path params) returning a response; they
run under the tenant lock, so they stay synchronous and quick. Paths are matched without the
"/v1.0" prefix and with repeated slashes collapsed (kiota sends "/v1.0//users/..." when the
base URL ends in "/").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from slotguard.sim import permissions
from slotguard.sim.graph_errors import GraphProblem

if TYPE_CHECKING:
    from slotguard.sim.context import SimContext

_SLASHES = re.compile(r"/{2,}")


def normalise_path(path: str) -> str:
    path = _SLASHES.sub("/", path)
    if path.lower().startswith("/v1.0"):
        path = path[5:]
    return "/" + path.strip("/")


@dataclass(slots=True)
class GraphRequest:
    method: str
    path: str  # normalised, without /v1.0
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: Any
    base_url: str  # "https://127.0.0.1:PORT/v1.0"
    # The application roles of the request's token (permissions.py); None for requests
    # that did not come with one.
    roles: frozenset[str] | None = None

    def url(self, query: dict[str, str] | None = None) -> str:
        q = self.query if query is None else query
        return f"{self.base_url}{self.path}" + (f"?{urlencode(q, safe='$:,()/')}" if q else "")

    def context_url(self, fragment: str) -> str:
        return f"{self.base_url}/$metadata#{fragment}"


@dataclass(slots=True)
class GraphResponse:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[..., GraphResponse]
_ROUTES: list[tuple[str, str, re.Pattern[str], Handler]] = []


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` for e.g. ("GET", "/users/{user}/calendarView"); segments in braces
    match one path segment, case-insensitively for the literal parts as Graph does."""
    regex = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(pattern)) + "$"
    compiled = re.compile(regex, re.IGNORECASE)

    def register(handler: Handler) -> Handler:
        _ROUTES.append((method, pattern, compiled, handler))
        return handler

    return register


def dispatch(ctx: SimContext, request: GraphRequest) -> GraphResponse:
    allowed = False
    for method, pattern, compiled, handler in _ROUTES:
        m = compiled.match(request.path)
        if m is None:
            continue
        allowed = True
        if method == request.method:
            permissions.require(method, pattern, request.roles)
            return handler(ctx, request, **m.groupdict())
    if allowed:
        raise GraphProblem(
            405,
            "Request_BadRequest",
            f"The HTTP method '{request.method}' is not allowed on this resource.",
        )
    if request.path.lower() == "/me" or request.path.lower().startswith("/me/"):
        raise GraphProblem(
            400, "BadRequest", "/me request is only valid with delegated authentication flow."
        )
    raise GraphProblem(
        400,
        "BadRequest",
        f"Resource not found for the segment '{request.path.strip('/').split('/')[-1]}'.",
    )


_MAILBOX_PATH = re.compile(
    r"^/users/([^/]+)/(calendarview|calendar|calendars|events|mailboxsettings|todo|sendmail|outlook|messages)",
    re.IGNORECASE,
)


def mailbox_key(path: str) -> str | None:
    """The user key (id or UPN) of the mailbox a request touches, for per-mailbox limits."""
    m = _MAILBOX_PATH.match(path)
    return m.group(1) if m else None


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> GraphResponse:
    return GraphResponse(status, body, headers or {})


def routes() -> list[tuple[str, str]]:
    """(method, pattern) of every registered route."""
    return [(method, pattern) for method, pattern, _, _ in _ROUTES]


def load_routes() -> None:
    """Import the route modules (they register themselves)."""
    from slotguard.sim import (  # noqa: F401
        routes_calendar,
        routes_delta,
        routes_directory,
        routes_events,
        routes_mail,
        routes_todo,
    )
