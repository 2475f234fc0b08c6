#!/usr/bin/env python3
"""Render the sample weekly report (slotguard.reporting.sample) as the mails and the admin's
page, and take a screenshot of each in headless Chromium at an Outlook reading pane's width.

    python3 dev.py slotguard --help >/dev/null   # once: the project's virtualenv
    .venv/bin/python scripts/report_preview.py [--out build/report-preview] [--width 650]

Writes, per copy, NAME.html, NAME.txt (the plain-text body, its subject first) and NAME.png:
the Swedish team's manager and one of its sellers, the Danish team's manager and one of its
sellers (that team sees each other's rows), and the whole organisation's page.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import chromium  # noqa: E402  # the helper beside this script

from slotguard.domain.weekly_report import manager_view, seller_view  # noqa: E402
from slotguard.reporting import render_html, render_mail  # noqa: E402
from slotguard.reporting.sample import sample_report  # noqa: E402
from slotguard.texts import Texts  # noqa: E402


def copies() -> dict[str, tuple[str, str | None]]:
    """NAME → (HTML, plain-text body with its subject, or None for a page)."""
    report = sample_report()
    swedish, danish = report.teams
    views = {
        "sv-manager": manager_view(swedish),
        "sv-seller": seller_view(swedish, swedish.sellers[1].seller),
        "da-manager": manager_view(danish),
        "da-seller": seller_view(danish, danish.sellers[0].seller),
    }
    out: dict[str, tuple[str, str | None]] = {}
    for name, view in views.items():
        mail = render_mail(view)
        out[name] = (mail.html, f"Subject: {mail.subject}\n\n{mail.text}")
    out["organisation"] = (render_html(report, Texts("en")), None)
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "report-preview")
    parser.add_argument("--width", type=int, default=650, help="window width in pixels")
    args = parser.parse_args(argv)
    binary = chromium.ensure()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, (page, text) in copies().items():
        html_file = args.out / f"{name}.html"
        html_file.write_text(page, encoding="utf-8")
        if text is not None:
            (args.out / f"{name}.txt").write_text(text, encoding="utf-8")
        if binary is None:
            continue
        seen = chromium.look(binary, page, args.width)
        png = args.out / f"{name}.png"
        chromium.screenshot(binary, html_file, png, args.width, seen.height)
        wide = "" if seen.scroll_width <= seen.viewport else (
            f" — WIDER than the window: {seen.scroll_width} px")
        print(f"{png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}: "
              f"{args.width}×{seen.height} px{wide}")
    if binary is None:
        print("report_preview: no Chromium; wrote the HTML only", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
