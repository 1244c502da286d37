"""Console sign-in as the active role: the federation endpoint's two steps, and a URL that keeps
its secret out of sight.

AWS lets a holder of temporary credentials open the console as them ("Enable custom identity
broker access to the AWS console",
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html):
``GET <federation>?Action=getSigninToken&Session={"sessionId","sessionKey","sessionToken"}``
answers ``{"SigninToken": ...}``, and ``<federation>?Action=login&Issuer=&Destination=
&SigninToken=`` signs the browser in. This is what aws-vault, Granted and awsume do.

The rules kept here, each from that page:

* only temporary credentials work (the role's, read from botocore at call time - they refresh
  themselves - never copied into a field);
* ``SessionDuration`` (900-43200 s) may be sent only for ``AssumeRole*`` credentials obtained
  with long-term keys. For a role assumed from another role (role chaining) the federation
  endpoint refuses it (HTTP 400; "When you use DurationSeconds in an AssumeRole* operation, you
  must call it as an IAM user with long-term credentials. Otherwise, the call to the federation
  endpoint ... fails"; reported by aws-sso-cli, https://github.com/synfinatic/aws-sso-cli/pull/1247),
  so it is refused here first; without it the console session lasts as long as the
  credentials, at most one hour for a chained role;
* the URL is valid for 15 minutes and "you should treat the URL as a secret": it is returned as
  :class:`SignInUrl`, whose repr and pretty-print (what a notebook shows for a last expression)
  mask the token, and :meth:`RoleSwitcher.open_console` opens it without handing it to anyone.

Hosts come from the role's partition (:mod:`..partitions`). A session whose configured endpoint
(botocore's ``endpoint_url``: a profile, ``AWS_ENDPOINT_URL``) is on loopback talks to the
embedded sandbox, which serves ``/federation`` and ``/console`` itself.
"""

from __future__ import annotations

import ipaddress
import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode, urlsplit

import boto3
from botocore.configprovider import ConfiguredEndpointProvider
from botocore.exceptions import BotoCoreError

from ...aws_limits import CHAINED_SESSION_SECONDS, SESSION_SECONDS_RANGE
from ...errors import AwsError, ExpiredSession, InvalidInput
from .. import partitions
from ..frames import scrub_text
from .active import ActiveRole

__all__ = [
    "FEDERATION_TIMEOUT_S",
    "ISSUER",
    "SESSION_DURATION_RANGE",
    "ConsolePage",
    "Opener",
    "SignInEndpoints",
    "SignInUrl",
    "console_page",
    "console_sign_in_url",
    "login_url",
    "regional_home",
    "sign_in_endpoints",
    "signin_token_request",
    "switch_role_page",
]

#: ``SessionDuration``: "from 900 seconds (15 minutes) to 43200 seconds (12 hours)".
SESSION_DURATION_RANGE: Final = SESSION_SECONDS_RANGE
#: Seconds to wait for the federation endpoint before giving up.
FEDERATION_TIMEOUT_S: Final = 10.0
#: ``Issuer`` of the login URL: where the console's "sign in again" link points; AWS needs none.
ISSUER: Final = "xacct_widgets"
_LOOPBACK_NAMES: Final = frozenset({"localhost"})
_REGION_RE: Final = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")
# The labels before a console host: a region (us-east-1.console...) or a service (s3.console...).
_SUBDOMAIN_RE: Final = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
# A console service page: the service's path (``s3``, ``iam``) and optionally a page under it.
_SERVICE_RE: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,40}(/[A-Za-z0-9._~-]+){0,4}")
#: What opens a URL in a browser (``webbrowser.open``); its answer says whether it did.
Opener = Callable[[str], Any]


class SignInUrl(str):
    """A console sign-in URL: ``str(url)`` is the real URL (to open), its repr masks the token.

    A notebook displays a cell's last expression with ``repr`` / ``_repr_pretty_``; both show
    ``SigninToken=[redacted]``, so a saved notebook never holds a usable sign-in link.
    """

    __slots__ = ()

    @property
    def masked(self) -> str:
        """The URL with its sign-in token replaced by ``[redacted]``."""
        return scrub_text(str.__str__(self))

    def __repr__(self) -> str:
        return f"SignInUrl({self.masked!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


@dataclass(frozen=True)
class SignInEndpoints:
    """Where the two federation steps go, and which console pages may be signed in to.

    ``console_url`` is the console's home for the partition (or the sandbox's console);
    ``home_url`` the regional console home of the session's region, when it has one in the
    role's partition: the page signed in to by default, as aws-vault and Granted open it.
    """

    federation_url: str
    console_url: str
    sandbox: bool = False
    home_url: str = ""

    @property
    def default_destination(self) -> str:
        return self.home_url or self.console_url


@dataclass(frozen=True)
class ConsolePage:
    """A console page named by region and service (a deep link), for ``destination=``:
    ``ConsolePage(service="s3")``, ``ConsolePage("eu-west-1", "ec2")``,
    ``ConsolePage(service="s3/buckets")``. ``region`` None: the session's; ``service`` None:
    the region's console home."""

    region: str | None = None
    service: str | None = None


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def configured_endpoint(session: boto3.Session) -> str | None:
    """The ``endpoint_url`` botocore would use for STS in ``session`` (profile, environment),
    or None; read through botocore's own provider rather than parsing config by hand."""
    core = session._session  # boto3 exposes no public accessor for its botocore session
    try:
        if core.get_config_variable("ignore_configured_endpoint_urls"):
            return None
        provider = ConfiguredEndpointProvider(
            full_config=core.full_config,
            scoped_config=core.get_scoped_config(),
            client_name="sts",
        )
        found = provider.provide()
    except BotoCoreError:  # a profile that does not exist: no configured endpoint either
        return None
    return str(found).rstrip("/") if found else None


def _partition_of_region(region: str) -> str | None:
    """The partition whose region ``region`` is, by the region names' prefixes (``cn-``,
    ``us-gov-``; the ISO partitions' ``us-iso*``/``eu-isoe``... are not supported here)."""
    if not _REGION_RE.fullmatch(region):
        return None
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return None if "-iso" in region else "aws"


def regional_home(partition: partitions.Partition, region: str | None) -> str:
    """``https://REGION.<console host>/console/home?region=REGION``: the console home of the
    session's region, as aws-vault and Granted open it; "" when ``region`` is not one of
    ``partition``'s (then the partition's global console home is used)."""
    if not region or _partition_of_region(region) != partition.name:
        return ""
    return f"https://{region}.{partition.console_host}/console/home?region={region}"


def sign_in_endpoints(session: boto3.Session, role_arn: str) -> SignInEndpoints:
    """The federation endpoint and console pages for ``role_arn`` reached from ``session``:
    the sandbox's own when the session's configured endpoint is on loopback, else the role's
    partition's public hosts, defaulting to the session's regional console home."""
    endpoint = configured_endpoint(session)
    if endpoint and _is_loopback(endpoint):
        return SignInEndpoints(f"{endpoint}/federation", f"{endpoint}/console", sandbox=True)
    found = partitions.partition_of(role_arn)
    home = regional_home(found, session.region_name)
    return SignInEndpoints(found.federation_url, found.console_url, home_url=home)


def console_page(
    page: ConsolePage, endpoints: SignInEndpoints, role_arn: str, session_region: str | None
) -> str:
    """The URL of ``page`` on the role's partition's console (``https://REGION.<console host>
    /SERVICE/home?region=REGION``), or on the sandbox's console; InvalidInput for a region
    not in the role's partition or a malformed service, before any call."""
    found = partitions.partition_of(role_arn)
    service, region = page.service, page.region
    if service is not None and not (isinstance(service, str) and _SERVICE_RE.fullmatch(service)):
        raise InvalidInput(
            f"Console service page {_shown(service)} is not a service path.",
            fix="Pass the service as the console writes it after its host, e.g. 's3', 'iam', "
            "'ec2' or 's3/buckets', or None for the console home.",
        )
    if region is not None and (not isinstance(region, str) or not regional_home(found, region)):
        raise InvalidInput(
            f"Region {_shown(region)} is not a region of partition {found.name!r}, where "
            f"{role_arn} is.",
            fix="Pass one of its regions, e.g. 'us-east-1' (aws), 'cn-north-1' (aws-cn), "
            "'us-gov-west-1' (aws-us-gov), or None for the session's region.",
        )
    if region is None and regional_home(found, session_region):
        region = session_region
    if endpoints.sandbox:
        query = urlencode({k: v for k, v in (("region", region), ("service", service)) if v})
        return endpoints.console_url + (f"?{query}" if query else "")
    host = f"{region}.{found.console_host}" if region else found.console_host
    path = f"/{service}{'' if '/' in service else '/home'}" if service else "/console/home"
    return f"https://{host}{path}" + (f"?region={region}" if region else "")


def switch_role_page(session: boto3.Session, url: str) -> str:
    """Where a browser should open the switch-role ``url`` (a :class:`..urls.SwitchRoleLink`'s)
    for ``session``: the sandbox's own switch-role page, same query, when the session talks to
    the sandbox (its AWS sign-in host is unreachable offline); else ``url`` itself."""
    endpoint = configured_endpoint(session)
    if not endpoint or not _is_loopback(endpoint):
        return url
    query = urlsplit(url).query
    return f"{endpoint}/switchrole" + (f"?{query}" if query else "")


def _session_duration(seconds: int | None, active: ActiveRole) -> int | None:
    if seconds is None:
        return None
    if active.chained:
        raise InvalidInput(
            f"SessionDuration {seconds!r} cannot be asked for {active.identity_arn}: it was "
            "assumed from another role's session (role chaining), and the federation endpoint "
            "refuses SessionDuration for such credentials.",
            fix="Leave session_duration out (the console session then lasts as the role's "
            f"credentials do, at most {CHAINED_SESSION_SECONDS} seconds), or switch from the "
            "base user (switch(..., from_base=True)) for a longer console session.",
        )
    low, high = SESSION_DURATION_RANGE
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not low <= seconds <= high:
        raise InvalidInput(
            f"SessionDuration {seconds!r} is invalid: the console session lasts {low}-{high} "
            "seconds.",
            fix=f"Pass an integer from {low} (15 minutes) to {high} (12 hours), or None.",
        )
    return seconds


def signin_token_request(
    federation_url: str,
    access_key: str,
    secret_key: str,
    token: str,
    session_duration: int | None = None,
) -> str:
    """The getSigninToken URL (it carries the credentials: never log or show it)."""
    session = json.dumps({"sessionId": access_key, "sessionKey": secret_key, "sessionToken": token})
    query: dict[str, str] = {"Action": "getSigninToken"}
    if session_duration is not None:
        query["SessionDuration"] = str(session_duration)
    query["Session"] = session
    return f"{federation_url}?{urlencode(query)}"


def login_url(
    federation_url: str, signin_token: str, destination: str, issuer: str = ISSUER
) -> SignInUrl:
    """The console login URL for a sign-in token (pure: no call)."""
    query = {
        "Action": "login",
        "Issuer": issuer,
        "Destination": destination,
        "SigninToken": signin_token,
    }
    return SignInUrl(f"{federation_url}?{urlencode(query)}")


def _console_page(destination: str, endpoints: SignInEndpoints) -> bool:
    """Whether ``destination`` is a page of the console signed in to: the sandbox's own
    origin for a sandbox session, else https on the partition's console host or one of its
    subdomains (``us-east-1.console.aws.amazon.com``, ``s3.console.aws.amazon.com``)."""
    try:
        parts = urlsplit(destination)
        port = parts.port
    except ValueError:
        return False
    if any(c.isspace() or not c.isprintable() for c in destination) or parts.username:
        return False
    console = urlsplit(endpoints.console_url)
    if endpoints.sandbox:
        return (parts.scheme, parts.netloc) == (console.scheme, console.netloc)
    host, home = (parts.hostname or "").lower(), console.hostname or ""
    sub = host[: -len(home) - 1] if host.endswith("." + home) else None
    on_console = host == home or (sub is not None and _SUBDOMAIN_RE.fullmatch(sub) is not None)
    return parts.scheme == "https" and port is None and on_console


def _shown(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _destination(destination: str | None, endpoints: SignInEndpoints) -> str:
    if destination is None:
        return endpoints.default_destination
    if not isinstance(destination, str) or not _console_page(destination, endpoints):
        where = (
            "a page of the sandbox's console"
            if endpoints.sandbox
            else f"a page of the console ({endpoints.console_url} or a regional console host)"
        )
        raise InvalidInput(
            f"Destination {_shown(destination)} is not {where}: the sign-in link takes "
            "the browser there, signed in as the role.",
            fix=f"Pass a console page such as {endpoints.default_destination!r}, or None for "
            "the console home.",
        )
    return destination


def _fetch_token(request_url: str, federation_url: str, who: str, timeout: float) -> str:
    """One GET to the federation endpoint; every failure as an XacctError with the fix."""
    try:
        with urllib.request.urlopen(request_url, timeout=timeout) as answer:
            body = answer.read()
    except urllib.error.HTTPError as err:
        status = err.code
        err.close()
        if status == 400:
            raise ExpiredSession(
                f"The federation endpoint {federation_url} refused the session credentials of "
                f"{who} (HTTP 400): they have expired or been revoked, or are not temporary "
                "role credentials.",
                code="InvalidSession",
                fix="Switch into the role again (RoleSwitcher.switch or switch_url) and ask for "
                "a new sign-in URL.",
            ) from None
        raise AwsError(
            f"The federation endpoint {federation_url} answered HTTP {status} to "
            f"getSigninToken for {who}.",
            code=f"HTTP{status}",
            fix="Retry in a moment; if it persists, check the partition's sign-in service health.",
        ) from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise AwsError(
            f"Cannot reach the federation endpoint {federation_url}: {reason}.",
            code="NetworkError",
            fix="Check the network (proxy settings: HTTPS_PROXY) or, for the sandbox, that it "
            "still runs.",
        ) from None
    try:
        token = json.loads(body)["SigninToken"]
    except (ValueError, KeyError, TypeError):
        token = None
    if not isinstance(token, str) or not token:
        raise AwsError(
            f"The federation endpoint {federation_url} answered without a SigninToken.",
            code="InvalidResponse",
            fix="Check that the endpoint is AWS's (or the sandbox's) federation endpoint.",
        )
    return token


def console_sign_in_url(
    session: boto3.Session,
    active: ActiveRole | None,
    destination: str | ConsolePage | None = None,
    *,
    session_duration: int | None = None,
    timeout: float = FEDERATION_TIMEOUT_S,
) -> SignInUrl:
    """The federation sign-in URL for ``active``, whose credentials ``session`` holds.

    ``destination`` is a console page's URL, a :class:`ConsolePage` (region and service: a
    deep link), or None for the session's regional console home. Costs one HTTPS GET
    (getSigninToken); the URL works for 15 minutes.

    Raises:
        InvalidInput: no active role, a bad destination or session duration (before any call).
        ExpiredSession: the endpoint refused the credentials (HTTP 400), or there are none.
        AwsError: the endpoint could not be reached or answered something else.
    """
    if active is None:
        raise InvalidInput(
            "No role is active, so there is no role session to sign in to the console with.",
            fix="Switch into a role first (RoleSwitcher.switch(account, role)), then ask again.",
        )
    duration = _session_duration(session_duration, active)
    endpoints = sign_in_endpoints(session, active.role_arn)
    if isinstance(destination, ConsolePage):
        destination = console_page(destination, endpoints, active.role_arn, session.region_name)
    target = _destination(destination, endpoints)
    credentials = session.get_credentials()
    frozen = credentials.get_frozen_credentials() if credentials is not None else None
    if frozen is None or not (frozen.access_key and frozen.secret_key and frozen.token):
        raise ExpiredSession(
            f"The session of {active.identity_arn} holds no temporary credentials.",
            code="NoSessionToken",
            fix="Switch into the role again (RoleSwitcher.switch) and ask for the URL again.",
        )
    request = signin_token_request(
        endpoints.federation_url, frozen.access_key, frozen.secret_key, frozen.token, duration
    )
    token = _fetch_token(request, endpoints.federation_url, active.identity_arn, timeout)
    return login_url(endpoints.federation_url, token, target)
