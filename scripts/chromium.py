"""Find or install headless Chromium, and look at an HTML page with it: what a reader would
see (the page's text, table by table), how wide it lays out, and a screenshot.

Order: SLOTGUARD_TEST_CHROMIUM if set; chromium (or Chrome) on PATH; as root on Debian,
Debian's chromium installed with apt-get first. scripts/test.py calls ``ensure`` before
pytest, as it does for PostgreSQL, and hands the path to the tests.

Chromium is started with a fresh profile and everything that would reach the network off:
on a machine without one, its background fetches make a headless run hang.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

ENV = "SLOTGUARD_TEST_CHROMIUM"
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio")
TIMEOUT = 120  # seconds for one run; a cold start on a busy 2-core machine takes ~5

# Appended to a copy of the page (never to the mail): what the page shows, as rendered.
_MEASURE = """<script>
(function () {
  var root = document.documentElement, right = 0;
  document.querySelectorAll('body *').forEach(function (el) {
    right = Math.max(right, el.getBoundingClientRect().right);
  });
  var tables = [];
  document.querySelectorAll('table[role=table]').forEach(function (table) {
    var rows = [];
    for (var i = 0; i < table.rows.length; i++) {
      var cells = [];
      for (var j = 0; j < table.rows[i].cells.length; j++) {
        cells.push(table.rows[i].cells[j].innerText.trim());
      }
      rows.push(cells);
    }
    tables.push(rows);
  });
  var out = document.createElement('textarea');
  out.id = 'slotguard-measured';
  out.textContent = JSON.stringify({
    viewport: window.innerWidth, scroll_width: root.scrollWidth, right: Math.ceil(right),
    height: root.scrollHeight, text: document.body.innerText, tables: tables});
  document.body.appendChild(out);
})();
</script>"""


@dataclass(frozen=True)
class Page:
    viewport: int  # the window's width in CSS pixels
    scroll_width: int  # wider than the viewport: the reader scrolls sideways
    right: int  # the right edge of the widest element
    height: int
    text: str  # the page's text as rendered (innerText)
    tables: list[list[list[str]]]  # each data table's rows of cell texts


def find() -> str | None:
    if path := os.environ.get(ENV):
        return path if Path(path).exists() else None
    return next((found for name in NAMES if (found := shutil.which(name))), None)


def _install_debian_chromium() -> None:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.call(["apt-get", "update", "-qq"], env=env, stdout=subprocess.DEVNULL,
                    stdin=subprocess.DEVNULL)
    # Liberation: metric-compatible stand-ins for Arial and Calibri-sized text.
    subprocess.call(["apt-get", "install", "-y", "-qq", "chromium", "fonts-liberation"],
                    env=env, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)


def ensure() -> str | None:
    """Chromium's path, installed first where it can be; None (the tests then skip, or fail
    under CI) when it cannot be had."""
    if found := find():
        return found
    _install_debian_chromium()
    if found := find():
        return found
    print("chromium: not found and could not be installed; the HTML report checks will skip")
    return None


def _run(binary: str, args: list[str]) -> str:
    with tempfile.TemporaryDirectory(prefix="slotguard-chromium-") as profile:
        done = subprocess.run([binary, *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=TIMEOUT,
                              stdin=subprocess.DEVNULL, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


def look(binary: str, page: str, width: int, height: int = 1000) -> Page:
    """Lay ``page`` out in a window ``width`` pixels wide and read what it shows."""
    with tempfile.TemporaryDirectory(prefix="slotguard-page-") as tmp:
        copy = Path(tmp) / "page.html"
        copy.write_text(page.replace("</body>", _MEASURE + "</body>"), encoding="utf-8")
        dom = _run(binary, [f"--window-size={width},{height}", "--dump-dom", copy.as_uri()])
    found = re.search(r'<textarea id="slotguard-measured">(.*?)</textarea>', dom, re.S)
    if found is None:
        raise RuntimeError("chromium: the page was not measured (did it load?)")
    return Page(**json.loads(html.unescape(found[1])))


def screenshot(binary: str, page_file: Path, png: Path, width: int, height: int) -> None:
    """A PNG of ``page_file`` in a window of ``width`` by ``height`` pixels."""
    _run(binary, [f"--window-size={width},{height}", f"--screenshot={png}",
                  page_file.resolve().as_uri()])
    if not png.exists():
        raise RuntimeError(f"chromium: no screenshot was written to {png}")
