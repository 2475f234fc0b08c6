"""How slotguard recognises its own Graph items and makes its writes idempotent.

Two single-value extended properties mark an event as slotguard's: ``slotguard.key`` holds
the idempotency key verbatim (so ``$filter ... ep/value eq '<key>'`` finds it exactly) and
``slotguard.purpose`` holds ``block`` or ``compensation``. Keeping the purpose in its own
property, rather than as a prefix of the key, lets a lookup by key stay an ``eq`` filter
without knowing the purpose. The ``transactionId`` of every POST is ``uuid5`` of the key,
so a retried create is collapsed by Exchange while it still remembers the id; the marker
lookup before each POST covers the time after it has forgotten.
"""

from __future__ import annotations

import uuid

from slotguard.domain.keys import parse_compensation_key
from slotguard.domain.model import OwnMarker, Purpose

# Fixed forever: changing it would orphan every event slotguard ever wrote.
PROPERTY_SET = uuid.UUID("6a1c4f0e-93b2-4d7a-8e5f-2b9c7d104a38")
KEY_PROPERTY_ID = f"String {{{PROPERTY_SET}}} Name slotguard.key"
PURPOSE_PROPERTY_ID = f"String {{{PROPERTY_SET}}} Name slotguard.purpose"

# The expand clause that brings both marker properties back with an event.
EXPAND_MARKER = (
    f"singleValueExtendedProperties($filter=id eq '{KEY_PROPERTY_ID}'"
    f" or id eq '{PURPOSE_PROPERTY_ID}')"
)

TASK_APPLICATION = "slotguard"
# Tasks written before the key moved out of sight carry it as a line of their note too;
# they are still recognised by it.
LEGACY_TASK_KEY_PREFIX = "slotguard-key: "


def transaction_id(key: str, revision: int = 0) -> str:
    """The deterministic transactionId for the write identified by ``key``; a later
    ``revision`` (the key written again after slotguard withdrew it) gets its own, so
    Exchange cannot answer with the deleted first write."""
    return str(uuid.uuid5(PROPERTY_SET, key if revision == 0 else f"{key}@{revision}"))


def filter_by_key(key: str) -> str:
    """An OData ``$filter`` matching events whose key property equals ``key``."""
    return (
        f"singleValueExtendedProperties/any(ep: ep/id eq '{KEY_PROPERTY_ID}'"
        f" and ep/value eq '{quote(key)}')"
    )


def marker_properties(purpose: Purpose, key: str) -> list[tuple[str, str]]:
    return [(KEY_PROPERTY_ID, key), (PURPOSE_PROPERTY_ID, purpose.value)]


def marker_from_properties(props: dict[str, str]) -> OwnMarker | None:
    """Read our marker back from an event's extended properties (ids compared without
    case: Exchange may echo the property-set GUID in upper case)."""
    by_id = {k.lower(): v for k, v in props.items()}
    key = by_id.get(KEY_PROPERTY_ID.lower())
    if not key:
        return None
    raw_purpose = by_id.get(PURPOSE_PROPERTY_ID.lower(), "")
    try:
        purpose = Purpose(raw_purpose)
    except ValueError:
        # An event with our key but no (or an unknown) purpose is still ours; the key
        # suffix tells a compensation from a block series.
        purpose = (Purpose.COMPENSATION if parse_compensation_key(key) is not None
                   else Purpose.BLOCK)
    return OwnMarker(purpose=purpose, key=key)


def quote(value: str) -> str:
    """OData string literal escaping: a single quote is doubled."""
    return value.replace("'", "''")
