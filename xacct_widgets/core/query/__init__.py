"""Cross-account fan-out: ask many accounts (and regions) the same question, get one DataFrame.

``query(targets, "s3", "list_buckets", session=caller)`` assumes a role in each target account,
runs the operation (fully paginated) in each region, and returns a :class:`QueryResult` whose
``frame`` has ``account_id`` and ``region`` first, then the flattened items, and whose ``errors``
has one row per failed account/region. Nothing is silently dropped: every (target, region) ends
up in exactly one of the two (``QueryResult.summary`` shows accounts that answered no items).

Split as botocove splits a fan-out, one question per module (``benchmarks/fanout.py`` measures
the whole):

* :mod:`.inputs` — typed input (targets, regions, params, JMESPath): the one rule, for
  ``query()`` and the QueryPanel alike;
* :mod:`.operation` — what is asked: the operation checked against botocore's model, its
  paginator and items; read-only unless ``allow_writes=True``;
* :mod:`.targets` — whom: every accepted ``targets`` form becomes a list of :class:`Target`;
  :mod:`.organization` reads the accounts of an AWS Organization;
* :mod:`.credentials` — as whom: the caller, its shared STS client, roles assumed once and
  cached with refresh;
* :mod:`.clients` — with what: one client per (role, service, region), kept with the role's
  credentials, adaptive retries; :mod:`.lru` — the bounded caches;
* :mod:`.runner` — how: one unit per (target, region), an executor, progress and stop;
  :mod:`.remote` — units on other processes (a process pool, Dask) and :class:`CallerSpec`;
* :mod:`.result` — what comes back: one outcome per unit, then ``frame`` / ``errors`` /
  ``summary``;
* :mod:`.run` — ``query()`` itself, a short pipeline of those steps; :mod:`.models` — botocore's
  data files, parsed once per process.

Secrets: items go through :func:`..frames.flatten` (which redacts), error messages through
:func:`..frames.scrub_text`; credentials live only inside botocore credential objects and are
never logged or put into a repr.
"""

from .clients import CLIENT_LIMIT
from .credentials import clear_credential_cache
from .inputs import parse_jmespath, parse_params, parse_regions, parse_targets
from .organization import ACCOUNT_COLUMNS, DEFAULT_MEMBER_ROLE, OU_COLUMNS, Organization
from .remote import CallerSpec
from .result import ERROR_COLUMNS, SUMMARY_COLUMNS, QueryProgress, QueryResult
from .run import query
from .runner import QueryFunction
from .targets import QueryTarget, Target, TargetsLike

__all__ = [
    "ACCOUNT_COLUMNS",
    "CLIENT_LIMIT",
    "DEFAULT_MEMBER_ROLE",
    "ERROR_COLUMNS",
    "OU_COLUMNS",
    "SUMMARY_COLUMNS",
    "CallerSpec",
    "Organization",
    "QueryFunction",
    "QueryProgress",
    "QueryResult",
    "QueryTarget",
    "Target",
    "TargetsLike",
    "clear_credential_cache",
    "parse_jmespath",
    "parse_params",
    "parse_regions",
    "parse_targets",
    "query",
]
