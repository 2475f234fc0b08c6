"""JSON batching: up to 20 Graph requests in one POST /$batch.

msgraph-core 1.5.2's BatchRequestContent is unusable (ids replaced by UUIDs, ``depends_on``
on the wire, response bodies dropped, an undeclared dependency), so the payload is built
here. Each item is still described by an SDK request builder (its URL is the builder's,
made relative), and the batch goes out through the same Pipeline (auth, middleware,
retries of the outer request). Items throttled inside the batch (inner 429) are sent again
on their own, after their own Retry-After.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import msgspec
import structlog
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from stduritemplate import StdUriTemplate

from slotguard.errors import AuthError, SlotguardError, TransientGraphError
from slotguard.graph.errors import Target, classify
from slotguard.graph.pipeline import Pipeline

log = structlog.get_logger("slotguard.graph")

MAX_BATCH = 20
MAX_PER_MAILBOX = 4  # Outlook runs at most 4 requests per mailbox of a batch at once


@dataclass(frozen=True, slots=True)
class BatchCall:
    """One request of a batch; ``request`` comes from an SDK builder."""

    id: str
    request: RequestInformation
    mailbox: str | None = None
    target: Target = Target.MAILBOX
    # What of a successful body to keep, applied as the batch answers: a page read only
    # for its links needs a few hundred bytes of its hundred kilobytes, and a wave's
    # results are held until all of them are in.
    keep: Callable[[bytes], bytes] | None = None


@dataclass(frozen=True, slots=True)
class BatchResult:
    id: str
    status: int
    body: bytes = b""
    error: SlotguardError | None = None


class _Error(msgspec.Struct):
    code: str | None = None
    message: str | None = None


class _ErrorBody(msgspec.Struct):
    error: _Error | None = None


class _Response(msgspec.Struct):
    id: str
    status: int
    headers: dict[str, str] = msgspec.field(default_factory=dict)
    body: msgspec.Raw = msgspec.field(default_factory=lambda: msgspec.Raw(b""))


class _Responses(msgspec.Struct):
    responses: list[_Response] = msgspec.field(default_factory=list)


@dataclass(slots=True)
class _Round:
    pending: dict[str, BatchCall]
    done: dict[str, BatchResult] = field(default_factory=dict)


async def send_batch(pipeline: Pipeline, calls: Sequence[BatchCall]) -> dict[str, BatchResult]:
    """Send ``calls`` in as few batches as the limits allow; every id gets a result.
    Inner 429s, and inner 5xx of GETs, are retried until the pipeline's retry policy
    gives up."""
    ids = [c.id for c in calls]
    if len({i.lower() for i in ids}) != len(ids):
        raise ValueError("batch ids must be unique (Graph compares them without case)")
    state = _Round({c.id: c for c in calls})
    attempt = 0
    while state.pending:
        attempt += 1
        throttled: dict[str, TransientGraphError] = {}
        for group in side_by_side(chunks(list(state.pending.values()))):
            sent = await asyncio.gather(*(_send_one(pipeline, chunk) for chunk in group))
            for result in (r for batch in sent for r in batch):
                error = result.error
                if isinstance(error, TransientGraphError) and (
                        error.status == 429 or _reads(state.pending[result.id])):
                    throttled[result.id] = error  # retried alone: 429s, and 5xx of reads
                    continue
                state.done[result.id] = result
                state.pending.pop(result.id, None)
        if not throttled:
            break
        longest = max((e.retry_after or 0.0) for e in throttled.values())
        wait = pipeline.policy.wait_before_retry(attempt, longest or None)
        if wait is None:
            for key, error in throttled.items():
                state.done[key] = BatchResult(key, 429, error=error)
            break
        log.info("graph.batch_retry", throttled=len(throttled), wait_seconds=round(wait, 3))
        await pipeline.sleep(wait)
        state.pending = {k: state.pending[k] for k in throttled}
    return state.done


def _reads(call: BatchCall) -> bool:
    """A GET can be sent again after a 5xx: it changed nothing, whatever happened."""
    return call.request.http_method is Method.GET


def chunks(calls: list[BatchCall]) -> list[list[BatchCall]]:
    """Split into batches of at most 20, with at most 4 requests per mailbox each."""
    out: list[list[BatchCall]] = []
    per_box: list[Counter[str]] = []
    open_from = 0  # batches before this one are full
    for call in calls:
        box = call.mailbox.lower() if call.mailbox else None
        for i in range(open_from, len(out)):
            if len(out[i]) < MAX_BATCH and (box is None or per_box[i][box] < MAX_PER_MAILBOX):
                break
        else:
            out.append([])
            per_box.append(Counter())
            i = len(out) - 1
        out[i].append(call)
        if box is not None:
            per_box[i][box] += 1
        while open_from < len(out) and len(out[open_from]) >= MAX_BATCH:
            open_from += 1
    return out


def side_by_side(batches: list[list[BatchCall]]) -> list[list[list[BatchCall]]]:
    """Group batches that may be in flight together: no mailbox in two batches of a
    group, so running them side by side keeps each mailbox within its 4 requests (the
    pipeline bounds how many batches are in flight in all)."""
    groups: list[tuple[list[list[BatchCall]], set[str]]] = []
    for batch in batches:
        boxes = {c.mailbox.lower() for c in batch if c.mailbox}
        for members, used in groups:
            if used.isdisjoint(boxes):
                members.append(batch)
                used.update(boxes)
                break
        else:
            groups.append(([batch], set(boxes)))
    return [members for members, _ in groups]


async def _send_one(pipeline: Pipeline, calls: list[BatchCall]) -> list[BatchResult]:
    try:
        return await send_envelope(pipeline, calls)
    except AuthError:
        raise  # no token: nothing else can succeed either
    except SlotguardError as error:
        # The envelope failed after the pipeline's retries: each item gets that error, so
        # one bad round trip costs its own items, not the caller's other batches.
        return [BatchResult(c.id, error.status or 0, error=error) for c in calls]


async def send_envelope(pipeline: Pipeline, calls: Sequence[BatchCall], *,
                        idempotent: bool = True) -> list[BatchResult]:
    """One POST /$batch carrying ``calls`` (at most 20); a result per call. A failure of
    the envelope itself raises, after the pipeline's retries (``idempotent=False``: only
    what Graph cannot have carried out, 429 and 401, is sent again)."""
    payload = msgspec.json.encode({"requests": [_item(c) for c in calls]})

    def build() -> RequestInformation:
        info = RequestInformation(Method.POST, "{+baseurl}/$batch")
        info.headers.try_add("Content-Type", "application/json")
        info.headers.try_add("Accept", "application/json")
        info.content = payload
        return info

    raw = await pipeline.send(build, idempotent=idempotent)
    by_id = {c.id: c for c in calls}
    results: list[BatchResult] = []
    for response in msgspec.json.decode(raw or b"{}", type=_Responses).responses:
        call = by_id.pop(response.id, None)
        if call is None:
            continue  # an id we never sent: ignore rather than guess
        results.append(_result(call, response))
    for missing in by_id:  # Graph owes an answer for every id; treat silence as transient
        results.append(BatchResult(missing, 0, error=TransientGraphError(
            f"$batch answered no response for request {missing}")))
    return results


def _item(call: BatchCall) -> dict[str, Any]:
    info = call.request
    info.path_parameters["baseurl"] = ""  # the builder's URL, relative to /v1.0
    # A nextLink/deltaLink followed with ``with_url`` is absolute, as Graph hands it out;
    # batch items are relative to the version root, and its query (tokens) is kept as is.
    # In a builder's URL "@" goes in literally: it is a legal path character (RFC 3986
    # pchar) that kiota escapes, which not every batch parser undoes (Graph's own batch
    # examples write UPNs literally).
    url = builder_url(info)
    absolute = url.startswith(("https://", "http://"))
    url = relative_url(url) if absolute else url.replace("%40", "@")
    item: dict[str, Any] = {"id": call.id, "method": info.http_method.value, "url": url}
    headers = {k: v for k, v in info.request_headers.items() if k.lower() != "authorization"}
    if "idtype" not in headers.get("prefer", "").lower():  # the middleware sees only $batch
        prefer = headers.get("prefer")
        headers["prefer"] = f'{prefer}, IdType="ImmutableId"' if prefer else 'IdType="ImmutableId"'
    if info.content:
        # kiota serialised the builder's model to JSON already: embedded as it is.
        item["body"] = msgspec.Raw(info.content)
        headers.setdefault("content-type", "application/json")
    item["headers"] = headers
    return item


_PATH_VARIABLE = re.compile(r"\{([A-Za-z0-9_.%]+)\}")
_BASE = "{+baseurl}"
_QUERY_NAME = re.compile(r"[A-Za-z0-9_.%]+")


def builder_url(info: RequestInformation) -> str:
    """``info.url`` of a batch item (``baseurl`` set to ""), without running the generic
    URI-template engine per item. kiota expands every URL with stduritemplate, ~60 µs for
    a bare path and ~270 µs for a calendarView query, ~10% of a first cycle's CPU. Here
    the path's simple expressions are the values with all but unreserved characters
    escaped (RFC 6570 §3.2.2), which is what ``quote(value, safe="")`` gives; the query
    expression is expanded by kiota's engine once per distinct set of query values (the
    same window for every seller of a wave) and reused. Anything else — a URL set
    outright, a path value of another type — goes through kiota."""
    template, params = info.url_template, info.path_parameters
    if (not template or not template.startswith(_BASE) or params.get("baseurl") != ""
            or getattr(info, "_RequestInformation__uri", None)
            or RequestInformation.RAW_URL_KEY in params):
        return info.url
    body = template[len(_BASE):]
    cut = body.find("?")
    if cut > 0 and body[cut - 1] == "{":
        cut -= 1  # "{?a,b}": a form-style query expression; else "?a={a}{&b,c}"
    path, query = (body[:cut], body[cut:]) if cut >= 0 else (body, "")
    out: list[str] = []
    last = 0
    for match in _PATH_VARIABLE.finditer(path):
        value = params.get(match.group(1))
        if not isinstance(value, str):
            return info.url
        out += (path[last:match.start()], quote(value, safe=""))
        last = match.end()
    rest = path[last:]
    if "{" in rest or "}" in rest:
        return info.url
    out.append(rest)
    if query and (info.query_parameters or not query.startswith("{")):
        # (an expression with no values defined expands to nothing at all)
        if not params.keys().isdisjoint(_QUERY_NAME.findall(query)):
            return info.url  # a path value used in the query: not a shape seen here
        expanded = _query_string(query, info)
        if expanded is None:
            return info.url
        out.append(expanded)
    return "".join(out)


@functools.lru_cache(maxsize=256)
def _expand_query(expression: str, values: tuple[tuple[str, Any], ...]) -> str:
    data = {k: list(v) if isinstance(v, tuple) else v for k, v in values}
    return str(StdUriTemplate.expand(expression, data))


def _query_string(expression: str, info: RequestInformation) -> str | None:
    """The query expression expanded with the request's values, as kiota would (its own
    sanitising, then the template engine), memoised on the values; None when a value is
    not one a memo can hold."""
    values: list[tuple[str, Any]] = []
    sanitize = info._get_sanitized_value
    for key, raw in info.query_parameters.items():
        value = sanitize(raw)
        if isinstance(value, list):
            if not all(isinstance(v, str | int | bool | float) for v in value):
                return None
            value = tuple(value)
        elif not isinstance(value, str | int | bool | float | None):
            return None
        values.append((key, value))
    return _expand_query(expression, tuple(sorted(values, key=lambda kv: kv[0])))


def relative_url(link: str) -> str:
    """``https://host/v1.0/users/x/...?$deltatoken=t`` → ``/users/x/...?$deltatoken=t``."""
    parts = urlsplit(link)
    path = parts.path
    for version in ("/v1.0", "/beta"):
        if path.startswith(version + "/"):
            path = path[len(version):]
            break
    return f"{path}?{parts.query}" if parts.query else path


def _result(call: BatchCall, response: _Response) -> BatchResult:
    body = bytes(response.body)
    if response.status < 400:
        return BatchResult(call.id, response.status, call.keep(body) if call.keep else body)
    error = _ErrorBody()
    if body:
        with contextlib.suppress(msgspec.MsgspecError):  # a non-JSON error page
            error = msgspec.json.decode(body, type=_ErrorBody)
    inner = error.error or _Error()
    return BatchResult(call.id, response.status, body, classify(
        response.status, inner.code, inner.message or "", response.headers,
        target=call.target, who=call.mailbox or "",
    ))

