"""Where each statement sits in a policy's JSON text: the Start/EndPosition of IAM's simulator.

``SimulatePrincipalPolicy`` and ``SimulateCustomPolicy`` report each matched statement with the
line and column where it starts and ends in the policy document ("IAM API Reference:
Statement"; lines and columns count from 1). This scans the text once, outside strings, for
the objects of the top-level ``Statement`` array (or the one object when ``Statement`` is an
object), so the positions point into the document exactly as it was written.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Position", "statement_positions"]


@dataclass(frozen=True)
class Position:
    line: int
    column: int


def _scan(text: str) -> list[tuple[int, str, int]]:
    """(index, character, depth before it) of every structural character outside strings."""
    found = []
    depth = 0
    in_string = False
    escaped = False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
            found.append((index, char, depth))
        elif char in "{[":
            found.append((index, char, depth))
            depth += 1
        elif char in "}]":
            depth -= 1
            found.append((index, char, depth))
        elif char == ":":
            found.append((index, char, depth))
    return found


def _position(text: str, index: int) -> Position:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return Position(line, column)


def _statement_value_start(text: str) -> int | None:
    """Index of the value of the top-level ``"Statement"`` key."""
    tokens = _scan(text)
    for i, (index, char, depth) in enumerate(tokens):
        if char == '"' and depth == 1 and text.startswith('"Statement"', index):
            for later_index, later_char, _ in tokens[i + 1 :]:
                if later_char == ":":
                    rest = text[later_index + 1 :]
                    return later_index + 1 + (len(rest) - len(rest.lstrip()))
            return None
    return None


def statement_positions(text: str) -> list[tuple[Position, Position]]:
    """(start, end) of each statement object, in order; empty when the text is not a policy.

    End positions point just past the closing brace, as IAM's simulator reports them.
    """
    start = _statement_value_start(text)
    if start is None or start >= len(text):
        return []
    spans: list[tuple[Position, Position]] = []
    if text[start] == "{":
        for index, char, depth in _scan(text[start:]):
            if char == "}" and depth == 0:
                return [(_position(text, start), _position(text, start + index + 1))]
        return []
    if text[start] != "[":
        return []
    open_at: int | None = None
    for index, char, depth in _scan(text[start:]):
        if char == "{" and depth == 1:
            open_at = start + index
        elif char == "}" and depth == 1 and open_at is not None:
            spans.append((_position(text, open_at), _position(text, start + index + 1)))
            open_at = None
        elif char == "]" and depth == 0:
            break
    return spans
