"""The report at a terminal: rich tables, and in a pipe (or a terminal too narrow for them)
plain lines that cut no address and no figure."""

from __future__ import annotations

import io
from dataclasses import replace

from rich.console import Console

from slotguard.domain.weekly_report import OrganisationReport, seller_report
from slotguard.entrypoints.cli import output
from slotguard.reporting import render_tables
from slotguard.texts import Texts

from .conftest import ANNA, WEEK, organisation, team

LONG = "anna-karin.lindqvist.with.a.long.address@nordicsales.contoso.com"


def shown(report: OrganisationReport, console: Console, language: str = "en") -> str:
    for table in render_tables(report, Texts(language)):
        output.show(console, table)
    return console.file.getvalue()  # type: ignore[attr-defined]


def piped() -> Console:
    return Console(file=io.StringIO(), width=80)


def long_named() -> OrganisationReport:
    nordics = team()
    anna = nordics.sellers[0]
    renamed = seller_report(LONG, WEEK, [replace(row, seller=LONG) for row in anna.rows])
    return OrganisationReport(WEEK, (replace(nordics, sellers=(renamed, *nordics.sellers[1:])),))


def test_piped_the_tables_are_plain_lines_with_every_figure() -> None:
    text = shown(organisation(), piped())
    lines = text.splitlines()
    assert lines[0] == ("Nordics, Week 49: Nov 30\u2009\u2013\u2009Dec 6, 2026 \u2014 "
                        "Prospecting blocks")
    assert lines[1].split("  ")[0] == "Seller"
    anna = next(line for line in lines if line.startswith(ANNA))
    assert anna.split() == [ANNA, "4", "3", "(75%)", "1", "0", "2", "7"]
    assert any(line.rstrip().endswith("unreadable") for line in lines)
    assert any(line.rstrip().endswith("no answer") for line in lines)
    total = next(line for line in lines if line.startswith("Whole team"))
    assert total.endswith("  7 (1 unreadable and 1 with no answer)")
    assert "Whole organisation (6 sellers)" in text
    assert "\x1b[" not in text  # no colours or styles in a pipe


def test_an_address_is_never_cut_even_at_a_narrow_terminal() -> None:
    terminal = Console(file=io.StringIO(), width=60, force_terminal=True, color_system=None)
    for console in (piped(), terminal):
        text = shown(long_named(), console)
        assert any(line.startswith(LONG + "  ") for line in text.splitlines()), text
        assert "\u2026" not in text


def test_the_admins_tables_are_in_the_language_asked_for() -> None:
    text = shown(organisation(), piped(), "sv")
    assert "Nordics, Vecka 49: 30 nov.–6 dec. 2026 — Prospekteringsblock" in text
    assert "Danmark: Genomförda block, 8 veckor bakåt" in text
    assert "Hela organisationen (6 säljare)" in text
