"""OData query options as far as slotguard and its tests use them.

``$filter`` is a real (small) expression language here: comparisons (eq ne gt ge lt le),
and/or/not, parentheses, startswith/endswith/contains, cast(), and lambda ``any``/``all``
over collections such as ``singleValueExtendedProperties/Any(ep: ep/id eq '...' and
ep/value eq '...')``. It is evaluated against the Graph JSON of each item. String comparison
is case-insensitive, as Exchange compares; the Name part of an extended property id is
compared case-sensitively, as documented.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from slotguard.sim.graph_errors import GraphProblem
from slotguard.sim.serialize import prop_matches

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<punct>[(),:])|(?P<num>-?\d[\d\-:.TZ+]*)"
    r"|(?P<name>[A-Za-z_@$][\w.@$]*(?:/[A-Za-z_@$][\w.@$]*)*))"
)
_COMPARE = {"eq", "ne", "gt", "ge", "lt", "le"}
Predicate = Callable[[dict[str, Any]], bool]


def bad_filter(detail: str) -> GraphProblem:
    return GraphProblem(400, "BadRequest", f"Invalid filter clause: {detail}")


def parse_filter(text: str) -> Predicate:
    tokens = _tokenize(text)
    parser = _Parser(tokens)
    node = parser.expr()
    if parser.pos != len(tokens):
        raise bad_filter(f"unexpected '{tokens[parser.pos][1]}'")
    return lambda item: bool(node({"$it": item}))


def _tokenize(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise bad_filter(f"syntax error at position {pos}")
        kind = m.lastgroup
        assert kind is not None
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


Node = Callable[[dict[str, Any]], Any]


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (value is not None and tok[1].lower() != value):
            raise bad_filter(f"expected '{value}'" if value else "unexpected end")
        self.pos += 1
        return tok

    def is_word(self, word: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "name" and tok[1].lower() == word

    def expr(self) -> Node:
        left = self.and_expr()
        while self.is_word("or"):
            self.take()
            right = self.and_expr()
            left = (lambda a, b: lambda env: bool(a(env)) or bool(b(env)))(left, right)
        return left

    def and_expr(self) -> Node:
        left = self.unary()
        while self.is_word("and"):
            self.take()
            right = self.unary()
            left = (lambda a, b: lambda env: bool(a(env)) and bool(b(env)))(left, right)
        return left

    def unary(self) -> Node:
        if self.is_word("not"):
            self.take()
            inner = self.unary()
            return lambda env: not inner(env)
        self._last_path = ""
        left = self.operand()
        if (
            self.peek() is not None
            and self.peek()[0] == "name"
            and self.peek()[1].lower() in _COMPARE
        ):  # type: ignore[index]
            op = self.take()[1].lower()
            right = self.operand()
            return _comparison(op, left, right, self._last_path)
        return left

    _last_path: str = ""

    def operand(self) -> Node:
        tok = self.take()
        kind, value = tok
        if kind == "punct" and value == "(":
            node = self.expr()
            self.take(")")
            return node
        if kind == "str":
            text = value[1:-1].replace("''", "'")
            return lambda env: text
        if kind == "num":
            number: Any = float(value) if re.fullmatch(r"-?\d+(\.\d+)?", value) else value
            return lambda env: number
        if kind != "name":
            raise bad_filter(f"unexpected '{value}'")
        lowered = value.lower()
        if lowered in ("true", "false", "null"):
            const = {"true": True, "false": False, "null": None}[lowered]
            return lambda env: const
        nxt = self.peek()
        if nxt == ("punct", "(") and lowered in ("startswith", "endswith", "contains", "cast"):
            return self.function(lowered)
        if (
            nxt == ("punct", "(")
            and "/" in value
            and value.rsplit("/", 1)[1].lower() in ("any", "all")
        ):
            return self.lambda_(value)
        self._last_path = value
        return lambda env: _resolve(env, value)

    def function(self, name: str) -> Node:
        self.take("(")
        first = self.operand()
        self.take(",")
        if name == "cast":
            type_name = self.take()[1]
            self.take(")")
            caster: Callable[[Any], Any] = (
                float if "Int" in type_name or "Double" in type_name else str
            )
            return lambda env: _safe(caster, first(env))
        second = self.operand()
        self.take(")")
        ops: dict[str, Callable[[str, str], bool]] = {
            "startswith": str.startswith,
            "endswith": str.endswith,
            "contains": lambda a, b: b in a,
        }
        fn = ops[name]
        return lambda env: (
            isinstance(first(env), str)
            and isinstance(second(env), str)
            and fn(first(env).lower(), second(env).lower())
        )

    def lambda_(self, path: str) -> Node:
        collection, quantifier = path.rsplit("/", 1)
        self.take("(")
        var = self.take()[1]
        self.take(":")
        body = self.expr()
        self.take(")")
        every = quantifier.lower() == "all"

        def run(env: dict[str, Any]) -> bool:
            items = _resolve(env, collection) or []
            results = (bool(body({**env, var: item})) for item in items)
            return all(results) if every else any(results)

        return run


def _safe(fn: Callable[[Any], Any], value: Any) -> Any:
    try:
        return fn(value)
    except (TypeError, ValueError):
        return None


def _resolve(env: dict[str, Any], path: str) -> Any:
    parts = path.split("/")
    if parts[0] in env and parts[0] != "$it":
        current: Any = env[parts[0]]
        parts = parts[1:]
    else:
        current = env["$it"]
    for part in parts:
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    return current


def _comparison(op: str, left: Node, right: Node, path: str) -> Node:
    is_prop_id = path.endswith("/id")

    def run(env: dict[str, Any]) -> bool:
        a, b = left(env), right(env)
        if is_prop_id and isinstance(a, str) and isinstance(b, str) and op in ("eq", "ne"):
            return prop_matches(a, b) == (op == "eq")
        if isinstance(a, str) and isinstance(b, str):
            a, b = a.lower(), b.lower()
        if op == "eq":
            return bool(a == b)
        if op == "ne":
            return bool(a != b)
        if a is None or b is None:
            return False
        try:
            return bool({"gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b}[op])
        except TypeError:
            return False

    return run


@dataclass(frozen=True, slots=True)
class Expand:
    """$expand=singleValueExtendedProperties($filter=id eq '...') / linkedResources."""

    extended: bool = False
    extended_ids: list[str] | None = None
    linked_resources: bool = False
    extensions: bool = False


_EXT_FILTER = re.compile(r"id\s+eq\s+'((?:[^']|'')*)'", re.IGNORECASE)


def parse_expand(text: str | None, allowed: set[str]) -> Expand:
    if not text:
        return Expand()
    extended, ids, linked, extensions = False, None, False, False
    for part in _split_top(text):
        name, _, rest = part.partition("(")
        name = name.strip()
        if name not in allowed:
            raise GraphProblem(
                400,
                "BadRequest",
                f"Could not find a property named '{name}' to expand; parsing $expand failed.",
            )
        if name == "singleValueExtendedProperties":
            extended = True
            if rest:
                ids = [m.replace("''", "'") for m in _EXT_FILTER.findall(rest)]
                if not ids:
                    raise GraphProblem(
                        400,
                        "BadRequest",
                        "The $filter inside $expand must be of the form id eq '<property id>'.",
                    )
        elif name == "linkedResources":
            linked = True
        elif name == "extensions":
            extensions = True
    return Expand(extended, ids, linked, extensions)


def _split_top(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        current += ch
    parts.append(current)
    return [p for p in parts if p.strip()]


def parse_select(text: str | None, known: set[str]) -> list[str] | None:
    if not text:
        return None
    fields = [f.strip() for f in text.split(",") if f.strip()]
    for name in fields:
        if name not in known:
            raise GraphProblem(
                400,
                "RequestBroker--ParseUri",
                f"Could not find a property named '{name}' on type 'microsoft.graph.event'.",
            )
    return fields


_ALWAYS = frozenset({"id", "@odata.etag", "@removed"})


def apply_select(item: dict[str, Any], fields: Iterable[str] | None) -> dict[str, Any]:
    if fields is None:
        return item
    keep = _ALWAYS.union(fields)
    return {k: v for k, v in item.items() if k in keep}


def parse_top(text: str | None, default: int, maximum: int) -> int:
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise GraphProblem(
            400, "BadRequest", f"Invalid value '{text}' for $top: expected an integer."
        ) from None
    if value < 1 or value > maximum:
        raise GraphProblem(
            400, "ErrorInvalidParameter", f"The value of $top must be between 1 and {maximum}."
        )
    return value


def prefer_values(header: str | None) -> dict[str, str]:
    """Prefer values by lower-case name, e.g. outlook.timezone, odata.maxpagesize, idtype."""
    out: dict[str, str] = {}
    if not header:
        return out
    for part in re.findall(r'([\w.\-]+)\s*=\s*("[^"]*"|[^,;\s]+)', header):
        out[part[0].lower()] = part[1].strip('"')
    return out
