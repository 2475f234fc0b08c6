"""Serving one Graph request: faults and throttling first, then the handler, then the log.
Both plain requests and $batch items pass through here."""

from __future__ import annotations

import logging
import time
import uuid
from typing import TYPE_CHECKING, Any

from slotguard.sim.graph_errors import GraphProblem, error_body
from slotguard.sim.router import GraphRequest, GraphResponse, dispatch, mailbox_key

if TYPE_CHECKING:
    from slotguard.sim.context import SimContext

log = logging.getLogger("slotguard.sim")


def problem_response(
    problem: GraphProblem, request_id: str, client_request_id: str
) -> GraphResponse:
    return GraphResponse(
        problem.status,
        error_body(problem.code, problem.message, request_id, client_request_id),
        dict(problem.headers),
    )


def _mailbox_upn(ctx: SimContext, path: str) -> str | None:
    key = mailbox_key(path)
    if key is None:
        return None
    user = ctx.tenant.find_user(key)
    return user.upn if user else key.lower()


async def serve(
    ctx: SimContext,
    req: GraphRequest,
    *,
    raw_path: str,
    in_batch: bool = False,
    batch_item: str | None = None,
) -> GraphResponse:
    started = time.perf_counter()
    request_id = str(uuid.uuid4())
    client_request_id = req.headers.get("client-request-id") or request_id
    upn = _mailbox_upn(ctx, req.path)
    faults = ctx.faults
    response: GraphResponse
    problem = faults.check(req.method, req.path, upn, in_batch)
    if problem is None:
        problem = faults.enter(upn)
        if problem is None:
            try:
                await faults.delay()
                with ctx.tenant.lock:
                    response = dispatch(ctx, req)
            except GraphProblem as exc:
                response = problem_response(exc, request_id, client_request_id)
            except Exception:  # a simulator bug must show as a 500, not kill the server
                log.exception("sim.handler_failed path=%s", req.path)
                response = problem_response(
                    GraphProblem(500, "generalException", "General exception while processing."),
                    request_id,
                    client_request_id,
                )
            finally:
                faults.leave(upn)
        else:
            response = problem_response(problem, request_id, client_request_id)
    else:
        response = problem_response(problem, request_id, client_request_id)
    response.headers.setdefault("request-id", request_id)
    response.headers.setdefault("client-request-id", client_request_id)
    ctx.log.add(
        method=req.method,
        path=raw_path,
        query=dict(req.query),
        status=response.status,
        mailbox=upn,
        transaction_id=_transaction_id(req.body),
        prefer=req.headers.get("prefer"),
        client_request_id=client_request_id,
        retry_attempt=req.headers.get("retry-attempt"),
        batch_item=batch_item,
        error_code=_error_code(response.body),
        duration_ms=round((time.perf_counter() - started) * 1000, 3),
    )
    return response


def _transaction_id(body: Any) -> str | None:
    if isinstance(body, dict) and body.get("transactionId") is not None:
        return str(body["transactionId"])
    return None


def _error_code(body: Any) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("code"))
    return None
