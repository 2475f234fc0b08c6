"""Tables for people at a terminal; plain, complete lines everywhere else.

A rich table squeezes itself into the console's width, and piped output gets 80 columns:
seller addresses came out cut ("anna.berg@cont…") below ~100 columns and in every pipe.
Addresses are what an admin greps for and copies, so nothing is cut: a table goes to a
terminal only when it fits there as it is; otherwise, and always when stdout is not a
terminal, the same cells are written as plain text — columns padded to their widest cell,
markup removed, no line limit.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Column, Table

_GAP = "  "
_UNLIMITED = 100_000  # columns: wide enough for any table's natural width


def console() -> Console:
    """stdout as a rich console; text lines are never wrapped (``soft_wrap``)."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def show(out: Console, item: RenderableType) -> None:
    """A table or a line of markup, as the terminal (or the pipe) can take it."""
    from rich.table import Table
    from rich.text import Text

    if isinstance(item, Table):
        if out.is_terminal and fits(out, item):
            out.print(item)
        else:
            out.file.write(plain_table(item))
        return
    if out.is_terminal:
        out.print(item)
    else:
        text = Text.from_markup(item) if isinstance(item, str) else item
        out.file.write(f"{_plain(text)}\n")


def fits(out: Console, table: Table) -> bool:
    """Whether the table fits the console as it is, no cell wrapped or cut: a table
    squeezed into fewer columns cuts words, addresses among them, or empties whole
    columns."""
    from rich.cells import cell_len
    from rich.measure import Measurement

    natural = Measurement.get(out, out.options.update_width(_UNLIMITED), table).maximum
    words = re.split(r"\s+", _plain(table.title)) if table.title else []
    return max([natural, *(cell_len(word) for word in words)]) <= out.width


def plain_table(table: Table) -> str:
    """The table as plain text: title, header, one line per line of a row, caption."""
    from rich.cells import cell_len

    columns = table.columns
    cells = [[_plain(cell).splitlines() or [""] for cell in column.cells] for column in columns]
    headers = [_plain(column.header) for column in columns]
    widths = [max([cell_len(headers[i]), *(cell_len(line) for cell in cells[i] for line in cell)])
              for i in range(len(columns))]
    out: list[str] = []
    if table.title:
        out.append(_plain(table.title))
    if table.show_header:
        out.append(_line(headers, widths, columns))
    for row in range(len(table.rows)):
        height = max(len(cells[i][row]) for i in range(len(columns)))
        for n in range(height):
            out.append(_line([cells[i][row][n] if n < len(cells[i][row]) else ""
                              for i in range(len(columns))], widths, columns))
    if table.caption:
        out.append(_plain(table.caption))
    out.append("")  # a blank line between one table and the next
    return "".join(f"{line}\n" for line in out)


def _line(values: list[str], widths: list[int], columns: list[Column]) -> str:
    from rich.cells import cell_len

    padded = []
    for value, width, column in zip(values, widths, columns, strict=True):
        pad = " " * (width - cell_len(value))
        padded.append(pad + value if column.justify == "right" else value + pad)
    return _GAP.join(padded).rstrip()


def _plain(item: object) -> str:
    from rich.text import Text

    if isinstance(item, Text):
        return item.plain
    if isinstance(item, str):
        return Text.from_markup(item).plain
    return str(item)
