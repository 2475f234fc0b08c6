"""The application roles in the token against what the rules need (config/permissions.py).

A permission Exchange can grant on its own (RBAC for Applications) may be missing from the
token and still work — docs/entra-app-registration.md even tells the admin to remove it
from Entra once the Exchange role assignments exist. So a missing Exchange permission is
judged by what the mailbox checks saw: sellers read with it mean Exchange grants it.
"""

from __future__ import annotations

from collections.abc import Mapping

from slotguard.config.permissions import Permission
from slotguard.entrypoints.doctor.report import Check, Finding, Status
from slotguard.graph.claims import TokenClaims

CONSENT = ("Entra admin center → App registrations → the app → API permissions → Add a "
           "permission → Microsoft Graph → Application permissions, then Grant admin consent")
RBAC = ("granted by Exchange RBAC for Applications, not by Entra (not in the token): fine "
        "if intended")


def roles_check(claims: TokenClaims | None, needed: tuple[Permission, ...],
                worked: Mapping[str, int]) -> Check:
    """``worked``: per permission, how many reads that need it succeeded (absent: not
    testable without writing, e.g. Mail.Send)."""
    if claims is None:
        return Check("roles", "Application roles", "the token's roles cannot be read; the "
                     "checks below show what Graph allows", Status.WARN)
    roles = claims.roles
    missing = [p for p in needed if not p.granted(roles)]
    # Exchange grants some permission the token lacks: it may grant the others too.
    rbac = any(p.exchange and worked.get(p.name, 0) > 0 for p in missing)
    check = Check("roles", "Application roles",
                  f"{len(needed) - len(missing)} of {len(needed)} needed permissions in the "
                  f"token of app {claims.app_id or '?'}")
    for permission in missing:
        check.findings.append(_missing(permission, worked.get(permission.name), rbac))
    used = set().union(*(p.covered_by for p in needed))
    extra = sorted(roles - used)
    if extra:
        check.findings.append(Finding(
            "granted, not needed by these rules", "remove them under API permissions "
            "(least privilege)", extra, Status.WARN))
    return check.settle()


def _missing(permission: Permission, worked: int | None, rbac: bool) -> Finding:
    name = [f"{permission.name} (for: {permission.needed_for})"]
    if permission.exchange and worked:
        return Finding(f"{RBAC}; {worked} mailbox(es) read with it", "", name, Status.WARN)
    if permission.exchange and worked is None and rbac:
        return Finding("not in the token; Exchange RBAC for Applications may grant it "
                       "(doctor cannot test it without sending mail)", "", name, Status.WARN)
    return Finding("missing", f"add it: {CONSENT}", name)
