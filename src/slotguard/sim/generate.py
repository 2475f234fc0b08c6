"""A tenant of N sellers with realistic weeks, the same for the same seed, for benchmarks.

Sellers come in teams of eight (a manager each, an Entra group per team) spread over a few
time zones. Each seller's calendar around the anchor week holds about 40 instances: a daily
stand-up and a weekly 1:1 (recurring series, one with an exception and a cancelled
occurrence), a fortnightly team meeting, and single events - customer meetings (some over the
team's prospecting block), internal meetings, focus time, one declined, one cancelled, one
tentative. ``meta.teams`` tells a benchmark which block times the teams keep, so it can write
matching rules.

    SimServer(scenario=generate_scenario(500, seed=7))
    slotguard sim --scenario generate:500:7
"""

from __future__ import annotations

import random
import uuid
from typing import Any

TENANT_ID = "7d3f1a62-2c4b-4c8e-9a55-1f0e2d3c4b5a"
CLIENT_ID = "5b8e9c21-6d4f-4a3b-8e7d-2c1b0a9f8e7d"
_ZONES = [
    # (mailbox zone, block days, block start, block end, working hours)
    ("W. Europe Standard Time", ["tuesday", "thursday"], "08:00", "10:00", ("08:00", "17:00")),
    ("Eastern Standard Time", ["monday", "wednesday"], "09:00", "11:00", ("09:00", "18:00")),
    ("GMT Standard Time", ["tuesday", "friday"], "09:00", "11:00", ("09:00", "17:30")),
    ("Pacific Standard Time", ["monday", "thursday"], "08:00", "10:00", ("08:00", "17:00")),
]
_DAYS = ["mon", "tue", "wed", "thu", "fri"]
_CUSTOMERS = ["fabrikam.com", "northwind.example", "adatum.com", "litware.example"]
_FIRST = [
    "alex",
    "bea",
    "carl",
    "dina",
    "emil",
    "fay",
    "gus",
    "hana",
    "ivan",
    "jo",
    "kai",
    "lena",
    "milo",
    "nina",
    "omar",
    "pia",
    "quinn",
    "rosa",
    "sam",
    "tara",
    "uma",
    "vik",
    "wes",
    "xena",
]
_LAST = [
    "andersson",
    "brown",
    "chen",
    "dahl",
    "evans",
    "fischer",
    "garcia",
    "holm",
    "ito",
    "jensen",
    "khan",
    "lopez",
    "meyer",
    "nolan",
    "olsen",
    "park",
    "quist",
    "rossi",
    "smith",
    "tran",
]
_INTERNAL = [
    "Pipeline review",
    "Deal strategy",
    "Forecast call",
    "Enablement",
    "Account planning",
    "Proposal review",
    "Marketing sync",
]
_CUSTOMER = ["discovery call", "demo", "pricing review", "renewal", "QBR", "onboarding", "workshop"]


def _id(seed: int, key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"slotguard-sim/{seed}/{key}"))


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def generate_scenario(sellers: int, seed: int = 0, team_size: int = 8) -> dict[str, Any]:
    if sellers < 1:
        raise ValueError("sellers must be at least 1")
    rng = random.Random(seed)
    users: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    teams: list[dict[str, Any]] = []
    for team in range((sellers + team_size - 1) // team_size):
        zone, block_days, block_start, block_end, hours = _ZONES[team % len(_ZONES)]
        manager = f"manager{team + 1:03d}@contoso.com"
        users.append(
            {
                "id": _id(seed, manager),
                "upn": manager,
                "displayName": f"Manager {team + 1}",
                "timeZone": zone,
                "jobTitle": "Sales Manager",
                "workingHours": {"startTime": hours[0], "endTime": hours[1]},
            }
        )
        members = []
        for i in range(min(team_size, sellers - team * team_size)):
            n = team * team_size + i
            last = _LAST[(n // len(_FIRST)) % len(_LAST)]
            upn = f"{_FIRST[n % len(_FIRST)]}.{last}{n + 1}@contoso.com"
            members.append(upn)
            users.append(
                {
                    "id": _id(seed, upn),
                    "upn": upn,
                    "displayName": upn.split("@")[0].title(),
                    "timeZone": zone,
                    "manager": manager,
                    "jobTitle": "Account Executive",
                    "workingHours": {"startTime": hours[0], "endTime": hours[1]},
                }
            )
        group_id = _id(seed, f"team{team}")
        groups.append({"id": group_id, "displayName": f"Sales team {team + 1}", "members": members})
        teams.append(
            {
                "name": f"Sales team {team + 1}",
                "groupId": group_id,
                "manager": manager,
                "timeZone": zone,
                "blockDays": block_days,
                "blockStart": block_start,
                "blockEnd": block_end,
                "sellers": members,
            }
        )
        events.append(
            {
                "mailbox": [manager, *members],
                "week": -6,
                "day": "wed",
                "start": "15:00",
                "end": "16:00",
                "subject": f"Sales team {team + 1} meeting",
                "organizer": manager,
                "attendees": members,
                "recurrence": {"type": "weekly", "interval": 2},
            }
        )
        for upn in members:
            events += _seller_week(rng, upn, manager, hours, block_days, block_start, block_end)
    return {
        "tenant": {"id": TENANT_ID, "domain": "contoso.com", "displayName": "Contoso"},
        "apps": [{"clientId": CLIENT_ID, "displayName": "slotguard", "secrets": ["sim-secret"]}],
        "users": users,
        "groups": groups,
        "events": events,
        "meta": {"generator": {"sellers": sellers, "seed": seed}, "teams": teams},
    }


def _seller_week(
    rng: random.Random,
    upn: str,
    manager: str,
    hours: tuple[str, str],
    block_days: list[str],
    block_start: str,
    block_end: str,
) -> list[dict[str, Any]]:
    day_start = int(hours[0][:2]) * 60 + int(hours[0][3:])
    out: list[dict[str, Any]] = [
        {
            "mailbox": upn,
            "week": -8,
            "day": "mon",
            "start": _clock(day_start + 15),
            "end": _clock(day_start + 30),
            "subject": "Daily stand-up",
            "organizer": manager,
            "attendees": [upn],
            "recurrence": {
                "type": "weekly",
                "days": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                "cancelled": [{"week": 0, "day": "fri"}],
            },
        },
        {
            "mailbox": upn,
            "week": -8,
            "day": rng.choice(_DAYS),
            "start": _clock(day_start + 420),
            "end": _clock(day_start + 450),
            "subject": "1:1",
            "organizer": manager,
            "attendees": [upn],
            "sensitivity": "private",
            "recurrence": {
                "type": "weekly",
                "exceptions": [
                    {"week": 1, "start": _clock(day_start + 480), "end": _clock(day_start + 510)}
                ],
            },
        },
    ]
    block_day = {
        "monday": "mon",
        "tuesday": "tue",
        "wednesday": "wed",
        "thursday": "thu",
        "friday": "fri",
    }
    b0 = int(block_start[:2]) * 60
    b1 = int(block_end[:2]) * 60
    for week in (0, 1):
        # Customer meetings over the block (the thing slotguard looks for): 0-2 per week.
        for _ in range(rng.choice([0, 1, 1, 2])):
            start = rng.randrange(b0, b1 - 30, 30)
            customer = rng.choice(_CUSTOMERS)
            out.append(
                {
                    "mailbox": upn,
                    "week": week,
                    "day": block_day[rng.choice(block_days)],
                    "start": _clock(start),
                    "end": _clock(min(start + rng.choice([30, 60, 90]), b1 + 60)),
                    "subject": f"{customer.split('.')[0].title()} {rng.choice(_CUSTOMER)}",
                    "attendees": [
                        {"email": f"contact{rng.randrange(99)}@{customer}", "response": "accepted"}
                    ],
                }
            )
        for n in range(11):
            day = rng.choice(_DAYS)
            start = day_start + rng.randrange(2, 16) * 30
            kind = rng.random()
            event: dict[str, Any] = {
                "mailbox": upn,
                "week": week,
                "day": day,
                "start": _clock(start),
                "end": _clock(start + rng.choice([30, 60, 60, 90, 120])),
            }
            if kind < 0.4:
                customer = rng.choice(_CUSTOMERS)
                event["subject"] = f"{customer.split('.')[0].title()} {rng.choice(_CUSTOMER)}"
                event["attendees"] = [
                    {"email": f"contact{rng.randrange(99)}@{customer}", "response": "accepted"}
                ]
            elif kind < 0.8:
                event["subject"] = rng.choice(_INTERNAL)
                event["attendees"] = [manager]
                event["organizer"] = manager
            else:
                event["subject"] = "Focus time"
                event["showAs"] = rng.choice(["busy", "free"])
            if n == 0:
                event["response"], event["showAs"] = "declined", "free"
            elif n == 1:
                event["isCancelled"] = True
            elif n == 2:
                event["response"], event["showAs"] = "tentativelyAccepted", "tentative"
            out.append(event)
    return out
