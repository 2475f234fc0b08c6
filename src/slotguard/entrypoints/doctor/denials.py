"""Why Graph refused a seller's read, and what fixes it.

A 403 ErrorAccessDenied means different things that Graph's code alone does not tell
apart (graph/errors.denial_reason): "Access to OData is disabled." is the application
access policy; any other is a permission the token lacks — or, when the token lacks it
and yet other sellers' mailboxes answered, an Exchange RBAC for Applications scope that
leaves this one out (Exchange grants such permissions without Entra's token knowing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from slotguard.config.permissions import Permission
from slotguard.entrypoints.doctor.roles import CONSENT
from slotguard.errors import (
    AuthError,
    GraphError,
    MailboxUnavailable,
    SlotguardError,
    TransientGraphError,
)


@dataclass(frozen=True)
class Denials:
    client_id: str
    roles: frozenset[str] | None  # None: the token's roles could not be read
    worked: Mapping[str, int] = field(default_factory=dict)  # reads that worked, per permission

    def explain(self, error: SlotguardError, need: Permission) -> tuple[str, str]:
        """(what is wrong, the fix) for ``error`` on a read that needs ``need``."""
        if isinstance(error, MailboxUnavailable):
            return self._mailbox(error, need)
        if isinstance(error, TransientGraphError):
            return ("Graph did not answer in time (throttled or unavailable)",
                    "run slotguard doctor again")
        graph = error if isinstance(error, GraphError) else None
        code = (graph.code if graph else None) or type(error).__name__
        if isinstance(error, AuthError):
            return f"refused ({code})", "see Sign-in and Application roles"
        return f"Graph {(graph.status if graph else None) or 'error'} {code}", ""

    def _mailbox(self, error: MailboxUnavailable, need: Permission) -> tuple[str, str]:
        test = f"Test-ApplicationAccessPolicy -Identity <seller> -AppId {self.client_id}"
        scope = f"Test-ServicePrincipalAuthorization -Identity {self.client_id} -Resource <seller>"
        if error.reason == "missing":
            return ("no Exchange Online mailbox (MailboxNotEnabledForRESTAPI: unlicensed, "
                    "soft-deleted, on-premises or a guest)",
                    "assign an Exchange Online licence, or take the seller out of the rules "
                    "file or the team's group")
        if error.reason == "not_found":
            return (f"no such user ({error.code or 'not found'})",
                    "write the seller's user principal name in the rules file, or remove "
                    "the seller")
        if error.reason == "access_denied":
            return ("outside the app's application access policy (ErrorAccessDenied: "
                    "Access to OData is disabled.)",
                    f"add the seller to the policy's mail-enabled security group; check with "
                    f"{test} (changes take up to an hour)")
        if self.roles is not None and not need.granted(self.roles):
            if self.worked.get(need.name, 0) == 0:
                return (f"the token lacks {need.name} (ErrorAccessDenied)", f"add {need.name}"
                        f": {CONSENT}")
            return ("outside the Exchange RBAC for Applications scope that grants "
                    f"{need.name} (ErrorAccessDenied)",
                    f"add the seller to the management scope's group; check with {scope}")
        return (f"Exchange refused the mailbox although the token carries {need.name} "
                "(ErrorAccessDenied)",
                f"check the app's access policy ({test}) and Exchange RBAC for "
                f"Applications ({scope})")
