"""``slotguard doctor``: the preflight an admin runs against the real tenant with the real
settings before switching writes on (service/doctor). Exit 0 when every check passes
(warnings included), 1 when one fails, 2 for bad settings, rules or arguments."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Annotated

import typer

from slotguard import exit_codes
from slotguard.entrypoints.cli.common import RulesOption, config_errors, print_problems


def doctor_command(
    rules: RulesOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")
                       ] = False,
    write_test: Annotated[str | None, typer.Option(
        "--write-test", metavar="SELLER",
        help="Also write a marked event series and a weekly To Do task into this test "
             "mailbox (a user principal name), read them back as the scan does and delete "
             "them: shows which fallback the scan takes where Graph is undocumented.",
    )] = None,
) -> None:
    """Check settings, sign-in, permissions and every seller's mailbox against the tenant."""
    if write_test is not None and not _is_address(write_test):
        print_problems([f"--write-test: {write_test!r} is not a mailbox address; give the "
                        "test mailbox's user principal name, e.g. test.seller@contoso.com"],
                       prefix="slotguard: ")
        raise typer.Exit(exit_codes.BAD_INPUT)
    from slotguard.config.rules import load_rules
    from slotguard.config.settings import LogLevel, load_settings
    from slotguard.entrypoints import preflight
    from slotguard.entrypoints.doctor import diagnose
    from slotguard.entrypoints.doctor.render import render
    from slotguard.logging import configure_logging
    from slotguard.service.clock import SystemClock

    with config_errors():
        settings = load_settings()
        rules_file = load_rules(rules or settings.rules_file)
        preflight.require(settings, rules_file)
    # The report says what went wrong; log lines would only repeat it.
    quiet = settings.log_level if settings.log_level is LogLevel.DEBUG else LogLevel.ERROR
    configure_logging(settings.model_copy(update={"log_level": quiet}))
    report = asyncio.run(diagnose(settings, rules_file, now=SystemClock().now(),
                                  write_test=write_test))
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
    else:
        render(report)
    raise typer.Exit(report.exit_status())


def _is_address(text: str) -> bool:
    local, at, domain = text.partition("@")
    return bool(local and at and "." in domain and not any(c.isspace() for c in text))


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor_command)
