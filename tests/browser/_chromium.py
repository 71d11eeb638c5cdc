"""Where the browser tests find Chromium, and what they do without it."""

import os
import shutil
from pathlib import Path

import pytest

# LAZYRICH_CHROMIUM overrides the path (e.g. another Chromium build; a missing path tests the skip).
CHROMIUM = os.environ.get("LAZYRICH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


#: Measurements the browser tests report at the end of the run (timings are reported, not asserted).
REPORTS: list[str] = []


def report(line: str) -> None:
    """Print a measurement now and list it again in the run's final summary."""
    print("\n" + line)
    REPORTS.append(line)


def require_chromium() -> None:
    """Skip loudly without Chromium, or fail when CI (LAZYRICH_REQUIRE_BROWSER=1) forbids skipping."""
    if Path(CHROMIUM).exists():
        return
    msg = (f"BROWSER TEST SKIPPED: no Chromium at {CHROMIUM}. "
           "Install it with `apt-get install -y chromium` (CI does).")
    if os.environ.get("LAZYRICH_REQUIRE_BROWSER") == "1":
        pytest.fail(msg + " LAZYRICH_REQUIRE_BROWSER=1 forbids skipping.")
    print("\n" + "!" * 80 + "\n" + msg + "\n" + "!" * 80)
    pytest.skip(msg)
