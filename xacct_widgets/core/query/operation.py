"""The question a fan-out asks: a service operation, checked against botocore's own model.

Everything about the call is validated before any account is touched (service, operation,
parameters against the input shape, the JMESPath), because 200 identical
``ParamValidationError`` rows help nobody. The model also says how to read the answer: the
paginator (paginated operations are read to the end) and the list of items to take from each
page (the paginator's result key, else the output's only list, else the whole response).

Only read operations run by default: ``Get*``, ``List*``, ``Describe*`` and a few other
read-only verbs. A fan-out of ``delete_bucket`` over an organization is one mistyped name away in
a widget; ``allow_writes=True`` is the explicit opt-in.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import botocore.session
from botocore import xform_name
from botocore.exceptions import ParamValidationError, UnknownServiceError
from botocore.validate import validate_parameters

from ...errors import InvalidInput
from ..consent import consent
from ..frames import scrub_text
from .inputs import compile_jmespath
from .models import model_session

__all__ = ["Operation", "check_operation"]

# Operations whose name starts with one of these only read (AWS's own naming convention).
_READ_VERBS: Final = (
    "Get",
    "List",
    "Describe",
    "Head",
    "Search",
    "Lookup",
    "BatchGet",
    "BatchDescribe",
    "Query",
    "Scan",
    "Select",
    "Simulate",
    "Check",
    "Estimate",
    "Preview",
    "Validate",
)


@dataclass(frozen=True)
class Operation:
    """A validated service operation: the client method, its paginator and how to pick items."""

    service: str
    name: str  # snake_case method name
    api_name: str  # PascalCase
    params: Mapping[str, Any]
    expression: Any  # compiled jmespath, or None
    result_key: str | None  # the list to take items from when no jmespath is given
    paginate: bool

    @property
    def label(self) -> str:
        """``service.method``, as shown in results and progress bars."""
        return f"{self.service}.{self.name}"

    def items(self, client: Any) -> list[Any]:
        """Call the operation with ``client`` (every page) and return the selected items."""
        pages: Iterable[Mapping[str, Any]]
        if self.paginate:
            pages = client.get_paginator(self.name).paginate(**self.params)
        else:
            pages = [getattr(client, self.name)(**self.params)]
        found: list[Any] = []
        for page in pages:
            found.extend(self._select(page))
        return found

    def _select(self, page: Mapping[str, Any]) -> list[Any]:
        if self.expression is not None:
            selected = self.expression.search(dict(page))
            if selected is None:
                return []
            return list(selected) if isinstance(selected, list) else [selected]
        if self.result_key is not None:
            return list(page.get(self.result_key) or [])
        return [{k: v for k, v in page.items() if k != "ResponseMetadata"}]


def check_operation(
    service: str,
    name: str,
    params: Mapping[str, Any] | None = None,
    expression: str | None = None,
    *,
    allow_writes: bool = False,
) -> Operation:
    """Validate everything about the call before any account is touched.

    Raises:
        InvalidInput: unknown service or operation (with close names), a write operation
            without ``allow_writes``, params the input shape refuses, a bad JMESPath, or an
            operation returning several lists and no JMESPath to pick one.
    """
    writes = consent(allow_writes, "allow_writes")
    core = model_session()
    try:
        model = core.get_service_model(service)
    except UnknownServiceError as err:
        raise InvalidInput(
            f"Service {service!r} is unknown to botocore.",
            fix="Use a boto3 client name such as 's3', 'iam', 'ec2' or 'organizations'.",
        ) from err
    names = {xform_name(op): op for op in model.operation_names}
    api_name = names.get(name) or (name if name in model.operation_names else None)
    if api_name is None:
        # Suggest only what could run: no delete_/create_ names for a read-only query.
        allowed = [n for n, api in names.items() if writes or api.startswith(_READ_VERBS)]
        close = difflib.get_close_matches(xform_name(name), allowed, n=5, cutoff=0.6)
        raise InvalidInput(
            f"Operation {name!r} does not exist in {service}.",
            fix=f"Use the boto3 method name, e.g. {', '.join(close[:5]) or 'list_...'}.",
        )
    method = xform_name(api_name)
    if not writes and not api_name.startswith(_READ_VERBS):
        raise InvalidInput(
            f"{service}.{method} is not a read-only operation; query() runs it in "
            "every target account, so it refuses operations that may change something.",
            fix="Pass allow_writes=True if you really mean to run it everywhere.",
        )
    op_model = model.operation_model(api_name)
    call_params = dict(params or {})
    pagination = call_params.pop("PaginationConfig", None)
    if op_model.input_shape is not None:
        try:
            validate_parameters(call_params, op_model.input_shape)
        except ParamValidationError as err:
            raise InvalidInput(
                f"params for {service}.{method} are invalid: {scrub_text(str(err))}",
                fix="Check the parameter names and types in the boto3 documentation.",
            ) from err
    elif call_params:
        raise InvalidInput(f"{service}.{method} takes no params, got {call_params}.")
    compiled = compile_jmespath(expression) if expression is not None else None
    paginator = _paginator_config(core, service, api_name)
    result_key = None
    if compiled is None:
        result_key = _result_key(op_model, paginator, service, api_name)
    if paginator is not None and pagination is not None:
        call_params["PaginationConfig"] = pagination
    return Operation(
        service, method, api_name, call_params, compiled, result_key, paginator is not None
    )


def _paginator_config(
    core: botocore.session.Session, service: str, api_name: str
) -> Mapping[str, Any] | None:
    try:
        model = core.get_paginator_model(service)
    except Exception:  # services without a paginators file
        return None
    try:
        config: Mapping[str, Any] = model.get_paginator(api_name)
    except ValueError:
        return None
    return config


def _result_key(
    op_model: Any, paginator: Mapping[str, Any] | None, service: str, api_name: str
) -> str | None:
    """The operation's list of items: the paginator's first result key, else its only list."""
    if paginator is not None:
        keys = paginator.get("result_key")
        first = keys[0] if isinstance(keys, list) else keys
        if isinstance(first, str) and "." not in first:
            return first
    shape = op_model.output_shape
    lists: list[str] = [
        str(n) for n, s in (shape.members.items() if shape else []) if s.type_name == "list"
    ]
    if len(lists) == 1:
        return lists[0]
    if not lists:
        return None  # the whole response is one item (e.g. get_caller_identity)
    raise InvalidInput(
        f"{service}.{xform_name(api_name)} returns several lists ({', '.join(lists)}).",
        fix=f"Pick one with jmespath, e.g. jmespath='{lists[0]}[]'.",
    )
