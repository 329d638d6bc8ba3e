"""Helpers for the ingest benchmarks (``bench/bench_ingest_*.py``) and the end-to-end tests
(``iot_ingestor/tests``, ``smart_iot_mgmt/tests``): a private Mosquitto, a throw-away database,
the daemon as a subprocess, its health endpoint, a cuttable TCP proxy, the seed-design
baseline consumer.

Nothing here is used by the daemon itself. Everything binds 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg2

from .metrics import read_healthz  # noqa: F401 - re-exported for the tests and benches

ADMIN_DSN = os.environ.get("IOT_BENCH_PG", "host=127.0.0.1 port=5432 user=postgres")
TOPIC = "farm/sd1/sensors/temperature"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dsn_with(dsn: str, **kw) -> str:
    parts = dict(p.split("=", 1) for p in dsn.split())
    parts.update({k: str(v) for k, v in kw.items()})
    return " ".join(f"{k}={v}" for k, v in parts.items())


def mosquitto_bin() -> str:
    found = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not os.path.exists(found):
        raise SystemExit("mosquitto binary not found (apt-get install mosquitto)")
    return found


@contextlib.contextmanager
def private_broker(max_queued: int = 1_000_000):
    tmp = Path(tempfile.mkdtemp(prefix="iot_bench_mqtt_"))
    port = free_port()
    conf = tmp / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\nuser {getpass.getuser()}\n"
        f"persistence true\npersistence_location {tmp}/\nautosave_interval 60\n"
        f"max_queued_messages {max_queued}\nmax_queued_bytes 0\nmax_inflight_messages 0\n"
        "log_type error\n"
    )
    proc = subprocess.Popen(
        [mosquitto_bin(), "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise SystemExit("private mosquitto did not start") from None
                time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(15)
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def temp_database(prefix: str = "iot_bench_"):
    from .schema import migrate

    name = f"{prefix}{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(dsn_with(ADMIN_DSN, dbname="postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    dsn = dsn_with(ADMIN_DSN, dbname=name)
    try:
        conn = psycopg2.connect(dsn)
        migrate(conn, timescale="native")
        conn.close()
        yield dsn
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def scalar(dsn: str, sql: str, params=None):
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchone()[0]
    finally:
        conn.close()


def lines(n: int, base_epoch: float, devices: int = 255, offset: int = 0) -> list[bytes]:
    """n distinct temperature readings (one line = one JSON payload)."""
    out = []
    for i in range(offset, offset + n):
        ts = datetime.fromtimestamp(base_epoch + i // devices, UTC).isoformat()
        out.append(
            b'{"device_id":"ENV-%04d","timestamp":"%s","value":%.1f}'
            % (i % devices, ts.encode(), 20 + (i % 97) / 10)
        )
    return out


def publish(
    port: int, payloads: list[bytes], topic: str = TOPIC, timeout: float = 600, window: int = 20000
) -> float:
    """Publish QoS 1 (MQTT v5) with paho; returns seconds until every message was PUBACKed.

    At most ``window`` messages are outstanding: MQTT packet ids are 16-bit, and a client
    queue holding more than 65535 unacknowledged messages reuses ids (paho overwrites them,
    ``mosquitto_pub -l`` loses them), which is why neither is fed a whole backlog at once.
    """
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    done = threading.Event()
    acked = [0]
    n = len(payloads)

    def on_publish(client, userdata, mid, reason_code, properties):
        acked[0] += 1
        if acked[0] >= n:
            done.set()

    c = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"bench-pub-{uuid.uuid4().hex[:6]}",
        protocol=mqtt.MQTTv5,
    )
    c.max_inflight_messages_set(1000)
    c.max_queued_messages_set(0)
    c.on_publish = on_publish
    c.connect("127.0.0.1", port)
    c.loop_start()
    t0 = time.time()
    pub = c.publish
    for i, p in enumerate(payloads):
        while i - acked[0] >= window:
            time.sleep(0.001)
        pub(topic, p, qos=1)
    if n and not done.wait(timeout):
        raise SystemExit(f"only {acked[0]} of {n} messages acknowledged by the broker")
    elapsed = time.time() - t0
    c.disconnect()
    c.loop_stop()
    return elapsed


def mosquitto_pub(
    port: int, payloads: list[bytes], topic: str = TOPIC, chunk: int = 20000
) -> float:
    """Fast loss-free load: the C client ``mosquitto_pub -l -q 1`` fed chunks of ``chunk``
    lines, one process after the other (a single process fed > 65535 lines reuses packet
    ids and loses messages). Returns seconds until the last chunk was acknowledged."""
    t0 = time.time()
    for k in range(0, len(payloads), chunk):
        proc = subprocess.Popen(
            [
                "mosquitto_pub",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-q",
                "1",
                "-V",
                "mqttv5",
                "-M",
                "1000",
                "-t",
                topic,
                "-l",
                "-i",
                f"bench-pub-{uuid.uuid4().hex[:6]}",
            ],
            stdin=subprocess.PIPE,
        )
        proc.communicate(b"\n".join(payloads[k : k + chunk]) + b"\n")
        if proc.returncode:
            raise SystemExit(f"mosquitto_pub failed rc={proc.returncode}")
    return time.time() - t0


class TcpProxy:
    """127.0.0.1:<port> → target. ``cut()`` drops every connection and refuses new ones until
    ``restore()`` (Odoo or PostgreSQL is "down" for the client); ``drop_next_responses(n)`` forwards the
    next n requests containing ``marker`` but loses their answers (the work happens in Odoo,
    the caller never hears of it)."""

    def __init__(self, target_port, target_host="127.0.0.1"):
        self.target = (target_host, target_port)
        self.port = free_port()
        self.up = True
        self.drop = 0
        self.marker = b""
        self.dropped = 0
        self.accepted = 0
        self.conns = []
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", self.port))
        self.sock.listen(64)
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.accepted += 1
                self.conns += [client, upstream]
            state = {"lose": False}
            threading.Thread(
                target=self._pipe, args=(client, upstream, state, True), daemon=True
            ).start()
            threading.Thread(
                target=self._pipe, args=(upstream, client, state, False), daemon=True
            ).start()

    def _pipe(self, a, b, state, request_side):
        try:
            self._forward(a, b, state, request_side)
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def _forward(self, a, b, state, request_side):
        with contextlib.suppress(OSError):  # a cut line ends the forwarding
            while True:
                data = a.recv(65536)
                if not data:
                    break
                if request_side and self.marker and self.marker in data:
                    with self.lock:
                        if self.drop > 0:
                            self.drop -= 1
                            self.dropped += 1
                            state["lose"] = True
                if not request_side and state["lose"]:
                    break  # Odoo answered; the line "breaks" before the caller hears it
                b.sendall(data)

    def drop_next_responses(self, marker, n=1):
        with self.lock:
            self.marker = marker
            self.drop = n

    def cut(self):
        self.up = False
        with self.lock:
            conns, self.conns = self.conns, []
        for s in conns:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def restore(self):
        self.up = True

    def dsn(self, dsn):
        """``dsn`` rewritten to go through this proxy."""
        return dsn_with(dsn, host="127.0.0.1", port=self.port)

    def close(self):
        self.closed = True
        self.cut()
        self.sock.close()


class Daemon:
    def __init__(self, dsn: str, mqtt_port: int, **env):
        self.metrics_port = free_port()
        src = str(Path(__file__).resolve().parents[1])
        self.env = {
            **os.environ,
            "IOT_DB_DSN": dsn,
            "IOT_MQTT_PORT": str(mqtt_port),
            "IOT_MQTT_HOST": "127.0.0.1",
            "IOT_METRICS_PORT": str(self.metrics_port),
            "IOT_MQTT_CLIENT_ID": "iot-bench",
            "IOT_TIMESCALE": "off",
            "IOT_LOG_LEVEL": "WARNING",
            "ODOO_URL": "",
            "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")])),
            **{k: str(v) for k, v in env.items()},
        }
        self.proc = None

    def start(self, timeout: float = 30):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "iot_ingestor", "run"], env=self.env, cwd=tempfile.gettempdir()
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            h = self.health()
            if h and h.get("mqtt_connected") == 1:
                time.sleep(0.3)
                return
            time.sleep(0.05)
        raise SystemExit("ingestor did not connect")

    def health(self):
        return read_healthz(self.metrics_port, timeout=1)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)


def wait_count(
    dsn: str, n: int, timeout: float, table: str = "iot.reading", interval: float = 0.05
) -> float:
    """Poll until ``table`` holds n rows; return the time it happened (time.time())."""
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    deadline = time.time() + timeout
    try:
        with conn.cursor() as cur:
            while True:
                cur.execute(f"SELECT count(*) FROM {table}")
                if cur.fetchone()[0] >= n:
                    return time.time()
                if time.time() > deadline:
                    raise SystemExit(f"timeout waiting for {n} rows in {table}")
                time.sleep(interval)
    finally:
        conn.close()


class SeedConsumer:
    """The seed's design, measured as the baseline: paho QoS 1 with automatic acks and one
    INSERT + COMMIT per message (no batching)."""

    def __init__(
        self, dsn: str, port: int, topic: str = TOPIC, on_commit=None, client_id: str | None = None
    ):
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        from .payloads import parse

        self.parse = parse
        self.conn = psycopg2.connect(dsn)
        self.count = 0
        self.on_commit = on_commit
        self.done = threading.Event()
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id or f"seed-{uuid.uuid4().hex[:6]}",
            protocol=mqtt.MQTTv5,
        )
        self.client.on_message = self._on_message
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = 3600
        self.client.connect("127.0.0.1", port, clean_start=False, properties=props)
        self.client.subscribe(topic, qos=1)
        self.client.loop_start()
        time.sleep(0.5)

    def _on_message(self, client, userdata, msg):
        now = datetime.now(UTC)
        (r,) = self.parse(msg.topic, msg.payload, now)
        with self.conn.cursor() as cur:
            cur.execute(
                "INSERT INTO iot.reading (device_code, metric, ts, value, received_at, farm, "
                "unit) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (r.device_code, r.metric, r.ts, r.value, r.received_at, r.farm, r.unit),
            )
        self.conn.commit()
        self.count += 1
        if self.on_commit:
            self.on_commit(r)

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()
        self.conn.close()
