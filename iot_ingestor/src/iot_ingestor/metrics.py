"""Counters/gauges/histogram and the /healthz + /metrics HTTP endpoint (127.0.0.1 only)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

COUNTERS = {
    "received": "MQTT messages received",
    "committed": "messages whose batch was committed (and acked)",
    "inserted_rows": "rows newly inserted (duplicates excluded)",
    "duplicates": "items already stored (redeliveries)",
    "dead_lettered": "messages sent to iot.dead_letter",
    "batches": "batches committed",
    "db_errors": "database errors (batch retried)",
    "alerts_queued": "alert raise/clear calls queued in the outbox",
    "outbox_delivered": "outbox rows delivered to Odoo",
    "outbox_failed": "outbox delivery failures",
}


class Metrics:
    def __init__(self):
        self.lock = threading.Lock()
        self.c = dict.fromkeys(COUNTERS, 0)
        self.hist = [0] * (len(BUCKETS) + 1)
        self.hist_sum = 0.0
        self.hist_count = 0
        self.gauges = {
            "queue_depth": 0,
            "outbox_depth": 0,
            "lag_seconds": 0.0,
            "mqtt_connected": 0,
            "db_up": 0,
            "last_commit_unixtime": 0.0,
        }
        self.started = time.time()

    def inc(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.c[name] += n

    def set(self, name: str, value) -> None:
        self.gauges[name] = value

    def observe_batch(self, seconds: float) -> None:
        with self.lock:
            for i, b in enumerate(BUCKETS):
                if seconds <= b:
                    self.hist[i] += 1
                    break
            else:
                self.hist[-1] += 1
            self.hist_sum += seconds
            self.hist_count += 1

    def render(self) -> str:
        lines = []
        with self.lock:
            for name, help_ in COUNTERS.items():
                lines += [
                    f"# HELP iot_ingestor_{name}_total {help_}",
                    f"# TYPE iot_ingestor_{name}_total counter",
                    f"iot_ingestor_{name}_total {self.c[name]}",
                ]
            for name, v in self.gauges.items():
                lines += [f"# TYPE iot_ingestor_{name} gauge", f"iot_ingestor_{name} {v}"]
            lines += [
                "# HELP iot_ingestor_batch_seconds batch write+commit latency",
                "# TYPE iot_ingestor_batch_seconds histogram",
            ]
            acc = 0
            for b, n in zip(BUCKETS, self.hist, strict=False):
                acc += n
                lines.append(f'iot_ingestor_batch_seconds_bucket{{le="{b}"}} {acc}')
            lines.append(f'iot_ingestor_batch_seconds_bucket{{le="+Inf"}} {self.hist_count}')
            lines.append(f"iot_ingestor_batch_seconds_sum {self.hist_sum}")
            lines.append(f"iot_ingestor_batch_seconds_count {self.hist_count}")
        return "\n".join(lines) + "\n"

    def health(self) -> tuple[bool, dict]:
        g = dict(self.gauges)
        ok = bool(g["mqtt_connected"]) and bool(g["db_up"])
        return ok, {
            "status": "ok" if ok else "degraded",
            **g,
            "committed": self.c["committed"],
            "received": self.c["received"],
            "dead_lettered": self.c["dead_lettered"],
            "uptime_s": round(time.time() - self.started, 1),
        }


def serve(metrics: Metrics, host: str, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server API
            if self.path == "/metrics":
                body, ctype, code = metrics.render().encode(), "text/plain; version=0.0.4", 200
            elif self.path == "/healthz":
                ok, data = metrics.health()
                body, ctype, code = (
                    json.dumps(data).encode(),
                    "application/json",
                    (200 if ok else 503),
                )
            else:
                body, ctype, code = b'{"error": "not found"}', "application/json", 404
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="metrics-http", daemon=True).start()
    return server


def read_healthz(port: int, timeout: float = 2) -> dict | None:
    """The daemon's ``/healthz`` document (also when it answers 503), ``None`` when down."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=timeout) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read())
    except OSError:
        return None
