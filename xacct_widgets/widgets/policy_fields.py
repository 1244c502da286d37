"""The policy picker's form fields and their rules: an ARN, an inline policy's name and JSON.

Kept apart from :mod:`.policy_picker` (which holds the picker's state) because these are data:
each field names the *core* rule that checks it (``ids.managed_policy_arn``,
``ids.policy_name``, :func:`~xacct_widgets.core.target.spec.inline_policy`), so the field and the
plan can never disagree.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Final

import ipywidgets as w

from ..core import ids, policies
from ..core.target.spec import inline_policy
from ..errors import InvalidInput, InvalidPolicy
from .base import FieldSpec
from .create_role_fields import as_field_rule

__all__ = ["EXAMPLE_INLINE", "PICKER_FIELDS", "document_rule", "inline_name_rule"]

EXAMPLE_INLINE: Final = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"},
        ],
    },
    indent=2,
)


def inline_name_rule(value: str) -> str:
    """``ids.policy_name`` (the one policy-name rule), its message naming an inline policy."""
    try:
        return ids.policy_name(value)
    except InvalidInput as err:
        raise InvalidPolicy(
            f"Inline {err.message[:1].lower()}{err.message[1:]}", fix=err.fix
        ) from err


def document_rule(name: str | None) -> Callable[[str], object]:
    """The check of the JSON being typed: with a valid name, exactly what Add will run."""
    if name is None:  # no (valid) name yet: the document part of the same rule
        return lambda text: policies.validate_policy_document(text, kind="identity")
    return as_field_rule(lambda text: inline_policy(name, text))


#: The picker's form fields (the lists and buttons are made in :class:`PolicyPicker`).
PICKER_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec(
        "policy_arn",
        lambda: w.Text(placeholder="e.g. arn:aws:iam::123456781234:policy/MyPolicy"),
        "Policy ARN",
        "Optional: add a managed policy by its ARN (e.g. one not in the list).",
        "xacct-policy-arn",
        rule=ids.managed_policy_arn,
    ),
    FieldSpec(
        "inline_name",
        lambda: w.Text(placeholder="e.g. list-buckets"),
        "Inline policy name",
        "1-128 characters, letters, digits and + = , . @ _ -.",
        "xacct-inline-name",
        rule=inline_name_rule,
    ),
    FieldSpec(
        "inline_document",
        lambda: w.Textarea(value="", placeholder=EXAMPLE_INLINE, rows=8),
        "Inline policy JSON",
        "An IAM policy document (Version, Statement); checked as you type.",
        "xacct-inline-document",
    ),
)
