"""Check that every real component the tests need is there; print what to do if not.

Used by `make test` (scripts/test.sh) and by the root conftest, so a plain `pytest`
fails the same way: a missing Odoo, PostgreSQL, Mosquitto or Chromium is an error,
never a silently skipped test.
"""

import os
import shutil
import socket
import subprocess
import sys

HINT = "run `make setup` (it installs and starts what is missing)"


def _tcp(host, port, timeout=3.0):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def check_postgres():
    host = os.environ.get("SMART_DAIRY_DB_HOST", "127.0.0.1")
    port = int(os.environ.get("SMART_DAIRY_DB_PORT", "5432"))
    if not _tcp(host, port):
        return f"PostgreSQL is not reachable on {host}:{port} — {HINT}"
    return None


def check_mosquitto():
    host = os.environ.get("SMART_DAIRY_MQTT_HOST", "127.0.0.1")
    port = int(os.environ.get("SMART_DAIRY_MQTT_PORT", "1883"))
    try:
        import paho.mqtt.client as mqtt
    except ImportError:
        return f"paho-mqtt is not installed — {HINT}"
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id="smart-dairy-preflight", protocol=mqtt.MQTTv5
    )
    try:
        client.connect(host, port, keepalive=5)
    except OSError as exc:
        return f"Mosquitto is not reachable on {host}:{port} ({exc}) — {HINT}"
    finally:
        try:
            client.disconnect()
        except Exception:  # noqa: BLE001 - best effort close of a probe connection
            pass
    return None


def find_chromium():
    # Same names Odoo's test browser looks for (odoo.tests.common._find_executable).
    for name in ("google-chrome", "chromium", "chromium-browser", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _without_memory_limit():
    # Odoo sets RLIMIT_AS in its process (limit_memory_hard); Chromium, which reserves a
    # large address space, cannot start under it — Odoo lifts it the same way.
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def check_chromium():
    path = find_chromium()
    if not path:
        return f"Chromium is not installed (Odoo tours need it) — {HINT}"
    try:
        out = subprocess.run(
            [path, "--headless", "--no-sandbox", "--version"],
            capture_output=True,
            text=True,
            timeout=60,
            preexec_fn=_without_memory_limit,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{path} does not run: {exc}"
    if out.returncode != 0:
        return f"{path} --version failed: {out.stderr.strip()[:300]}"
    try:
        import websocket  # noqa: F401  (Odoo drives Chromium through websocket-client)
    except ImportError:
        return f"websocket-client is not installed (Odoo tours need it) — {HINT}"
    return None


def check_odoo():
    try:
        import odoo
        import odoo.release
    except ImportError as exc:
        return f"Odoo is not importable ({exc}) — {HINT}"
    if not hasattr(odoo, "SUPERUSER_ID"):
        return "Odoo is importable only as a namespace package — re-run `make setup`"
    if tuple(odoo.release.version_info[:2]) != (18, 0):
        return f"Odoo {odoo.release.version} found, the suite needs 18.0"
    return None


def problems(require_odoo=True):
    checks = [check_postgres, check_mosquitto]
    if require_odoo:
        checks += [check_odoo, check_chromium]
    return [msg for msg in (check() for check in checks) if msg]


def main():
    found = problems()
    for msg in found:
        print(f"preflight: {msg}", file=sys.stderr)
    if found:
        sys.exit(2)
    print(f"preflight: PostgreSQL, Mosquitto, Odoo 18, Chromium ({find_chromium()}) OK")


if __name__ == "__main__":
    main()
