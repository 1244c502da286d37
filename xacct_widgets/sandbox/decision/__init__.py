"""The sandbox's decision: what AWS would answer a request, read from moto's state.

:mod:`.enforce` decides every signed request with the policy engine (:mod:`xacct_widgets.policy`)
- the caller (:mod:`.principals`), the action and resource (:mod:`.request_map`,
:mod:`.s3_actions`), the request context (:mod:`.request_context`), the refusals in AWS's words
(:mod:`.denials`) - and the rules AWS applies beside policies: STS's limits on AssumeRole
(:mod:`.sts_limits`), IAM's write-time refusals (:mod:`.iam_writes`, :mod:`.iam_documents`) and
the policy simulator (:mod:`.simulate`).

This package reads moto and never changes it: the hooks that route moto's requests here live in
:mod:`..moto_integration`, which imports this package, never the other way round.
"""
