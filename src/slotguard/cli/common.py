"""What every command shares: the ``--rules`` option and how configuration problems end.

A ``ConfigError`` ends a command the same way everywhere: each problem on its own line on
stderr, exactly as worded (admins and scripts grep for the TOML path or variable name),
nothing on stdout, exit code 2.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
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


def print_problems(problems: Iterable[str]) -> None:
    # Plain writes, not rich: a console would wrap long lines and break "one line each".
    for problem in problems:
        sys.stderr.write(f"{problem}\n")
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
