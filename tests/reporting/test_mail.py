"""The report mail: its subject, HTML and plain-text body in the team's language, with the
numbers of the report, what Outlook can render, and only the rows the reader may see."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from slotguard.domain.weekly_report import manager_view, seller_view
from slotguard.reporting import render_html, render_mail
from slotguard.reporting.chart import BAR_PIXELS, KEPT_COLOUR
from slotguard.texts import Texts

from .conftest import ANNA, ERIK, MAJA, organisation, team
from .tables_in import data_tables, row_of


def test_the_managers_mail_in_swedish_has_every_sellers_numbers() -> None:
    mail = render_mail(manager_view(team()))
    assert mail.subject == "Prospekteringsrapport för Nordics, vecka 49"
    assert '<html lang="sv">' in mail.html
    assert "Vecka 49: 30 nov.–6 dec. 2026" in mail.html
    assert "Siffrorna gäller fre 4 dec. 15:00." in mail.html  # when they were counted
    tables = data_tables(mail.html)
    header = tables[0][0]
    assert header == ["Säljare", "Planerade", "Genomförda", "Gick till kundmöten",
                      "Gick till interna möten", "Kvar att ta igen", "Fredagssiffran"]
    assert row_of(tables, ANNA, 0)[1:] == ["4", "3\n75 %", "1", "0", "2", "7"]
    assert row_of(tables, ERIK, 0)[1:] == ["4", "2\n50 %", "1", "1", "5", "oläsligt"]
    assert row_of(tables, MAJA, 0)[1:] == ["2", "2\n100 %", "0", "0", "0", "inget svar"]
    assert row_of(tables, "Hela teamet", 0) == [
        "Hela teamet\n3 säljare", "10", "7\n70 %", "2", "1", "7",
        "7\n1 oläsligt och 1 utan svar"]
    assert tables[1][0] == ["", "Ersättningsblock", "Uppföljningsuppgifter"]
    assert row_of(tables, ANNA, 1)[1:] == ["3", "1", "1", "1", "1", "1", "3"]
    assert row_of(tables, "Hela teamet", 1)[1:] == ["6", "3", "1", "1", "2", "3", "5"]


def test_the_trend_is_a_bar_per_week_as_wide_as_the_share_kept() -> None:
    mail = render_mail(manager_view(team()))
    chart = data_tables(mail.html)[2]
    assert chart[0] == ["Vecka", "Genomförda", "Kvar att ta igen", "Fredagssiffran"]
    weeks = [row[0] for row in chart[1:]]
    assert weeks == [f"v. {n}" for n in range(42, 50)]
    assert chart[-1][1:] == ["", "7 av 10 (70 %)", "7", "7\n1 oläsligt och 1 utan svar"]
    assert chart[-2][1:] == ["", "4 av 4 (100 %)", "1", "4"]  # only Anna had figures
    assert chart[1][1:] == ["", "inga siffror", "–", "–"]  # nobody yet
    kept = int(0.7 * BAR_PIXELS)
    assert f'<td width="{kept}" height="14" bgcolor="{KEPT_COLOUR}"' in mail.html
    assert f'<td width="{BAR_PIXELS - kept}" height="14"' in mail.html
    strips = data_tables(mail.html)[3]
    assert row_of([strips], MAJA, 0)[1:] == ["–"] * 5 + ["1/2", "–", "2/2"]


def test_the_html_is_what_outlook_renders() -> None:
    page = render_mail(manager_view(team())).html
    for banned in ("<style", "<script", "<svg", "<img", "<link", "javascript:", "url(",
                   "http://", "https://", "class="):
        assert banned not in page.lower(), banned
    assert '<meta charset="utf-8">' in page
    assert "max-width:600px" in page and '<table role="presentation" width="600"' in page


def test_a_sellers_own_copy_has_their_row_and_the_teams_sums_only() -> None:
    mail = render_mail(seller_view(team(), ERIK))
    assert mail.subject == "Din prospekteringsrapport, vecka 49"
    for body in (mail.html, mail.text):
        assert "erik.lund" in body
        assert "anna.berg" not in body and "maja.holm" not in body
        assert "2 kollegors rader visas inte: ert team delar bara summorna." in body
    tables = data_tables(mail.html)
    assert [row[0] for row in tables[0][1:]] == [ERIK, "Hela teamet\n3 säljare"]
    assert len(tables) == 3  # no strip per seller: that would name the colleagues
    assert tables[2][-1][1:] == ["", "2 av 4 (50 %)", "5", "oläsligt"]  # Erik's own trend


def test_a_team_that_sees_each_other_gets_every_row_with_the_readers_first() -> None:
    mail = render_mail(seller_view(team(sees_each_other=True), MAJA))
    tables = data_tables(mail.html)
    assert [row[0] for row in tables[0][1:]] == [
        f"{MAJA}\n(du)", ANNA, ERIK, "Hela teamet\n3 säljare"]
    assert "visas inte" not in mail.html
    assert "Ert team delar sina siffror" in mail.html


@pytest.mark.parametrize(("language", "subject", "heading", "as_of", "unanswered"), [
    ("en", "Prospecting report for Nordics, week 49",
     "Week 49: Nov 30\u2009\u2013\u2009Dec 6, 2026", "Figures as of Fri, Dec 4, 3:00\u202fPM.",
     "1 unreadable and 1 with no answer"),
    ("da", "Prospekteringsrapport for Nordics, uge 49", "Uge 49: 30. nov.\u20136. dec. 2026",
     "Tallene er opgjort fre. 4. dec. 15.00.", "1 ulæseligt og 1 uden svar"),
])
def test_every_word_and_date_is_the_teams_language(language: str, subject: str, heading: str,
                                                   as_of: str, unanswered: str) -> None:
    mail = render_mail(manager_view(team(language=language)))
    assert mail.subject == subject
    assert heading in mail.html and heading in mail.text
    assert as_of in mail.html and as_of in mail.text
    assert unanswered in mail.html and unanswered in mail.text
    assert f'<html lang="{language}">' in mail.html


def test_the_plain_text_body_names_every_figure() -> None:
    text = render_mail(manager_view(team())).text
    anna = text[text.index(ANNA):text.index(ERIK)]
    assert anna.splitlines()[1:7] == [
        "  Planerade: 4", "  Genomförda: 3 (75\xa0%)", "  Gick till kundmöten: 1",
        "  Gick till interna möten: 0", "  Kvar att ta igen: 2", "  Fredagssiffran: 7"]
    assert ("  Ersättningsblock: Bokade 3, Genomförda 1, Ombokade 1, Gick till möten 1, "
            "Avböjda 1") in text
    assert "v. 49: 7 av 10 (70\xa0%), kvar att ta igen 7, fredagssiffran 7 (1 oläsligt och 1 " \
        "utan svar)." in text
    assert "<" not in text


def test_names_are_escaped_in_html_and_left_alone_in_text() -> None:
    report = replace(team(), team="R&D <Nordics>")
    mail = render_mail(manager_view(report))
    assert "R&amp;D &lt;Nordics&gt;" in mail.html and "<Nordics>" not in mail.html
    assert "R&D <Nordics>" in mail.text and mail.subject.startswith("Prospekteringsrapport för R&D")


def test_the_admins_page_has_every_team_in_its_language_and_the_organisations_sums() -> None:
    page = render_html(organisation(), Texts("en"))
    assert '<td lang="sv"' in page and '<td lang="da"' in page
    assert "Prospekteringsrapport för Nordics" in page
    assert "Prospekteringsrapport for Danmark" in page
    tables = data_tables(page)
    organisation_blocks = tables[-2]
    assert organisation_blocks[0][0] == "Team"
    assert row_of([organisation_blocks], "Whole organisation", 0)[1:] == [
        "20", "14\n70%", "4", "2", "14", "14\n2 unreadable and 2 with no answer"]
    assert re.search(r"Nordics\n3 sellers", "\n".join(r[0] for r in organisation_blocks))
