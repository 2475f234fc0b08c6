"""The ``slotguard`` command. Each command group lives in its own module and registers
itself on the one Typer app; heavy imports happen inside the commands, not here."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="slotguard",
    help="Keeps sellers' prospecting blocks: a customer meeting in a block is swapped "
    "for two blocks next week, plus a recurring follow-up task.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_COMMAND_MODULES = ("config_cmd", "sim_cmd", "live_cmd", "doctor_cmd")


def _register_commands() -> None:
    for name in _COMMAND_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        module.register(app)


def main() -> None:
    _register_commands()
    app()
