"""The Microsoft Graph adapter: msal sign-in, msgraph-sdk request builders and middleware,
fast msgspec decoding, delta sync and JSON batching behind the CalendarGateway port."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slotguard.graph.client import build_gateway
    from slotguard.graph.gateway import GraphGateway

__all__ = ["GraphGateway", "build_gateway"]


def __getattr__(name: str) -> object:
    # The SDK costs ~0.3 s to import: only pay it when the adapter is actually used.
    if name == "build_gateway":
        from slotguard.graph.client import build_gateway

        return build_gateway
    if name == "GraphGateway":
        from slotguard.graph.gateway import GraphGateway

        return GraphGateway
    raise AttributeError(name)
