"""AWS's limits that more than one part of the package enforces, each written once.

core checks an input before it calls AWS (:mod:`.core.ids`, :mod:`.core.sessions`,
:mod:`.core.switch.console`); the sandbox refuses what AWS refuses (:mod:`.sandbox.decision`,
:mod:`.sandbox.console`). Both read the numbers here, so a check and the refusal it predicts
cannot drift apart. Stdlib only, like :mod:`.errors`: every layer may import it.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "CHAINED_SESSION_SECONDS",
    "DEFAULT_SESSION_SECONDS",
    "IAM_NAME_CHARACTERS",
    "MAX_SESSION_DURATION_RANGE",
    "ROLE_NAME_LENGTH",
    "SESSION_NAME_LENGTH",
    "SESSION_SECONDS_RANGE",
    "SIGN_IN_TOKEN_SECONDS",
]

#: A role session's length, in seconds: AssumeRole ``DurationSeconds`` ("The value can range from
#: 900 seconds (15 minutes) up to the maximum session duration setting for the role", at most
#: 43200, STS API reference ``AssumeRole``) and the federation endpoint's ``SessionDuration``
#: ("from 900 seconds (15 minutes) to 43200 seconds (12 hours)", "Enable custom identity broker
#: access to the AWS console").
SESSION_SECONDS_RANGE: Final = (900, 43200)

#: A role's ``MaxSessionDuration``: "from 1 hour to 12 hours" (IAM API reference ``CreateRole``).
MAX_SESSION_DURATION_RANGE: Final = (3600, 43200)

#: STS's ``DurationSeconds`` when none is asked, and a role's ``MaxSessionDuration`` when none is
#: set: one hour (``AssumeRole``, ``CreateRole``).
DEFAULT_SESSION_SECONDS: Final = 3600

#: "Role chaining limits your AWS CLI or AWS API role session to a maximum of one hour" (IAM user
#: guide, "Methods to assume a role"), whatever the role's maximum.
CHAINED_SESSION_SECONDS: Final = 3600

#: How long a federation sign-in token works: "The URL is valid for 15 minutes from the time it
#: is created" ("Enable custom identity broker access to the AWS console").
SIGN_IN_TOKEN_SECONDS: Final = 900

#: The characters IAM allows in role, user, group and policy names and in ``RoleSessionName``
#: (a regex character class body; IAM's ``\w`` is ASCII-only: compile with ``re.ASCII``).
IAM_NAME_CHARACTERS: Final = r"\w+=,.@-"

#: A role's name: 1-64 of :data:`IAM_NAME_CHARACTERS` (IAM API reference ``CreateRole``).
ROLE_NAME_LENGTH: Final = (1, 64)

#: ``RoleSessionName``: 2-64 of :data:`IAM_NAME_CHARACTERS` (STS API reference ``AssumeRole``).
SESSION_NAME_LENGTH: Final = (2, 64)
