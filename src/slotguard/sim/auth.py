"""Microsoft Entra ID's endpoints for the client credentials grant, as msal uses them:
the OpenID discovery document and the v2.0 token endpoint, with a client secret or a client
assertion (a JWT signed with the app's certificate, verified here against the registered
certificate's public key). Errors carry Entra's AADSTS codes and body fields."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from slotguard.sim.model import AppRegistration
from slotguard.sim.tokens import GRAPH_RESOURCE, b64url_decode

if TYPE_CHECKING:
    from slotguard.sim.context import SimContext

_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class EntraError(Exception):
    def __init__(self, status: int, error: str, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.code, self.message = status, error, code, message


def _error_response(exc: EntraError, correlation_id: str | None) -> JSONResponse:
    trace = str(uuid.uuid4())
    correlation = correlation_id or str(uuid.uuid4())
    stamp = datetime.now(UTC)
    text_stamp = stamp.strftime("%Y-%m-%d %H:%M:%SZ")
    return JSONResponse(
        {
            "error": exc.error,
            "error_description": f"AADSTS{exc.code}: {exc.message} Trace ID: {trace} "
            f"Correlation ID: {correlation} Timestamp: {text_stamp}",
            "error_codes": [exc.code],
            "timestamp": text_stamp,
            "trace_id": trace,
            "correlation_id": correlation,
            "error_uri": f"https://login.microsoftonline.com/error?code={exc.code}",
        },
        status_code=exc.status,
    )


def _check_tenant(ctx: SimContext, tenant: str) -> None:
    t = ctx.tenant
    if tenant.lower() not in {
        t.id,
        t.domain,
        f"{t.domain.split('.')[0]}.onmicrosoft.com",
        "organizations",
    }:
        raise EntraError(
            400,
            "invalid_tenant",
            90002,
            f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant "
            "ID and are signing into the correct cloud. Check with your subscription "
            "administrator, this may happen if there are no active subscriptions for the tenant.",
        )


def openid_configuration(ctx: SimContext, request: Request) -> JSONResponse:
    tenant = request.path_params["tenant"]
    try:
        _check_tenant(ctx, tenant)
    except EntraError as exc:
        return _error_response(exc, request.headers.get("client-request-id"))
    base = f"{request.url.scheme}://{request.url.netloc}"
    tid = ctx.tenant.id
    return JSONResponse(
        {
            "token_endpoint": f"{base}/{tid}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "jwks_uri": f"{base}/{tid}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{base}/{tid}/v2.0",
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": f"{base}/oidc/userinfo",
            "authorization_endpoint": f"{base}/{tid}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/{tid}/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{base}/{tid}/oauth2/v2.0/logout",
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "tid"],
            "kerberos_endpoint": f"{base}/{tid}/kerberos",
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": request.url.netloc,
            "rbac_url": "https://pas.windows.net",
        }
    )


def issue_token(
    ctx: SimContext, tenant: str, form: dict[str, str], token_endpoint: str
) -> dict[str, Any]:
    _check_tenant(ctx, tenant)
    if form.get("grant_type") != "client_credentials":
        raise EntraError(
            400,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type. This simulator implements "
            "'client_credentials' only.",
        )
    client_id = form.get("client_id", "")
    if not client_id:
        raise EntraError(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        )
    app = ctx.tenant.apps.get(client_id.lower())
    if app is None:
        raise EntraError(
            400,
            "unauthorized_client",
            700016,
            f"Application with identifier '{client_id}' was not found in the directory "
            f"'{ctx.tenant.display_name}'. This can happen if the application has not been "
            "installed by the administrator of the tenant or consented to by any user in "
            "the tenant. You may have sent your authentication request to the wrong tenant.",
        )
    if "client_assertion" in form:
        if form.get("client_assertion_type") != _ASSERTION_TYPE:
            raise EntraError(400, "invalid_request", 50027, "Invalid client_assertion_type.")
        _verify_assertion(app, form["client_assertion"], token_endpoint)
    elif "client_secret" in form:
        if form["client_secret"] not in app.secrets:
            raise EntraError(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the "
                "request is the client secret value, not the client secret ID, for a "
                f"secret added to app '{app.client_id}'.",
            )
        ends = app.secret_ends.get(form["client_secret"])
        if ends is not None and ends <= datetime.now(UTC):
            # reference-error-codes: AADSTS7000222 InvalidClientSecretExpiredKeysProvided;
            # the wording is Entra's as sign-in failures quote it.
            raise EntraError(
                401,
                "invalid_client",
                7000222,
                f"The provided client secret keys for app '{app.client_id}' are expired. "
                "Visit the Azure portal to create new keys for your app: "
                "https://aka.ms/NewClientSecret, or consider using certificate credentials "
                "for added security: https://aka.ms/certCreds.",
            )
    else:
        raise EntraError(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the "
            "following parameter: 'client_assertion' or 'client_secret'.",
        )
    audience = _audience(ctx, form.get("scope", ""))
    token = ctx.tokens.issue(
        tenant_id=ctx.tenant.id, app_id=app.client_id, audience=audience, roles=app.roles
    )
    lifetime = ctx.tokens.lifetime
    return {
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": token,
    }


def _audience(ctx: SimContext, scope: str) -> str:
    scopes = [s for s in scope.split() if s not in {"openid", "profile", "offline_access"}]
    if not scopes:
        raise EntraError(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'scope'.",
        )
    for value in scopes:
        if not value.endswith("/.default"):
            raise EntraError(
                400,
                "invalid_scope",
                1002012,
                f"The provided value for scope {value} is not valid. Client credential "
                "flows must have a scope value with /.default suffixed to the resource "
                "identifier (application ID URI).",
            )
    resource = scopes[0][: -len("/.default")]
    if resource.rstrip("/") != GRAPH_RESOURCE and resource.rstrip("/") not in ctx.graph_resources:
        raise EntraError(
            400,
            "invalid_resource",
            500011,
            f"The resource principal named {resource} was not found in the tenant named "
            f"{ctx.tenant.display_name}. This can happen if the application has not been "
            "installed by the administrator of the tenant or consented to by any user in "
            "the tenant. You might have sent your authentication request to the wrong tenant.",
        )
    return GRAPH_RESOURCE


def _verify_assertion(app: AppRegistration, assertion: str, token_endpoint: str) -> None:
    try:
        head_b64, claims_b64, sig_b64 = assertion.split(".")
        header = json.loads(b64url_decode(head_b64))
        claims = json.loads(b64url_decode(claims_b64))
        signature = b64url_decode(sig_b64)
    except (ValueError, json.JSONDecodeError):
        raise EntraError(
            401, "invalid_client", 50027, "JWT token is invalid or malformed."
        ) from None
    sha256 = _thumb(header.get("x5t#S256"))
    sha1 = _thumb(header.get("x5t"))
    cert = next(
        (
            c
            for c in app.certificates
            if (sha256 and c.sha256 == sha256) or (sha1 and c.sha1 == sha1)
        ),
        None,
    )
    if cert is None:
        raise EntraError(
            401,
            "invalid_client",
            700027,
            "Client assertion contains an invalid signature. [Reason - The key was not "
            f"found., Thumbprint of key used by client: '{sha1 or sha256}']",
        )
    if cert.not_after is not None and cert.not_after <= datetime.now(UTC):
        # AADSTS700027 with the Reason Entra gives for an expired key credential
        # (learn.microsoft.com/azure-stack/hci/manage/troubleshoot-hci-registration).
        raise EntraError(
            401,
            "invalid_client",
            700027,
            "Client assertion contains an invalid signature. [Reason - The key used is "
            f"expired., Thumbprint of key used by client: '{sha1 or sha256}', Found key "
            f"'End={cert.not_after:%m/%d/%Y %H:%M:%S}']",
        )
    key = serialization.load_pem_public_key(cert.public_key_pem)
    data = f"{head_b64}.{claims_b64}".encode()
    alg = header.get("alg")
    try:
        if isinstance(key, rsa.RSAPublicKey) and alg == "PS256":
            key.verify(
                signature,
                data,
                padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.AUTO),
                hashes.SHA256(),
            )
        elif isinstance(key, rsa.RSAPublicKey) and alg == "RS256":
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey) and alg == "ES256":
            from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

            r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
        else:
            raise InvalidSignature
    except InvalidSignature:
        raise EntraError(
            401,
            "invalid_client",
            700027,
            "Client assertion contains an invalid "
            "signature. [Reason - The provided signature value did not match the "
            "expected signature value.]",
        ) from None
    now = datetime.now(UTC).timestamp()
    if float(claims.get("exp", 0)) < now - 300 or float(claims.get("nbf", 0)) > now + 300:
        raise EntraError(
            401, "invalid_client", 700024, "Client assertion is not within its valid time range."
        )
    if claims.get("iss") != app.client_id or claims.get("sub") != app.client_id:
        raise EntraError(
            401,
            "invalid_client",
            700023,
            "Client assertion audience claim does not match Realm issuer.",
        )
    if str(claims.get("aud", "")).rstrip("/") != token_endpoint.rstrip("/"):
        raise EntraError(
            401,
            "invalid_client",
            700021,
            f"Client assertion application identifier doesn't match 'client_id' "
            f"parameter, or its audience '{claims.get('aud')}' is not the token endpoint.",
        )


def _thumb(value: Any) -> str | None:
    if not value:
        return None
    return b64url_decode(str(value)).hex().upper()


def cert_thumbprints(cert_pem: bytes) -> tuple[str, str, bytes]:
    """(sha1, sha256, public key PEM) of a PEM certificate, for app registrations."""
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(cert_pem)
    der = cert.public_bytes(serialization.Encoding.DER)
    public = cert.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha1(der).hexdigest().upper(), hashlib.sha256(der).hexdigest().upper(), public


def routes(ctx: SimContext) -> list[Route]:
    async def discovery(request: Request) -> JSONResponse:
        return openid_configuration(ctx, request)

    async def token(request: Request) -> JSONResponse:
        # application/x-www-form-urlencoded, parsed with the stdlib (no multipart dependency).
        form = dict(
            parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
        )
        tenant = request.path_params["tenant"]
        endpoint = f"{request.url.scheme}://{request.url.netloc}/{ctx.tenant.id}/oauth2/v2.0/token"
        status = 200
        try:
            response: JSONResponse = JSONResponse(
                issue_token(ctx, tenant, form, endpoint),
                headers={"Cache-Control": "no-store, no-cache"},
            )
        except EntraError as exc:
            status = exc.status
            response = _error_response(exc, request.headers.get("client-request-id"))
        ctx.log.add(
            method="POST",
            path=request.url.path,
            query={},
            status=status,
            mailbox=None,
            client_request_id=request.headers.get("client-request-id"),
            error_code=None if status == 200 else str(json.loads(response.body)["error"]),
        )
        return response

    return [
        Route("/{tenant}/v2.0/.well-known/openid-configuration", discovery, methods=["GET"]),
        Route("/{tenant}/.well-known/openid-configuration", discovery, methods=["GET"]),
        Route("/{tenant}/oauth2/v2.0/token", token, methods=["POST"]),
    ]
