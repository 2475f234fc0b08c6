"""What every test shares: Hypothesis profiles (random examples on a developer's machine,
the same ones in CI) and structlog's defaults at the start of each test.

CI exports HYPOTHESIS_PROFILE=ci (.ci/run), so a run's outcome depends on the commit alone:
examples are derived from each test rather than drawn at random, and no example database
replays failures found on another run. Locally the default profile explores new examples
each run and remembers failing ones in .hypothesis/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import structlog
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def _fresh_logging() -> Iterator[None]:
    """Each test starts with structlog's defaults: a test that configures logging the way a
    command does (a level, JSON) must not decide what a later test's capture_logs sees."""
    structlog.reset_defaults()
    yield
    structlog.reset_defaults()
