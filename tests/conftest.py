"""Fixtures for the cross-component tests (real PostgreSQL, Mosquitto, Odoo over HTTP)."""

import importlib.util
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def load_script(name):
    """Import scripts/<name>.py (the scripts folder is not a package)."""
    spec = importlib.util.spec_from_file_location(
        f"sd_scripts_{name}", ROOT / "scripts" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def stack():
    """scripts/odoo_stack.py: the launcher `make demo` uses."""
    return load_script("odoo_stack")


@pytest.fixture(scope="session")
def preflight():
    return load_script("preflight")


@pytest.fixture(scope="session")
def test_db(request):
    db = request.config.getoption("--odoo-database", default=None) or os.environ.get(
        "SMART_DAIRY_TEST_DB"
    )
    if not db:
        pytest.fail("the stack tests need the suite database: run them through `make test`")
    return db


@pytest.fixture(scope="session")
def odoo_test_conf():
    conf = ROOT / ".local" / "odoo-test.conf"
    if not conf.exists():
        pytest.fail(f"{conf} is missing: run `make setup`")
    return conf
