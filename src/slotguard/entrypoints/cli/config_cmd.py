"""``slotguard check-config`` and ``slotguard example-rules``.

``check-config`` is what an admin runs after editing: it validates the environment settings
and the rules file together — everything ``scan`` checks before it touches Graph
(service/preflight.py serves both) — and shows what slotguard understood: where its state
lives, per team the sellers (or the Entra group) and the blocks each of them keeps. It
needs no credentials and touches neither Graph nor the ledger.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from slotguard.entrypoints.cli.common import CONFIG_EXIT_CODE, RulesOption, print_problems

if TYPE_CHECKING:
    from rich.console import Console

    from slotguard.config.rules import RulesFile, TeamSpec
    from slotguard.config.settings import Settings
    from slotguard.domain.model import BlockRule, Reminders


def check_config(rules: RulesOption = None) -> None:
    """Validate settings and the rules file; print teams, sellers and their blocks."""
    from slotguard.config.rules import load_rules
    from slotguard.config.settings import load_settings, unknown_variables
    from slotguard.errors import ConfigError

    problems: list[str] = []
    settings: Settings | None = None
    try:
        settings = load_settings()
    except ConfigError as error:
        problems += error.problems
    if rules is not None:
        path = rules
    elif settings is not None:
        path = settings.rules_file
    else:  # settings are broken: still check the file they most likely name
        path = Path(os.environ.get("SLOTGUARD_RULES_FILE") or "slotguard.toml")
    rules_file: RulesFile | None = None
    try:
        rules_file = load_rules(path)
    except ConfigError as error:
        problems += error.problems
    if settings is not None and rules_file is not None:
        from slotguard.entrypoints import preflight

        problems += preflight.problems(settings, rules_file, need_credentials=False)
    if problems or settings is None or rules_file is None:
        print_problems(problems)
        raise typer.Exit(CONFIG_EXIT_CODE)
    _show(settings, rules_file)
    print_problems(unknown_variables(), prefix="warning: ", level="warning")


def example_rules() -> None:
    """Print the complete, commented example rules file (start from it)."""
    from slotguard.config.rules import example_rules_text

    sys.stdout.write(example_rules_text())


def _show(settings: Settings, rules_file: RulesFile) -> None:
    from rich.markup import escape
    from rich.table import Table

    from slotguard.entrypoints.cli import output

    console = output.console()
    overview = Table.grid(padding=(0, 2))
    overview.add_column(style="bold")
    overview.add_column()
    for label, value in _overview(settings, rules_file):
        overview.add_row(label, escape(value))
    output.show(console, overview)
    for team in rules_file.teams:
        _show_team(console, team)
    output.show(console, f"OK: {len(rules_file.teams)} team(s), no problems.")


def _overview(settings: Settings, rules_file: RulesFile) -> list[tuple[str, str]]:
    from slotguard.entrypoints.identity import stable_replica_id

    rules = rules_file.rules
    policy, follow_up, escalation = rules.policy, rules.follow_up, rules.escalation
    if settings.tenant_id:
        authority = settings.authority
    else:
        authority = f"{settings.authority_host} (tenant not set)"
    problems = settings.credential_problems()
    if problems:
        names = ", ".join(dict.fromkeys(line.split(":")[0] for line in problems))
        credentials = f"incomplete: {names} (scan and run need them)"
    elif settings.credential_kind == "certificate":
        credentials = f"certificate {settings.client_certificate_path}"
    else:
        credentials = "client secret"
    from slotguard.service import compose

    words = rules_file.texts_for(rules_file.language)
    habits = ", ".join(f"{words.custom.habit(h.id) or h.id} ({h.weekday.name.capitalize()[:3]})"
                       for h in follow_up.habits)
    lists = ", ".join(f"'{compose.task_list(texts)}' ({tag})"
                      for tag, texts in rules_file.texts.items())
    return [
        ("Rules", rules_file.source),
        ("Cloud", f"{settings.cloud.value}: {settings.graph_base_url}"),
        ("Authority", authority),
        ("Credentials", credentials),
        ("State directory", str(settings.state_dir)),
        ("Database", settings.database_url_display),
        ("Replica id", settings.replica_id or f"{stable_replica_id(settings.state_dir)} "
                       "(stable for this host and state directory)"),
        ("HTTP", f"{settings.http_listen} (/healthz, /readyz, /metrics of `slotguard run`)"),
        ("Mode", "dry run (writes nothing)" if settings.dry_run else "live"),
        ("Internal domains", ", ".join(sorted(rules.organization.internal_domains))),
        ("Fallback zone", rules.organization.fallback_zone),
        ("Policy", f"{policy.compensation_count} make-up blocks next week per taken block "
                   f"(overlap ≥ {int(policy.min_overlap.total_seconds() // 60)} min; "
                   f"internal meetings: {policy.internal_meetings.value}; "
                   f"when full: {policy.when_full.value})"),
        ("Follow-up", "off" if not rules_file.follow_up_enabled else
         f"list {lists}, due after {follow_up.due_working_days} working "
         f"day(s){', weekly until done' if follow_up.recurrence_weekly else ''}"),
        ("Habits", habits or "none"),
        ("Reminders", _reminders(policy.reminders)),
        ("Escalation", f"{escalation.violations} violations within {escalation.weeks} weeks"
                       if escalation.enabled else "off"),
    ]


def _reminders(reminders: Reminders) -> str:
    def before(minutes: int | None) -> str:
        return "none" if minutes is None else f"{minutes} min before"

    task = "none" if reminders.task is None else f"{reminders.task:%H:%M} on the due day"
    return (f"block series {before(reminders.block_series)}; make-up blocks "
            f"{before(reminders.compensation)}; tasks {task}")


def _show_team(console: Console, team: TeamSpec) -> None:
    from rich.table import Table

    from slotguard.entrypoints.cli import output

    title = f"Team {team.name} ({team.language})"
    if team.manager:
        title += f", manager {team.manager}"
    if team.group_id:
        title += f", sellers from Entra group {team.group_id}"
    table = Table(title=title, title_justify="left")
    table.add_column("Seller", no_wrap=True)
    table.add_column("Blocks (seller-local time)")
    for upn in team.sellers:
        note = " (override)" if upn in team.overrides else ""
        table.add_row(upn + note, _blocks(team.blocks_for(upn)))
    if team.group_id is not None:
        table.add_row("every group member", _blocks(team.blocks))
        for upn, blocks in team.overrides.items():
            if upn not in team.sellers:
                table.add_row(f"{upn} (override)", _blocks(blocks))
    output.show(console, table)


def _blocks(blocks: tuple[BlockRule, ...]) -> str:
    if not blocks:
        return "none (exempt)"
    lines = []
    for block in blocks:
        days = ", ".join(day.name.capitalize()[:3] for day in sorted(block.days))
        lines.append(f"{days} {block.start:%H:%M}–{block.end:%H:%M} {block.title} [{block.id}]")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    app.command("check-config")(check_config)
    app.command("example-rules")(example_rules)
