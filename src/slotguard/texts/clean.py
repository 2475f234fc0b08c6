"""What any text slotguard writes goes through: no control characters, no longer than Exchange
keeps. Meeting subjects come from Graph as anyone typed them, and the rules file's texts as an
admin wrote them; either may carry characters that garble or reorder what a seller reads."""

from __future__ import annotations

import unicodedata

# Exchange keeps an item's subject to 255 characters (EWS cuts longer ones; Graph documents
# no limit), and To Do shows task titles the same way: what slotguard writes fits in it.
TITLE_LIMIT = 255
# Bidirectional controls reorder what a reader sees (U+202E shows "txt.exe" as "exe.txt").
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                  "\u2066\u2067\u2068\u2069\ufeff")


def unsafe_character(text: str) -> str | None:
    """The first control or bidirectional-control character in ``text``, or None."""
    for char in text:
        if char in _BIDI or unicodedata.category(char) == "Cc":
            return char
    return None


def plain(text: str) -> str:
    """``text`` without control and bidirectional-control characters; line breaks and
    tabs become spaces (a meeting subject from Graph can carry any of them)."""
    if unsafe_character(text) is None:
        return text
    return "".join(" " if char in "\t\n\r" else char for char in text
                   if char in "\t\n\r" or unsafe_character(char) is None)


def fit(text: str, limit: int = TITLE_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "\u2026"
