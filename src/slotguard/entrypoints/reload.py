"""SIGHUP for the daemon: read the settings and the rules file again, validate them as
``scan`` does, and apply what can change while running — the rules (teams, sellers,
blocks, policy), logging and the personal-data switch. A file that does not validate is
one error line and the running rules stay. Settings that only take effect at start
(credentials, cloud, database, state directory, concurrency) are named in one warning."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import structlog

from slotguard.config.rules import load_rules
from slotguard.config.settings import Settings, load_settings
from slotguard.entrypoints import preflight
from slotguard.errors import ConfigError
from slotguard.service.scan import Scanner
from slotguard.service.sellers import roster_from

log = structlog.get_logger("slotguard.daemon")

# Settings a running daemon picks up; every other field needs a restart.
LIVE = frozenset({"rules_file", "log_format", "log_level", "log_personal_data"})


def reloader(scanner: Scanner, settings: Settings, rules: Path | None,
             on_settings: Callable[[Settings], None] = lambda _s: None,
             ) -> Callable[[], None]:
    """The SIGHUP handler. ``rules``: the --rules option the daemon was started with
    (it wins over SLOTGUARD_RULES_FILE, as at start)."""
    current = settings

    def reload() -> None:
        nonlocal current
        try:
            fresh = load_settings()
            rules_file = load_rules(rules or fresh.rules_file)
            problems = preflight.problems(fresh, rules_file, need_credentials=True)
        except ConfigError as error:
            problems = error.problems
        if problems:
            log.error("daemon.reload_rejected", problems=" | ".join(problems),
                      kept="the rules and settings in use")
            return
        on_settings(fresh)
        scanner.rules = rules_file.rules
        scanner.roster = roster_from(rules_file, scanner.gateway)
        scanner.tasks_enabled = rules_file.follow_up_enabled
        scanner.texts = rules_file.texts
        scanner.personal_data = fresh.log_personal_data
        stale = sorted(name for name in Settings.model_fields if name not in LIVE
                       and getattr(fresh, name) != getattr(current, name))
        if stale:
            log.warning("daemon.restart_needed", settings=[f"SLOTGUARD_{n.upper()}"
                                                           for n in stale])
        current = fresh
        log.info("daemon.reloaded", rules=rules_file.source, teams=len(rules_file.teams))

    return reload
