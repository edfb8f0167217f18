"""The demo world for these tests (:mod:`tests.demo_support`)."""

from tests.demo_support import seeded, seeded_world

__all__ = ["seeded", "seeded_world"]
