"""The unmodified msal and msgraph-sdk clients, configured only from the SLOTGUARD_* settings
a SimServer hands out (the way slotguard's own adapter is configured).

This glue is test-local on purpose: it proves the simulator speaks the wire protocol those
libraries expect, independently of the production adapter in slotguard.graph.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any
from urllib.parse import urlsplit

import httpx
import msal
import requests
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from kiota_http.kiota_client_factory import KiotaClientFactory
from kiota_http.middleware.options import RetryHandlerOption
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph_core import GraphClientFactory


def msal_app(env: dict[str, str]) -> msal.ConfidentialClientApplication:
    session = requests.Session()
    # REQUESTS_CA_BUNDLE is set on this machine and would override Session.verify.
    session.trust_env = False
    session.verify = env["SLOTGUARD_CA_BUNDLE"]
    return msal.ConfidentialClientApplication(
        env["SLOTGUARD_CLIENT_ID"],
        client_credential=env["SLOTGUARD_CLIENT_SECRET"],
        authority=f"{env['SLOTGUARD_AUTHORITY_URL']}/{env['SLOTGUARD_TENANT_ID']}",
        instance_discovery=False,
        http_client=session,
    )


def graph_scope(env: dict[str, str]) -> list[str]:
    return [env["SLOTGUARD_GRAPH_URL"].rstrip("/") + "/.default"]


class MsalTokenProvider(AccessTokenProvider):
    def __init__(
        self, app: msal.ConfidentialClientApplication, scopes: list[str], hosts: list[str]
    ) -> None:
        self._app = app
        self._scopes = scopes
        self._hosts = AllowedHostsValidator(hosts)

    async def get_authorization_token(
        self, uri: str, additional_authentication_context: dict[str, Any] | None = None
    ) -> str:
        if not self._hosts.is_url_host_valid(uri):
            return ""
        result = await asyncio.to_thread(self._app.acquire_token_for_client, scopes=self._scopes)
        if "access_token" not in result:
            raise RuntimeError(f"{result.get('error')}: {result.get('error_description')}")
        return str(result["access_token"])

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self._hosts


def graph_client(
    env: dict[str, str], app: msal.ConfidentialClientApplication | None = None, max_retries: int = 0
) -> GraphServiceClient:
    app = app or msal_app(env)
    host = urlsplit(env["SLOTGUARD_GRAPH_URL"]).hostname or ""
    auth = BaseBearerTokenAuthenticationProvider(MsalTokenProvider(app, graph_scope(env), [host]))
    tls = ssl.create_default_context(cafile=env["SLOTGUARD_CA_BUNDLE"])
    middleware = KiotaClientFactory.get_default_middleware(
        {RetryHandlerOption.get_key(): RetryHandlerOption(max_retries=max_retries, delay=0)}
    )
    http = GraphClientFactory.create_with_custom_middleware(
        middleware, client=httpx.AsyncClient(verify=tls, timeout=10)
    )
    adapter = GraphRequestAdapter(auth, client=http)
    # A trailing slash on purpose: kiota then sends "/v1.0//users/..." and the simulator,
    # like Graph, must cope.
    adapter.base_url = env["SLOTGUARD_GRAPH_URL"] + "/v1.0/"
    return GraphServiceClient(request_adapter=adapter)
