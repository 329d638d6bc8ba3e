"""Repository-wide pytest policy.

1. Preflight: PostgreSQL and Mosquitto must be reachable, and when the run tests Odoo
   (pytest-odoo's --odoo-database) Odoo 18 and Chromium must be there too. Otherwise
   the session stops at once with what to do — never a run of silently skipped tests.
2. A skipped test is a failed test, except one that says it lacks the real validation
   data in ../shared/data (reason starting with "real data"). Odoo itself turns a
   missing Chromium or a tour it could not start into a SkipTest: here that fails.
"""

import importlib.util
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent
ALLOWED_SKIP_PREFIX = "real data"


def _preflight():
    spec = importlib.util.spec_from_file_location("sd_preflight", ROOT / "scripts" / "preflight.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pytest_sessionstart(session):
    config = session.config
    testing_odoo = bool(config.getoption("--odoo-database", default=None))
    found = _preflight().problems(require_odoo=testing_odoo)
    if found:
        pytest.exit("preflight failed:\n  " + "\n  ".join(found), returncode=3)


def _skip_reason(report):
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = _skip_reason(report)
    if reason.removeprefix("Skipped: ").lower().startswith(ALLOWED_SKIP_PREFIX):
        return
    report.outcome = "failed"
    report.longrepr = (
        f"skips are failures in this project (only missing real data may skip): {reason}"
    )
