"""How batch calls are packed: at most 20 a batch, at most 4 of one mailbox in each, and
batches that share a mailbox never in flight together."""

from __future__ import annotations

from kiota_abstractions.request_information import RequestInformation

from slotguard.graph.batch import BatchCall, chunks, side_by_side


def calls(*mailboxes: str | None) -> list[BatchCall]:
    return [BatchCall(str(i), RequestInformation(), mailbox=m) for i, m in enumerate(mailboxes)]


def sizes(batches: list[list[BatchCall]]) -> list[int]:
    return [len(b) for b in batches]


def test_twenty_calls_to_a_batch() -> None:
    many = calls(*(f"s{i}@contoso.com" for i in range(45)))
    assert sizes(chunks(many)) == [20, 20, 5]
    assert sizes(chunks(calls(*([None] * 21)))) == [20, 1]


def test_at_most_four_calls_of_one_mailbox_a_batch_whatever_the_case() -> None:
    one = calls(*(["Anna@contoso.com", "anna@contoso.com"] * 5))
    assert sizes(chunks(one)) == [4, 4, 2]


def test_later_calls_fill_earlier_batches_that_have_room() -> None:
    mixed = calls(*(["anna@contoso.com"] * 6), "erik@contoso.com", None)
    batches = chunks(mixed)
    assert [[c.mailbox for c in b] for b in batches] == [
        ["anna@contoso.com"] * 4 + ["erik@contoso.com", None],
        ["anna@contoso.com"] * 2,
    ]


def test_a_full_batch_is_skipped_for_the_next_call() -> None:
    first = calls(*(f"s{i}@contoso.com" for i in range(20)), "anna@contoso.com",
                  *(["erik@contoso.com"] * 5))
    assert sizes(chunks(first)) == [20, 5, 1]


def test_batches_sharing_a_mailbox_go_in_separate_groups() -> None:
    a, b, c = (calls(*m) for m in (["anna@contoso.com"], ["ERIK@contoso.com"],
                                   ["Anna@contoso.com", "lee@contoso.com"]))
    groups = side_by_side([a, b, c])
    assert [[batch[0].mailbox for batch in group] for group in groups] == [
        ["anna@contoso.com", "ERIK@contoso.com"], ["Anna@contoso.com"]]
