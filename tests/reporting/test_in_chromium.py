"""The report mail looked at in headless Chromium, as a reader would see it: the numbers
are on the rendered page, it fits an Outlook reading pane without scrolling sideways, and
its screenshot shows the trend's bars as wide as the shares they stand for.

Chromium is not Outlook, but a page that overflows or hides its numbers here does no
better there; what Outlook needs besides (tables, inline styles, no script or SVG) is
checked in test_mail.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from slotguard.domain.weekly_report import manager_view, seller_view
from slotguard.reporting import render_mail
from slotguard.reporting.chart import BAR_PIXELS, FAIR_COLOUR, GOOD_COLOUR, KEPT_COLOUR
from slotguard.reporting.page import section
from slotguard.reporting.sample import sample_report

from .conftest import ANNA, ERIK, MAJA, chromium, team
from .tables_in import row_of

BAR_HEIGHT = 14  # the template's bar cells


def cells(page: chromium.Page) -> list[list[list[str]]]:
    return [[[cell.replace("\xa0", " ") for cell in row] for row in table]
            for table in page.tables]


def test_the_rendered_page_holds_the_reports_numbers(chromium_binary: str) -> None:
    seen = chromium.look(chromium_binary, render_mail(manager_view(team())).html, 650)
    tables = cells(seen)
    assert row_of(tables, ANNA, 0)[1:] == ["4", "3\n75 %", "1", "0", "2", "7"]
    assert row_of(tables, ERIK, 0)[-1] == "oläsligt"
    assert row_of(tables, MAJA, 0)[-1] == "inget svar"
    assert row_of(tables, "Hela teamet", 0)[1:] == [
        "10", "7\n70 %", "2", "1", "7", "7\n1 oläsligt och 1 utan svar"]
    assert row_of(tables, "Hela teamet", 1)[1:] == ["6", "3", "1", "1", "2", "3", "5"]
    assert tables[2][-1][0] == "v. 49" and tables[2][-1][2] == "7 av 10 (70 %)"
    assert "Vecka 49: 30 nov.–6 dec. 2026" in seen.text


def test_a_sellers_rendered_copy_shows_no_colleague(chromium_binary: str) -> None:
    seen = chromium.look(chromium_binary, render_mail(seller_view(team(), ERIK)).html, 650)
    assert "erik.lund@contoso.com" in seen.text
    assert "anna.berg" not in seen.text and "maja.holm" not in seen.text
    assert [row[0] for row in cells(seen)[0][1:]] == [ERIK, "Hela teamet\n3 säljare"]


@pytest.mark.parametrize("width", [600, 650, 700])
@pytest.mark.parametrize("copy", ["manager", "seller", "shared"])
def test_it_fits_a_reading_pane_without_scrolling_sideways(chromium_binary: str, width: int,
                                                            copy: str) -> None:
    swedish, danish = sample_report().teams  # long addresses, four sellers
    view = {"manager": manager_view(swedish),
            "seller": seller_view(swedish, swedish.sellers[3].seller),
            "shared": seller_view(danish, danish.sellers[1].seller)}[copy]
    seen = chromium.look(chromium_binary, render_mail(view).html, width)
    assert seen.viewport == width
    assert seen.scroll_width <= width and seen.right <= width, seen


def test_the_screenshot_shows_the_trends_bars(chromium_binary: str, tmp_path: Path) -> None:
    view = manager_view(sample_report().teams[0])
    page = render_mail(view).html
    html_file = tmp_path / "report.html"
    html_file.write_text(page, encoding="utf-8")
    height = chromium.look(chromium_binary, page, 650).height
    png = tmp_path / "report.png"
    chromium.screenshot(chromium_binary, html_file, png, 650, height)
    with Image.open(png) as shot:
        assert shot.format == "PNG" and shot.size == (650, height)
        colours = dict((colour, count) for count, colour in
                       shot.convert("RGB").getcolors(maxcolors=650 * height))
    bars = section(view).chart.bars
    green = sum(bar.kept_pixels for bar in bars) * BAR_HEIGHT
    assert 0 < green < len(bars) * BAR_PIXELS * BAR_HEIGHT
    assert colours.get(rgb(KEPT_COLOUR), 0) == pytest.approx(green, rel=0.03)
    assert colours.get(rgb(GOOD_COLOUR), 0) > 0 and colours.get(rgb(FAIR_COLOUR), 0) > 0


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
