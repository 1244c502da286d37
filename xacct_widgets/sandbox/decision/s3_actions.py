"""An S3 request -> the IAM action AWS authorizes it as, read from the request itself.

S3's API names are not its IAM actions: ``ListObjectsV2``, ``ListObjects`` and ``HeadBucket``
are authorized as ``s3:ListBucket``, ``HeadObject`` as ``s3:GetObject``, ``ListBuckets`` as
``s3:ListAllMyBuckets`` ("Required permissions for Amazon S3 API operations",
https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html, and the
"Permissions" section of each API page). moto passes the operation under whatever name its
release uses (5.2.5 its own table of IAM actions, 5.2.6 botocore's operation names), so the
sandbox decides the action from what the request is: its level (the account, a bucket or an
object, from the resource ARN moto computes from the bucket and key names), its HTTP method and
its sub-resource query parameters, the same inputs S3 itself routes on.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import parse_qsl, urlsplit

__all__ = ["S3_PERMISSIONS_PAGE", "s3_action"]

S3_PERMISSIONS_PAGE: Final = (
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html"
)

# (level, method) -> ordered (sub-resource query parameter, IAM action); "" is the default.
# The first sub-resource present in the query wins, so more specific ones come first.
_ACTIONS: Final[dict[tuple[str, str], tuple[tuple[str, str], ...]]] = {
    ("service", "GET"): (("", "ListAllMyBuckets"),),
    ("bucket", "HEAD"): (("", "ListBucket"),),
    ("bucket", "GET"): (
        ("uploads", "ListBucketMultipartUploads"),
        ("location", "GetBucketLocation"),
        ("lifecycle", "GetLifecycleConfiguration"),
        ("versioning", "GetBucketVersioning"),
        ("policyStatus", "GetBucketPolicyStatus"),
        ("policy", "GetBucketPolicy"),
        ("website", "GetBucketWebsite"),
        ("acl", "GetBucketAcl"),
        ("tagging", "GetBucketTagging"),
        ("logging", "GetBucketLogging"),
        ("cors", "GetBucketCORS"),
        ("notification", "GetBucketNotification"),
        ("accelerate", "GetAccelerateConfiguration"),
        ("versions", "ListBucketVersions"),
        ("publicAccessBlock", "GetBucketPublicAccessBlock"),
        ("encryption", "GetEncryptionConfiguration"),
        ("replication", "GetReplicationConfiguration"),
        ("ownershipControls", "GetBucketOwnershipControls"),
        ("object-lock", "GetBucketObjectLockConfiguration"),
        ("requestPayment", "GetBucketRequestPayment"),
        ("inventory", "GetInventoryConfiguration"),
        ("", "ListBucket"),  # ListObjects, ListObjectsV2
    ),
    ("bucket", "PUT"): (
        ("lifecycle", "PutLifecycleConfiguration"),
        ("versioning", "PutBucketVersioning"),
        ("policy", "PutBucketPolicy"),
        ("website", "PutBucketWebsite"),
        ("acl", "PutBucketAcl"),
        ("tagging", "PutBucketTagging"),
        ("logging", "PutBucketLogging"),
        ("cors", "PutBucketCORS"),
        ("notification", "PutBucketNotification"),
        ("accelerate", "PutAccelerateConfiguration"),
        ("publicAccessBlock", "PutBucketPublicAccessBlock"),
        ("encryption", "PutEncryptionConfiguration"),
        ("replication", "PutReplicationConfiguration"),
        ("ownershipControls", "PutBucketOwnershipControls"),
        ("object-lock", "PutBucketObjectLockConfiguration"),
        ("requestPayment", "PutBucketRequestPayment"),
        ("inventory", "PutInventoryConfiguration"),
        ("", "CreateBucket"),
    ),
    ("bucket", "DELETE"): (
        ("lifecycle", "PutLifecycleConfiguration"),  # DeleteBucketLifecycle
        ("policy", "DeleteBucketPolicy"),
        ("website", "DeleteBucketWebsite"),
        ("tagging", "PutBucketTagging"),  # DeleteBucketTagging
        ("cors", "PutBucketCORS"),  # DeleteBucketCors
        ("publicAccessBlock", "PutBucketPublicAccessBlock"),
        ("encryption", "PutEncryptionConfiguration"),
        ("replication", "PutReplicationConfiguration"),
        ("ownershipControls", "PutBucketOwnershipControls"),
        ("inventory", "PutInventoryConfiguration"),
        ("", "DeleteBucket"),
    ),
    ("bucket", "POST"): (("delete", "DeleteObject"),),  # DeleteObjects: DeleteObject per key
    ("object", "HEAD"): (("versionId", "GetObjectVersion"), ("", "GetObject")),
    ("object", "GET"): (
        ("uploadId", "ListMultipartUploadParts"),
        ("acl", "GetObjectAcl"),
        ("tagging", "GetObjectTagging"),
        ("attributes", "GetObjectAttributes"),
        ("retention", "GetObjectRetention"),
        ("legal-hold", "GetObjectLegalHold"),
        ("versionId", "GetObjectVersion"),
        ("", "GetObject"),
    ),
    ("object", "PUT"): (
        ("acl", "PutObjectAcl"),
        ("tagging", "PutObjectTagging"),
        ("retention", "PutObjectRetention"),
        ("legal-hold", "PutObjectLegalHold"),
        ("", "PutObject"),  # PutObject, CopyObject, UploadPart
    ),
    ("object", "DELETE"): (
        ("uploadId", "AbortMultipartUpload"),
        ("tagging", "DeleteObjectTagging"),
        ("versionId", "DeleteObjectVersion"),
        ("", "DeleteObject"),
    ),
    ("object", "POST"): (
        ("uploads", "PutObject"),  # CreateMultipartUpload
        ("uploadId", "PutObject"),  # CompleteMultipartUpload
        ("restore", "RestoreObject"),
        ("select", "GetObject"),  # SelectObjectContent
    ),
}


def _level(resource: str) -> str:
    """``service`` for ``arn:aws:s3:::*``, ``bucket`` for a bucket ARN, ``object`` for a key."""
    path = resource.split(":::", 1)[-1]
    if path in ("", "*"):
        return "service"
    return "object" if "/" in path else "bucket"


def s3_action(method: str, path: str, resource: str, given: str) -> str:
    """``s3:Action`` of one request (``path`` with its query; ``given`` is moto's name, kept only
    for requests outside the table, which are then checked under it)."""
    rules = _ACTIONS.get((_level(resource), method.upper()), ())
    query = {name for name, _ in parse_qsl(urlsplit(path).query, keep_blank_values=True)}
    for parameter, action in rules:
        if not parameter or parameter in query:
            return f"s3:{action}"
    name = given.partition(":")[2] or given
    return f"s3:{name}"
