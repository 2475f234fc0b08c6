"""The weekly adherence report, rendered: terminal tables, CSV, JSON, and the HTML mail
(with its plain-text body and subject) that Outlook renders.

The report itself — figures, sums, trends, who sees which rows — is the domain's
(``slotguard.domain.adherence``, ``slotguard.domain.weekly_report``); everything here turns
it into words and layout in the team's language, and reads nothing else.
"""

from slotguard.reporting.mail import Mail, render_html, render_mail
from slotguard.reporting.records import CSV_COLUMNS, render_csv, render_json
from slotguard.reporting.table import render_tables

__all__ = [
    "CSV_COLUMNS",
    "Mail",
    "render_csv",
    "render_html",
    "render_json",
    "render_mail",
    "render_tables",
]
