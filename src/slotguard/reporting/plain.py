"""The report mail's plain-text body: the same sections as the HTML, as lines a mail client
shows in any font — one block per row, each figure named, the trend as sentences."""

from __future__ import annotations

from slotguard.reporting.grids import Cell, Grid
from slotguard.reporting.page import Section


def plain_text(sections: tuple[Section, ...]) -> str:
    out: list[str] = []
    for section in sections:
        out += [section.title, section.heading, *([section.as_of] if section.as_of else []),
                "", section.intro, *section.notes, ""]
        for grid in section.grids:
            out += _grid_lines(grid)
        out += [section.chart.title, *section.chart.sentences, ""]
        if section.strips:
            out.append(section.strip_title)
            out += [f"{strip.seller}: " + "; ".join(cell.words for cell in strip.cells)
                    for strip in section.strips]
            out.append("")
        out += [f"{term}: {meaning}" for term, meaning in section.glossary]
        out.append("")
    if sections:
        out.append(sections[-1].footer)
    return "\n".join(out) + "\n"


def _grid_lines(grid: Grid) -> list[str]:
    """The grid's title, then per row its label and its figures, a group's on one line:
    "Make-up blocks: Booked 2, Kept 1, …"."""
    lines = [grid.title, "-" * len(grid.title)]
    for row in grid.rows:
        lines.append(_said(row.cells[0]))
        pairs = list(zip(grid.columns[1:], row.cells[1:], strict=True))
        group: str | None = None
        for column, cell in pairs:
            named = f"{column.label} {_said(cell)}"
            if column.group is not None and column.group == group:
                lines[-1] += f", {named}"
            elif column.group is not None:
                lines.append(f"  {column.group}: {named}")
            else:
                lines.append(f"  {column.label}: {_said(cell)}")
            group = column.group
        lines.append("")
    return lines


def _said(cell: Cell) -> str:
    return f"{cell.text} ({cell.detail})" if cell.detail else cell.text
