"""Microsoft's national clouds: where Graph and Entra ID live for each, and endpoint overrides.

Tokens do not cross clouds, so the cloud decides both the Graph root and the authority.
Explicit overrides (a reverse proxy, the simulator) are normalised here so that every caller
can append "/v1.0" or "/<tenant>" without producing "//" (the SDK sends doubled slashes
verbatim).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit, urlunsplit

from slotguard.config._validation import fail, shown

GRAPH_VERSION = "v1.0"


class Cloud(StrEnum):
    GLOBAL = "global"
    USGOV = "usgov"  # GCC High (L4)
    USGOV_DOD = "usgov-dod"  # DoD (L5)
    CHINA = "china"  # operated by 21Vianet


@dataclass(frozen=True, slots=True)
class CloudEndpoints:
    graph_root: str
    authority_host: str


# Microsoft Graph national cloud deployments (learn.microsoft.com: graph/deployments).
# The 21Vianet sign-in host is the one Microsoft Entra's own table of authentication
# endpoints gives (learn.microsoft.com/entra/identity-platform/authentication-national-cloud:
# "https://login.partner.microsoftonline.cn"); msal names the host graph/deployments still
# lists, login.chinacloudapi.cn, DEPRECATED_AZURE_CHINA (msal/authority.py, msal 1.39).
CLOUDS: dict[Cloud, CloudEndpoints] = {
    Cloud.GLOBAL: CloudEndpoints("https://graph.microsoft.com", "https://login.microsoftonline.com"),
    Cloud.USGOV: CloudEndpoints("https://graph.microsoft.us", "https://login.microsoftonline.us"),
    Cloud.USGOV_DOD: CloudEndpoints(
        "https://dod-graph.microsoft.us", "https://login.microsoftonline.us"
    ),
    Cloud.CHINA: CloudEndpoints(
        "https://microsoftgraph.chinacloudapi.cn", "https://login.partner.microsoftonline.cn"
    ),
}


def https_root(value: str | None, *, strip_version: bool, example: str) -> str | None:
    """Normalise an endpoint override: https only, no trailing "/" (nor "/v1.0" for Graph)."""
    if value is None:
        return None
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise fail(
            f"must be an https:// URL such as {example} (got {shown(text)})"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise fail(f"must be a plain https URL without query, fragment or user (got {shown(text)})")
    path = parts.path.rstrip("/")
    if strip_version and path.lower().endswith("/" + GRAPH_VERSION):
        path = path[: -len(GRAPH_VERSION) - 1].rstrip("/")
    if strip_version and path.lower().endswith("/beta"):
        raise fail("points at Graph beta; give the Graph root, slotguard appends /v1.0")
    return urlunsplit(("https", parts.netloc.lower(), path, "", ""))
