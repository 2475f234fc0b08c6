"""The report for people: plain lines on anything that is not a terminal, a table on one;
neither ever cuts a seller's address short."""

from __future__ import annotations

import io
import re

from slotguard.entrypoints.doctor import Check, DoctorReport, Finding, Status
from slotguard.entrypoints.doctor.render import render

LONG = "a.seller.with.a.rather.long.name.indeed@sales-division.emea.contoso.example.com"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def report() -> DoctorReport:
    return DoctorReport([
        Check("settings", "Settings and rules", "slotguard.toml: 1 team(s)"),
        Check("mailboxes", "Mailboxes (settings)", "1 of 2 seller(s) readable", Status.FAIL,
              findings=[Finding("no Exchange Online mailbox", "assign a licence", [LONG])]),
    ])


def test_a_pipe_or_file_gets_plain_lines_of_any_length() -> None:
    out = io.StringIO()
    render(report(), out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "ok      Settings and rules: slotguard.toml: 1 team(s)"
    assert f"                {LONG}" in lines
    assert "\x1b[" not in out.getvalue()  # no colour codes in a log


def test_a_narrow_terminal_folds_addresses_instead_of_cutting_them(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLUMNS", "70")
    out = Terminal()
    render(report(), out)
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())
    assert "…" not in text
    # Folded over lines of the Result column, every character is still there, in order.
    rows = [line.split("│") for line in text.splitlines()]
    result = "".join(row[2].strip() for row in rows if len(row) == 5)
    assert LONG in result
    assert "FAIL" in text and "assign a licence" in text
