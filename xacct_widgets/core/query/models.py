"""botocore's data files, parsed once per process and shared by every query.

Parsing a service's JSON model costs ~100 ms of CPU and several MiB; a fresh ``boto3.Session``
per account pays it again each time, and under the GIL that serialises a fan-out. One data
loader for the whole process means each model is parsed once, whoever asks: the operation check,
the region lists and every client built for a target.
"""

from __future__ import annotations

import functools

import botocore.loaders
import botocore.session

__all__ = [
    "all_known_regions",
    "known_regions",
    "model_session",
    "service_regions",
    "shared_loader",
]


@functools.cache
def shared_loader() -> botocore.loaders.Loader:
    """One botocore data loader for the process: each service model is parsed once."""
    return botocore.loaders.create_loader()


@functools.cache
def model_session() -> botocore.session.Session:
    """A credential-less botocore session, used only to read service models for validation."""
    core = botocore.session.Session()
    core.register_component("data_loader", shared_loader())
    return core


@functools.cache
def known_regions(partition: str) -> frozenset[str]:
    """Every region botocore knows for ``partition`` (partitions.json and endpoints.json)."""
    loader = shared_loader()
    regions: set[str] = set()
    for entry in loader.load_data("partitions").get("partitions", []):
        if entry.get("id") == partition:
            regions |= set(entry.get("regions", {}))
    for entry in loader.load_data("endpoints").get("partitions", []):
        if entry.get("partition") == partition:
            regions |= set(entry.get("regions", {}))
    return frozenset(regions)


@functools.cache
def all_known_regions() -> frozenset[str]:
    """Every region botocore knows in any partition (for checks made before the caller is known)."""
    partitions = model_session().get_available_partitions()
    return frozenset().union(*(known_regions(p) for p in partitions))


def service_regions(service: str, partition: str) -> list[str]:
    """The regions where ``service`` has an endpoint in ``partition``, sorted."""
    return sorted(model_session().get_available_regions(service, partition))
