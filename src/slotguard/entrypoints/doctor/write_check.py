"""``--write-test``'s result as a check: per behaviour what the tenant did and the fallback
the scan takes for it (graph/fallbacks.py), what stopped the test, and anything it could
not delete again."""

from __future__ import annotations

from slotguard.config.permissions import Permission, by_name
from slotguard.entrypoints.doctor.denials import Denials
from slotguard.entrypoints.doctor.report import Check, Finding, Status
from slotguard.graph.fallbacks import Fallback
from slotguard.graph.probes import WriteTest

# What the scan does instead, in the admin's words.
INSTEAD = {
    Fallback.LIST_EXPAND_IGNORED: "the scan finds its own events with the documented $filter "
                                  "and reads each marker once by id",
    Fallback.LIST_EXPAND_REFUSED: "the scan stops sending the $expand, finds its own events "
                                  "with the documented $filter and reads each marker once by id",
    Fallback.TASK_EXPAND_WITH_SELECT: "the scan reads its task list without $select",
    Fallback.TASK_EXPAND: "the scan reads each task's linked resources one by one",
    Fallback.TASK_RECURRENCE_ZONE: "tasks are written without recurrenceTimeZone (the "
                                   "recurrence follows the due date's zone)",
    Fallback.EVENT_RECURRENCE_ZONE: "block series are written without recurrenceTimeZone "
                                    "(a series then follows its start's zone)",
    Fallback.TRANSACTION_CONFLICT: "a repeat Graph refuses is looked up by its marker",
    Fallback.DELTA_EMPTY_PAGES: "empty pages are followed, in $batch round trips",
}
_STEP_NEEDS: dict[str, Permission] = {
    "mailbox settings": by_name("MailboxSettings.Read"),
    "calendar": by_name("Calendars.ReadWrite"),
    "To Do": by_name("Tasks.ReadWrite.All"),
}
_LEVEL = {"ok": Status.OK, "warn": Status.WARN, "fail": Status.FAIL}


def write_check(result: WriteTest, denials: Denials) -> Check:
    findings = []
    for seen in result.observations:
        fix = ""
        if seen.fallback is not None:
            fix = f"the scan takes {seen.fallback.value}: {INSTEAD[seen.fallback]}"
        findings.append(Finding(f"{seen.behaviour}: {seen.observed}", fix, [],
                                _LEVEL[seen.level],
                                seen.fallback.value if seen.fallback else None))
    if result.stopped is not None:
        what, fix = denials.explain(result.stopped, _STEP_NEEDS[result.step])
        findings.append(Finding(f"stopped at the {result.step} step: {what}", fix,
                                [str(result.stopped)]))
    if result.left_behind:
        findings.append(Finding("left behind in the test mailbox", "delete them by hand",
                                result.left_behind))
    taken = sorted(f.fallback for f in findings if f.fallback)
    summary = (f"{result.upn}: {len(result.observations)} behaviour(s) observed; the scan "
               f"takes {', '.join(taken) if taken else 'no fallback'}")
    if not result.left_behind:
        summary += "; everything written was deleted again"
    return Check("write_test", "Write test", summary, findings=findings).settle()
