"""Filling a text's ``{placeholders}``: plain substitution, never Python formatting.

A format spec such as ``{meeting:>99999999}`` would make a title of a hundred million
characters, and ``{meeting.__class__}`` would reach into objects: the rules file's templates
and the catalogs' translations are both filled here, so neither can do that. A
translation's placeholders must be its message's (the catalog tests check it).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterator, Mapping

from markupsafe import Markup, escape


class TemplateError(ValueError):
    """A template that cannot be filled; the message says why, without a location."""


def _parts(template: str) -> Iterator[tuple[str, str | None]]:
    """(literal text, placeholder name or None), in order."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise TemplateError(f"is not a valid template ({exc}); write {{{{ or }}}} for a "
                            "literal brace") from None
    for literal, name, spec, conversion in parsed:
        if name is not None and (spec or conversion):
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (
                f":{spec}" if spec else "") + "}"
            raise TemplateError(f"{shown}: format options are not allowed; write {{{name}}}")
        yield literal, name


def placeholders(template: str) -> tuple[str, ...]:
    """The placeholder names of ``template`` in order (repeats kept)."""
    return tuple(name for _, name in _parts(template) if name is not None)


def fill(template: str, values: Mapping[str, object]) -> str:
    """``template`` with each ``{name}`` replaced by ``str(values[name])``."""
    return "".join(_filled(template, values, str))


def fill_html(template: str, values: Mapping[str, object]) -> Markup:
    """As ``fill``, for HTML: the template's text and every value are escaped, except
    values that already are ``Markup`` (HTML built the same way)."""
    return Markup("".join(_filled(template, values, escape)))


def _filled(template: str, values: Mapping[str, object],
            render: Callable[[object], str]) -> Iterator[str]:
    for literal, name in _parts(template):
        yield render(literal)
        if name is None:
            continue
        if name not in values:
            raise TemplateError(f"unknown placeholder {{{name}}}")
        yield render(values[name])
