"""The data tables of an HTML page as rows of cell texts, read with the standard library's
parser: what the HTML says, independent of how the templates wrote it."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._open: list[bool] = []  # per <table>: a data table (role=table)?
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            data = ("role", "table") in attrs
            self._open.append(data)
            if data:
                self.tables.append([])
        elif self._open and self._open[-1] and tag == "tr":
            self.tables[-1].append([])
        elif self._open and self._open[-1] and tag in {"td", "th"}:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._open.pop()
        elif tag in {"td", "th"} and self._cell is not None and self._open[-1]:
            text = re.sub(r"[ \t]+", " ", "".join(self._cell)).strip()
            self.tables[-1][-1].append(re.sub(r" *\n *", "\n", text))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data.replace("\xa0", " "))


def data_tables(page: str) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def row_of(tables: list[list[list[str]]], first: str, table: int) -> list[str]:
    """The row of ``tables[table]`` whose first cell starts with ``first``."""
    found = [row for row in tables[table] if row and row[0].startswith(first)]
    assert len(found) == 1, (first, tables[table])
    return found[0]
