"""The real msal + msgraph-sdk + httpx stack against the Graph simulator over HTTPS."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from tests.graph.conftest import Sleeps

from slotguard.config.settings import Settings
from slotguard.domain.model import IsoWeek, Purpose
from slotguard.dryrun import DryRunGateway
from slotguard.errors import GraphError, MailboxUnavailable, TransientGraphError
from slotguard.graph.auth import MsalTokenProvider
from slotguard.graph.client import auth_config, build_gateway
from slotguard.graph.coalesce import DEFAULT_WINDOW
from slotguard.graph.delta import WindowSync
from slotguard.graph.gateway import GraphGateway
from slotguard.memory import InMemoryCalendarGateway
from slotguard.ports import CalendarGateway, NewEvent
from slotguard.service.apply import Applier
from slotguard.service.record import Recorder
from slotguard.sim.faults import FaultOptions, FaultRule
from slotguard.sim.server import SimServer
from slotguard.store.ledger import Ledger

T = TypeVar("T")
ANNA = "anna.berg@contoso.com"
pytestmark = pytest.mark.timeout(120)


def settings_for(sim: SimServer, **extra: Any) -> Settings:
    values = {k.removeprefix("SLOTGUARD_").lower(): v for k, v in sim.env().items()}
    return Settings(_env_file=None, **(values | extra))  # type: ignore[call-arg]


def with_gateway(sim: SimServer, work: Callable[[GraphGateway], Awaitable[T]],
                 sleeps: Sleeps | None = None, *, batch_window: float | None = DEFAULT_WINDOW,
                 **extra: Any) -> T:
    async def main() -> T:
        gateway = build_gateway(settings_for(sim, **extra), sleep=sleeps or Sleeps(),
                                batch_window=batch_window)
        try:
            return await work(gateway)
        finally:
            await gateway.aclose()

    return asyncio.run(main())


def this_week() -> tuple[datetime, datetime]:
    monday = IsoWeek.of(datetime.now(UTC).date()).monday()
    start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
    return start, start + timedelta(days=7)


def compensation(key: str) -> NewEvent:
    start = this_week()[0] + timedelta(days=8, hours=13)
    return NewEvent(key=key, purpose=Purpose.COMPENSATION, subject="Prospecting (make-up)",
                    body="A customer meeting took a block.", start=start,
                    end=start + timedelta(hours=2), zone="Europe/Stockholm",
                    categories=("Prospecting",))


def test_every_calendar_adapter_implements_the_whole_port(fresh: SimServer) -> None:
    """Graph, the in-memory tenant and the dry run offer every method of the calendar
    port, bulk reads included: service tests read the way production does."""
    wanted = {name for name in vars(CalendarGateway) if not name.startswith("_")}
    assert {"mailboxes", "windows", "event"} <= wanted

    async def check(gateway: GraphGateway) -> None:
        assert all(callable(getattr(gateway, name, None)) for name in wanted)

    with_gateway(fresh, check)
    memory = InMemoryCalendarGateway()
    for adapter in (memory, DryRunGateway(memory)):
        missing = sorted(name for name in wanted if not callable(getattr(adapter, name, None)))
        assert missing == [], type(adapter).__name__


def test_reads_a_week_with_markers_and_a_mailbox(fresh: SimServer) -> None:
    async def work(gateway: GraphGateway) -> Any:
        return await gateway.mailbox(ANNA), await gateway.events(ANNA, *this_week())

    mailbox, events = with_gateway(fresh, work)
    assert mailbox.zone in {"Europe/Berlin", "Europe/Stockholm"}
    assert events and all(e.start.tzinfo is not None and e.start <= e.end for e in events)
    assert all(this_week()[0] - timedelta(days=1) < e.end for e in events)
    prefer = {r.prefer for r in fresh.requests() if "calendarView" in r.path}
    assert all(p and "ImmutableId" in p and 'outlook.timezone="UTC"' in p for p in prefer)


def test_creating_twice_with_one_key_makes_one_event(fresh: SimServer) -> None:
    """Two POSTs of one key (the gateway makes one attempt each): the transactionId makes
    them one event."""
    key = f"{ANNA}|0800-1000|2026-11-24#comp1"

    async def work(gateway: GraphGateway) -> Any:
        first = await gateway.create_event(ANNA, compensation(key))
        second = await gateway.create_event(ANNA, compensation(key))
        return first, second, await gateway.own_events(ANNA, key)

    first, second, own = with_gateway(fresh, work)
    assert first == second and [e.id for e in own] == [first]
    assert own[0].marker and own[0].marker.key == key
    posts = [r for r in fresh.requests() if r.method == "POST" and r.path.endswith("/events")]
    assert len(posts) == 2 and posts[0].transaction_id == posts[1].transaction_id
    assert posts[0].transaction_id


def test_the_apply_step_looks_before_it_writes_a_key_again(fresh: SimServer) -> None:
    """A key the ledger does not know as done is looked up first: found, it is not
    written again (the second applier stands for a lost ledger)."""
    key = f"{ANNA}|0800-1000|2026-11-24#comp1"

    async def work(gateway: GraphGateway) -> Any:
        with Ledger.open("sqlite://", migrate=True) as first, \
                Ledger.open("sqlite://", migrate=True) as lost:
            one = await Applier(gateway, Recorder(first, ANNA), {}).event(
                "compensation", compensation(key))
            two = await Applier(gateway, Recorder(lost, ANNA), {}).event(
                "compensation", compensation(key))
        return one, two

    (status, first), (again, second) = with_gateway(fresh, work)
    assert (status, again) == ("written", "recovered") and first == second
    posts = [r for r in fresh.requests() if r.method == "POST" and r.path.endswith("/events")]
    assert len(posts) == 1


def test_deleting_refuses_the_sellers_own_events(fresh: SimServer) -> None:
    start = this_week()[0] + timedelta(days=9, hours=8)
    theirs = fresh.tenant.add_event(ANNA, "Dentist", start, start + timedelta(hours=1))
    key = f"{ANNA}|r|x#comp2"

    async def work(gateway: GraphGateway) -> Any:
        ours = await gateway.create_event(ANNA, compensation(key))
        with pytest.raises(GraphError) as refused:
            await gateway.delete_event(ANNA, theirs)
        assert refused.value.code == "NotSlotguardEvent"
        assert str(refused.value) == (
            f"event {theirs} of {ANNA} does not carry slotguard's marker; not deleting an"
            " event slotguard did not create")
        await gateway.delete_event(ANNA, ours)
        await gateway.delete_event(ANNA, ours)  # already gone: fine
        return await gateway.own_events(ANNA, key)

    assert with_gateway(fresh, work) == []
    assert any(e["id"] == theirs for e in fresh.tenant.events_of(ANNA))


def test_token_expiry_mid_run_is_survived(fresh: SimServer) -> None:
    async def work(gateway: GraphGateway) -> Any:
        await gateway.events(ANNA, *this_week())
        fresh.expire_tokens()
        return await gateway.events("erik.holm@contoso.com", *this_week())

    assert with_gateway(fresh, work) is not None
    assert [r.status for r in fresh.requests() if "calendarView" in r.path] == [200, 401, 200]


def test_missing_and_denied_mailboxes(fresh: SimServer) -> None:
    fresh.tenant.remove_mailbox("erik.holm@contoso.com")
    fresh.tenant.set_access_denied("sara.nyberg@contoso.com")

    async def work(gateway: GraphGateway) -> list[str]:
        reasons = []
        for upn in ("erik.holm@contoso.com", "sara.nyberg@contoso.com", "nobody@contoso.com"):
            with pytest.raises(MailboxUnavailable) as caught:
                await gateway.events(upn, *this_week())
            reasons.append(caught.value.reason)
        return reasons

    assert with_gateway(fresh, work) == ["missing", "access_denied", "not_found"]


def test_429_retry_after_is_honoured_with_the_injected_sleep(fresh: SimServer) -> None:
    fresh.set_faults(FaultOptions(rules=(FaultRule(status=429, path_contains="calendarView",
                                                   times=2, retry_after=2.5),)))
    sleeps = Sleeps()
    events = with_gateway(fresh, lambda g: g.events(ANNA, *this_week()), sleeps)
    assert events and sleeps.calls == [2.5, 2.5]


def test_retry_after_over_the_cap_surfaces(fresh: SimServer) -> None:
    fresh.set_faults(FaultOptions(rules=(FaultRule(status=429, path_contains="calendarView",
                                                   times=None, retry_after=120),)))
    sleeps = Sleeps()
    with pytest.raises(TransientGraphError) as caught:
        with_gateway(fresh, lambda g: g.events(ANNA, *this_week()), sleeps,
                     retry_max_wait_seconds=30)
    assert caught.value.retry_after == 120 and sleeps.calls == []


def test_group_members_are_users_upns(fresh: SimServer) -> None:
    found = with_gateway(fresh, lambda g: g.group_members("3f2a5c1e-7b8d-4e21-9a0f-5d6c7b8a9e01"))
    assert set(found.upns) == {f"{n}@contoso.com" for n in
                               ("emma.clark", "liam.turner", "olivia.hayes", "noah.price")}
    assert (found.disabled, found.unknown_state, found.unnamed) == (0, 0, 0)


def test_tasks_are_created_once_and_found_again(fresh: SimServer) -> None:
    from datetime import date

    from slotguard.domain.followup import FollowUpTask
    from slotguard.domain.model import Weekday
    from slotguard.ports import NewTask, WeeklyRecurrence

    task = NewTask(key=f"{ANNA}|r|2026-11-24#task:m1", title="Follow up", body="Call back",
                   due=date(2026, 11, 26), zone="Europe/Stockholm",
                   recurrence=WeeklyRecurrence(frozenset({Weekday.THURSDAY}), date(2026, 11, 26)),
                   link_url="https://outlook.example/m1", link_title="Fabrikam renewal")

    planned = FollowUpTask(task.key, task.due, task.zone, Weekday.THURSDAY)

    async def work(gateway: GraphGateway) -> Any:
        list_id = await gateway.ensure_task_list(ANNA, "Prospecting follow-up")
        again = await gateway.ensure_task_list(ANNA, "Prospecting follow-up")
        # To Do has no transactionId: only the apply step's look keeps a second attempt
        # (here: with a ledger that lost the first) from writing the task twice.
        with Ledger.open("sqlite://", migrate=True) as first_ledger, \
                Ledger.open("sqlite://", migrate=True) as lost:
            _, first = await Applier(gateway, Recorder(first_ledger, ANNA), {}).task(
                planned, task, "Prospecting follow-up")
            status, second = await Applier(gateway, Recorder(lost, ANNA), {}).task(
                planned, task, "Prospecting follow-up")
        return list_id, again, first, (status, second), await gateway.find_task(
            ANNA, list_id, task.key)

    list_id, again, first, (status, second), found = with_gateway(fresh, work)
    assert list_id == again and first == second == found and status == "recovered"
    created = [t for t in fresh.tenant.tasks_of(ANNA) if t.get("title") == "Follow up"]
    assert len(created) == 1 and created[0].get("recurrence")


def test_batch_reads_many_mailboxes_and_retries_a_throttled_item_alone(fresh: SimServer) -> None:
    fresh.set_faults(FaultOptions(rules=(FaultRule(status=429, in_batch=True, times=1,
                                                   mailbox="erik.holm@contoso.com",
                                                   retry_after=1.5),)))
    fresh.tenant.remove_mailbox("johan.ek@contoso.com")
    upns = [ANNA, "erik.holm@contoso.com", "johan.ek@contoso.com", "emma.clark@contoso.com"]
    sleeps = Sleeps()
    result = with_gateway(fresh, lambda g: g.mailboxes(upns), sleeps)
    assert isinstance(result["johan.ek@contoso.com"], MailboxUnavailable)
    assert result[ANNA].zone and result["emma.clark@contoso.com"].zone == "America/New_York"  # type: ignore[union-attr]
    assert result["erik.holm@contoso.com"].working_hours.days  # type: ignore[union-attr]
    assert sleeps.calls == [1.5]
    items = [r for r in fresh.requests() if r.batch_item]
    assert len(items) == 5  # four, then erik's alone
    assert len([r for r in fresh.requests() if r.path.endswith("$batch")]) == 2


def test_delta_round_trip_and_fallback(fresh: SimServer) -> None:
    window = this_week()
    start = window[0] + timedelta(days=2, hours=12)

    async def work(gateway: GraphGateway) -> Any:
        sync = WindowSync(gateway)
        first = await sync.sync(ANNA, *window, None, None)
        fresh.clear_requests()
        quiet = await sync.sync(ANNA, *window, first.snapshot, first.delta_link)
        quiet_requests = len(fresh.requests())
        new_id = fresh.tenant.add_event(ANNA, "Litware demo", start, start + timedelta(hours=1),
                                        attendees=["lee@litware.example"])
        own = replace(compensation(f"{ANNA}|r|d#comp1"), start=start + timedelta(hours=2),
                      end=start + timedelta(hours=3))
        own_id = await gateway.create_event(ANNA, own)
        changed = await sync.sync(ANNA, *window, quiet.snapshot, quiet.delta_link)
        fresh.expire_delta_tokens(ANNA)
        after_expiry = await sync.sync(ANNA, *window, changed.snapshot, changed.delta_link)
        return first, quiet, quiet_requests, new_id, own_id, changed, after_expiry

    first, quiet, quiet_requests, new_id, own_id, changed, after = with_gateway(fresh, work)
    assert first.full_read and not quiet.full_read and quiet_requests == 1
    assert [e.id for e in quiet.events] == [e.id for e in first.events]
    assert new_id in {e.id for e in changed.events} and not changed.full_read
    # Delta cannot $expand the marker: the new own event got it by one lookup by id.
    (mine,) = [e for e in changed.events if e.id == own_id]
    assert mine.marker and mine.marker.key == f"{ANNA}|r|d#comp1"
    assert after.full_read and {e.id for e in after.events} == {e.id for e in changed.events}


SALES = "3f2a5c1e-7b8d-4e21-9a0f-5d6c7b8a9e01"


def test_group_members_and_mailbox_settings_are_read_once_then_cached(fresh: SimServer) -> None:
    async def work(gateway: GraphGateway) -> Any:
        first = await gateway.group_members(SALES)
        again = await gateway.group_members(SALES)
        boxes = await gateway.mailboxes([ANNA])
        more = await gateway.mailboxes([ANNA.upper(), "erik.holm@contoso.com"])
        return first, again, boxes, more

    first, again, boxes, more = with_gateway(fresh, work)
    assert again == first and len(first.upns) == 4
    assert more[ANNA.upper()] == boxes[ANNA]  # the cache is by lower-case UPN
    assert more["erik.holm@contoso.com"].zone  # type: ignore[union-attr]
    members = [r for r in fresh.requests() if "transitiveMembers" in r.path]
    settings = [r for r in fresh.requests() if "mailboxSettings" in r.path]
    assert len(members) == 1 and len(settings) == 2  # anna once, then erik


def test_a_mail_reaches_the_outbox_and_a_503_is_not_sent_blindly_again(fresh: SimServer) -> None:
    manager = "maria.lind@contoso.com"
    with_gateway(fresh, lambda g: g.send_mail(manager, [ANNA], "3 lost blocks", "Details"))
    (sent,) = fresh.outbox()
    assert sent["from"] == manager and sent["saveToSentItems"] is True
    assert sent["message"] == {
        "subject": "3 lost blocks", "body": {"contentType": "text", "content": "Details"},
        "toRecipients": [{"emailAddress": {"address": ANNA}}]}
    fresh.set_faults(FaultOptions(rules=(FaultRule(status=503, path_contains="sendMail"),)))
    with pytest.raises(TransientGraphError):
        with_gateway(fresh, lambda g: g.send_mail(manager, [ANNA], "again", "Details"))
    assert len([r for r in fresh.requests() if "sendMail" in r.path]) == 2  # one each
    assert len(fresh.outbox()) == 1


def test_a_batched_read_that_met_a_503_is_read_again_after_its_retry_after(
        fresh: SimServer) -> None:
    fresh.set_faults(FaultOptions(rules=(FaultRule(status=503, in_batch=True, times=1,
                                                   mailbox="erik.holm@contoso.com",
                                                   retry_after=0.75),)))
    sleeps = Sleeps()
    upns = [ANNA, "erik.holm@contoso.com"]
    result = with_gateway(fresh, lambda g: g.mailboxes(upns), sleeps)
    assert all(result[upn].zone for upn in upns)  # type: ignore[union-attr]
    assert sleeps.calls == [0.75]
    erik = [r for r in fresh.requests() if r.batch_item and r.mailbox == "erik.holm@contoso.com"]
    assert [r.status for r in erik] == [503, 200]


def test_a_batched_read_throttled_every_time_gives_up_after_the_last_attempt(
        fresh: SimServer) -> None:
    fresh.set_faults(FaultOptions(rules=(FaultRule(status=429, in_batch=True, times=None,
                                                   mailbox="erik.holm@contoso.com",
                                                   retry_after=0.25),)))
    sleeps = Sleeps()
    upns = [ANNA, "erik.holm@contoso.com"]
    result = with_gateway(fresh, lambda g: g.mailboxes(upns), sleeps, retry_max_attempts=3)
    assert result[ANNA].zone  # type: ignore[union-attr]
    assert isinstance(result["erik.holm@contoso.com"], TransientGraphError)
    assert sleeps.calls == [0.25, 0.25]  # three attempts in all
    erik = [r for r in fresh.requests() if r.batch_item and r.mailbox == "erik.holm@contoso.com"]
    assert len(erik) == 3


def test_only_the_refused_token_is_forgotten(fresh: SimServer) -> None:
    settings = settings_for(fresh)
    tokens = MsalTokenProvider(auth_config(settings))
    url = f"{settings.graph_url}/users"

    def token() -> str:
        return asyncio.run(tokens.get_authorization_token(url))

    def sign_ins() -> int:
        return len([r for r in fresh.requests() if r.path.endswith("/token")])

    first = token()
    tokens.invalidate("an-older-token")  # a 401 for a request signed before a refresh
    assert token() == first and sign_ins() == 1
    tokens.invalidate(first)
    assert token() != first and sign_ins() == 2
    tokens.invalidate(None)  # nothing known about the refused token: forget whatever is held
    token()
    assert sign_ins() == 3


def test_the_task_list_is_found_by_name_whatever_its_case_and_remembered(
        fresh: SimServer) -> None:
    list_id = with_gateway(fresh, lambda g: g.ensure_task_list(ANNA, "Prospecting follow-up"))
    fresh.clear_requests()

    async def again(gateway: GraphGateway) -> Any:
        found = await gateway.ensure_task_list(ANNA, "PROSPECTING Follow-Up")
        before = len(fresh.requests())
        cached = await gateway.ensure_task_list(ANNA.upper(), "prospecting follow-up")
        return found, cached, len(fresh.requests()) - before

    found, cached, requests = with_gateway(fresh, again)
    assert found == cached == list_id and requests == 0
    lists = [r for r in fresh.requests() if "todo/lists" in r.path]
    assert lists and all(r.method == "GET" for r in lists)  # found again, not created
