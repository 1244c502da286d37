"""The aws-extend-switch-roles extension's reading of its configuration, modelled independently
to check ``parse_esr_config`` / ``esr_config`` against what the extension would show.

Written from the behaviour of the extension's parser, ``aesr-config`` 0.6.0
(https://github.com/tilfinltd/aesr-config: ``ConfigParser.parseIni`` = IniParser, then
ConfigLoader, then ProfileSet's checks), and of the list the extension shows once signed in
(https://github.com/tilfinltd/aws-extend-switch-roles, src/js/lib/target_profiles.js: every
single profile, then the targets of the first base account matching the sign-in, with the
base's ``target_role_name`` / ``target_region`` as their defaults). Cross-checked against the
real package's ``parse-aesr-config`` on the configurations of tests/core/test_esr_round_trip.py.
"""

from __future__ import annotations

import re
from typing import Any

Item = dict[str, Any]


class AesrError(Exception):
    """The extension refuses the whole configuration."""


def _sections(text: str) -> list[tuple[str, dict[str, str]]]:
    found: list[tuple[str, dict[str, str]]] = []
    for raw in re.split(r"\r\n|\r|\n", text):
        line = re.sub(r"[;#].*", "", raw, flags=re.S).strip()
        if not line:
            continue
        header = re.fullmatch(r"\[(.+)\]", line, flags=re.S)
        if header:
            found.append((header.group(1).strip(), {}))
            continue
        if not found:
            raise AesrError("Unexpected text")
        pieces = line.split("=")
        value = pieces[1].strip() if len(pieces) > 1 else ""
        if not value:
            raise AesrError("Invalid parameter definition")
        key = pieces[0].strip()
        if key in found[-1][1]:
            raise AesrError(f"The `{key}` parameter is duplicated in the same profile.")
        found[-1][1][key] = value
    return found


def _arn(text: str) -> tuple[str, str] | None:
    slash = text.find("/")
    prefix = text[:slash] if slash >= 0 else ""
    parts = prefix.split(":")
    if len(parts) < 6 or (parts[0], parts[2], parts[3], parts[5]) != ("arn", "iam", "", "role"):
        return None
    return parts[4], text[slash + 1 :]


def _item(name: str, params: dict[str, str]) -> Item:
    others = dict(params)
    account = others.pop("aws_account_id", None)
    arn = others.pop("role_arn", None)
    role = others.pop("role_name", None)
    others.pop("source_profile", None)
    if arn:
        if account or role:
            raise AesrError("both role_arn and aws_account_id or role_name")
        parsed = _arn(arn)
        if parsed is None:
            raise AesrError("invalid role_arn")
        account, role = parsed
    if not account:
        raise AesrError("no AWS account ID")
    item: Item = {"name": re.sub(r"^profile\s+", "", name, count=1, flags=re.I)}
    item["aws_account_id"] = account
    if role is not None:
        item["role_name"] = role
    return item | others


def parse_ini(text: str) -> dict[str, list[Item]]:
    """``{"singles": [...], "complexes": [...]}`` as ``ConfigParser.parseIni`` returns it."""
    targets_of: dict[str, list[Item]] = {}
    profiles: list[tuple[Item, bool]] = []
    for name, params in _sections(text):
        source = params.get("source_profile")
        item = _item(name, params)
        if source:
            targets_of.setdefault(source, []).append(item)
        profiles.append((item, not source))
    singles: list[Item] = []
    complexes: list[Item] = []
    for item, is_root in profiles:
        if item["name"] in targets_of:
            complexes.append(item | {"targets": targets_of.pop(item["name"])})
        elif is_root:
            singles.append(item)
    if targets_of:
        raise AesrError("referenced as source_profile but not defined: " + ", ".join(targets_of))
    for single in singles:
        if "role_name" not in single:
            raise AesrError("singles[].role_name is required")
    for base in complexes:
        for target in base["targets"]:
            if "role_name" not in target and "target_role_name" not in base:
                raise AesrError("targets[].role_name is required")
    return {"singles": singles, "complexes": complexes}


def shown(profiles: dict[str, list[Item]], account: str, login_role: str) -> list[Item]:
    """The roles the extension lists when signed in to ``account`` (its ID or alias) as
    ``login_role``."""
    out = [dict(item) for item in profiles["singles"]]
    for base in profiles["complexes"]:
        if base.get("role_name") and base["role_name"] != login_role:
            continue
        if account not in (base["aws_account_id"], base.get("aws_account_alias")):
            continue
        for target in base["targets"]:
            item = dict(target)
            if not item.get("role_name"):
                item["role_name"] = base.get("target_role_name")
            if not item.get("region") and base.get("target_region"):
                item["region"] = base["target_region"]
            out.append(item)
        break
    return out


def sign_ins(profiles: dict[str, list[Item]]) -> list[tuple[str, str]]:
    """Every (account, role) sign-in that shows something different: each base account's ID
    and alias, as its sign-in role and as another, and an account that is no base."""
    found = [("000000000000", "nobody")]
    for base in profiles["complexes"]:
        for account in (base["aws_account_id"], base.get("aws_account_alias")):
            if account:
                found += [(account, base.get("role_name") or "admin"), (account, "other")]
    return found
