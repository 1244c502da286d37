"""The embedded default AWS: a moto server seeded with the tutorial's two accounts."""

from .server import Sandbox

__all__ = ["Sandbox"]
