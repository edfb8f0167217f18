"""The confirmation pages' shared world (a case with its agreement in force, built once per
session) for every test module of this folder."""

from tests.web.confirmation.test_confirmation import in_force_world, world  # noqa: F401
