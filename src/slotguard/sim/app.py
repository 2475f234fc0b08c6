"""The simulator's ASGI application: Entra ID endpoints, Graph v1.0 and /_sim/ admin."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import msgspec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from slotguard.sim import admin, auth
from slotguard.sim.batch import run_batch
from slotguard.sim.context import SimContext
from slotguard.sim.graph_errors import GraphProblem
from slotguard.sim.pipeline import problem_response, serve
from slotguard.sim.router import GraphRequest, GraphResponse, load_routes, normalise_path
from slotguard.sim.tokens import TokenRejected

_JSON_TYPE = (
    "application/json; odata.metadata=minimal; odata.streaming=true; "
    "IEEE754Compatible=false; charset=utf-8"
)
_WWW_AUTH = (
    'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/'
    'oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"'
)
_SLASHES = re.compile(r"/{2,}")


class CollapseSlashes:
    """kiota joins a base URL ending in "/" with "/users/..." into "/v1.0//users/...";
    Graph tolerates it, so the simulator routes on the collapsed path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "//" in scope["path"]:
            scope = dict(scope)
            scope["sim.received_path"] = scope["path"]
            scope["path"] = _SLASHES.sub("/", scope["path"])
            scope["raw_path"] = _SLASHES.sub("/", scope["path"]).encode()
        await self.app(scope, receive, send)


def _to_http(response: GraphResponse) -> Response:
    headers = dict(response.headers)
    if response.body is None:
        return Response(status_code=response.status, headers=headers)
    content = msgspec.json.encode(response.body)
    headers["Content-Type"] = _JSON_TYPE
    return Response(content, status_code=response.status, headers=headers)


def graph_endpoint(ctx: SimContext) -> Callable[[Request], Any]:
    async def handle(request: Request) -> Response:
        headers = {k.lower(): v for k, v in request.headers.items()}
        raw = await request.body()
        request_id = str(uuid.uuid4())
        client_request_id = headers.get("client-request-id") or request_id
        path = normalise_path(request.url.path)
        base_url = f"{request.url.scheme}://{request.url.netloc}/v1.0"
        try:
            body = msgspec.json.decode(raw) if raw.strip() else None
        except msgspec.DecodeError:
            body = None
            if request.method in ("POST", "PATCH", "PUT"):
                return _to_http(
                    problem_response(
                        GraphProblem(
                            400,
                            "BadRequest",
                            "Unable to read JSON request payload. Please ensure Content-Type "
                            "header is set and payload is of valid JSON format.",
                        ),
                        request_id,
                        client_request_id,
                    )
                )
        req = GraphRequest(
            request.method, path, dict(request.query_params), headers, body, base_url
        )
        try:
            req.roles = frozenset(ctx.tokens.verify(headers.get("authorization")).roles)
        except TokenRejected as exc:
            resp = problem_response(
                GraphProblem(
                    401, "InvalidAuthenticationToken", str(exc), {"WWW-Authenticate": _WWW_AUTH}
                ),
                request_id,
                client_request_id,
            )
            ctx.log.add(
                method=req.method,
                path=request.url.path,
                query=req.query,
                status=401,
                mailbox=None,
                client_request_id=client_request_id,
                error_code="InvalidAuthenticationToken",
            )
            return _to_http(resp)
        if path.lower() == "/$batch" and request.method == "POST":
            try:
                resp = await run_batch(ctx, req, request_id)
            except GraphProblem as exc:
                resp = problem_response(exc, request_id, client_request_id)
            resp.headers.setdefault("request-id", request_id)
            ctx.log.add(
                method="POST",
                path=request.url.path,
                query={},
                status=resp.status,
                mailbox=None,
                client_request_id=client_request_id,
            )
            return _to_http(resp)
        received = str(request.scope.get("sim.received_path", request.url.path))
        return _to_http(await serve(ctx, req, raw_path=received))

    return handle


def build_app(ctx: SimContext, load_scenario: Callable[[Any], None]) -> ASGIApp:
    load_routes()
    graph = graph_endpoint(ctx)
    methods = ["GET", "POST", "PATCH", "PUT", "DELETE"]

    async def not_found(request: Request) -> JSONResponse:
        return JSONResponse(
            {"error": {"code": "BadRequest", "message": "Invalid version."}}, status_code=400
        )

    routes = [
        *auth.routes(ctx),
        *admin.routes(ctx, load_scenario),
        Route("/v1.0/{path:path}", graph, methods=methods),
        Route("/v1.0", graph, methods=methods),
        Route("/beta/{path:path}", not_found, methods=methods),
    ]
    return CollapseSlashes(Starlette(routes=routes))
