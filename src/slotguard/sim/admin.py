"""/_sim/: inspection and control for tests and tools in other processes (outside /v1.0,
no token needed; the server listens on 127.0.0.1 only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from slotguard.sim.faults import FaultOptions
from slotguard.sim.graph_errors import GraphProblem
from slotguard.sim.quirks import Quirks

if TYPE_CHECKING:
    from slotguard.sim.context import SimContext


def routes(ctx: SimContext, load_scenario: Callable[[Any], None]) -> list[Route]:
    async def health(request: Request) -> JSONResponse:
        return JSONResponse(
            {"status": "ok", "tenant": ctx.tenant.id, "users": len(ctx.tenant.users)}
        )

    async def requests(request: Request) -> JSONResponse:
        if request.method == "DELETE":
            ctx.log.clear()
            return JSONResponse({"cleared": True})
        return JSONResponse([r.as_dict() for r in ctx.log.all()])

    async def outbox(request: Request) -> JSONResponse:
        return JSONResponse(ctx.tenant.outbox())

    async def faults(request: Request) -> JSONResponse:
        if request.method == "PUT":
            try:
                ctx.faults.configure(FaultOptions.from_dict(await request.json()))
            except (TypeError, ValueError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(ctx.faults.options.to_dict())

    async def quirks(request: Request) -> JSONResponse:
        if request.method == "PUT":
            try:
                ctx.tenant.quirks = Quirks.from_dict(await request.json())
            except (TypeError, ValueError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(ctx.tenant.quirks.to_dict())

    async def expire_tokens(request: Request) -> JSONResponse:
        ctx.tokens.expire_all()
        return JSONResponse({"expired": True})

    async def expire_delta(request: Request) -> JSONResponse:
        data = await request.json() if (await request.body()).strip() else {}
        user_id = None
        if data.get("upn"):
            user = ctx.tenant.find_user(str(data["upn"]))
            if user is None:
                return JSONResponse({"error": f"unknown upn {data['upn']}"}, status_code=404)
            user_id = user.id
        return JSONResponse({"expired": ctx.delta.expire(user_id)})

    async def scenario(request: Request) -> JSONResponse:
        data = await request.json()
        try:
            load_scenario(data.get("name", "demo") if set(data) <= {"name"} else data)
        except (ValueError, KeyError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"loaded": True, "users": len(ctx.tenant.users)})

    async def events(request: Request) -> JSONResponse:
        try:
            return JSONResponse(ctx.tenant.events_of(request.path_params["upn"]))
        except GraphProblem as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)

    async def tasks(request: Request) -> JSONResponse:
        try:
            return JSONResponse(ctx.tenant.tasks_of(request.path_params["upn"]))
        except GraphProblem as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)

    return [
        Route("/_sim/health", health, methods=["GET"]),
        Route("/_sim/requests", requests, methods=["GET", "DELETE"]),
        Route("/_sim/outbox", outbox, methods=["GET"]),
        Route("/_sim/faults", faults, methods=["GET", "PUT"]),
        Route("/_sim/quirks", quirks, methods=["GET", "PUT"]),
        Route("/_sim/expire-tokens", expire_tokens, methods=["POST"]),
        Route("/_sim/expire-delta", expire_delta, methods=["POST"]),
        Route("/_sim/scenario", scenario, methods=["POST"]),
        Route("/_sim/events/{upn}", events, methods=["GET"]),
        Route("/_sim/tasks/{upn}", tasks, methods=["GET"]),
    ]
