"""The live commands: ``scan --once``, ``run``, ``demo``, ``ledger`` and ``health``.

Bad input ends in one line naming the option and the fix, exit code 2. Heavy imports (the
Graph SDK, SQLAlchemy) happen inside the commands.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from slotguard.entrypoints.cli.common import print_problems

if TYPE_CHECKING:
    from slotguard.config.rules import RulesFile
    from slotguard.config.settings import Settings
    from slotguard.domain.model import IsoWeek

RulesOpt = Annotated[Path | None, typer.Option("--rules", help="Rules file (TOML); default "
                                               "SLOTGUARD_RULES_FILE or ./slotguard.toml.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
AllOpt = Annotated[bool, typer.Option("--all", help="List every seller, not only those with "
                                      "violations, writes or problems (the totals always "
                                      "count everyone).")]


def _fail(message: str, code: int = 2) -> NoReturn:
    print_problems([message], prefix="slotguard: ")
    raise typer.Exit(code)


def _problems(lines: list[str]) -> NoReturn:
    print_problems(lines, prefix="slotguard: ")
    raise typer.Exit(2)


def _settings(**overrides: Any) -> Settings:
    from slotguard.config.settings import load_settings
    from slotguard.errors import ConfigError

    try:
        return load_settings(**overrides)
    except ConfigError as error:
        _problems(error.problems)


def _rules(path: Path | None, settings: Settings) -> RulesFile:
    from slotguard.config.rules import load_rules
    from slotguard.errors import ConfigError

    try:
        return load_rules(path or settings.rules_file)
    except ConfigError as error:
        _problems(error.problems)


def _preflight(settings: Settings, rules_file: RulesFile) -> None:
    """What check-config checks, before anything is created: a scan with bad settings
    leaves no state directory or database behind."""
    from slotguard.entrypoints import preflight
    from slotguard.errors import ConfigError

    try:
        preflight.require(settings, rules_file)
    except ConfigError as error:
        _problems(error.problems)


# Weeks whose windows (a few weeks either side) stay inside what dates can hold.
FIRST_YEAR, LAST_YEAR = 1971, 9998


def _week(text: str | None) -> IsoWeek | None:
    from slotguard.domain.model import IsoWeek

    if text is None:
        return None
    try:
        week = IsoWeek.parse(text)
    except ValueError:
        _fail(f"--week: {text!r} is not an ISO week; use YYYY-Www, e.g. 2026-W48")
    if not FIRST_YEAR <= week.year <= LAST_YEAR:
        _fail(f"--week: {text!r} is out of range; use a week of the years "
              f"{FIRST_YEAR}-{LAST_YEAR}, e.g. 2026-W48")
    return week


def _logging(settings: Settings) -> None:
    try:
        from slotguard.logging import configure_logging
    except ImportError:
        return
    configure_logging(settings)


def _print_report(report: Any, as_json: bool, personal: bool, list_all: bool) -> None:
    from rich.markup import escape

    from slotguard.entrypoints.cli import output
    from slotguard.entrypoints.tables import detail_tables, summary_table
    from slotguard.service.report import totals_line

    if as_json:
        data = report.to_json(personal=personal, list_all=list_all)
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    listed = [s for s in report.sellers if list_all or s.needs_look()]
    out = output.console()
    if listed:
        output.show(out, summary_table(report, listed))
    shown = replace(report, sellers=listed)
    for table in detail_tables(shown, personal=personal):
        output.show(out, table)
    for problem in report.problems:
        output.show(out, f"[yellow]problem:[/] {escape(problem)}")
    output.show(out, escape(totals_line(report, len(listed))))


def scan_command(
    once: Annotated[bool, typer.Option("--once", help="Run one cycle over all sellers.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Decide and print the plan; "
                                          "write nothing to Graph or the ledger.")] = False,
    as_json: JsonOpt = False,
    week: Annotated[str | None, typer.Option("--week", help="ISO week to judge, e.g. "
                                             "2026-W48; default: the current week.")] = None,
    rules: RulesOpt = None,
    list_all: AllOpt = False,
) -> None:
    """One scan cycle: violations, make-up blocks, follow-up tasks."""
    if not once:
        _fail("scan: add --once for one cycle (use `slotguard run` for the daemon)")
    judged = _week(week)
    settings = _settings()
    rules_file = _rules(rules, settings)
    _preflight(settings, rules_file)
    _logging(settings)

    async def main() -> Any:
        from slotguard.entrypoints.bootstrap import bootstrap
        from slotguard.entrypoints.runtime import settle_heap

        service = bootstrap(settings, rules_file, dry_run=dry_run or settings.dry_run)
        settle_heap()
        try:
            return await service.scanner.scan(week=judged)
        finally:
            await service.aclose()

    report = _run(main)
    _print_report(report, as_json, settings.log_personal_data, list_all)
    for line in report.status_lines():
        print_problems([line], prefix="slotguard: ", level="warning")
    raise typer.Exit(report.exit_status())


def run_command(
    rules: RulesOpt = None,
    interval: Annotated[float | None, typer.Option(
        "--interval", min=0.1, help="Seconds between scans; overrides "
        "SLOTGUARD_SCAN_INTERVAL_SECONDS (short values are for trials and tests).")] = None,
) -> None:
    """The daemon: scan on an interval, weekly jobs, exit cleanly on SIGTERM/SIGINT."""
    settings = _settings()
    rules_file = _rules(rules, settings)
    _preflight(settings, rules_file)
    _logging(settings)
    seconds = interval if interval is not None else float(settings.scan_interval_seconds)

    async def main() -> int:
        from slotguard.entrypoints.bootstrap import bootstrap
        from slotguard.entrypoints.daemon import Daemon
        from slotguard.entrypoints.reload import reloader
        from slotguard.entrypoints.runtime import return_free_memory, settle_heap
        from slotguard.service.weekly import run_weekly

        service = bootstrap(settings, rules_file)
        settle_heap()
        scanner = service.scanner
        scanner.hold_seconds = seconds * 0.8  # replicas leave a scanned seller for the cycle

        async def cycle(stop: asyncio.Event) -> Any:
            try:
                return await scanner.scan(stop=stop, list_all=False)
            finally:
                # A cycle's working set is freed when it ends; the next starts from less.
                return_free_memory()

        daemon = Daemon(
            cycle,
            lambda stop: run_weekly(scanner, stop=stop),
            interval_seconds=seconds,
            state_dir=settings.state_dir,
            reload=reloader(scanner, settings, rules, on_settings=_logging),
            check=service.ledger.file_problem,
        )
        try:
            return await daemon.run()
        finally:
            await service.aclose()

    raise typer.Exit(_run(main))


def ledger_command(
    as_json: JsonOpt = False,
    week: Annotated[str | None, typer.Option("--week", help="Narrow violations to an ISO "
                                             "week, e.g. 2026-W48.")] = None,
) -> None:
    """What the ledger holds: runs, violations, actions, per seller."""
    judged = _week(week)
    settings = _settings()
    from slotguard.entrypoints.preflight import storage_problems

    if problems := storage_problems(settings):
        _problems(problems)

    async def read() -> tuple[Any, Any]:
        from slotguard.store.ledger import Ledger

        with Ledger.open(settings.database_url_resolved, migrate=True) as ledger:
            return ledger.summary(), ledger.seller_summary(str(judged) if judged else None)

    summary, sellers = _run(read)
    if as_json:
        sys.stdout.write(json.dumps({"summary": summary, "sellers": sellers}, indent=2,
                                    default=str) + "\n")
        return
    from slotguard.entrypoints.cli import output
    from slotguard.entrypoints.tables import ledger_tables

    out = output.console()
    for table in ledger_tables(summary, sellers, settings.database_url_display):
        output.show(out, table)


def health_command(
    max_age: Annotated[float | None, typer.Option(
        "--max-age", help="Seconds; default three scan intervals plus a minute.")] = None,
) -> None:
    """Exit 0 while the daemon's heartbeat is fresh (for container health checks)."""
    from slotguard.entrypoints.daemon import heartbeat_age

    settings = _settings()
    limit = max_age if max_age is not None else 3 * settings.scan_interval_seconds + 60
    age = heartbeat_age(settings.state_dir)
    if age is None:
        _fail(f"health: no heartbeat in {settings.state_dir}; is `slotguard run` running?", 1)
    if age.total_seconds() > limit:
        _fail(f"health: last scan tick {age.total_seconds():.0f}s ago (limit {limit:.0f}s)", 1)
    typer.echo(f"ok: last scan tick {age.total_seconds():.0f}s ago")


def demo_command(
    personal: Annotated[bool, typer.Option(
        "--subjects/--no-subjects", help="Show meeting subjects (simulated data).")] = True,
) -> None:
    """Start the Microsoft 365 simulator with a demo sales org and run slotguard on it."""
    from slotguard.entrypoints.demo import run_demo

    raise typer.Exit(_run(lambda: run_demo(show_subjects=personal)))


def _run(main: Any) -> Any:
    from slotguard.errors import AuthError, ConfigError, SlotguardError

    try:
        return asyncio.run(main())
    except ConfigError as error:
        _problems(error.problems)
    except AuthError as error:
        _fail(f"sign-in failed: {error}; check SLOTGUARD_TENANT_ID, SLOTGUARD_CLIENT_ID and "
              "the secret or certificate", 1)
    except SlotguardError as error:
        _fail(str(error), 1)
    except OSError as error:  # the state directory or a file went away mid-run
        where = f" ({error.filename})" if error.filename else ""
        _fail(f"{error.strerror or error}{where}; check SLOTGUARD_STATE_DIR", 1)
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


def register(app: typer.Typer) -> None:
    app.command("scan")(scan_command)
    app.command("run")(run_command)
    app.command("ledger")(ledger_command)
    app.command("health")(health_command)
    app.command("demo")(demo_command)
