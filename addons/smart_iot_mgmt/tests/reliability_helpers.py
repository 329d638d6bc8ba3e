# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Real infrastructure for the end-to-end tests: a private Mosquitto, the ingestor daemon as a
subprocess (the cuttable TCP proxy in front of Odoo, free ports and the health reader are
shared with the ingestor's own tests in ``iot_ingestor.benchkit``). Everything binds 127.0.0.1. A missing
Mosquitto binary is a test failure with a clear message, never a skip."""

import contextlib
import getpass
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from iot_ingestor.benchkit import free_port, read_healthz

MOSQUITTO = (
    os.environ.get("IOT_TEST_MOSQUITTO")
    or shutil.which("mosquitto")
    or ("/usr/sbin/mosquitto" if os.path.exists("/usr/sbin/mosquitto") else None)
)


class InfraError(AssertionError):
    """A real dependency is missing or misbehaves: the test fails with this message."""


def wait_until(pred, timeout, what, interval=0.2):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = pred()
        if last:
            return last
        time.sleep(interval)
    raise InfraError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


class Broker:
    """Private Mosquitto with persistence on a free loopback port."""

    def __init__(self):
        if not MOSQUITTO:
            raise InfraError(
                "Mosquitto is required for the end-to-end IoT tests "
                "(apt-get install mosquitto): binary not found"
            )
        self.tmp = Path(tempfile.mkdtemp(prefix="iotm_broker_"))
        self.port = free_port()
        (self.tmp / "data").mkdir()
        self.conf = self.tmp / "mosquitto.conf"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
            f"user {getpass.getuser()}\npersistence true\n"
            f"persistence_location {self.tmp / 'data'}/\n"
            "max_queued_messages 100000\nmax_inflight_messages 0\n"
            f"log_dest file {self.tmp / 'mosquitto.log'}\n"
        )
        self.proc = subprocess.Popen(
            [MOSQUITTO, "-c", str(self.conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

        def up():
            if self.proc.poll() is not None:
                raise InfraError(f"mosquitto exited: {self.log()[-1500:]}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5),
            ):
                return True
            return False

        wait_until(up, 10, "private mosquitto to listen", 0.05)

    def log(self):
        p = self.tmp / "mosquitto.log"
        return p.read_text(errors="replace") if p.exists() else ""

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


class Daemon:
    """``python -m iot_ingestor run`` with its configuration in the environment."""

    def __init__(self, dsn, broker_port, odoo_url, odoo_db, api_key, **env):
        self.tmp = Path(tempfile.mkdtemp(prefix="iotm_daemon_"))
        self.metrics_port = free_port()
        self.env = {
            **os.environ,
            "IOT_DB_DSN": dsn,
            "IOT_MQTT_HOST": "127.0.0.1",
            "IOT_MQTT_PORT": str(broker_port),
            "IOT_MQTT_CLIENT_ID": f"iotm-test-{uuid.uuid4().hex[:6]}",
            "IOT_METRICS_PORT": str(self.metrics_port),
            "IOT_TIMESCALE": "off",
            "IOT_BATCH_WAIT_MS": "50",
            "IOT_LOG_LEVEL": "INFO",
            "ODOO_URL": odoo_url,
            "ODOO_DB": odoo_db,
            "ODOO_USER": "iot_ingestor",
            "ODOO_API_KEY": api_key,
            "ODOO_SYNC_S": "1",
            "ODOO_TIMEOUT_S": "60",
            "IOT_HEARTBEAT_S": "2",
            "IOT_CONNECTIVITY_CHECK_S": "3600",
            "IOT_NOTIFY_ANIMALS_S": "3600",
            "IOT_MAINTENANCE_S": "3600",
            "IOT_OUTBOX_BASE_BACKOFF_S": "0.2",
            "IOT_OUTBOX_MAX_BACKOFF_S": "1",
            **{k: str(v) for k, v in env.items()},
        }
        self.log_path = self.tmp / "daemon.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "iot_ingestor", "run"],
                env=self.env,
                stdout=log,
                stderr=log,
                cwd=self.tmp,
            )
        wait_until(
            lambda: (self.health() or {}).get("mqtt_connected") == 1,
            60,
            "the ingestor to connect to MQTT",
        )
        time.sleep(0.3)  # SUBACK

    def health(self):
        if self.proc.poll() is not None:
            raise InfraError(f"ingestor exited rc={self.proc.returncode}: {self.log()[-3000:]}")
        return read_healthz(self.metrics_port)

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


class Publisher:
    """paho MQTT v5 QoS 1 publisher; ``publish`` returns once the broker acknowledged."""

    def __init__(self, port):
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        self.c = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"iotm-pub-{uuid.uuid4().hex[:6]}",
            protocol=mqtt.MQTTv5,
        )
        self.c.connect("127.0.0.1", port)
        self.c.loop_start()
        wait_until(self.c.is_connected, 10, "the publisher's MQTT connection", 0.05)

    def publish(self, topic, payload):
        info = self.c.publish(topic, json.dumps(payload), qos=1)
        info.wait_for_publish(10)
        if not info.is_published():
            raise InfraError(f"PUBACK not received for {topic}")

    def close(self):
        self.c.disconnect()
        self.c.loop_stop()
