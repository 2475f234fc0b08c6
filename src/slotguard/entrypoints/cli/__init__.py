"""The ``slotguard`` command. Each command group lives in its own module and registers
itself on the one Typer app; heavy imports happen inside the commands, not here."""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

app = typer.Typer(
    name="slotguard",
    help="Keeps sellers' prospecting blocks: a customer meeting in a block is swapped "
    "for two blocks next week, plus a recurring follow-up task.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

_COMMAND_MODULES = ("config_cmd", "sim_cmd", "live_cmd", "doctor_cmd")


def version() -> str:
    """The installed distribution's version (what pip and the image report)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("slotguard")
    except PackageNotFoundError:  # run from a source tree that was never installed
        from slotguard import __version__

        return __version__


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"slotguard {version()}")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_print_version,
        help="Print slotguard's version and exit.")] = False,
) -> None:
    """Options before the command (``slotguard --version``)."""


def _register_commands() -> None:
    for name in _COMMAND_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        module.register(app)


def main() -> None:
    _register_commands()
    # The name completion scripts and usage lines use, also under ``python -m slotguard``.
    app(prog_name="slotguard")
