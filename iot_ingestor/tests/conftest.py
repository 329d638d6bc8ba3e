"""Fixtures for the ingestor tests: throw-away PostgreSQL databases, a private Mosquitto,
the daemon as a subprocess, a cuttable TCP proxy. Everything binds 127.0.0.1.

Connection to PostgreSQL: ``IOT_TEST_PG`` (libpq DSN of a role that may CREATE DATABASE),
default ``host=127.0.0.1 port=5432 user=postgres``. A missing PostgreSQL or Mosquitto fails the
tests with a clear message (never a skip).
"""

from __future__ import annotations

import contextlib
import getpass
import importlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

import psycopg2
import pytest

# pytest's importlib mode names this file ``iot_ingestor.tests.conftest`` and registers the
# repository folder ``iot_ingestor/`` as a namespace package ``iot_ingestor``, which shadows the
# real package (src layout). Swap the real package in; keep pytest's ``iot_ingestor.tests``.
SRC = str(Path(__file__).resolve().parents[1] / "src")
if SRC not in sys.path:
    sys.path.append(SRC)
if getattr(sys.modules.get("iot_ingestor"), "__file__", None) is None:
    _tests_pkg = sys.modules.get("iot_ingestor.tests")
    sys.modules.pop("iot_ingestor", None)
    _real = importlib.import_module("iot_ingestor")
    if _tests_pkg is not None:
        _real.tests = _tests_pkg

ADMIN_DSN = os.environ.get("IOT_TEST_PG", "host=127.0.0.1 port=5432 user=postgres")
MOSQUITTO = (
    os.environ.get("IOT_TEST_MOSQUITTO")
    or shutil.which("mosquitto")
    or ("/usr/sbin/mosquitto" if os.path.exists("/usr/sbin/mosquitto") else None)
)


# The benches and the tests share these small helpers (one definition, in the package).
from iot_ingestor.benchkit import TcpProxy, dsn_with, free_port, read_healthz  # noqa: E402


class Database:
    def __init__(self, name: str):
        self.name = name
        self.dsn = dsn_with(ADMIN_DSN, dbname=name)

    def connect(self):
        return psycopg2.connect(self.dsn)

    def scalar(self, sql, params=None):
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchone()[0]
        finally:
            conn.close()

    def rows(self, sql, params=None):
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall()
        finally:
            conn.close()


def _admin():
    try:
        conn = psycopg2.connect(dsn_with(ADMIN_DSN, dbname="postgres"), connect_timeout=5)
    except psycopg2.OperationalError as exc:
        pytest.fail(f"PostgreSQL is required for the ingestor tests ({ADMIN_DSN}): {exc}")
    conn.autocommit = True
    return conn


@pytest.fixture
def db():
    """A fresh database ``iot_test_<random>`` with schema iot migrated; dropped afterwards."""
    from iot_ingestor.schema import migrate

    name = f"iot_test_{uuid.uuid4().hex[:10]}"
    admin = _admin()
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    d = Database(name)
    conn = d.connect()
    try:
        migrate(conn, timescale="native")
    finally:
        conn.close()
    try:
        yield d
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


class Broker:
    """A private Mosquitto with persistence, large queues, on a free loopback port."""

    def __init__(self, tmp: Path):
        if not MOSQUITTO:
            pytest.fail("Mosquitto is required (apt-get install mosquitto): binary not found")
        self.tmp = tmp
        self.port = free_port()
        (tmp / "data").mkdir(exist_ok=True)
        self.conf = tmp / "mosquitto.conf"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous true\n"
            # mosquitto started as root drops to user "mosquitto", which cannot write the
            # private tmp dir: stay the current user (ignored when not root)
            f"user {getpass.getuser()}\n"
            "persistence true\n"
            f"persistence_location {tmp / 'data'}/\n"
            "autosave_interval 1\n"
            "max_queued_messages 1000000\n"
            "max_queued_bytes 0\n"
            "max_inflight_messages 0\n"
            "persistent_client_expiration 1d\n"
            f"log_dest file {tmp / 'mosquitto.log'}\n"
        )
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            [MOSQUITTO, "-c", str(self.conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.time() + 10
        while time.time() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5),
            ):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        pytest.fail(f"private mosquitto did not start: {self.log()[-2000:]}")

    def stop(self):
        """Graceful stop (SIGTERM): Mosquitto writes its persistence file."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def restart(self):
        self.stop()
        self.start()

    def log(self) -> str:
        p = self.tmp / "mosquitto.log"
        return p.read_text(errors="replace") if p.exists() else ""


@pytest.fixture
def broker(tmp_path):
    b = Broker(tmp_path)
    try:
        yield b
    finally:
        b.stop()


class Daemon:
    """``python -m iot_ingestor run`` as a subprocess (so it can be SIGKILLed)."""

    def __init__(self, tmp: Path, dsn: str, broker_port: int, **env):
        self.tmp = tmp
        self.metrics_port = free_port()
        self.env = {
            **os.environ,
            "IOT_DB_DSN": dsn,
            "IOT_MQTT_HOST": "127.0.0.1",
            "IOT_MQTT_PORT": str(broker_port),
            "IOT_MQTT_CLIENT_ID": f"iot-test-{uuid.uuid4().hex[:6]}",
            "IOT_METRICS_PORT": str(self.metrics_port),
            "IOT_TIMESCALE": "off",
            "IOT_LOG_LEVEL": "INFO",
            "ODOO_URL": "",
            "PYTHONPATH": os.pathsep.join([SRC, *filter(None, [os.environ.get("PYTHONPATH")])]),
            **{k: str(v) for k, v in env.items()},
        }
        self.proc = None
        self.runs = 0

    def start(self, wait_subscribed: bool = True):
        self.runs += 1
        self.logfile = open(self.tmp / f"daemon-{self.runs}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "iot_ingestor", "run"],
            env=self.env,
            stdout=self.logfile,
            stderr=self.logfile,
            cwd=self.tmp,
        )
        if wait_subscribed:
            self.wait_health(lambda h: h.get("mqtt_connected") == 1, 30)
            time.sleep(0.3)  # SUBACK

    def health(self) -> dict | None:
        return read_healthz(self.metrics_port)

    def metrics(self) -> str:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=2
        ) as r:
            return r.read().decode()

    def wait_health(self, pred, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"daemon exited rc={self.proc.returncode}: {self.log()[-3000:]}")
            h = self.health()
            if h is not None and pred(h):
                return h
            time.sleep(0.1)
        pytest.fail(
            f"daemon health condition not met in {timeout}s: {self.health()} {self.log()[-3000:]}"
        )

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self) -> str:
        return "\n".join(
            (self.tmp / f"daemon-{k}.log").read_text(errors="replace")
            for k in range(1, self.runs + 1)
            if (self.tmp / f"daemon-{k}.log").exists()
        )


@pytest.fixture
def daemon_factory(tmp_path):
    made = []

    def make(dsn, broker_port, **env):
        d = Daemon(tmp_path, dsn, broker_port, **env)
        made.append(d)
        return d

    yield make
    for d in made:
        d.stop()


def wait_until(pred, timeout, interval=0.2, message="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {message} (last: {pred()!r})")


class Publisher:
    """paho MQTT v5 QoS 1 publisher with a persistent session (survives a broker restart:
    unacked messages are re-sent on reconnect). ``wait_acked`` waits for every PUBACK."""

    def __init__(self, port: int, client_id: str | None = None):
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        self.acked = 0
        self.lock = threading.Lock()
        self.c = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id or f"pub-{uuid.uuid4().hex[:6]}",
            protocol=mqtt.MQTTv5,
        )
        self.c.max_inflight_messages_set(1000)
        self.c.max_queued_messages_set(0)
        self.c.reconnect_delay_set(0.2, 1)
        self.c.on_publish = self._on_publish
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = 3600
        self.c.connect("127.0.0.1", port, clean_start=False, properties=props)
        self.c.loop_start()
        wait_until(self.c.is_connected, 10, 0.05, "publisher connection")
        self.sent = 0

    def _on_publish(self, client, userdata, mid, reason_code, properties):
        with self.lock:
            self.acked += 1

    def publish(self, topic: str, payload: bytes, qos: int = 1):
        # MQTT packet ids are 16-bit: never keep more than 20,000 unacked in paho's queue
        while self.sent - self.acked >= 20000:
            time.sleep(0.001)
        self.c.publish(topic, payload, qos=qos)
        self.sent += 1

    def wait_acked(self, timeout: float = 120):
        wait_until(
            lambda: self.acked >= self.sent, timeout, 0.05, f"PUBACK of {self.sent} messages"
        )

    def close(self):
        self.c.disconnect()
        self.c.loop_stop()


@pytest.fixture
def publisher_factory():
    made = []

    def make(port, client_id=None):
        p = Publisher(port, client_id)
        made.append(p)
        return p

    yield make
    for p in made:
        with contextlib.suppress(Exception):
            p.close()


@pytest.fixture
def waiter():
    return wait_until


def reading_payload(i: int, base_epoch: float, device_count: int = 100) -> tuple[str, bytes]:
    """Message i of a synthetic stream: a temperature reading, unique per i."""
    from datetime import UTC, datetime

    dev = i % device_count
    ts = datetime.fromtimestamp(base_epoch + (i // device_count), UTC).isoformat()
    return (
        "farm/sd1/sensors/temperature",
        f'{{"device_id":"ENV-{dev:04d}","timestamp":"{ts}","value":{20 + (i % 97) / 10}}}'.encode(),
    )


@pytest.fixture
def stream():
    return reading_payload


@pytest.fixture
def pg_proxy():
    """A TcpProxy in front of the test PostgreSQL (host/port from IOT_TEST_PG)."""
    parts = dict(p.split("=", 1) for p in ADMIN_DSN.split())
    proxy = TcpProxy(int(parts.get("port", 5432)), parts.get("host", "127.0.0.1"))
    try:
        yield proxy
    finally:
        proxy.close()


class _XmlRpcHandler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/xmlrpc/2/common", "/xmlrpc/2/object")

    def do_POST(self):  # noqa: N802 - http.server API
        fake = self.server.fake
        if fake.fail_next_after_apply and self.path.endswith("/object"):
            # apply the call, then drop the connection: the answer never reaches the client
            fake.fail_next_after_apply -= 1
            data = self.rfile.read(int(self.headers["content-length"]))
            self.server._marshaled_dispatch(data, None, self.path)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        super().do_POST()

    def log_message(self, *args):
        pass


class FakeOdoo:
    """Applies raise/clear/heartbeat idempotently; counts calls and effects."""

    def __init__(self, port=0):
        self.calls = []  # (model, method, n_items)
        self.alerts = {}  # key -> {"state", "count", "raised": n_effects}
        self.effects = 0
        self.fail_next_after_apply = 0
        self.fault_methods = set()
        self.devices, self.rules = [], []
        self.port = port
        self.server = None
        self.start()

    def start(self):
        self.server = SimpleXMLRPCServer(
            ("127.0.0.1", self.port),
            requestHandler=_XmlRpcHandler,
            allow_none=True,
            logRequests=False,
        )
        self.server.fake = self
        self.port = self.server.server_address[1]
        self.server.register_function(self.authenticate, "authenticate")
        self.server.register_function(self.execute_kw, "execute_kw")
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def authenticate(self, db, user, key, env):
        return 7 if (db, user, key) == ("farm", "ingestor", "secret") else False

    def execute_kw(self, db, uid, key, model, method, args, kwargs):
        if (uid, key) != (7, "secret"):
            raise Exception("AccessDenied")
        if method in self.fault_methods:
            raise ValueError(f"bug in {method}")
        items = args[0]
        self.calls.append((model, method, len(items) if isinstance(items, list) else 0))
        if method == "ingestor_raise":
            out = []
            for ev in items:
                a = self.alerts.get(ev["key"])
                if a is None:
                    a = self.alerts[ev["key"]] = {"state": "active", "count": 0}
                    self.effects += 1
                a["count"] = max(a["count"], ev["count"])
                out.append({"key": ev["key"], "alert_id": len(self.alerts), "created": True})
            result = {"results": out}
        elif method == "ingestor_clear":
            for ev in items:
                a = self.alerts[ev["key"]]  # a clear before its raise would be a bug
                if a["state"] != "cleared":
                    a["state"] = "cleared"
                    self.effects += 1
            result = {"results": [{"key": ev["key"]} for ev in items]}
        elif method == "ingestor_pull_devices":
            result = {"devices": self.devices, "codes": [d["code"] for d in self.devices]}
        elif method == "ingestor_pull_rules":
            result = {"rules": self.rules, "ids": [r["id"] for r in self.rules]}
        else:
            result = {"ok": len(items)}
        return result


@pytest.fixture
def fake_odoo_factory():
    """Start tiny fake Odoo XML-RPC servers (``port=0``: a free port); stopped afterwards."""
    made = []

    def make(port=0):
        o = FakeOdoo(port)
        made.append(o)
        return o

    yield make
    for o in made:
        with contextlib.suppress(Exception):
            o.stop()
