"""The pure policy core: no I/O, no SDK types, no clock.

Gather inputs, then ask the core: ``expand_blocks`` → ``find_violations`` →
``plan_compensations`` / ``plan_withdrawals`` / ``plan_follow_ups`` / ``should_escalate``.
The vocabulary lives in ``slotguard.domain.model``.
"""

from slotguard.domain.blocks import (
    WorkDay,
    expand_blocks,
    resolve_local,
    working_days,
    zone,
)
from slotguard.domain.classify import MeetingClass, classify, is_internal_address
from slotguard.domain.escalation import EscalationDecision, escalation_decision, should_escalate
from slotguard.domain.followup import FollowUpTask, add_working_days, habit_tasks, plan_follow_ups
from slotguard.domain.keys import (
    compensation_key,
    follow_up_key,
    habit_key,
    parse_compensation_key,
)
from slotguard.domain.planning import (
    CompensationPlan,
    PlannedCompensation,
    Shortfall,
    blocks_time,
    plan_compensations,
    planning_weeks,
)
from slotguard.domain.violations import find_violations
from slotguard.domain.withdrawal import Withdrawal, plan_withdrawals

__all__ = [
    "CompensationPlan",
    "EscalationDecision",
    "FollowUpTask",
    "MeetingClass",
    "PlannedCompensation",
    "Shortfall",
    "Withdrawal",
    "WorkDay",
    "add_working_days",
    "blocks_time",
    "classify",
    "compensation_key",
    "escalation_decision",
    "expand_blocks",
    "find_violations",
    "follow_up_key",
    "habit_key",
    "habit_tasks",
    "is_internal_address",
    "parse_compensation_key",
    "plan_compensations",
    "plan_follow_ups",
    "plan_withdrawals",
    "planning_weeks",
    "resolve_local",
    "should_escalate",
    "working_days",
    "zone",
]
