"""The console as a role profile, from a terminal: what ``aws-vault login`` and Granted's
``assume -c`` do, for the profiles ``export_profiles`` writes (or any role profile).

The role is assumed by botocore's own AssumeRole provider from the profile (so ``mfa_serial``
prompts, ``external_id``, ``duration_seconds`` and SSO source profiles behave as in the CLI),
then the console sign-in is :mod:`core.switch.console`'s: one set of federation rules.
"""

from __future__ import annotations

import os
import webbrowser
from typing import Any

from ...errors import InvalidInput
from ..identity import identity_of
from ..switch import ActiveRole
from ..switch.console import Opener, SignInUrl, console_sign_in_url
from .aws_config import aws_config_profiles, load_profiles, profile_session
from .config_file import config_path
from .redact import clip
from .refs import RoleRef, role_refs

__all__ = ["open_profile_console", "profile_console_url"]


def _role_profile(profile: str, path: str | os.PathLike[str] | None) -> RoleRef:
    profiles = aws_config_profiles(path)
    rows = profiles[profiles["profile"] == profile]
    why = dict(profiles.attrs.get("unusable", [])).get(profile)
    if why is not None:
        raise InvalidInput(
            f"Role profile {clip(profile)!r} cannot be used: {why}.",
            fix="Fix that line (the other profiles work as they are).",
        )
    if rows.empty:
        names = ", ".join(clip(p) for p in profiles["profile"]) or "none"
        raise InvalidInput(
            f"{clip(profile)!r} is not a role profile of {config_path(path)} (role profiles: "
            f"{clip(names, 400)}).",
            fix="Name a profile with role_arn (xw.aws_config_profiles() lists them), or export "
            "one with xw.export_profiles.",
        )
    return role_refs(rows.head(1))[0]


def profile_console_url(
    profile: str,
    destination: str | None = None,
    *,
    path: str | os.PathLike[str] | None = None,
    session_duration: int | None = None,
) -> SignInUrl:
    """The console sign-in URL of role profile ``profile`` (its repr hides the token).

    Costs the AssumeRole of the profile, one GetCallerIdentity and one getSigninToken.
    """
    ref = _role_profile(profile, path)
    session = profile_session(profile, path=path)
    who = identity_of(session)
    source = ref.source_profile or ""
    # A role profile whose source profile is itself a role profile is a chained role.
    chained = "role_arn" in load_profiles(config_path(path)).get(source, {})
    active = ActiveRole(
        account_id=ref.account_id,
        role_name=ref.role_name,
        role_arn=ref.role_arn,
        session_name=who.session_name or "",
        identity_arn=who.arn,
        display_name=ref.display_name,
        color=ref.color,
        expiration=None,
        source_arn=f"profile {source}",
        path=ref.path,
        chained=chained,
    )
    return console_sign_in_url(session, active, destination, session_duration=session_duration)


def open_profile_console(
    profile: str,
    destination: str | None = None,
    *,
    path: str | os.PathLike[str] | None = None,
    session_duration: int | None = None,
    opener: Opener = webbrowser.open,
) -> Any:
    """Open the console as role profile ``profile`` at once; ``opener``'s answer (the URL is
    handed to it and kept nowhere)."""
    url = profile_console_url(profile, destination, path=path, session_duration=session_duration)
    return opener(str(url))
