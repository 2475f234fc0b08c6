"""The adapter's public names load the SDK only when asked for."""

from __future__ import annotations

import pytest

import slotguard.graph
from slotguard.graph.client import build_gateway
from slotguard.graph.gateway import GraphGateway


def test_the_adapters_public_names_are_the_real_ones() -> None:
    assert slotguard.graph.GraphGateway is GraphGateway
    assert slotguard.graph.build_gateway is build_gateway


def test_an_unknown_name_is_an_attribute_error_naming_it() -> None:
    with pytest.raises(AttributeError, match=r"^GraphClient$"):
        _ = slotguard.graph.GraphClient  # type: ignore[attr-defined]
