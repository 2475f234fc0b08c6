"""The report for a person: a rich table on a terminal; on anything else (a file, a pipe,
a CI log) plain lines without any width limit, so a seller's address is never cut and
every failing seller is on a line of its own that grep finds."""

from __future__ import annotations

from typing import IO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from slotguard.entrypoints.doctor.report import DoctorReport, Finding, Status

_STYLE = {Status.OK: "green", Status.WARN: "yellow", Status.FAIL: "bold red",
          Status.SKIPPED: "dim"}
_LABEL = {Status.OK: "ok", Status.WARN: "warn", Status.FAIL: "FAIL", Status.SKIPPED: "skipped"}


def headline(report: DoctorReport) -> str:
    failed = sum(c.status is Status.FAIL for c in report.checks)
    warned = sum(c.status is Status.WARN for c in report.checks)
    if failed:
        return (f"slotguard doctor: {failed} check(s) failed, {warned} warning(s); fix them "
                "before switching writes on")
    if warned:
        return f"slotguard doctor: all checks passed, {warned} warning(s)"
    return "slotguard doctor: all checks passed"


def render(report: DoctorReport, out: IO[str] | None = None) -> None:
    console = Console(file=out, highlight=False)
    if console.is_terminal:
        console.print(_table(report))
        console.print(headline(report))
    else:
        (out or console.file).write("".join(f"{line}\n" for line in plain_lines(report)))


def plain_lines(report: DoctorReport) -> list[str]:
    lines = []
    for check in report.checks:
        lines.append(f"{_LABEL[check.status]:<7} {check.title}: {check.summary}")
        if check.fix:
            lines.append(f"        fix: {check.fix}")
        for finding in check.findings:
            lines.append(f"        {_LABEL[finding.status]:<7} {finding.what}")
            lines += [f"                {item}" for item in finding.items]
            if finding.fix:
                lines.append(f"                fix: {finding.fix}")
    lines.append(headline(report))
    return lines


def _table(report: DoctorReport) -> Table:
    """A row per check, then one per finding, so each fix sits beside what it fixes."""
    table = Table(title="slotguard doctor", title_justify="left")
    table.add_column("Check", overflow="fold", ratio=1)
    table.add_column("Result", overflow="fold", ratio=3)
    table.add_column("Fix", overflow="fold", ratio=2)
    for check in report.checks:
        rows = [(escape(check.title), _mark(check.status, check.summary), escape(check.fix))]
        rows += [("", _finding(f), escape(f.fix)) for f in check.findings]
        for i, row in enumerate(rows):
            table.add_row(*row, end_section=i == len(rows) - 1)
    return table


def _mark(status: Status, text: str) -> str:
    return f"[{_STYLE[status]}]{_LABEL[status]}[/] {escape(text)}"


def _finding(finding: Finding) -> str:
    return "\n".join([_mark(finding.status, finding.what),
                      *(f"  {escape(item)}" for item in finding.items)])
