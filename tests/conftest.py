"""Test configuration. CI (.ci/run) sets HYPOTHESIS_PROFILE=ci: property tests then draw the same
examples on every run, so a red CI run is reproducible; locally they explore new examples."""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "notebooks: runs chapter code (already covered by nbval under every configuration)")
