"""The harness's own promises: preflight names what is missing, skips fail the run."""

import os
import pathlib
import subprocess
import sys
import textwrap

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_preflight_names_a_missing_postgres(preflight, monkeypatch):
    monkeypatch.setenv("SMART_DAIRY_DB_PORT", "1")  # nothing listens on port 1
    msg = preflight.check_postgres()
    assert msg and "PostgreSQL is not reachable on 127.0.0.1:1" in msg and "make setup" in msg


def test_preflight_names_a_missing_mosquitto(preflight, monkeypatch):
    monkeypatch.setenv("SMART_DAIRY_MQTT_PORT", "1")
    msg = preflight.check_mosquitto()
    assert msg and "Mosquitto is not reachable on 127.0.0.1:1" in msg


def test_preflight_names_a_missing_chromium(preflight, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert "Chromium is not installed" in preflight.check_chromium()


def test_preflight_passes_here(preflight):
    assert preflight.problems(require_odoo=True) == []


def _run_pytest(tmp_path, body):
    (tmp_path / "conftest.py").write_text(
        f"from importlib.machinery import SourceFileLoader\n"
        f"_root = SourceFileLoader('sd_root_conftest', {str(ROOT / 'conftest.py')!r}).load_module()\n"
        f"pytest_runtest_makereport = _root.pytest_runtest_makereport\n"
    )
    (tmp_path / "test_sample.py").write_text(textwrap.dedent(body))
    env = dict(os.environ)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:odoo",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )


def test_a_skip_fails_the_run(tmp_path: pathlib.Path):
    out = _run_pytest(
        tmp_path,
        """
        import unittest
        def test_skipped():
            raise unittest.SkipTest("Chrome executable not found")
    """,
    )
    assert out.returncode == 1, out.stdout
    assert "1 failed" in out.stdout
    assert "skips are failures in this project" in out.stdout


def test_only_missing_real_data_may_skip(tmp_path: pathlib.Path):
    out = _run_pytest(
        tmp_path,
        """
        import pytest
        def test_real():
            pytest.skip("real data: ../shared/data/milkman.csv.gz is absent")
    """,
    )
    assert out.returncode == 0, out.stdout
    assert "1 skipped" in out.stdout
