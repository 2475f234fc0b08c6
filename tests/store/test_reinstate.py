"""reinstate(): a withdrawn write wanted again is re-armed; nothing else is touched."""

from __future__ import annotations

import pytest

from slotguard.store.ledger import Ledger

KEY = "anna.berg@contoso.com|prospecting|2026-11-24#comp1"
SELLER = "anna.berg@contoso.com"


def test_withdrawn_action_is_rearmed_with_its_new_payload(ledger: Ledger) -> None:
    ledger.intend(KEY, SELLER, "compensation", KEY.partition("#")[0], {"revision": 0})
    ledger.complete(KEY, "evt-1")
    ledger.mark_withdrawn(KEY)
    record = ledger.reinstate(KEY, {"revision": 1})
    assert (record.state, record.attempts, record.payload) == ("intended", 2, {"revision": 1})
    assert [r.key for r in ledger.pending_actions(seller=SELLER)] == [KEY]
    ledger.complete(KEY, "evt-2")
    assert ledger.action(KEY).graph_id == "evt-2"  # type: ignore[union-attr]


def test_only_withdrawn_actions_change(ledger: Ledger) -> None:
    ledger.intend(KEY, SELLER, "compensation")
    ledger.complete(KEY, "evt-1")
    record = ledger.reinstate(KEY, {"revision": 1})
    assert (record.state, record.graph_id, record.payload) == ("done", "evt-1", None)


def test_unknown_key_is_an_error(ledger: Ledger) -> None:
    with pytest.raises(LookupError, match="call intend"):
        ledger.reinstate(KEY)
