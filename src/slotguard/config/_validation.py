"""Turning pydantic's validation errors into the one-line problems admins read.

Settings and the rules file share this: each problem says where (an env variable or a TOML
path), what is wrong and how to fix it, on one line. pydantic's own wording ("Input should
be a valid integer...") is replaced where we know better; values are echoed back only when
the caller says the field is not secret.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from enum import Enum
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator
from pydantic_core import ErrorDetails, PydanticCustomError

E = TypeVar("E", bound=Enum)

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
# How a text of the rules file that may be a table by language was written (the union's
# tags, which pydantic puts into an error's location; the TOML path leaves them out).
LOCALIZED_TEXT = "<text>"
LOCALIZED_TABLE = "<table by language>"
_NOT_IN_PATH = frozenset({"[key]", LOCALIZED_TEXT, LOCALIZED_TABLE})


def fail(message: str) -> PydanticCustomError:
    """An error whose message is already the final wording (after the location)."""
    return PydanticCustomError("slotguard", "{problem}", {"problem": message})


def shown(value: object) -> str:
    """A short, one-line rendering of an offending value."""
    if isinstance(value, bool):
        return "true" if value else "false"  # as TOML and env files spell it
    if isinstance(value, datetime | date | time):
        return value.isoformat()  # a TOML date or time, as the file writes it
    text = repr(value)
    text = text.replace("\n", "\\n")
    return text if len(text) <= 60 else text[:57] + "..."


def choice(enum_cls: type[E], *, what: str = "") -> BeforeValidator:
    """Accept an enum member by value, case-insensitively, with a message listing the values."""
    members = {str(member.value).casefold(): member for member in enum_cls}
    listed = ", ".join(str(member.value) for member in enum_cls)

    def check(value: object) -> object:
        if isinstance(value, enum_cls):
            return value
        if isinstance(value, str) and value.strip().casefold() in members:
            return members[value.strip().casefold()]
        raise fail(f"must be one of {listed}{what} (got {shown(value)})")

    return BeforeValidator(check)


def toml_path(loc: Iterable[int | str]) -> str:
    """``('teams', 0, 'overrides', 'a@b.c', 'blocks')`` → ``teams[0].overrides."a@b.c".blocks``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = part if _BARE_KEY.match(part) else f'"{part}"'
            out += f".{key}" if out else key
    return out


def _got(error: ErrorDetails, show_input: bool) -> str:
    if not show_input or "input" not in error:
        return ""
    return f" (got {shown(error['input'])})"


def describe(error: ErrorDetails, *, show_input: bool = True) -> str:
    """The part of a problem line after ``location: ``."""
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    got = _got(error, show_input)
    if kind == "slotguard":
        return str(ctx["problem"])
    if kind in {"value_error", "assertion_error"} and "error" in ctx:
        return str(ctx["error"])
    simple: dict[str, Callable[[], str]] = {
        "missing": lambda: "is required; add it",
        "extra_forbidden": lambda: "unknown key; remove it",
        "string_type": lambda: f"must be text in quotes{got}",
        "int_type": lambda: f"must be a whole number{got}",
        "int_parsing": lambda: f"must be a whole number{got}",
        "int_from_float": lambda: f"must be a whole number{got}",
        "float_type": lambda: f"must be a number{got}",
        "float_parsing": lambda: f"must be a number{got}",
        "bool_type": lambda: f"must be true or false{got}",
        "bool_parsing": lambda: f"must be true or false{got}",
        "list_type": lambda: f'must be a list such as ["a", "b"]{got}',
        "tuple_type": lambda: f'must be a list such as ["a", "b"]{got}',
        "model_type": lambda: f"must be a table{got}",
        "model_attributes_type": lambda: f"must be a table{got}",
        "dict_type": lambda: f"must be a table{got}",
        "greater_than_equal": lambda: f"must be at least {ctx.get('ge')}{got}",
        "greater_than": lambda: f"must be more than {ctx.get('gt')}{got}",
        "less_than_equal": lambda: f"must be at most {ctx.get('le')}{got}",
        "less_than": lambda: f"must be less than {ctx.get('lt')}{got}",
        "string_too_short": lambda: "must not be empty",
        "string_too_long": lambda: f"must be at most {ctx.get('max_length')} characters",
        "too_long": lambda: f"must be at most {ctx.get('max_length')} characters"
        if isinstance(error.get("input"), str)
        else f"must have at most {ctx.get('max_length')} entries",
        "path_not_file": lambda: f"no such file{got}; give the path of an existing file",
        "enum": lambda: f"must be one of {_plain(ctx.get('expected', ''))}{got}",
        "literal_error": lambda: f"must be one of {_plain(ctx.get('expected', ''))}{got}",
    }
    if kind == "too_short":
        wanted = ctx.get("min_length", 1)
        return "must not be empty" if wanted == 1 else f"needs at least {wanted} entries"
    if kind in simple:
        return simple[kind]()
    message = error["msg"]
    return (message[:1].lower() + message[1:]) + got


def _plain(expected: str) -> str:
    """pydantic's ``'a', 'b' or 'c'`` → ``a, b, c``."""
    return expected.replace("'", "").replace(" or ", ", ")


def problem_line(model: type[BaseModel], prefix: tuple[str | int, ...], error: ErrorDetails) -> str:
    """One problem line for a rules-file error under ``prefix``, unknown keys with the allowed."""
    # pydantic marks a bad dict key with a trailing "[key]"; the path names the key itself.
    loc = tuple(part for part in error["loc"] if part not in _NOT_IN_PATH)
    path = toml_path(prefix + loc)
    if error["type"] == "extra_forbidden":
        owner = model_at(model, loc[:-1])
        allowed = ", ".join(owner.model_fields) if owner else "see the example"
        return f"{path}: unknown key; remove it (allowed: {allowed})"
    if error["type"] == "missing":
        return f"{path}: missing; add it"
    return f"{path}: {describe(error)}"


def _unwrap(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            rest = [arg for arg in get_args(tp) if arg is not type(None)]
            tp = rest[0]
        else:
            return tp


def model_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model class whose table sits at ``loc`` (to list its allowed keys)."""
    tp: Any = model
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
            if part not in tp.model_fields:
                return None
            tp = tp.model_fields[part].annotation
        elif get_origin(tp) is list:
            tp = get_args(tp)[0]
        elif get_origin(tp) is dict:
            tp = get_args(tp)[1]
        else:
            return None
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None
