"""Access tokens the simulator issues and checks on every Graph call.

They are real JWTs (HS256 with a per-process key) so clients that peek into them see the usual
claims (aud, iss, tid, appid, roles, exp). A token from an earlier simulator process, a
tampered one, or one issued before ``expire_all()`` is refused like Graph refuses it: 401
InvalidAuthenticationToken.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

GRAPH_RESOURCE = "https://graph.microsoft.com"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class TokenClaims:
    app_id: str
    tenant_id: str
    roles: tuple[str, ...]
    expires_at: int


class TokenRejected(Exception):
    """``message`` is what Graph says for this kind of bad token."""


class TokenIssuer:
    def __init__(self, lifetime: int = 3600, clock: Callable[[], float] = time.time) -> None:
        self._key = secrets.token_bytes(32)
        self.lifetime = lifetime
        self._clock = clock
        self._generation = 0
        self._lock = threading.Lock()

    def issue(self, *, tenant_id: str, app_id: str, audience: str, roles: tuple[str, ...]) -> str:
        now = int(self._clock())
        with self._lock:
            generation = self._generation
        claims: dict[str, Any] = {
            "aud": audience,
            "iss": f"https://sts.windows.net/{tenant_id}/",
            "iat": now,
            "nbf": now,
            "exp": now + self.lifetime,
            "appid": app_id,
            "app_displayname": "slotguard",
            "idtyp": "app",
            "oid": str(uuid.uuid5(uuid.NAMESPACE_URL, app_id)),
            "roles": list(roles),
            "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, app_id)),
            "tid": tenant_id,
            "uti": secrets.token_urlsafe(16),
            "ver": "1.0",
            "xms_sim_gen": generation,
        }
        header = {"typ": "JWT", "alg": "HS256", "kid": "slotguard-sim"}
        signing_input = f"{b64url(_json(header))}.{b64url(_json(claims))}"
        return f"{signing_input}.{b64url(self._sign(signing_input))}"

    def verify(self, authorization: str | None) -> TokenClaims:
        if not authorization or not authorization.strip():
            raise TokenRejected("Access token is empty.")
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise TokenRejected("Access token is empty.")
        parts = token.strip().split(".")
        if len(parts) != 3:
            raise TokenRejected("IDX14100: JWT is not well formed, there are no dots (.).")
        signing_input = f"{parts[0]}.{parts[1]}"
        try:
            signature = b64url_decode(parts[2])
            claims = json.loads(b64url_decode(parts[1]))
        except (ValueError, json.JSONDecodeError) as exc:
            raise TokenRejected("Access token validation failure. Invalid token.") from exc
        if not hmac.compare_digest(signature, self._sign(signing_input)):
            raise TokenRejected("Access token validation failure.")
        with self._lock:
            generation = self._generation
        if int(claims.get("exp", 0)) <= self._clock() or claims.get("xms_sim_gen") != generation:
            raise TokenRejected("Lifetime validation failed, the token is expired.")
        return TokenClaims(
            app_id=str(claims["appid"]),
            tenant_id=str(claims["tid"]),
            roles=tuple(claims.get("roles", ())),
            expires_at=int(claims["exp"]),
        )

    def expire_all(self) -> None:
        """Every token issued so far stops working, as if its lifetime had run out."""
        with self._lock:
            self._generation += 1

    def _sign(self, signing_input: str) -> bytes:
        return hmac.new(self._key, signing_input.encode("ascii"), hashlib.sha256).digest()


def _json(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()
