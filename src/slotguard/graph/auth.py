"""App-only sign-in: one msal ConfidentialClientApplication per process (it owns the token
cache) behind a kiota AccessTokenProvider.

msal is synchronous and fetches the authority's OpenID document in its constructor, so the
app is built lazily, off the event loop, on the first token request.
"""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msal
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from kiota_abstractions.authentication import AccessTokenProvider, AllowedHostsValidator

from slotguard.errors import AuthError, ConfigError

# Hosts msal's instance discovery knows; any other authority (a simulator, a proxy in
# front of Entra ID) must skip discovery or msal calls login.microsoftonline.com.
KNOWN_AUTHORITY_HOSTS = frozenset(
    {
        "login.microsoftonline.com",
        "login.microsoft.com",
        "login.windows.net",
        "login.microsoftonline.us",
        "login.chinacloudapi.cn",
        "login.partner.microsoftonline.cn",
    }
)
# AuthError codes for sign-ins that never reached Entra's token endpoint.
BAD_AUTHORITY = "bad_authority"  # msal refused the authority (or its tenant is unknown)
UNREACHABLE = "authority_unreachable"
# msal treats a token with less than 5 minutes left as expired; so do we.
_EXPIRY_MARGIN_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class AuthConfig:
    tenant_id: str
    client_id: str
    authority: str  # https://host/tenant
    scope: str  # {graph root}/.default
    graph_host: str  # bare host name of the Graph root
    client_secret: str | None = None
    certificate_path: Path | None = None
    certificate_password: str | None = None
    ca_bundle: Path | None = None


def client_credential(config: AuthConfig) -> str | dict[str, str]:
    """The secret, or the certificate loaded from PEM or PFX as msal wants it."""
    if config.certificate_path is not None:
        return load_certificate(config.certificate_path, config.certificate_password)
    if config.client_secret:
        return config.client_secret
    raise ConfigError(
        [
            "SLOTGUARD_CLIENT_SECRET / SLOTGUARD_CLIENT_CERTIFICATE_PATH: neither is set;"
            " set one of them to the app registration's credential"
        ]
    )


def load_certificate(path: Path, password: str | None) -> dict[str, str]:
    """A PEM (key + certificate) or PFX file as msal's credential dict. msal computes the
    SHA-256 thumbprint from ``public_certificate`` (its SHA-1 ``thumbprint`` is deprecated),
    and sending the certificate also enables subject-name/issuer authentication."""
    field = "SLOTGUARD_CLIENT_CERTIFICATE_PATH"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError([f"{field}: cannot read {path}: {exc.strerror}"]) from exc
    secret = password.encode() if password else None
    if b"-----BEGIN" in data:
        for marker, what in ((b"PRIVATE KEY-----", "private key"),
                             (b"-----BEGIN CERTIFICATE-----", "certificate")):
            if marker not in data:
                raise ConfigError([f"{field}: {path} has no {what}; give one PEM file with "
                                   "both the private key and the certificate"])
    try:
        if b"-----BEGIN" in data:
            key = serialization.load_pem_private_key(data, secret)
            cert = x509.load_pem_x509_certificate(data)
        else:
            key, cert, _ = pkcs12.load_key_and_certificates(data, secret)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            [f"{field}: {path} is not a readable PEM/PFX with a private key and certificate"
             " (wrong SLOTGUARD_CLIENT_CERTIFICATE_PASSWORD?)"]
        ) from exc
    if key is None or cert is None:
        raise ConfigError([f"{field}: {path} must hold both the private key and the certificate"])
    pem_key = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    pem_cert = cert.public_bytes(serialization.Encoding.PEM).decode()
    return {"private_key": pem_key, "public_certificate": pem_cert}


def http_session(ca_bundle: Path | None) -> requests.Session | None:
    """A requests session for msal that really trusts ``ca_bundle``: REQUESTS_CA_BUNDLE /
    CURL_CA_BUNDLE in the environment silently override ``verify`` (psf/requests#3829),
    so the session ignores the environment and takes the proxies from it explicitly."""
    if ca_bundle is None:
        return None
    session = requests.Session()
    session.trust_env = False
    session.verify = str(ca_bundle)
    proxies = urllib.request.getproxies()
    if "no" in proxies:
        proxies["no_proxy"] = proxies.pop("no")
    session.proxies.update(proxies)
    return session


def build_msal_app(config: AuthConfig) -> msal.ConfidentialClientApplication:
    host = (urlsplit(config.authority).hostname or "").lower()
    try:
        return msal.ConfidentialClientApplication(
            config.client_id,
            client_credential=client_credential(config),
            authority=config.authority,
            instance_discovery=host in KNOWN_AUTHORITY_HOSTS,
            http_client=http_session(config.ca_bundle),
            token_cache=msal.TokenCache(),
        )
    except ConfigError:
        raise
    except ValueError as exc:  # msal: non-https or malformed authority, unknown tenant
        raise AuthError(f"bad sign-in authority {config.authority!r}: {exc}",
                        code=BAD_AUTHORITY) from exc
    except requests.RequestException as exc:
        raise AuthError(
            f"cannot reach the sign-in authority {config.authority}: {type(exc).__name__}"
            " (check SLOTGUARD_AUTHORITY_URL and SLOTGUARD_CA_BUNDLE)", code=UNREACHABLE
        ) from exc


class MsalTokenProvider(AccessTokenProvider):
    """Tokens for Graph from msal, only ever for the configured Graph host."""

    def __init__(self, config: AuthConfig) -> None:
        self._config = config
        self._hosts = AllowedHostsValidator([config.graph_host])
        self._app: msal.ConfidentialClientApplication | None = None
        self._app_lock = threading.Lock()
        # The current token and when it stops being good: the hot path reuses it without
        # a thread hop into msal for every request.
        self._token: str | None = None
        self._good_until = 0.0

    async def get_authorization_token(
        self, uri: str, additional_authentication_context: dict[str, Any] | None = None
    ) -> str:
        if not self._hosts.is_url_host_valid(uri):
            # kiota would send the request without a token and Graph would answer 401;
            # say what is wrong instead.
            raise AuthError(
                f"refusing to send a Graph token to {urlsplit(uri).hostname!r}: only"
                f" {self._config.graph_host!r} (from SLOTGUARD_GRAPH_URL) is allowed"
            )
        claims = (additional_authentication_context or {}).get("claims")
        if not claims and self._token and time.monotonic() < self._good_until:
            return self._token
        return await asyncio.to_thread(self._acquire, claims)

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self._hosts

    def invalidate(self, rejected_token: str | None) -> None:
        """Forget a token Graph refused (401), here and in msal's cache, so the next
        request signs in again instead of replaying it until it expires."""
        if rejected_token is None or rejected_token == self._token:
            self._token, self._good_until = None, 0.0
        app = self._app
        if app is None:
            return
        cache = app.token_cache
        for item in list(cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
            if rejected_token is None or item.get("secret") == rejected_token:
                cache.remove_at(item)

    def _acquire(self, claims: str | None) -> str:
        app = self._msal_app()
        try:
            result = app.acquire_token_for_client(
                scopes=[self._config.scope], claims_challenge=claims
            )
        except requests.RequestException as exc:
            raise AuthError(
                f"cannot reach the sign-in authority {self._config.authority}:"
                f" {type(exc).__name__}", code=UNREACHABLE
            ) from exc
        token = result.get("access_token") if isinstance(result, dict) else None
        if not token:
            error = result.get("error", "unknown_error") if isinstance(result, dict) else "?"
            description = str((result or {}).get("error_description") or "")
            # Entra ID descriptions never echo the secret; the first line says enough.
            first_line = (description.splitlines() or [""])[0]
            codes = result.get("error_codes") if isinstance(result, dict) else None
            raise AuthError(
                f"sign-in for client {self._config.client_id} in tenant"
                f" {self._config.tenant_id} failed: {error}: {first_line}",
                code=str(error),
                entra_code=int(codes[0]) if codes and str(codes[0]).isdigit() else None,
            )
        expires_in = float(result.get("expires_in") or 0)
        self._token = token
        self._good_until = time.monotonic() + max(0.0, expires_in - _EXPIRY_MARGIN_SECONDS)
        return str(token)

    def _msal_app(self) -> msal.ConfidentialClientApplication:
        with self._app_lock:
            if self._app is None:
                self._app = build_msal_app(self._config)
            return self._app
