"""The credential and the sign-in: the certificate's validity (read from the file), then a
real token from Entra ID through msal, with Entra's refusal turned into the fix.

Fixes follow Entra's AADSTS codes (learn.microsoft.com/entra/identity-platform/reference-
error-codes): 7000215 InvalidClientSecretProvided, 7000222 InvalidClientSecretExpiredKeys-
Provided, 700016 UnauthorizedClient_DoesNotMatchRequest, 90002 InvalidTenantName, 500011
InvalidResourceServicePrincipalNotFound; 700027 is the certificate's "Client assertion
contains an invalid signature", whose Reason names an unknown or expired key
(learn.microsoft.com/azure-stack/hci/manage/troubleshoot-hci-registration quotes "[Reason -
The key used is expired.]").
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from slotguard.config.settings import ENV_PREFIX, Settings
from slotguard.entrypoints.doctor.report import Check, Status
from slotguard.errors import AuthError, ConfigError
from slotguard.graph.auth import BAD_AUTHORITY, UNREACHABLE, MsalTokenProvider, load_certificate
from slotguard.graph.client import auth_config

# A certificate this close to its end is reported before it stops sign-in.
EXPIRY_WARNING = timedelta(days=30)
PORTAL = "Entra admin center → App registrations → the app"


def credential_check(settings: Settings, now: datetime) -> Check:
    path = settings.client_certificate_path
    if path is None:
        return Check("credential", "Credential",
                     "client secret (Entra keeps its expiry date; sign-in below shows whether "
                     "it still works)")
    password = settings.client_certificate_password
    try:
        pem = load_certificate(path, password.get_secret_value() if password else None)
    except ConfigError as error:  # preflight has read it already; it may have changed since
        return Check("credential", "Credential", "; ".join(error.problems), Status.FAIL,
                     f"fix {ENV_PREFIX}CLIENT_CERTIFICATE_PATH")
    cert = x509.load_pem_x509_certificate(pem["public_certificate"].encode())
    # SHA-1, because that is the thumbprint the Entra portal lists for a certificate.
    thumbprint = cert.fingerprint(hashes.SHA1()).hex().upper()
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    about = f"certificate {path}, thumbprint {thumbprint}"
    renew = (f"create a new certificate, upload it under {PORTAL} → Certificates & secrets, "
             f"point {ENV_PREFIX}CLIENT_CERTIFICATE_PATH at it, then remove the old one")
    if end <= now:
        return Check("credential", "Credential", f"{about}: expired on {end:%Y-%m-%d}",
                     Status.FAIL, renew)
    if start > now:
        return Check("credential", "Credential",
                     f"{about}: not valid before {start:%Y-%m-%d %H:%M} UTC", Status.FAIL,
                     "check this host's clock, or use a certificate that is valid now")
    left = end - now
    summary = f"{about}, valid until {end:%Y-%m-%d} ({left.days} days)"
    if left <= EXPIRY_WARNING:
        return Check("credential", "Credential", f"{summary}: expires soon", Status.WARN, renew)
    return Check("credential", "Credential", summary)


async def sign_in(settings: Settings) -> tuple[Check, str | None]:
    """A token for Graph, as the scan gets one; the check says what Entra answered."""
    provider = MsalTokenProvider(auth_config(settings))
    try:
        token = await provider.get_authorization_token(f"{settings.graph_base_url}/users")
    except AuthError as error:
        return Check("sign_in", "Sign-in", str(error), Status.FAIL,
                     _fix(error, settings)), None
    except ConfigError as error:  # the certificate file changed since it was checked
        return Check("sign_in", "Sign-in", "; ".join(error.problems), Status.FAIL,
                     f"fix {ENV_PREFIX}CLIENT_CERTIFICATE_PATH"), None
    return Check("sign_in", "Sign-in", f"token from {settings.authority}"), token


def _fix(error: AuthError, settings: Settings) -> str:
    client, tenant = f"{ENV_PREFIX}CLIENT_ID", f"{ENV_PREFIX}TENANT_ID"
    if error.code == BAD_AUTHORITY:
        return (f"Entra does not know the tenant at {settings.authority}: copy the Directory "
                f"(tenant) ID from the app's overview into {tenant}; check "
                f"{ENV_PREFIX}CLOUD and {ENV_PREFIX}AUTHORITY_URL")
    if error.code == UNREACHABLE:
        return (f"let this host reach {settings.authority_host} (proxy, firewall); with a "
                f"TLS-inspecting proxy set {ENV_PREFIX}CA_BUNDLE")
    fixes = {
        7000215: f"{ENV_PREFIX}CLIENT_SECRET is not a secret of this app: copy the secret's "
                 f"Value (not its Secret ID) from {PORTAL} → Certificates & secrets",
        7000222: f"the client secret has expired: create a new one under {PORTAL} → "
                 f"Certificates & secrets and set {ENV_PREFIX}CLIENT_SECRET to its Value, "
                 "or switch to a certificate",
        700027: f"Entra does not accept the certificate: upload it under {PORTAL} → "
                "Certificates & secrets → Certificates (the thumbprint above must be listed "
                "there, not expired)",
        700016: f"no application {settings.client_id} in tenant {settings.tenant_id}: copy "
                f"the Application (client) ID from the app's overview into {client}, and "
                f"check {tenant}",
        90002: f"no tenant {settings.tenant_id}: copy the Directory (tenant) ID into "
               f"{tenant}; check {ENV_PREFIX}CLOUD",
        500011: f"this tenant does not know {settings.graph_root}: check {ENV_PREFIX}CLOUD "
                f"and {ENV_PREFIX}GRAPH_URL",
        700024: "the certificate's assertion is outside its valid time: check this host's "
                "clock",
    }
    if error.entra_code in fixes:
        return fixes[error.entra_code]
    if error.entra_code is not None:
        return (f"look up AADSTS{error.entra_code} at "
                f"https://login.microsoftonline.com/error?code={error.entra_code}")
    return f"check {tenant}, {client} and the secret or certificate"
