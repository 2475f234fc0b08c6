"""What every command shares: the ``--rules`` option and how configuration problems end.

A ``ConfigError`` ends a command the same way everywhere: each problem on its own line on
stderr, exactly as worded (admins and scripts grep for the TOML path or variable name),
nothing on stdout, exit code 2. With SLOTGUARD_LOG_FORMAT=json each line is a JSON object
instead, like every other line a log collector gets from slotguard — even when the
settings themselves could not be read.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer

from slotguard.errors import ConfigError

__all__ = ["CONFIG_EXIT_CODE", "RulesOption", "config_errors", "exit_on_config_error",
           "print_problems"]

CONFIG_EXIT_CODE = 2

RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules",
        dir_okay=False,
        help="Rules file (TOML). Default: SLOTGUARD_RULES_FILE, else ./slotguard.toml.",
    ),
]

P = ParamSpec("P")
R = TypeVar("R")


def _json_wanted() -> bool:
    """SLOTGUARD_LOG_FORMAT as the environment or .env says, read without the settings
    (which may be what failed)."""
    value = os.environ.get("SLOTGUARD_LOG_FORMAT")
    if value is None:
        try:
            from dotenv import dotenv_values

            value = dotenv_values(".env").get("SLOTGUARD_LOG_FORMAT")
        except (OSError, UnicodeDecodeError, ValueError):
            value = None
    return (value or "").strip().lower() == "json"


def print_problems(problems: Iterable[str], *, prefix: str = "",
                   level: str = "error") -> None:
    # Plain writes, not rich: a console would wrap long lines and break "one line each".
    as_json = _json_wanted()
    for problem in problems:
        if as_json:
            line = json.dumps({"event": "slotguard.problem", "level": level,
                               "problem": problem,
                               "timestamp": datetime.now(UTC).isoformat()})
        else:
            line = f"{prefix}{problem}"
        sys.stderr.write(f"{line}\n")
    sys.stderr.flush()


@contextmanager
def config_errors() -> Iterator[None]:
    """Turn a ConfigError raised inside the block into problem lines and exit code 2."""
    try:
        yield
    except ConfigError as error:
        print_problems(error.problems)
        raise typer.Exit(CONFIG_EXIT_CODE) from None


def exit_on_config_error(command: Callable[P, R]) -> Callable[P, R]:
    """Decorator form of ``config_errors`` for a whole command function."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with config_errors():
            return command(*args, **kwargs)

    return wrapper
