"""Policy variables: ``${aws:username}`` in a Resource or a condition value.

AWS substitutes the request's value for the variable before matching; a variable it cannot
resolve (the key is absent and no default is given) makes that entry match nothing, which is
why AWS recommends ``...IfExists`` around such keys. Substituted values are *literal*: a ``*``
inside a user's value is not a wildcard, and ``${*}``, ``${?}`` and ``${$}`` are AWS's way to
write a literal ``*``, ``?`` and ``$``. Only policies with ``"Version": "2012-10-17"`` have
variables; in older ones ``${...}`` is plain text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from .wildcards import LITERAL_QUESTION, LITERAL_STAR

__all__ = ["VARIABLES_VERSION", "Lookup", "resolve"]

#: The policy language version that introduced variables.
VARIABLES_VERSION: Final = "2012-10-17"

#: Returns a context key's values (case-insensitive key), or None when the key is absent.
Lookup = Callable[[str], "tuple[str, ...] | None"]

_VARIABLE: Final = re.compile(r"\$\{\s*([^,}]+?)\s*(?:,\s*'([^']*)'\s*)?\}")
_SPECIAL: Final = {"*": LITERAL_STAR, "?": LITERAL_QUESTION, "$": "$"}


def _literal(value: str) -> str:
    return value.replace("*", LITERAL_STAR).replace("?", LITERAL_QUESTION)


def resolve(text: str, lookup: Lookup) -> str | None:
    """``text`` with every variable replaced, or None when one cannot be resolved.

    Multi-valued keys (``aws:TagKeys``) cannot be variables: they resolve only with a default.
    """
    if "${" not in text:
        return text
    unresolved = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal unresolved
        name, default = match.group(1), match.group(2)
        if name in _SPECIAL and default is None:
            return _SPECIAL[name]
        values = lookup(name)
        if values is not None and len(values) == 1:
            return _literal(values[0])
        if default is not None:
            return _literal(default)
        unresolved = True
        return ""

    result = _VARIABLE.sub(substitute, text)
    return None if unresolved else result
