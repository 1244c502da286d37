"""The AWS-managed policies the sandbox offers, without moto's full catalogue.

moto can load all ~1,580 AWS-managed policies into every account it touches (about 1 s and
30 MiB each). The tutorial needs a handful, so the sandbox narrows moto's module-level JSON to
these before the first IAM backend is built; they stay attachable by their real
``arn:aws:iam::aws:policy/...`` ARNs.
"""

from __future__ import annotations

import json

CURATED_POLICIES: tuple[str, ...] = (
    "AdministratorAccess",
    "ReadOnlyAccess",
    "PowerUserAccess",
    "ViewOnlyAccess",
    "SecurityAudit",
    "IAMReadOnlyAccess",
    "AmazonS3ReadOnlyAccess",
    "AmazonEC2ReadOnlyAccess",
    "IAMFullAccess",
    "AmazonS3FullAccess",
    "AWSOrganizationsReadOnlyAccess",
)

_narrowed = False


def narrow_managed_policies(names: tuple[str, ...] = CURATED_POLICIES) -> None:
    """Replace moto's managed-policy JSON with just ``names`` and switch loading on."""
    global _narrowed
    if _narrowed:
        return
    from moto import settings
    from moto.iam import aws_managed_policies as source
    from moto.iam import models

    full = json.loads(source.aws_managed_policies_data)
    missing = [n for n in names if n not in full]
    if missing:
        raise RuntimeError(f"moto no longer ships these AWS-managed policies: {missing}")
    narrowed = json.dumps({name: full[name] for name in names})
    models.aws_managed_policies_data = narrowed  # type: ignore[attr-defined]
    source.aws_managed_policies_data = narrowed
    config = settings.default_user_config  # type: ignore[attr-defined]
    config.setdefault("iam", {})["load_aws_managed_policies"] = True
    _narrowed = True
