"""Reading a principal's identity policies: a user's own and its groups', or a role's.

Preflight and "who may switch" evaluate what IAM has stored, so they read it the way the console
does: attached managed policies (the default version's document, cached per ARN because the same
AWS-managed policy is attached everywhere) and inline policies, through IAM's paginators so a
principal with many policies is read in full. Each document becomes a
:class:`xacct_widgets.policy.Policy` labelled with where it came from, which is what a check's
detail names ("allowed by group:role-switchers/allow-switch-role").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from ...policy import Policy, parse_policy

__all__ = ["PolicyReader", "PrincipalKind"]

PrincipalKind = Literal["user", "group", "role"]


class PolicyReader:
    """Reads identity policies with one IAM client; managed documents are cached per reader."""

    def __init__(self, iam: Any) -> None:
        self.iam = iam
        self._managed: dict[str, Policy] = {}

    def _pages(self, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
        for page in self.iam.get_paginator(operation).paginate(**kwargs):
            yield from page.get(key, [])

    def managed(self, arn: str) -> Policy:
        """The default version of a managed policy, labelled ``managed:ARN``."""
        if arn not in self._managed:
            version = self.iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
            doc = self.iam.get_policy_version(PolicyArn=arn, VersionId=version)
            self._managed[arn] = parse_policy(
                doc["PolicyVersion"]["Document"], source=f"managed:{arn}"
            )
        return self._managed[arn]

    def own(self, kind: PrincipalKind, name: str) -> list[Policy]:
        """The managed and inline policies of the user, group or role itself."""
        key = {f"{kind.capitalize()}Name": name}
        found = [
            self.managed(p["PolicyArn"])
            for p in self._pages(f"list_attached_{kind}_policies", "AttachedPolicies", **key)
        ]
        get_inline = getattr(self.iam, f"get_{kind}_policy")
        for policy in self._pages(f"list_{kind}_policies", "PolicyNames", **key):
            doc = get_inline(**key, PolicyName=policy)["PolicyDocument"]
            found.append(parse_policy(doc, source=f"{kind}:{name}/{policy}"))
        return found

    def user(self, user_name: str) -> list[Policy]:
        """A user's policies and those of every group it belongs to."""
        found = self.own("user", user_name)
        for group in self._pages("list_groups_for_user", "Groups", UserName=user_name):
            found += self.group(group["GroupName"])
        return found

    def group(self, group_name: str) -> list[Policy]:
        return self.own("group", group_name)

    def role(self, role_name: str) -> list[Policy]:
        return self.own("role", role_name)

    def users(self) -> list[dict[str, Any]]:
        """Every IAM user of the account (``ListUsers`` entries)."""
        return list(self._pages("list_users", "Users"))
