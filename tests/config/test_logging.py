from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog
from pydantic import SecretStr

from slotguard.config.settings import load_settings
from slotguard.logging import REDACTED, SECRET, Redactor, configure_logging

SECRET_VALUE = "pw-9f8e7d6c5b4a"


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    yield
    structlog.reset_defaults()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_slotguard_handler", False)]:
        root.removeHandler(handler)


def json_lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_events_with_personal_data_redacted() -> None:
    out = io.StringIO()
    configure_logging("json", "info", personal_data=False, stream=out)
    log = structlog.get_logger("slotguard.scan")
    log.info("scan.violation_found", seller="anna.berg@contoso.com", subject="Fabrikam deal",
             attendees=["kim@fabrikam.com"], organizer="kim@fabrikam.com", block="0800-1000")
    log.debug("scan.noise")
    [event] = json_lines(out)
    assert event["event"] == "scan.violation_found"
    assert event["level"] == "info"
    assert event["logger"] == "slotguard.scan"
    assert event["seller"] == "anna.berg@contoso.com"
    assert event["block"] == "0800-1000"
    assert event["subject"] == event["attendees"] == event["organizer"] == REDACTED
    assert "Fabrikam" not in out.getvalue() and "kim@" not in out.getvalue()


def test_personal_data_when_allowed_but_never_secrets() -> None:
    out = io.StringIO()
    configure_logging("json", "debug", personal_data=True, stream=out)
    structlog.get_logger().debug(
        "graph.token", subject="Fabrikam deal", client_secret="abc123456",
        credential=SecretStr("abc123456"), nested={"password": "abc123456", "title": "Deal"})
    [event] = json_lines(out)
    assert event["subject"] == "Fabrikam deal"
    assert event["client_secret"] == event["credential"] == SECRET
    assert event["nested"] == {"password": SECRET, "title": "Deal"}
    assert "abc123456" not in out.getvalue()


def test_configured_secret_values_are_scrubbed_from_any_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLOTGUARD_CLIENT_SECRET", SECRET_VALUE)
    monkeypatch.setenv("SLOTGUARD_LOG_FORMAT", "console")
    out = io.StringIO()
    configure_logging(load_settings(), stream=out)
    structlog.get_logger().warning("auth.failed", error=f"AADSTS7000215 bad {SECRET_VALUE}")
    logging.getLogger("some.library").warning("sent client_secret=%s", SECRET_VALUE)
    text = out.getvalue()
    assert SECRET_VALUE not in text
    assert text.count(SECRET) == 2
    assert "auth.failed" in text and "some.library" in text


def test_library_records_use_the_same_renderer_and_chatty_ones_are_quiet() -> None:
    out = io.StringIO()
    configure_logging("json", "info", stream=out)
    logging.getLogger("apscheduler.scheduler").warning("job missed")
    logging.getLogger("httpx").info("HTTP Request: GET https://graph.microsoft.com/v1.0/users/a")
    [event] = json_lines(out)
    assert event["event"] == "job missed" and event["logger"] == "apscheduler.scheduler"


def test_reconfiguring_does_not_duplicate_lines() -> None:
    out = io.StringIO()
    configure_logging("json", stream=out)
    configure_logging("json", stream=out)
    structlog.get_logger().info("once")
    assert len(json_lines(out)) == 1


def test_redactor_with_capture_logs() -> None:
    redact = Redactor(personal_data=False)
    event = redact(None, "info", {"event": "x", "meeting": {"subject": "s"}, "seller": "a@b.c"})
    assert event == {"event": "x", "meeting": REDACTED, "seller": "a@b.c"}
    with structlog.testing.capture_logs() as captured:
        structlog.get_logger().info("scan.done", sellers=3)
    assert captured == [{"event": "scan.done", "sellers": 3, "log_level": "info"}]


def test_bad_format_or_level() -> None:
    with pytest.raises(ValueError, match="use console or json"):
        configure_logging("xml")
    with pytest.raises(ValueError, match="use debug, info, warning or error"):
        configure_logging("json", "loud")
