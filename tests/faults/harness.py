"""What the fault and replica tests share: a generated tenant in the simulator, a scan run
in this process with an injected clock and an instant retry sleep, and the outcome read
back from both sides — the ledger and the simulator's calendars and To Do lists.

"Exactly once" is checked against Graph's state, not the scan's report: every slotguard
marker key and every task key appears at most once per mailbox, every compensated
violation has exactly ``compensation_count`` compensations, and every follow-up task the
ledger has done exists once.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx

from slotguard.config.rules import load_rules
from slotguard.config.settings import Settings, load_settings
from slotguard.domain.model import IsoWeek
from slotguard.entrypoints.bootstrap import bootstrap
from slotguard.graph.marker import KEY_PROPERTY_ID, TASK_APPLICATION
from slotguard.service.clock import FixedClock
from slotguard.service.report import ScanReport
from slotguard.sim.generate import generate_scenario
from slotguard.store.ledger import Ledger

COMPENSATIONS = 2  # the rules below keep the default compensation_count


async def no_sleep(_seconds: float) -> None:
    """The adapter's retry wait, injected: Retry-After is honoured in order, not in time."""
    await asyncio.sleep(0)


def rules_text(teams: list[dict[str, Any]]) -> str:
    lines = ["[organization]", 'internal_domains = ["contoso.com"]', ""]
    for team in teams:
        days = ", ".join(f'"{d[:3]}"' for d in team["blockDays"])
        lines += ["[[teams]]", f'name = "{team["name"]}"', f'manager = "{team["manager"]}"',
                  "sellers = [" + ", ".join(f'"{s}"' for s in team["sellers"]) + "]",
                  "[[teams.blocks]]", f"days = [{days}]", f'start = "{team["blockStart"]}"',
                  f'end = "{team["blockEnd"]}"', ""]
    lines += ["[follow_up]", "enabled = true", "", "[escalation]", "enabled = false", ""]
    return "\n".join(lines)


@dataclass
class Tenant:
    """A generated tenant: the scenario, its rules file and a fixed clock early on Monday
    of the anchor week (every block of the judged week is still ahead)."""

    scenario: dict[str, Any]
    rules_file: Path
    week: IsoWeek
    clock: FixedClock
    folder: Path

    @classmethod
    def generate(cls, sellers: int, seed: int, folder: Path) -> Tenant:
        scenario = generate_scenario(sellers, seed=seed)
        folder.mkdir(parents=True, exist_ok=True)
        rules_file = folder / "slotguard.toml"
        rules_file.write_text(rules_text(scenario["meta"]["teams"]))
        (folder / "scenario.json").write_text(json.dumps(scenario))
        week = IsoWeek.of(datetime.now(UTC).date())
        clock = FixedClock(datetime.combine(week.monday(), time(0), UTC) + timedelta(hours=1))
        return cls(scenario, rules_file, week, clock, folder)

    @property
    def sellers(self) -> list[str]:
        return [s for team in self.scenario["meta"]["teams"] for s in team["sellers"]]

    def env(self, sim: Any, database_url: str, **extra: str) -> dict[str, str]:
        return {**sim.env(), "SLOTGUARD_DATABASE_URL": database_url,
                "SLOTGUARD_STATE_DIR": str(self.folder / "state"),
                "SLOTGUARD_RULES_FILE": str(self.rules_file), **extra}


def settings_from(env: dict[str, str]) -> Settings:
    prefix = "SLOTGUARD_"
    return load_settings(**{k[len(prefix):].lower(): v for k, v in env.items()
                            if k.startswith(prefix)})


Wrap = Callable[[Any], Any]


def scan_once(tenant: Tenant, env: dict[str, str], *, wrap: Wrap | None = None,
              transport: Any = None, later: timedelta = timedelta(0)) -> ScanReport:
    """One scan cycle in this process: the real adapter (msal, msgraph-sdk, the pipeline)
    with the retry sleep replaced, the ledger at ``env``'s database, the tenant's clock
    (``later`` moves it on, e.g. past the leases a killed process left behind)."""
    from slotguard.graph.client import build_gateway

    async def main() -> ScanReport:
        settings = settings_from(env)
        gateway = build_gateway(settings, sleep=no_sleep, transport=transport)
        service = bootstrap(settings, load_rules(tenant.rules_file),
                            gateway=wrap(gateway) if wrap else gateway,
                            clock=FixedClock(tenant.clock.instant + later))
        try:
            return await service.scanner.scan(week=tenant.week)
        finally:
            await service.aclose()
            await gateway.aclose()

    return asyncio.run(main())


@dataclass
class Outcome:
    """What a scan left behind, without ids that differ between runs."""

    violations: list[tuple[str, str, str]]  # key, kind, state
    actions: list[tuple[str, str, str]]  # key, kind, state
    compensations: list[tuple[str, str, str]]  # key, start, end (UTC, from the calendar)
    event_keys: dict[str, Counter[str]] = field(default_factory=dict)  # per mailbox
    task_keys: dict[str, Counter[str]] = field(default_factory=dict)
    tasks: list[str] = field(default_factory=list)  # task keys with stable meeting names

    def comparable(self) -> tuple[Any, ...]:
        return (self.violations, self.actions, self.compensations,
                {u: dict(c) for u, c in self.event_keys.items() if c}, sorted(self.tasks))


def outcome(tenant_state: Any, database_url: str, sellers: list[str]) -> Outcome:
    """``tenant_state``: the simulator's ``Tenant`` (``sim.tenant``). Follow-up task keys
    name the meeting by its Graph id, which a reloaded scenario draws anew: they are
    compared with the meeting's subject and start instead."""
    calendars = {upn: tenant_state.events_of(upn) for upn in sellers}
    meetings = {e["id"]: f"{e.get('subject')}@{e['start']['dateTime']}"
                for events in calendars.values() for e in events}

    def stable(key: str) -> str:
        head, sep, meeting = key.partition("#task:")
        return f"{head}{sep}{meetings.get(meeting, meeting)}" if sep else key

    with Ledger.open(database_url) as ledger:
        wanted = {u.lower() for u in sellers}
        violations = sorted((v.key, v.kind, v.state) for v in ledger.violations()
                            if v.seller.lower() in wanted)
        actions = sorted((stable(a.key), a.kind, a.state) for a in ledger.actions()
                         if a.seller.lower() in wanted)
    result = Outcome(violations, actions, [])
    for upn in sellers:
        events: Counter[str] = Counter()
        for event in calendars[upn]:
            key = marker_key(event)
            if key is None:
                continue
            events[key] += 1
            if "#comp" in key:
                result.compensations.append((key, event["start"]["dateTime"],
                                             event["end"]["dateTime"]))
        tasks: Counter[str] = Counter()
        for task in tenant_state.tasks_of(upn):
            for link in task.get("linkedResources") or []:
                if link.get("applicationName") == TASK_APPLICATION and link.get("externalId"):
                    tasks[link["externalId"]] += 1
                    result.tasks.append(stable(link["externalId"]))
        result.event_keys[upn], result.task_keys[upn] = events, tasks
    result.compensations.sort()
    return result


def marker_key(event: dict[str, Any]) -> str | None:
    for prop in event.get("singleValueExtendedProperties") or []:
        if str(prop.get("id", "")).lower() == KEY_PROPERTY_ID.lower():
            return str(prop.get("value"))
    return None


def assert_no_duplicates(result: Outcome) -> None:
    for upn, keys in result.event_keys.items():
        twice = {k: n for k, n in keys.items() if n > 1}
        assert not twice, f"{upn}: events written more than once: {twice}"
    for upn, keys in result.task_keys.items():
        twice = {k: n for k, n in keys.items() if n > 1}
        assert not twice, f"{upn}: tasks written more than once: {twice}"
    comps = Counter(key.rpartition("#comp")[0] for key, _, _ in result.compensations)
    over = {k: n for k, n in comps.items() if n > COMPENSATIONS}
    assert not over, f"more than {COMPENSATIONS} compensations: {over}"


def assert_exactly_once(result: Outcome) -> None:
    """Nothing twice in Graph; every compensated violation has its compensations and every
    done task exists; nothing the ledger calls done is missing from Graph."""
    assert_no_duplicates(result)
    in_graph = {k for c in result.event_keys.values() for k in c} | set(result.tasks)
    comps = Counter(key.rpartition("#comp")[0] for key, _, _ in result.compensations)
    for key, _kind, state in result.violations:
        if state == "compensated":
            assert comps[key] == COMPENSATIONS, f"{key}: {comps[key]} compensations"
    pending = [(k, s) for k, _kind, s in result.actions if s in {"intended", "failed"}]
    assert not pending, f"{len(pending)} writes left pending: {pending[:5]}"
    missing = [k for k, kind, s in result.actions if s == "done" and kind != "mail"
               and k not in in_graph]
    assert not missing, f"{len(missing)} done in the ledger, absent from Graph: {missing[:5]}"
    for key, _kind, state in result.violations:
        assert state != "open", f"{key} left open"


Item = tuple[str, str]  # (method, lower-cased path) of a request or of one $batch item


class Tap(httpx.AsyncBaseTransport):
    """The network under the adapter: forwards to the simulator over TLS, calls
    ``before(items)`` ahead of each HTTP request (``$batch`` items listed one by one), and
    lets ``rewrite(item, body)`` replace the JSON of 200 answers, inside batches too. Tests
    act at exact points of a scan without knowing how the scan groups its requests."""

    def __init__(self, ca_file: Path, *, before: Callable[[list[Item]], None] | None = None,
                 rewrite: Callable[[Item, Any], Any] | None = None) -> None:
        self._inner = httpx.AsyncHTTPTransport(
            verify=ssl.create_default_context(cafile=str(ca_file)))
        self._before, self._rewrite = before, rewrite
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        batch = request.url.path.endswith("$batch")
        items: dict[str, Item] = {}
        if batch:
            await request.aread()
            for item in json.loads(request.content or b"{}").get("requests", []):
                items[str(item["id"])] = (str(item["method"]).upper(),
                                          str(item["url"]).lower())
        else:
            items[""] = (request.method.upper(), request.url.path.lower())
        if self._before is not None:
            self._before(list(items.values()))
        response = await self._inner.handle_async_request(request)
        if self._rewrite is None or response.status_code != 200:
            return response
        body = json.loads(await response.aread() or b"null")
        if batch:
            for answer in body.get("responses", []):
                if answer.get("status") == 200 and str(answer.get("id")) in items:
                    new = self._rewrite(items[str(answer["id"])], answer.get("body"))
                    if new is not None:
                        answer["body"] = new
        else:
            new = self._rewrite(items[""], body)
            body = new if new is not None else body
        headers = {k: v for k, v in response.headers.items()
                   if k.lower() not in {"content-length", "content-encoding"}}
        return httpx.Response(200, headers=headers, content=json.dumps(body).encode())

    async def aclose(self) -> None:
        await self._inner.aclose()
