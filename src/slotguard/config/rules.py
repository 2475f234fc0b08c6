"""The admin's rules file (TOML): read, validate completely, convert to the domain's ``Rules``.

Validation reports every problem it can find in one go — an admin fixing a file should not
have to rerun the check once per typo — each as one line naming the TOML path and the fix.
The result is pydantic-free: the domain's ``Rules`` plus one ``TeamSpec`` per team, which
the service combines with each mailbox's time zone and working hours into ``Seller``s.
"""

from __future__ import annotations

import re
import tomllib
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from slotguard.config import rules_checks, rules_texts
from slotguard.config._validation import problem_line, toml_path
from slotguard.config.rules_schema import (
    SECTIONS,
    BlockSpec,
    EscalationModel,
    FollowUpModel,
    OrganizationModel,
    PolicyModel,
    Recurrence,
    TeamModel,
)
from slotguard.domain.model import (
    BlockRule,
    EscalationRules,
    FollowUpRules,
    HabitTask,
    Organization,
    Policy,
    Reminders,
    Rules,
)
from slotguard.errors import ConfigError
from slotguard.texts import DEFAULT_LANGUAGE, Texts

M = TypeVar("M", bound=BaseModel)

EXAMPLE_SOURCE = "<packaged example slotguard.toml>"


@dataclass(frozen=True, slots=True)
class TeamSpec:
    """A team as the admin wrote it; members of ``group_id`` are resolved at scan time."""

    name: str
    sellers: tuple[str, ...]  # lower-case UPNs listed explicitly
    group_id: str | None
    manager: str | None
    blocks: tuple[BlockRule, ...]
    # lower-case UPN → the blocks that replace the team's for that seller (may be empty)
    overrides: Mapping[str, tuple[BlockRule, ...]] = field(
        default_factory=lambda: types.MappingProxyType({}), hash=False
    )
    language: str = DEFAULT_LANGUAGE  # what its sellers and manager read slotguard's texts in

    def blocks_for(self, upn: str) -> tuple[BlockRule, ...]:
        return self.overrides.get(upn.lower(), self.blocks)


@dataclass(frozen=True, slots=True)
class RulesFile:
    rules: Rules
    teams: tuple[TeamSpec, ...]
    source: str
    follow_up_enabled: bool = True  # False where To Do is unavailable (21Vianet)
    # language tag → the texts of the teams speaking it, with the admin's own words
    texts: Mapping[str, Texts] = field(default_factory=lambda: types.MappingProxyType({}),
                                       hash=False)
    language: str = DEFAULT_LANGUAGE  # the organization's, for teams that name none

    def texts_for(self, language: str) -> Texts:
        return self.texts.get(language) or Texts(language)

    def team_of(self, upn: str) -> TeamSpec | None:
        """The team that lists ``upn`` explicitly (group members are known only at scan time)."""
        wanted = upn.lower()
        return next((team for team in self.teams if wanted in team.sellers), None)


def example_rules_text() -> str:
    """The complete, commented example that ships with the package."""
    return resources.files("slotguard").joinpath("examples/slotguard.toml").read_text("utf-8")


def load_rules(path: str | Path | None, *, example_fallback: bool = False) -> RulesFile:
    """Load and validate a rules file; raise ``ConfigError`` listing every problem.

    The packaged example is used only when ``example_fallback`` is set (the demo) and the
    file is not given or does not exist — never silently in production.
    """
    if path is None or not Path(path).expanduser().exists():
        if example_fallback:
            return load_rules_text(example_rules_text(), source=EXAMPLE_SOURCE)
        if path is None:
            raise ConfigError(["rules file: none given; pass --rules FILE or set "
                               "SLOTGUARD_RULES_FILE"])
        raise ConfigError([f"{path}: no such rules file; start from the example "
                           f"(slotguard example-rules > {path}) or fix SLOTGUARD_RULES_FILE"])
    file = Path(path).expanduser()
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{file}: cannot read the rules file ({exc}); "
                           "check its permissions and that it is UTF-8"]) from None
    return load_rules_text(text, source=str(file))


_TOML_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")


def load_rules_text(text: str, *, source: str = "<rules>") -> RulesFile:
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))  # a BOM some editors write
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([_syntax_problem(str(exc), text, source)]) from None
    except RecursionError:
        raise ConfigError([f"{source}: invalid TOML (arrays or tables nested too deeply for "
                           "a rules file); flatten it"]) from None
    return parse_rules(data, source=source)


def _syntax_problem(message: str, text: str, source: str) -> str:
    """tomllib (3.11) puts the position in the message: "(at line 3, column 7)"."""
    where = _TOML_AT.search(message)
    reason = _TOML_AT.sub("", message) or "syntax error"
    reason = reason[0].lower() + reason[1:]
    if where is None:
        return f"{source}: invalid TOML ({reason}); fix the syntax"
    if where[1] is not None:
        line, column = int(where[1]), int(where[2])
    else:  # at end of document
        lines = text.split("\n")
        line, column = len(lines), len(lines[-1]) + 1
    return f"{source}: line {line}, column {column}: invalid TOML ({reason}); fix the syntax there"


def parse_rules(data: Mapping[str, Any], *, source: str = "<rules>") -> RulesFile:
    problems: list[str] = []
    for key in data:
        if key not in SECTIONS:
            problems.append(f"{toml_path([key])}: unknown key; remove it "
                            f"(allowed: {', '.join(SECTIONS)})")
    org = None
    if "organization" in data:
        org = _validate(OrganizationModel, data["organization"], ("organization",), problems)
    else:
        problems.append('organization: missing; add an [organization] table with '
                        'internal_domains = ["contoso.com"]')
    teams = _teams(data.get("teams"), problems)
    policy = _validate(PolicyModel, data.get("policy", {}), ("policy",), problems)
    follow_up = _validate(FollowUpModel, data.get("follow_up", {}), ("follow_up",), problems)
    escalation = _validate(EscalationModel, data.get("escalation", {}), ("escalation",), problems)

    # Relations between entries, on everything that is valid by itself.
    raw_teams = data.get("teams")
    raw_teams = raw_teams if isinstance(raw_teams, list) else []
    views = [(i, rules_checks.TeamView.of(raw)) for i, raw in enumerate(raw_teams)]
    domains = rules_checks.internal_domains(data.get("organization"))
    for i, view in views:
        problems += rules_checks.team_problems(i, view, domains)
    problems += rules_checks.across_teams(views)
    problems += rules_checks.policy_problems(data.get("policy"))
    problems += rules_checks.follow_up_problems(data.get("follow_up"))
    if org is not None and follow_up is not None:
        problems += rules_texts.habit_problems(
            [(i, team.name, team.language or org.language) for i, team in teams],
            [habit.title for habit in follow_up.habits])
    if problems or org is None or policy is None or follow_up is None or escalation is None:
        raise ConfigError(sorted(problems, key=_document_order))
    rules = Rules(
        organization=Organization(_both_forms(org.internal_domains), org.fallback_time_zone),
        policy=_policy(policy),
        follow_up=_follow_up(follow_up),
        escalation=EscalationRules(escalation.violations, escalation.weeks, escalation.enabled,
                                   escalation.sender),
    )
    texts = rules_texts.texts_by_language(
        {team.language or org.language for _, team in teams} | {org.language},
        follow_up.list_name, follow_up.title_template,
        [(habit.id, habit.title) for habit in follow_up.habits])
    return RulesFile(rules, tuple(_team(team, texts[team.language or org.language])
                                  for _, team in teams),
                     source, follow_up.enabled, texts, org.language)


_SECTION_AT = re.compile(r"^([A-Za-z0-9_-]+)(?:\[(\d+)\])?")


def _document_order(line: str) -> tuple[int, int]:
    """Sort by section, then team; the sort is stable, so the rest keeps its order."""
    match = _SECTION_AT.match(line)
    if match is None or match[1] not in SECTIONS:
        return (-1, -1)
    return (list(SECTIONS).index(match[1]), int(match[2] or -1))


def _teams(raw: object, problems: list[str]) -> list[tuple[int, TeamModel]]:
    if raw is None:
        problems.append('teams: no teams; add a [[teams]] table with name, sellers and blocks')
        return []
    if not isinstance(raw, list) or not raw:
        problems.append("teams: must be one or more [[teams]] tables")
        return []
    valid = []
    for i, item in enumerate(raw):
        team = _validate(TeamModel, item, ("teams", i), problems)
        if isinstance(item, Mapping):
            problems += rules_checks.team_shape_problems(i, item)
        if team is not None:
            valid.append((i, team))
    return valid


def _validate(model: type[M], raw: object, prefix: tuple[str | int, ...],
              problems: list[str]) -> M | None:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems.extend(problem_line(model, prefix, error) for error in exc.errors())
        return None


def _both_forms(domains: list[str]) -> frozenset[str]:
    """Each domain as written and in its ASCII (punycode) form: Exchange may give an
    internationalised address either way."""
    return frozenset(domains) | {d.encode("idna").decode("ascii") for d in domains}


def _block(spec: BlockSpec, texts: Texts) -> BlockRule:
    title = spec.title or texts.pgettext("block title", "Prospecting")
    return BlockRule(spec.rule_id, frozenset(spec.days), spec.start, spec.end, title)


def _team(team: TeamModel, texts: Texts) -> TeamSpec:
    def blocks(specs: list[BlockSpec]) -> tuple[BlockRule, ...]:
        return tuple(_block(spec, texts) for spec in specs)

    overrides = {upn: blocks(o.blocks) for upn, o in team.overrides.items()}
    return TeamSpec(
        name=team.name,
        sellers=tuple(team.sellers),
        group_id=team.group_id,
        manager=team.manager,
        blocks=blocks(team.blocks),
        overrides=types.MappingProxyType(overrides),
        language=texts.language,
    )


def _policy(policy: PolicyModel) -> Policy:
    return Policy(
        min_overlap=timedelta(minutes=policy.min_overlap_minutes),
        counted_show_as=frozenset(policy.show_as),
        customer_categories=frozenset(policy.customer_categories),
        internal_meetings=policy.internal_meetings,
        compensation_count=policy.compensation_count,
        target_week_offset=1,  # "next" is the only target week so far
        granularity=timedelta(minutes=policy.granularity_minutes),
        prefer_same_time=policy.prefer_same_time,
        prefer_different_days=policy.prefer_different_days,
        max_compensations_per_week=policy.max_compensations_per_week,
        when_full=policy.when_full,
        withdraw_when_resolved=policy.withdraw_when_resolved,
        reminders=Reminders(policy.reminders.block_series, policy.reminders.compensation,
                            policy.reminders.task),
    )


def _follow_up(follow_up: FollowUpModel) -> FollowUpRules:
    return FollowUpRules(
        due_working_days=follow_up.due_working_days,
        recurrence_weekly=follow_up.recurrence is Recurrence.WEEKLY,
        habits=tuple(HabitTask(h.id, h.weekday) for h in follow_up.habits),
    )
