"""Checks that relate several entries of the rules file to each other.

Each entry may be fine on its own and still contradict another one: two blocks of one seller
overlapping on a Tuesday, a seller in two teams, two blocks whose ids collide (the id is part
of every idempotency key, so a collision would merge two blocks' history). These checks run
on every entry that is valid by itself, even when its neighbours are not, so one run reports
as much as it can; positions always refer to the file as written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from slotguard.config._validation import toml_path
from slotguard.config.rules_schema import BlockSpec, DomainName, GroupId, Text, Upn

Indexed = Sequence[tuple[int, BlockSpec]]

_UPN: TypeAdapter[str] = TypeAdapter(Upn)
_GROUP: TypeAdapter[str] = TypeAdapter(GroupId)
_TEXT: TypeAdapter[str] = TypeAdapter(Text)
_DOMAIN: TypeAdapter[str] = TypeAdapter(DomainName)
_BLOCK: TypeAdapter[BlockSpec] = TypeAdapter(BlockSpec)


def _valid(adapter: TypeAdapter[Any], value: object) -> Any:
    try:
        return adapter.validate_python(value)
    except ValidationError:
        return None


def _items(value: object) -> list[tuple[int, Any]]:
    return list(enumerate(value)) if isinstance(value, list) else []


def _blocks(value: object) -> list[tuple[int, BlockSpec]]:
    return [(j, b) for j, raw in _items(value) if (b := _valid(_BLOCK, raw)) is not None]


@dataclass
class TeamView:
    """The entries of one ``[[teams]]`` table that are valid on their own, with positions."""

    name: str | None
    sellers: list[tuple[int, str]]
    group_id: str | None
    blocks: list[tuple[int, BlockSpec]]
    overrides: dict[str, list[tuple[int, BlockSpec]]] = field(default_factory=dict)

    @classmethod
    def of(cls, raw: object) -> TeamView:
        table: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        overrides: dict[str, list[tuple[int, BlockSpec]]] = {}
        raw_overrides = table.get("overrides")
        for key, item in raw_overrides.items() if isinstance(raw_overrides, Mapping) else ():
            upn = _valid(_UPN, key)
            if upn is not None and isinstance(item, Mapping):
                overrides[upn] = _blocks(item.get("blocks"))
        return cls(
            name=_valid(_TEXT, table.get("name")),
            sellers=[(j, u) for j, raw in _items(table.get("sellers"))
                     if (u := _valid(_UPN, raw)) is not None],
            group_id=_valid(_GROUP, table.get("group_id")),
            blocks=_blocks(table.get("blocks")),
            overrides=overrides,
        )


def is_internal(address: str, domains: Sequence[str]) -> bool:
    """Subdomains count: emea.contoso.com is internal when contoso.com is."""
    host = address.rpartition("@")[2].lower()
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def _hhmm(block: BlockSpec) -> str:
    return f"{block.start:%H:%M}-{block.end:%H:%M}"


def block_set_problems(path: str, blocks: Indexed) -> list[str]:
    """Blocks that apply to one seller: unique ids, no repeated days, no overlaps."""
    problems: list[str] = []
    ids: dict[str, int] = {}
    for n, (j, block) in enumerate(blocks):
        seen_days: set[int] = set()
        for d, day in enumerate(block.days):
            if day in seen_days:
                problems.append(
                    f"{path}[{j}].days[{d}]: {day.name.lower()[:3]} is listed twice; remove one"
                )
            seen_days.add(day)
        rule_id = block.rule_id
        if rule_id in ids:
            other = f"{path}[{ids[rule_id]}]"
            if block.id is not None:
                problems.append(f"{path}[{j}].id: '{rule_id}' is also the id of {other}; "
                                "give each block its own id")
            else:
                problems.append(f"{path}[{j}]: its id '{rule_id}' (derived from start and end) "
                                f'is also used by {other}; add id = "..." to one of them')
        else:
            ids[rule_id] = j
        for k, earlier in blocks[:n]:
            common = sorted(set(block.days) & set(earlier.days))
            if common and block.start < earlier.end and earlier.start < block.end:
                problems.append(
                    f"{path}[{j}]: overlaps {path}[{k}] on {common[0].name.capitalize()} "
                    f"({_hhmm(earlier)}); move or shorten one of them"
                )
    return problems


def internal_domains(raw: object) -> list[str]:
    """The valid entries of organization.internal_domains (empty: the check is skipped)."""
    domains = raw.get("internal_domains") if isinstance(raw, Mapping) else None
    return [d for _, item in _items(domains) if (d := _valid(_DOMAIN, item)) is not None]


def team_problems(i: int, team: TeamView, domains: Sequence[str]) -> list[str]:
    where = f"teams[{i}]"
    problems: list[str] = []
    listed: dict[str, int] = {}
    for j, upn in team.sellers:
        if upn in listed:
            problems.append(f"{where}.sellers[{j}]: '{upn}' is listed twice "
                            f"(also sellers[{listed[upn]}]); remove one")
            continue
        listed[upn] = j
        if domains and not is_internal(upn, domains):
            problems.append(
                f"{where}.sellers[{j}]: '{upn}' is outside organization.internal_domains "
                f"({', '.join(domains)}); add its domain there or fix the address"
            )
    problems += block_set_problems(f"{where}.blocks", team.blocks)
    for upn, blocks in team.overrides.items():
        path = toml_path(("teams", i, "overrides", upn))
        if team.group_id is None and upn not in listed:
            problems.append(f"{path}: '{upn}' is not a seller of this team; add it to sellers "
                            "or remove the override")
        problems += block_set_problems(f"{path}.blocks", blocks)
    return problems


def team_shape_problems(i: int, raw: Mapping[str, Any]) -> list[str]:
    """What a valid team still needs: someone to protect and something to protect."""
    where = f"teams[{i}]"
    problems = []
    if not raw.get("sellers") and "group_id" not in raw:
        problems.append(f'{where}: has no sellers; add sellers = ["name@contoso.com", ...] '
                        'or group_id = "<object id of an Entra group>"')
    if not raw.get("blocks"):
        problems.append(f"{where}.blocks: no blocks; add a [[teams.blocks]] table with days, "
                        "start and end")
    return problems


def across_teams(teams: Sequence[tuple[int, TeamView]]) -> list[str]:
    """Team names unique; every seller and every group in one team only."""
    problems: list[str] = []
    names: dict[str, int] = {}
    groups: dict[str, int] = {}
    sellers: dict[str, tuple[int, int]] = {}
    for i, team in teams:
        if team.name is not None:
            key = team.name.casefold()
            if key in names:
                problems.append(f"teams[{i}].name: '{team.name}' is also the name of "
                                f"teams[{names[key]}]; give each team its own name")
            names.setdefault(key, i)
        if team.group_id is not None:
            if team.group_id in groups:
                problems.append(f"teams[{i}].group_id: the group is also used by "
                                f"teams[{groups[team.group_id]}]; a group feeds one team")
            groups.setdefault(team.group_id, i)
        for j, upn in team.sellers:
            first = sellers.setdefault(upn, (i, j))
            if first[0] != i:
                other = next((t.name for n, t in teams if n == first[0]), None) or "?"
                problems.append(
                    f"teams[{i}].sellers[{j}]: '{upn}' is already in team '{other}' "
                    f"(teams[{first[0]}].sellers[{first[1]}]); a seller belongs to one team"
                )
    return problems


def _int(table: object, key: str, default: int) -> int | None:
    value = table.get(key, default) if isinstance(table, Mapping) else default
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def policy_problems(raw: object) -> list[str]:
    count = _int(raw, "compensation_count", 2)
    cap = _int(raw, "max_compensations_per_week", 6)
    if count is not None and cap is not None and 1 <= cap < count:
        return [f"policy.max_compensations_per_week: must be at least compensation_count "
                f"({count}) (got {cap})"]
    return []


def follow_up_problems(raw: object) -> list[str]:
    problems: list[str] = []
    ids: dict[str, int] = {}
    habits = raw.get("habits") if isinstance(raw, Mapping) else None
    for j, habit in _items(habits):
        habit_id = habit.get("id") if isinstance(habit, Mapping) else None
        if not isinstance(habit_id, str):
            continue
        if habit_id in ids:
            problems.append(f"follow_up.habits[{j}].id: '{habit_id}' is also the id of "
                            f"follow_up.habits[{ids[habit_id]}]; give each habit its own id")
        ids.setdefault(habit_id, j)
    return problems
