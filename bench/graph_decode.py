"""How long one calendarView event takes to decode: slotguard's msgspec path (raw bytes →
domain CalendarEvent) against the SDK's Event model parse (kiota JsonParseNode →
EventCollectionResponse), on the same generated page.

    .venv/bin/python bench/graph_decode.py [--events 500] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime, timedelta

from slotguard.graph.decode import decode_event_page
from slotguard.graph.marker import KEY_PROPERTY_ID, PURPOSE_PROPERTY_ID


def make_page(count: int) -> bytes:
    """A calendarView page shaped like Graph's: attendees, organizer, some own events."""
    base = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    items = []
    for i in range(count):
        start = base + timedelta(minutes=30 * i)
        item: dict[str, object] = {
            "@odata.etag": f'W/"etag{i}"',
            "id": f"AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0AZlnW4RIAV06KYYwlrfNZvQAALGMn{i:06d}",
            "subject": f"Meeting {i}",
            "isAllDay": False,
            "isCancelled": False,
            "showAs": "busy",
            "sensitivity": "normal",
            "type": "singleInstance",
            "webLink": f"https://outlook.office365.com/owa/?itemid={i}&exvsurl=1",
            "categories": ["Customer"],
            "seriesMasterId": None,
            "responseStatus": {"response": "accepted", "time": "2026-11-20T10:03:00Z"},
            "start": {"dateTime": start.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"},
            "end": {
                "dateTime": (start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%S.0000000"),
                "timeZone": "UTC",
            },
            "attendees": [
                {
                    "type": "required",
                    "status": {"response": "accepted", "time": "0001-01-01T00:00:00Z"},
                    "emailAddress": {"name": f"Person {j}", "address": f"p{j}@fabrikam.com"},
                }
                for j in range(4)
            ],
            "organizer": {"emailAddress": {"name": "Pat", "address": "pat@fabrikam.com"}},
        }
        if i % 10 == 0:
            item["singleValueExtendedProperties"] = [
                {"id": KEY_PROPERTY_ID, "value": f"anna@contoso.com|r1|2026-11-17#comp{i}"},
                {"id": PURPOSE_PROPERTY_ID, "value": "compensation"},
            ]
        items.append(item)
    return json.dumps({"value": items}).encode()


def per_event_us(fn: object, raw: bytes, count: int, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        fn(raw)  # type: ignore[operator]
        best = min(best, time.perf_counter() - started)
    return best / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    raw = make_page(args.events)
    print(f"page: {args.events} events, {len(raw) / 1024:.0f} KiB")

    assert len(decode_event_page(raw).events) == args.events
    fast = per_event_us(decode_event_page, raw, args.events, args.rounds)
    print(f"msgspec → CalendarEvent: {fast:8.1f} µs/event")

    plain = per_event_us(json.loads, raw, args.events, args.rounds)
    print(f"json.loads only:         {plain:8.1f} µs/event")

    from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory
    from msgraph.generated.models.event_collection_response import EventCollectionResponse

    factory = JsonParseNodeFactory()

    def sdk(data: bytes) -> object:
        node = factory.get_root_parse_node("application/json", data)
        return node.get_object_value(EventCollectionResponse)

    started = time.perf_counter()
    sdk(make_page(1))
    print(f"SDK first parse (module imports): {time.perf_counter() - started:.2f} s")
    slow = per_event_us(sdk, raw, args.events, max(1, args.rounds // 2))
    print(f"SDK Event models:        {slow:8.1f} µs/event")
    print(f"speed-up: {slow / fast:.0f}x")


if __name__ == "__main__":
    main()
