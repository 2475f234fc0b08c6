"""POST /users/{id}/sendMail: accepted (202) and kept in the outbox for tests to read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slotguard.sim.events import now
from slotguard.sim.graph_errors import GraphProblem
from slotguard.sim.model import SentMail
from slotguard.sim.router import GraphRequest, GraphResponse, route

if TYPE_CHECKING:
    from slotguard.sim.context import SimContext


@route("POST", "/users/{user}/sendMail")
def send_mail(ctx: SimContext, req: GraphRequest, user: str) -> GraphResponse:
    owner, _ = ctx.tenant.mailbox(user)
    body = req.body
    if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
        raise GraphProblem(
            400, "ErrorInvalidRequest", "The request body must contain a 'message' object."
        )
    message = body["message"]
    recipients = message.get("toRecipients") or []
    if not recipients or not all(
        isinstance(r, dict) and r.get("emailAddress", {}).get("address") for r in recipients
    ):
        raise GraphProblem(
            400,
            "ErrorInvalidRecipients",
            "At least one recipient is not valid., A message can't be sent because "
            "it contains no recipients.",
        )
    ctx.tenant.outbox_items.append(
        SentMail(owner.upn, message, bool(body.get("saveToSentItems", True)), now())
    )
    return GraphResponse(202)
