"""What the ledger keeps after real scans: no meeting subjects, no attendee addresses, in
a file only its owner can read — and writes that name a meeting still name it when the
window came from the ledger's snapshot."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

from tests.e2e.conftest import Live

from slotguard.errors import TransientGraphError
from slotguard.graph import build_gateway
from slotguard.store.ledger import Ledger
from slotguard.store.schema import delta_links, violations


def _calendar_texts(live: Live) -> tuple[set[str], set[str]]:
    subjects, addresses = set(), set()
    for user in live.sim.tenant.users.values():
        upn = user.upn if hasattr(user, "upn") else user["userPrincipalName"]
        for event in live.sim.tenant.events_of(upn):
            if len(event.get("subject") or "") > 4:
                subjects.add(event["subject"])
            for attendee in event.get("attendees") or []:
                address = attendee.get("emailAddress", {}).get("address", "")
                if "@" in address:
                    addresses.add(address.lower())
    return subjects, addresses


def test_the_ledger_keeps_no_subjects_or_addresses(live: Live) -> None:
    report = live.scan()
    assert report.totals()["violations"] > 0
    subjects, addresses = _calendar_texts(live)
    assert subjects and addresses
    with Ledger.open(live.settings.database_url_resolved) as ledger, ledger._read() as conn:
        snapshots = [bytes(s) for s in conn.execute(delta_links.select().with_only_columns(
            delta_links.c.snapshot)).scalars() if s]
        meetings = list(conn.execute(violations.select().with_only_columns(
            violations.c.meetings)).scalars())
    assert snapshots and meetings
    stored = b"\n".join(snapshots) + repr(meetings).encode()
    customers = {a for a in addresses if not a.endswith("@contoso.com")}
    assert customers
    assert [s for s in subjects if s.encode() in stored] == []
    assert [a for a in addresses if a.encode() in stored] == []
    assert any(("@" + a.rpartition("@")[2]).encode() in stored for a in customers)
    database = Path(live.settings.database_url_resolved.removeprefix("sqlite:///"))
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(live.settings.state_dir.stat().st_mode) == 0o700


def test_a_write_retried_from_the_snapshot_still_names_the_meeting(live: Live) -> None:
    """To Do fails in the first cycle; the second reads the unchanged window from the
    ledger's snapshot (no subjects) and must still title the task after the meeting."""

    async def main() -> None:
        gateway = build_gateway(live.settings)
        service = live.service(gateway)

        async def refused(*_args: object, **_kw: object) -> str:
            raise TransientGraphError("To Do is down", status=503)

        try:
            gateway.create_task = refused  # type: ignore[method-assign]
            first = await service.scanner.scan(week=live.week)
            assert first.totals()["violations"] and not any(
                t.status == "written" for s in first.sellers for t in s.tasks)
            del gateway.create_task
            live.sim.clear_requests()
            second = await service.scanner.scan(week=live.week)
            written = [t for s in second.sellers for t in s.tasks if t.status == "written"]
            assert written, second.totals()
        finally:
            await service.aclose()
            await gateway.aclose()

    asyncio.run(main())
    subjects, _ = _calendar_texts(live)
    titles = [t["title"] for user in live.sim.tenant.users.values()
              for t in live.sim.tenant.tasks_of(user.upn if hasattr(user, "upn")
                                                 else user["userPrincipalName"])]
    follow_ups = [t for t in titles if t.startswith("Follow up:")]
    assert follow_ups and not [t for t in follow_ups if "(no subject)" in t]
    assert all(any(s in t for s in subjects) for t in follow_ups), follow_ups
