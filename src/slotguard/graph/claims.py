"""What an app-only access token says about itself.

Entra ID's access tokens are JWTs whose ``roles`` claim lists the application permissions
granted to the app (learn.microsoft.com/entra/identity-platform/access-token-claims-
reference: "roles ... the set of permissions exposed by your application that the
requesting application has been given permission to call"). The claims are only read
here, never trusted for anything but telling the admin what Entra granted: Graph checks
the signature.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class TokenClaims:
    roles: frozenset[str]
    app_id: str | None
    tenant_id: str | None
    expires: datetime | None


def read_claims(token: str) -> TokenClaims | None:
    """The claims of ``token``, or None when it is not a readable JWT (Microsoft warns that
    access tokens are opaque to clients and may change format)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(claims, dict):
        return None
    roles = claims.get("roles") or []
    expires = claims.get("exp")
    return TokenClaims(
        roles=frozenset(str(r) for r in roles) if isinstance(roles, list) else frozenset(),
        app_id=_text(claims.get("appid") or claims.get("azp")),
        tenant_id=_text(claims.get("tid")),
        expires=datetime.fromtimestamp(expires, UTC) if isinstance(expires, int | float)
        else None,
    )


def _text(value: object) -> str | None:
    return str(value) if value else None
