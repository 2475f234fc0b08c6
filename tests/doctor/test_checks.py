"""Each thing a real tenant can get wrong, caught by ``slotguard doctor`` with the fix that
mends it — and a tenant with nothing wrong passes with exit 0."""

from __future__ import annotations

import pytest
from tests.doctor.conftest import ANNA, Doctor

from slotguard.sim.faults import FaultOptions, FaultRule
from slotguard.sim.scenario import SLOTGUARD_ROLES

SARA = "sara.nyberg@contoso.com"
EAST_COAST = "3f2a5c1e-7b8d-4e21-9a0f-5d6c7b8a9e01"


def test_a_tenant_set_up_as_documented_passes(doctor: Doctor) -> None:
    outcome = doctor.report()
    assert outcome.code == 0, outcome.report
    assert outcome.report["status"] == "ok"
    assert [c["id"] for c in outcome.report["checks"]] == [
        "settings", "credential", "sign_in", "roles", "directory", "mailboxes", "calendars",
        "time_zones", "working_hours", "todo", "senders"]
    assert outcome.check("directory")["summary"].endswith("8 seller(s) in all")
    assert outcome.check("mailboxes")["summary"] == "8 of 8 seller(s) readable"
    # Nothing was written: the doctor only reads unless asked to write.
    assert doctor.sim.writes() == []


def test_plain_output_names_every_check_and_exits_like_json(doctor: Doctor) -> None:
    outcome = doctor.run()
    assert outcome.code == 0 and outcome.err == ""
    lines = outcome.out.splitlines()
    assert lines[-1] == "slotguard doctor: all checks passed"
    assert any(line.startswith("ok      Calendars: 8 of 8 seller(s) readable") for line in lines)


def test_a_missing_role_fails_the_roles_check_and_names_the_permission(doctor: Doctor) -> None:
    doctor.grant(*(set(SLOTGUARD_ROLES) - {"Tasks.ReadWrite.All"}))
    outcome = doctor.report()
    assert outcome.code == 1
    missing = outcome.finding("roles", "missing")
    assert missing["items"][0].startswith("Tasks.ReadWrite.All")
    assert "Grant admin consent" in missing["fix"]
    # Every seller's To Do is refused for the same reason, said once with all of them.
    todo = outcome.finding("todo", "the token lacks Tasks.ReadWrite.All")
    assert len(todo["items"]) == 8 and "API permissions" in todo["fix"]
    assert outcome.status("calendars") == "ok"


def test_a_missing_directory_role_fails_the_group(doctor: Doctor) -> None:
    doctor.grant(*(set(SLOTGUARD_ROLES) - {"GroupMember.Read.All"}))
    outcome = doctor.report()
    assert outcome.code == 1
    group = outcome.finding("directory", "group unreadable (Authorization_RequestDenied)")
    assert group["items"] == [f"{EAST_COAST} (teams[1], team East Coast)"]
    assert "GroupMember.Read.All" in group["fix"]


def test_without_user_read_all_group_members_are_a_warning(doctor: Doctor) -> None:
    doctor.grant(*(set(SLOTGUARD_ROLES) - {"User.Read.All"}), "User.ReadBasic.All")
    outcome = doctor.report()
    unknown = outcome.finding("directory", "unknown account state")
    assert unknown["status"] == "warn" and "User.Read.All" in unknown["fix"]
    assert outcome.finding("roles", "missing")["items"][0].startswith("User.Read.All")


def test_an_access_policy_is_told_apart_from_a_missing_role(doctor: Doctor) -> None:
    doctor.sim.tenant.set_access_denied(SARA)
    outcome = doctor.report()
    assert outcome.code == 1
    assert outcome.status("roles") == "ok"
    for check in ("mailboxes", "calendars"):
        policy = outcome.finding(check, "application access policy")
        assert policy["items"] == [SARA]
        assert f"Test-ApplicationAccessPolicy -Identity <seller> -AppId {doctor.sim.client_id}" \
            in policy["fix"]
    # The policy does not cover To Do (concepts/auth-limit-mailbox-access).
    assert outcome.status("todo") == "ok"


def test_a_mailbox_role_missing_from_the_token_is_not_called_a_policy(doctor: Doctor) -> None:
    doctor.grant(*(set(SLOTGUARD_ROLES) - {"MailboxSettings.Read"}))
    outcome = doctor.report()
    settings = outcome.finding("mailboxes", "the token lacks MailboxSettings.Read")
    assert len(settings["items"]) == 8
    assert not [f for f in outcome.check("mailboxes")["findings"] if "policy" in f["what"]]
    assert outcome.finding("roles", "missing")["items"][0].startswith("MailboxSettings.Read")


def test_a_seller_without_exchange_and_one_that_does_not_exist(doctor: Doctor) -> None:
    doctor.sim.tenant.remove_mailbox(ANNA)
    doctor.rules.write_text(doctor.rules.read_text().replace(
        '"johan.ek@contoso.com",', '"johan.ek@contoso.com", "nobody@contoso.com",'))
    outcome = doctor.report()
    assert outcome.code == 1
    missing = outcome.finding("mailboxes", "no Exchange Online mailbox")
    assert missing["items"] == [ANNA] and "Exchange Online licence" in missing["fix"]
    gone = outcome.finding("mailboxes", "no such user")
    assert gone["items"] == ["nobody@contoso.com"] and "user principal name" in gone["fix"]
    # The same seller is not read again for the calendar; the cause is the same.
    assert outcome.finding("calendars", "no Exchange Online mailbox")["items"] == [ANNA]


def test_a_group_that_does_not_exist(doctor: Doctor) -> None:
    doctor.rules.write_text(doctor.rules.read_text().replace(
        EAST_COAST, "00000000-0000-4000-8000-000000000000"))
    outcome = doctor.report()
    gone = outcome.finding("directory", "no such group")
    assert "Object ID" in gone["fix"]


def test_a_mailbox_without_a_time_zone_and_short_working_hours(doctor: Doctor) -> None:
    tenant = doctor.sim.tenant
    tenant.user(SARA).time_zone = "Mars Standard Time"  # unknown to Windows and CLDR
    erik = tenant.user("erik.holm@contoso.com").working_hours
    erik.start, erik.end = erik.start.replace(hour=8), erik.start.replace(hour=9)
    outcome = doctor.report()
    assert outcome.finding("time_zones", "no usable time zone")["items"] == [SARA]
    short = outcome.finding("working_hours", "shorter than the seller's longest block")
    assert short["status"] == "warn"
    assert short["items"] == ["erik.holm@contoso.com (08:00–09:00)"]


def test_follow_up_off_needs_no_to_do(doctor: Doctor) -> None:
    doctor.rules.write_text(doctor.rules.read_text().replace(
        "enabled = true\n# The To Do list", "enabled = false\n# The To Do list"))
    doctor.grant(*(set(SLOTGUARD_ROLES) - {"Tasks.ReadWrite.All"}))
    outcome = doctor.report()
    assert outcome.code == 0, outcome.report
    assert "todo" not in [c["id"] for c in outcome.report["checks"]]


@pytest.mark.parametrize(("args", "env", "says"), [
    (["--write-test", "anna"], {}, "--write-test: 'anna' is not a mailbox address"),
    ([], {"SLOTGUARD_CLIENT_ID": "not-a-guid"}, "SLOTGUARD_CLIENT_ID"),
    ([], {"SLOTGUARD_CLIENT_SECRET": None}, "SLOTGUARD_CLIENT_SECRET: not set"),
    (["--rules", "missing.toml"], {}, "missing.toml: no such rules file"),
])
def test_bad_input_is_one_line_and_exit_2(doctor: Doctor, args: list[str],
                                          env: dict[str, str | None], says: str) -> None:
    outcome = doctor.run(*args, **env)
    assert outcome.code == 2 and outcome.out == ""
    assert says in outcome.err and "Traceback" not in outcome.err


def test_graph_failing_as_a_whole_is_one_failed_row_not_a_traceback(doctor: Doctor) -> None:
    doctor.sim.set_faults(FaultOptions(rules=(FaultRule(401, path_contains="/groups/",
                                                        times=None),)))
    outcome = doctor.report()
    assert outcome.code == 1
    graph = outcome.check("graph")
    assert graph["status"] == "fail" and "InvalidAuthenticationToken" in graph["summary"]
    assert "SLOTGUARD_GRAPH_URL" in graph["fix"]


def test_a_graph_url_the_tenant_does_not_know(doctor: Doctor) -> None:
    outcome = doctor.report(SLOTGUARD_GRAPH_URL="https://127.0.0.1:1")
    signed = outcome.check("sign_in")
    assert "AADSTS500011" in signed["summary"] and "SLOTGUARD_GRAPH_URL" in signed["fix"]
