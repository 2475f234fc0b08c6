"""Judging the token's roles where Exchange may grant permissions Entra's token does not
show (RBAC for Applications), and telling the admin which it is."""

from __future__ import annotations

from slotguard.config.permissions import PERMISSIONS, by_name
from slotguard.entrypoints.doctor.denials import Denials
from slotguard.entrypoints.doctor.report import Status
from slotguard.entrypoints.doctor.roles import roles_check
from slotguard.errors import MailboxUnavailable
from slotguard.graph.claims import TokenClaims

ALL = frozenset(p.name for p in PERMISSIONS)
EXCHANGE = frozenset({"Calendars.ReadWrite", "MailboxSettings.Read", "Mail.Send"})


def claims(roles: frozenset[str]) -> TokenClaims:
    return TokenClaims(roles, "app", "tenant", None)


def test_every_permission_in_the_token_passes() -> None:
    check = roles_check(claims(ALL), PERMISSIONS, {})
    assert check.status is Status.OK and check.summary.startswith("6 of 6")


def test_exchange_permissions_granted_by_rbac_are_a_warning_not_a_failure() -> None:
    worked = {"Calendars.ReadWrite": 12, "MailboxSettings.Read": 12}
    check = roles_check(claims(ALL - EXCHANGE), PERMISSIONS, worked)
    assert check.status is Status.WARN
    by_item = {f.items[0].split(" ")[0]: f for f in check.findings}
    assert by_item["Calendars.ReadWrite"].what.startswith("granted by Exchange RBAC")
    assert "12 mailbox(es) read with it" in by_item["Calendars.ReadWrite"].what
    # Sending cannot be tried; with Exchange granting the others, it may grant this too.
    assert by_item["Mail.Send"].status is Status.WARN


def test_a_missing_permission_nothing_worked_with_fails() -> None:
    check = roles_check(claims(ALL - {"Calendars.ReadWrite", "Mail.Send"}), PERMISSIONS,
                        {"Calendars.ReadWrite": 0})
    assert check.status is Status.FAIL
    assert {f.items[0].split(" ")[0] for f in check.findings if f.status is Status.FAIL} == {
        "Calendars.ReadWrite", "Mail.Send"}


def test_roles_beyond_what_the_rules_need_are_named() -> None:
    check = roles_check(claims(ALL | {"Mail.ReadWrite"}), PERMISSIONS, {})
    (extra,) = check.findings
    assert extra.status is Status.WARN and extra.items == ["Mail.ReadWrite"]


def test_an_unreadable_token_leaves_it_to_the_mailbox_checks() -> None:
    assert roles_check(None, PERMISSIONS, {}).status is Status.WARN


def denied() -> MailboxUnavailable:
    return MailboxUnavailable("403", reason="not_permitted", status=403,
                              code="ErrorAccessDenied")


def test_a_denial_is_explained_by_what_the_token_holds_and_what_worked() -> None:
    calendars = by_name("Calendars.ReadWrite")
    lacking = Denials("app-id", ALL - {"Calendars.ReadWrite"}, {"Calendars.ReadWrite": 0})
    assert lacking.explain(denied(), calendars)[0].startswith("the token lacks")
    scoped = Denials("app-id", ALL - {"Calendars.ReadWrite"}, {"Calendars.ReadWrite": 3})
    what, fix = scoped.explain(denied(), calendars)
    assert what.startswith("outside the Exchange RBAC for Applications scope")
    assert "Test-ServicePrincipalAuthorization -Identity app-id" in fix
    holding = Denials("app-id", ALL, {})
    assert "although the token carries" in holding.explain(denied(), calendars)[0]
