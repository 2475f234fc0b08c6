"""POST /$batch (learn.microsoft.com/graph/json-batching): at most 20 requests with unique
ids; each answered with its own status, headers and body; ``dependsOn`` runs a request after
the ones it names and answers 424 Failed Dependency if one of them failed. A malformed batch
fails as a whole with 400. Items are throttled individually: a throttled item answers 429
with its own Retry-After while the others succeed."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from slotguard.sim.graph_errors import GraphProblem
from slotguard.sim.pipeline import serve
from slotguard.sim.router import GraphRequest, GraphResponse, json_response, normalise_path

if TYPE_CHECKING:
    from slotguard.sim.context import SimContext

MAX_REQUESTS = 20


def _validate(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("requests"), list):
        raise GraphProblem(400, "BadRequest", "Invalid batch payload format.")
    items: list[dict[str, Any]] = body["requests"]
    if not items:
        raise GraphProblem(400, "BadRequest", "Invalid batch payload format: no requests.")
    if len(items) > MAX_REQUESTS:
        raise GraphProblem(
            400,
            "BadRequest",
            f"The number of batch requests ({len(items)}) exceeds the maximum of {MAX_REQUESTS}.",
        )
    seen: set[str] = set()
    for item in items:
        if (
            not isinstance(item, dict)
            or not item.get("id")
            or not item.get("method")
            or not item.get("url")
        ):
            raise GraphProblem(400, "BadRequest", "Each batch request needs id, method and url.")
        rid = str(item["id"])
        if rid in seen:
            raise GraphProblem(
                400, "BadRequest", f"Batch request ids must be unique: '{rid}' repeats."
            )
        seen.add(rid)
        if item.get("body") is not None and not any(
            k.lower() == "content-type" for k in (item.get("headers") or {})
        ):
            raise GraphProblem(
                400,
                "BadRequest",
                f"Write request id : {rid} does not contain Content-Type header or body.",
            )
    for item in items:
        for dep in item.get("dependsOn") or []:
            if str(dep) not in seen:
                raise GraphProblem(
                    400,
                    "BadRequest",
                    f"Request '{item['id']}' depends on unknown request id '{dep}'.",
                )
    return items


async def run_batch(ctx: SimContext, outer: GraphRequest, outer_request_id: str) -> GraphResponse:
    items = _validate(outer.body)
    done: dict[str, int] = {}
    responses: list[dict[str, Any]] = []
    pending = list(items)
    while pending:
        ready = [i for i in pending if all(str(d) in done for d in i.get("dependsOn") or [])]
        if not ready:
            raise GraphProblem(400, "BadRequest", "The dependsOn graph of the batch has a cycle.")
        runnable = []
        for item in ready:
            pending.remove(item)
            rid = str(item["id"])
            failed = [str(d) for d in item.get("dependsOn") or [] if done[str(d)] >= 400]
            if failed:
                done[rid] = 424
                responses.append({"id": rid, "status": 424, "headers": {}, "body": {"error": {
                    "code": "FailedDependency",
                    "message": f"The request could not be processed because dependency "
                               f"'{failed[0]}' failed."}}})
            else:
                runnable.append(item)
        # Independent items run side by side, as Graph runs them: with added latency, more
        # than four items for one mailbox meet the mailbox concurrency limit (429).
        results = await asyncio.gather(
            *(_run_item(ctx, outer, item, outer_request_id) for item in runnable))
        for item, response in zip(runnable, results, strict=True):
            rid = str(item["id"])
            done[rid] = response.status
            entry: dict[str, Any] = {"id": rid, "status": response.status,
                                     "headers": _item_headers(response)}
            if response.body is not None:
                entry["body"] = response.body
            responses.append(entry)
    return json_response({"responses": responses})


async def _run_item(
    ctx: SimContext, outer: GraphRequest, item: dict[str, Any], outer_request_id: str
) -> GraphResponse:
    url = str(item["url"])
    parts = urlsplit(url)
    path = normalise_path(parts.path)
    headers = {k.lower(): str(v) for k, v in (item.get("headers") or {}).items()}
    headers.setdefault("client-request-id", outer.headers.get("client-request-id", ""))
    req = GraphRequest(
        method=str(item["method"]).upper(),
        path=path,
        query=dict(parse_qsl(parts.query, keep_blank_values=True)),
        headers=headers,
        body=item.get("body"),
        base_url=outer.base_url,
        roles=outer.roles,  # the batch's token serves its items
    )
    return await serve(
        ctx, req, raw_path=path, in_batch=True, batch_item=f"{outer_request_id}/{item['id']}"
    )


def _item_headers(response: GraphResponse) -> dict[str, str]:
    headers = {
        k: v for k, v in response.headers.items() if k not in ("request-id", "client-request-id")
    }
    if response.body is not None:
        headers.setdefault(
            "Content-Type",
            "application/json; odata.metadata=minimal; "
            "odata.streaming=true; IEEE754Compatible=false; charset=utf-8",
        )
    return headers
