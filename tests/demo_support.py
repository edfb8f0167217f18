"""The demo world: one ``flask seed-demo``, made once per session (seeding renders and
signs real PDFs, which takes tens of seconds) and restored into each test that asks."""

from __future__ import annotations

import pytest
from flask import Flask, current_app

from tests.worlds import Snapshot, Worlds, restore


@pytest.fixture(scope="session")
def seeded_world(worlds: Worlds) -> Snapshot:
    """The database and blob store after one ``flask seed-demo``."""

    def seed() -> str:
        result = current_app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        return result.output

    return worlds.capture("demo", seed)


@pytest.fixture
def seeded(app: Flask, seeded_world: Snapshot) -> None:
    restore(seeded_world)
